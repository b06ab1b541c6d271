//! Every pagination strategy against a local server, driven through raw requests (which is
//! also how an operation missing from the spec gets paged).

use jumpcloud_testkit as support;

use futures_util::StreamExt as _;
use jumpcloud_core::paginate::{self, MAX_PAGE_SIZE, Page, TokenPage};
use jumpcloud_core::{Api, Client, Error, Method, ResponseValue};
use serde_json::{Value, json};
use support::{MockServer, Recorded, Reply};

/// `(skip, limit)` of every request, in order.
fn skips_and_limits(server: &MockServer) -> Vec<(i64, i64)> {
    server
        .requests()
        .iter()
        .map(|r| {
            let get = |name| -> i64 {
                r.query_param(name)
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(-1)
            };
            (get("skip"), get("limit"))
        })
        .collect()
}

fn numbered(from: i64, count: i64) -> Value {
    Value::Array((from..from + count).map(|n| json!({ "n": n })).collect())
}

async fn v2_page(
    client: Client,
    skip: i64,
    limit: i64,
) -> Result<ResponseValue<Vec<Value>>, Error> {
    let mut req = client.raw(Method::GET, Api::V2, "/systemgroups/g1/members");
    req.query("limit", &limit).query("skip", &skip);
    req.send().await?.json()
}

async fn collect<S: futures_util::Stream<Item = Result<Value, Error>> + Unpin>(
    mut stream: S,
) -> Result<Vec<Value>, Error> {
    let mut items = Vec::new();
    while let Some(item) = stream.next().await {
        items.push(item?);
    }
    Ok(items)
}

#[tokio::test]
async fn v2_header_total_never_stops_on_a_short_page() {
    // 250 entries, some dangling, so that pages come back short mid-listing.
    let server = MockServer::start(|r: &Recorded| {
        let skip: i64 = r.query_param("skip").unwrap().parse().unwrap();
        let items = match skip {
            0 => numbered(0, 97),
            100 => numbered(100, 60),
            200 => numbered(200, 50),
            _ => json!([]),
        };
        Reply::json(200, &items).header("x-total-count", "250")
    })
    .await;
    let client = server.builder().build().unwrap();
    let items = collect(paginate::skip_limit_header(client, v2_page))
        .await
        .unwrap();

    assert_eq!(items.len(), 97 + 60 + 50);
    assert_eq!(
        skips_and_limits(&server),
        [(0, 100), (100, 100), (200, 100)]
    );
}

#[tokio::test]
async fn v2_without_the_header_stops_only_on_an_empty_page() {
    let server = MockServer::sequence(vec![
        Reply::json(200, &numbered(0, 3)),
        Reply::json(200, &numbered(3, 2)),
        Reply::json(200, &json!([])),
    ])
    .await;
    let client = server.builder().build().unwrap();
    let pager = paginate::skip_limit_header(client, v2_page).page_size(5);
    let items = collect(pager).await.unwrap();
    assert_eq!(items.len(), 5);
    assert_eq!(skips_and_limits(&server), [(0, 5), (5, 5), (10, 5)]);
}

#[tokio::test]
async fn page_size_is_capped_and_start_is_honoured() {
    let server = MockServer::sequence(vec![
        Reply::json(200, &numbered(0, 1)).header("x-total-count", "1"),
        Reply::json(200, &numbered(40, 1)).header("x-total-count", "42"),
        Reply::json(200, &numbered(41, 1)).header("x-total-count", "42"),
    ])
    .await;
    let client = server.builder().build().unwrap();
    let pager = paginate::skip_limit_header(client.clone(), v2_page).page_size(1000);
    collect(pager).await.unwrap();
    let pager = paginate::skip_limit_header(client, v2_page)
        .start(40)
        .page_size(0);
    collect(pager).await.unwrap();
    assert_eq!(
        skips_and_limits(&server),
        [(0, MAX_PAGE_SIZE), (40, 1), (41, 1)]
    );
}

#[tokio::test]
async fn pages_are_fetched_only_when_the_previous_one_is_used_up() {
    let server = MockServer::start(|_| Reply::json(200, &numbered(0, 100))).await;
    let client = server.builder().build().unwrap();
    let mut pager = paginate::skip_limit_header(client, v2_page);
    for _ in 0..100 {
        pager.next().await.unwrap().unwrap();
    }
    assert_eq!(server.requests().len(), 1);
    pager.next().await.unwrap().unwrap();
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn v1_total_count_in_the_body() {
    let server = MockServer::start(|r: &Recorded| {
        let skip: i64 = r.query_param("skip").unwrap().parse().unwrap();
        let results = if skip < 200 {
            numbered(skip, 100)
        } else {
            numbered(skip, 30)
        };
        Reply::json(200, &json!({"totalCount": 230, "results": results}))
    })
    .await;
    let client = server.builder().build().unwrap();
    let pager = paginate::skip_limit_total(client, |c: Client, skip, limit| async move {
        let mut req = c.raw(Method::GET, Api::V1, "/systemusers");
        req.query("skip", &skip).query("limit", &limit);
        let body = req.send().await?.json::<Value>()?.into_inner();
        let results = body["results"].as_array().cloned().unwrap_or_default();
        Ok(Page::new(results, body["totalCount"].as_i64()))
    });
    let items = collect(pager).await.unwrap();
    assert_eq!(items.len(), 230);
    assert_eq!(
        skips_and_limits(&server),
        [(0, 100), (100, 100), (200, 100)]
    );
}

#[tokio::test]
async fn search_bodies_carry_skip_and_limit() {
    let server = MockServer::start(|r: &Recorded| {
        let skip = r.json()["skip"].as_i64().unwrap();
        let results = if skip == 0 {
            numbered(0, 100)
        } else {
            numbered(100, 1)
        };
        Reply::json(200, &json!({"totalCount": 101, "results": results}))
    })
    .await;
    let client = server.builder().build().unwrap();
    let query = json!({"filter": {"and": [{"department": "R&D"}]}, "fields": "email"});
    let pager = paginate::search_body((client, query), |(c, query), skip, limit| async move {
        let mut body = query;
        body["skip"] = json!(skip);
        body["limit"] = json!(limit);
        let mut req = c.raw(Method::POST, Api::V1, "/search/systemusers");
        req.json(&body)?;
        let body = req.send().await?.json::<Value>()?.into_inner();
        let results = body["results"].as_array().cloned().unwrap_or_default();
        Ok(Page::new(results, body["totalCount"].as_i64()))
    });
    let items = collect(pager).await.unwrap();
    assert_eq!(items.len(), 101);
    let bodies: Vec<Value> = server.requests().iter().map(Recorded::json).collect();
    assert_eq!(bodies.len(), 2);
    assert_eq!(bodies[1]["skip"], 100);
    assert_eq!(bodies[1]["limit"], 100);
    assert_eq!(bodies[1]["filter"], json!({"and": [{"department": "R&D"}]}));
    // Nothing leaks into the query string.
    assert!(server.requests().iter().all(|r| r.query().is_empty()));
}

async fn events(
    client: Client,
    after: Option<Vec<Value>>,
) -> Result<ResponseValue<Vec<Value>>, Error> {
    let mut body = json!({"service": ["all"], "start_time": "2024-02-13T00:00:00Z", "limit": 2});
    if let Some(after) = after {
        body["search_after"] = Value::Array(after);
    }
    let mut req = client.raw(Method::POST, Api::Insights, "/events");
    req.json(&body)?;
    req.send().await?.json()
}

#[tokio::test]
async fn search_after_follows_the_header_cursor_while_pages_are_full() {
    let server = MockServer::sequence(vec![
        Reply::json(200, &numbered(0, 2))
            .header("X-Result-Count", "2")
            .header("X-Limit", "2")
            .header("X-Search_after", "[1707800100000,\"evt-2\"]"),
        Reply::json(200, &numbered(2, 2))
            .header("X-Result-Count", "2")
            .header("X-Limit", "2")
            .header("X-Search_after", "[1707800200000,\"evt-4\"]"),
        Reply::json(200, &numbered(4, 1))
            .header("X-Result-Count", "1")
            .header("X-Limit", "2")
            .header("X-Search_after", "[1707800300000,\"evt-5\"]"),
    ])
    .await;
    let client = server.builder().build().unwrap();
    let items = collect(paginate::search_after(client, events))
        .await
        .unwrap();
    assert_eq!(items.len(), 5);
    let bodies: Vec<Value> = server.requests().iter().map(Recorded::json).collect();
    assert_eq!(bodies.len(), 3);
    assert!(bodies[0].get("search_after").is_none());
    assert_eq!(
        bodies[1]["search_after"],
        json!([1707800100000_u64, "evt-2"])
    );
    assert_eq!(
        bodies[2]["search_after"],
        json!([1707800200000_u64, "evt-4"])
    );
}

#[tokio::test]
async fn search_after_compares_counts_as_integers_and_stops_without_headers() {
    // "10" < "9" as text; as numbers the page is full and paging must go on.
    let server = MockServer::sequence(vec![
        Reply::json(200, &numbered(0, 10))
            .header("X-Result-Count", "10")
            .header("X-Limit", " 10")
            .header("X-Search_after", "[1,\"a\"]"),
        Reply::json(200, &numbered(10, 9))
            .header("X-Result-Count", "9")
            .header("X-Limit", "10")
            .header("X-Search_after", "[2,\"b\"]"),
    ])
    .await;
    let client = server.builder().build().unwrap();
    let items = collect(paginate::search_after(client, events))
        .await
        .unwrap();
    assert_eq!(items.len(), 19);
    assert_eq!(server.requests().len(), 2);

    // A full page without a cursor header cannot be continued.
    let server = MockServer::sequence(vec![
        Reply::json(200, &numbered(0, 2))
            .header("X-Result-Count", "2")
            .header("X-Limit", "2"),
    ])
    .await;
    let client = server.builder().build().unwrap();
    let items = collect(paginate::search_after(client, events))
        .await
        .unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn search_after_reports_an_unusable_cursor() {
    let server = MockServer::sequence(vec![
        Reply::json(200, &numbered(0, 2))
            .header("X-Result-Count", "2")
            .header("X-Limit", "2")
            .header("X-Search_after", "not json"),
    ])
    .await;
    let client = server.builder().build().unwrap();
    let mut pager = paginate::search_after(client, events);
    // The page's items come first; the error follows and ends the stream.
    let results: Vec<Result<Value, Error>> = (&mut pager).collect().await;
    assert_eq!(results.len(), 3);
    assert!(
        matches!(&results[2], Err(Error::Pagination { message }) if message.contains("X-Search_after"))
    );
    assert!(pager.next().await.is_none());
}

async fn imports(client: Client, token: Option<String>) -> Result<TokenPage<Value>, Error> {
    let mut req = client.raw(Method::GET, Api::V2, "/gsuites/gs1/import/users");
    req.query("maxResults", &MAX_PAGE_SIZE);
    if let Some(token) = &token {
        req.query("pageToken", token);
    }
    let body = req.send().await?.json::<Value>()?.into_inner();
    let users = body["users"].as_array().cloned().unwrap_or_default();
    let next = body["nextPageToken"].as_str().map(str::to_owned);
    Ok(TokenPage::new(users, next))
}

#[tokio::test]
async fn page_tokens_are_followed_until_absent_or_empty() {
    for last in [
        json!({"users": [{"id": 3}]}),
        json!({"users": [{"id": 3}], "nextPageToken": ""}),
    ] {
        let server = MockServer::sequence(vec![
            Reply::json(
                200,
                &json!({"users": [{"id": 1}, {"id": 2}], "nextPageToken": "t2"}),
            ),
            Reply::json(200, &last),
        ])
        .await;
        let client = server.builder().build().unwrap();
        let items = collect(paginate::page_token(client, imports))
            .await
            .unwrap();
        assert_eq!(items.len(), 3);
        let tokens: Vec<Option<String>> = server
            .requests()
            .iter()
            .map(|r| r.query_param("pageToken"))
            .collect();
        assert_eq!(tokens, [None, Some("t2".to_owned())]);
    }
}

#[tokio::test]
async fn a_repeated_page_token_is_an_error_not_a_loop() {
    let server = MockServer::start(|_| {
        Reply::json(200, &json!({"users": [{"id": 1}], "nextPageToken": "same"}))
    })
    .await;
    let client = server.builder().build().unwrap();
    let results: Vec<Result<Value, Error>> = paginate::page_token(client, imports).collect().await;
    assert!(matches!(
        results.last(),
        Some(Err(Error::Pagination { .. }))
    ));
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn an_api_error_ends_the_stream_after_the_items_already_fetched() {
    let server = MockServer::sequence(vec![
        Reply::json(200, &numbered(0, 100)).header("x-total-count", "300"),
        Reply::json(403, &json!({"message": "forbidden"})),
    ])
    .await;
    let client = server.builder().build().unwrap();
    let mut pager = paginate::skip_limit_header(client, v2_page);
    let mut ok = 0;
    let mut error = None;
    while let Some(item) = pager.next().await {
        match item {
            Ok(_) => ok += 1,
            Err(e) => error = Some(e),
        }
    }
    assert_eq!(ok, 100);
    assert_eq!(
        error.and_then(|e| e.status()).map(|s| s.as_u16()),
        Some(403)
    );
    assert_eq!(server.requests().len(), 2);
}
