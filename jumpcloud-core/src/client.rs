//! The configured client: credentials, organization, region and base URLs, HTTP settings.

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use http::HeaderValue;
use url::Url;

use crate::auth::{Auth, SystemContext};
use crate::error::Error;
use crate::request::{Operation, Request};
use crate::retry::RetryPolicy;

/// Which of JumpCloud's APIs an operation belongs to; each has its own base URL.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Api {
    /// API v1, `https://console.jumpcloud.com/api` in the US region.
    V1,
    /// API v2, `https://console.jumpcloud.com/api/v2` in the US region.
    V2,
    /// Directory Insights, `https://api.jumpcloud.com/insights/directory/v1` in the US region.
    Insights,
}

impl Api {
    const ALL: [Api; 3] = [Api::V1, Api::V2, Api::Insights];

    fn index(self) -> usize {
        match self {
            Api::V1 => 0,
            Api::V2 => 1,
            Api::Insights => 2,
        }
    }
}

impl fmt::Display for Api {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Api::V1 => "v1",
            Api::V2 => "v2",
            Api::Insights => "insights",
        })
    }
}

/// The JumpCloud data center an organization lives in.
///
/// A region fixes the base URLs of all three APIs together, so that a client can never talk
/// to the EU console for v1 and the US one for v2. The hosts are the `servers` of JumpCloud's
/// published specs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Region {
    /// United States (`console.jumpcloud.com`, `api.jumpcloud.com`).
    #[default]
    Us,
    /// European Union (`console.eu.jumpcloud.com`, `api.eu.jumpcloud.com`).
    Eu,
    /// India (`console.in.jumpcloud.com`, `api.in.jumpcloud.com`).
    In,
}

impl Region {
    /// The base URL of `api` in this region, without a trailing slash.
    pub fn base_url(self, api: Api) -> &'static str {
        match (self, api) {
            (Region::Us, Api::V1) => "https://console.jumpcloud.com/api",
            (Region::Us, Api::V2) => "https://console.jumpcloud.com/api/v2",
            (Region::Us, Api::Insights) => "https://api.jumpcloud.com/insights/directory/v1",
            (Region::Eu, Api::V1) => "https://console.eu.jumpcloud.com/api",
            (Region::Eu, Api::V2) => "https://console.eu.jumpcloud.com/api/v2",
            (Region::Eu, Api::Insights) => "https://api.eu.jumpcloud.com/insights/directory/v1",
            (Region::In, Api::V1) => "https://console.in.jumpcloud.com/api",
            (Region::In, Api::V2) => "https://console.in.jumpcloud.com/api/v2",
            (Region::In, Api::Insights) => "https://api.in.jumpcloud.com/insights/directory/v1",
        }
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Region::Us => "us",
            Region::Eu => "eu",
            Region::In => "in",
        })
    }
}

impl FromStr for Region {
    type Err = Error;

    /// Parses `us`, `eu` or `in`, in any case.
    fn from_str(s: &str) -> Result<Self, Error> {
        match s.trim().to_ascii_lowercase().as_str() {
            "us" => Ok(Region::Us),
            "eu" => Ok(Region::Eu),
            "in" => Ok(Region::In),
            _ => Err(Error::config(format!(
                "unknown region {s:?}; expected one of \"us\", \"eu\", \"in\""
            ))),
        }
    }
}

/// Environment variable holding the API key read by [`Client::from_env`].
const ENV_API_KEY: &str = "JUMPCLOUD_API_KEY";
/// Environment variable holding the organization id read by [`Client::from_env`].
const ENV_ORG_ID: &str = "JUMPCLOUD_ORG_ID";
/// Environment variable holding the region read by [`Client::from_env`].
const ENV_REGION: &str = "JUMPCLOUD_REGION";

const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// The default of [`ClientBuilder::max_response_bytes`]: 64 MiB.
const DEFAULT_MAX_RESPONSE_BYTES: u64 = 64 << 20;

/// The user agent product token of this crate, e.g. `jumpcloud-core/0.1.0`.
const USER_AGENT: &str = concat!(env!("CARGO_PKG_NAME"), "/", env!("CARGO_PKG_VERSION"));

/// A configured JumpCloud client, shared by the v1, v2 and Directory Insights operations.
///
/// Cloning is cheap (one reference count) and clones share the connection pool, so build one
/// client per set of credentials and pass clones around.
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) http: reqwest::Client,
    /// Base URL per [`Api`], without a trailing slash.
    pub(crate) bases: [String; 3],
    pub(crate) auth: Auth,
    pub(crate) org_id: Option<HeaderValue>,
    pub(crate) retry: RetryPolicy,
    region: Option<Region>,
    pub(crate) timeout: Duration,
    connect_timeout: Duration,
    pub(crate) max_response_bytes: u64,
    user_agent: String,
}

impl Inner {
    pub(crate) fn base(&self, api: Api) -> &str {
        &self.bases[api.index()]
    }
}

impl Client {
    /// Starts configuring a client.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::new()
    }

    /// A client configured from `JUMPCLOUD_API_KEY` (required), `JUMPCLOUD_ORG_ID` and
    /// `JUMPCLOUD_REGION` (`us`, `eu` or `in`; US when unset). Empty variables count as unset.
    pub fn from_env() -> Result<Client, Error> {
        ClientBuilder::from_env()?.build()
    }

    /// Starts a request for a generated operation; `path` is the operation's path with its
    /// parameters already substituted (see [`encode_path_segment`](crate::encode_path_segment)),
    /// relative to the API's base URL.
    pub fn request(&self, operation: &'static Operation, path: String) -> Request {
        Request::new(
            self.clone(),
            operation.id,
            operation.method.clone(),
            Some(operation.path),
            operation.api,
            path,
        )
    }

    /// Starts a request for an operation the specs do not describe, such as the v1
    /// administrator list (`GET /users`). It goes through the same credentials, organization
    /// header rules, region, retries and error handling as generated operations, and its
    /// responses work with the pagers in [`paginate`](crate::paginate).
    ///
    /// `path` is relative to the API's base URL (`/users` for `.../api/users`); a missing
    /// leading `/` is added. Percent-encode its variable parts with
    /// [`encode_path_segment`](crate::encode_path_segment).
    pub fn raw(&self, method: http::Method, api: Api, path: impl Into<String>) -> Request {
        let mut path = path.into();
        if !path.starts_with('/') {
            path.insert(0, '/');
        }
        Request::new(self.clone(), "raw", method, None, api, path)
    }

    /// The base URL used for `api`, without a trailing slash.
    pub fn base_url(&self, api: Api) -> &str {
        self.inner.base(api)
    }

    /// The organization id sent as `x-org-id`, if one is configured.
    pub fn org_id(&self) -> Option<&str> {
        self.inner.org_id.as_ref().and_then(|v| v.to_str().ok())
    }

    /// The client-wide retry policy.
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.inner.retry
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &self.inner;
        f.debug_struct("Client")
            .field("auth", &inner.auth)
            .field("org_id", &self.org_id())
            .field("region", &inner.region)
            .field("base_urls", &inner.bases)
            .field("timeout", &inner.timeout)
            .field("connect_timeout", &inner.connect_timeout)
            .field("max_response_bytes", &inner.max_response_bytes)
            .field("retry", &inner.retry)
            .field("user_agent", &inner.user_agent)
            .finish_non_exhaustive()
    }
}

/// A secret string that never shows up in `Debug` output.
#[derive(Clone)]
struct Secret(String);

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("\"<redacted>\"")
    }
}

/// A base URL as configured, shown in `Debug` output without any user info (`user:pass@`).
#[derive(Clone)]
struct BaseUrl(String);

impl fmt::Debug for BaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&without_user_info(&self.0), f)
    }
}

/// Configuration of a [`Client`]; see [`Client::builder`].
///
/// Setters only record values; everything is checked in [`build`](ClientBuilder::build), which
/// reports the first problem as [`Error::Config`].
#[derive(Clone, Debug)]
pub struct ClientBuilder {
    api_key: Option<Secret>,
    system_context: Option<SystemContext>,
    org_id: Option<String>,
    region: Region,
    base_urls: [Option<BaseUrl>; 3],
    timeout: Duration,
    connect_timeout: Duration,
    max_response_bytes: u64,
    retry: RetryPolicy,
    user_agent: Option<String>,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl ClientBuilder {
    /// A builder with the defaults: US region, 60 s per attempt, 10 s to connect, responses
    /// of up to 64 MiB, [`RetryPolicy::default`], and no credentials yet.
    pub fn new() -> Self {
        ClientBuilder {
            api_key: None,
            system_context: None,
            org_id: None,
            region: Region::Us,
            base_urls: [None, None, None],
            timeout: DEFAULT_TIMEOUT,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            retry: RetryPolicy::default(),
            user_agent: None,
        }
    }

    /// A builder filled from `JUMPCLOUD_API_KEY` (required), `JUMPCLOUD_ORG_ID` and
    /// `JUMPCLOUD_REGION`, which can be adjusted further before [`build`](Self::build).
    pub fn from_env() -> Result<Self, Error> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// [`from_env`](Self::from_env) over any source of variables, so that it can be tested
    /// without touching the process environment.
    fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, Error> {
        let get = |name: &str| lookup(name).filter(|value| !value.trim().is_empty());
        let api_key =
            get(ENV_API_KEY).ok_or_else(|| Error::config(format!("{ENV_API_KEY} is not set")))?;
        let mut builder = ClientBuilder::new().api_key(api_key.trim());
        if let Some(org_id) = get(ENV_ORG_ID) {
            builder = builder.org_id(org_id.trim());
        }
        if let Some(region) = get(ENV_REGION) {
            let region = region
                .parse()
                .map_err(|e: Error| Error::config(format!("{ENV_REGION}: {e}")))?;
            builder = builder.region(region);
        }
        Ok(builder)
    }

    /// Authenticates with an administrator API key, sent as `x-api-key`.
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.api_key = Some(Secret(key.into()));
        self
    }

    /// Authenticates as a device with System Context signatures instead of an API key.
    pub fn system_context(mut self, context: SystemContext) -> Self {
        self.system_context = Some(context);
        self
    }

    /// The organization every call acts on, sent as `x-org-id` except on the provider-level
    /// paths of [`ORG_ID_EXEMPT_PATHS`](crate::ORG_ID_EXEMPT_PATHS). Required with a
    /// multi-tenant (MSP) API key; harmless with a single-organization key.
    ///
    /// Limitation: one organization per client. Directory Insights can query several at once
    /// with repeated `x-org-id` headers; that needs a raw request and one client per org.
    pub fn org_id(mut self, org_id: impl Into<String>) -> Self {
        self.org_id = Some(org_id.into());
        self
    }

    /// The region whose hosts serve all three APIs; US by default.
    pub fn region(mut self, region: Region) -> Self {
        self.region = region;
        self
    }

    /// Overrides the base URL of one API (a proxy, a mock server in tests). Paths are appended
    /// to it, so `http://127.0.0.1:8080/api/v2` with `/usergroups` requests
    /// `http://127.0.0.1:8080/api/v2/usergroups`; a trailing slash makes no difference.
    pub fn base_url(mut self, api: Api, url: impl Into<String>) -> Self {
        self.base_urls[api.index()] = Some(BaseUrl(url.into()));
        self
    }

    /// The limit for one attempt, from sending the request to reading the whole body. Retries
    /// get a fresh limit each; [`RetryPolicy::max_elapsed`] bounds the total.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The limit for establishing a connection (TCP and TLS).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// The largest response body read, in bytes; 64 MiB by default. A longer body (by its
    /// `Content-Length` or by the bytes actually received) fails the call with
    /// [`Error::ResponseTooLarge`], which is not retried. Bodies are held in memory whole, so
    /// this bounds what one call can take from a misbehaving server or proxy.
    pub fn max_response_bytes(mut self, limit: u64) -> Self {
        self.max_response_bytes = limit;
        self
    }

    /// The client-wide retry policy; see [`RetryPolicy`].
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Names the application in the `User-Agent` header, before this crate's own token:
    /// `my-app/1.2 jumpcloud-core/0.1.0`.
    pub fn user_agent(mut self, product: impl Into<String>) -> Self {
        self.user_agent = Some(product.into());
        self
    }

    /// Checks the configuration and builds the client.
    pub fn build(self) -> Result<Client, Error> {
        let auth = match (self.api_key, self.system_context) {
            (Some(_), Some(_)) => {
                return Err(Error::config(
                    "both an API key and a System Context are configured; choose one",
                ));
            }
            (None, None) => {
                return Err(Error::config(
                    "no credentials: set an API key (ClientBuilder::api_key, \
                     JUMPCLOUD_API_KEY) or a System Context",
                ));
            }
            (Some(key), None) => {
                if key.0.trim().is_empty() {
                    return Err(Error::config("the API key is empty"));
                }
                // The message must not repeat the key, which is the point of the check.
                let mut value = HeaderValue::from_str(&key.0).map_err(|_| {
                    Error::config("the API key contains characters not allowed in an HTTP header")
                })?;
                value.set_sensitive(true);
                Auth::ApiKey(value)
            }
            (None, Some(context)) => Auth::SystemContext(context),
        };

        let org_id = match self.org_id {
            None => None,
            Some(id) if id.trim().is_empty() => {
                return Err(Error::config("the organization id is empty"));
            }
            Some(id) => Some(HeaderValue::from_str(&id).map_err(|_| {
                Error::config(format!(
                    "organization id {id:?} contains characters not allowed in an HTTP header"
                ))
            })?),
        };

        let mut bases: [String; 3] = Default::default();
        for api in Api::ALL {
            let base = match &self.base_urls[api.index()] {
                Some(custom) => check_base_url(api, &custom.0)?,
                None => self.region.base_url(api).to_owned(),
            };
            bases[api.index()] = base;
        }
        let region = self
            .base_urls
            .iter()
            .all(Option::is_none)
            .then_some(self.region);

        let user_agent = match &self.user_agent {
            Some(product) if !product.trim().is_empty() => {
                format!("{} {USER_AGENT}", product.trim())
            }
            _ => USER_AGENT.to_owned(),
        };

        let http = http_client(self.timeout, self.connect_timeout, &user_agent)?;

        Ok(Client {
            inner: Arc::new(Inner {
                http,
                bases,
                auth,
                org_id,
                retry: self.retry,
                region,
                timeout: self.timeout,
                connect_timeout: self.connect_timeout,
                max_response_bytes: self.max_response_bytes,
                user_agent,
            }),
        })
    }
}

fn check_base_url(api: Api, raw: &str) -> Result<String, Error> {
    // Messages show the URL without user info: a password there is as secret as the key.
    let shown = without_user_info(raw);
    let url = Url::parse(raw.trim())
        .map_err(|e| Error::config(format!("base URL for {api} ({shown:?}): {e}")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(Error::config(format!(
            "base URL for {api} ({shown:?}) must be http or https"
        )));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Error::config(format!(
            "base URL for {api} ({shown:?}) must not embed credentials"
        )));
    }
    if url.cannot_be_a_base() || url.query().is_some() || url.fragment().is_some() {
        return Err(Error::config(format!(
            "base URL for {api} ({shown:?}) must not have a query or fragment"
        )));
    }
    // Paths are appended as strings; a single trailing slash would double up with theirs.
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

/// `raw` with any user info (`user:pass@`) before the host replaced by `***@`, for messages
/// about URLs that may not even parse. Everything up to the last `@` of the authority (or, with
/// no `//`, of the part before the first `/`) counts as user info, as URL parsers read it.
fn without_user_info(raw: &str) -> String {
    let authority_start = raw.find("//").map_or(0, |i| i + 2);
    let rest = &raw[authority_start..];
    let authority_end = rest.find(['/', '\\', '?', '#']).unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => format!("{}***{}", &raw[..authority_start], &rest[at..]),
        None => raw.to_owned(),
    }
}

fn http_client(
    timeout: Duration,
    connect_timeout: Duration,
    user_agent: &str,
) -> Result<reqwest::Client, Error> {
    let builder = reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(connect_timeout)
        .user_agent(user_agent)
        // `x-api-key` is not one of the headers reqwest strips on a cross-host redirect, so
        // following redirects could hand the key to another host. JumpCloud's APIs do not
        // redirect; a 3xx surfaces as an API error instead.
        .redirect(reqwest::redirect::Policy::none());
    let builder = tls(builder)?;
    builder
        .build()
        .map_err(|e| Error::config(format!("cannot build the HTTP client: {e}")))
}

#[cfg(feature = "native-tls")]
fn tls(builder: reqwest::ClientBuilder) -> Result<reqwest::ClientBuilder, Error> {
    Ok(builder.tls_backend_native())
}

#[cfg(all(feature = "rustls", not(feature = "native-tls")))]
fn tls(builder: reqwest::ClientBuilder) -> Result<reqwest::ClientBuilder, Error> {
    use rustls_platform_verifier::BuilderVerifierExt;

    // An explicit provider rather than rustls' process-wide default: a library must not
    // install process state, and reqwest panics when no default is installed.
    // Limitation: the same panic awaits any other reqwest client in the build that relies on
    // reqwest's TLS defaults without a TLS feature of its own (features unify); see README.
    // Such applications install a default provider or use the `rustls-aws-lc` feature.
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::config(format!("TLS configuration: {e}")))?
        .with_platform_verifier()
        .map_err(|e| Error::config(format!("TLS certificate verifier: {e}")))?
        .with_no_client_auth();
    Ok(builder.tls_backend_preconfigured(config))
}

#[cfg(all(
    feature = "rustls-aws-lc",
    not(feature = "rustls"),
    not(feature = "native-tls")
))]
fn tls(builder: reqwest::ClientBuilder) -> Result<reqwest::ClientBuilder, Error> {
    // reqwest's own rustls setup, with aws-lc-rs and the platform verifier.
    Ok(builder)
}

#[cfg(not(any(feature = "rustls", feature = "rustls-aws-lc", feature = "native-tls")))]
fn tls(builder: reqwest::ClientBuilder) -> Result<reqwest::ClientBuilder, Error> {
    // Limitation: without a TLS feature only plain-HTTP base URLs (a local proxy, a mock
    // server) work; https requests fail at connect time.
    Ok(builder)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn lookup(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |name| map.get(name).cloned()
    }

    #[test]
    fn env_reads_key_org_and_region() {
        let builder = ClientBuilder::from_lookup(lookup(&[
            ("JUMPCLOUD_API_KEY", "k-123"),
            ("JUMPCLOUD_ORG_ID", "org-1"),
            ("JUMPCLOUD_REGION", "EU"),
        ]))
        .unwrap();
        let client = builder.build().unwrap();
        assert_eq!(client.org_id(), Some("org-1"));
        assert_eq!(
            client.base_url(Api::Insights),
            "https://api.eu.jumpcloud.com/insights/directory/v1"
        );
        assert_eq!(
            client.base_url(Api::V1),
            "https://console.eu.jumpcloud.com/api"
        );
    }

    #[test]
    fn env_requires_a_key_and_a_known_region() {
        let err = ClientBuilder::from_lookup(lookup(&[("JUMPCLOUD_API_KEY", " ")])).unwrap_err();
        assert!(err.to_string().contains("JUMPCLOUD_API_KEY"), "{err}");
        let err = ClientBuilder::from_lookup(lookup(&[
            ("JUMPCLOUD_API_KEY", "k"),
            ("JUMPCLOUD_REGION", "mars"),
        ]))
        .unwrap_err();
        assert!(err.to_string().contains("JUMPCLOUD_REGION"), "{err}");
        assert!(err.to_string().contains("mars"), "{err}");
    }

    #[test]
    fn user_info_is_hidden() {
        assert_eq!(
            without_user_info("http://u:pw@h:1/p@x"),
            "http://***@h:1/p@x"
        );
        assert_eq!(without_user_info("http://a@b@h"), "http://***@h");
        assert_eq!(without_user_info("u:pw@h"), "***@h");
        assert_eq!(without_user_info("http://h/a@b"), "http://h/a@b");
        assert_eq!(without_user_info("https://h"), "https://h");
        assert_eq!(without_user_info(""), "");
    }

    #[test]
    fn env_without_org_or_region_defaults_to_us() {
        let client = ClientBuilder::from_lookup(lookup(&[("JUMPCLOUD_API_KEY", "k")]))
            .unwrap()
            .build()
            .unwrap();
        assert_eq!(client.org_id(), None);
        assert_eq!(
            client.base_url(Api::V2),
            "https://console.jumpcloud.com/api/v2"
        );
    }
}
