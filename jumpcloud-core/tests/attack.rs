//! Hostile servers and hostile inputs for the runtime. What must hold: typed errors (API,
//! decode with a JSON path, timeout, transport, invalid request, configuration), secrets never
//! printed, retries bounded in attempts and in time, and pagers that end.
//!
//! Every server runs on 127.0.0.1. Servers that would make a pager run forever answer an error
//! after a fixed number of requests, so that a failing test ends and reports the count.

use jumpcloud_testkit as support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::StreamExt as _;
use jumpcloud_core::paginate::{self, Page, TokenPage};
use jumpcloud_core::{
    Api, Client, ClientBuilder, Error, Method, Operation, RetryPolicy, SystemContext, encode_path_segment,
};
use serde::Deserialize;
use serde_json::{Value, json};
use support::{MockServer, Recorded, Reply, TEST_KEY};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

static LIST: Operation = Operation {
    id: "attack_list",
    method: Method::GET,
    path: "/things",
    api: Api::V2,
};

/// Retries as the default policy makes them, with millisecond waits.
fn fast() -> RetryPolicy {
    support::quick_retries()
}

async fn get(client: &Client) -> Result<jumpcloud_core::Response, Error> {
    client.request(&LIST, "/things".to_owned()).send().await
}

// ---------------------------------------------------------------------------------------
// a raw server, for answers the scripted mock cannot give (chunked, truncated, silent)

/// Accepts connections on 127.0.0.1 and hands each, after reading the request head, to
/// `answer`. Returns the base URL.
async fn raw_server<F, Fut>(answer: F) -> String
where
    F: Fn(TcpStream) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let answer = Arc::new(answer);
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let answer = answer.clone();
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") {
                    match stream.read(&mut byte).await {
                        Ok(1) => head.push(byte[0]),
                        _ => return,
                    }
                }
                answer(stream).await;
            });
        }
    });
    format!("http://{addr}")
}

fn raw_client(base: &str) -> ClientBuilder {
    Client::builder()
        .api_key(TEST_KEY)
        .base_url(Api::V1, format!("{base}/api"))
        .base_url(Api::V2, format!("{base}/api/v2"))
        .base_url(Api::Insights, format!("{base}/insights"))
}

// ---------------------------------------------------------------------------------------
// bodies that do not decode

#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct List {
    results: Vec<User>,
    #[serde(rename = "totalCount")]
    total_count: i64,
}

#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct User {
    id: String,
    email: String,
}

#[track_caller]
fn decode_error(error: Error) -> Box<jumpcloud_core::DecodeError> {
    match error {
        Error::Decode(d) => d,
        other => panic!("expected a decode error, got {other:?}"),
    }
}

#[tokio::test]
async fn invalid_json_is_a_decode_error_with_a_snippet() {
    let server = MockServer::sequence(vec![Reply::text(200, "application/json", "{\"results\": [1, 2,")]).await;
    let client = server.builder().build().unwrap();
    let e = decode_error(get(&client).await.unwrap().json::<List>().unwrap_err());
    assert_eq!(e.operation(), "attack_list");
    assert!(e.snippet().starts_with("{\"results\""), "{e}");
}

#[tokio::test]
async fn a_wrong_type_deep_inside_is_named_by_its_path() {
    let body = json!({"totalCount": 5, "results": [
        {"id": "a", "email": "a@x"}, {"id": "b", "email": "b@x"}, {"id": "c", "email": "c@x"},
        {"id": "d", "email": 42}]});
    let server = MockServer::sequence(vec![Reply::json(200, &body)]).await;
    let client = server.builder().build().unwrap();
    let e = decode_error(get(&client).await.unwrap().json::<List>().unwrap_err());
    assert_eq!(e.path(), "results[3].email", "{e}");
    assert!(e.to_string().contains("results[3].email"));
}

#[tokio::test]
async fn trailing_garbage_after_json_is_a_decode_error() {
    let server = MockServer::sequence(vec![Reply::text(200, "application/json", "{\"results\": [], \"totalCount\": 0} trailing")]).await;
    let client = server.builder().build().unwrap();
    let e = decode_error(get(&client).await.unwrap().json::<List>().unwrap_err());
    assert_eq!(e.path(), ".");
}

#[tokio::test]
async fn html_with_200_is_a_decode_error_that_says_html() {
    let server = MockServer::sequence(vec![Reply::text(200, "text/html; charset=utf-8", "<html><body>Maintenance</body></html>")]).await;
    let client = server.builder().build().unwrap();
    let e = decode_error(get(&client).await.unwrap().json::<List>().unwrap_err());
    assert!(e.message().contains("text/html"), "{e}");
    assert!(e.snippet().contains("Maintenance"));
}

#[tokio::test]
async fn html_labelled_json_is_a_decode_error() {
    let server = MockServer::sequence(vec![Reply::text(200, "application/json", "<html>oops</html>")]).await;
    let client = server.builder().build().unwrap();
    let e = decode_error(get(&client).await.unwrap().json::<List>().unwrap_err());
    assert!(e.snippet().contains("oops"));
}

#[tokio::test]
async fn json_labelled_as_text_or_octets_still_decodes() {
    for ct in ["text/plain", "application/octet-stream", "image/png", ""] {
        let server = MockServer::sequence(vec![Reply::text(200, ct, "{\"results\": [], \"totalCount\": 0}")]).await;
        let client = server.builder().build().unwrap();
        let list = get(&client).await.unwrap().json::<List>().unwrap();
        assert_eq!(list.total_count, 0, "{ct}");
    }
}

#[tokio::test]
async fn a_gzip_header_on_a_plain_body_does_not_panic() {
    let server = MockServer::sequence(vec![
        Reply::text(200, "application/json", "{\"results\": [], \"totalCount\": 0}").header("content-encoding", "gzip"),
        Reply::text(200, "application/json", "\u{1f}\u{8b} not really gzip").header("content-encoding", "gzip"),
    ])
    .await;
    let client = server.builder().retry(RetryPolicy::disabled()).build().unwrap();
    for _ in 0..2 {
        match get(&client).await {
            Ok(response) => {
                let _ = response.json::<List>();
            }
            Err(Error::Decode(_) | Error::Transport { .. }) => {}
            Err(other) => panic!("{other:?}"),
        }
    }
}

#[tokio::test]
async fn invalid_utf8_text_is_a_decode_error() {
    let server = MockServer::sequence(vec![Reply::status(200).header("content-type", "text/plain").body(vec![b'a', 0xff, 0xfe])]).await;
    let client = server.builder().build().unwrap();
    let e = decode_error(get(&client).await.unwrap().text().unwrap_err());
    assert!(e.message().contains("UTF-8"), "{e}");
}

#[tokio::test]
async fn a_fifty_megabyte_body_decodes() {
    let item = json!({"id": "0123456789abcdef01234567", "email": "someone@example.com"});
    let count = 50 * 1024 * 1024 / serde_json::to_vec(&item).unwrap().len();
    let body = json!({"totalCount": count, "results": vec![item; count]});
    let server = MockServer::sequence(vec![Reply::json(200, &body)]).await;
    drop(body);
    let client = server.builder().build().unwrap();
    let list = get(&client).await.unwrap().json::<List>().unwrap();
    assert_eq!(list.results.len(), count);
}

#[tokio::test]
async fn an_error_body_that_is_huge_is_snipped_in_messages() {
    let body = "x".repeat(5 << 20);
    let server = MockServer::sequence(vec![Reply::text(500, "text/plain", &body)]).await;
    let client = server.builder().build().unwrap();
    let e = get(&client).await.unwrap_err();
    let api = e.as_api().unwrap();
    assert_eq!(api.body().len(), 5 << 20);
    assert!(e.to_string().len() < 1000, "{} bytes of message", e.to_string().len());
}

// ---------------------------------------------------------------------------------------
// retries and time

#[tokio::test]
async fn a_huge_retry_after_gives_up_at_once() {
    let server = MockServer::start(|_| Reply::status(429).header("Retry-After", "999999")).await;
    let client = server.builder().retry(fast()).build().unwrap();
    let e = get(&client).await.unwrap_err();
    assert_eq!(e.status().map(|s| s.as_u16()), Some(429));
    assert_eq!(e.as_api().unwrap().attempts(), 1);
    assert_eq!(server.requests().len(), 1);
}

/// `Retry-After: 18446744073709551615` is a valid delta-seconds value; adding it to the time
/// already spent overflows `Duration` once a second has passed (`started.elapsed() + wait`
/// in `Request::send_inner`), which panics instead of giving up.
#[tokio::test]
async fn a_retry_after_of_u64_max_after_a_slow_answer_gives_up_without_panicking() {
    let server = MockServer::start(|_| {
        Reply::status(503).header("Retry-After", "18446744073709551615").delay(Duration::from_millis(1100))
    })
    .await;
    let client = server.builder().retry(fast()).build().unwrap();
    let outcome = tokio::spawn(async move { get(&client).await.map(|_| ()) }).await;
    match outcome {
        Ok(Err(e)) => assert_eq!(e.status().map(|s| s.as_u16()), Some(503)),
        Ok(Ok(())) => panic!("a 503 succeeded"),
        Err(join) => panic!("the call panicked: {join}"),
    }
}

#[tokio::test]
async fn a_retry_after_of_u64_max_with_an_unlimited_budget_gives_up_without_panicking() {
    let server = MockServer::start(|_| Reply::status(429).header("Retry-After", "18446744073709551615")).await;
    let client = server.builder().retry(fast().max_elapsed(Duration::MAX)).build().unwrap();
    let outcome = tokio::spawn(async move {
        tokio::time::timeout(Duration::from_secs(30), get(&client)).await.map(|r| r.map(|_| ()))
    })
    .await;
    match outcome {
        // Waiting "forever" as asked is acceptable; the timeout above ends the test.
        Ok(Err(_elapsed)) => {}
        Ok(Ok(Err(e))) => assert_eq!(e.status().map(|s| s.as_u16()), Some(429)),
        Ok(Ok(Ok(()))) => panic!("a 429 succeeded"),
        Err(join) => panic!("the call panicked: {join}"),
    }
}

#[tokio::test]
async fn garbage_and_negative_retry_after_fall_back_to_backoff() {
    for value in ["-5", "soon", "1e3", "", "   ", "99999999999999999999999", "Wed, 99 Foo 2024 99:99:99 GMT"] {
        let server = MockServer::start(move |_| Reply::status(503).header("Retry-After", value)).await;
        let client = server.builder().retry(fast().max_attempts(3)).build().unwrap();
        let e = get(&client).await.unwrap_err();
        assert_eq!(e.status().map(|s| s.as_u16()), Some(503), "{value:?}");
        assert_eq!(server.requests().len(), 3, "{value:?}: retries were not made");
    }
}

#[tokio::test]
async fn a_server_that_never_answers_is_a_timeout() {
    let base = raw_server(|stream| async move {
        tokio::time::sleep(Duration::from_secs(60)).await;
        drop(stream);
    })
    .await;
    let client = raw_client(&base).timeout(Duration::from_millis(300)).retry(fast()).build().unwrap();
    match get(&client).await {
        Err(Error::Timeout { operation, timeout }) => {
            assert_eq!(operation, "attack_list");
            assert_eq!(timeout, Duration::from_millis(300));
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_body_that_stalls_is_a_timeout() {
    let base = raw_server(|mut stream| async move {
        let _ = stream.write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{\"res").await;
        tokio::time::sleep(Duration::from_secs(60)).await;
    })
    .await;
    let client = raw_client(&base).timeout(Duration::from_millis(300)).retry(fast()).build().unwrap();
    assert!(matches!(get(&client).await, Err(Error::Timeout { .. })));
}

#[tokio::test]
async fn a_connection_closed_mid_body_is_a_transport_error_not_a_decode_error() {
    let hits = Arc::new(AtomicUsize::new(0));
    let counter = hits.clone();
    let base = raw_server(move |mut stream| {
        counter.fetch_add(1, Ordering::SeqCst);
        async move {
            let _ = stream
                .write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{\"results\": [], \"tot")
                .await;
            let _ = stream.shutdown().await;
        }
    })
    .await;
    let client = raw_client(&base).retry(fast()).build().unwrap();
    match get(&client).await {
        Err(Error::Transport { operation, .. }) => assert_eq!(operation, "attack_list"),
        other => panic!("{other:?}"),
    }
    assert_eq!(hits.load(Ordering::SeqCst), 4, "a GET that lost its body is retried up to the policy");
}

#[tokio::test]
async fn a_broken_chunked_body_is_a_transport_error() {
    let base = raw_server(|mut stream| async move {
        let _ = stream
            .write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n{}\r\n")
            .await;
        let _ = stream.shutdown().await;
    })
    .await;
    let client = raw_client(&base).retry(RetryPolicy::disabled()).build().unwrap();
    assert!(matches!(get(&client).await, Err(Error::Transport { .. })));
}

/// Peak resident memory of this process, from `/proc/self/status` (Linux).
fn peak_rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// An endless chunked body is read into memory until the timeout: the runtime has no limit
/// on the size of a response, so with the default 60 s timeout a fast server can exhaust the
/// client's memory. The server here stops after 512 MiB so that the test itself cannot. Peak
/// memory is per process, so the measurement runs alone in a child process.
#[test]
fn an_endless_body_does_not_grow_memory_without_bound() {
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "endless_body_child", "--ignored", "--nocapture", "--test-threads=1"])
        .env("JUMPCLOUD_ATTACK_CHILD", "1")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr).lines().filter(|l| l.contains("grew") || l.contains("panicked")).collect::<Vec<_>>().join("\n")
    );
}

#[tokio::test]
#[ignore = "run in a child process by an_endless_body_does_not_grow_memory_without_bound"]
async fn endless_body_child() {
    if std::env::var_os("JUMPCLOUD_ATTACK_CHILD").is_none() {
        return;
    }
    const CAP: usize = 512 << 20;
    let base = raw_server(|mut stream| async move {
        if stream
            .write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n")
            .await
            .is_err()
        {
            return;
        }
        let chunk = format!("{:x}\r\n{}\r\n", 1 << 20, " ".repeat(1 << 20));
        let mut sent = 0;
        while sent < CAP {
            if stream.write_all(chunk.as_bytes()).await.is_err() {
                return;
            }
            sent += 1 << 20;
        }
        tokio::time::sleep(Duration::from_secs(60)).await;
    })
    .await;
    let client = raw_client(&base).timeout(Duration::from_secs(5)).retry(RetryPolicy::disabled()).build().unwrap();
    let before = peak_rss_bytes();
    let outcome = get(&client).await;
    let after = peak_rss_bytes();
    // The default limit (64 MiB) ends the read long before the 5 s timeout.
    assert!(
        matches!(outcome, Err(Error::ResponseTooLarge { limit, .. }) if limit == 64 << 20),
        "{:?}",
        outcome.map(|r| r.body().len())
    );
    if let (Some(before), Some(after)) = (before, after) {
        let grown = after.saturating_sub(before);
        assert!(grown < 256 << 20, "reading one response grew the process by {} MiB", grown >> 20);
    }
}

/// The limit is exact, applies to error bodies as well, and a body over it is not retried.
#[tokio::test]
async fn max_response_bytes_is_exact_and_not_retried() {
    let server = MockServer::sequence(vec![
        Reply::text(200, "text/plain", "0123456789"),
        Reply::text(503, "text/plain", "0123456789A"),
    ])
    .await;
    let client = server.builder().retry(fast()).max_response_bytes(10).build().unwrap();
    assert_eq!(get(&client).await.unwrap().body().len(), 10);
    match get(&client).await {
        Err(e @ Error::ResponseTooLarge { .. }) => {
            assert_eq!(e.operation(), Some("attack_list"));
            assert!(e.to_string().contains("10 bytes"), "{e}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(server.requests().len(), 2);
}

// ---------------------------------------------------------------------------------------
// pagers fed hostile cursors and counts

/// Requests after which a looping pager is cut off by the server.
const CUTOFF: usize = 50;

fn cut_off(requests: &AtomicUsize) -> Option<Reply> {
    (requests.fetch_add(1, Ordering::SeqCst) >= CUTOFF)
        .then(|| Reply::text(599, "text/plain", "attack: pager cut off after too many pages"))
}

async fn drain<S>(mut stream: S) -> (usize, Option<Error>)
where
    S: futures_util::Stream<Item = Result<Value, Error>> + Unpin,
{
    let mut items = 0;
    while let Some(item) = stream.next().await {
        match item {
            Ok(_) => items += 1,
            Err(e) => return (items, Some(e)),
        }
    }
    (items, None)
}

async fn v2_page(client: Client, skip: i64, limit: i64) -> Result<jumpcloud_core::ResponseValue<Vec<Value>>, Error> {
    let mut req = client.raw(Method::GET, Api::V2, "/things");
    req.query("limit", &limit).query("skip", &skip);
    req.send().await?.json()
}

#[tokio::test]
async fn negative_or_garbage_total_counts_end_on_an_empty_page() {
    for total in ["-1", "abc", "1e9", "", "0x10", "340282366920938463463374607431768211456"] {
        let requests = Arc::new(AtomicUsize::new(0));
        let seen = requests.clone();
        let server = MockServer::start(move |r: &Recorded| {
            if let Some(stop) = cut_off(&seen) {
                return stop;
            }
            let skip: i64 = r.query_param("skip").unwrap().parse().unwrap();
            let items = if skip < 200 { vec![json!({}); 100] } else { vec![] };
            Reply::json(200, &json!(items)).header("x-total-count", total)
        })
        .await;
        let client = server.builder().retry(RetryPolicy::disabled()).build().unwrap();
        let pager = paginate::skip_limit_header(client, |c: Client, skip, limit| v2_page(c, skip, limit));
        let (items, error) = drain(pager).await;
        assert!(error.is_none(), "{total:?}: {error:?}");
        assert_eq!(items, 200, "{total:?}");
        assert_eq!(server.requests().len(), 3, "{total:?}");
    }
}

/// A total that is far larger than what the server lists, with empty pages after the end:
/// the pager asks for page after empty page (up to `u64::MAX / 100` of them).
#[tokio::test]
async fn a_huge_total_with_empty_pages_does_not_page_forever() {
    let requests = Arc::new(AtomicUsize::new(0));
    let seen = requests.clone();
    let server = MockServer::start(move |r: &Recorded| {
        if let Some(stop) = cut_off(&seen) {
            return stop;
        }
        let skip: i64 = r.query_param("skip").unwrap().parse().unwrap();
        let items = if skip == 0 { vec![json!({}); 100] } else { vec![] };
        Reply::json(200, &json!(items)).header("x-total-count", "18446744073709551615")
    })
    .await;
    let client = server.builder().retry(RetryPolicy::disabled()).build().unwrap();
    let pager = paginate::skip_limit_header(client, |c: Client, skip, limit| v2_page(c, skip, limit));
    let (items, error) = drain(pager).await;
    assert_eq!(items, 100);
    assert!(
        server.requests().len() < CUTOFF,
        "the pager sent {} requests for empty pages (cut off by the server: {error:?})",
        server.requests().len()
    );
}

/// The other side of the empty-page rule: with a total, up to two empty pages in a row (pages
/// of deleted associations) do not end the listing.
#[tokio::test]
async fn two_empty_pages_in_a_row_with_a_total_do_not_end_the_listing() {
    let server = MockServer::start(|r: &Recorded| {
        let skip: i64 = r.query_param("skip").unwrap().parse().unwrap();
        let items = if matches!(skip, 100 | 200) { vec![] } else { vec![json!({}); 100] };
        Reply::json(200, &json!(items)).header("x-total-count", "500")
    })
    .await;
    let client = server.builder().retry(RetryPolicy::disabled()).build().unwrap();
    let pager = paginate::skip_limit_header(client, |c: Client, skip, limit| v2_page(c, skip, limit));
    let (items, error) = drain(pager).await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(items, 300);
    assert_eq!(server.requests().len(), 5);
}

#[tokio::test]
async fn a_body_total_that_is_negative_or_huge_ends() {
    for total in [-5i64, i64::MAX] {
        let requests = Arc::new(AtomicUsize::new(0));
        let seen = requests.clone();
        let server = MockServer::start(move |r: &Recorded| {
            if let Some(stop) = cut_off(&seen) {
                return stop;
            }
            let skip: i64 = r.query_param("skip").unwrap().parse().unwrap();
            let items = if skip == 0 { vec![json!({}); 100] } else { vec![] };
            Reply::json(200, &json!({"totalCount": total, "results": items}))
        })
        .await;
        let client = server.builder().retry(RetryPolicy::disabled()).build().unwrap();
        let pager = paginate::skip_limit_total(client, |c: Client, skip, limit| async move {
            let mut req = c.raw(Method::GET, Api::V1, "/systemusers");
            req.query("limit", &limit).query("skip", &skip);
            let page: Value = req.send().await?.json::<Value>()?.into_inner();
            Ok(Page::new(
                page["results"].as_array().cloned().unwrap_or_default(),
                page["totalCount"].as_i64(),
            ))
        });
        let (items, _) = drain(pager).await;
        assert_eq!(items, 100, "{total}");
        assert!(server.requests().len() < CUTOFF, "total {total}: {} requests", server.requests().len());
    }
}

async fn insights_page(client: Client, cursor: Option<Vec<Value>>) -> Result<jumpcloud_core::ResponseValue<Vec<Value>>, Error> {
    let mut req = client.raw(Method::POST, Api::Insights, "/events");
    req.json(&json!({"search_after": cursor, "limit": 2}))?;
    req.send().await?.json()
}

fn insights_reply(cursor: &str) -> Reply {
    Reply::json(200, &json!([{}, {}]))
        .header("X-Result-Count", "2")
        .header("X-Limit", "2")
        .header("X-Search_after", cursor)
}

#[tokio::test]
async fn a_repeated_search_after_cursor_stops_the_pager() {
    let server = MockServer::start(|_| insights_reply("[1, \"a\"]")).await;
    let client = server.builder().build().unwrap();
    let (items, error) = drain(paginate::search_after(client, insights_page)).await;
    assert!(matches!(error, Some(Error::Pagination { .. })), "{error:?}");
    assert_eq!(items, 4);
    assert_eq!(server.requests().len(), 2);
}

/// Two cursors in turn (A, B, A, B, ...): only an immediate repeat is detected.
#[tokio::test]
async fn alternating_search_after_cursors_do_not_page_forever() {
    let requests = Arc::new(AtomicUsize::new(0));
    let seen = requests.clone();
    let server = MockServer::start(move |_| {
        if let Some(stop) = cut_off(&seen) {
            return stop;
        }
        let n = seen.load(Ordering::SeqCst);
        insights_reply(if n.is_multiple_of(2) { "[\"A\"]" } else { "[\"B\"]" })
    })
    .await;
    let client = server.builder().build().unwrap();
    let (_, error) = drain(paginate::search_after(client, insights_page)).await;
    assert!(
        server.requests().len() < CUTOFF,
        "{} requests before the server cut the pager off ({error:?})",
        server.requests().len()
    );
}

#[tokio::test]
async fn a_search_after_cursor_that_is_not_json_is_a_pagination_error() {
    for cursor in ["not json", "{\"a\": 1}", "[1,", "null", "\"x\""] {
        let server = MockServer::start(move |_| insights_reply(cursor)).await;
        let client = server.builder().build().unwrap();
        let (items, error) = drain(paginate::search_after(client, insights_page)).await;
        assert_eq!(items, 2, "{cursor}");
        assert!(matches!(error, Some(Error::Pagination { .. })), "{cursor}: {error:?}");
    }
}

#[tokio::test]
async fn search_after_counts_that_are_garbage_end_the_listing_with_an_error() {
    for (count, limit) in [("2", "x"), ("-1", "2"), ("2", "18446744073709551616"), ("", "")] {
        let server = MockServer::start(move |_| {
            Reply::json(200, &json!([{}, {}]))
                .header("X-Result-Count", count)
                .header("X-Limit", limit)
                .header("X-Search_after", "[1]")
        })
        .await;
        let client = server.builder().build().unwrap();
        let (items, error) = drain(paginate::search_after(client, insights_page)).await;
        assert_eq!(items, 2);
        assert!(matches!(error, Some(Error::Pagination { .. })), "{count:?}/{limit:?}: {error:?}");
        assert_eq!(server.requests().len(), 1);
    }
}

async fn token_page(client: Client, token: Option<String>) -> Result<TokenPage<Value>, Error> {
    let mut req = client.raw(Method::GET, Api::V2, "/google/imports");
    if let Some(token) = &token {
        req.query("pageToken", token);
    }
    let page: Value = req.send().await?.json::<Value>()?.into_inner();
    Ok(TokenPage::new(
        page["users"].as_array().cloned().unwrap_or_default(),
        page["nextPageToken"].as_str().map(str::to_owned),
    ))
}

#[tokio::test]
async fn a_repeated_page_token_stops_the_pager() {
    let server = MockServer::start(|_| Reply::json(200, &json!({"users": [{}], "nextPageToken": "same"}))).await;
    let client = server.builder().build().unwrap();
    let (items, error) = drain(paginate::page_token(client, token_page)).await;
    assert!(matches!(error, Some(Error::Pagination { .. })), "{error:?}");
    assert_eq!(items, 2);
}

/// Page tokens in a cycle of two (A -> B -> A -> ...).
#[tokio::test]
async fn cycling_page_tokens_do_not_page_forever() {
    let requests = Arc::new(AtomicUsize::new(0));
    let seen = requests.clone();
    let server = MockServer::start(move |r: &Recorded| {
        if let Some(stop) = cut_off(&seen) {
            return stop;
        }
        let next = if r.query_param("pageToken").as_deref() == Some("A") { "B" } else { "A" };
        Reply::json(200, &json!({"users": [{}], "nextPageToken": next}))
    })
    .await;
    let client = server.builder().build().unwrap();
    let (_, error) = drain(paginate::page_token(client, token_page)).await;
    assert!(
        server.requests().len() < CUTOFF,
        "{} requests before the server cut the pager off ({error:?})",
        server.requests().len()
    );
}

/// The token a listing was started from counts as followed: a server leading back to it
/// is a cycle too.
#[tokio::test]
async fn a_token_leading_back_to_the_start_token_stops_the_pager() {
    let server = MockServer::start(|r: &Recorded| {
        let next = if r.query_param("pageToken").as_deref() == Some("start") { "B" } else { "start" };
        Reply::json(200, &json!({"users": [{}], "nextPageToken": next}))
    })
    .await;
    let client = server.builder().build().unwrap();
    let (items, error) = drain(paginate::page_token(client, token_page).start_token("start")).await;
    assert!(matches!(error, Some(Error::Pagination { .. })), "{error:?}");
    assert_eq!(items, 2);
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn a_pager_error_ends_the_stream_and_it_stays_ended() {
    let server = MockServer::start(|_| Reply::text(500, "text/plain", "boom")).await;
    let client = server.builder().build().unwrap();
    let mut pager = paginate::skip_limit_header(client, |c: Client, skip, limit| v2_page(c, skip, limit));
    assert!(matches!(pager.next().await, Some(Err(Error::Api(_)))));
    assert!(pager.next().await.is_none());
    assert!(pager.next().await.is_none());
    assert_eq!(server.requests().len(), 1);
}

// ---------------------------------------------------------------------------------------
// header injection and paths

#[tokio::test]
async fn an_api_key_with_a_line_break_is_refused_without_being_sent_or_shown() {
    let connections = MockServer::start(support::unexpected).await;
    for key in ["sk-TEST-5ecret\r\nX-Injected: 1", "sk-TEST-5ecret\n", "sk-TEST-5ecret\r", "sk\u{0}TEST-5ecret"] {
        let err = Client::builder().api_key(key).base_url(Api::V2, connections.url()).build().unwrap_err();
        assert!(matches!(err, Error::Config { .. }), "{key:?}: {err:?}");
        for shown in [err.to_string(), format!("{err:?}")] {
            assert!(!shown.contains("5ecret"), "{key:?}: the key is shown in {shown}");
        }
    }
    assert_eq!(connections.connections(), 0);
}

#[tokio::test]
async fn an_org_id_with_a_line_break_is_refused() {
    for org in ["org\r\nX-Injected: 1", "org\n", "o\u{0}rg"] {
        let err = Client::builder().api_key(TEST_KEY).org_id(org).build().unwrap_err();
        assert!(matches!(err, Error::Config { .. }), "{org:?}: {err:?}");
        assert!(!err.to_string().contains(TEST_KEY));
    }
}

#[tokio::test]
async fn header_and_query_values_cannot_inject() {
    let server = MockServer::start(|_| Reply::json(200, &json!([]))).await;
    let client = server.builder().build().unwrap();
    let mut req = client.request(&LIST, "/things".to_owned());
    let err = req.header("x-trace", "a\r\nx-api-key: stolen").unwrap_err();
    assert!(matches!(err, Error::InvalidRequest { .. }), "{err:?}");
    let err = client.request(&LIST, "/things".to_owned()).header("x bad", "v").map(|_| ()).unwrap_err();
    assert!(matches!(err, Error::InvalidRequest { .. }));

    let mut req = client.request(&LIST, "/things".to_owned());
    req.query("filter", "a\r\nHost: evil&admin=true#frag");
    req.send().await.unwrap();
    let sent = &server.requests()[0];
    assert_eq!(sent.query_pairs(), [("filter".to_owned(), "a\r\nHost: evil&admin=true#frag".to_owned())]);
    assert_eq!(sent.header_count("host"), 1);
}

#[tokio::test]
async fn path_segments_cannot_climb_or_split() {
    let server = MockServer::start(|_| Reply::json(200, &json!({}))).await;
    let client = server.builder().build().unwrap();
    for id in ["..", "."] {
        let path = format!("/systems/{}/x", encode_path_segment(id));
        let err = client.request(&LIST, path).send().await.unwrap_err();
        assert!(matches!(err, Error::InvalidRequest { ref parameter, .. } if parameter == "path"), "{id:?}: {err:?}");
    }
    for id in ["../../organizations", "a/b", "a%2Fb", "%2e%2e", "%2E.", "a?b=c", "a#b", "a\\..\\b", "..\t", ".\n."] {
        let path = format!("/systems/{}/x", encode_path_segment(id));
        client.request(&LIST, path).send().await.unwrap();
    }
    for sent in server.requests() {
        assert!(sent.path().starts_with("/api/v2/systems/"), "escaped its segment: {}", sent.target);
        assert!(sent.path().ends_with("/x"), "{}", sent.target);
        assert_eq!(sent.path().matches('/').count(), 5, "{}", sent.target);
    }
}

/// `check_path` refuses `..` segments, but URL parsing (WHATWG, for `http(s)`) also treats a
/// backslash as a separator and drops tabs and line breaks, so these raw paths climb anyway.
#[tokio::test]
async fn raw_paths_cannot_climb_with_backslashes_or_control_characters() {
    let server = MockServer::start(|_| Reply::json(200, &json!({}))).await;
    let client = server.builder().build().unwrap();
    for path in ["/systemusers/..\\organizations", "/systemusers\\..\\organizations", "/systemusers/.\t./organizations", "/systemusers/.\n./organizations"] {
        match client.raw(Method::GET, Api::V1, path).send().await {
            Err(Error::InvalidRequest { .. }) => {}
            Ok(_) => {
                let sent = server.requests().pop().unwrap();
                assert!(sent.path().starts_with("/api/systemusers"), "{path:?} was sent as {}", sent.target);
            }
            Err(other) => panic!("{path:?}: {other:?}"),
        }
    }
}

#[tokio::test]
async fn base_urls_with_credentials_queries_or_odd_schemes_are_refused() {
    for base in ["http://user:pw@127.0.0.1", "ftp://127.0.0.1", "http://127.0.0.1/?a=1", "http://127.0.0.1/#f", "mailto:x@y", "", "not a url", "http://[::1"] {
        let err = Client::builder().api_key(TEST_KEY).base_url(Api::V2, base).build().unwrap_err();
        assert!(matches!(err, Error::Config { .. }), "{base:?}");
    }
}

/// The base URL's password is a secret as much as the key; configuration errors repeat the
/// raw URL when it fails to parse or has the wrong scheme.
#[tokio::test]
async fn base_url_errors_do_not_repeat_embedded_passwords() {
    for base in ["ftp://user:hunter2pw@127.0.0.1", "http://user:hunter2pw@127.0.0.1:99999", "http://user:hunter2pw@127.0.0.1/?q"] {
        let builder = Client::builder().api_key(TEST_KEY).base_url(Api::V2, base);
        let err = builder.clone().build().unwrap_err();
        for shown in [err.to_string(), format!("{err:?}"), format!("{builder:?}")] {
            assert!(!shown.contains("hunter2pw"), "{base:?}: the password is shown in {shown}");
        }
    }
}

// ---------------------------------------------------------------------------------------
// secrets in Debug, Display and errors

const PKCS1: &str = include_str!("data/system_context_pkcs1.pem");

fn key_material() -> Vec<String> {
    // Every 24-character run of the PEM's base64, which no message may contain.
    let body: String = PKCS1.lines().filter(|l| !l.starts_with("-----")).collect();
    body.as_bytes().chunks(24).filter(|c| c.len() == 24).map(|c| String::from_utf8(c.to_vec()).unwrap()).collect()
}

#[track_caller]
fn assert_no_secret(shown: &str) {
    assert!(!shown.contains(TEST_KEY), "the API key is shown: {shown}");
    assert!(!shown.contains("5ecret"), "part of the API key is shown: {shown}");
    for chunk in key_material() {
        assert!(!shown.contains(&chunk), "private key material is shown: {shown}");
    }
}

#[tokio::test]
async fn debug_and_display_never_show_credentials() {
    let builder = Client::builder().api_key(TEST_KEY).org_id("org-1");
    assert_no_secret(&format!("{builder:?}"));
    assert_no_secret(&format!("{:?}", builder.clone().build().unwrap()));
    let context = SystemContext::from_pem("sys-1", PKCS1).unwrap();
    assert_no_secret(&format!("{context:?}"));
    let builder = Client::builder().system_context(context.clone());
    assert_no_secret(&format!("{builder:?}"));
    assert_no_secret(&format!("{:?}", builder.build().unwrap()));
    // Both credentials at once is a configuration error.
    let err = Client::builder().api_key(TEST_KEY).system_context(context).build().unwrap_err();
    assert_no_secret(&format!("{err} {err:?}"));
}

#[tokio::test]
async fn every_error_variant_hides_the_key() {
    let mut errors: Vec<Error> = Vec::new();
    // Api (with the 401 hint), after retries.
    let server = MockServer::start(|_| Reply::json(401, &json!({"message": "Unauthorized"})).header("x-request-id", "r-1")).await;
    let client = server.builder().retry(fast()).build().unwrap();
    errors.push(get(&client).await.unwrap_err());
    // Decode.
    let server = MockServer::start(|_| Reply::text(200, "text/html", "<html>login</html>")).await;
    let client = server.builder().build().unwrap();
    errors.push(get(&client).await.unwrap().json::<List>().unwrap_err());
    // Timeout.
    let silent = raw_server(|s| async move {
        tokio::time::sleep(Duration::from_secs(30)).await;
        drop(s);
    })
    .await;
    let client = raw_client(&silent).timeout(Duration::from_millis(200)).build().unwrap();
    errors.push(get(&client).await.unwrap_err());
    // Transport: nothing listens on a port just released.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let client = raw_client(&format!("http://127.0.0.1:{port}")).retry(fast()).build().unwrap();
    errors.push(get(&client).await.unwrap_err());
    // InvalidRequest.
    let server = MockServer::start(support::unexpected).await;
    let client = server.builder().build().unwrap();
    errors.push(client.request(&LIST, "/a/../b".to_owned()).send().await.unwrap_err());
    let mut req = client.request(&LIST, "/things".to_owned());
    errors.push(req.header("x", "\n").map(|_| ()).unwrap_err());
    // Config.
    errors.push(Client::builder().api_key(format!("{TEST_KEY}\n")).build().unwrap_err());
    errors.push(Client::builder().build().unwrap_err());
    // System Context with a damaged key.
    let damaged = PKCS1.replacen('M', "*", 3);
    errors.push(SystemContext::from_pem("sys-1", &damaged).unwrap_err());
    let truncated = &PKCS1[..PKCS1.len() / 2];
    errors.push(SystemContext::from_pem("sys-1", truncated).unwrap_err());
    errors.push(SystemContext::from_pem("sys\"1", PKCS1).unwrap_err());
    // Pagination.
    let server = MockServer::start(|_| insights_reply("nope")).await;
    let (_, e) = drain(paginate::search_after(server.builder().build().unwrap(), insights_page)).await;
    errors.push(e.unwrap());

    let kinds: std::collections::BTreeSet<&str> = errors
        .iter()
        .map(|e| match e {
            Error::Api(_) => "api",
            Error::Decode(_) => "decode",
            Error::Timeout { .. } => "timeout",
            Error::Transport { .. } => "transport",
            Error::InvalidRequest { .. } => "invalid",
            Error::Pagination { .. } => "pagination",
            Error::Config { .. } => "config",
            _ => "other",
        })
        .collect();
    assert_eq!(kinds.len(), 7, "{kinds:?}");
    for e in &errors {
        let mut shown = format!("{e}\n{e:?}");
        let mut source = std::error::Error::source(e);
        while let Some(s) = source {
            shown.push_str(&format!("\n{s}\n{s:?}"));
            source = s.source();
        }
        assert_no_secret(&shown);
    }
}

/// The key travels only in `x-api-key`; a server echoing request headers back would put it in
/// an `ApiError`, but nothing the client adds on its own may.
#[tokio::test]
async fn the_key_is_sent_once_and_only_as_x_api_key() {
    let server = MockServer::start(|_| Reply::json(200, &json!([]))).await;
    let client = server.builder().org_id("org").build().unwrap();
    get(&client).await.unwrap();
    let sent = &server.requests()[0];
    assert_eq!(sent.header_count("x-api-key"), 1);
    for (name, value) in &sent.headers {
        if name != "x-api-key" {
            assert!(!value.contains(TEST_KEY), "{name}: {value}");
        }
    }
    assert!(!sent.target.contains(TEST_KEY));
}

// ---------------------------------------------------------------------------------------
// odd but valid answers

#[tokio::test]
async fn informational_and_odd_statuses_are_typed() {
    for status in [201u16, 203, 206, 299, 300, 301, 302, 304, 307, 400, 404, 418, 451, 500, 501, 505, 599] {
        let server = MockServer::start(move |_| Reply::text(status, "application/json", "{\"message\": \"m\"}").header("location", "http://127.0.0.2/steal")).await;
        let client = server.builder().retry(fast()).build().unwrap();
        match get(&client).await {
            Ok(r) => assert!((200..300).contains(&r.status().as_u16())),
            Err(Error::Api(api)) => {
                assert_eq!(api.status().as_u16(), status);
                // A 304 has no body by definition.
                if status != 304 {
                    assert_eq!(api.message(), Some("m"), "{status}");
                }
            }
            Err(other) => panic!("{status}: {other:?}"),
        }
        // Redirects are never followed (the key would go with them).
        assert_eq!(server.requests().len(), 1, "{status}");
    }
}

#[tokio::test]
async fn a_204_with_a_body_and_a_200_without_one_decode_sensibly() {
    let server = MockServer::sequence(vec![
        Reply::text(204, "application/json", ""),
        Reply::status(200),
        Reply::text(200, "application/json", "   \n"),
    ])
    .await;
    let client = server.builder().build().unwrap();
    assert!(get(&client).await.unwrap().json::<Option<List>>().unwrap().is_none());
    assert!(get(&client).await.unwrap().json::<Option<List>>().unwrap().is_none());
    let e = decode_error(get(&client).await.unwrap().json::<List>().unwrap_err());
    assert_eq!(e.path(), ".");
}

#[tokio::test]
async fn many_concurrent_calls_share_one_client() {
    let calls = Arc::new(Mutex::new(0usize));
    let counter = calls.clone();
    let server = MockServer::start(move |_| {
        *counter.lock().unwrap() += 1;
        Reply::json(200, &json!([]))
    })
    .await;
    let client = server.builder().build().unwrap();
    let tasks: Vec<_> = (0..64)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { get(&client).await.map(|_| ()) })
        })
        .collect();
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    assert_eq!(*calls.lock().unwrap(), 64);
}

#[tokio::test]
async fn a_user_agent_with_a_line_break_is_a_config_error() {
    let err = Client::builder().api_key(TEST_KEY).user_agent("app/1\r\nX-Injected: 1").build().unwrap_err();
    assert!(matches!(err, Error::Config { .. }), "{err:?}");
    assert_no_secret(&format!("{err} {err:?}"));
}

#[tokio::test]
async fn multipart_names_and_types_cannot_inject_headers() {
    let server = MockServer::start(|_| Reply::json(200, &json!({}))).await;
    let client = server.builder().build().unwrap();
    let form = jumpcloud_core::Form::new()
        .text("a\"\r\nX-Injected: 1", "v")
        .file("f", "x.png\"\r\nX-Injected: 2", "image/png", vec![1u8, 2]);
    let mut req = client.raw(Method::POST, Api::V1, "/applications/a/logo");
    req.multipart(form);
    req.send().await.unwrap();
    let body = String::from_utf8_lossy(&server.requests()[0].body).into_owned();
    assert!(!body.contains("\r\nX-Injected"), "{body}");

    let form = jumpcloud_core::Form::new().part("f", jumpcloud_core::Part::bytes(vec![1u8]).mime("image/png\r\nX-Injected: 3"));
    let mut req = client.raw(Method::POST, Api::V1, "/applications/a/logo");
    req.multipart(form);
    assert!(matches!(req.send().await, Err(Error::InvalidRequest { .. })));
    let mut req = client.raw(Method::POST, Api::V1, "/x");
    req.bytes("text/plain\r\nX-Injected: 4", vec![1u8]);
    assert!(matches!(req.send().await, Err(Error::InvalidRequest { .. })));
    assert_eq!(server.requests().len(), 1);
}

/// A configured budget of "forever" must not turn a long backoff into a panic either.
#[tokio::test]
async fn unbounded_backoff_settings_do_not_panic() {
    let server = MockServer::start(|_| Reply::status(503).delay(Duration::from_millis(1100))).await;
    let policy = RetryPolicy::new()
        .initial_backoff(Duration::MAX)
        .max_backoff(Duration::MAX)
        .max_elapsed(Duration::MAX);
    let client = server.builder().retry(policy).build().unwrap();
    let outcome = tokio::spawn(async move {
        tokio::time::timeout(Duration::from_secs(3), get(&client)).await.map(|r| r.map(|_| ()))
    })
    .await;
    if let Err(join) = outcome {
        panic!("the call panicked: {join}");
    }
}
