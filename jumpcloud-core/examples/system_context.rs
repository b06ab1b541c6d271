//! System Context authentication: a device signs its own requests with the JumpCloud agent's
//! key instead of using an administrator API key.
//!
//! ```text
//! JUMPCLOUD_SYSTEM_ID=... JUMPCLOUD_SYSTEM_KEY=/opt/jc/client.key \
//!     cargo run -p jumpcloud-core --example system_context
//! ```
//!
//! `JUMPCLOUD_SYSTEM_ID` is the `systemKey` from the agent's `/opt/jc/jcagent.conf`.

use jumpcloud_core::{Api, Client, Error, Method, SystemContext, encode_path_segment};

#[tokio::main]
async fn main() -> Result<(), Error> {
    let config = |message: &str| Error::Config {
        message: message.to_owned(),
    };
    let system_id =
        std::env::var("JUMPCLOUD_SYSTEM_ID").map_err(|_| config("set JUMPCLOUD_SYSTEM_ID"))?;
    let key_path =
        std::env::var("JUMPCLOUD_SYSTEM_KEY").unwrap_or_else(|_| "/opt/jc/client.key".to_owned());
    let pem = std::fs::read_to_string(&key_path)
        .map_err(|e| config(&format!("cannot read {key_path}: {e}")))?;

    let context = SystemContext::from_pem(&system_id, &pem)?;
    let client = Client::builder().system_context(context).build()?;

    // A device may read its own system record.
    let path = format!("/systems/{}", encode_path_segment(&system_id));
    let system = client
        .raw(Method::GET, Api::V1, path)
        .send()
        .await?
        .json::<serde_json::Value>()?
        .into_inner();
    println!("{} ({})", system["hostname"], system["os"]);
    Ok(())
}
