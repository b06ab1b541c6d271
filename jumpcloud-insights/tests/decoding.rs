//! The decoding rule for Directory Insights: one bad event never fails a page. Events are
//! decoded by the generated `directoryInsights_eventsPost` operation (single page and stream)
//! from a mock server on 127.0.0.1.
//!
//! The assertions compare `serde_json::to_value` of what the client returns, so they hold
//! whether events are kept as JSON maps or as JSON values, and whether an entry that is not an
//! object at all is kept verbatim or skipped; they fail when a good event is lost or altered.

use futures_util::StreamExt as _;
use jumpcloud_core::RetryPolicy;
use jumpcloud_insights::{Client, types};
use jumpcloud_testkit::{MockServer, Recorded, Reply, TEST_KEY};
use serde_json::{Value, json};

fn client(server: &MockServer) -> Client {
    Client::new(
        server
            .builder()
            .retry(RetryPolicy::disabled())
            .build()
            .expect("client"),
    )
}

fn query(body: &Value) -> types::EventQuery {
    serde_json::from_value(body.clone()).expect("event query")
}

fn assert_events_request(request: &Recorded, body: &Value) {
    assert_eq!(request.method, "POST");
    assert_eq!(request.path(), "/insights/directory/v1/events");
    assert_eq!(request.header("x-api-key"), Some(TEST_KEY));
    assert!(
        request
            .header("content-type")
            .is_some_and(|ct| ct.starts_with("application/json"))
    );
    assert_eq!(&request.json(), body);
}

fn login(id: &str) -> Value {
    json!({
        "id": id,
        "service": "sso",
        "event_type": "sso_auth",
        "organization": "aaaaaaaaaaaaaaaaaaaa0001",
        "timestamp": "2024-02-13T08:06:00.000Z",
        "success": true,
        "initiated_by": {"type": "user", "username": "user.one", "id": "bbbbbbbbbbbbbbbbbbbb0400"},
        "client_ip": "192.0.2.44",
        "geoip": {"country_code": "DE", "timezone": "Europe/Berlin"},
        "application": {"id": "bbbbbbbbbbbbbbbbbbbb0410", "name": "wiki"}
    })
}

/// The objects among what the client returned, and a check that anything else it returned
/// is one of the non-object entries the server sent.
fn objects(decoded: &Value, sent: &[Value]) -> Vec<Value> {
    let items = decoded.as_array().expect("a list of events");
    for item in items.iter().filter(|v| !v.is_object()) {
        assert!(sent.contains(item), "invented entry {item}");
    }
    items.iter().filter(|v| v.is_object()).cloned().collect()
}

#[tokio::test]
async fn events_of_any_shape_are_kept_whole() {
    let odd = vec![
        login("evt-0201"),
        // `changes` as an object rather than a list of {field}.
        json!({"id": "evt-0202", "service": "systems", "event_type": "system_update",
               "timestamp": "2024-02-13T08:07:00.000Z",
               "changes": {"displayName": {"old": "a", "new": "b"}}}),
        // Types other than the usual: numeric timestamp, text success, text initiator.
        json!({"id": "evt-0203", "service": "directory", "event_type": "user_create",
               "timestamp": 1_707_812_000_000_u64, "success": "yes",
               "initiated_by": "system", "resource": null}),
        // Fields nobody has seen before, nested arbitrarily.
        json!({"id": "evt-0204", "service": "password_manager", "event_type": "pwm_item_shared",
               "timestamp": "2024-02-13T08:09:00.000Z",
               "details": {"share": [{"with": ["u1", "u2"], "perm": {"level": 3}}]}}),
    ];
    let server = MockServer::sequence(vec![
        Reply::json(200, &Value::Array(odd.clone()))
            .header("X-Result-Count", "4")
            .header("X-Limit", "100"),
    ])
    .await;
    let body = json!({"service": ["all"], "start_time": "2024-02-13T00:00:00Z"});

    let page = client(&server)
        .directory_insights_events_post(query(&body))
        .send()
        .await
        .expect("the page decodes");

    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    assert_events_request(&requests[0], &body);
    let decoded = serde_json::to_value(&*page).expect("serialize");
    assert_eq!(
        decoded,
        Value::Array(odd),
        "every event, every field, as sent"
    );
}

#[tokio::test]
async fn an_entry_that_is_not_an_event_does_not_fail_the_page() {
    let sent = vec![
        login("evt-0301"),
        Value::Null,
        json!("truncated event"),
        login("evt-0302"),
    ];
    let server = MockServer::sequence(vec![
        Reply::json(200, &Value::Array(sent.clone()))
            .header("X-Result-Count", "4")
            .header("X-Limit", "100"),
    ])
    .await;
    let body = json!({"service": ["sso"], "start_time": "2024-02-13T00:00:00Z", "limit": 100});

    let page = client(&server)
        .directory_insights_events_post(query(&body))
        .send()
        .await
        .expect("one bad entry must not fail the page");

    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    assert_events_request(&requests[0], &body);
    let decoded = serde_json::to_value(&*page).expect("serialize");
    assert_eq!(
        objects(&decoded, &sent),
        [login("evt-0301"), login("evt-0302")]
    );
}

#[tokio::test]
async fn a_bad_entry_does_not_stop_the_event_stream() {
    let first = vec![login("evt-0401"), json!(42), login("evt-0402")];
    let second = vec![login("evt-0403")];
    let pages = [first.clone(), second.clone()];
    let server = MockServer::sequence(vec![
        Reply::json(200, &Value::Array(first))
            .header("X-Result-Count", "3")
            .header("X-Limit", "3")
            .header("X-Search_after", r#"[1707812000000,"evt-0402"]"#),
        Reply::json(200, &Value::Array(second))
            .header("X-Result-Count", "1")
            .header("X-Limit", "3")
            .header("X-Search_after", r#"[1707812100000,"evt-0403"]"#),
    ])
    .await;
    let body = json!({"service": ["sso"], "start_time": "2024-02-13T00:00:00Z", "limit": 3});

    let results: Vec<_> = client(&server)
        .directory_insights_events_post(query(&body))
        .stream()
        .collect()
        .await;

    let decoded: Vec<Value> = results
        .into_iter()
        .map(|r| serde_json::to_value(r.expect("no event fails the stream")).unwrap())
        .collect();
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    assert_events_request(&requests[0], &body);
    let mut next = body.clone();
    next["search_after"] = json!([1_707_812_000_000_u64, "evt-0402"]);
    assert_events_request(&requests[1], &next);
    let sent: Vec<Value> = pages.concat();
    assert_eq!(
        objects(&Value::Array(decoded), &sent),
        [login("evt-0401"), login("evt-0402"), login("evt-0403")]
    );
}
