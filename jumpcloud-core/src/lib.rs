//! The runtime shared by the generated JumpCloud clients (`jumpcloud-v1`, `jumpcloud-v2`).
//!
//! Generated operations only describe themselves ([`Operation`]) and fill a [`Request`]; this
//! crate owns everything else: the configured [`Client`] (credentials, organization, region,
//! timeouts, user agent), authentication (API key or System Context signatures), the
//! organization header rules, retries, error reporting, response decoding by content type and
//! the pagers in [`paginate`].
//!
//! ```no_run
//! # async fn demo() -> Result<(), jumpcloud_core::Error> {
//! use jumpcloud_core::{Api, Client, Method, Region};
//!
//! let client = Client::builder()
//!     .api_key("an API key")
//!     .org_id("an organization id")
//!     .region(Region::Eu)
//!     .build()?;
//!
//! // Operations the specs lack go through the same pipeline as generated ones.
//! let mut req = client.raw(Method::GET, Api::V1, "/users");
//! req.query("limit", &100);
//! let admins = req.send().await?.json::<serde_json::Value>()?.into_inner();
//! # let _ = admins;
//! # Ok(())
//! # }
//! ```
#![warn(missing_docs)]

mod auth;
mod client;
mod encoding;
mod error;
mod multipart;
pub mod nullable;
mod org;
pub mod paginate;
mod request;
mod response;
mod retry;

pub use auth::SystemContext;
pub use client::{Api, Client, ClientBuilder, Region};
pub use encoding::encode_path_segment;
pub use error::{ApiError, DecodeError, Error};
pub use http::{HeaderMap, Method, StatusCode};
pub use multipart::{Form, Part};
pub use org::{ORG_ID_EXEMPT_PATHS, sends_org_id};
pub use request::{Operation, Request};
pub use response::{Binary, Response, ResponseValue};
pub use retry::RetryPolicy;
