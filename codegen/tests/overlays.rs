//! The project's overlays (specs/overlays/*.yaml) on the pinned specs: one named test per fact
//! an overlay action establishes, so that removing any action makes a test here fail.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use codegen::emit::CrateConfig;
use codegen::ir::{Ir, PageTotal, Pagination, ParamLocation, TypeKind, TypeRef};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn shared() -> PathBuf {
    std::env::var_os("SHARED_DIR").map_or_else(|| root().join("../shared"), PathBuf::from)
}

/// Each spec is generated once per test binary: a debug build of the pipeline on v2 takes
/// seconds, and every test here only reads the result.
fn ir(api: &str) -> &'static Ir {
    static V1: OnceLock<Ir> = OnceLock::new();
    static V2: OnceLock<Ir> = OnceLock::new();
    static INSIGHTS: OnceLock<Ir> = OnceLock::new();
    let cell = match api {
        "v1" => &V1,
        "v2" => &V2,
        _ => &INSIGHTS,
    };
    cell.get_or_init(|| build_ir(api))
}

fn build_ir(api: &str) -> Ir {
    let spec = shared().join("specs/pinned").join(format!("{api}.yaml"));
    let overlay = root().join("specs/overlays").join(format!("{api}.yaml"));
    let cfg = CrateConfig {
        crate_ident: "t".into(),
        api_variant: "V2".into(),
        title: "t".into(),
        spec_sha256: String::new(),
    };
    codegen::pipeline::generate(&spec, &[overlay.as_path()], &cfg).unwrap_or_else(|e| panic!("{e}")).ir
}

/// The overlaid, normalized document, for facts the IR does not keep.
fn overlaid_doc(api: &str) -> serde_json::Value {
    let spec = shared().join("specs/pinned").join(format!("{api}.yaml"));
    let loaded = codegen::load::load_file(&spec).unwrap();
    let mut doc = codegen::normalize::normalize(&loaded).unwrap().doc;
    let overlay = codegen::overlay::load(&root().join("specs/overlays").join(format!("{api}.yaml"))).unwrap();
    codegen::overlay::apply(&mut doc, &overlay).unwrap();
    doc
}

fn op<'a>(ir: &'a Ir, id: &str) -> &'a codegen::ir::Operation {
    ir.operations.iter().find(|o| o.id == id).unwrap_or_else(|| panic!("no operation {id}"))
}

fn param<'a>(o: &'a codegen::ir::Operation, wire: &str) -> Option<&'a codegen::ir::Param> {
    o.params.iter().find(|p| p.wire == wire)
}

#[test]
fn v2_bare_array_listings_page_by_the_x_total_count_header() {
    let ir = ir("v2");
    let o = op(ir, "graph_systemGroupMembersList");
    assert!(o.response_headers.contains(&"x-total-count".to_owned()));
    assert!(
        matches!(&o.pagination, Some(Pagination::SkipLimit { total: PageTotal::Header { .. }, .. })),
        "{:?}",
        o.pagination
    );
    let header_pagers = ir
        .operations
        .iter()
        .filter(|o| matches!(&o.pagination, Some(Pagination::SkipLimit { total: PageTotal::Header { .. }, .. })))
        .count();
    assert!(header_pagers >= 180, "only {header_pagers} header-paged listings");
}

#[test]
fn v2_x_total_count_is_never_a_request_header() {
    let ir = ir("v2");
    let offenders: Vec<&str> = ir
        .operations
        .iter()
        .filter(|o| o.params.iter().any(|p| p.wire.eq_ignore_ascii_case("x-total-count")))
        .map(|o| o.id.as_str())
        .collect();
    assert!(offenders.is_empty(), "{offenders:?}");
}

#[test]
fn limit_is_bounded_to_100() {
    let v2 = ir("v2");
    assert_eq!(param(op(v2, "groups_system_list"), "limit").unwrap().bounds, (Some(0), Some(100)));
    let v1 = ir("v1");
    assert_eq!(param(op(v1, "systems_list"), "limit").unwrap().bounds, (Some(0), Some(100)));
}

#[test]
fn x_org_id_is_never_an_operation_parameter() {
    for api in ["v1", "v2"] {
        let ir = ir(api);
        let with: Vec<&str> = ir
            .operations
            .iter()
            .filter(|o| o.params.iter().any(|p| p.wire.eq_ignore_ascii_case("x-org-id")))
            .map(|o| o.id.as_str())
            .collect();
        assert!(with.is_empty(), "{api}: {with:?}");
    }
}

#[test]
fn system_context_headers_are_never_operation_parameters() {
    for api in ["v1", "v2"] {
        let ir = ir(api);
        let with: Vec<&str> = ir
            .operations
            .iter()
            .filter(|o| {
                o.params.iter().any(|p| {
                    p.location == ParamLocation::Header
                        && (p.wire.eq_ignore_ascii_case("date") || p.wire.eq_ignore_ascii_case("authorization"))
                })
            })
            .map(|o| o.id.as_str())
            .collect();
        assert!(with.is_empty(), "{api}: {with:?}");
    }
}

#[test]
fn v2_filters_are_sent_as_repeated_keys() {
    let ir = ir("v2");
    for id in ["groups_system_list", "groups_user_list", "graph_userMemberOf", "systeminsights_list_apps"] {
        let f = param(op(ir, id), "filter").unwrap_or_else(|| panic!("{id} has no filter"));
        assert!(f.explode && matches!(f.ty, TypeRef::Vec(_)), "{id}: {f:?}");
    }
}

#[test]
fn v1_filters_are_sent_as_repeated_keys() {
    let ir = ir("v1");
    let f = param(op(ir, "systems_list"), "filter").unwrap();
    assert!(f.explode, "{f:?}");
    assert_eq!(f.ty, TypeRef::Vec(Box::new(TypeRef::String)));
}

#[test]
fn v1_searches_page_with_skip_and_limit_in_the_body() {
    let ir = ir("v1");
    for id in ["search_systems_post", "search_systemusers_post", "search_commands_post", "search_commandresults_post", "search_organizations_post"] {
        let o = op(ir, id);
        assert!(matches!(o.pagination, Some(Pagination::SearchBody { .. })), "{id}: {:?}", o.pagination);
        assert!(param(o, "skip").is_none() && param(o, "limit").is_none(), "{id} still has skip/limit query parameters");
    }
}

#[test]
fn read_only_posts_are_retried_like_reads() {
    let v1 = ir("v1");
    assert_eq!(op(v1, "search_systems_post").idempotent, Some(true));
    let insights = ir("insights");
    assert_eq!(op(insights, "directoryInsights_eventsPost").idempotent, Some(true));
    // A write stays a write.
    assert_eq!(op(v1, "systems_put").idempotent, None);
}

#[test]
fn insights_events_page_by_the_search_after_header() {
    let ir = ir("insights");
    let o = op(ir, "directoryInsights_eventsPost");
    let Some(Pagination::SearchAfter { cursor, .. }) = &o.pagination else {
        panic!("{:?}", o.pagination)
    };
    assert_eq!(cursor, "search_after");
    for h in ["x-search_after", "x-result-count", "x-limit"] {
        assert!(o.response_headers.contains(&h.to_owned()), "{h}");
    }
}

#[test]
fn bulk_user_operations_declare_200() {
    let doc = overlaid_doc("v2");
    for method in ["post", "patch"] {
        let responses = &doc["paths"]["/bulk/users"][method]["responses"];
        assert!(responses.get("200").is_some() && responses.get("201").is_some(), "{method}: {responses}");
    }
}

#[test]
fn office365_lockout_actions_can_be_sent() {
    let ir = ir("v2");
    let TypeKind::Struct(fields) = &ir.types["Office365"].kind else { panic!("office365 is a struct") };
    for wire in ["userLockoutAction", "userPasswordExpirationAction"] {
        let f = fields.iter().find(|f| f.wire == wire).unwrap();
        assert!(!f.read_only, "{wire} is still read-only");
    }
}

#[test]
fn clashing_inline_names_are_renamed_by_the_overlay() {
    let ir = ir("v2");
    assert!(ir.types.contains_key("AutotaskTicketingAlertConfigurationResourceRef"));
    assert!(ir.types.contains_key("DirectoryKind"));
    let inline_renames = ir.fallbacks.keys().filter(|k| k.contains("Inline")).count();
    assert_eq!(inline_renames, 0, "{:?}", ir.fallbacks.keys().collect::<Vec<_>>());
}

#[test]
fn fields_a_replacing_put_clears_can_be_sent_as_null() {
    let clearable = |ir: &Ir, ty: &str, wire: &str| {
        let TypeKind::Struct(fields) = &ir.types[ty].kind else { panic!("{ty} is a struct") };
        fields.iter().find(|f| f.wire == wire).unwrap_or_else(|| panic!("{ty}.{wire}")).clearable
    };
    assert!(clearable(ir("v1"), "Systemuserput", "manager"));
    assert!(clearable(ir("v2"), "UserGroupPut", "description"));
    // Only where an overlay says so: the name of a group cannot be cleared.
    assert!(!clearable(ir("v2"), "UserGroupPut", "name"));
}

#[test]
fn insights_events_are_raw_json_values() {
    let o = op(ir("insights"), "directoryInsights_eventsPost");
    assert_eq!(
        o.response,
        codegen::ir::SuccessResponse::Json(TypeRef::Vec(Box::new(TypeRef::Json))),
        "one event that is not an object must not fail a page"
    );
}
