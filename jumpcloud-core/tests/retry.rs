//! Retries: which failures, which methods, how long, and what is left when they run out.

use jumpcloud_testkit as support;

use std::time::{Duration, Instant, SystemTime};

use jumpcloud_core::{Api, Client, Error, Method, RetryPolicy};
use serde_json::json;
use support::{MockServer, Reply, TEST_KEY};

fn fast() -> RetryPolicy {
    RetryPolicy::new()
        .initial_backoff(Duration::from_millis(5))
        .max_backoff(Duration::from_millis(20))
}

#[tokio::test]
async fn retryable_statuses_are_retried_for_get() {
    for status in [429, 502, 503, 504] {
        let server = MockServer::sequence(vec![
            Reply::text(status, "text/plain", "try later"),
            Reply::json(200, &json!({"ok": true})),
        ])
        .await;
        let client = server.builder().retry(fast()).build().unwrap();
        let value = client
            .raw(Method::GET, Api::V2, "/systems")
            .send()
            .await
            .unwrap()
            .json::<serde_json::Value>()
            .unwrap()
            .into_inner();
        assert_eq!(value, json!({"ok": true}), "status {status}");
        assert_eq!(server.requests().len(), 2, "status {status}");
    }
}

#[tokio::test]
async fn other_errors_are_not_retried() {
    for status in [400, 401, 403, 404, 409, 500] {
        let server = MockServer::sequence(vec![
            Reply::json(status, &json!({"message": "no"})),
            Reply::json(200, &json!({})),
        ])
        .await;
        let client = server.builder().retry(fast()).build().unwrap();
        let err = client
            .raw(Method::GET, Api::V2, "/systems")
            .send()
            .await
            .unwrap_err();
        assert_eq!(err.status().map(|s| s.as_u16()), Some(status));
        assert_eq!(server.requests().len(), 1, "status {status}");
    }
}

#[tokio::test]
async fn attempts_are_bounded_and_the_last_answer_is_returned() {
    let server = MockServer::start(|_| Reply::text(503, "text/html", "<html>down</html>")).await;
    let client = server
        .builder()
        .retry(fast().max_attempts(3))
        .build()
        .unwrap();
    let err = client
        .raw(Method::GET, Api::V2, "/systems")
        .send()
        .await
        .unwrap_err();
    let api = err.as_api().unwrap();
    assert_eq!(api.status(), 503);
    assert_eq!(api.attempts(), 3);
    assert_eq!(api.body_text(), "<html>down</html>");
    assert_eq!(server.requests().len(), 3);
}

#[tokio::test]
async fn writes_are_not_retried_unless_opted_in() {
    for method in [Method::POST, Method::PUT, Method::PATCH, Method::DELETE] {
        let server = MockServer::start(|_| Reply::status(503)).await;
        let client = server.builder().retry(fast()).build().unwrap();
        let mut req = client.raw(method.clone(), Api::V2, "/usergroups");
        req.json(&json!({"name": "x"})).unwrap();
        let err = req.send().await.unwrap_err();
        assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
        assert_eq!(server.requests().len(), 1, "{method}");
    }

    // Per call: a read-only search sent as POST.
    let server = MockServer::sequence(vec![Reply::status(503), Reply::json(200, &json!([]))]).await;
    let client = server.builder().retry(fast()).build().unwrap();
    let mut req = client.raw(Method::POST, Api::V1, "/search/systemusers");
    req.idempotent(true).json(&json!({"filter": []})).unwrap();
    req.send().await.unwrap();
    assert_eq!(server.requests().len(), 2);
    // The retried attempt carries the same body.
    assert_eq!(server.requests()[0].body, server.requests()[1].body);

    // Per policy.
    let server = MockServer::sequence(vec![Reply::status(502), Reply::json(200, &json!({}))]).await;
    let client = server
        .builder()
        .retry(fast().retry_non_idempotent(true))
        .build()
        .unwrap();
    client
        .raw(Method::PUT, Api::V2, "/usergroups/g")
        .send()
        .await
        .unwrap();
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn a_call_can_opt_out_or_use_its_own_policy() {
    let server = MockServer::start(|_| Reply::status(503)).await;
    let client = server.builder().retry(fast()).build().unwrap();
    let mut req = client.raw(Method::GET, Api::V2, "/systems");
    req.idempotent(false);
    req.send().await.unwrap_err();
    assert_eq!(server.requests().len(), 1);

    let mut req = client.raw(Method::GET, Api::V2, "/systems");
    req.retry_policy(RetryPolicy::disabled());
    req.send().await.unwrap_err();
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn retry_after_seconds_is_honoured() {
    let server = MockServer::sequence(vec![
        Reply::status(429).header("Retry-After", "1"),
        Reply::json(200, &json!({})),
    ])
    .await;
    // The computed backoff alone would be a few milliseconds.
    let client = server.builder().retry(fast()).build().unwrap();
    let started = Instant::now();
    client
        .raw(Method::GET, Api::V2, "/systems")
        .send()
        .await
        .unwrap();
    assert!(
        started.elapsed() >= Duration::from_millis(950),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn retry_after_http_date_is_honoured() {
    // Two seconds ahead, so that the whole-second resolution of HTTP dates still leaves at
    // least one second to wait.
    let at = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(2));
    let server = MockServer::sequence(vec![
        Reply::status(503).header("Retry-After", &at),
        Reply::json(200, &json!({})),
    ])
    .await;
    let client = server.builder().retry(fast()).build().unwrap();
    let started = Instant::now();
    client
        .raw(Method::GET, Api::V2, "/systems")
        .send()
        .await
        .unwrap();
    assert!(
        started.elapsed() >= Duration::from_millis(950),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn a_wait_beyond_the_time_budget_gives_up_at_once() {
    let server = MockServer::start(|_| Reply::status(429).header("Retry-After", "3600")).await;
    let client = server
        .builder()
        .retry(fast().max_elapsed(Duration::from_secs(10)))
        .build()
        .unwrap();
    let err = client
        .raw(Method::GET, Api::V2, "/systems")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(429));
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn a_dropped_connection_is_retried_for_get_only() {
    let server =
        MockServer::sequence(vec![Reply::drop_connection(), Reply::json(200, &json!({}))]).await;
    let client = server.builder().retry(fast()).build().unwrap();
    client
        .raw(Method::GET, Api::V2, "/systems")
        .send()
        .await
        .unwrap();
    assert_eq!(server.requests().len(), 2);

    let server =
        MockServer::sequence(vec![Reply::drop_connection(), Reply::json(200, &json!({}))]).await;
    let client = server.builder().retry(fast()).build().unwrap();
    let err = client
        .raw(Method::POST, Api::V2, "/usergroups")
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn a_refused_connection_is_retried_until_the_server_is_up() {
    // Reserve a port, then free it so that the first attempt is refused.
    let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = probe.local_addr().unwrap();
    drop(probe);

    let client = Client::builder()
        .api_key(TEST_KEY)
        .base_url(Api::V2, format!("http://{addr}/api/v2"))
        .retry(
            RetryPolicy::new()
                .initial_backoff(Duration::from_millis(1500))
                .max_attempts(2),
        )
        .build()
        .unwrap();
    let call = tokio::spawn(async move {
        client
            .raw(Method::GET, Api::V2, "/systems")
            .send()
            .await
            .map(|r| r.status())
    });
    // The retry waits at least 750 ms (half the backoff); the server is back well before.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let listener = tokio::net::TcpListener::bind(addr).await.unwrap();
    let server = MockServer::serve(listener, |_| Reply::json(200, &json!({})));

    assert_eq!(call.await.unwrap().unwrap(), 200);
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn a_refused_connection_ends_in_a_transport_error() {
    let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = probe.local_addr().unwrap();
    drop(probe);
    let client = Client::builder()
        .api_key(TEST_KEY)
        .base_url(Api::V2, format!("http://{addr}/api/v2"))
        .retry(fast().max_attempts(2))
        .build()
        .unwrap();
    let err = client
        .raw(Method::GET, Api::V2, "/systems")
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Transport {
                operation: "raw",
                ..
            }
        ),
        "{err:?}"
    );
    assert!(!err.to_string().contains(TEST_KEY));
}
