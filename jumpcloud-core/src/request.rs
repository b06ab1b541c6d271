//! One call: what generated operations fill in, and the send loop with retries and tracing.

use std::fmt::Display;
use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;
use http::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, DATE};
use http::{HeaderMap, HeaderName, HeaderValue, Method};
use serde::Serialize;
use tracing::Instrument as _;

use crate::auth::Auth;
use crate::client::{Api, Client};
use crate::encoding::{check_path, push_query_pair};
use crate::error::{ApiError, Error};
use crate::multipart::Form;
use crate::org::sends_org_id;
use crate::response::Response;
use crate::retry::{RetryPolicy, retry_after, retryable_status};

/// The static description of a generated operation.
///
/// Generated code keeps one per operation in a `static`, so every field is a constant.
#[derive(Debug)]
pub struct Operation {
    /// The spec's `operationId`, used in errors and traces.
    pub id: &'static str,
    /// The HTTP method.
    pub method: Method,
    /// The path template as the spec writes it, e.g. `/systemgroups/{group_id}/members`; used
    /// in traces, where it groups calls better than the concrete path.
    pub path: &'static str,
    /// The API whose base URL the path is relative to.
    pub api: Api,
}

const X_API_KEY: HeaderName = HeaderName::from_static("x-api-key");
const X_ORG_ID: HeaderName = HeaderName::from_static("x-org-id");
const APPLICATION_JSON: HeaderValue = HeaderValue::from_static("application/json");

/// A request being prepared: parameters, headers and body, then [`send`](Request::send).
///
/// Made by [`Client::request`] for generated operations and by [`Client::raw`] for anything
/// else. Setters take `&mut self`, so prepare it in a `let mut` binding and finish with
/// `send`.
#[derive(Debug)]
pub struct Request {
    client: Client,
    operation: &'static str,
    method: Method,
    template: Option<&'static str>,
    api: Api,
    path: String,
    query: String,
    headers: HeaderMap,
    body: Option<(HeaderValue, Bytes)>,
    timeout: Option<Duration>,
    retry: Option<RetryPolicy>,
    idempotent: Option<bool>,
    org_id: bool,
    /// A problem found by a setter that has no `Result` to report it in; `send` returns it.
    deferred: Option<Error>,
}

impl Request {
    pub(crate) fn new(
        client: Client,
        operation: &'static str,
        method: Method,
        template: Option<&'static str>,
        api: Api,
        path: String,
    ) -> Request {
        Request {
            client,
            operation,
            method,
            template,
            api,
            path,
            query: String::new(),
            headers: HeaderMap::new(),
            body: None,
            timeout: None,
            retry: None,
            idempotent: None,
            org_id: true,
            deferred: None,
        }
    }

    /// Adds a query parameter. Call it once per value for arrays: JumpCloud wants repeated
    /// keys (`filter=a&filter=b`), never a comma-joined or indexed list.
    pub fn query<V: Display + ?Sized>(&mut self, name: &str, value: &V) -> &mut Self {
        push_query_pair(&mut self.query, name, value);
        self
    }

    /// Adds one query parameter holding every value joined by commas, for the parameters a spec
    /// declares with `explode: false` (`fields=name,email`). Nothing is added for no values.
    pub fn query_joined<V: Display>(&mut self, name: &str, values: &[V]) -> &mut Self {
        if !values.is_empty() {
            let joined = values.iter().map(ToString::to_string).collect::<Vec<_>>().join(",");
            push_query_pair(&mut self.query, name, &joined);
        }
        self
    }

    /// Adds a query parameter whose value is an object or array, serialized as JSON text.
    pub fn query_json<V: Serialize + ?Sized>(
        &mut self,
        name: &str,
        value: &V,
    ) -> Result<&mut Self, Error> {
        let text = serde_json::to_string(value)
            .map_err(|e| Error::invalid(self.operation, name, e.to_string()))?;
        push_query_pair(&mut self.query, name, &text);
        Ok(self)
    }

    /// Sets a header parameter, replacing any earlier value of the same name (including the
    /// client's `x-org-id`).
    pub fn header<V: Display + ?Sized>(
        &mut self,
        name: &str,
        value: &V,
    ) -> Result<&mut Self, Error> {
        let header = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| Error::invalid(self.operation, name, "not a valid header name"))?;
        let value = HeaderValue::try_from(value.to_string()).map_err(|_| {
            Error::invalid(
                self.operation,
                name,
                "value contains characters not allowed in a header",
            )
        })?;
        self.headers.insert(header, value);
        Ok(self)
    }

    /// Sends `body` as JSON.
    pub fn json<B: Serialize + ?Sized>(&mut self, body: &B) -> Result<&mut Self, Error> {
        let bytes = serde_json::to_vec(body)
            .map_err(|e| Error::invalid(self.operation, "body", e.to_string()))?;
        self.body = Some((APPLICATION_JSON, Bytes::from(bytes)));
        Ok(self)
    }

    /// Sends `bytes` with the given content type. An invalid content type is reported by
    /// [`send`](Self::send).
    pub fn bytes(&mut self, content_type: &str, bytes: impl Into<Bytes>) -> &mut Self {
        match HeaderValue::from_str(content_type) {
            Ok(value) => self.body = Some((value, bytes.into())),
            Err(_) => self.defer(Error::invalid(
                self.operation,
                "Content-Type",
                "not a valid header value",
            )),
        }
        self
    }

    /// Sends a `multipart/form-data` body. A part whose content type is not a valid header
    /// value is reported by [`send`](Self::send).
    pub fn multipart(&mut self, form: Form) -> &mut Self {
        match form.encode() {
            Ok((content_type, body)) => match HeaderValue::try_from(content_type) {
                Ok(value) => self.body = Some((value, body)),
                // The boundary is alphanumeric, so this cannot happen; report it all the same.
                Err(_) => self.defer(Error::invalid(self.operation, "body", "invalid boundary")),
            },
            Err((field, reason)) => self.defer(Error::invalid(self.operation, field, reason)),
        }
        self
    }

    /// Overrides the client's per-attempt timeout for this call.
    pub fn timeout(&mut self, timeout: Duration) -> &mut Self {
        self.timeout = Some(timeout);
        self
    }

    /// Overrides the client's retry policy for this call.
    pub fn retry_policy(&mut self, policy: RetryPolicy) -> &mut Self {
        self.retry = Some(policy);
        self
    }

    /// Declares whether this call is safe to repeat, overriding the method-based default: a
    /// read-only search sent as `POST` may opt in, a `GET` with side effects may opt out.
    pub fn idempotent(&mut self, yes: bool) -> &mut Self {
        self.idempotent = Some(yes);
        self
    }

    /// Leaves the client's `x-org-id` off this call, for provider-level endpoints missing from
    /// [`ORG_ID_EXEMPT_PATHS`](crate::ORG_ID_EXEMPT_PATHS).
    pub fn without_org_id(&mut self) -> &mut Self {
        self.org_id = false;
        self
    }

    fn defer(&mut self, error: Error) {
        if self.deferred.is_none() {
            self.deferred = Some(error);
        }
    }

    /// Sends the request, retrying as the policy allows, and reads the whole response.
    ///
    /// A 2xx answer comes back as a [`Response`] to decode; anything else is an
    /// [`Error::Api`] carrying the status, message, body and request id.
    pub async fn send(self) -> Result<Response, Error> {
        let span = tracing::info_span!(
            "jumpcloud.request",
            operation = self.operation,
            method = %self.method,
            path = self.template.unwrap_or(self.path.as_str()),
            status = tracing::field::Empty,
            attempt = tracing::field::Empty,
            latency_ms = tracing::field::Empty,
        );
        self.send_inner().instrument(span).await
    }

    async fn send_inner(self) -> Result<Response, Error> {
        if let Some(error) = self.deferred {
            return Err(error);
        }
        check_path(&self.path).map_err(|why| Error::invalid(self.operation, "path", why))?;

        let inner = &self.client.inner;
        let mut url_text = String::with_capacity(
            inner.base(self.api).len() + self.path.len() + self.query.len() + 1,
        );
        url_text.push_str(inner.base(self.api));
        url_text.push_str(&self.path);
        if !self.query.is_empty() {
            url_text.push('?');
            url_text.push_str(&self.query);
        }
        let url = url::Url::parse(&url_text)
            .map_err(|e| Error::invalid(self.operation, "path", e.to_string()))?;
        // `check_path` refuses what is known to move a URL elsewhere when parsed (dot segments,
        // backslashes, control characters); this makes sure of it. Bases are stored in their
        // parsed form, so the URL of a path that stayed below its base starts with the base.
        if !url
            .as_str()
            .strip_prefix(inner.base(self.api))
            .is_some_and(|rest| rest.starts_with('/'))
        {
            return Err(Error::invalid(
                self.operation,
                "path",
                "leaves the API's base URL once parsed",
            ));
        }

        let send_org_id = self.org_id && sends_org_id(self.api, &self.path);

        let policy = self.retry.as_ref().unwrap_or(&inner.retry);
        let may_retry = policy.allows_method(&self.method, self.idempotent);
        let span = tracing::Span::current();
        let started = Instant::now();
        let mut attempt: u32 = 0;

        loop {
            attempt += 1;
            span.record("attempt", attempt);

            let mut request = reqwest::Request::new(self.method.clone(), url.clone());
            // Built afresh per attempt rather than cloned: it is the same work, and the
            // common single-attempt call then builds one map instead of two.
            let headers = request.headers_mut();
            headers.reserve(self.headers.len() + 4);
            headers.insert(ACCEPT, APPLICATION_JSON);
            if send_org_id && let Some(org_id) = &inner.org_id {
                headers.insert(X_ORG_ID, org_id.clone());
            }
            if let Auth::ApiKey(key) = &inner.auth {
                headers.insert(X_API_KEY, key.clone());
            }
            if let Some((content_type, _)) = &self.body {
                headers.insert(CONTENT_TYPE, content_type.clone());
            }
            // Operation parameters last, so that a declared header wins over the defaults.
            for (name, value) in &self.headers {
                headers.insert(name, value.clone());
            }
            if let Auth::SystemContext(context) = &inner.auth {
                // Signed per attempt: the Date header is part of the signature and a retry
                // after a long Retry-After would otherwise carry a stale one.
                let target = match url.query() {
                    Some(query) => format!("{}?{query}", url.path()),
                    None => url.path().to_owned(),
                };
                let (date, authorization) = context.headers_now(&self.method, &target)?;
                request.headers_mut().insert(DATE, date);
                request.headers_mut().insert(AUTHORIZATION, authorization);
            }
            if let Some((_, body)) = &self.body {
                *request.body_mut() = Some(body.clone().into());
            }
            if let Some(timeout) = self.timeout {
                *request.timeout_mut() = Some(timeout);
            }

            let attempt_started = Instant::now();
            let outcome = match inner.http.execute(request).await {
                Ok(mut response) => {
                    let status = response.status();
                    let response_headers = std::mem::take(response.headers_mut());
                    // Limitation: the whole body is read before decoding (errors need it, and
                    // so do decode error snippets); there is no streaming download. It is read
                    // chunk by chunk so that `max_response_bytes` bounds the memory it takes.
                    match read_body(&mut response, inner.max_response_bytes).await {
                        Ok(body) => Ok((status, response_headers, body)),
                        Err(BodyError::TooLarge) => {
                            return Err(Error::ResponseTooLarge {
                                operation: self.operation,
                                limit: inner.max_response_bytes,
                            });
                        }
                        Err(BodyError::Read(e)) => Err((e, Phase::Body)),
                    }
                }
                Err(e) => Err((e, Phase::Send)),
            };
            let latency = attempt_started.elapsed();
            span.record("latency_ms", latency.as_millis() as u64);

            let (reason, wait_hint, failure) = match outcome {
                Ok((status, response_headers, body)) => {
                    span.record("status", status.as_u16());
                    tracing::debug!(
                        attempt,
                        status = status.as_u16(),
                        latency_ms = latency.as_millis() as u64,
                        "response"
                    );
                    if status.is_success() {
                        return Ok(Response::new(
                            self.operation,
                            status,
                            response_headers,
                            body,
                        ));
                    }
                    // Limitation: Retry-After is only looked at on statuses that are retried.
                    let wait_hint = retry_after(&response_headers, SystemTime::now());
                    let error = Error::Api(Box::new(ApiError::new(
                        self.operation,
                        status,
                        response_headers,
                        body,
                        attempt,
                        // Only an API key can be multi-tenant; a device belongs to one org.
                        matches!(inner.auth, Auth::ApiKey(_)) && inner.org_id.is_none(),
                    )));
                    if !retryable_status(status) {
                        return Err(error);
                    }
                    (status.to_string(), wait_hint, error)
                }
                Err((e, phase)) => {
                    tracing::debug!(
                        attempt,
                        latency_ms = latency.as_millis() as u64,
                        error = %e,
                        "transport failure"
                    );
                    if e.is_timeout() {
                        return Err(Error::Timeout {
                            operation: self.operation,
                            timeout: self.timeout.unwrap_or(inner.timeout),
                        });
                    }
                    // Connecting, sending and reading the answer can fail for network
                    // reasons worth another attempt; anything else (a request reqwest refuses
                    // to build, say) would fail the same way again. Any failure while reading
                    // the body counts as network trouble: reqwest reports a connection closed
                    // mid-body as a decode error wrapping the incomplete body, not as a body
                    // error.
                    let transient =
                        phase == Phase::Body || e.is_connect() || e.is_request() || e.is_body();
                    let reason = if e.is_connect() {
                        "connection failed"
                    } else {
                        "connection lost"
                    };
                    let error = Error::Transport {
                        operation: self.operation,
                        source: Box::new(e),
                    };
                    if !transient {
                        return Err(error);
                    }
                    (reason.to_owned(), None, error)
                }
            };

            if !may_retry || attempt >= policy.max_attempts {
                return Err(failure);
            }
            let wait = wait_hint.unwrap_or_else(|| policy.backoff(attempt));
            // A wait too long to add to the time spent (a `Retry-After` of u64::MAX seconds)
            // is over any budget.
            let over_budget = started
                .elapsed()
                .checked_add(wait)
                .is_none_or(|end| end > policy.max_elapsed);
            if over_budget {
                tracing::debug!(
                    attempt,
                    wait_ms = wait.as_millis() as u64,
                    "not retrying: the wait would exceed the retry time budget"
                );
                return Err(failure);
            }
            tracing::warn!(
                attempt,
                reason = %reason,
                wait_ms = wait.as_millis() as u64,
                "retrying"
            );
            tokio::time::sleep(wait).await;
        }
    }
}

/// Which step of an attempt a transport error came from.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Connecting, sending the request or reading the response head.
    Send,
    /// Reading the response body, after the status and headers arrived.
    Body,
}

enum BodyError {
    /// The body is longer than the client's `max_response_bytes`.
    TooLarge,
    /// Reading failed (connection lost, timeout, malformed chunking).
    Read(reqwest::Error),
}

/// Reads a whole body, refusing to hold more than `limit` bytes of it.
async fn read_body(response: &mut reqwest::Response, limit: u64) -> Result<Bytes, BodyError> {
    // A declared length over the limit fails before anything is read; a wrong one is caught
    // below, since the count is of bytes actually received.
    if response
        .content_length()
        .is_some_and(|length| length > limit)
    {
        return Err(BodyError::TooLarge);
    }
    let Some(first) = response.chunk().await.map_err(BodyError::Read)? else {
        return Ok(Bytes::new());
    };
    if first.len() as u64 > limit {
        return Err(BodyError::TooLarge);
    }
    let Some(second) = response.chunk().await.map_err(BodyError::Read)? else {
        // The common small body arrives in one chunk: hand it on without copying.
        return Ok(first);
    };
    let mut received = first.len() as u64 + second.len() as u64;
    if received > limit {
        return Err(BodyError::TooLarge);
    }
    // The declared length, when there is one, is at most the limit here.
    let expected = response
        .content_length()
        .and_then(|length| usize::try_from(length).ok())
        .unwrap_or(0);
    let mut body = Vec::with_capacity(expected.max(first.len() + second.len()));
    body.extend_from_slice(&first);
    body.extend_from_slice(&second);
    drop((first, second));
    while let Some(chunk) = response.chunk().await.map_err(BodyError::Read)? {
        received += chunk.len() as u64;
        if received > limit {
            return Err(BodyError::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Bytes::from(body))
}
