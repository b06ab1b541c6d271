//! The recorded cases of `../shared/cases` whose `api` is `v1`, replayed through the generated
//! client against a mock server on 127.0.0.1, plus the v1 side of the cases that concern every
//! API (the organization header, retries).
//!
//! Each test sends the case's request through the operation's generated method, answers with
//! the case's response, and checks what went over the wire and what the caller gets back.


use futures_util::StreamExt as _;
use jumpcloud_core::Error;
use jumpcloud_testkit::{MockServer, Reply, TEST_KEY, case};
use jumpcloud_v1::{Client, types};
use serde_json::{Value, json};
use jumpcloud_testkit::{assert_json_body, assert_no_body, assert_request, case_query, case_query_value, quick_retries, sorted_query, unexpected};

const ORG_ID: &str = "aaaaaaaaaaaaaaaaaaaa0001";

fn client(server: &MockServer) -> Client {
    Client::new(
        server
            .builder()
            .retry(quick_retries())
            .build()
            .expect("client"),
    )
}

fn client_with_org(server: &MockServer) -> Client {
    Client::new(
        server
            .builder()
            .org_id(ORG_ID)
            .retry(quick_retries())
            .build()
            .expect("client"),
    )
}

async fn collect_ok<T>(
    stream: impl futures_util::Stream<Item = Result<T, Error>> + Unpin,
) -> Vec<T> {
    let results: Vec<Result<T, Error>> = stream.collect().await;
    results
        .into_iter()
        .enumerate()
        .map(|(i, r)| r.unwrap_or_else(|e| panic!("stream item {i} failed: {e}")))
        .collect()
}

fn system_user(n: i64) -> Value {
    json!({
        "_id": format!("bbbbbbbbbbbbbbbbbbbb{n:04}"),
        "username": format!("user.{n}"),
        "email": format!("user{n}@example.com")
    })
}

/// A v1 list page: `{totalCount, results}`.
fn v1_page(range: std::ops::Range<i64>, total: i64) -> Reply {
    Reply::json(
        200,
        &json!({"totalCount": total, "results": range.map(system_user).collect::<Vec<_>>()}),
    )
}

// --- BUG-07: the organization search answers organizations ---------------------------------

#[tokio::test]
async fn bug_07_organization_search_decodes_as_organizations() {
    let case = case("BUG-07");
    let server = MockServer::sequence(vec![Reply::from_case(&case["response"])]).await;
    let search: types::Search =
        serde_json::from_value(case["request"]["body"].clone()).expect("search body");

    let list = client(&server)
        .search_organizations_post()
        .body(search)
        .send()
        .await
        .expect("BUG-07: organizations");

    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    assert_request(&requests[0], "POST", "/api/search/organizations");
    assert_eq!(requests[0].query(), "");
    assert_json_body(&requests[0], &case["request"]["body"]);

    assert_eq!(list.total_count, Some(1));
    let results = list.results.as_deref().expect("results");
    assert_eq!(results.len(), 1);
    // Typed organization fields, non-empty: a systems-list response type has no
    // `display_name`/`logo_url` and would not compile here, and a lenient decode into the
    // wrong type would leave them empty.
    assert_eq!(results[0].display_name.as_deref(), Some("Example Org"));
    assert_eq!(results[0].id.as_deref(), Some("aaaaaaaaaaaaaaaaaaaa0001"));
    assert_eq!(results[0].logo_url.as_deref(), Some(""));
}

// --- BUG-10: page-size rules ---------------------------------------------------------------

#[tokio::test]
async fn bug_10_limit_above_100_names_limit_and_keeps_the_server_message() {
    let case = case("BUG-10");
    let server = MockServer::sequence(vec![Reply::from_case(&case["response"])]).await;

    let error = client(&server)
        .systemusers_list()
        .limit(case_query_value(&case, "limit"))
        .skip(case_query_value(&case, "skip"))
        .send()
        .await
        .expect_err("a limit of 1000 cannot succeed");

    match &error {
        Error::InvalidRequest { parameter, .. } => {
            assert_eq!(parameter, "limit");
            assert!(server.requests().is_empty(), "refused before sending");
        }
        Error::Api(api) => {
            assert_eq!(api.status().as_u16(), 400);
            assert_eq!(api.message(), case["response"]["body"]["message"].as_str());
            let requests = server.requests();
            assert_eq!(requests.len(), 1, "a 400 is not retried");
            assert_request(&requests[0], "GET", "/api/systemusers");
            assert_eq!(sorted_query(&requests[0]), case_query(&case));
            assert_no_body(&requests[0]);
        }
        other => panic!("expected a refusal naming `limit` or the server's 400, got {other:?}"),
    }
    assert!(error.to_string().contains("limit"), "{error}");
}

#[tokio::test]
async fn bug_10_list_stream_uses_pages_of_100_until_total_count() {
    let server = MockServer::start(|request| {
        if request.path() != "/api/systemusers"
            || request.query_param("limit").as_deref() != Some("100")
        {
            return unexpected(request);
        }
        match request.query_param("skip").as_deref() {
            Some("0") => v1_page(0..100, 150),
            Some("100") => v1_page(100..150, 150),
            _ => unexpected(request),
        }
    })
    .await;

    let users = collect_ok(client(&server).systemusers_list().stream()).await;

    let requests = server.requests();
    let sent: Vec<(Option<String>, Option<String>)> = requests
        .iter()
        .map(|r| (r.query_param("skip"), r.query_param("limit")))
        .collect();
    assert_eq!(
        sent,
        [
            (Some("0".to_owned()), Some("100".to_owned())),
            (Some("100".to_owned()), Some("100".to_owned())),
        ]
    );
    for request in &requests {
        assert_request(request, "GET", "/api/systemusers");
        assert_no_body(request);
    }
    assert_eq!(users.len(), 150);
    assert_eq!(users[0].username.as_deref(), Some("user.0"));
    assert_eq!(users[149].id.as_deref(), Some("bbbbbbbbbbbbbbbbbbbb0149"));
}

#[tokio::test]
async fn bug_10_search_stream_puts_skip_and_limit_in_the_body() {
    let filter = json!({"and": [{"department": "Research"}]});
    let expected_filter = filter.clone();
    let server = MockServer::start(move |request| {
        if request.path() != "/api/search/systemusers"
            || request.query_param("skip").is_some()
            || request.query_param("limit").is_some()
        {
            return unexpected(request);
        }
        let body = request.json();
        if body["filter"] != expected_filter || body["limit"] != json!(100) {
            return unexpected(request);
        }
        match body["skip"].as_i64() {
            Some(0) => v1_page(0..100, 130),
            Some(100) => v1_page(100..130, 130),
            _ => unexpected(request),
        }
    })
    .await;
    let mut search = types::Search::default();
    search.filter = filter.as_object().cloned();

    let users = collect_ok(
        client(&server)
            .search_systemusers_post()
            .body(search)
            .stream(),
    )
    .await;

    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    for (request, skip) in requests.iter().zip([0, 100]) {
        assert_request(request, "POST", "/api/search/systemusers");
        assert_eq!(request.query(), "");
        assert_json_body(
            request,
            &json!({"filter": filter, "skip": skip, "limit": 100}),
        );
    }
    assert_eq!(users.len(), 130);
    assert_eq!(users[129].username.as_deref(), Some("user.129"));
}

// --- BUG-12: x-org-id (v1 side) -----------------------------------------------------------

#[tokio::test]
async fn bug_12_v1_org_scoped_calls_carry_org_id_and_provider_level_calls_do_not() {
    let server = MockServer::start(|request| match (request.method.as_str(), request.path()) {
        ("GET", "/api/systemusers") => v1_page(1..2, 1),
        ("GET", "/api/systems/bbbbbbbbbbbbbbbbbbbb0110") => Reply::json(
            200,
            &json!({"_id": "bbbbbbbbbbbbbbbbbbbb0110", "hostname": "host-e.example.test"}),
        ),
        ("POST", "/api/search/systems") => {
            Reply::json(200, &json!({"totalCount": 0, "results": []}))
        }
        ("GET", "/api/organizations") => Reply::json(
            200,
            &json!({"totalCount": 1, "results": [{"_id": ORG_ID, "displayName": "Example Org"}]}),
        ),
        ("GET", "/api/organizations/aaaaaaaaaaaaaaaaaaaa0001") => {
            Reply::json(200, &json!({"_id": ORG_ID, "displayName": "Example Org"}))
        }
        ("POST", "/api/search/organizations") => {
            Reply::json(200, &json!({"totalCount": 0, "results": []}))
        }
        ("PUT", "/api/users/adadadadadadadadadad0001") => Reply::json(
            200,
            &json!({"_id": "adadadadadadadadadad0001", "email": "admin1@example.com"}),
        ),
        _ => unexpected(request),
    })
    .await;
    let client = client_with_org(&server);

    let users = client.systemusers_list().send().await.expect("systemusers");
    let system = client
        .systems_get("bbbbbbbbbbbbbbbbbbbb0110")
        .send()
        .await
        .expect("system");
    client
        .search_systems_post()
        .body(types::Search::default())
        .send()
        .await
        .expect("search systems");
    let orgs = client
        .organization_list()
        .send()
        .await
        .expect("organizations");
    let org = client
        .organizations_get(ORG_ID)
        .send()
        .await
        .expect("organization");
    client
        .search_organizations_post()
        .body(types::Search::default())
        .send()
        .await
        .expect("search organizations");
    let mut admin = types::Userput::default();
    admin.firstname = Some("Admin".to_owned());
    let admin = client
        .users_put("adadadadadadadadadad0001")
        .body(admin)
        .send()
        .await
        .expect("admin");

    let requests = server.requests();
    let seen: Vec<(&str, &str, Option<&str>)> = requests
        .iter()
        .map(|r| (r.method.as_str(), r.path(), r.header("x-org-id")))
        .collect();
    assert_eq!(
        seen,
        [
            ("GET", "/api/systemusers", Some(ORG_ID)),
            ("GET", "/api/systems/bbbbbbbbbbbbbbbbbbbb0110", Some(ORG_ID)),
            ("POST", "/api/search/systems", Some(ORG_ID)),
            ("GET", "/api/organizations", None),
            ("GET", "/api/organizations/aaaaaaaaaaaaaaaaaaaa0001", None),
            ("POST", "/api/search/organizations", None),
            ("PUT", "/api/users/adadadadadadadadadad0001", None),
        ]
    );
    for request in &requests {
        assert!(request.header_count("x-org-id") <= 1, "{}", request.target);
        assert_eq!(request.header("x-api-key"), Some(TEST_KEY));
    }
    assert_eq!(requests[6].json(), json!({"firstname": "Admin"}));
    assert_eq!(users.total_count, Some(1));
    assert_eq!(system.hostname.as_deref(), Some("host-e.example.test"));
    assert_eq!(
        orgs.results.as_deref().unwrap()[0].display_name.as_deref(),
        Some("Example Org")
    );
    assert_eq!(org.display_name.as_deref(), Some("Example Org"));
    assert_eq!(admin.email.as_deref(), Some("admin1@example.com"));
}

// --- BUG-14: retries (v1 side) ------------------------------------------------------------

#[tokio::test]
async fn bug_14_v1_get_and_read_only_search_retry_writes_do_not() {
    let server = MockServer::start(|_| {
        Reply::text(
            503,
            "text/html",
            "<html><body>Service Unavailable</body></html>",
        )
    })
    .await;
    let client = client(&server);

    let get = client.systems_list().send().await.expect_err("503");
    let search = client
        .search_systems_post()
        .body(types::Search::default())
        .send()
        .await
        .expect_err("503");
    let put = client
        .systemusers_put("bbbbbbbbbbbbbbbbbbbb0100")
        .body(types::Systemuserput::default())
        .send()
        .await
        .expect_err("503");
    let post = client
        .systemusers_post()
        .body(serde_json::from_value(json!({"username": "u", "email": "u@example.com"})).unwrap())
        .send()
        .await
        .expect_err("503");

    let calls: Vec<(String, String)> = server
        .requests()
        .iter()
        .map(|r| (r.method.clone(), r.path().to_owned()))
        .collect();
    let count = |method: &str, path: &str| {
        calls
            .iter()
            .filter(|(m, p)| m == method && p == path)
            .count()
    };
    assert_eq!(count("GET", "/api/systems"), 4);
    assert_eq!(
        count("POST", "/api/search/systems"),
        4,
        "a search only reads"
    );
    assert_eq!(count("PUT", "/api/systemusers/bbbbbbbbbbbbbbbbbbbb0100"), 1);
    assert_eq!(count("POST", "/api/systemusers"), 1);
    assert_eq!(calls.len(), 10);
    for (error, attempts) in [(&get, 4), (&search, 4), (&put, 1), (&post, 1)] {
        let api = error.as_api().expect("API error");
        assert_eq!(api.status().as_u16(), 503);
        assert_eq!(api.attempts(), attempts);
        assert!(api.body_text().contains("Service Unavailable"));
    }
}

// --- BUG-16: filters (v1 side) -----------------------------------------------------------

#[tokio::test]
async fn bug_16_v1_filters_are_repeated_keys_never_joined() {
    let server = MockServer::start(|request| match request.path() {
        "/api/systemusers" => v1_page(7..8, 1),
        "/api/systems" => Reply::json(200, &json!({"totalCount": 0, "results": []})),
        _ => unexpected(request),
    })
    .await;
    let client = client(&server);
    let filters = [
        "department:$in:Research, Europe|Sales".to_owned(),
        "lastname:$eq:O'Brien".to_owned(),
    ];

    let users = client
        .systemusers_list()
        .filter(filters.clone())
        .send()
        .await
        .expect("users");
    let systems = client
        .systems_list()
        .filter(filters.clone())
        .send()
        .await
        .expect("systems");

    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    for request in &requests {
        assert_eq!(request.method, "GET");
        let sent: Vec<String> = request
            .query_pairs()
            .into_iter()
            .filter(|(k, _)| k == "filter")
            .map(|(_, v)| v)
            .collect();
        assert_eq!(sent, filters, "{}", request.target);
        let raw = request.query();
        assert!(!raw.contains(','), "a comma is a separator nowhere: {raw}");
        assert!(!raw.contains('|'), "a pipe is percent-encoded: {raw}");
        assert!(!raw.contains(' '), "{raw}");
        assert!(
            !raw.contains("filter[") && !raw.contains("filter%5B"),
            "{raw}"
        );
    }
    assert_eq!(requests[0].path(), "/api/systemusers");
    assert_eq!(requests[1].path(), "/api/systems");
    assert_eq!(
        users.results.as_deref().unwrap()[0].username.as_deref(),
        Some("user.7")
    );
    assert_eq!(systems.total_count, Some(0));
}

// --- BUG-20: PUT replaces; null clears ----------------------------------------------------

#[tokio::test]
async fn bug_20_systemuser_put_sends_explicit_null_and_nothing_else() {
    let case = case("BUG-20");
    let server = MockServer::sequence(vec![Reply::from_case(&case["response"])]).await;
    // "Clear the manager, touch nothing else": `Some(None)` is an explicit null, every
    // field left at `None` stays out of the body.
    let mut body = types::Systemuserput::default();
    body.manager = Some(None);

    let user = client(&server)
        .systemusers_put("bbbbbbbbbbbbbbbbbbbb0100")
        .body(body)
        .send()
        .await
        .expect("put");

    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    assert_request(
        &requests[0],
        "PUT",
        case["request"]["path"].as_str().unwrap(),
    );
    assert_eq!(requests[0].header("content-type"), Some("application/json"));
    assert_eq!(
        String::from_utf8_lossy(&requests[0].body),
        case["request"]["expected_body_text"].as_str().unwrap(),
        "BUG-20: clearing the manager needs an explicit null in the body"
    );

    assert_eq!(user.id.as_deref(), Some("bbbbbbbbbbbbbbbbbbbb0100"));
    assert_eq!(user.username.as_deref(), Some("user.one"));
    assert_eq!(user.manager, None);
}

#[tokio::test]
async fn bug_20_systemuser_put_leaves_unset_fields_out() {
    let case = case("BUG-20");
    let server = MockServer::sequence(vec![Reply::from_case(&case["response"])]).await;
    let mut body = types::Systemuserput::default();
    body.firstname = Some("User".to_owned());

    let user = client(&server)
        .systemusers_put("bbbbbbbbbbbbbbbbbbbb0100")
        .body(body)
        .send()
        .await
        .expect("put");

    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    assert_request(
        &requests[0],
        "PUT",
        "/api/systemusers/bbbbbbbbbbbbbbbbbbbb0100",
    );
    assert_eq!(requests[0].body, br#"{"firstname":"User"}"#.to_vec());
    assert_eq!(user.firstname.as_deref(), Some("User"));
}

// --- BUG-21: `id` and `_id` together ------------------------------------------------------

#[tokio::test]
async fn bug_21_system_with_both_id_and_underscore_id_decodes() {
    let case = case("BUG-21");
    let server = MockServer::sequence(vec![Reply::from_case(&case["response"])]).await;

    let system = client(&server)
        .systems_get("bbbbbbbbbbbbbbbbbbbb0110")
        .send()
        .await
        .expect("BUG-21: no duplicate-field error");

    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    assert_request(
        &requests[0],
        "GET",
        case["request"]["path"].as_str().unwrap(),
    );
    assert_no_body(&requests[0]);

    let body = &case["response"]["body"];
    assert_eq!(system.id.as_deref(), body["_id"].as_str());
    assert_eq!(system.id.as_deref(), body["id"].as_str());
    assert_eq!(system.hostname.as_deref(), Some("host-e.example.test"));
    assert_eq!(system.display_name.as_deref(), Some("host-e"));
    assert_eq!(system.organization.as_deref(), Some(ORG_ID));
    // Sent back, the id goes out under the spec's name.
    let round_trip = serde_json::to_value(&*system).expect("serialize");
    assert_eq!(round_trip["_id"], body["_id"]);
}

/// The cases this file replays: every case file whose `api` is `v1`, and no other. A new
/// case file for this API fails here until it has a test.
const REPLAYED: &[&str] = &["BUG-07", "BUG-10", "BUG-20", "BUG-21"];

#[test]
fn every_v1_case_file_is_replayed_here() {
    let dir = jumpcloud_testkit::shared_dir().join("cases");
    let mut ids: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .map(|path| path.file_stem().unwrap().to_string_lossy().into_owned())
        .filter(|id| case(id)["api"] == "v1")
        .collect();
    ids.sort();
    assert_eq!(ids, REPLAYED);
}
