//! The golden crate against a mock server: every construct the generator emits, exercised over
//! HTTP, so a change to emission that compiles but sends the wrong request fails here.

use futures_util::StreamExt as _;
use golden_constructs::{Client, types};
use jumpcloud_testkit::{MockServer, Reply};
use serde_json::json;

async fn client(server: &MockServer) -> Client {
    Client::new(server.builder().build().unwrap())
}

#[tokio::test]
async fn query_arrays_headers_and_path_are_encoded_per_spec() {
    let server = MockServer::sequence(vec![Reply::json(200, &json!({"id": "a/b"}))]).await;
    let thing = client(&server)
        .await
        .things_get("a/b c")
        .fields(["id", "name"])
        .filter(["name:eq:x", "kind:in:a|b"])
        .x_trace("t-1")
        .sort(types::ThingsGetSort::DescName)
        .send()
        .await
        .unwrap();
    assert_eq!(thing.id.as_deref(), Some("a/b"));
    let req = &server.requests()[0];
    assert_eq!(req.method, "GET");
    assert_eq!(req.path(), "/api/v2/things/a%2Fb%20c");
    // `explode: false` joins with commas; the default form style repeats the key.
    assert_eq!(
        req.query_pairs(),
        [
            ("fields".to_owned(), "id,name".to_owned()),
            ("filter".to_owned(), "name:eq:x".to_owned()),
            ("filter".to_owned(), "kind:in:a|b".to_owned()),
            ("sort".to_owned(), "-name".to_owned()),
        ]
    );
    assert_eq!(req.header("x-trace"), Some("t-1"));
}

#[tokio::test]
async fn integers_outside_declared_bounds_are_rejected_before_sending() {
    let server = MockServer::sequence(vec![]).await;
    let err = client(&server).await.list_with_header_total().limit(101).send().await.unwrap_err();
    match err {
        jumpcloud_core::Error::InvalidRequest { operation, parameter, message, .. } => {
            assert_eq!((operation, parameter.as_str()), ("list_with_header_total", "limit"));
            assert!(message.contains("from 0 to 100") && message.contains("101"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn decoding_keeps_both_ids_unknown_values_and_explicit_null() {
    let body = json!({
        "id": "new", "_id": "legacy", "status": "suspended", "manager": null,
        "unsigned": 18446744073709551615u64, "size": null, "when": "not a date", "extra": {"k": [1]},
        "owner": {"kind": "device_group"}, "unknownField": true
    });
    let server = MockServer::sequence(vec![Reply::json(200, &body)]).await;
    let thing = client(&server).await.things_get("x").send().await.unwrap().into_inner();
    assert_eq!(thing.id.as_deref(), Some("new"));
    assert_eq!(thing.underscore_id.as_deref(), Some("legacy"));
    assert_eq!(thing.status, Some(types::Status::Unknown("suspended".into())));
    assert_eq!(thing.manager, Some(None), "an explicit null is kept apart from absence");
    assert_eq!(thing.unsigned, Some(u64::MAX));
    assert_eq!(thing.size, None);
    assert_eq!(thing.when.as_deref(), Some("not a date"));
    assert_eq!(thing.owner.unwrap().kind, Some(types::ThingOwnerInlineKind::Unknown("device_group".into())));
    // Unknown values go back unchanged; a cleared field is sent as null, an unset one not at all.
    let mut put = types::Thing::default();
    put.status = Some(types::Status::Unknown("suspended".into()));
    put.manager = Some(None);
    let server = MockServer::sequence(vec![Reply::status(204)]).await;
    let replaced = client(&server).await.things_put("x", put).send().await.unwrap();
    assert_eq!(replaced.into_inner(), None, "204 beside 200 decodes as None");
    assert_eq!(server.requests()[0].json(), json!({"status": "suspended", "manager": null}));
}

#[tokio::test]
async fn header_total_pager_goes_past_short_pages() {
    let page = |n: usize, total: &str| {
        Reply::json(200, &json!(vec!["active"; n])).header("x-total-count", total)
    };
    let server = MockServer::sequence(vec![page(99, "250"), page(100, "250"), page(40, "250")]).await;
    let items: Vec<_> = client(&server).await.list_with_header_total().stream().collect().await;
    assert_eq!(items.len(), 239);
    let skips: Vec<_> = server.requests().iter().map(|r| (r.query_param("skip"), r.query_param("limit"))).collect();
    let expected: Vec<_> = ["0", "100", "200"].iter().map(|s| (Some(s.to_string()), Some("100".to_owned()))).collect();
    assert_eq!(skips, expected);
}

#[tokio::test]
async fn body_total_pager_stops_at_the_total() {
    let server = MockServer::sequence(vec![
        Reply::json(200, &json!({"totalCount": 101, "results": vec![json!({}); 100]})),
        Reply::json(200, &json!({"totalCount": 101, "results": [{}]})),
    ])
    .await;
    let items: Vec<_> = client(&server).await.list_with_body_total().stream().collect().await;
    assert_eq!(items.len(), 101);
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn search_pager_writes_skip_and_limit_into_the_body_and_is_retried() {
    let server = MockServer::sequence(vec![
        Reply::text(503, "text/html", "<html>busy</html>"),
        Reply::json(200, &json!(["a", "b"])).header("x-total-count", "2"),
    ])
    .await;
    let mut body = types::ListBySearchBody::default();
    body.filter = Some(serde_json::Map::new());
    let items: Vec<String> = client(&server)
        .await
        .list_by_search(body)
        .stream()
        .map(Result::unwrap)
        .collect()
        .await;
    assert_eq!(items, ["a", "b"]);
    let reqs = server.requests();
    assert_eq!(reqs.len(), 2, "the idempotent search POST is retried once after the 503");
    assert_eq!(reqs[1].json(), json!({"filter": {}, "skip": 0, "limit": 100}));
}

#[tokio::test]
async fn token_pager_follows_next_page_tokens() {
    let server = MockServer::sequence(vec![
        Reply::json(200, &json!({"users": [{"a": 1}], "nextPageToken": "t2"})),
        Reply::json(200, &json!({"users": [{"a": 2}], "nextPageToken": ""})),
    ])
    .await;
    let items: Vec<_> = client(&server).await.list_with_tokens().max_results(1).stream().collect().await;
    assert_eq!(items.len(), 2);
    let tokens: Vec<_> = server.requests().iter().map(|r| r.query_param("pageToken")).collect();
    assert_eq!(tokens, [None, Some("t2".to_owned())]);
}

#[tokio::test]
async fn cursor_pager_sends_the_header_cursor_back_in_the_body() {
    let server = MockServer::sequence(vec![
        Reply::json(200, &json!([{"id": 1}]))
            .header("X-Search_after", r#"[1707800000000,"e1"]"#)
            .header("X-Result-Count", "1")
            .header("X-Limit", "1"),
        Reply::json(200, &json!([]))
            .header("X-Search_after", r#"[1707800000001,"e2"]"#)
            .header("X-Result-Count", "0")
            .header("X-Limit", "1"),
    ])
    .await;
    let items: Vec<_> = client(&server).await.list_by_cursor().stream().collect().await;
    assert_eq!(items.len(), 1);
    let reqs = server.requests();
    assert_eq!(reqs[0].body, b"");
    assert_eq!(reqs[1].json(), json!({"search_after": [1707800000000u64, "e1"]}));
}

#[tokio::test]
async fn non_json_operations_ask_for_their_types_and_keep_bytes() {
    let server = MockServer::sequence(vec![Reply::text(200, "text/csv", "a,b\n1,2\n")]).await;
    let report = client(&server).await.type_("t", 5).send().await.unwrap().into_inner();
    assert_eq!(report.content_type.as_deref(), Some("text/csv"));
    assert_eq!(&report.bytes[..], b"a,b\n1,2\n");
    let req = &server.requests()[0];
    assert_eq!(req.header("accept"), Some("application/json, text/csv"));
    assert_eq!(req.query_param("limit").as_deref(), Some("5"));
}

#[tokio::test]
async fn multipart_upload_sends_file_and_text_parts() {
    let server = MockServer::sequence(vec![Reply::status(204)]).await;
    client(&server).await.upload_file().file("logo.png", &b"\x89PNG"[..]).comment("new").send().await.unwrap();
    let req = &server.requests()[0];
    let ct = req.header("content-type").unwrap();
    assert!(ct.starts_with("multipart/form-data; boundary="), "{ct}");
    let body = String::from_utf8_lossy(&req.body);
    assert!(body.contains("name=\"file\"; filename=\"logo.png\"") && body.contains("name=\"comment\""), "{body}");
}

#[tokio::test]
async fn pagers_start_at_the_builders_position_and_page_size() {
    let page = |n: usize| Reply::json(200, &json!(vec!["active"; n])).header("x-total-count", "12");
    let server = MockServer::sequence(vec![page(4), page(2)]).await;
    let items: Vec<_> = client(&server).await.list_with_header_total().skip(5).limit(5).stream().collect().await;
    assert_eq!(items.len(), 6);
    let sent: Vec<_> = server.requests().iter().map(|r| (r.query_param("skip"), r.query_param("limit"))).collect();
    let expected: Vec<_> = ["5", "10"].iter().map(|s| (Some(s.to_string()), Some("5".to_owned()))).collect();
    assert_eq!(sent, expected, "a short page does not end the listing; skip advances by the page size");
}

#[tokio::test]
async fn api_errors_keep_status_message_and_the_declared_error_body() {
    let server = MockServer::sequence(vec![
        Reply::json(404, &json!({"message": "thing x not found"})).header("x-request-id", "req-9"),
    ])
    .await;
    let err = client(&server).await.things_get("x").send().await.unwrap_err();
    let api = err.as_api().expect("an API error");
    assert_eq!(api.status().as_u16(), 404);
    assert_eq!(api.message(), Some("thing x not found"));
    let body: types::ErrorModel = api.decode().unwrap();
    assert_eq!(body.message.as_deref(), Some("thing x not found"));
    assert!(err.to_string().contains("things_get"), "{err}");
}
