//! Credentials: the `x-api-key` header, or System Context request signatures.

use std::fmt;
use std::sync::Arc;
use std::time::SystemTime;

use base64::Engine as _;
use http::{HeaderValue, Method};
use rsa::pkcs1::DecodeRsaPrivateKey as _;
use rsa::pkcs1v15::SigningKey;
use rsa::pkcs8::DecodePrivateKey as _;
use rsa::sha2::Sha256;
use rsa::signature::{SignatureEncoding as _, Signer as _};

use crate::error::Error;

/// How requests prove who they come from.
#[derive(Clone)]
pub(crate) enum Auth {
    /// An administrator API key, already marked sensitive so that `http` hides it too.
    ApiKey(HeaderValue),
    SystemContext(SystemContext),
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Auth::ApiKey(_) => f.write_str("ApiKey(\"<redacted>\")"),
            Auth::SystemContext(context) => f.debug_tuple("SystemContext").field(context).finish(),
        }
    }
}

/// System Context credentials: a device's JumpCloud system id and the agent's RSA private key.
///
/// Each request is signed instead of carrying an API key: it gets a `Date` header and
/// `Authorization: Signature keyId="system/<id>",headers="request-line date",
/// algorithm="rsa-sha256",signature="<base64>"`, where the signature is RSA PKCS#1 v1.5 with
/// SHA-256 over `<METHOD> <path?query> HTTP/1.1\ndate: <date>`. System Context calls can only
/// reach what JumpCloud lets a device see about itself.
///
/// The key is never shown by `Debug`; only the system id is.
#[derive(Clone)]
pub struct SystemContext {
    system_id: String,
    key: Arc<SigningKey<Sha256>>,
}

impl SystemContext {
    /// Loads the private key from PEM text, either PKCS#1 (`BEGIN RSA PRIVATE KEY`, as the
    /// agent writes it) or PKCS#8 (`BEGIN PRIVATE KEY`).
    pub fn from_pem(system_id: impl Into<String>, pem: &str) -> Result<Self, Error> {
        let system_id = system_id.into();
        // The id is written into a quoted header parameter, so it must not be able to close
        // the quotes or start a new header.
        if system_id.is_empty()
            || !system_id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return Err(Error::config(format!(
                "System Context system id {system_id:?} must be a non-empty run of letters, \
                 digits, '-' or '_'"
            )));
        }
        // The decoders' messages describe the ASN.1 structure, never the key material.
        let key = rsa::PrivateKey::from_pkcs1_pem(pem)
            .or_else(|pkcs1| rsa::PrivateKey::from_pkcs8_pem(pem).map_err(|pkcs8| (pkcs1, pkcs8)))
            .map_err(|(pkcs1, pkcs8)| {
                Error::config(format!(
                    "System Context private key is neither PKCS#1 PEM ({pkcs1}) nor PKCS#8 \
                     PEM ({pkcs8})"
                ))
            })?;
        Ok(SystemContext {
            system_id,
            key: Arc::new(SigningKey::new(key)),
        })
    }

    /// The system id the signatures are made for.
    pub fn system_id(&self) -> &str {
        &self.system_id
    }

    /// The exact text that is signed for a request.
    ///
    /// `path_and_query` is the request target as sent, e.g. `/api/systems/abc?fields=os`.
    pub fn signing_string(method: &Method, path_and_query: &str, date: &str) -> String {
        format!("{method} {path_and_query} HTTP/1.1\ndate: {date}")
    }

    /// The `Authorization` header value for a request sent with the given `Date` header.
    pub fn authorization(&self, method: &Method, path_and_query: &str, date: &str) -> String {
        let message = Self::signing_string(method, path_and_query, date);
        let signature = self.key.sign(message.as_bytes()).to_vec();
        let signature = base64::engine::general_purpose::STANDARD.encode(signature);
        format!(
            "Signature keyId=\"system/{}\",headers=\"request-line date\",\
             algorithm=\"rsa-sha256\",signature=\"{signature}\"",
            self.system_id
        )
    }

    /// The `Date` and `Authorization` header values for a request sent now.
    pub(crate) fn headers_now(
        &self,
        method: &Method,
        path_and_query: &str,
    ) -> Result<(HeaderValue, HeaderValue), Error> {
        let date = httpdate::fmt_http_date(SystemTime::now());
        let authorization = self.authorization(method, path_and_query, &date);
        // Both values are built from ASCII only (an HTTP date, a checked id, base64), so the
        // conversions cannot fail in practice; report rather than panic all the same.
        let date = HeaderValue::from_str(&date)
            .map_err(|_| Error::config("System Context: the Date header is not valid"))?;
        let authorization = HeaderValue::from_str(&authorization)
            .map_err(|_| Error::config("System Context: the Authorization header is not valid"))?;
        Ok((date, authorization))
    }
}

impl fmt::Debug for SystemContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SystemContext")
            .field("system_id", &self.system_id)
            .field("private_key", &"<redacted>")
            .finish()
    }
}
