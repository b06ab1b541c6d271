//! The seam generated code calls, end to end against a local server: what is sent, how
//! answers decode, how failures read.

use jumpcloud_testkit as support;

use jumpcloud_core::{
    Api, Client, Error, Form, Method, Operation, Part, Region, RetryPolicy, encode_path_segment,
};
use serde::Deserialize;
use serde_json::json;
use support::{MockServer, Reply, TEST_KEY};

static MEMBERS: Operation = Operation {
    id: "graph_systemGroupMembersList",
    method: Method::GET,
    path: "/systemgroups/{group_id}/members",
    api: Api::V2,
};

static CREATE_GROUP: Operation = Operation {
    id: "groups_user_post",
    method: Method::POST,
    path: "/usergroups",
    api: Api::V2,
};

static GET_SYSTEM: Operation = Operation {
    id: "systems_get",
    method: Method::GET,
    path: "/systems/{id}",
    api: Api::V1,
};

#[derive(Debug, Deserialize, PartialEq)]
struct Connection {
    to: Target,
}

#[derive(Debug, Deserialize, PartialEq)]
struct Target {
    id: String,
    #[serde(rename = "type")]
    kind: String,
}

#[tokio::test]
async fn get_sends_path_query_credentials_and_decodes() {
    let server = MockServer::sequence(vec![Reply::json(
        200,
        &json!([{"to": {"id": "s1", "type": "system"}}]),
    )])
    .await;
    let client = server.builder().org_id("org-42").build().unwrap();

    let path = format!("/systemgroups/{}/members", encode_path_segment("g 1/x"));
    let mut req = client.request(&MEMBERS, path);
    req.query("limit", &5);
    for filter in ["a:eq:1", "b:in:x|y"] {
        req.query("filter", filter);
    }
    let response = req.send().await.unwrap().json::<Vec<Connection>>().unwrap();

    assert_eq!(response.status(), 200);
    assert_eq!(
        response.into_inner(),
        vec![Connection {
            to: Target {
                id: "s1".into(),
                kind: "system".into()
            }
        }]
    );
    let sent = &server.requests()[0];
    assert_eq!(sent.method, "GET");
    assert_eq!(
        sent.target,
        "/api/v2/systemgroups/g%201%2Fx/members?limit=5&filter=a:eq:1&filter=b:in:x%7Cy"
    );
    assert_eq!(sent.header("x-api-key"), Some(TEST_KEY));
    assert_eq!(sent.header("x-org-id"), Some("org-42"));
    assert_eq!(sent.header("accept"), Some("application/json"));
    let agent = sent.header("user-agent").unwrap();
    assert_eq!(
        agent,
        format!("jumpcloud-core/{}", env!("CARGO_PKG_VERSION"))
    );
    // GET carries neither a body nor a content type (some JumpCloud endpoints choke on them).
    assert_eq!(sent.header("content-type"), None);
    assert!(sent.body.is_empty());
}

#[tokio::test]
async fn json_body_and_header_parameters_are_sent() {
    let server = MockServer::sequence(vec![Reply::json(201, &json!({"id": "g1"}))]).await;
    let client = server.builder().build().unwrap();

    let mut req = client.request(&CREATE_GROUP, "/usergroups".to_owned());
    req.header("x-custom", &"value 1").unwrap();
    req.json(&json!({"name": "Engineering", "description": null}))
        .unwrap();
    let created = req
        .send()
        .await
        .unwrap()
        .json::<serde_json::Value>()
        .unwrap()
        .into_inner();

    assert_eq!(created, json!({"id": "g1"}));
    let sent = &server.requests()[0];
    assert_eq!(sent.method, "POST");
    assert_eq!(sent.target, "/api/v2/usergroups");
    assert_eq!(sent.header("content-type"), Some("application/json"));
    assert_eq!(sent.header("x-custom"), Some("value 1"));
    // An explicit null must reach the server: it is how JumpCloud clears a field.
    assert_eq!(
        sent.json(),
        json!({"name": "Engineering", "description": null})
    );
    // No organization configured, no header.
    assert_eq!(sent.header("x-org-id"), None);
}

#[tokio::test]
async fn invalid_header_value_names_the_header_and_sends_nothing() {
    let server = MockServer::sequence(vec![]).await;
    let client = server.builder().build().unwrap();
    let mut req = client.request(&CREATE_GROUP, "/usergroups".to_owned());
    let err = req.header("x-trace", &"line\nbreak").unwrap_err();
    match &err {
        Error::InvalidRequest {
            operation,
            parameter,
            ..
        } => {
            assert_eq!(*operation, "groups_user_post");
            assert_eq!(parameter, "x-trace");
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(err.to_string().contains("x-trace"));
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn path_parameters_cannot_escape_the_endpoint() {
    let server = MockServer::sequence(vec![]).await;
    let client = server.builder().build().unwrap();
    for id in ["..", ".", ""] {
        let path = format!("/systems/{}", encode_path_segment(id));
        let path = if id.is_empty() {
            format!("{path}/x")
        } else {
            path
        };
        let err = client.request(&GET_SYSTEM, path).send().await.unwrap_err();
        assert!(
            matches!(&err, Error::InvalidRequest { parameter, .. } if parameter == "path"),
            "{id:?}: {err:?}"
        );
    }
    assert!(server.requests().is_empty());
}

#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct Item {
    id: String,
    count: u32,
}

#[tokio::test]
async fn decode_errors_name_operation_json_path_and_body() {
    let server = MockServer::sequence(vec![Reply::json(
        200,
        &json!([{"id": "a", "count": 1}, {"id": "b", "count": "many"}]),
    )])
    .await;
    let client = server.builder().build().unwrap();
    let err = client
        .request(&GET_SYSTEM, "/systems/s1".to_owned())
        .send()
        .await
        .unwrap()
        .json::<Vec<Item>>()
        .unwrap_err();
    let Error::Decode(decode) = &err else {
        panic!("expected a decode error, got {err:?}")
    };
    assert_eq!(decode.operation(), "systems_get");
    assert_eq!(decode.path(), "[1].count");
    assert!(decode.snippet().contains("many"), "{}", decode.snippet());
    let text = err.to_string();
    assert!(
        text.contains("systems_get") && text.contains("[1].count"),
        "{text}"
    );
}

#[tokio::test]
async fn responses_decode_by_content_type() {
    let server = MockServer::sequence(vec![
        Reply::text(200, "text/plain; charset=utf-8", "plain words"),
        Reply::text(200, "text/csv", "a,b\n1,2\n"),
        Reply::status(204),
        Reply::json(200, &serde_json::Value::Null),
        Reply::status(200),
        Reply::status(200),
        Reply::text(200, "text/plain", "bare string"),
        Reply::text(200, "text/html", "<html>login</html>"),
        Reply::text(200, "application/json", "{\"id\":\"s1\"}"),
    ])
    .await;
    let client = server.builder().build().unwrap();
    let send = || client.request(&GET_SYSTEM, "/systems/s1".to_owned()).send();

    assert_eq!(
        send().await.unwrap().text().unwrap().into_inner(),
        "plain words"
    );

    let csv = send().await.unwrap().bytes().unwrap().into_inner();
    assert_eq!(csv.content_type.as_deref(), Some("text/csv"));
    assert_eq!(&csv.bytes[..], b"a,b\n1,2\n");
    assert!(!csv.is_json());

    let no_content = send().await.unwrap().empty().unwrap();
    assert_eq!(no_content.status(), 204);

    // `null` and an empty body are both fine where the operation declares no body...
    send().await.unwrap().json::<()>().unwrap();
    let absent = send()
        .await
        .unwrap()
        .json::<Option<Item>>()
        .unwrap()
        .into_inner();
    assert!(absent.is_none());
    // ...but not where a value is required.
    let err = send().await.unwrap().json::<Vec<Item>>().unwrap_err();
    assert!(matches!(err, Error::Decode(_)), "{err:?}");

    // A string result labelled text/plain.
    let text = send().await.unwrap().json::<String>().unwrap().into_inner();
    assert_eq!(text, "bare string");

    // An HTML page where JSON was expected says so.
    let err = send().await.unwrap().json::<Vec<Item>>().unwrap_err();
    assert!(err.to_string().contains("text/html"), "{err}");

    let binary = send().await.unwrap().bytes().unwrap().into_inner();
    assert!(binary.is_json());
    let value: serde_json::Value = binary.json().unwrap();
    assert_eq!(value, json!({"id": "s1"}));
}

#[tokio::test]
async fn multipart_uploads_the_file() {
    static LOGO: Operation = Operation {
        id: "applications_postLogo",
        method: Method::POST,
        path: "/applications/{application_id}/logo",
        api: Api::V2,
    };
    let server = MockServer::sequence(vec![Reply::status(204)]).await;
    let client = server.builder().build().unwrap();
    let mut req = client.request(&LOGO, "/applications/app1/logo".to_owned());
    req.multipart(
        Form::new().part(
            "image",
            Part::bytes(vec![0x89, b'P', b'N', b'G'])
                .file_name("logo.png")
                .mime("image/png"),
        ),
    );
    req.send().await.unwrap().empty().unwrap();

    let sent = &server.requests()[0];
    let content_type = sent.header("content-type").unwrap();
    let boundary = content_type
        .strip_prefix("multipart/form-data; boundary=")
        .unwrap();
    let mut expected = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"image\"; \
         filename=\"logo.png\"\r\nContent-Type: image/png\r\n\r\n"
    )
    .into_bytes();
    expected.extend_from_slice(&[0x89, b'P', b'N', b'G']);
    expected.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    assert_eq!(sent.body, expected);
}

#[tokio::test]
async fn raw_requests_reuse_credentials_org_rules_and_bases() {
    let server = MockServer::sequence(vec![
        Reply::json(
            200,
            &json!({"totalCount": 1, "results": [{"email": "a@example.com"}]}),
        ),
        Reply::json(200, &json!({"ok": true})),
    ])
    .await;
    let client = server.builder().org_id("org-1").build().unwrap();

    // The v1 administrator list is missing from the spec, and is provider-level.
    let mut req = client.raw(Method::GET, Api::V1, "/users");
    req.query("limit", &100);
    let admins = req
        .send()
        .await
        .unwrap()
        .json::<serde_json::Value>()
        .unwrap()
        .into_inner();
    assert_eq!(admins["totalCount"], 1);

    let mut req = client.raw(Method::POST, Api::Insights, "/events/count");
    req.json(&json!({"service": ["all"]})).unwrap();
    req.send()
        .await
        .unwrap()
        .json::<serde_json::Value>()
        .unwrap();

    let sent = server.requests();
    assert_eq!(sent[0].target, "/api/users?limit=100");
    assert_eq!(sent[0].header("x-api-key"), Some(TEST_KEY));
    assert_eq!(sent[0].header("x-org-id"), None);
    assert_eq!(sent[1].target, "/insights/directory/v1/events/count");
    assert_eq!(sent[1].header("x-org-id"), Some("org-1"));
}

#[tokio::test]
async fn base_urls_and_paths_join_without_lost_or_doubled_segments() {
    let server = MockServer::start(|_| Reply::json(200, &json!({}))).await;
    let client = Client::builder()
        .api_key(TEST_KEY)
        // With and without a trailing slash, and with no path at all.
        .base_url(Api::V1, format!("{}/proxy/jc/api/", server.url()))
        .base_url(Api::V2, format!("{}/proxy/jc/api/v2", server.url()))
        .base_url(Api::Insights, server.url())
        .build()
        .unwrap();
    for api in [Api::V1, Api::V2, Api::Insights] {
        client
            .raw(Method::GET, api, "/systems")
            .send()
            .await
            .unwrap();
    }
    // A raw path without its leading slash still joins with exactly one.
    client
        .raw(Method::GET, Api::V1, "systems")
        .send()
        .await
        .unwrap();
    let targets: Vec<String> = server.requests().into_iter().map(|r| r.target).collect();
    assert_eq!(
        targets,
        [
            "/proxy/jc/api/systems",
            "/proxy/jc/api/v2/systems",
            "/systems",
            "/proxy/jc/api/systems"
        ]
    );
}

#[test]
fn regions_derive_all_three_bases_together() {
    let expected = [
        (
            Region::Us,
            "https://console.jumpcloud.com/api",
            "https://console.jumpcloud.com/api/v2",
            "https://api.jumpcloud.com/insights/directory/v1",
        ),
        (
            Region::Eu,
            "https://console.eu.jumpcloud.com/api",
            "https://console.eu.jumpcloud.com/api/v2",
            "https://api.eu.jumpcloud.com/insights/directory/v1",
        ),
        (
            Region::In,
            "https://console.in.jumpcloud.com/api",
            "https://console.in.jumpcloud.com/api/v2",
            "https://api.in.jumpcloud.com/insights/directory/v1",
        ),
    ];
    for (region, v1, v2, insights) in expected {
        // Building a client sends nothing, so the real hosts are safe here.
        let client = Client::builder()
            .api_key("k")
            .region(region)
            .build()
            .unwrap();
        assert_eq!(client.base_url(Api::V1), v1);
        assert_eq!(client.base_url(Api::V2), v2);
        assert_eq!(client.base_url(Api::Insights), insights);
        assert_eq!(region.to_string().parse::<Region>().unwrap(), region);
    }
}

#[tokio::test]
async fn api_errors_keep_status_message_body_and_request_id() {
    let server = MockServer::sequence(vec![
        Reply::json(404, &json!({"message": "system not found"})).header("X-Request-Id", "req-123"),
        Reply::text(
            400,
            "text/html",
            "<html><body>Bad gateway page</body></html>",
        ),
    ])
    .await;
    let client = server.builder().org_id("o").build().unwrap();

    let err = client
        .request(&GET_SYSTEM, "/systems/nope".to_owned())
        .send()
        .await
        .unwrap_err();
    let api = err.as_api().expect("an API error");
    assert_eq!(api.status(), 404);
    assert_eq!(api.message(), Some("system not found"));
    assert_eq!(api.request_id(), Some("req-123"));
    assert_eq!(api.operation(), "systems_get");
    assert_eq!(api.attempts(), 1);
    #[derive(Deserialize)]
    struct Declared {
        message: String,
    }
    assert_eq!(
        api.decode::<Declared>().unwrap().message,
        "system not found"
    );
    let text = err.to_string();
    assert!(text.contains("404") && text.contains("system not found") && text.contains("req-123"));

    let err = client
        .request(&GET_SYSTEM, "/systems/x".to_owned())
        .send()
        .await
        .unwrap_err();
    let api = err.as_api().unwrap();
    assert_eq!(api.message(), None);
    assert_eq!(
        api.body_text(),
        "<html><body>Bad gateway page</body></html>"
    );
    assert!(err.to_string().contains("Bad gateway page"));
}

#[tokio::test]
async fn timeouts_are_their_own_error_and_not_retried() {
    let server = MockServer::start(|_| {
        Reply::json(200, &json!({})).delay(std::time::Duration::from_secs(3))
    })
    .await;
    let client = server
        .builder()
        .timeout(std::time::Duration::from_millis(200))
        .retry(RetryPolicy::new().initial_backoff(std::time::Duration::from_millis(1)))
        .build()
        .unwrap();
    let err = client
        .request(&GET_SYSTEM, "/systems/slow".to_owned())
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Timeout {
                operation: "systems_get",
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn per_call_timeout_overrides_the_client() {
    let server = MockServer::start(|_| {
        Reply::json(200, &json!({})).delay(std::time::Duration::from_millis(300))
    })
    .await;
    let client = server
        .builder()
        .timeout(std::time::Duration::from_millis(50))
        .build()
        .unwrap();
    let mut req = client.request(&GET_SYSTEM, "/systems/s".to_owned());
    req.timeout(std::time::Duration::from_secs(5));
    req.send().await.unwrap();
}

#[test]
fn configuration_errors_are_reported_without_secrets() {
    let none = Client::builder().build().unwrap_err();
    assert!(matches!(none, Error::Config { .. }));
    assert!(none.to_string().contains("credentials"));

    let bad_key = format!("{TEST_KEY}\n");
    let err = Client::builder().api_key(&bad_key).build().unwrap_err();
    assert!(!err.to_string().contains(TEST_KEY));
    assert!(!format!("{err:?}").contains(TEST_KEY));

    let err = Client::builder()
        .api_key("k")
        .base_url(Api::V2, "ftp://example.invalid/api/v2")
        .build()
        .unwrap_err();
    assert!(err.to_string().contains("v2"), "{err}");

    let err = Client::builder()
        .api_key("k")
        .base_url(Api::V1, "not a url")
        .build()
        .unwrap_err();
    assert!(matches!(err, Error::Config { .. }));
}

#[test]
fn debug_output_never_shows_the_api_key() {
    let builder = Client::builder().api_key(TEST_KEY).org_id("org-visible");
    let shown = format!("{builder:?}");
    assert!(!shown.contains(TEST_KEY), "{shown}");
    assert!(shown.contains("redacted"));

    let client = builder.build().unwrap();
    let shown = format!("{client:?} {client:#?}");
    assert!(!shown.contains(TEST_KEY), "{shown}");
    assert!(shown.contains("org-visible"));

    let request = client.raw(Method::GET, Api::V2, "/systems");
    let shown = format!("{request:?}");
    assert!(!shown.contains(TEST_KEY), "{shown}");
}

#[tokio::test]
async fn user_agent_names_the_application_then_the_crate() {
    let server = MockServer::sequence(vec![Reply::json(200, &json!({}))]).await;
    let client = server
        .builder()
        .user_agent("acme-sync/2.1")
        .build()
        .unwrap();
    client
        .raw(Method::GET, Api::V2, "/systems")
        .send()
        .await
        .unwrap();
    assert_eq!(
        server.requests()[0].header("user-agent").unwrap(),
        format!("acme-sync/2.1 jumpcloud-core/{}", env!("CARGO_PKG_VERSION"))
    );
}
