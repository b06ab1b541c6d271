//! The response decoding policy, one test per rule, on realistic v1 bodies (system users,
//! systems, applications, commands, command results) decoded by the generated operations
//! from a mock server on 127.0.0.1.
//!
//! Where a rule allows more than one representation (a date kept as text or parsed; an empty
//! date string kept or dropped), the assertions go through `serde_json::to_value` of the field,
//! so they hold for either representation and fail only when the value is lost or wrong.

use jumpcloud_core::RetryPolicy;
use jumpcloud_testkit::{MockServer, Recorded, Reply, TEST_KEY};
use jumpcloud_v1::{Client, types};
use serde_json::{Value, json};
use jumpcloud_testkit::{json_of};

const USER_ID: &str = "bbbbbbbbbbbbbbbbbbbb0200";
const SYSTEM_ID: &str = "bbbbbbbbbbbbbbbbbbbb0210";
const APP_ID: &str = "bbbbbbbbbbbbbbbbbbbb0220";
const COMMAND_ID: &str = "bbbbbbbbbbbbbbbbbbbb0230";
const RESULT_ID: &str = "bbbbbbbbbbbbbbbbbbbb0240";

/// A server that answers `GET /api{path}` with the body given for `path`.
async fn serve(routes: Vec<(String, Value)>) -> (MockServer, Client) {
    let server = MockServer::start(move |request| {
        let found = routes
            .iter()
            .find(|(path, _)| request.method == "GET" && request.path() == format!("/api{path}"));
        match found {
            Some((_, body)) => Reply::json(200, body),
            None => Reply::text(599, "text/plain", "mock: unexpected request"),
        }
    })
    .await;
    let client = Client::new(
        server
            .builder()
            .retry(RetryPolicy::disabled())
            .build()
            .expect("client"),
    );
    (server, client)
}

/// Every request was a bodiless GET with the key, to these paths in this order.
fn assert_gets(requests: &[Recorded], paths: &[String]) {
    let sent: Vec<(&str, &str)> = requests
        .iter()
        .map(|r| (r.method.as_str(), r.path()))
        .collect();
    let expected: Vec<(&str, String)> = paths.iter().map(|p| ("GET", format!("/api{p}"))).collect();
    let expected: Vec<(&str, &str)> = expected.iter().map(|(m, p)| (*m, p.as_str())).collect();
    assert_eq!(sent, expected);
    for request in requests {
        assert_eq!(request.header("x-api-key"), Some(TEST_KEY));
        assert!(request.body.is_empty(), "{}", request.target);
    }
}

fn user_path() -> String {
    format!("/systemusers/{USER_ID}")
}

fn system_path() -> String {
    format!("/systems/{SYSTEM_ID}")
}

fn app_path() -> String {
    format!("/applications/{APP_ID}")
}

fn command_path() -> String {
    format!("/commands/{COMMAND_ID}")
}

fn result_path() -> String {
    format!("/commandresults/{RESULT_ID}")
}

/// A system user roughly as `GET /systemusers/{id}` returns it.
fn full_user() -> Value {
    json!({
        "_id": USER_ID,
        "username": "ada.lovelace",
        "email": "ada@example.com",
        "firstname": "Ada",
        "lastname": "Lovelace",
        "activated": true,
        "state": "ACTIVATED",
        "account_locked": false,
        "created": "2023-05-04T10:11:12.000Z",
        "unix_uid": 5101,
        "unix_guid": 5101,
        "attributes": [{"name": "costCenter", "value": "R&D"}],
        "mfa": {"configured": true, "exclusion": false},
        "tags": ["engineering"],
        "organization": "aaaaaaaaaaaaaaaaaaaa0001"
    })
}

// --- A field the spec requires may be absent ----------------------------------------------

#[tokio::test]
async fn required_fields_may_be_absent() {
    // `application` requires config, name and ssoUrl; `command` requires command,
    // commandType and name. A `fields=` subset leaves them out.
    let (server, client) = serve(vec![
        (
            app_path(),
            json!({"_id": APP_ID, "displayLabel": "Example Wiki"}),
        ),
        (
            command_path(),
            json!({"shell": "bash", "organization": "aaaaaaaaaaaaaaaaaaaa0001"}),
        ),
        (
            user_path(),
            json!({"_id": USER_ID, "email": "ada@example.com"}),
        ),
        (
            system_path(),
            json!({"_id": SYSTEM_ID, "hostname": "ws-01.example.test"}),
        ),
    ])
    .await;

    let app = client
        .applications_get(APP_ID)
        .send()
        .await
        .expect("application");
    let command = client
        .commands_get(COMMAND_ID)
        .fields("shell organization")
        .send()
        .await
        .expect("command");
    let user = client
        .systemusers_get(USER_ID)
        .fields("email")
        .send()
        .await
        .expect("user");
    let system = client
        .systems_get(SYSTEM_ID)
        .fields("hostname")
        .send()
        .await
        .expect("system");

    let requests = server.requests();
    assert_gets(
        &requests,
        &[app_path(), command_path(), user_path(), system_path()],
    );
    assert_eq!(
        requests[1].query_param("fields").as_deref(),
        Some("shell organization")
    );
    assert_eq!(requests[2].query_param("fields").as_deref(), Some("email"));
    assert_eq!(
        requests[3].query_param("fields").as_deref(),
        Some("hostname")
    );

    assert_eq!(app.id.as_deref(), Some(APP_ID));
    assert_eq!(app.display_label.as_deref(), Some("Example Wiki"));
    assert_eq!(app.name, None);
    assert_eq!(app.sso_url, None);
    assert!(app.config.is_none());
    assert_eq!(command.shell.as_deref(), Some("bash"));
    assert_eq!(command.command, None);
    assert_eq!(command.command_type, None);
    assert_eq!(command.name, None);
    assert_eq!(user.email.as_deref(), Some("ada@example.com"));
    assert_eq!(user.username, None);
    assert_eq!(system.hostname.as_deref(), Some("ws-01.example.test"));
    assert_eq!(system.os, None);
}

// --- null where the spec does not allow it decodes as absent ------------------------------

#[tokio::test]
async fn null_where_not_nullable_decodes_as_absent() {
    let (server, client) = serve(vec![
        (
            user_path(),
            json!({
                "_id": USER_ID,
                "username": "ada.lovelace",
                "firstname": null,
                "activated": null,
                "attributes": null,
                "mfa": null,
                "state": null,
                "unix_uid": null,
                "tags": null,
                "addresses": null
            }),
        ),
        (
            system_path(),
            json!({
                "_id": SYSTEM_ID,
                "hostname": "ws-01.example.test",
                "displayName": null,
                "active": null,
                "networkInterfaces": null,
                "fde": null,
                "systemTimezone": null,
                "tags": null
            }),
        ),
        (
            command_path(),
            json!({
                "name": "Rotate logs",
                "command": "logrotate -f /etc/logrotate.conf",
                "commandType": "linux",
                "launchType": null,
                "timeout": null,
                "sudo": null,
                "systems": null
            }),
        ),
        (
            app_path(),
            json!({"_id": APP_ID, "name": "wiki", "active": null, "color": null, "logo": null}),
        ),
    ])
    .await;

    let user = client.systemusers_get(USER_ID).send().await.expect("user");
    let system = client.systems_get(SYSTEM_ID).send().await.expect("system");
    let command = client
        .commands_get(COMMAND_ID)
        .send()
        .await
        .expect("command");
    let app = client
        .applications_get(APP_ID)
        .send()
        .await
        .expect("application");

    assert_gets(
        &server.requests(),
        &[user_path(), system_path(), command_path(), app_path()],
    );
    assert_eq!(user.username.as_deref(), Some("ada.lovelace"));
    assert_eq!(user.firstname, None);
    assert_eq!(user.activated, None);
    assert!(user.attributes.is_none());
    assert!(user.mfa.is_none());
    assert!(user.state.is_none());
    assert_eq!(user.unix_uid, None);
    assert!(user.tags.is_none());
    assert_eq!(system.hostname.as_deref(), Some("ws-01.example.test"));
    assert_eq!(system.display_name, None);
    assert_eq!(system.active, None);
    assert!(system.network_interfaces.is_none());
    assert!(system.fde.is_none());
    assert_eq!(system.system_timezone, None);
    assert_eq!(command.name.as_deref(), Some("Rotate logs"));
    assert_eq!(command.launch_type, None);
    assert_eq!(command.timeout, None);
    assert_eq!(command.sudo, None);
    assert_eq!(app.name.as_deref(), Some("wiki"));
    assert!(app.color.is_none());
    assert!(app.logo.is_none());
}

// --- date-time fields accept null, absence and "" -----------------------------------------

#[tokio::test]
async fn date_time_fields_accept_null_absent_and_empty() {
    let (server, client) = serve(vec![
        (
            "/systems".to_owned(),
            json!({
                "totalCount": 3,
                "results": [
                    {"_id": "bbbbbbbbbbbbbbbbbbbb0211", "hostname": "a", "created": null, "lastContact": null},
                    {"_id": "bbbbbbbbbbbbbbbbbbbb0212", "hostname": "b"},
                    {"_id": "bbbbbbbbbbbbbbbbbbbb0213", "hostname": "c", "created": "", "lastContact": ""}
                ]
            }),
        ),
        (
            result_path(),
            json!({
                "_id": RESULT_ID,
                "name": "Rotate logs",
                "system": SYSTEM_ID,
                "requestTime": null,
                "responseTime": ""
            }),
        ),
    ])
    .await;

    let systems = client.systems_list().send().await.expect("systems");
    let result = client
        .command_results_get(RESULT_ID)
        .send()
        .await
        .expect("command result");

    assert_gets(&server.requests(), &["/systems".to_owned(), result_path()]);
    let systems = systems.results.as_deref().expect("results");
    let hostnames: Vec<_> = systems
        .iter()
        .map(|s| s.hostname.as_deref().unwrap())
        .collect();
    assert_eq!(hostnames, ["a", "b", "c"]);
    for system in &systems[..2] {
        assert_eq!(json_of(&system.created), Value::Null);
        assert_eq!(json_of(&system.last_contact), Value::Null);
    }
    // "" carries no date: kept as the empty string or read as absent, never an error.
    for value in [
        json_of(&systems[2].created),
        json_of(&systems[2].last_contact),
    ] {
        assert!(value == Value::Null || value == json!(""), "{value}");
    }
    assert_eq!(result.name.as_deref(), Some("Rotate logs"));
    assert_eq!(json_of(&result.request_time), Value::Null);
    let empty = json_of(&result.response_time);
    assert!(empty == Value::Null || empty == json!(""), "{empty}");
}

// --- a malformed date never fails the response --------------------------------------------

#[tokio::test]
async fn malformed_date_does_not_fail_the_response() {
    let mut user = full_user();
    user["created"] = json!("04/05/2023 10:11");
    user["password_expiration_date"] = json!("2023-02-30T25:61:00Z");
    let (server, client) = serve(vec![
        (user_path(), user),
        (
            system_path(),
            json!({
                "_id": SYSTEM_ID,
                "hostname": "ws-01.example.test",
                "created": "2023-05-04T10:11:12.000Z",
                "lastContact": "not a date"
            }),
        ),
        (
            result_path(),
            json!({
                "_id": RESULT_ID,
                "requestTime": "yesterday",
                "responseTime": "2024-03-01T10:00:02Z"
            }),
        ),
    ])
    .await;

    let user = client.systemusers_get(USER_ID).send().await.expect("user");
    let system = client.systems_get(SYSTEM_ID).send().await.expect("system");
    let result = client
        .command_results_get(RESULT_ID)
        .send()
        .await
        .expect("command result");

    assert_gets(
        &server.requests(),
        &[user_path(), system_path(), result_path()],
    );
    // The rest of the object is intact.
    assert_eq!(user.username.as_deref(), Some("ada.lovelace"));
    assert_eq!(user.unix_uid, Some(5101));
    assert_eq!(system.hostname.as_deref(), Some("ws-01.example.test"));
    assert_eq!(result.id.as_deref(), Some(RESULT_ID));
    // A malformed date is kept as sent or dropped; a good one keeps its value.
    for (value, raw) in [
        (json_of(&user.created), "04/05/2023 10:11"),
        (
            json_of(&user.password_expiration_date),
            "2023-02-30T25:61:00Z",
        ),
        (json_of(&system.last_contact), "not a date"),
        (json_of(&result.request_time), "yesterday"),
    ] {
        assert!(
            value == Value::Null || value == json!(raw),
            "{value} for {raw}"
        );
    }
    assert_eq!(json_of(&system.created), json!("2023-05-04T10:11:12.000Z"));
    assert_eq!(
        json_of(&result.response_time),
        json!("2024-03-01T10:00:02Z")
    );
}

// --- unknown enum values decode and round-trip; request enums accept any string -----------

#[tokio::test]
async fn unknown_enum_values_decode_and_round_trip() {
    let mut user = full_user();
    user["state"] = json!("PENDING_REVIEW");
    let application = json!({
        "_id": APP_ID,
        "name": "wiki",
        "displayLabel": "Example Wiki",
        "ssoUrl": "https://sso.example.test/wiki",
        "color": "#123456"
    });
    let (server, client) = serve(vec![
        (user_path(), user.clone()),
        (app_path(), application.clone()),
        (
            "/systemusers".to_owned(),
            json!({"totalCount": 2, "results": [
                {"_id": "bbbbbbbbbbbbbbbbbbbb0201", "state": "SUSPENDED"},
                {"_id": "bbbbbbbbbbbbbbbbbbbb0202", "state": "ARCHIVED"}
            ]}),
        ),
    ])
    .await;

    let decoded_user = client.systemusers_get(USER_ID).send().await.expect("user");
    let app = client
        .applications_get(APP_ID)
        .send()
        .await
        .expect("application");
    let list = client.systemusers_list().send().await.expect("users");

    assert_gets(
        &server.requests(),
        &[user_path(), app_path(), "/systemusers".to_owned()],
    );
    assert_eq!(
        decoded_user.state,
        Some(types::SystemuserreturnState::Unknown(
            "PENDING_REVIEW".to_owned()
        ))
    );
    assert_eq!(json_of(&decoded_user.state), json!("PENDING_REVIEW"));
    assert_eq!(
        app.color,
        Some(types::ApplicationColor::Unknown("#123456".to_owned()))
    );
    assert_eq!(
        json_of(&*app),
        application,
        "the whole application round-trips"
    );
    let states: Vec<_> = list
        .results
        .as_deref()
        .unwrap()
        .iter()
        .map(|u| u.state.clone().unwrap())
        .collect();
    assert_eq!(
        states,
        [
            types::SystemuserreturnState::Suspended,
            types::SystemuserreturnState::Unknown("ARCHIVED".to_owned())
        ]
    );
}

#[tokio::test]
async fn request_enums_accept_any_string() {
    let server =
        MockServer::start(|_| Reply::json(200, &json!({"_id": USER_ID, "state": "ON_HOLD"}))).await;
    let client = Client::new(server.builder().build().expect("client"));
    let mut body = types::Systemuserput::default();
    body.state = Some(types::SystemuserputState::from("ON_HOLD"));

    let user = client
        .systemusers_put(USER_ID)
        .body(body)
        .send()
        .await
        .expect("put");

    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].method, "PUT");
    assert_eq!(requests[0].path(), format!("/api{}", user_path()));
    assert_eq!(requests[0].json(), json!({"state": "ON_HOLD"}));
    assert_eq!(
        user.state,
        Some(types::SystemuserreturnState::Unknown("ON_HOLD".to_owned()))
    );
}

// --- integers without format and unsigned formats hold their full range -------------------

#[tokio::test]
async fn integers_hold_their_full_range() {
    let mut user = full_user();
    user["unix_uid"] = json!(4_294_967_295_u64);
    user["unix_guid"] = json!(3_221_225_477_u64);
    user["bad_login_attempts"] = json!(0);
    let (server, client) = serve(vec![
        (user_path(), user),
        (
            "/systemusers".to_owned(),
            json!({"totalCount": 5_000_000_000_u64, "results": []}),
        ),
        (
            command_path(),
            json!({"name": "Long job", "command": "sleep 1", "commandType": "linux",
                   "timeToLiveSeconds": 4_294_967_296_u64, "scheduleYear": 2025}),
        ),
    ])
    .await;

    let decoded = client.systemusers_get(USER_ID).send().await.expect("user");
    let list = client.systemusers_list().send().await.expect("users");
    let command = client
        .commands_get(COMMAND_ID)
        .send()
        .await
        .expect("command");

    assert_gets(
        &server.requests(),
        &[user_path(), "/systemusers".to_owned(), command_path()],
    );
    assert_eq!(json_of(&decoded.unix_uid), json!(4_294_967_295_u64));
    assert_eq!(json_of(&decoded.unix_guid), json!(3_221_225_477_u64));
    assert_eq!(json_of(&list.total_count), json!(5_000_000_000_u64));
    assert_eq!(
        json_of(&command.time_to_live_seconds),
        json!(4_294_967_296_u64)
    );
    assert_eq!(command.schedule_year, Some(2025));
}

#[tokio::test]
async fn unsigned_request_values_are_sent_in_full() {
    let server = MockServer::start(|request| Reply::json(200, &request.json())).await;
    let client = Client::new(server.builder().build().expect("client"));
    let body: types::Systemuserput = serde_json::from_value(
        json!({"unix_uid": 4_294_967_295_u64, "unix_guid": 4_294_967_295_u64}),
    )
    .expect("body");

    let user = client
        .systemusers_put(USER_ID)
        .body(body)
        .send()
        .await
        .expect("put");

    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].method, "PUT");
    assert_eq!(
        requests[0].json(),
        json!({"unix_uid": 4_294_967_295_u64, "unix_guid": 4_294_967_295_u64})
    );
    assert_eq!(json_of(&user.unix_uid), json!(4_294_967_295_u64));
}

// --- unknown fields are ignored ------------------------------------------------------------

#[tokio::test]
async fn unknown_fields_are_ignored() {
    let mut user = full_user();
    user["futureFlag"] = json!(true);
    user["passkeys"] = json!([{"id": "pk1", "created": "2025-01-01T00:00:00Z"}]);
    let (server, client) = serve(vec![
        (user_path(), user),
        (
            system_path(),
            json!({"_id": SYSTEM_ID, "hostname": "ws-01.example.test", "os": "Ubuntu",
                   "secureBoot": {"enabled": true}, "tpmVersion": 2}),
        ),
        (
            command_path(),
            json!({"name": "Rotate logs", "command": "logrotate", "commandType": "linux",
                   "approvalRequired": false}),
        ),
    ])
    .await;

    let user = client.systemusers_get(USER_ID).send().await.expect("user");
    let system = client.systems_get(SYSTEM_ID).send().await.expect("system");
    let command = client
        .commands_get(COMMAND_ID)
        .send()
        .await
        .expect("command");

    assert_gets(
        &server.requests(),
        &[user_path(), system_path(), command_path()],
    );
    assert_eq!(user.username.as_deref(), Some("ada.lovelace"));
    assert_eq!(user.email.as_deref(), Some("ada@example.com"));
    assert_eq!(user.state, Some(types::SystemuserreturnState::Activated));
    assert_eq!(user.attributes.as_ref().map(Vec::len), Some(1));
    assert_eq!(system.os.as_deref(), Some("Ubuntu"));
    assert_eq!(command.command.as_deref(), Some("logrotate"));
    assert_eq!(command.command_type.as_deref(), Some("linux"));
}

// --- free-form objects stay JSON maps -----------------------------------------------------

#[tokio::test]
async fn free_form_objects_stay_json_maps() {
    let history = json!([
        {"at": "2024-03-01T10:00:00Z", "ip": "192.0.2.10", "agent": {"version": "2.1", "flags": [1, null, "x"]}},
        {"at": "2024-03-02T10:00:00Z", "note": null}
    ]);
    let database = json!([
        {"name": "employeeNumber", "mapping": {"source": "employeeIdentifier", "transform": ["trim"]}}
    ]);
    let (server, client) = serve(vec![
        (
            system_path(),
            json!({"_id": SYSTEM_ID, "hostname": "ws-01.example.test", "connectionHistory": history}),
        ),
        (
            app_path(),
            json!({"_id": APP_ID, "name": "wiki", "databaseAttributes": database}),
        ),
    ])
    .await;

    let system = client.systems_get(SYSTEM_ID).send().await.expect("system");
    let app = client
        .applications_get(APP_ID)
        .send()
        .await
        .expect("application");

    assert_gets(&server.requests(), &[system_path(), app_path()]);
    let entries: &Vec<serde_json::Map<String, Value>> =
        system.connection_history.as_ref().expect("history");
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0]["agent"]["flags"], json!([1, null, "x"]));
    assert_eq!(entries[1]["note"], Value::Null);
    assert_eq!(json_of(entries), history);
    let attributes: &Vec<serde_json::Map<String, Value>> =
        app.database_attributes.as_ref().expect("attributes");
    assert_eq!(json_of(attributes), database);
}
