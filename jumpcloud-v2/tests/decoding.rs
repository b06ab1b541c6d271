//! The response decoding policy, one test per rule, on realistic v2 bodies (user and system
//! groups, associations and graph traversals of users and systems, applications, queued
//! commands, policy results) decoded by the generated operations from a mock server on
//! 127.0.0.1.
//!
//! Where a rule allows more than one representation (a date kept as text or parsed; an empty
//! date string kept or dropped), the assertions go through `serde_json::to_value` of the field,
//! so they hold for either representation and fail only when the value is lost or wrong.

use jumpcloud_core::RetryPolicy;
use jumpcloud_testkit::{MockServer, Recorded, Reply, TEST_KEY};
use jumpcloud_v2::{Client, types};
use serde_json::{Map, Value, json};
use jumpcloud_testkit::{json_of};

const USER_ID: &str = "bbbbbbbbbbbbbbbbbbbb0300";
const SYSTEM_ID: &str = "bbbbbbbbbbbbbbbbbbbb0310";
const USER_GROUP_ID: &str = "bbbbbbbbbbbbbbbbbbbb0320";
const SYSTEM_GROUP_ID: &str = "bbbbbbbbbbbbbbbbbbbb0330";
const APP_ID: &str = "bbbbbbbbbbbbbbbbbbbb0340";
const COMMAND_ID: &str = "bbbbbbbbbbbbbbbbbbbb0350";

/// A server that answers `GET /api/v2{path}` with the body given for `path`.
async fn serve(routes: Vec<(String, Value)>) -> (MockServer, Client) {
    let server = MockServer::start(move |request| {
        let found = routes.iter().find(|(path, _)| {
            request.method == "GET" && request.path() == format!("/api/v2{path}")
        });
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
    let sent: Vec<String> = requests
        .iter()
        .map(|r| format!("{} {}", r.method, r.path()))
        .collect();
    let expected: Vec<String> = paths.iter().map(|p| format!("GET /api/v2{p}")).collect();
    assert_eq!(sent, expected);
    for request in requests {
        assert_eq!(request.header("x-api-key"), Some(TEST_KEY));
        assert!(request.body.is_empty(), "{}", request.target);
    }
}

fn p(path: &str) -> String {
    path.to_owned()
}

fn user_group_path() -> String {
    format!("/usergroups/{USER_GROUP_ID}")
}

fn system_group_path() -> String {
    format!("/systemgroups/{SYSTEM_GROUP_ID}")
}

fn user_associations_path() -> String {
    format!("/users/{USER_ID}/associations")
}

fn system_users_path() -> String {
    format!("/systems/{SYSTEM_ID}/users")
}

fn user_systems_path() -> String {
    format!("/users/{USER_ID}/systems")
}

fn policy_status_path() -> String {
    format!("/systems/{SYSTEM_ID}/policystatuses")
}

fn command_associations_path() -> String {
    format!("/commands/{COMMAND_ID}/associations")
}

fn user_group() -> Value {
    json!({
        "id": USER_GROUP_ID,
        "name": "Engineering",
        "description": "Everyone who ships code",
        "type": "user_group",
        "email": "eng@example.com",
        "membershipMethod": "DYNAMIC_AUTOMATED",
        "memberQuery": {
            "queryType": "FilterQuery",
            "filters": [{"field": "department", "operator": "eq", "value": "Engineering"}]
        },
        "attributes": {"sudo": {"enabled": true, "withoutPassword": false}, "sambaEnabled": false}
    })
}

// --- A field the spec requires may be absent ----------------------------------------------

#[tokio::test]
async fn required_fields_may_be_absent() {
    // GraphConnection requires `to`; GraphObject requires id and type;
    // GraphObjectWithPaths requires id, type and paths; Directory requires id, name, type.
    let (server, client) = serve(vec![
        (
            user_associations_path(),
            json!([
                {"to": {"id": SYSTEM_ID}},
                {"attributes": {"sudo": {"enabled": true}}}
            ]),
        ),
        (system_users_path(), json!([{"id": USER_ID}])),
        (
            p("/directories"),
            json!([{"id": "bbbbbbbbbbbbbbbbbbbb0360"}]),
        ),
        (
            command_associations_path(),
            json!([{"to": {"type": "system_group"}}]),
        ),
    ])
    .await;

    let associations = client
        .graph_user_associations_list(
            USER_ID,
            vec![types::GraphUserAssociationsListTargetsItem::System],
        )
        .send()
        .await
        .expect("associations");
    let users = client
        .graph_system_traverse_user(SYSTEM_ID)
        .send()
        .await
        .expect("users of a system");
    let directories = client.directories_list().send().await.expect("directories");
    let command_targets = client
        .graph_command_associations_list(
            COMMAND_ID,
            vec![types::GraphCommandAssociationsListTargetsItem::SystemGroup],
        )
        .send()
        .await
        .expect("command associations");

    let requests = server.requests();
    assert_gets(
        &requests,
        &[
            user_associations_path(),
            system_users_path(),
            p("/directories"),
            command_associations_path(),
        ],
    );
    assert_eq!(
        requests[0].query_param("targets").as_deref(),
        Some("system")
    );
    assert_eq!(
        requests[3].query_param("targets").as_deref(),
        Some("system_group")
    );

    assert_eq!(associations.len(), 2);
    let to = associations[0].to.as_ref().expect("to");
    assert_eq!(to.id.as_deref(), Some(SYSTEM_ID));
    assert_eq!(to.r#type, None);
    assert!(associations[1].to.is_none());
    assert_eq!(
        associations[1]
            .attributes
            .as_ref()
            .map(|a| a["sudo"]["enabled"].clone()),
        Some(json!(true))
    );
    assert_eq!(users[0].id.as_deref(), Some(USER_ID));
    assert!(users[0].r#type.is_none());
    assert!(users[0].paths.is_none());
    assert_eq!(
        directories[0].id.as_deref(),
        Some("bbbbbbbbbbbbbbbbbbbb0360")
    );
    assert_eq!(directories[0].name, None);
    assert!(directories[0].r#type.is_none());
    assert_eq!(
        command_targets[0]
            .to
            .as_ref()
            .and_then(|t| t.r#type.as_deref()),
        Some("system_group")
    );
}

// --- null where the spec does not allow it decodes as absent ------------------------------

#[tokio::test]
async fn null_where_not_nullable_decodes_as_absent() {
    let (server, client) = serve(vec![
        (
            user_group_path(),
            json!({
                "id": USER_GROUP_ID,
                "name": "Engineering",
                "description": null,
                "attributes": null,
                "memberQuery": null,
                "membershipMethod": null,
                "type": null
            }),
        ),
        (
            system_group_path(),
            json!({"id": SYSTEM_GROUP_ID, "name": "Servers", "attributes": null, "email": null}),
        ),
        (
            user_associations_path(),
            json!([{"from": null, "to": {"id": SYSTEM_ID, "type": "system", "attributes": null}}]),
        ),
        (
            p("/queuedcommand/workflows"),
            json!({"totalCount": 1, "results": [
                {"id": "q1", "command": COMMAND_ID, "system": null, "pendingCount": null}
            ]}),
        ),
    ])
    .await;

    let user_group = client
        .groups_user_get(USER_GROUP_ID)
        .send()
        .await
        .expect("group");
    let system_group = client
        .groups_system_get(SYSTEM_GROUP_ID)
        .send()
        .await
        .expect("group");
    let associations = client
        .graph_user_associations_list(
            USER_ID,
            vec![types::GraphUserAssociationsListTargetsItem::System],
        )
        .send()
        .await
        .expect("associations");
    let queued = client
        .commands_get_queued_commands_by_workflow()
        .send()
        .await
        .expect("queued commands");

    assert_gets(
        &server.requests(),
        &[
            user_group_path(),
            system_group_path(),
            user_associations_path(),
            p("/queuedcommand/workflows"),
        ],
    );
    assert_eq!(user_group.name.as_deref(), Some("Engineering"));
    assert_eq!(user_group.description, None);
    assert!(user_group.attributes.is_none());
    assert!(user_group.member_query.is_none());
    assert!(user_group.membership_method.is_none());
    assert!(user_group.r#type.is_none());
    assert_eq!(system_group.name.as_deref(), Some("Servers"));
    assert!(system_group.attributes.is_none());
    assert_eq!(system_group.email, None);
    assert!(associations[0].from.is_none());
    let to = associations[0].to.as_ref().expect("to");
    assert_eq!(to.id.as_deref(), Some(SYSTEM_ID));
    assert!(to.attributes.is_none());
    let item = &queued.results.as_deref().expect("results")[0];
    assert_eq!(item.command.as_deref(), Some(COMMAND_ID));
    assert_eq!(item.system, None);
    assert_eq!(item.pending_count, None);
}

// --- date-time fields accept null, absence and "" -----------------------------------------

#[tokio::test]
async fn date_time_fields_accept_null_absent_and_empty() {
    let (server, client) = serve(vec![
        (
            policy_status_path(),
            json!([
                {"id": "r1", "systemID": SYSTEM_ID, "state": "pending", "startedAt": null, "endedAt": null},
                {"id": "r2", "systemID": SYSTEM_ID, "state": "pending"},
                {"id": "r3", "systemID": SYSTEM_ID, "state": "pending", "startedAt": "", "endedAt": ""}
            ]),
        ),
        (
            p("/softwareapps"),
            json!([
                {"id": APP_ID, "displayName": "Example Editor", "createdAt": null, "updatedAt": ""}
            ]),
        ),
    ])
    .await;

    let results = client
        .policystatuses_systems_list(SYSTEM_ID)
        .send()
        .await
        .expect("policy results");
    let apps = client
        .software_apps_list()
        .send()
        .await
        .expect("software apps");

    assert_gets(
        &server.requests(),
        &[policy_status_path(), p("/softwareapps")],
    );
    let ids: Vec<_> = results.iter().map(|r| r.id.as_deref().unwrap()).collect();
    assert_eq!(ids, ["r1", "r2", "r3"]);
    for result in &results[..2] {
        assert_eq!(json_of(&result.started_at), Value::Null);
        assert_eq!(json_of(&result.ended_at), Value::Null);
    }
    for value in [
        json_of(&results[2].started_at),
        json_of(&results[2].ended_at),
        json_of(&apps[0].updated_at),
    ] {
        assert!(value == Value::Null || value == json!(""), "{value}");
    }
    assert_eq!(apps[0].display_name.as_deref(), Some("Example Editor"));
    assert_eq!(json_of(&apps[0].created_at), Value::Null);
}

// --- a malformed date never fails the response --------------------------------------------

#[tokio::test]
async fn malformed_date_does_not_fail_the_response() {
    let (server, client) = serve(vec![
        (
            policy_status_path(),
            json!([
                {"id": "r1", "systemID": SYSTEM_ID, "state": "failed", "success": false,
                 "startedAt": "yesterday", "endedAt": "2024-03-01T10:00:02Z"}
            ]),
        ),
        (
            p("/softwareapps"),
            json!([
                {"id": APP_ID, "displayName": "Example Editor",
                 "createdAt": "2024-02-30T25:00:00Z", "updatedAt": "03/01/2024"}
            ]),
        ),
    ])
    .await;

    let results = client
        .policystatuses_systems_list(SYSTEM_ID)
        .send()
        .await
        .expect("policy results");
    let apps = client
        .software_apps_list()
        .send()
        .await
        .expect("software apps");

    assert_gets(
        &server.requests(),
        &[policy_status_path(), p("/softwareapps")],
    );
    assert_eq!(results[0].success, Some(false));
    assert_eq!(results[0].state.as_deref(), Some("failed"));
    assert_eq!(json_of(&results[0].ended_at), json!("2024-03-01T10:00:02Z"));
    assert_eq!(apps[0].display_name.as_deref(), Some("Example Editor"));
    for (value, raw) in [
        (json_of(&results[0].started_at), "yesterday"),
        (json_of(&apps[0].created_at), "2024-02-30T25:00:00Z"),
        (json_of(&apps[0].updated_at), "03/01/2024"),
    ] {
        assert!(
            value == Value::Null || value == json!(raw),
            "{value} for {raw}"
        );
    }
}

// --- unknown enum values decode and round-trip; request enums accept any string -----------

#[tokio::test]
async fn unknown_enum_values_decode_and_round_trip() {
    let mut group = user_group();
    group["memberQuery"]["queryType"] = json!("Search");
    group["membershipMethod"] = json!("AI_SUGGESTED");
    let system_group = json!({"id": SYSTEM_GROUP_ID, "name": "Servers", "type": "device_group"});
    let traversal = json!([
        {"id": USER_ID, "type": "user", "paths": [[{"to": {"id": USER_ID, "type": "user"}}]]},
        {"id": "bbbbbbbbbbbbbbbbbbbb0301", "type": "service_identity",
         "paths": [[{"to": {"id": "bbbbbbbbbbbbbbbbbbbb0301", "type": "service_identity"}}]]}
    ]);
    let directories = json!([
        {"id": "bbbbbbbbbbbbbbbbbbbb0360", "name": "Workspace", "type": "g_suite"},
        {"id": "bbbbbbbbbbbbbbbbbbbb0361", "name": "Okta", "type": "okta_directory"}
    ]);
    let (server, client) = serve(vec![
        (user_group_path(), group.clone()),
        (system_group_path(), system_group.clone()),
        (system_users_path(), traversal.clone()),
        (p("/directories"), directories.clone()),
    ])
    .await;

    let decoded_group = client
        .groups_user_get(USER_GROUP_ID)
        .send()
        .await
        .expect("group");
    let decoded_system_group = client
        .groups_system_get(SYSTEM_GROUP_ID)
        .send()
        .await
        .expect("group");
    let users = client
        .graph_system_traverse_user(SYSTEM_ID)
        .send()
        .await
        .expect("users");
    let decoded_directories = client.directories_list().send().await.expect("directories");

    assert_gets(
        &server.requests(),
        &[
            user_group_path(),
            system_group_path(),
            system_users_path(),
            p("/directories"),
        ],
    );
    assert_eq!(
        decoded_group
            .member_query
            .as_ref()
            .and_then(|q| q.query_type.clone()),
        Some(types::QueryQueryType::Search)
    );
    assert_eq!(
        json_of(&decoded_group.membership_method),
        json!("AI_SUGGESTED")
    );
    assert_eq!(
        decoded_system_group.r#type,
        Some(types::SystemGroupType::Unknown("device_group".to_owned()))
    );
    assert_eq!(users[0].r#type, Some(types::GraphType::User));
    assert_eq!(
        users[1].r#type,
        Some(types::GraphType::Unknown("service_identity".to_owned()))
    );
    assert_eq!(
        decoded_directories[0].r#type,
        Some(types::DirectoryKind::GSuite)
    );
    assert_eq!(
        decoded_directories[1].r#type,
        Some(types::DirectoryKind::Unknown("okta_directory".to_owned()))
    );
    // Sent back, each object is what the server sent.
    assert_eq!(json_of(&*decoded_group), group);
    assert_eq!(json_of(&*decoded_system_group), system_group);
    assert_eq!(json_of(&*users), traversal);
    assert_eq!(json_of(&*decoded_directories), directories);
}

#[tokio::test]
async fn request_enums_accept_any_string() {
    let server = MockServer::start(|request| match request.method.as_str() {
        "POST" => Reply::status(204),
        _ => Reply::json(
            200,
            &json!([{"to": {"id": "x1", "type": "service_identity"}}]),
        ),
    })
    .await;
    let client = Client::new(server.builder().build().expect("client"));
    let mut operation = types::GraphOperationUser::default();
    operation.id = Some("bbbbbbbbbbbbbbbbbbbb0370".to_owned());
    operation.op = Some(types::GraphOperationOp::from("replace"));
    operation.r#type = Some(types::GraphOperationUserType::from("service_identity"));

    client
        .graph_user_associations_post(USER_ID)
        .body(operation)
        .send()
        .await
        .expect("association");
    let listed = client
        .graph_user_associations_list(
            USER_ID,
            vec![types::GraphUserAssociationsListTargetsItem::from(
                "service_identity",
            )],
        )
        .send()
        .await
        .expect("associations");

    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[0].method, "POST");
    assert_eq!(
        requests[0].path(),
        format!("/api/v2{}", user_associations_path())
    );
    assert_eq!(
        requests[0].json(),
        json!({"id": "bbbbbbbbbbbbbbbbbbbb0370", "op": "replace", "type": "service_identity"})
    );
    assert_eq!(requests[1].method, "GET");
    assert_eq!(
        requests[1].query_param("targets").as_deref(),
        Some("service_identity")
    );
    assert_eq!(
        listed[0].to.as_ref().and_then(|t| t.r#type.as_deref()),
        Some("service_identity")
    );
}

// --- integers without format and unsigned formats hold their full range -------------------

#[tokio::test]
async fn integers_hold_their_full_range() {
    let (server, client) = serve(vec![
        (
            policy_status_path(),
            json!([
                {"id": "r1", "systemID": SYSTEM_ID, "exitStatus": 4_294_967_295_u64},
                {"id": "r2", "systemID": SYSTEM_ID, "exitStatus": 3_221_225_477_u64},
                {"id": "r3", "systemID": SYSTEM_ID, "exitStatus": 0}
            ]),
        ),
        (
            p("/queuedcommand/workflows"),
            json!({"totalCount": 5_000_000_000_u64, "results": [
                {"id": "q1", "command": COMMAND_ID, "pendingCount": 4_294_967_296_u64}
            ]}),
        ),
    ])
    .await;

    let results = client
        .policystatuses_systems_list(SYSTEM_ID)
        .send()
        .await
        .expect("policy results");
    let queued = client
        .commands_get_queued_commands_by_workflow()
        .send()
        .await
        .expect("queued commands");

    assert_gets(
        &server.requests(),
        &[policy_status_path(), p("/queuedcommand/workflows")],
    );
    let statuses: Vec<Value> = results.iter().map(|r| json_of(&r.exit_status)).collect();
    assert_eq!(
        statuses,
        [json!(4_294_967_295_u64), json!(3_221_225_477_u64), json!(0)]
    );
    assert_eq!(json_of(&queued.total_count), json!(5_000_000_000_u64));
    assert_eq!(
        json_of(&queued.results.as_deref().unwrap()[0].pending_count),
        json!(4_294_967_296_u64)
    );
}

// --- unknown fields are ignored ------------------------------------------------------------

#[tokio::test]
async fn unknown_fields_are_ignored() {
    let mut group = user_group();
    group["riskScore"] = json!(0.42);
    group["lifecycle"] = json!({"reviewBy": "2026-01-01"});
    let (server, client) = serve(vec![
        (user_group_path(), group),
        (
            user_systems_path(),
            json!([{"id": SYSTEM_ID, "type": "system", "paths": [], "complianceTier": "gold"}]),
        ),
        (
            p("/groups"),
            json!([{"id": USER_GROUP_ID, "name": "Engineering", "type": "user_group", "memberCount": 12}]),
        ),
    ])
    .await;

    let decoded = client
        .groups_user_get(USER_GROUP_ID)
        .send()
        .await
        .expect("group");
    let systems = client
        .graph_user_traverse_system(USER_ID)
        .send()
        .await
        .expect("systems");
    let groups = client.groups_list().send().await.expect("groups");

    assert_gets(
        &server.requests(),
        &[user_group_path(), user_systems_path(), p("/groups")],
    );
    assert_eq!(decoded.name.as_deref(), Some("Engineering"));
    assert_eq!(decoded.email.as_deref(), Some("eng@example.com"));
    assert_eq!(decoded.r#type, Some(types::UserGroupType::UserGroup));
    assert_eq!(systems[0].id.as_deref(), Some(SYSTEM_ID));
    assert_eq!(systems[0].r#type, Some(types::GraphType::System));
    assert_eq!(groups[0].name.as_deref(), Some("Engineering"));
    assert_eq!(groups[0].r#type, Some(types::GroupType::UserGroup));
}

// --- free-form objects stay JSON maps -----------------------------------------------------

#[tokio::test]
async fn free_form_objects_stay_json_maps() {
    let application = json!({
        "id": APP_ID,
        "name": "wiki",
        "config": {"acsUrl": {"value": "https://wiki.example.test/saml", "required": true},
                   "constantAttributes": {"value": [{"name": "team", "value": "eng"}]}},
        "sso": {"type": "saml", "hidden": false},
        "logo": null
    });
    let compiled = json!({"ldapGroups": [{"name": "eng"}], "sudo": {"enabled": true}, "ttl": 3600});
    let (server, client) = serve(vec![
        (format!("/applications/{APP_ID}"), application.clone()),
        (
            system_group_path(),
            json!({"id": SYSTEM_GROUP_ID, "name": "Servers",
                   "attributes": {"windowsUpdate": {"deferDays": 7, "rings": ["pilot", "broad"]}}}),
        ),
        (
            user_systems_path(),
            json!([{"id": SYSTEM_ID, "type": "system", "compiledAttributes": compiled,
                    "paths": [[{"to": {"id": SYSTEM_ID, "type": "system"},
                                "attributes": {"sudo": {"enabled": true, "withoutPassword": true}}}]]}]),
        ),
    ])
    .await;

    let app: Map<String, Value> = client
        .applications_get(APP_ID)
        .send()
        .await
        .expect("application")
        .into_inner();
    let group = client
        .groups_system_get(SYSTEM_GROUP_ID)
        .send()
        .await
        .expect("group");
    let systems = client
        .graph_user_traverse_system(USER_ID)
        .send()
        .await
        .expect("systems");

    assert_gets(
        &server.requests(),
        &[
            format!("/applications/{APP_ID}"),
            system_group_path(),
            user_systems_path(),
        ],
    );
    assert_eq!(Value::Object(app), application);
    let attributes: &Map<String, Value> = group.attributes.as_ref().expect("attributes");
    assert_eq!(
        attributes["windowsUpdate"]["rings"],
        json!(["pilot", "broad"])
    );
    let compiled_attributes: &Map<String, Value> = systems[0]
        .compiled_attributes
        .as_ref()
        .expect("compiled attributes");
    assert_eq!(Value::Object(compiled_attributes.clone()), compiled);
    let hop = &systems[0].paths.as_ref().expect("paths")[0][0];
    let hop_attributes: &Map<String, Value> = hop.attributes.as_ref().expect("hop attributes");
    assert_eq!(hop_attributes["sudo"]["withoutPassword"], json!(true));
}
