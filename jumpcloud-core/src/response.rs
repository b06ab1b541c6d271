//! Successful responses and their decoding by content type.

use std::ops::{Deref, DerefMut};

use bytes::Bytes;
use http::header::CONTENT_TYPE;
use http::{HeaderMap, StatusCode};
use serde::de::DeserializeOwned;

use crate::error::{DecodeError, Error};

/// A decoded response body together with the response's status and headers.
///
/// It dereferences to the body, so `response.len()` works on a list; headers stay available
/// for what the specs leave undeclared (`x-total-count`, `X-Search_after`, `X-Request-Id`).
#[derive(Clone, Debug)]
pub struct ResponseValue<T> {
    inner: T,
    status: StatusCode,
    headers: HeaderMap,
}

impl<T> ResponseValue<T> {
    /// Wraps a value; mostly for tests and mock implementations.
    pub fn new(inner: T, status: StatusCode, headers: HeaderMap) -> Self {
        ResponseValue {
            inner,
            status,
            headers,
        }
    }

    /// The body, dropping status and headers.
    pub fn into_inner(self) -> T {
        self.inner
    }

    /// The body, status and headers.
    pub fn into_parts(self) -> (T, StatusCode, HeaderMap) {
        (self.inner, self.status, self.headers)
    }

    /// The HTTP status (some 2xx).
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The response headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// One header as text, if present and valid text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Transforms the body, keeping status and headers.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> ResponseValue<U> {
        ResponseValue {
            inner: f(self.inner),
            status: self.status,
            headers: self.headers,
        }
    }
}

impl<T> Deref for ResponseValue<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.inner
    }
}

impl<T> DerefMut for ResponseValue<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.inner
    }
}

/// A body kept as bytes, with the content type it came with: reports that may be CSV or
/// JSON, images, anything the caller interprets itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Binary {
    /// The response's `Content-Type`, if it had one.
    pub content_type: Option<String>,
    /// The body.
    pub bytes: Bytes,
}

impl Binary {
    /// Whether the content type is JSON (`application/json` or `*/*+json`).
    pub fn is_json(&self) -> bool {
        self.content_type.as_deref().map(classify) == Some(Kind::Json)
    }

    /// Decodes the bytes as JSON; the error names the JSON path that failed.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, Error> {
        decode_json("binary body", StatusCode::OK, &self.bytes)
    }
}

/// A successful (2xx) response with its body read, waiting to be decoded.
///
/// Generated operations pick the decoder their spec calls for: [`json`](Self::json),
/// [`text`](Self::text), [`bytes`](Self::bytes) or [`empty`](Self::empty).
#[derive(Debug)]
pub struct Response {
    operation: &'static str,
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
}

impl Response {
    pub(crate) fn new(
        operation: &'static str,
        status: StatusCode,
        headers: HeaderMap,
        body: Bytes,
    ) -> Response {
        Response {
            operation,
            status,
            headers,
            body,
        }
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The response headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The raw body.
    pub fn body(&self) -> &Bytes {
        &self.body
    }

    fn content_type(&self) -> Option<&str> {
        self.headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok())
    }

    /// Decodes a JSON body.
    ///
    /// An empty body decodes as JSON `null`, so `()` and `Option<T>` accept it and other types
    /// report it. A `text/*` body that is not JSON is offered to `T` as a JSON string, which
    /// lets a `String` result survive a server that labels it `text/plain`. Errors name the
    /// JSON path where decoding failed.
    pub fn json<T: DeserializeOwned>(self) -> Result<ResponseValue<T>, Error> {
        let value = if self.body.iter().all(u8::is_ascii_whitespace) {
            serde_json::from_str::<T>("null").map_err(|_| {
                Error::Decode(Box::new(DecodeError::new(
                    self.operation,
                    self.status,
                    ".",
                    "the body is empty but a value was expected",
                    &self.body,
                )))
            })?
        } else {
            match decode_json(self.operation, self.status, &self.body) {
                Ok(value) => value,
                Err(error) => {
                    let text_fallback = self
                        .content_type()
                        .is_some_and(|ct| classify(ct) == Kind::Text)
                        .then(|| std::str::from_utf8(&self.body).ok())
                        .flatten()
                        .and_then(|text| {
                            T::deserialize(serde_json::Value::String(text.to_owned())).ok()
                        });
                    match text_fallback {
                        Some(value) => value,
                        None => return Err(self.with_content_type_note(error)),
                    }
                }
            }
        };
        Ok(ResponseValue::new(value, self.status, self.headers))
    }

    /// Adds the content type to a decode error when it explains the failure (an HTML page
    /// from a proxy where JSON was expected).
    fn with_content_type_note(&self, error: Error) -> Error {
        match (error, self.content_type()) {
            (Error::Decode(mut decode), Some(ct)) if classify(ct) != Kind::Json => {
                decode.message = format!("{} (the response is {ct}, not JSON)", decode.message);
                Error::Decode(decode)
            }
            (error, _) => error,
        }
    }

    /// The body as text; it must be valid UTF-8.
    pub fn text(self) -> Result<ResponseValue<String>, Error> {
        match String::from_utf8(self.body.to_vec()) {
            Ok(text) => Ok(ResponseValue::new(text, self.status, self.headers)),
            Err(e) => Err(Error::Decode(Box::new(DecodeError::new(
                self.operation,
                self.status,
                ".",
                format!(
                    "the body is not valid UTF-8 (at byte {})",
                    e.utf8_error().valid_up_to()
                ),
                &self.body,
            )))),
        }
    }

    /// The body as bytes with its content type; never fails.
    pub fn bytes(self) -> Result<ResponseValue<Binary>, Error> {
        let content_type = self.content_type().map(str::to_owned);
        let binary = Binary {
            content_type,
            bytes: self.body,
        };
        Ok(ResponseValue::new(binary, self.status, self.headers))
    }

    /// For operations that declare no body: whatever the server sent (usually nothing or
    /// `null`) is ignored, so that a server starting to return something does not break the
    /// call.
    pub fn empty(self) -> Result<ResponseValue<()>, Error> {
        Ok(ResponseValue::new((), self.status, self.headers))
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Json,
    Text,
    Other,
}

fn classify(content_type: &str) -> Kind {
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    if essence == "application/json" || essence.ends_with("+json") {
        Kind::Json
    } else if essence.starts_with("text/") {
        Kind::Text
    } else {
        Kind::Other
    }
}

/// Decodes with plain serde_json first, which is fastest, and only on failure decodes again
/// with path tracking to say where it failed.
pub(crate) fn decode_json<T: DeserializeOwned>(
    operation: &'static str,
    status: StatusCode,
    body: &[u8],
) -> Result<T, Error> {
    match serde_json::from_slice(body) {
        Ok(value) => Ok(value),
        Err(plain) => {
            let mut deserializer = serde_json::Deserializer::from_slice(body);
            let (path, message) = match serde_path_to_error::deserialize::<_, T>(&mut deserializer)
            {
                Err(tracked) => (tracked.path().to_string(), tracked.into_inner().to_string()),
                // Only trailing characters fail the plain decoder but not this one.
                Ok(_) => (".".to_owned(), plain.to_string()),
            };
            Err(Error::Decode(Box::new(DecodeError::new(
                operation, status, path, message, body,
            ))))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_types_classify() {
        assert_eq!(classify("application/json; charset=utf-8"), Kind::Json);
        assert_eq!(classify("application/problem+json"), Kind::Json);
        assert_eq!(classify("Text/CSV"), Kind::Text);
        assert_eq!(classify("application/octet-stream"), Kind::Other);
    }
}
