//! The recorded cases of `../shared/cases` that the runtime is responsible for, replayed
//! against a local server: the request sent and the sequence of calls, not only decoding.
//! BUG-13 and BUG-15 have no case file; their expectations are written out here.

use jumpcloud_testkit as support;

use std::time::Duration;

use futures_util::StreamExt as _;
use jumpcloud_core::paginate::{self, Page, TokenPage};
use jumpcloud_core::{
    Api, Client, Error, Method, Operation, Region, ResponseValue, RetryPolicy, encode_path_segment,
};
use serde_json::{Value, json};
use support::{MockServer, Recorded, Reply, case};
use jumpcloud_testkit::{sorted_query};

fn query_of(case: &Value) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = case["request"]["query"]
        .as_object()
        .map(|q| {
            q.iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
                .collect()
        })
        .unwrap_or_default();
    pairs.sort();
    pairs
}

static GRAPH_SYSTEM_GROUP_MEMBERS_LIST: Operation = Operation {
    id: "graph_systemGroupMembersList",
    method: Method::GET,
    path: "/systemgroups/{group_id}/members",
    api: Api::V2,
};

#[derive(Clone)]
struct MembersList {
    client: Client,
    group_id: String,
}

impl MembersList {
    async fn send(self, skip: i64, limit: i64) -> Result<ResponseValue<Vec<Value>>, Error> {
        let path = format!(
            "/systemgroups/{}/members",
            encode_path_segment(&self.group_id)
        );
        let mut req = self.client.request(&GRAPH_SYSTEM_GROUP_MEMBERS_LIST, path);
        req.query("limit", &limit);
        req.query("skip", &skip);
        req.send().await?.json()
    }
}

#[tokio::test]
async fn bug_09_v2_pager_reads_x_total_count_and_ignores_short_pages() {
    let case = case("BUG-09");
    let recorded = Reply::from_case(&case["response"]);
    let server = MockServer::start(move |r: &Recorded| match r.query_param("skip").as_deref() {
        Some("5") => recorded.clone(),
        Some("10") => Reply::json(
            200,
            &json!([{"to": {"id": "bbbbbbbbbbbbbbbbbbbb0065", "type": "system"}},
                    {"to": {"id": "bbbbbbbbbbbbbbbbbbbb0066", "type": "system"}}]),
        )
        .header("x-total-count", "12"),
        _ => Reply::text(599, "text/plain", "unexpected page"),
    })
    .await;
    let client = server.builder().build().unwrap();
    let group_id = case["request"]["path"]
        .as_str()
        .unwrap()
        .split('/')
        .nth(4)
        .unwrap()
        .to_owned();
    let builder = MembersList { client, group_id };

    let pager = paginate::skip_limit_header(builder, |b, skip, limit| b.send(skip, limit))
        .start(5)
        .page_size(5);
    let items: Vec<Value> = pager.map(Result::unwrap).collect().await;

    // 4 items from the short recorded page, then the next page at skip=10, then stop (15 >= 12).
    assert_eq!(items.len(), 6);
    assert_eq!(items[..4], case["response"]["body"].as_array().unwrap()[..]);
    let sent = server.requests();
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[0].method, case["request"]["method"]);
    assert_eq!(sent[0].path(), case["request"]["path"]);
    assert_eq!(sorted_query(&sent[0]), query_of(&case));
    assert_eq!(sent[1].query_param("skip").as_deref(), Some("10"));
    assert_eq!(sent[1].query_param("limit").as_deref(), Some("5"));
}

#[tokio::test]
async fn bug_10_limit_above_100_surfaces_the_400_and_pagers_use_100() {
    let case = case("BUG-10");
    let server = MockServer::sequence(vec![
        Reply::from_case(&case["response"]),
        Reply::json(200, &json!({"totalCount": 0, "results": []})),
    ])
    .await;
    let client = server.builder().build().unwrap();
    static SYSTEMUSERS_LIST: Operation = Operation {
        id: "systemusers_list",
        method: Method::GET,
        path: "/systemusers",
        api: Api::V1,
    };

    let mut req = client.request(&SYSTEMUSERS_LIST, "/systemusers".to_owned());
    req.query("limit", &1000).query("skip", &0);
    let err = req.send().await.unwrap_err();
    let api = err.as_api().expect("a typed API error");
    assert_eq!(api.status(), 400);
    assert_eq!(
        api.message(),
        Some("Bad Request: limit above maximum of 100")
    );
    assert!(err.to_string().contains("limit"), "{err}");
    assert_eq!(server.requests()[0].path(), case["request"]["path"]);
    assert_eq!(sorted_query(&server.requests()[0]), query_of(&case));

    let pager = paginate::skip_limit_total(client, |c: Client, skip, limit| async move {
        let mut req = c.request(&SYSTEMUSERS_LIST, "/systemusers".to_owned());
        req.query("limit", &limit).query("skip", &skip);
        let body = req.send().await?.json::<Value>()?.into_inner();
        Ok(Page::new(
            body["results"].as_array().cloned().unwrap_or_default(),
            body["totalCount"].as_i64(),
        ))
    });
    let items: Vec<Result<Value, Error>> = pager.collect().await;
    assert!(items.is_empty());
    assert_eq!(
        server.requests()[1].query_param("limit").as_deref(),
        Some("100")
    );
}

#[tokio::test]
async fn bug_11_directory_insights_cursor_is_passed_through_as_number_and_string() {
    let case = case("BUG-11");
    let server = MockServer::sequence(vec![
        Reply::from_case(&case["response"]),
        Reply::json(200, &json!([{"id": "evt-0005"}]))
            .header("X-Result-Count", "1")
            .header("X-Limit", "2")
            .header("X-Search_after", "[1707800600000,\"evt-0005\"]"),
    ])
    .await;
    let client = server.builder().build().unwrap();
    let mut query = case["request"]["body"].clone();
    let first_cursor: Vec<Value> = query["search_after"].as_array().unwrap().clone();
    query.as_object_mut().unwrap().remove("search_after");

    let pager = paginate::search_after((client, query), |(c, query), after| async move {
        let mut body = query;
        if let Some(after) = after {
            body["search_after"] = Value::Array(after);
        }
        let mut req = c.raw(Method::POST, Api::Insights, "/events");
        req.json(&body)?;
        req.send().await?.json::<Vec<Value>>()
    })
    .start_after(first_cursor);
    let events: Vec<Value> = pager.map(Result::unwrap).collect().await;

    assert_eq!(events.len(), 3);
    assert_eq!(
        events[..2],
        case["response"]["body"].as_array().unwrap()[..]
    );
    let sent = server.requests();
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[0].path(), case["request"]["path"]);
    assert_eq!(sent[0].json(), case["request"]["body"]);
    let next = &sent[1].json()["search_after"];
    assert_eq!(next, &json!([1707800500000_u64, "evt-0004"]));
    assert!(next[0].is_u64() && next[1].is_string());
}

#[tokio::test]
async fn bug_12_org_id_is_set_once_and_skipped_on_provider_paths() {
    let case = case("BUG-12");

    // Without an organization: the 401 is typed, keeps the message and hints at the fix.
    let server = MockServer::sequence(vec![Reply::from_case(&case["response"])]).await;
    let client = server.builder().build().unwrap();
    static GROUPS_USER_LIST: Operation = Operation {
        id: "groups_user_list",
        method: Method::GET,
        path: "/usergroups",
        api: Api::V2,
    };
    let err = client
        .request(&GROUPS_USER_LIST, "/usergroups".to_owned())
        .send()
        .await
        .unwrap_err();
    let api = err.as_api().unwrap();
    assert_eq!(api.status(), 401);
    assert_eq!(
        api.message(),
        Some("Unauthorized: organization not selected")
    );
    assert!(api.hint().unwrap().contains("org_id"));
    assert!(err.to_string().contains("JUMPCLOUD_ORG_ID"), "{err}");
    assert_eq!(server.requests()[0].path(), case["request"]["path"]);
    assert_eq!(server.requests()[0].header("x-org-id"), None);

    // With an organization configured once on the client.
    let server = MockServer::start(|_| Reply::json(200, &json!([]))).await;
    let client = server.builder().org_id("org-0001").build().unwrap();
    client
        .request(&GROUPS_USER_LIST, "/usergroups".to_owned())
        .send()
        .await
        .unwrap();
    let provider_level = [
        (Api::V1, "/organizations"),
        (Api::V1, "/search/organizations"),
        (Api::V2, "/organizations"),
        (Api::V2, "/administrators"),
        (Api::V2, "/providers"),
    ];
    for (api, path) in provider_level {
        let method = if path.starts_with("/search") {
            Method::POST
        } else {
            Method::GET
        };
        client.raw(method, api, path).send().await.unwrap();
    }
    let sent = server.requests();
    assert_eq!(sent[0].path(), "/api/v2/usergroups");
    assert_eq!(sent[0].header("x-org-id"), Some("org-0001"));
    assert_eq!(sent[0].header_count("x-org-id"), 1);
    let exempt: Vec<&str> = sent[1..].iter().map(Recorded::path).collect();
    assert_eq!(
        exempt,
        [
            "/api/organizations",
            "/api/search/organizations",
            "/api/v2/organizations",
            "/api/v2/administrators",
            "/api/v2/providers"
        ]
    );
    for request in &sent[1..] {
        assert_eq!(request.header("x-org-id"), None, "{}", request.target);
    }
}

#[tokio::test]
async fn bug_13_eu_region_moves_every_base_and_raw_calls_follow() {
    // No real host is contacted: building a client sends nothing.
    let eu = Client::builder()
        .api_key("k")
        .region(Region::Eu)
        .build()
        .unwrap();
    assert_eq!(eu.base_url(Api::V1), "https://console.eu.jumpcloud.com/api");
    assert_eq!(
        eu.base_url(Api::V2),
        "https://console.eu.jumpcloud.com/api/v2"
    );
    assert_eq!(
        eu.base_url(Api::Insights),
        "https://api.eu.jumpcloud.com/insights/directory/v1"
    );

    // Generated and raw calls share the configured base, without a lost `/api`.
    let server = MockServer::start(|_| Reply::json(200, &json!({}))).await;
    let client = server.builder().build().unwrap();
    static ORGANIZATION_GET: Operation = Operation {
        id: "organizations_get",
        method: Method::GET,
        path: "/organizations/{id}",
        api: Api::V1,
    };
    client
        .request(&ORGANIZATION_GET, "/organizations/o1".to_owned())
        .send()
        .await
        .unwrap();
    client
        .raw(Method::GET, Api::V1, "/organizations/o1")
        .send()
        .await
        .unwrap();
    let targets: Vec<String> = server.requests().into_iter().map(|r| r.target).collect();
    assert_eq!(targets, ["/api/organizations/o1", "/api/organizations/o1"]);
}

#[tokio::test]
async fn bug_14_503_html_is_retried_for_get_and_ends_in_a_typed_error() {
    let case = case("BUG-14");
    let recorded = Reply::from_case(&case["response"]);
    let server = MockServer::start(move |_| recorded.clone()).await;
    let client = server
        .builder()
        .retry(RetryPolicy::new().initial_backoff(Duration::from_millis(10)))
        .build()
        .unwrap();
    static PROGRAMS: Operation = Operation {
        id: "systeminsights_list_programs",
        method: Method::GET,
        path: "/systeminsights/programs",
        api: Api::V2,
    };
    let mut req = client.request(&PROGRAMS, "/systeminsights/programs".to_owned());
    req.query("limit", &100).query("skip", &0);
    let err = req.send().await.unwrap_err();

    let api = err.as_api().expect("a typed API error, not a decode error");
    assert_eq!(api.status(), 503);
    assert_eq!(api.attempts(), 4);
    assert_eq!(api.body_text(), case["response"]["body"]);
    let sent = server.requests();
    assert_eq!(sent.len(), 4);
    assert!(sent.iter().all(|r| r.target == sent[0].target));
    assert_eq!(sent[0].path(), case["request"]["path"]);
    assert_eq!(sorted_query(&sent[0]), query_of(&case));

    // Writes are not retried automatically.
    for method in [Method::POST, Method::PUT] {
        let before = server.requests().len();
        client
            .raw(method, Api::V2, "/systeminsights/programs")
            .send()
            .await
            .unwrap_err();
        assert_eq!(server.requests().len(), before + 1);
    }
}

#[tokio::test]
async fn bug_15_a_hanging_association_post_times_out_once_and_204_is_empty() {
    static ASSOCIATE: Operation = Operation {
        id: "graph_userAssociationsPost",
        method: Method::POST,
        path: "/users/{user_id}/associations",
        api: Api::V2,
    };
    let server = MockServer::sequence(vec![
        Reply::status(204).delay(Duration::from_secs(5)),
        Reply::status(204),
    ])
    .await;
    let client = server
        .builder()
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let body = json!({"op": "remove", "type": "system", "id": "s1", "attributes": {}});

    let mut req = client.request(&ASSOCIATE, "/users/u1/associations".to_owned());
    req.json(&body).unwrap();
    let err = req.send().await.unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
    assert_eq!(server.requests().len(), 1);

    let mut req = client.request(&ASSOCIATE, "/users/u1/associations".to_owned());
    req.json(&body).unwrap();
    let done = req.send().await.unwrap().empty().unwrap();
    assert_eq!(done.status(), 204);
    assert_eq!(server.requests()[1].json(), body);
}

#[tokio::test]
async fn bug_16_array_filters_are_repeated_keys() {
    let case = case("BUG-16");
    let server = MockServer::sequence(vec![Reply::from_case(&case["response"])]).await;
    let client = server.builder().build().unwrap();
    static APPS: Operation = Operation {
        id: "systeminsights_list_apps",
        method: Method::GET,
        path: "/systeminsights/apps",
        api: Api::V2,
    };
    let filters: Vec<String> = case["request"]["filter"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect();

    let mut req = client.request(&APPS, "/systeminsights/apps".to_owned());
    for filter in &filters {
        req.query("filter", filter);
    }
    let apps = req.send().await.unwrap().json::<Vec<Value>>().unwrap();

    assert_eq!(apps.len(), 1);
    assert_eq!(apps.header("x-total-count"), Some("1"));
    let sent = &server.requests()[0];
    assert_eq!(sent.path(), case["request"]["path"]);
    assert_eq!(sent.query(), case["request"]["expected_query"]);
}

#[tokio::test]
async fn bug_22_import_pager_follows_page_tokens_and_never_sends_skip_or_limit() {
    let case = case("BUG-22");
    let server = MockServer::sequence(vec![
        Reply::from_case(&case["response"]),
        Reply::json(200, &json!({"users": [{"id": "g-0003"}]})),
    ])
    .await;
    let client = server.builder().build().unwrap();
    let path = case["request"]["path"].as_str().unwrap().to_owned();
    let relative = path.strip_prefix("/api/v2").unwrap().to_owned();
    let max_results = case["request"]["query"]["maxResults"]
        .as_str()
        .unwrap()
        .to_owned();
    let first_token = case["request"]["query"]["pageToken"]
        .as_str()
        .unwrap()
        .to_owned();

    let pager = paginate::page_token(client, move |c: Client, token| {
        let relative = relative.clone();
        let max_results = max_results.clone();
        async move {
            let mut req = c.raw(Method::GET, Api::V2, relative);
            req.query("maxResults", &max_results);
            if let Some(token) = &token {
                req.query("pageToken", token);
            }
            let body = req.send().await?.json::<Value>()?.into_inner();
            Ok(TokenPage::new(
                body["users"].as_array().cloned().unwrap_or_default(),
                body["nextPageToken"].as_str().map(str::to_owned),
            ))
        }
    })
    .start_token(first_token);
    let users: Vec<Value> = pager.map(Result::unwrap).collect().await;

    assert_eq!(users.len(), 3);
    let sent = server.requests();
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[0].path(), path);
    assert_eq!(sorted_query(&sent[0]), query_of(&case));
    assert_eq!(
        sent[1].query_param("pageToken").as_deref(),
        Some("tok-page-2")
    );
    for request in &sent {
        assert_eq!(request.query_param("skip"), None);
        assert_eq!(request.query_param("limit"), None);
    }
}
