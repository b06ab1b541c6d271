//! The recorded cases of `../shared/cases` whose `api` is `v2`, replayed through the generated
//! client against a mock server on 127.0.0.1.
//!
//! Each test sends the case's request through the operation's generated method, answers with
//! the case's response, and checks both what went over the wire and what the caller gets back,
//! as the case's `expect` text describes. Where a case stands for a whole kind of fault (filter
//! encoding, the organization header, retries) several operations are checked, not one.


use futures_util::StreamExt as _;
use jumpcloud_core::Error;
use jumpcloud_testkit::{MockServer, Recorded, Reply, TEST_KEY, case};
use jumpcloud_v2::{Client, types};
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

/// A v2 list page: a bare array, optionally with its `x-total-count`.
fn list_page(items: Vec<Value>, total: Option<u64>) -> Reply {
    let reply = Reply::json(200, &Value::Array(items));
    match total {
        Some(total) => reply.header("x-total-count", &total.to_string()),
        None => reply,
    }
}

fn member(n: u64) -> Value {
    json!({"to": {"id": format!("bbbbbbbbbbbbbbbbbbbb{n:04}"), "type": "system"}})
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

fn skip_limit(request: &Recorded) -> (Option<String>, Option<String>) {
    (request.query_param("skip"), request.query_param("limit"))
}

// --- BUG-03: unsigned 32-bit values -------------------------------------------------------

#[tokio::test]
async fn bug_03_policy_result_exit_status_above_i32_decodes() {
    let case = case("BUG-03");
    let server = MockServer::sequence(vec![Reply::from_case(&case["response"])]).await;
    let limit = case_query_value(&case, "limit");

    let page = client(&server)
        .policyresults_org_list()
        .limit(limit)
        .send()
        .await
        .expect("BUG-03: the page must decode");

    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    assert_request(
        &requests[0],
        "GET",
        case["request"]["path"].as_str().unwrap(),
    );
    assert_eq!(sorted_query(&requests[0]), case_query(&case));
    assert_no_body(&requests[0]);

    assert_eq!(page.len(), 2);
    assert_eq!(page[0].exit_status, Some(3_221_225_477));
    assert_eq!(page[0].id.as_deref(), Some("bbbbbbbbbbbbbbbbbbbb0020"));
    assert_eq!(page[0].std_err.as_deref(), Some("access violation"));
    assert_eq!(page[0].success, Some(false));
    assert_eq!(page[1].exit_status, Some(0));
    assert_eq!(page[1].std_out.as_deref(), Some("ok"));
    assert_eq!(page.header("x-total-count"), Some("2"));
}

// --- BUG-05: enum sets grow ----------------------------------------------------------------

#[tokio::test]
async fn bug_05_group_types_known_new_and_unknown_decode_and_round_trip() {
    let case = case("BUG-05");
    let server = MockServer::sequence(vec![Reply::from_case(&case["response"])]).await;

    let groups = client(&server)
        .groups_list()
        .limit(case_query_value(&case, "limit"))
        .send()
        .await
        .expect("BUG-05: an unlisted group type must not fail the list");

    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    assert_request(&requests[0], "GET", "/api/v2/groups");
    assert_eq!(sorted_query(&requests[0]), case_query(&case));
    assert_no_body(&requests[0]);

    assert_eq!(groups.len(), 3);
    assert_eq!(groups[0].r#type, Some(types::GroupType::UserGroup));
    assert_eq!(groups[1].r#type, Some(types::GroupType::PolicyGroup));
    assert_eq!(
        groups[2].r#type,
        Some(types::GroupType::Unknown("example_future_group".to_owned()))
    );
    assert_eq!(groups[2].name.as_deref(), Some("Synthetic future kind"));

    // Sent back, every group is what the server sent, the unknown type included.
    let round_trip = serde_json::to_value(&*groups).expect("serialize");
    assert_eq!(round_trip, case["response"]["body"]);
}

// --- BUG-06: 200 where the spec says 201 ---------------------------------------------------

#[tokio::test]
async fn bug_06_bulk_user_create_answered_200_is_success() {
    let case = case("BUG-06");
    let server = MockServer::sequence(vec![Reply::from_case(&case["response"])]).await;
    let users: Vec<types::BulkUserCreate> =
        serde_json::from_value(case["request"]["body"].clone()).expect("bulk users");

    let job = client(&server)
        .bulk_users_create()
        .body(users)
        .send()
        .await
        .expect("BUG-06: a 200 answer is a success");

    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    assert_request(&requests[0], "POST", "/api/v2/bulk/users");
    assert_eq!(requests[0].query(), "");
    assert_json_body(&requests[0], &case["request"]["body"]);

    assert_eq!(job.status().as_u16(), 200);
    assert_eq!(job.job_id.as_deref(), Some("job-placeholder-0001"));
}

#[tokio::test]
async fn bug_06_bulk_user_update_answered_200_is_success() {
    let server = MockServer::sequence(vec![Reply::json(
        200,
        &json!({"jobId": "job-placeholder-0002"}),
    )])
    .await;
    let update: Vec<types::BulkUserUpdate> = serde_json::from_value(json!([
        {"id": "bbbbbbbbbbbbbbbbbbbb0130", "firstname": "Renamed"}
    ]))
    .expect("bulk update");

    let job = client(&server)
        .bulk_users_update()
        .body(update)
        .send()
        .await
        .expect("a 200 answer is a success");

    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    assert_request(&requests[0], "PATCH", "/api/v2/bulk/users");
    assert_json_body(
        &requests[0],
        &json!([{"id": "bbbbbbbbbbbbbbbbbbbb0130", "firstname": "Renamed"}]),
    );
    assert_eq!(job.job_id.as_deref(), Some("job-placeholder-0002"));
}

// --- BUG-09: short pages and the x-total-count header -------------------------------------

#[tokio::test]
async fn bug_09_send_exposes_total_header_and_decodes_short_page() {
    let case = case("BUG-09");
    let server = MockServer::sequence(vec![Reply::from_case(&case["response"])]).await;

    let page = client(&server)
        .graph_system_group_members_list("bbbbbbbbbbbbbbbbbbbb0060")
        .limit(case_query_value(&case, "limit"))
        .skip(case_query_value(&case, "skip"))
        .send()
        .await
        .expect("page");

    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    assert_request(
        &requests[0],
        "GET",
        case["request"]["path"].as_str().unwrap(),
    );
    assert_eq!(sorted_query(&requests[0]), case_query(&case));
    assert_no_body(&requests[0]);

    assert_eq!(page.header("x-total-count"), Some("12"));
    let ids: Vec<&str> = page
        .iter()
        .map(|m| m.to.as_ref().and_then(|to| to.id.as_deref()).unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "bbbbbbbbbbbbbbbbbbbb0061",
            "bbbbbbbbbbbbbbbbbbbb0062",
            "bbbbbbbbbbbbbbbbbbbb0063",
            "bbbbbbbbbbbbbbbbbbbb0064"
        ]
    );
    assert!(
        page.iter()
            .all(|m| m.to.as_ref().and_then(|to| to.r#type.as_deref()) == Some("system"))
    );
}

/// The case's own request (limit 5, skip 5) as the first page of a stream: the short answer
/// (4 of 5) does not end it, skip=10 follows, and skip=15 >= 12 ends it.
#[tokio::test]
async fn bug_09_stream_from_case_position_continues_past_short_page() {
    let case = case("BUG-09");
    let first = Reply::from_case(&case["response"]);
    let server = MockServer::start(move |request| {
        match (
            request.query_param("skip").as_deref(),
            request.query_param("limit").as_deref(),
        ) {
            (Some("5"), Some("5")) => first.clone(),
            (Some("10"), Some("5")) => list_page(vec![member(65), member(66)], Some(12)),
            _ => unexpected(request),
        }
    })
    .await;

    let members = collect_ok(
        client(&server)
            .graph_system_group_members_list("bbbbbbbbbbbbbbbbbbbb0060")
            .limit(case_query_value(&case, "limit"))
            .skip(case_query_value(&case, "skip"))
            .stream(),
    )
    .await;

    let requests = server.requests();
    let sent: Vec<_> = requests.iter().map(skip_limit).collect();
    assert_eq!(
        sent,
        [
            (Some("5".to_owned()), Some("5".to_owned())),
            (Some("10".to_owned()), Some("5".to_owned())),
        ],
        "the stream must start where the builder says, page by the builder's limit, and \
         stop once skip >= x-total-count"
    );
    for request in &requests {
        assert_request(request, "GET", case["request"]["path"].as_str().unwrap());
        assert_no_body(request);
    }
    let ids: Vec<&str> = members
        .iter()
        .map(|m| m.to.as_ref().and_then(|to| to.id.as_deref()).unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "bbbbbbbbbbbbbbbbbbbb0061",
            "bbbbbbbbbbbbbbbbbbbb0062",
            "bbbbbbbbbbbbbbbbbbbb0063",
            "bbbbbbbbbbbbbbbbbbbb0064",
            "bbbbbbbbbbbbbbbbbbbb0065",
            "bbbbbbbbbbbbbbbbbbbb0066"
        ]
    );
}

/// With the stream's own page size (100): short pages in the middle do not end the listing;
/// the total from the header does.
#[tokio::test]
async fn bug_09_stream_pages_by_100_until_total_not_until_short_page() {
    let server = MockServer::start(|request| {
        if request.query_param("limit").as_deref() != Some("100") {
            return unexpected(request);
        }
        match request.query_param("skip").as_deref() {
            Some("0") => list_page((0..97).map(member).collect(), Some(250)),
            Some("100") => list_page((100..200).map(member).collect(), Some(250)),
            Some("200") => list_page((200..248).map(member).collect(), Some(250)),
            _ => unexpected(request),
        }
    })
    .await;

    let members = collect_ok(
        client(&server)
            .graph_system_group_members_list("bbbbbbbbbbbbbbbbbbbb0060")
            .stream(),
    )
    .await;

    let sent: Vec<_> = server.requests().iter().map(skip_limit).collect();
    assert_eq!(
        sent,
        [
            (Some("0".to_owned()), Some("100".to_owned())),
            (Some("100".to_owned()), Some("100".to_owned())),
            (Some("200".to_owned()), Some("100".to_owned())),
        ]
    );
    assert_eq!(members.len(), 97 + 100 + 48);
    assert_eq!(
        members[97].to.as_ref().and_then(|t| t.id.as_deref()),
        Some("bbbbbbbbbbbbbbbbbbbb0100")
    );
    assert_eq!(
        members
            .last()
            .and_then(|m| m.to.as_ref())
            .and_then(|t| t.id.as_deref()),
        Some("bbbbbbbbbbbbbbbbbbbb0247")
    );
}

/// Without the header the stream must not guess from a short page: only an empty page ends it.
#[tokio::test]
async fn bug_09_stream_without_total_stops_only_on_empty_page() {
    let server = MockServer::start(|request| match request.query_param("skip").as_deref() {
        Some("0") => list_page((0..3).map(member).collect(), None),
        Some("100") => list_page((3..5).map(member).collect(), None),
        Some("200") => list_page(Vec::new(), None),
        _ => unexpected(request),
    })
    .await;

    let members = collect_ok(
        client(&server)
            .graph_system_group_members_list("bbbbbbbbbbbbbbbbbbbb0060")
            .stream(),
    )
    .await;

    let skips: Vec<Option<String>> = server
        .requests()
        .iter()
        .map(|r| r.query_param("skip"))
        .collect();
    assert_eq!(
        skips,
        [
            Some("0".to_owned()),
            Some("100".to_owned()),
            Some("200".to_owned())
        ]
    );
    assert_eq!(members.len(), 5);
}

/// The same pager rule for other v2 lists: user groups and System Insights.
#[tokio::test]
async fn bug_09_other_v2_lists_page_by_total_header() {
    let server = MockServer::start(|request| {
        let skip = request.query_param("skip");
        match (request.path(), skip.as_deref()) {
            ("/api/v2/usergroups", Some("0")) => list_page(
                vec![json!({"id": "g1", "name": "One", "type": "user_group"})],
                Some(101),
            ),
            ("/api/v2/usergroups", Some("100")) => list_page(
                vec![json!({"id": "g2", "name": "Two", "type": "user_group"})],
                Some(101),
            ),
            ("/api/v2/systeminsights/programs", Some("0")) => list_page(
                vec![json!({"system_id": "s1", "name": "Editor", "version": "1.0"})],
                Some(1),
            ),
            _ => unexpected(request),
        }
    })
    .await;
    let client = client(&server);

    let groups = collect_ok(client.groups_user_list().stream()).await;
    let programs = collect_ok(client.systeminsights_list_programs().stream()).await;

    let sent: Vec<(String, Option<String>)> = server
        .requests()
        .iter()
        .map(|r| (r.path().to_owned(), r.query_param("skip")))
        .collect();
    assert_eq!(
        sent,
        [
            ("/api/v2/usergroups".to_owned(), Some("0".to_owned())),
            ("/api/v2/usergroups".to_owned(), Some("100".to_owned())),
            (
                "/api/v2/systeminsights/programs".to_owned(),
                Some("0".to_owned())
            ),
        ]
    );
    let names: Vec<_> = groups.iter().map(|g| g.name.as_deref().unwrap()).collect();
    assert_eq!(names, ["One", "Two"]);
    assert_eq!(programs.len(), 1);
    assert_eq!(programs[0].name.as_deref(), Some("Editor"));
}

// --- BUG-10: page size --------------------------------------------------------------------

#[tokio::test]
async fn bug_10_limit_above_100_is_refused_or_reported_with_the_server_message() {
    let server = MockServer::sequence(vec![Reply::json(
        400,
        &json!({"message": "Bad Request: limit above maximum of 100"}),
    )])
    .await;

    let error = client(&server)
        .groups_user_list()
        .limit(1000)
        .send()
        .await
        .expect_err("a limit of 1000 cannot succeed");

    match &error {
        Error::InvalidRequest { parameter, .. } => {
            assert_eq!(parameter, "limit");
            assert!(server.requests().is_empty(), "refused, so nothing is sent");
        }
        Error::Api(api) => {
            assert_eq!(api.status().as_u16(), 400);
            assert_eq!(
                api.message(),
                Some("Bad Request: limit above maximum of 100")
            );
            let requests = server.requests();
            assert_eq!(requests.len(), 1, "a 400 is not retried");
            assert_eq!(requests[0].query_param("limit").as_deref(), Some("1000"));
        }
        other => panic!("expected a refusal naming `limit` or the server's 400, got {other:?}"),
    }
    assert!(error.to_string().contains("limit"), "{error}");
}

// --- BUG-12: x-org-id ---------------------------------------------------------------------

#[tokio::test]
async fn bug_12_unauthorized_without_org_id_carries_message_and_hint() {
    let case = case("BUG-12");
    let server = MockServer::sequence(vec![Reply::from_case(&case["response"])]).await;

    let error = client(&server)
        .groups_user_list()
        .send()
        .await
        .expect_err("401");

    let requests = server.requests();
    assert_eq!(requests.len(), 1, "a 401 is not retried");
    assert_request(&requests[0], "GET", "/api/v2/usergroups");
    assert_eq!(requests[0].header("x-org-id"), None);
    assert_no_body(&requests[0]);

    let api = error.as_api().expect("an API error");
    assert_eq!(api.status().as_u16(), 401);
    assert_eq!(api.operation(), "groups_user_list");
    assert_eq!(
        api.message(),
        Some("Unauthorized: organization not selected")
    );
    let hint = api.hint().expect("a hint about the organization id");
    assert!(hint.contains("org"), "{hint}");
    let text = error.to_string();
    assert!(text.contains("organization not selected"), "{text}");
    assert!(text.contains(hint), "{text}");
}

#[tokio::test]
async fn bug_12_org_id_set_once_is_sent_on_every_org_scoped_call() {
    let case = case("BUG-12");
    let server = MockServer::start(|request| match request.path() {
        "/api/v2/usergroups" => list_page(
            vec![json!({"id": "bbbbbbbbbbbbbbbbbbbb0140", "name": "Staff"})],
            Some(1),
        ),
        "/api/v2/systemgroups/bbbbbbbbbbbbbbbbbbbb0060/members" => {
            list_page(vec![member(61)], Some(1))
        }
        "/api/v2/bulk/users" => Reply::json(200, &json!({"jobId": "job-1"})),
        _ => unexpected(request),
    })
    .await;
    let client = client_with_org(&server);

    let groups = client.groups_user_list().send().await.expect("usergroups");
    let members = client
        .graph_system_group_members_list("bbbbbbbbbbbbbbbbbbbb0060")
        .send()
        .await
        .expect("members");
    let job = client
        .bulk_users_create()
        .body(Vec::new())
        .send()
        .await
        .expect("bulk");

    let requests = server.requests();
    assert_eq!(requests.len(), 3);
    assert_eq!(
        requests[0].path(),
        case["request"]["path"].as_str().unwrap()
    );
    for request in &requests {
        assert_eq!(
            request.header("x-org-id"),
            Some(ORG_ID),
            "{}",
            request.target
        );
        assert_eq!(request.header_count("x-org-id"), 1, "{}", request.target);
        assert_eq!(request.header("x-api-key"), Some(TEST_KEY));
    }
    assert_eq!(groups[0].name.as_deref(), Some("Staff"));
    assert_eq!(members.len(), 1);
    assert_eq!(job.job_id.as_deref(), Some("job-1"));
}

#[tokio::test]
async fn bug_12_provider_level_paths_never_carry_org_id() {
    let server = MockServer::start(|request| match request.path() {
        "/api/v2/providers/pppppppppppppppppppp0001" => Reply::json(
            200,
            &json!({"id": "pppppppppppppppppppp0001", "name": "Example MSP"}),
        ),
        "/api/v2/administrators/adadadadadadadadadad0001/organizationlinks" => Reply::json(
            200,
            &json!([{"administrator": "adadadadadadadadadad0001", "organization": ORG_ID}]),
        ),
        "/api/v2/organizations/cases" => Reply::json(200, &json!({"results": [], "totalCount": 0})),
        "/api/v2/integrations/autotask/7d6c5b4a-0000-4000-8000-000000000001" => {
            Reply::json(200, &json!({"id": "7d6c5b4a-0000-4000-8000-000000000001"}))
        }
        _ => unexpected(request),
    })
    .await;
    let client = client_with_org(&server);

    let provider = client
        .providers_get_provider("pppppppppppppppppppp0001")
        .send()
        .await
        .expect("provider");
    let links = client
        .administrator_organizations_list_by_administrator("adadadadadadadadadad0001")
        .send()
        .await
        .expect("links");
    client
        .organizations_org_list_cases()
        .send()
        .await
        .expect("cases");
    client
        .autotask_get_configuration("7d6c5b4a-0000-4000-8000-000000000001")
        .send()
        .await
        .expect("autotask");

    let requests = server.requests();
    let paths: Vec<&str> = requests.iter().map(Recorded::path).collect();
    assert_eq!(
        paths,
        [
            "/api/v2/providers/pppppppppppppppppppp0001",
            "/api/v2/administrators/adadadadadadadadadad0001/organizationlinks",
            "/api/v2/organizations/cases",
            "/api/v2/integrations/autotask/7d6c5b4a-0000-4000-8000-000000000001",
        ]
    );
    for request in &requests {
        assert_eq!(request.method, "GET");
        assert_eq!(request.header("x-org-id"), None, "{}", request.target);
        assert_eq!(request.header("x-api-key"), Some(TEST_KEY));
    }
    assert_eq!(provider.name.as_deref(), Some("Example MSP"));
    assert_eq!(links[0].organization.as_deref(), Some(ORG_ID));
}

// --- BUG-14: 503 and retries --------------------------------------------------------------

#[tokio::test]
async fn bug_14_idempotent_get_is_retried_then_fails_with_typed_503() {
    let case = case("BUG-14");
    let reply = Reply::from_case(&case["response"]);
    let server = MockServer::start(move |_| reply.clone()).await;

    let error = client(&server)
        .systeminsights_list_programs()
        .limit(case_query_value(&case, "limit"))
        .skip(case_query_value(&case, "skip"))
        .send()
        .await
        .expect_err("503 every time");

    let requests = server.requests();
    assert_eq!(requests.len(), 4, "the default policy makes 4 attempts");
    for request in &requests {
        assert_request(request, "GET", "/api/v2/systeminsights/programs");
        assert_eq!(sorted_query(request), case_query(&case));
        assert_no_body(request);
    }
    let api = error
        .as_api()
        .unwrap_or_else(|| panic!("a typed API error, not {error:?}"));
    assert_eq!(api.status().as_u16(), 503);
    assert_eq!(api.attempts(), 4);
    assert_eq!(api.message(), None);
    assert_eq!(api.body_text(), case["response"]["body"].as_str().unwrap());
}

#[tokio::test]
async fn bug_14_get_recovers_after_503_and_429_with_retry_after() {
    let server = MockServer::sequence(vec![
        Reply::text(
            503,
            "text/html",
            "<html><body>Service Unavailable</body></html>",
        ),
        Reply::json(429, &json!({"message": "Too Many Requests"})).header("retry-after", "0"),
        list_page(
            vec![json!({"system_id": "s1", "name": "Editor", "version": "2.1"})],
            Some(1),
        ),
    ])
    .await;

    let programs = client(&server)
        .systeminsights_list_programs()
        .send()
        .await
        .expect("the third attempt succeeds");

    let requests = server.requests();
    assert_eq!(requests.len(), 3);
    assert!(
        requests
            .iter()
            .all(|r| r.method == "GET" && r.path() == "/api/v2/systeminsights/programs")
    );
    assert_eq!(programs.len(), 1);
    assert_eq!(programs[0].version.as_deref(), Some("2.1"));
}

#[tokio::test]
async fn bug_14_post_put_and_patch_are_not_retried() {
    let server = MockServer::start(|_| {
        Reply::text(
            503,
            "text/html",
            "<html><body>Service Unavailable</body></html>",
        )
    })
    .await;
    let client = client(&server);

    let post = client
        .groups_user_post()
        .body(serde_json::from_value(json!({"name": "Staff"})).expect("group"))
        .send()
        .await
        .expect_err("503");
    let put = client
        .groups_user_put("bbbbbbbbbbbbbbbbbbbb0140")
        .body(serde_json::from_value(json!({"name": "Staff"})).expect("group"))
        .send()
        .await
        .expect_err("503");
    let patch = client
        .office365s_patch("bbbbbbbbbbbbbbbbbbbb0090")
        .body(serde_json::from_value(json!({"name": "Example M365"})).expect("o365"))
        .send()
        .await
        .expect_err("503");

    let requests = server.requests();
    let sent: Vec<(&str, &str)> = requests
        .iter()
        .map(|r| (r.method.as_str(), r.path()))
        .collect();
    assert_eq!(
        sent,
        [
            ("POST", "/api/v2/usergroups"),
            ("PUT", "/api/v2/usergroups/bbbbbbbbbbbbbbbbbbbb0140"),
            ("PATCH", "/api/v2/office365s/bbbbbbbbbbbbbbbbbbbb0090"),
        ],
        "one attempt each"
    );
    assert_json_body(&requests[0], &json!({"name": "Staff"}));
    assert_json_body(&requests[1], &json!({"name": "Staff"}));
    assert_json_body(&requests[2], &json!({"name": "Example M365"}));
    for error in [&post, &put, &patch] {
        let api = error.as_api().expect("API error");
        assert_eq!(api.status().as_u16(), 503);
        assert_eq!(api.attempts(), 1);
    }
}

// --- BUG-16: filter arrays as repeated keys -----------------------------------------------

/// The `filter=` values of a raw query, in order, still encoded except that `%3A` is read as
/// the `:` it stands for.
fn raw_filters(request: &Recorded) -> Vec<String> {
    request
        .query()
        .split('&')
        .filter_map(|pair| pair.strip_prefix("filter="))
        .map(|value| value.replace("%3A", ":").replace("%3a", ":"))
        .collect()
}

#[tokio::test]
async fn bug_16_filters_are_repeated_keys_each_percent_encoded() {
    let case = case("BUG-16");
    let server = MockServer::sequence(vec![Reply::from_case(&case["response"])]).await;
    let filters: Vec<String> =
        serde_json::from_value(case["request"]["filter"].clone()).expect("filters");

    let apps = client(&server)
        .systeminsights_list_apps()
        .filter(filters.clone())
        .send()
        .await
        .expect("apps");

    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    assert_request(&requests[0], "GET", "/api/v2/systeminsights/apps");
    assert_no_body(&requests[0]);
    let expected: Vec<String> = case["request"]["expected_query"]
        .as_str()
        .unwrap()
        .split('&')
        .map(|pair| {
            pair.strip_prefix("filter=")
                .expect("filter pair")
                .to_owned()
        })
        .collect();
    assert_eq!(
        raw_filters(&requests[0]),
        expected,
        "raw query {}",
        requests[0].query()
    );
    let decoded: Vec<String> = requests[0]
        .query_pairs()
        .into_iter()
        .filter(|(k, _)| k == "filter")
        .map(|(_, v)| v)
        .collect();
    assert_eq!(decoded, filters);
    assert!(!requests[0].query().contains("filter%5B"));
    assert!(!requests[0].query().contains("filter["));

    assert_eq!(apps.len(), 1);
    assert_eq!(apps[0].bundle_name.as_deref(), Some("Example Browser"));
    assert_eq!(apps[0].bundle_version.as_deref(), Some("99.0"));
    assert_eq!(
        apps[0].system_id.as_deref(),
        Some("bbbbbbbbbbbbbbbbbbbb0070")
    );
}

/// Every array `filter` of the v2 crate is the same kind: a sample across tags, with a comma
/// and a pipe inside values that must never be used as separators.
#[tokio::test]
async fn bug_16_every_array_filter_parameter_is_sent_as_repeated_keys() {
    let server = MockServer::start(|_| list_page(Vec::new(), Some(0))).await;
    let client = client(&server);
    let filters = || {
        vec![
            "name:eq:Research, Europe".to_owned(),
            "description:in:a|b c".to_owned(),
        ]
    };

    macro_rules! check {
        ($($call:expr),+ $(,)?) => {{
            let mut count = 0;
            $(
                let page = $call.filter(filters()).send().await.expect(stringify!($call));
                assert!(page.is_empty(), stringify!($call));
                count += 1;
            )+
            count
        }};
    }
    let count = check!(
        client.systeminsights_list_programs(),
        client.systeminsights_list_alf(),
        client.groups_user_list(),
        client.groups_system_list(),
        client.groups_list(),
        client.groups_policy_list(),
        client.graph_user_traverse_system("bbbbbbbbbbbbbbbbbbbb0150"),
        client.graph_system_group_membership("bbbbbbbbbbbbbbbbbbbb0060"),
        client.policystatuses_systems_list("bbbbbbbbbbbbbbbbbbbb0110"),
        client.policies_list(),
        client.software_apps_list(),
        client.applemdms_deviceslist("bbbbbbbbbbbbbbbbbbbb0160"),
        client.authnpolicies_list(),
        client.iplists_list(),
        client.directories_list(),
        client.ldapservers_list(),
        client.activedirectories_list(),
        client.workdays_list(),
    );

    let requests = server.requests();
    assert_eq!(requests.len(), count);
    for request in &requests {
        assert_eq!(request.method, "GET");
        assert_eq!(
            raw_filters(request),
            ["name:eq:Research%2C%20Europe", "description:in:a%7Cb%20c"],
            "{} {}",
            request.path(),
            request.query()
        );
        assert!(!request.query().contains("filter["), "{}", request.target);
        assert!(!request.query().contains("filter%5B"), "{}", request.target);
    }
}

// --- BUG-19: read-only fields that PATCH must send ----------------------------------------

#[tokio::test]
async fn bug_19_office365_patch_sends_lockout_and_password_expiration_actions() {
    let case = case("BUG-19");
    let server = MockServer::sequence(vec![Reply::from_case(&case["response"])]).await;
    let mut body = types::Office365::default();
    body.user_lockout_action = Some(types::Office365UserLockoutAction::Maintain);
    body.user_password_expiration_action =
        Some(types::Office365UserPasswordExpirationAction::Suspend);

    let updated = client(&server)
        .office365s_patch("bbbbbbbbbbbbbbbbbbbb0090")
        .body(body)
        .send()
        .await
        .expect("patch");

    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    assert_request(
        &requests[0],
        "PATCH",
        case["request"]["path"].as_str().unwrap(),
    );
    assert_json_body(&requests[0], &case["request"]["body"]);

    assert_eq!(updated.id.as_deref(), Some("bbbbbbbbbbbbbbbbbbbb0090"));
    assert_eq!(updated.name.as_deref(), Some("Example M365"));
    assert_eq!(
        updated.user_lockout_action,
        Some(types::Office365UserLockoutAction::Maintain)
    );
    assert_eq!(
        updated.user_password_expiration_action,
        Some(types::Office365UserPasswordExpirationAction::Suspend)
    );
}

// --- BUG-20 (v2 side): PUT replaces; omitted fields are left out, null is sent -------------

#[tokio::test]
async fn bug_20_user_group_put_omits_unset_fields_and_sends_explicit_null() {
    let reply = json!({"id": "bbbbbbbbbbbbbbbbbbbb0140", "name": "Staff", "type": "user_group"});
    let server = MockServer::start(move |_| Reply::json(200, &reply)).await;
    let client = client(&server);

    // Omitted: only what the caller set is in the body.
    let mut rename = types::UserGroupPut::default();
    rename.name = Some("Staff".to_owned());
    let group = client
        .groups_user_put("bbbbbbbbbbbbbbbbbbbb0140")
        .body(rename)
        .send()
        .await
        .expect("put");

    // Cleared: the description is sent as an explicit null.
    let mut clear = types::UserGroupPut::default();
    clear.name = Some("Staff".to_owned());
    clear.description = Some(None);
    client
        .groups_user_put("bbbbbbbbbbbbbbbbbbbb0140")
        .body(clear)
        .send()
        .await
        .expect("put");

    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    for request in &requests {
        assert_request(
            request,
            "PUT",
            "/api/v2/usergroups/bbbbbbbbbbbbbbbbbbbb0140",
        );
    }
    assert_eq!(requests[0].body, br#"{"name":"Staff"}"#.to_vec());
    assert_eq!(
        requests[1].json(),
        json!({"name": "Staff", "description": null}),
        "an explicit null must reach the server to clear the description; body was {}",
        String::from_utf8_lossy(&requests[1].body)
    );
    assert_eq!(group.name.as_deref(), Some("Staff"));
    assert_eq!(group.r#type, Some(types::UserGroupType::UserGroup));
}

// --- BUG-22: token-paged imports ----------------------------------------------------------

fn gsuite_user(n: u32) -> Value {
    json!({
        "id": format!("g-{n:04}"),
        "primaryEmail": format!("user{n}@example.com"),
        "givenName": "User",
        "familyName": format!("N{n}")
    })
}

#[tokio::test]
async fn bug_22_gsuite_import_send_exposes_next_page_token() {
    let case = case("BUG-22");
    let server = MockServer::sequence(vec![Reply::from_case(&case["response"])]).await;

    let page = client(&server)
        .gsuites_list_import_users("bbbbbbbbbbbbbbbbbbbb0120")
        .max_results(case_query_value(&case, "maxResults"))
        .page_token(case["request"]["query"]["pageToken"].as_str().unwrap())
        .send()
        .await
        .expect("page");

    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    assert_request(
        &requests[0],
        "GET",
        case["request"]["path"].as_str().unwrap(),
    );
    assert_eq!(sorted_query(&requests[0]), case_query(&case));
    assert_no_body(&requests[0]);

    assert_eq!(page.next_page_token.as_deref(), Some("tok-page-2"));
    let users = page.users.as_deref().expect("users");
    assert_eq!(users.len(), 2);
    assert_eq!(users[0].id.as_deref(), Some("g-0001"));
    assert_eq!(users[1].primary_email.as_deref(), Some("user2@example.com"));
    assert_eq!(users[1].family_name.as_deref(), Some("Two"));
}

#[tokio::test]
async fn bug_22_gsuite_import_stream_follows_page_tokens_until_empty() {
    let case = case("BUG-22");
    let recorded = Reply::from_case(&case["response"]);
    let server = MockServer::start(move |request| {
        if request.query_param("skip").is_some() || request.query_param("limit").is_some() {
            return unexpected(request);
        }
        match request.query_param("pageToken").as_deref() {
            None => Reply::json(
                200,
                &json!({"users": [gsuite_user(0)], "nextPageToken": "tok-page-1"}),
            ),
            Some("tok-page-1") => recorded.clone(),
            Some("tok-page-2") => Reply::json(
                200,
                &json!({"users": [gsuite_user(3)], "nextPageToken": ""}),
            ),
            _ => unexpected(request),
        }
    })
    .await;

    let users = collect_ok(
        client(&server)
            .gsuites_list_import_users("bbbbbbbbbbbbbbbbbbbb0120")
            .max_results(2)
            .stream(),
    )
    .await;

    let requests = server.requests();
    let tokens: Vec<Option<String>> = requests
        .iter()
        .map(|r| r.query_param("pageToken"))
        .collect();
    assert_eq!(
        tokens,
        [
            None,
            Some("tok-page-1".to_owned()),
            Some("tok-page-2".to_owned())
        ]
    );
    for request in &requests {
        assert_request(request, "GET", case["request"]["path"].as_str().unwrap());
        assert_eq!(request.query_param("maxResults").as_deref(), Some("2"));
        assert_eq!(request.query_param("skip"), None);
        assert_eq!(request.query_param("limit"), None);
    }
    let ids: Vec<&str> = users.iter().map(|u| u.id.as_deref().unwrap()).collect();
    assert_eq!(ids, ["g-0000", "g-0001", "g-0002", "g-0003"]);
}

#[tokio::test]
async fn bug_22_gsuite_import_stream_stops_when_token_absent() {
    let server = MockServer::start(
        |request| match request.query_param("pageToken").as_deref() {
            None => Reply::json(
                200,
                &json!({"users": [gsuite_user(1)], "nextPageToken": "tok-a"}),
            ),
            Some("tok-a") => Reply::json(200, &json!({"users": [gsuite_user(2)]})),
            _ => unexpected(request),
        },
    )
    .await;

    let users = collect_ok(
        client(&server)
            .gsuites_list_import_users("bbbbbbbbbbbbbbbbbbbb0120")
            .stream(),
    )
    .await;

    assert_eq!(server.requests().len(), 2);
    let ids: Vec<&str> = users.iter().map(|u| u.id.as_deref().unwrap()).collect();
    assert_eq!(ids, ["g-0001", "g-0002"]);
}

#[tokio::test]
async fn bug_22_office365_import_stream_follows_skip_token() {
    let user = |n: u32| json!({"id": format!("o-{n:04}"), "userPrincipalName": format!("user{n}@example.com")});
    let server = MockServer::start(move |request| {
        if request.query_param("skip").is_some() || request.query_param("limit").is_some() {
            return unexpected(request);
        }
        match request.query_param("skipToken").as_deref() {
            None => Reply::json(
                200,
                &json!({"users": [user(1), user(2)], "skipToken": "sk-2", "top": 2}),
            ),
            Some("sk-2") => Reply::json(200, &json!({"users": [user(3)], "top": 2})),
            _ => unexpected(request),
        }
    })
    .await;

    let users = collect_ok(
        client(&server)
            .office365s_list_import_users("bbbbbbbbbbbbbbbbbbbb0090")
            .top(2)
            .stream(),
    )
    .await;

    let requests = server.requests();
    let tokens: Vec<Option<String>> = requests
        .iter()
        .map(|r| r.query_param("skipToken"))
        .collect();
    assert_eq!(tokens, [None, Some("sk-2".to_owned())]);
    for request in &requests {
        assert_request(
            request,
            "GET",
            "/api/v2/office365s/bbbbbbbbbbbbbbbbbbbb0090/import/users",
        );
        assert_eq!(request.query_param("top").as_deref(), Some("2"));
    }
    let ids: Vec<&str> = users.iter().map(|u| u.id.as_deref().unwrap()).collect();
    assert_eq!(ids, ["o-0001", "o-0002", "o-0003"]);
}

/// The cases this file replays: every case file whose `api` is `v2`, and no other. A new
/// case file for this API fails here until it has a test.
const REPLAYED: &[&str] = &[
    "BUG-03", "BUG-05", "BUG-06", "BUG-09", "BUG-12", "BUG-14", "BUG-16", "BUG-19", "BUG-22",
];

#[test]
fn every_v2_case_file_is_replayed_here() {
    let dir = jumpcloud_testkit::shared_dir().join("cases");
    let mut ids: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .map(|path| path.file_stem().unwrap().to_string_lossy().into_owned())
        .filter(|id| case(id)["api"] == "v2")
        .collect();
    ids.sort();
    assert_eq!(ids, REPLAYED);
}
