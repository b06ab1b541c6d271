//! API key with an organization id, the usual setup for a multi-tenant (MSP) administrator.
//!
//! Reads `JUMPCLOUD_API_KEY`, `JUMPCLOUD_ORG_ID` and optionally `JUMPCLOUD_REGION`, then lists
//! the organization's user groups page by page:
//!
//! ```text
//! JUMPCLOUD_API_KEY=... JUMPCLOUD_ORG_ID=... cargo run -p jumpcloud-core --example api_key
//! ```

use futures_util::StreamExt as _;
use jumpcloud_core::{Api, Client, Error, Method, paginate};

#[tokio::main]
async fn main() -> Result<(), Error> {
    // `x-org-id` is sent on every call except the provider-level ones.
    let client = Client::from_env()?;

    // `GET /usergroups` through the escape hatch, paged by `x-total-count`.
    let mut groups =
        paginate::skip_limit_header(client, |client: Client, skip, limit| async move {
            let mut req = client.raw(Method::GET, Api::V2, "/usergroups");
            req.query("skip", &skip).query("limit", &limit);
            req.send().await?.json::<Vec<serde_json::Value>>()
        });
    while let Some(group) = groups.next().await {
        let group = group?;
        println!("{}\t{}", group["id"], group["name"]);
    }
    Ok(())
}
