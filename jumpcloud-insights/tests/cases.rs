//! The recorded cases of `../shared/cases` whose `api` is `insights` (Directory Insights),
//! replayed through the generated client against a mock server on 127.0.0.1.

use std::time::Duration;

use futures_util::StreamExt as _;
use jumpcloud_core::{Error, RetryPolicy};
use jumpcloud_insights::{Client, types};
use jumpcloud_testkit::{MockServer, Reply, case};
use serde_json::{Value, json};
use jumpcloud_testkit::{assert_json_body, assert_request, unexpected};

fn client(server: &MockServer) -> Client {
    Client::new(
        server
            .builder()
            .retry(
                RetryPolicy::new()
                    .initial_backoff(Duration::from_millis(1))
                    .max_backoff(Duration::from_millis(4)),
            )
            .build()
            .expect("client"),
    )
}

fn query(body: &Value) -> types::EventQuery {
    serde_json::from_value(body.clone()).expect("event query")
}

fn event(id: &str) -> Value {
    json!({
        "id": id,
        "service": "directory",
        "event_type": "user_update",
        "timestamp": "2024-02-13T09:00:00.000Z"
    })
}

fn events_page(events: Vec<Value>, count: &str, limit: &str, cursor: Option<&str>) -> Reply {
    let reply = Reply::json(200, &Value::Array(events))
        .header("X-Result-Count", count)
        .header("X-Limit", limit);
    match cursor {
        Some(cursor) => reply.header("X-Search_after", cursor),
        None => reply,
    }
}

async fn collect_ok(
    stream: impl futures_util::Stream<Item = Result<Value, Error>> + Unpin,
) -> Vec<Value> {
    let results: Vec<Result<Value, Error>> = stream.collect().await;
    results
        .into_iter()
        .enumerate()
        .map(|(i, r)| r.unwrap_or_else(|e| panic!("stream item {i} failed: {e}")))
        .collect()
}

fn ids(events: &[Value]) -> Vec<&str> {
    events
        .iter()
        .map(|e| e["id"].as_str().expect("event id"))
        .collect()
}

// --- BUG-01: an event whose `changes` is an object ----------------------------------------

#[tokio::test]
async fn bug_01_event_with_object_changes_is_kept_verbatim_and_page_decodes() {
    let case = case("BUG-01");
    let server = MockServer::sequence(vec![Reply::from_case(&case["response"])]).await;

    let events = client(&server)
        .directory_insights_events_post(query(&case["request"]["body"]))
        .send()
        .await
        .expect("BUG-01: one odd event must not fail the page");

    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    assert_request(
        &requests[0],
        "POST",
        case["request"]["path"].as_str().unwrap(),
    );
    assert_json_body(&requests[0], &case["request"]["body"]);

    let expected = case["response"]["body"].as_array().unwrap();
    assert_eq!(events.len(), 2);
    assert_eq!(ids(&events), ["evt-0001", "evt-0002"]);
    assert!(events[0]["changes"].is_array());
    assert!(events[1]["changes"].is_object());
    assert_eq!(events[1]["changes"], expected[1]["changes"]);
    // Both events whole, every field as sent.
    for (decoded, sent) in events.iter().zip(expected) {
        assert_eq!(decoded, sent);
    }
    assert_eq!(events.header("X-Result-Count"), Some("2"));
}

// --- BUG-11: the search_after cursor ------------------------------------------------------

#[tokio::test]
async fn bug_11_stream_sends_cursor_as_given_then_from_header_until_short_page() {
    let case = case("BUG-11");
    let body = case["request"]["body"].clone();
    let recorded = Reply::from_case(&case["response"]);
    let server = MockServer::start(move |request| {
        let sent = request.json();
        match sent["search_after"].as_array().map(Vec::as_slice) {
            Some([Value::Number(n), Value::String(id)])
                if n.as_u64() == Some(1_707_800_000_000) && id == "evt-0002" =>
            {
                recorded.clone()
            }
            Some([Value::Number(n), Value::String(id)])
                if n.as_u64() == Some(1_707_800_500_000) && id == "evt-0004" =>
            {
                events_page(
                    vec![event("evt-0005")],
                    "1",
                    "2",
                    Some(r#"[1707800600000,"evt-0005"]"#),
                )
            }
            _ => unexpected(request),
        }
    })
    .await;

    let events = collect_ok(
        client(&server)
            .directory_insights_events_post(query(&body))
            .stream(),
    )
    .await;

    let requests = server.requests();
    assert_eq!(
        requests.len(),
        2,
        "X-Result-Count 1 < X-Limit 2 ends the listing"
    );
    for request in &requests {
        assert_request(request, "POST", "/insights/directory/v1/events");
    }
    // First page: the caller's query exactly, cursor included as [number, string].
    assert_json_body(&requests[0], &body);
    // Next page: the same query with the header's cursor, a number and a string.
    let mut next = body.clone();
    next["search_after"] = json!([1_707_800_500_000_u64, "evt-0004"]);
    assert_json_body(&requests[1], &next);
    assert!(requests[1].json()["search_after"][0].is_u64());
    assert!(requests[1].json()["search_after"][1].is_string());

    assert_eq!(ids(&events), ["evt-0003", "evt-0004", "evt-0005"]);
    assert_eq!(events[0]["service"], "sso");
}

#[tokio::test]
async fn bug_11_stream_stops_when_cursor_header_is_missing() {
    let server = MockServer::sequence(vec![events_page(
        vec![event("evt-0101"), event("evt-0102")],
        "2",
        "2",
        None,
    )])
    .await;
    let body = json!({"service": ["all"], "start_time": "2024-02-13T00:00:00Z", "limit": 2});

    let events = collect_ok(
        client(&server)
            .directory_insights_events_post(query(&body))
            .stream(),
    )
    .await;

    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    assert_request(&requests[0], "POST", "/insights/directory/v1/events");
    assert_json_body(&requests[0], &body);
    assert_eq!(ids(&events), ["evt-0101", "evt-0102"]);
}

/// "9" and "10" compare the wrong way as text: a 9-event page under a limit of 10 is the last
/// one, while 10 of 10 goes on.
#[tokio::test]
async fn bug_11_stream_compares_header_counts_as_integers() {
    let first: Vec<Value> = (0..10).map(|n| event(&format!("evt-1{n:03}"))).collect();
    let second: Vec<Value> = (10..19).map(|n| event(&format!("evt-1{n:03}"))).collect();
    let server = MockServer::start(move |request| {
        match request.json()["search_after"].as_array().map(Vec::len) {
            None => events_page(
                first.clone(),
                "10",
                "10",
                Some(r#"[1707900000000,"evt-1009"]"#),
            ),
            Some(2) => events_page(
                second.clone(),
                "9",
                "10",
                Some(r#"[1707900100000,"evt-1018"]"#),
            ),
            _ => unexpected(request),
        }
    })
    .await;
    let body = json!({"service": ["directory"], "start_time": "2024-02-13T00:00:00Z", "limit": 10});

    let events = collect_ok(
        client(&server)
            .directory_insights_events_post(query(&body))
            .stream(),
    )
    .await;

    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    assert_json_body(&requests[0], &body);
    assert_eq!(
        requests[1].json()["search_after"],
        json!([1_707_900_000_000_u64, "evt-1009"])
    );
    assert_eq!(events.len(), 19);
    assert_eq!(events[18]["id"], "evt-1018");
}

// --- BUG-12 and BUG-14 (Directory Insights side) -----------------------------------------

#[tokio::test]
async fn bug_12_events_carry_the_configured_org_id() {
    let server =
        MockServer::sequence(vec![events_page(vec![event("evt-0601")], "1", "10", None)]).await;
    let client = Client::new(
        server
            .builder()
            .org_id("aaaaaaaaaaaaaaaaaaaa0001")
            .build()
            .expect("client"),
    );
    let body = json!({"service": ["directory"], "start_time": "2024-02-13T00:00:00Z", "limit": 10});

    let events = client
        .directory_insights_events_post(query(&body))
        .send()
        .await
        .expect("events");

    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    assert_request(&requests[0], "POST", "/insights/directory/v1/events");
    assert_eq!(
        requests[0].header("x-org-id"),
        Some("aaaaaaaaaaaaaaaaaaaa0001")
    );
    assert_eq!(requests[0].header_count("x-org-id"), 1);
    assert_json_body(&requests[0], &body);
    assert_eq!(ids(&events), ["evt-0601"]);
}

/// The event query is a POST that only reads, so it is retried like a GET.
#[tokio::test]
async fn bug_14_event_query_is_retried_on_503() {
    let server = MockServer::sequence(vec![
        Reply::text(
            503,
            "text/html",
            "<html><body>Service Unavailable</body></html>",
        ),
        Reply::json(429, &json!({"message": "slow down"})).header("retry-after", "0"),
        events_page(vec![event("evt-0701")], "1", "10", None),
    ])
    .await;
    let body = json!({"service": ["all"], "start_time": "2024-02-13T00:00:00Z", "limit": 10});

    let events = client(&server)
        .directory_insights_events_post(query(&body))
        .send()
        .await
        .expect("the third attempt succeeds");

    let requests = server.requests();
    assert_eq!(requests.len(), 3);
    for request in &requests {
        assert_request(request, "POST", "/insights/directory/v1/events");
        assert_json_body(request, &body);
    }
    assert_eq!(ids(&events), ["evt-0701"]);
}

// --- BUG-18: report artifacts as CSV or JSON ----------------------------------------------

#[tokio::test]
async fn bug_18_csv_artifact_is_returned_as_bytes_with_its_content_type() {
    let case = case("BUG-18");
    let server = MockServer::sequence(vec![Reply::from_case(&case["response"])]).await;

    let artifact = client(&server)
        .directory_insights_reports_artifact_content_get("rep-0001", "art-0001")
        .send()
        .await
        .expect("BUG-18: a CSV artifact is a success");

    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    assert_request(
        &requests[0],
        "GET",
        case["request"]["path"].as_str().unwrap(),
    );
    assert!(requests[0].body.is_empty());
    let accept = requests[0].header("accept").unwrap_or_default();
    assert!(accept.contains("text/csv"), "accept {accept:?}");

    assert_eq!(artifact.content_type.as_deref(), Some("text/csv"));
    assert!(!artifact.is_json());
    assert_eq!(
        &artifact.bytes[..],
        case["response"]["body"].as_str().unwrap().as_bytes()
    );
}

#[tokio::test]
async fn bug_18_json_artifact_decodes_to_an_open_json_value() {
    let rows = json!([
        {"timestamp": "2025-01-01T00:00:00Z", "event_type": "login_attempt", "username": "user.one"}
    ]);
    let server = MockServer::sequence(vec![Reply::json(200, &rows)]).await;

    let artifact = client(&server)
        .directory_insights_reports_artifact_content_get("rep-0001", "art-0002")
        .send()
        .await
        .expect("artifact");

    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    assert_request(
        &requests[0],
        "GET",
        "/insights/directory/v1/reports/rep-0001/artifacts/art-0002/content",
    );
    assert_eq!(artifact.content_type.as_deref(), Some("application/json"));
    assert!(artifact.is_json());
    assert_eq!(artifact.json::<Value>().expect("json"), rows);
}

/// The cases this file replays: every case file whose `api` is `insights`, and no other. A new
/// case file for this API fails here until it has a test.
const REPLAYED: &[&str] = &["BUG-01", "BUG-11", "BUG-18"];

#[test]
fn every_insights_case_file_is_replayed_here() {
    let dir = jumpcloud_testkit::shared_dir().join("cases");
    let mut ids: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .map(|path| path.file_stem().unwrap().to_string_lossy().into_owned())
        .filter(|id| case(id)["api"] == "insights")
        .collect();
    ids.sort();
    assert_eq!(ids, REPLAYED);
}
