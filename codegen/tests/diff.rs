//! The semantic diff: on JumpCloud's published history (read from the shared data directory)
//! and on small hand-written specs, one per classification rule.

use std::path::{Path, PathBuf};

use codegen::diff::{self, Change, Detail, Format, Report, Subject};
use codegen::ir::{self, Ir};
use codegen::{load, normalize};

fn shared() -> PathBuf {
    match std::env::var_os("SHARED_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared"),
    }
}

fn history(file: &str) -> PathBuf {
    shared().join("specs/history").join(file)
}

fn diff_history(old: &str, new: &str) -> Report {
    diff::diff_files(&history(old), &history(new), &[])
        .unwrap_or_else(|e| panic!("{old} -> {new}: {e}"))
}

fn ir_of(name: &str, text: &str) -> Ir {
    let file = Path::new(name);
    let loaded = load::load_str(file, text).unwrap_or_else(|e| panic!("{e}"));
    let doc = normalize::normalize(&loaded)
        .unwrap_or_else(|e| panic!("{e}"))
        .doc;
    let api = normalize::parse(file, doc).unwrap_or_else(|e| panic!("{e}"));
    ir::build(&api, file).unwrap_or_else(|e| panic!("{e}"))
}

fn op_ids(report: &Report, want: fn(&Detail) -> bool) -> Vec<&str> {
    report
        .changes
        .iter()
        .filter(|c| want(&c.detail))
        .filter_map(|c| match &c.subject {
            Subject::Operation { id, .. } => Some(id.as_str()),
            Subject::Type { .. } => None,
        })
        .collect()
}

fn type_details<'a>(report: &'a Report, name: &str) -> Vec<&'a Change> {
    report.type_changes(name)
}

#[test]
fn v2_2022_to_2026_05_operations_and_the_shared_resources_type() {
    let report = diff_history("2022-09-23_v2.yaml", "2026-05-11_v2.yaml");
    assert_eq!(
        report.summary.operations_added,
        302,
        "{}",
        report.render(Format::Text)
    );
    assert_eq!(report.summary.operations_removed, 8);
    assert_eq!(op_ids(&report, |d| *d == Detail::Added).len(), 302);

    let mut removed = op_ids(&report, |d| *d == Detail::Removed);
    removed.sort_unstable();
    assert_eq!(
        removed,
        [
            "commandTemplates_createCommandTemplate",
            "commandTemplates_createCommandTemplateOrg",
            "commandTemplates_getCommandTemplate",
            "commandTemplates_getCommandTemplateOrg",
            "commandTemplates_listCommandTemplates",
            "commandTemplates_listCommandTemplatesOrg",
            "commandTemplates_listJCCommandTemplates",
            "commands_listResultsByWorkflow",
        ]
    );
    let workflows = report
        .changes
        .iter()
        .find(|c| matches!(&c.subject, Subject::Operation { id, .. } if id == "commands_listResultsByWorkflow"))
        .expect("commands_listResultsByWorkflow is reported");
    assert!(workflows.breaking);
    assert!(
        matches!(&workflows.subject, Subject::Operation { method, path, .. }
        if method == "GET" && path == "/commandresult/workflows")
    );

    // Renamed, not removed and added: same method and path template, another id.
    assert_eq!(report.summary.operations_renamed, 1);
    let renamed: Vec<&Change> = report.operation_changes("groups_suggestions_get");
    assert_eq!(renamed.len(), 1, "{renamed:#?}");
    let rename = renamed[0];
    assert!(rename.breaking);
    assert_eq!(
        rename.detail,
        Detail::Renamed {
            old: "groups_suggestions_get".into(),
            new: "groups_user_suggestions_get".into()
        }
    );
    assert_eq!(
        rename.subject,
        Subject::Operation {
            id: "groups_user_suggestions_get".into(),
            old_id: Some("groups_suggestions_get".into()),
            method: "GET".into(),
            path: "/usergroups/{group_id}/suggestions".into(),
        }
    );

    let shared_resources = type_details(&report, "SystemInsightsSharedResources");
    let retype = shared_resources
        .iter()
        .find(|c| matches!(&c.detail, Detail::FieldRetyped { field, .. } if field == "type"))
        .unwrap_or_else(|| panic!("no retype of `type`: {shared_resources:#?}"));
    assert!(retype.breaking);
    assert_eq!(
        retype.detail,
        Detail::FieldRetyped {
            field: "type".into(),
            old: "i64".into(),
            new: "String".into()
        }
    );
    assert!(
        matches!(&retype.subject, Subject::Type { schema, .. } if schema == "system-insights-shared-resources")
    );
    assert!(report.is_breaking());
}

#[test]
fn v1_swagger_to_openapi_switch_reports_dropped_fields_and_no_hoisting_noise() {
    let report = diff_history("2026-05-11_v1.yaml", "2026-06-01_v1.yaml");
    let text = report.render(Format::Text);
    let commandresult = type_details(&report, "Commandresult");
    for field in ["requestTime", "responseTime"] {
        let removed = commandresult
            .iter()
            .find(|c| matches!(&c.detail, Detail::FieldRemoved { field: f, .. } if f == field))
            .unwrap_or_else(|| panic!("commandresult.{field} not reported removed:\n{text}"));
        assert!(removed.breaking);
        assert!(
            matches!(&removed.subject, Subject::Type { schema, old_name: None, .. } if schema == "commandresult")
        );
    }
    // The converter hoisted 80 inline objects into components (`inline_response_200_6`,
    // `runCommand_body`, `commandresult_response`, ...); none of that is an API change.
    let noise: Vec<&Change> = report
        .changes
        .iter()
        .filter(|c| {
            matches!(
                c.detail,
                Detail::Renamed { .. }
                    | Detail::Added
                    | Detail::Removed
                    | Detail::KindChanged { .. }
                    | Detail::AliasRetyped { .. }
                    | Detail::FieldRetyped { .. }
                    | Detail::ParamRetyped { .. }
                    | Detail::BodyRetyped { .. }
                    | Detail::ResponseRetyped { .. }
            )
        })
        .collect();
    assert!(noise.is_empty(), "{noise:#?}\n{text}");
    assert_eq!(report.summary.operations_changed, 0, "{text}");
}

/// Every pair of consecutive snapshots diffs, and a snapshot diffed against itself is empty.
#[test]
fn consecutive_history_snapshots_diff() {
    let dir = shared().join("specs/history");
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| {
            e.expect("dir entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|n| n.ends_with(".yaml"))
        .collect();
    files.sort();
    let mut pairs = 0;
    for api in ["v1", "v2", "insights"] {
        let suffix = format!("_{api}.yaml");
        // The 2019 v2 copy holds a duplicate operationId on purpose; it is refused, so its
        // successor is diffed against the next snapshot instead.
        let snapshots: Vec<&String> = files
            .iter()
            .filter(|f| f.ends_with(&suffix) && f.as_str() != "2019-12-09_v2.yaml")
            .collect();
        assert!(snapshots.len() >= 2, "{api}: {snapshots:?}");
        let irs: Vec<Ir> = snapshots
            .iter()
            .map(|f| diff::load_ir(&dir.join(f), &[]).unwrap_or_else(|e| panic!("{e}")))
            .collect();
        for (i, pair) in irs.windows(2).enumerate() {
            let report = diff::compare(&pair[0], &pair[1]);
            let (old, new) = (snapshots[i], snapshots[i + 1]);
            assert_eq!(report.summary.total, report.changes.len(), "{old} -> {new}");
            assert_eq!(
                report.summary.breaking,
                report.changes.iter().filter(|c| c.breaking).count()
            );
            assert!(
                !report.is_empty(),
                "{old} -> {new}: every publication changed something"
            );
            for format in [Format::Text, Format::Markdown, Format::Json] {
                assert!(!report.render(format).is_empty());
            }
            pairs += 1;
        }
        let last = irs.last().expect("two or more");
        let same = diff::compare(last, last);
        assert!(same.is_empty(), "{api}: {}", same.render(Format::Text));
    }
    assert_eq!(pairs, 10 + 9 + 1);

    let refused = diff::diff_files(
        &dir.join("2019-12-09_v2.yaml"),
        &dir.join("2022-09-23_v2.yaml"),
        &[],
    )
    .expect_err("the 2019 v2 copy is refused");
    let message = refused.to_string();
    assert!(
        message.contains("2019-12-09_v2.yaml") && message.contains("duplicate operationId"),
        "{message}"
    );
}

/// Reordered keys, YAML turned into JSON, Swagger 2.0 turned into OpenAPI 3.0: none of it is a
/// change of the API.
#[test]
fn pure_format_changes_report_nothing() {
    let original = history("2026-05-11_v1.yaml");
    let old = diff::load_ir(&original, &[]).unwrap_or_else(|e| panic!("{e}"));
    let loaded = load::load_file(&original).unwrap_or_else(|e| panic!("{e}"));

    let reordered = serde_json::to_string(&reverse_keys(&loaded.doc)).expect("serializes");
    let new = ir_of("reordered.json", &reordered);
    let report = diff::compare(&old, &new);
    assert!(report.is_empty(), "{}", report.render(Format::Text));

    let converted = normalize::normalize(&loaded)
        .unwrap_or_else(|e| panic!("{e}"))
        .doc;
    assert!(converted.get("openapi").is_some());
    let new = ir_of(
        "converted.json",
        &serde_json::to_string(&reverse_keys(&converted)).expect("serializes"),
    );
    let report = diff::compare(&old, &new);
    assert!(report.is_empty(), "{}", report.render(Format::Text));
}

fn reverse_keys(v: &serde_json::Value) -> serde_json::Value {
    match v {
        serde_json::Value::Object(map) => serde_json::Value::Object(
            map.iter()
                .rev()
                .map(|(k, v)| (k.clone(), reverse_keys(v)))
                .collect(),
        ),
        serde_json::Value::Array(items) => {
            serde_json::Value::Array(items.iter().map(reverse_keys).collect())
        }
        other => other.clone(),
    }
}

const BASE: &str = r##"
openapi: 3.0.3
info: {title: Diff test, version: "1"}
paths:
  /widgets:
    get:
      operationId: widgets_list
      tags: [Widgets]
      parameters:
        - {name: limit, in: query, schema: {type: integer}}
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                type: array
                items: {$ref: "#/components/schemas/Widget"}
    post:
      operationId: widgets_create
      tags: [Widgets]
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              properties:
                name: {type: string}
                size: {type: integer}
      responses:
        "201":
          description: created
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Widget"}
  /widgets/{id}:
    get:
      operationId: widgets_get
      tags: [Widgets]
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Widget"}
components:
  schemas:
    Widget:
      type: object
      required: [id]
      properties:
        id: {type: string}
        count: {type: integer}
        colour: {$ref: "#/components/schemas/Colour"}
        label: {$ref: "#/components/schemas/Label"}
    Colour:
      type: string
      enum: [red, green]
    Label:
      type: string
"##;

/// The base spec with each `(from, to)` replacement applied once.
fn edited(edits: &[(&str, &str)]) -> String {
    let mut text = BASE.to_owned();
    for (from, to) in edits {
        assert_eq!(
            text.matches(from).count(),
            1,
            "edit target {from:?} must occur once"
        );
        text = text.replacen(from, to, 1);
    }
    text
}

fn diff_edit(edits: &[(&str, &str)]) -> Report {
    diff::compare(&ir_of("old.yaml", BASE), &ir_of("new.yaml", &edited(edits)))
}

fn only(report: &Report) -> &Change {
    assert_eq!(report.changes.len(), 1, "{}", report.render(Format::Text));
    &report.changes[0]
}

#[test]
fn unchanged_spec_reports_nothing() {
    let report = diff_edit(&[]);
    assert!(report.is_empty());
    assert!(!report.is_breaking());
    assert!(report.render(Format::Text).contains("no API changes"));
}

#[test]
fn new_optional_query_parameter_is_not_breaking_and_a_required_one_is() {
    let optional = diff_edit(&[(
        "- {name: limit, in: query, schema: {type: integer}}",
        "- {name: limit, in: query, schema: {type: integer}}\n        - {name: skip, in: query, schema: {type: integer}}",
    )]);
    let c = only(&optional);
    assert!(!c.breaking);
    assert_eq!(
        c.detail,
        Detail::ParamAdded {
            name: "skip".into(),
            location: "query".into(),
            required: false,
            ty: "i64".into()
        }
    );

    let required = diff_edit(&[(
        "- {name: limit, in: query, schema: {type: integer}}",
        "- {name: limit, in: query, schema: {type: integer}}\n        - {name: q, in: query, required: true, schema: {type: string}}",
    )]);
    assert!(only(&required).breaking);
}

#[test]
fn parameter_becoming_required_is_breaking() {
    let report = diff_edit(&[(
        "{name: limit, in: query, schema:",
        "{name: limit, in: query, required: true, schema:",
    )]);
    let c = only(&report);
    assert!(c.breaking);
    assert_eq!(
        c.detail,
        Detail::ParamRequired {
            name: "limit".into(),
            location: "query".into(),
            required: true
        }
    );
}

#[test]
fn parameter_removed_and_retyped_are_breaking() {
    let removed = diff_edit(&[(
        "      parameters:\n        - {name: limit, in: query, schema: {type: integer}}\n",
        "",
    )]);
    let c = only(&removed);
    assert!(c.breaking);
    assert!(matches!(&c.detail, Detail::ParamRemoved { name, .. } if name == "limit"));

    let retyped = diff_edit(&[(
        "{name: limit, in: query, schema: {type: integer}}",
        "{name: limit, in: query, schema: {type: string}}",
    )]);
    let c = only(&retyped);
    assert!(c.breaking);
    assert_eq!(
        c.detail,
        Detail::ParamRetyped {
            name: "limit".into(),
            location: "query".into(),
            old: "i64".into(),
            new: "String".into()
        }
    );
}

#[test]
fn renamed_path_variable_keeps_its_argument() {
    let report = diff_edit(&[
        ("/widgets/{id}:", "/widgets/{widget_id}:"),
        ("{name: id, in: path,", "{name: widget_id, in: path,"),
    ]);
    let details: Vec<&Detail> = report.changes.iter().map(|c| &c.detail).collect();
    assert!(
        details.contains(&&Detail::ParamRenamed {
            old: "id".into(),
            new: "widget_id".into(),
            location: "path".into()
        }),
        "{details:#?}"
    );
    assert!(details.iter().any(|d| matches!(d, Detail::Moved { .. })));
    assert!(!report.is_breaking(), "{}", report.render(Format::Text));
}

#[test]
fn fields_added_are_not_breaking_removed_and_retyped_are() {
    let added = diff_edit(&[(
        "        count: {type: integer}\n",
        "        count: {type: integer}\n        extra: {type: boolean}\n",
    )]);
    let c = only(&added);
    assert!(!c.breaking);
    assert_eq!(
        c.detail,
        Detail::FieldAdded {
            field: "extra".into(),
            ty: "bool".into(),
            required: false
        }
    );

    let removed = diff_edit(&[("        count: {type: integer}\n", "")]);
    let c = only(&removed);
    assert!(c.breaking);
    assert_eq!(
        c.detail,
        Detail::FieldRemoved {
            field: "count".into(),
            ty: "i64".into()
        }
    );

    let retyped = diff_edit(&[(
        "        count: {type: integer}\n",
        "        count: {type: number}\n",
    )]);
    let c = only(&retyped);
    assert!(c.breaking);
    assert_eq!(
        c.detail,
        Detail::FieldRetyped {
            field: "count".into(),
            old: "i64".into(),
            new: "f64".into()
        }
    );
    assert!(
        matches!(&c.subject, Subject::Type { name, schema, .. } if name == "Widget" && schema == "Widget")
    );
}

#[test]
fn field_required_changes_only_docs() {
    let report = diff_edit(&[("required: [id]", "required: [id, count]")]);
    let c = only(&report);
    assert!(!c.breaking);
    assert_eq!(
        c.detail,
        Detail::FieldRequired {
            field: "count".into(),
            required: true
        }
    );
}

#[test]
fn enum_value_added_is_not_breaking_removed_is() {
    let added = diff_edit(&[("enum: [red, green]", "enum: [red, green, blue]")]);
    let c = only(&added);
    assert!(!c.breaking);
    assert_eq!(
        c.detail,
        Detail::VariantAdded {
            value: "blue".into()
        }
    );

    let removed = diff_edit(&[("enum: [red, green]", "enum: [red]")]);
    let c = only(&removed);
    assert!(c.breaking);
    assert_eq!(
        c.detail,
        Detail::VariantRemoved {
            value: "green".into()
        }
    );
}

#[test]
fn operation_removed_is_breaking_added_is_not() {
    let report = diff_edit(&[
        ("operationId: widgets_get", "operationId: widgets_fetch"),
        ("/widgets/{id}:", "/gadgets/{id}:"),
    ]);
    let mut kinds: Vec<(bool, &Detail, &str)> = report
        .changes
        .iter()
        .map(|c| match &c.subject {
            Subject::Operation { id, .. } => (c.breaking, &c.detail, id.as_str()),
            Subject::Type { name, .. } => (c.breaking, &c.detail, name.as_str()),
        })
        .collect();
    kinds.sort_by_key(|k| k.2);
    assert_eq!(
        kinds,
        [
            (false, &Detail::Added, "widgets_fetch"),
            (true, &Detail::Removed, "widgets_get")
        ]
    );
}

#[test]
fn alias_is_transparent() {
    // `Label` is `pub type Label = String;`: a field of type `Label` becoming `String` is the
    // same Rust type.
    let report = diff_edit(&[(
        "label: {$ref: \"#/components/schemas/Label\"}",
        "label: {type: string}",
    )]);
    assert!(
        report
            .changes
            .iter()
            .all(|c| !matches!(c.detail, Detail::FieldRetyped { .. })),
        "{report:#?}"
    );
    assert!(
        report
            .changes
            .iter()
            .all(|c| c.detail == Detail::Removed || !c.breaking || c.detail != Detail::Removed)
    );
}

/// An inline body that became a component with the same shape is the same type. With a
/// counter name the generator names it after the position, so nothing changes; with a real
/// name the Rust type is renamed (breaking), but the body is not retyped and no type is
/// reported added or removed.
#[test]
fn inline_shape_hoisted_into_a_component_is_the_same_type() {
    let inline_body = "            schema:\n              type: object\n              properties:\n                name: {type: string}\n                size: {type: integer}\n";
    let hoisted = |key: &str| {
        diff_edit(&[
            (
                inline_body,
                &format!("            schema: {{$ref: \"#/components/schemas/{key}\"}}\n"),
            ),
            (
                "    Label:\n",
                &format!(
                    "    {key}:\n      type: object\n      properties:\n        size: {{type: integer}}\n        name: {{type: string}}\n    Label:\n"
                ),
            ),
        ])
    };
    let counter = hoisted("widgets_body");
    assert!(counter.is_empty(), "{}", counter.render(Format::Text));

    let named = hoisted("NewWidget");
    let c = only(&named);
    assert!(c.breaking);
    assert_eq!(
        c.detail,
        Detail::Renamed {
            old: "WidgetsCreateBody".into(),
            new: "NewWidget".into()
        }
    );

    // A changed shape at the same position is reported field by field, under both names.
    let changed = diff_edit(&[
        (
            inline_body,
            "            schema: {$ref: \"#/components/schemas/NewWidget\"}\n",
        ),
        (
            "    Label:\n",
            "    NewWidget:\n      type: object\n      properties:\n        name: {type: string}\n    Label:\n",
        ),
    ]);
    let details: Vec<&Detail> = changed.changes.iter().map(|c| &c.detail).collect();
    assert_eq!(details.len(), 2, "{}", changed.render(Format::Text));
    assert!(details.contains(&&Detail::FieldRemoved {
        field: "size".into(),
        ty: "i64".into()
    }));
}

#[test]
fn response_and_body_retypes_are_breaking() {
    let report = diff_edit(&[(
        "            application/json:\n              schema: {$ref: \"#/components/schemas/Widget\"}\n  /widgets/{id}:",
        "            application/json:\n              schema: {type: string}\n  /widgets/{id}:",
    )]);
    let c = report
        .operation_changes("widgets_create")
        .into_iter()
        .next()
        .expect("widgets_create changed");
    assert!(c.breaking);
    assert_eq!(
        c.detail,
        Detail::ResponseRetyped {
            old: "Widget".into(),
            new: "String".into()
        }
    );
}

#[test]
fn renders_text_markdown_and_json() {
    let report = diff_edit(&[
        ("        count: {type: integer}\n", ""),
        ("enum: [red, green]", "enum: [red, green, blue]"),
    ]);
    let text = report.render(Format::Text);
    assert!(
        text.contains("! field `count` removed (was `i64`)"),
        "{text}"
    );
    assert!(text.contains("enum value `blue` added"), "{text}");
    let md = report.render(Format::Markdown);
    assert!(md.contains("### Types changed (2, 1 breaking)"), "{md}");
    assert!(
        md.contains("- field `count` removed (was `i64`) **breaking**"),
        "{md}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&report.render(Format::Json)).expect("valid JSON");
    assert_eq!(json["summary"]["breaking"], 1);
    assert_eq!(json["summary"]["total"], 2);
    let first = &json["changes"][0];
    assert_eq!(first["subject"]["kind"], "type");
    assert!(first["detail"]["change"].is_string());
}
