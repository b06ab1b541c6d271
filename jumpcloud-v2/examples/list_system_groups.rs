//! Lists the organization's system groups through the generated v2 client.
//!
//! Reads `JUMPCLOUD_API_KEY`, and optionally `JUMPCLOUD_ORG_ID` and `JUMPCLOUD_REGION`:
//!
//! ```text
//! JUMPCLOUD_API_KEY=... cargo run -p jumpcloud-v2 --example list_system_groups
//! ```

use jumpcloud_v2::{Client, Error};

#[tokio::main]
async fn main() -> Result<(), Error> {
    let client = Client::from_env()?;

    // The API returns at most 100 groups per call and says how many there are in the
    // `x-total-count` header; a page may be shorter than asked even when more follow.
    let mut skip = 0;
    loop {
        let page = client.groups_system_list().limit(100).skip(skip).send().await?;
        let total = page.header("x-total-count").and_then(|v| v.parse::<i64>().ok());
        let count = page.len() as i64;
        for group in page.iter() {
            println!(
                "{}\t{}",
                group.id.as_deref().unwrap_or("-"),
                group.name.as_deref().unwrap_or("")
            );
        }
        skip += count;
        match total {
            Some(total) if skip < total && count > 0 => continue,
            None if count > 0 => continue,
            _ => break,
        }
    }
    Ok(())
}
