//! Tracing: one span per call with the fields operators filter on, retries visible, and no
//! secrets at any level. Alone in its binary because it installs the global subscriber (a
//! thread-local one misses events whose callsites other tests' threads registered first).

use jumpcloud_testkit as support;

use std::sync::{Arc, Mutex};

use jumpcloud_core::{Api, Method, Operation, RetryPolicy, encode_path_segment};
use serde_json::json;
use support::{MockServer, Reply, TEST_KEY};

static MEMBERS: Operation = Operation {
    id: "graph_systemGroupMembersList",
    method: Method::GET,
    path: "/systemgroups/{group_id}/members",
    api: Api::V2,
};

/// Collects everything `tracing` prints while a test runs.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }
}

fn capture_traces() -> Captured {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_max_level(tracing::Level::TRACE)
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .finish();
    tracing::subscriber::set_global_default(subscriber).unwrap();
    captured
}

#[tokio::test]
async fn every_call_is_a_span_with_operation_status_attempt_and_latency() {
    let captured = capture_traces();
    let server = MockServer::sequence(vec![
        Reply::text(503, "text/html", "<html>busy</html>"),
        Reply::json(200, &json!([])),
    ])
    .await;
    let client = server
        .builder()
        .org_id("org-1")
        .retry(RetryPolicy::new().initial_backoff(std::time::Duration::from_millis(1)))
        .build()
        .unwrap();
    let path = format!("/systemgroups/{}/members", encode_path_segment("g1"));
    client
        .request(&MEMBERS, path)
        .send()
        .await
        .unwrap()
        .json::<Vec<serde_json::Value>>()
        .unwrap();

    let logs = captured.text();
    assert!(logs.contains("jumpcloud.request"), "{logs}");
    assert!(
        logs.contains("operation=\"graph_systemGroupMembersList\""),
        "{logs}"
    );
    assert!(logs.contains("method=GET"), "{logs}");
    assert!(
        logs.contains("path=\"/systemgroups/{group_id}/members\""),
        "{logs}"
    );
    assert!(logs.contains("status=200"), "{logs}");
    assert!(logs.contains("attempt=2"), "{logs}");
    assert!(logs.contains("latency_ms="), "{logs}");
    // The retry itself is visible, with its reason.
    assert!(logs.contains("retrying") && logs.contains("503"), "{logs}");
    // Secrets stay out of logs even at TRACE level (reqwest and hyper log there too).
    assert!(!logs.contains(TEST_KEY), "{logs}");
}
