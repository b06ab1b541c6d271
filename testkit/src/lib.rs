//! Test support shared by the workspace's crates: a small scripted HTTP/1.1 server on
//! 127.0.0.1 that stands in for JumpCloud, and the recorded cases of `../shared/cases`.
//!
//! The server records every request exactly as received (raw request target included) and
//! answers from a handler, so tests can assert both what was sent and in which order. It only
//! ever listens on loopback. Test code only: it panics on misuse instead of returning errors.
#![allow(missing_docs, clippy::missing_panics_doc)]

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// A request as the server received it.
#[derive(Clone, Debug)]
pub struct Recorded {
    pub method: String,
    /// The request target as sent: path and query, still percent-encoded.
    pub target: String,
    /// Header names lowercased, in the order received.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Recorded {
    pub fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or_default()
    }

    /// The raw query string, without `?`.
    pub fn query(&self) -> &str {
        self.target.split_once('?').map(|(_, q)| q).unwrap_or("")
    }

    /// Decoded query pairs in order.
    pub fn query_pairs(&self) -> Vec<(String, String)> {
        url::form_urlencoded::parse(self.query().as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect()
    }

    pub fn query_param(&self, name: &str) -> Option<String> {
        self.query_pairs()
            .into_iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v)
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn header_count(&self, name: &str) -> usize {
        let name = name.to_ascii_lowercase();
        self.headers.iter().filter(|(k, _)| *k == name).count()
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("request body is JSON")
    }
}

/// What the server does with one request.
#[derive(Clone, Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub delay: Option<Duration>,
    /// Close the connection instead of answering.
    pub drop_connection: bool,
}

impl Reply {
    pub fn status(status: u16) -> Reply {
        Reply {
            status,
            headers: Vec::new(),
            body: Vec::new(),
            delay: None,
            drop_connection: false,
        }
    }

    pub fn json(status: u16, body: &serde_json::Value) -> Reply {
        Reply::status(status)
            .header("content-type", "application/json")
            .body(serde_json::to_vec(body).unwrap())
    }

    pub fn text(status: u16, content_type: &str, body: &str) -> Reply {
        Reply::status(status)
            .header("content-type", content_type)
            .body(body.as_bytes().to_vec())
    }

    pub fn drop_connection() -> Reply {
        Reply {
            drop_connection: true,
            ..Reply::status(0)
        }
    }

    pub fn header(mut self, name: &str, value: &str) -> Reply {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    pub fn body(mut self, body: Vec<u8>) -> Reply {
        self.body = body;
        self
    }

    pub fn delay(mut self, delay: Duration) -> Reply {
        self.delay = Some(delay);
        self
    }

    /// The response recorded in a case file (`status`, `headers`, `body`).
    pub fn from_case(response: &serde_json::Value) -> Reply {
        let status = response["status"].as_u64().expect("status") as u16;
        let mut reply = Reply::status(status);
        if let Some(headers) = response["headers"].as_object() {
            for (name, value) in headers {
                reply = reply.header(name, value.as_str().expect("header value"));
            }
        }
        reply.body = match &response["body"] {
            serde_json::Value::Null => Vec::new(),
            serde_json::Value::String(text) => text.as_bytes().to_vec(),
            other => serde_json::to_vec(other).unwrap(),
        };
        reply
    }
}

type Handler = Box<dyn FnMut(&Recorded) -> Reply + Send>;

struct State {
    requests: Vec<Recorded>,
    connections: usize,
    handler: Handler,
}

pub struct MockServer {
    addr: SocketAddr,
    state: Arc<Mutex<State>>,
}

impl MockServer {
    /// Serves with `handler` until the runtime shuts down.
    pub async fn start(handler: impl FnMut(&Recorded) -> Reply + Send + 'static) -> MockServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        Self::serve(listener, handler)
    }

    /// Serves on an already bound listener.
    pub fn serve(
        listener: TcpListener,
        handler: impl FnMut(&Recorded) -> Reply + Send + 'static,
    ) -> MockServer {
        let addr = listener.local_addr().unwrap();
        let state = Arc::new(Mutex::new(State {
            requests: Vec::new(),
            connections: 0,
            handler: Box::new(handler),
        }));
        let accept_state = state.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                accept_state.lock().unwrap().connections += 1;
                tokio::spawn(connection(stream, accept_state.clone()));
            }
        });
        MockServer { addr, state }
    }

    /// Answers with `replies` in order, then with 599 to make an unexpected request obvious.
    pub async fn sequence(replies: Vec<Reply>) -> MockServer {
        let mut queue: VecDeque<Reply> = replies.into();
        MockServer::start(move |_| {
            queue.pop_front().unwrap_or_else(|| {
                Reply::text(
                    599,
                    "text/plain",
                    "mock: no reply scripted for this request",
                )
            })
        })
        .await
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.state.lock().unwrap().requests.clone()
    }

    pub fn connections(&self) -> usize {
        self.state.lock().unwrap().connections
    }

    /// A client builder whose three base URLs point at this server, under the same paths as
    /// JumpCloud's (`/api`, `/api/v2`, `/insights/directory/v1`).
    pub fn builder(&self) -> jumpcloud_core::ClientBuilder {
        use jumpcloud_core::Api;
        jumpcloud_core::Client::builder()
            .api_key(TEST_KEY)
            .base_url(Api::V1, format!("{}/api", self.url()))
            .base_url(Api::V2, format!("{}/api/v2/", self.url()))
            .base_url(
                Api::Insights,
                format!("{}/insights/directory/v1", self.url()),
            )
    }
}

/// A recognizable fake key, so that tests can look for it where it must not appear.
pub const TEST_KEY: &str = "sk-TEST-5ecret-9f8e7d6c5b4a";

async fn connection(mut stream: TcpStream, state: Arc<Mutex<State>>) {
    let mut buffer = Vec::new();
    loop {
        let Some(request) = read_request(&mut stream, &mut buffer).await else {
            return;
        };
        let reply = {
            let mut state = state.lock().unwrap();
            state.requests.push(request.clone());
            (state.handler)(&request)
        };
        if let Some(delay) = reply.delay {
            tokio::time::sleep(delay).await;
        }
        if reply.drop_connection {
            return;
        }
        let mut head = format!("HTTP/1.1 {} Mock\r\n", reply.status);
        for (name, value) in &reply.headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str(&format!("content-length: {}\r\n\r\n", reply.body.len()));
        let mut bytes = head.into_bytes();
        bytes.extend_from_slice(&reply.body);
        if stream.write_all(&bytes).await.is_err() {
            return;
        }
    }
}

async fn read_request(stream: &mut TcpStream, buffer: &mut Vec<u8>) -> Option<Recorded> {
    let head_end = loop {
        if let Some(pos) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break pos;
        }
        let mut chunk = [0u8; 8192];
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8(buffer[..head_end].to_vec()).ok()?;
    let mut lines = head.split("\r\n");
    let mut request_line = lines.next()?.split(' ');
    let method = request_line.next()?.to_owned();
    let target = request_line.next()?.to_owned();
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let length: usize = headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let body_start = head_end + 4;
    while buffer.len() < body_start + length {
        let mut chunk = [0u8; 8192];
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..n]);
    }
    let body = buffer[body_start..body_start + length].to_vec();
    buffer.drain(..body_start + length);
    Some(Recorded {
        method,
        target,
        headers,
        body,
    })
}

/// A recorded case from `../shared/cases`, read at test time.
pub fn case(id: &str) -> serde_json::Value {
    let path = cases_dir().join(format!("{id}.json"));
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read case {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

/// The shared data directory: `$SHARED_DIR` when set (CI exports it), else `../shared` beside
/// the workspace.
pub fn shared_dir() -> PathBuf {
    match std::env::var_os("SHARED_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared"),
    }
}

fn cases_dir() -> PathBuf {
    shared_dir().join("cases")
}

/// Retries as the default policy makes them (attempts, statuses, methods), with waits short
/// enough for a test.
pub fn quick_retries() -> jumpcloud_core::RetryPolicy {
    jumpcloud_core::RetryPolicy::new()
        .initial_backoff(Duration::from_millis(1))
        .max_backoff(Duration::from_millis(4))
}

/// The reply to a request a test did not script: a status no real API sends, naming it.
pub fn unexpected(request: &Recorded) -> Reply {
    Reply::text(
        599,
        "text/plain",
        &format!("mock: unexpected request {} {}", request.method, request.target),
    )
}

/// The decoded query pairs of a request, sorted.
pub fn sorted_query(request: &Recorded) -> Vec<(String, String)> {
    let mut pairs = request.query_pairs();
    pairs.sort();
    pairs
}

/// Method, path and API key of a request.
#[track_caller]
pub fn assert_request(request: &Recorded, method: &str, path: &str) {
    assert_eq!(request.method, method, "method of {}", request.target);
    assert_eq!(request.path(), path, "path of {}", request.target);
    assert_eq!(request.header("x-api-key"), Some(TEST_KEY), "API key on {}", request.target);
}

/// No body and no content type (GET, DELETE and bodiless calls).
#[track_caller]
pub fn assert_no_body(request: &Recorded) {
    assert!(
        request.body.is_empty(),
        "unexpected body on {}: {:?}",
        request.target,
        String::from_utf8_lossy(&request.body)
    );
    assert_eq!(request.header("content-type"), None, "{}", request.target);
}

/// A JSON body equal to `expected`, sent as JSON.
#[track_caller]
pub fn assert_json_body(request: &Recorded, expected: &serde_json::Value) {
    let content_type = request.header("content-type").unwrap_or_default();
    assert!(
        content_type.starts_with("application/json"),
        "content type {content_type:?} on {}",
        request.target
    );
    assert_eq!(&request.json(), expected, "body of {}", request.target);
}

/// A value as JSON, to compare what a type serializes to.
pub fn json_of<T: serde::Serialize>(value: &T) -> serde_json::Value {
    serde_json::to_value(value).expect("serialize")
}

/// The query of a case's request, sorted.
pub fn case_query(case: &serde_json::Value) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = case["request"]["query"]
        .as_object()
        .map(|query| {
            query
                .iter()
                .map(|(k, v)| (k.clone(), v.as_str().expect("query value").to_owned()))
                .collect()
        })
        .unwrap_or_default();
    pairs.sort();
    pairs
}

/// One integer query parameter of a case's request.
pub fn case_query_value(case: &serde_json::Value, name: &str) -> i64 {
    case["request"]["query"][name]
        .as_str()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("query parameter {name} in the case"))
}

/// The workspace README's Rust examples, compiled as doctests so that they stay true.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeExamples;
