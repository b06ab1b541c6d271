//! Lists the organization's system groups through the generated v2 client.
//!
//! Reads `JUMPCLOUD_API_KEY`, and optionally `JUMPCLOUD_ORG_ID` and `JUMPCLOUD_REGION`:
//!
//! ```text
//! JUMPCLOUD_API_KEY=... cargo run -p jumpcloud-v2 --example list_system_groups
//! ```

use futures_util::StreamExt as _;
use jumpcloud_v2::{Client, Error};

#[tokio::main]
async fn main() -> Result<(), Error> {
    let client = Client::from_env()?;

    // One call: the first page, with the total in the `x-total-count` response header.
    let first = client.groups_system_list().limit(10).send().await?;
    println!(
        "{} of {} groups in the first page",
        first.len(),
        first.header("x-total-count").unwrap_or("?")
    );

    // Every group: `stream()` pages with skip/limit (100 per page) until `x-total-count` is
    // reached, past pages the server returns short, holding one page at a time.
    let mut groups = client.groups_system_list().filter(["name:search:prod"]).stream();
    while let Some(group) = groups.next().await {
        let group = group?;
        println!("{}\t{}", group.id.as_deref().unwrap_or("-"), group.name.as_deref().unwrap_or(""));
    }
    Ok(())
}
