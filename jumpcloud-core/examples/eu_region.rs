//! A client for an organization hosted in the EU data center.
//!
//! The region moves the v1, v2 and Directory Insights hosts together
//! (`console.eu.jumpcloud.com`, `api.eu.jumpcloud.com`):
//!
//! ```text
//! JUMPCLOUD_API_KEY=... cargo run -p jumpcloud-core --example eu_region
//! ```

use std::time::Duration;

use futures_util::StreamExt as _;
use jumpcloud_core::paginate::{self, Page};
use jumpcloud_core::{Api, Client, Error, Method, Region, RetryPolicy};

#[tokio::main]
async fn main() -> Result<(), Error> {
    let api_key = std::env::var("JUMPCLOUD_API_KEY").map_err(|_| Error::Config {
        message: "set JUMPCLOUD_API_KEY".to_owned(),
    })?;
    let client = Client::builder()
        .api_key(api_key)
        .region(Region::Eu)
        .timeout(Duration::from_secs(30))
        .retry(RetryPolicy::new().max_attempts(5))
        .user_agent("jumpcloud-core-example/1")
        .build()?;
    println!("v1 base: {}", client.base_url(Api::V1));

    // v1 lists carry their total in the body: `{"totalCount": n, "results": [...]}`.
    let mut users = paginate::skip_limit_total(client, |client: Client, skip, limit| async move {
        let mut req = client.raw(Method::GET, Api::V1, "/systemusers");
        req.query("skip", &skip)
            .query("limit", &limit)
            .query("fields", "username email");
        let body = req.send().await?.json::<serde_json::Value>()?.into_inner();
        let results = body["results"].as_array().cloned().unwrap_or_default();
        Ok(Page::new(results, body["totalCount"].as_i64()))
    });
    while let Some(user) = users.next().await {
        let user = user?;
        println!("{}\t{}", user["username"], user["email"]);
    }
    Ok(())
}
