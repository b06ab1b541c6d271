//! Every spec JumpCloud has published (the pinned ones and the history snapshots) must load,
//! normalize and parse, except the snapshot that is broken on purpose, whose error must be
//! exact. The files are read from the shared data directory, never copied into the project.

use std::path::{Path, PathBuf};

use codegen::Error;
use codegen::load::{SourceFormat, load_file};
use codegen::normalize::{kind, load_and_parse, normalize, parse};

fn specs() -> PathBuf {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/specs")).to_owned()
}

fn yaml_files(dir: &str) -> Vec<PathBuf> {
    let dir = specs().join(dir);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    files
}

fn operation_count(api: &openapiv3::OpenAPI) -> usize {
    api.operations().count()
}

#[test]
fn pinned_specs_parse_with_the_documented_operation_counts() {
    let expected = [("insights.yaml", 7), ("v1.yaml", 61), ("v2.yaml", 782)];
    let files = yaml_files("pinned");
    assert_eq!(files.len(), expected.len(), "{files:?}");
    for (file, (name, operations)) in files.iter().zip(expected) {
        assert_eq!(file.file_name().unwrap(), name);
        let parsed = load_and_parse(file).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(parsed.source.format, SourceFormat::OpenApi31, "{name}");
        assert_eq!(parsed.source.to_string(), "OpenAPI 3.1.0");
        assert_eq!(parsed.api.openapi, "3.0.3");
        assert_eq!(operation_count(&parsed.api), operations, "{name}");
    }
}

#[test]
fn pinned_v2_rewrites_are_counted() {
    let loaded = load_file(&specs().join("pinned/v2.yaml")).unwrap();
    let normalized = normalize(&loaded).unwrap();
    let r = &normalized.rewrites;
    // Counted from the file independently (see the README's scan): 6 anyOf/oneOf null
    // branches, 14 consts, 1 contentMediaType, one $ref with a non-extension sibling: none.
    assert_eq!(r.get(kind::NULL_BRANCH), Some(&6), "{r:#?}");
    assert_eq!(r.get(kind::CONST), Some(&14), "{r:#?}");
    assert_eq!(r.get(kind::CONTENT_ENCODING), Some(&1), "{r:#?}");
    assert_eq!(r.get(kind::REF_SIBLINGS), None, "{r:#?}");
    // 695 `type: [T, "null"]` lists in the file.
    assert_eq!(r.get(kind::TYPE_LIST_NULL), Some(&695), "{r:#?}");

    // The one upload field became a binary string.
    let image = &normalized.doc["paths"]["/applications/{application_id}/logo"]["post"]["requestBody"]
        ["content"]["multipart/form-data"]["schema"]["properties"]["image"];
    assert_eq!(image["format"], "binary");
    assert!(image.get("contentMediaType").is_none());
}

#[test]
fn history_snapshots_parse() {
    let files = yaml_files("history");
    assert!(files.len() >= 24, "{files:?}");
    let mut parsed = 0;
    for file in &files {
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        if name.starts_with("2019-12-09_v2") {
            continue; // broken on purpose, see below
        }
        let loaded = load_file(file).unwrap_or_else(|e| panic!("{e}"));
        let normalized = normalize(&loaded).unwrap_or_else(|e| panic!("{e}"));
        let api = parse(&loaded.file, normalized.doc).unwrap_or_else(|e| panic!("{e}"));
        assert!(operation_count(&api) > 0, "{name}");
        parsed += 1;
    }
    assert_eq!(parsed, files.len() - 1);
}

#[test]
fn snapshot_with_duplicate_operation_id_is_rejected_exactly() {
    let file = specs().join("history/2019-12-09_v2.yaml");
    let loaded = load_file(&file).unwrap();
    assert_eq!(loaded.format, SourceFormat::Swagger2);
    let err = normalize(&loaded).unwrap_err();
    let Error::Spec {
        file: at,
        pointer,
        message,
    } = &err
    else {
        panic!("{err:?}");
    };
    assert_eq!(at, &file);
    assert_eq!(pointer, "/paths/~1systems~1{system_id}~1policystatuses/get");
    assert_eq!(
        message,
        "duplicate operationId \"policystatuses_list\": used at \
         #/paths/~1policies~1{policy_id}~1policystatuses/get and at \
         #/paths/~1systems~1{system_id}~1policystatuses/get"
    );
}

#[test]
fn swagger_snapshot_converts_its_upload_and_download_constructs() {
    let loaded = load_file(&specs().join("history/2026-05-11_v2.yaml")).unwrap();
    assert_eq!(loaded.format, SourceFormat::Swagger2);
    let normalized = normalize(&loaded).unwrap();
    let doc = &normalized.doc;

    let logo = &doc["paths"]["/applications/{application_id}/logo"]["post"]["requestBody"];
    let image = &logo["content"]["multipart/form-data"]["schema"]["properties"]["image"];
    assert_eq!(image["type"], "string");
    assert_eq!(image["format"], "binary");

    let invoice =
        &doc["paths"]["/providers/{provider_id}/invoices/{ID}"]["get"]["responses"]["200"];
    assert_eq!(
        invoice["content"]["application/pdf"]["schema"]["format"],
        "binary"
    );
    // 727 definitions and 637 operations, counted in the YAML independently.
    assert_eq!(normalized.rewrites[kind::DEFINITION], 727);
    let api = parse(&loaded.file, normalized.doc).unwrap();
    assert_eq!(operation_count(&api), 637);
}

/// The whole pipeline, emission included, on every snapshot: a spec JumpCloud published once
/// must never make the generator fail, whatever the format.
#[test]
fn history_snapshots_generate() {
    let files = yaml_files("history");
    let mut generated = 0;
    for file in &files {
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        if name.starts_with("2019-12-09_v2") {
            continue; // broken on purpose, see above
        }
        let cfg = codegen::emit::CrateConfig {
            crate_ident: "snapshot".into(),
            api_variant: "V2".into(),
            title: name.clone(),
            spec_sha256: String::new(),
        };
        let g = codegen::pipeline::generate(file, &[], &cfg).unwrap_or_else(|e| panic!("{e}"));
        assert!(g.summary.operations > 0 && !g.files.is_empty(), "{name}");
        generated += 1;
    }
    assert_eq!(generated, files.len() - 1);
}
