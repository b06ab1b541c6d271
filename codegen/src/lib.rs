//! The generator of the JumpCloud clients.
//!
//! A pipeline of named stages, each its own module and testable alone:
//!
//! 1. [`load`]: read YAML or JSON into a `serde_json::Value` and detect the format.
//! 2. [`normalize`]: turn Swagger 2.0 and OpenAPI 3.1 into OpenAPI 3.0 (still a JSON value).
//! 3. overlay: apply the project's fixes to known spec errors (OpenAPI Overlay 1.0).
//! 4. parse: deserialize into [`openapiv3::OpenAPI`], errors carrying a JSON pointer.
//! 5. [`ir`]: operations and types with stable Rust names.
//! 6. [`emit`]: Rust source with `quote` and `prettyplease`.

pub mod diff;
pub mod docs;
pub mod emit;
pub mod error;
pub mod ir;
pub mod load;
pub mod naming;
pub mod normalize;
pub mod overlay;
pub mod pipeline;

pub use error::{Error, Result};
