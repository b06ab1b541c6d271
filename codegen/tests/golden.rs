//! Golden output: small specs with one construct each, generated and compared byte for byte
//! with committed crates that the workspace builds (so the goldens are known to compile).
//!
//! `UPDATE_GOLDEN=1 cargo test -p codegen --test golden` rewrites the goldens; review the diff.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use codegen::emit::{CrateConfig, GeneratedFile};

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn generate(spec: &Path) -> Vec<GeneratedFile> {
    let cfg = CrateConfig {
        crate_ident: "golden_constructs".into(),
        api_variant: "V2".into(),
        title: "Golden constructs".into(),
        spec_sha256: "test".into(),
    };
    codegen::pipeline::generate(spec, &[], &cfg).unwrap().files
}

fn on_disk(dir: &Path) -> BTreeSet<PathBuf> {
    let mut out = BTreeSet::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.insert(p.strip_prefix(dir.parent().unwrap()).unwrap().to_path_buf());
            }
        }
    }
    out
}

#[test]
fn constructs_match_the_committed_golden_crate() {
    let spec = manifest_dir().join("tests/specs/constructs.yaml");
    let crate_dir = manifest_dir().join("tests/golden/constructs");
    let files = generate(&spec);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        let _ = std::fs::remove_dir_all(crate_dir.join("src"));
        for f in &files {
            let p = crate_dir.join(&f.path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, &f.contents).unwrap();
        }
    }
    let mut mismatched = Vec::new();
    for f in &files {
        let p = crate_dir.join(&f.path);
        match std::fs::read_to_string(&p) {
            Ok(text) if text == f.contents => {}
            _ => mismatched.push(f.path.display().to_string()),
        }
    }
    let wanted: BTreeSet<PathBuf> = files.iter().map(|f| f.path.clone()).collect();
    let stale: Vec<_> = on_disk(&crate_dir.join("src")).difference(&wanted).cloned().collect();
    assert!(
        mismatched.is_empty() && stale.is_empty(),
        "golden files differ: {mismatched:?}, stale: {stale:?}; rerun with UPDATE_GOLDEN=1 and review"
    );
}

#[test]
fn generating_twice_gives_identical_bytes() {
    let spec = manifest_dir().join("tests/specs/constructs.yaml");
    assert_eq!(generate(&spec), generate(&spec));
}

#[test]
fn naming_obstacle_course() {
    let spec = manifest_dir().join("tests/specs/constructs.yaml");
    let g = codegen::pipeline::generate(
        &spec,
        &[],
        &CrateConfig {
            crate_ident: "x".into(),
            api_variant: "V2".into(),
            title: "x".into(),
            spec_sha256: "x".into(),
        },
    )
    .unwrap();
    let types: Vec<&str> = g.ir.types.keys().map(String::as_str).collect();
    // Prelude and runtime names are never taken by spec names.
    assert!(types.contains(&"ErrorModel"), "{types:?}");
    assert!(!types.contains(&"Error"));
    // `System` is fine as a type name in Rust, and dotted names are joined.
    assert!(types.contains(&"System"));
    assert!(types.contains(&"JumpcloudThingsDotted"));
    // An inline schema whose position name is a component's steps aside.
    assert!(types.contains(&"ThingOwnerInline") && types.contains(&"ThingOwner"));
    let thing = &g.ir.types["Thing"];
    let codegen::ir::TypeKind::Struct(fields) = &thing.kind else { panic!("Thing is a struct") };
    let names: Vec<(&str, &str)> = fields.iter().map(|f| (f.wire.as_str(), f.rust.as_str())).collect();
    for expected in [("id", "id"), ("_id", "underscore_id"), ("type", "r#type"), ("self", "self_"), ("3d", "_3d")] {
        assert!(names.contains(&expected), "{expected:?} not in {names:?}");
    }
    // A cycle through direct fields is boxed; through a Vec it needs no box.
    let codegen::ir::TypeKind::Struct(node) = &g.ir.types["Node"].kind else { panic!() };
    assert!(node.iter().find(|f| f.wire == "parent").unwrap().boxed);
    assert!(!node.iter().find(|f| f.wire == "children").unwrap().boxed);
    // The operation named like a keyword still gets a usable method.
    assert!(g.ir.operations.iter().any(|o| o.fn_name == "type_"));
}
