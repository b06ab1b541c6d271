//! Hostile inputs for the generator. The promise under test: a spec or overlay the generator
//! cannot handle fails with an error naming the file (and, for a fault inside the document, a
//! JSON pointer); it never panics, never hangs, and never emits code that does not compile.
//!
//! "Does not compile" cannot be checked without building a crate, so generated files go through
//! `check_crate`, which looks for the compile errors a generator can cause in code that parses:
//! duplicate fields, methods, types, variants and modules, type aliases that refer to
//! themselves, path parameters without `Display`, and non-ASCII module names.

use std::collections::{BTreeMap, BTreeSet};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use codegen::Error;
use codegen::emit::{CrateConfig, GeneratedFile};
use serde_json::{Value, json};

// ---------------------------------------------------------------------------------------
// harness

fn cfg() -> CrateConfig {
    CrateConfig {
        crate_ident: "attack".into(),
        api_variant: "V2".into(),
        title: "Attack".into(),
        spec_sha256: "0".into(),
    }
}

/// A fresh file under the test target's scratch directory holding `text`.
fn write(name: &str, text: &[u8]) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("codegen-attack")
        .join(format!("{}-{}", std::process::id(), N.fetch_add(1, Ordering::Relaxed)));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// What the pipeline did with an input. A panic is never an acceptable outcome, so it fails
/// the test here, with the panic's message.
enum Outcome {
    Generated(Vec<GeneratedFile>),
    Failed(Error),
}

fn run_files(spec: &Path, overlays: &[PathBuf]) -> Outcome {
    let overlays: Vec<&Path> = overlays.iter().map(PathBuf::as_path).collect();
    match catch_unwind(AssertUnwindSafe(|| codegen::pipeline::generate(spec, &overlays, &cfg()))) {
        Ok(Ok(generation)) => Outcome::Generated(generation.files),
        Ok(Err(error)) => Outcome::Failed(error),
        Err(payload) => {
            let message = payload
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                .unwrap_or_default();
            panic!("the generator panicked on {}: {message}", spec.display())
        }
    }
}

/// Runs the pipeline on a spec given as text (YAML or JSON) with overlays given as text;
/// returns the input files (spec first) and the outcome.
fn run_text(spec: &str, overlays: &[&str]) -> (Vec<PathBuf>, Outcome) {
    let path = write("spec.yaml", spec.as_bytes());
    let overlays: Vec<PathBuf> = overlays.iter().map(|o| write("overlay.yaml", o.as_bytes())).collect();
    let outcome = run_files(&path, &overlays);
    let mut inputs = vec![path];
    inputs.extend(overlays);
    (inputs, outcome)
}

fn run_json(spec: &Value) -> (Vec<PathBuf>, Outcome) {
    run_text(&serde_json::to_string_pretty(spec).unwrap(), &[])
}

/// Either a clear error (naming the spec file) or a crate that passes [`check_crate`].
#[track_caller]
fn generates_or_fails_clearly(spec: &str) -> Result<Vec<GeneratedFile>, Error> {
    let (inputs, outcome) = run_text(spec, &[]);
    match outcome {
        Outcome::Generated(files) => {
            check_crate(&files);
            Ok(files)
        }
        Outcome::Failed(error) => {
            assert_names_file(&error, &inputs);
            Err(error)
        }
    }
}

/// The error is one the promise allows: it names one of the input files, in its fields and
/// in its message.
#[track_caller]
fn assert_names_file(error: &Error, inputs: &[PathBuf]) {
    let text = error.to_string();
    match error {
        Error::Spec { file, .. } | Error::Syntax { file, .. } | Error::Io { file, .. } => {
            assert!(inputs.contains(file), "error names {file:?}, not an input: {text}");
            assert!(text.contains(&file.display().to_string()), "{text}");
        }
        Error::Emit { .. } => panic!("emitted code does not parse (a generator bug): {text}"),
        other => panic!("unexpected error kind: {other:?}"),
    }
}

/// The pointer of a spec error.
#[track_caller]
fn pointer(error: &Error) -> &str {
    match error {
        Error::Spec { pointer, .. } => pointer,
        other => panic!("not a spec error: {other}"),
    }
}

#[track_caller]
fn expect_error(spec: &str) -> Error {
    match generates_or_fails_clearly(spec) {
        Ok(files) => panic!(
            "expected an error, got a crate:\n{}",
            files.iter().map(|f| format!("== {}\n{}", f.path.display(), f.contents)).collect::<String>()
        ),
        Err(e) => e,
    }
}

#[track_caller]
fn expect_crate(spec: &str) -> Vec<GeneratedFile> {
    match generates_or_fails_clearly(spec) {
        Ok(files) => files,
        Err(e) => panic!("expected a crate, got: {e}"),
    }
}

/// A minimal OpenAPI 3.0 document around `paths` and `schemas` (JSON values).
fn doc(paths: Value, schemas: Value) -> Value {
    json!({
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": paths,
        "components": {"schemas": schemas},
    })
}

fn spec_text(paths: Value, schemas: Value) -> String {
    serde_json::to_string_pretty(&doc(paths, schemas)).unwrap()
}

/// One GET operation returning `schema`.
fn get_returning(id: &str, schema: Value) -> Value {
    json!({"get": {"operationId": id, "responses": {"200": {"description": "ok",
        "content": {"application/json": {"schema": schema}}}}}})
}

fn ok_empty() -> Value {
    json!({"204": {"description": "none"}})
}

// ---------------------------------------------------------------------------------------
// a static stand-in for the compiler

/// Finds, in generated files that parse, the compile errors a generator can cause.
#[track_caller]
fn check_crate(files: &[GeneratedFile]) {
    let problems = crate_problems(files);
    assert!(
        problems.is_empty(),
        "the generated crate would not compile:\n  {}\n\n{}",
        problems.join("\n  "),
        files.iter().map(|f| format!("== {}\n{}", f.path.display(), f.contents)).collect::<String>()
    );
}

fn tokens(t: &impl quote::ToTokens) -> String {
    t.to_token_stream().to_string()
}

/// The last segment of a type path (`crate::Client` -> `Client`).
fn type_name(ty: &syn::Type) -> String {
    match ty {
        syn::Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()).unwrap_or_default(),
        other => tokens(other),
    }
}

fn crate_problems(files: &[GeneratedFile]) -> Vec<String> {
    let mut problems = Vec::new();
    // Inherent methods of each type: `Client`'s are spread over every file.
    let mut methods: BTreeMap<String, Vec<String>> = BTreeMap::new();
    // Type aliases in `types`: name -> the `types::X` names its target mentions.
    let mut aliases: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    // Types with `Display` (enums), and every struct's fields, for path parameters.
    let mut display: BTreeSet<String> = BTreeSet::new();
    let mut structs: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    let mut path_args: Vec<(String, String, String)> = Vec::new();
    let mut all_types: BTreeMap<String, String> = BTreeMap::new();

    for file in files {
        let where_ = file.path.display().to_string();
        let parsed = match syn::parse_file(&file.contents) {
            Ok(f) => f,
            Err(e) => {
                problems.push(format!("{where_}: does not parse: {e}"));
                continue;
            }
        };
        let in_types = where_.starts_with("src/types/");
        let mut names_here: BTreeSet<String> = BTreeSet::new();
        for item in &parsed.items {
            let mut define = |name: String, problems: &mut Vec<String>| {
                if !names_here.insert(name.clone()) {
                    problems.push(format!("{where_}: `{name}` is defined twice"));
                }
                if in_types && let Some(prev) = all_types.insert(name.clone(), where_.clone()) {
                    problems.push(format!("types `{name}` in {prev} and {where_} (glob re-export clash)"));
                }
            };
            match item {
                syn::Item::Struct(s) => {
                    let name = s.ident.to_string();
                    define(name.clone(), &mut problems);
                    let mut fields = BTreeMap::new();
                    for f in &s.fields {
                        let fname = f.ident.as_ref().map(ToString::to_string).unwrap_or_default();
                        if fields.insert(fname.clone(), tokens(&f.ty)).is_some() {
                            problems.push(format!("{where_}: struct `{name}` has the field `{fname}` twice"));
                        }
                    }
                    structs.insert(format!("{where_}::{name}"), fields);
                }
                syn::Item::Enum(e) => {
                    let name = e.ident.to_string();
                    define(name.clone(), &mut problems);
                    let mut seen = BTreeSet::new();
                    for v in &e.variants {
                        if !seen.insert(v.ident.to_string()) {
                            problems.push(format!("{where_}: enum `{name}` has the variant `{}` twice", v.ident));
                        }
                    }
                }
                syn::Item::Type(t) => {
                    let name = t.ident.to_string();
                    define(name.clone(), &mut problems);
                    let target = tokens(&t.ty);
                    let mentioned: BTreeSet<String> = target
                        .split("types ::")
                        .skip(1)
                        .filter_map(|rest| rest.split_whitespace().next().map(str::to_owned))
                        .collect();
                    aliases.insert(name, mentioned);
                    if is_display_type(&target) {
                        display.insert(t.ident.to_string());
                    }
                }
                syn::Item::Mod(m) => {
                    let name = m.ident.to_string();
                    if !name.is_ascii() {
                        problems.push(format!("{where_}: `mod {name};` has a non-ASCII name (E0754)"));
                    }
                    define(format!("mod {name}"), &mut problems);
                }
                syn::Item::Impl(i) => {
                    let target = type_name(&i.self_ty);
                    if let Some((_, path, _)) = &i.trait_ {
                        if path.segments.last().is_some_and(|s| s.ident == "Display") {
                            display.insert(target.clone());
                        }
                        continue;
                    }
                    let key = if target == "Client" { target.clone() } else { format!("{where_}::{target}") };
                    for it in &i.items {
                        if let syn::ImplItem::Fn(f) = it {
                            methods.entry(key.clone()).or_default().push(f.sig.ident.to_string());
                            // `encode_path_segment(&self.x)` needs `x: Display`.
                            let body = tokens(&f.block);
                            for rest in body.split("encode_path_segment (& self .").skip(1) {
                                let field: String =
                                    rest.trim_start().chars().take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '#').collect();
                                path_args.push((where_.clone(), target.clone(), field));
                            }
                        }
                        if let syn::ImplItem::Const(c) = it {
                            methods.entry(key.clone()).or_default().push(c.ident.to_string());
                        }
                    }
                }
                _ => {}
            }
        }
    }

    for (ty, names) in &methods {
        let mut seen = BTreeSet::new();
        for n in names {
            if !seen.insert(n) {
                problems.push(format!("`{ty}` has two inherent items named `{n}` (E0592/E0201)"));
            }
        }
    }

    // A cycle through aliases alone is E0391.
    for start in aliases.keys() {
        let mut stack: Vec<&str> = vec![start];
        let mut seen: BTreeSet<&str> = BTreeSet::new();
        while let Some(n) = stack.pop() {
            for next in aliases.get(n).into_iter().flatten() {
                if next == start {
                    problems.push(format!("type alias `{start}` refers to itself (E0391)"));
                    stack.clear();
                    break;
                }
                if aliases.contains_key(next.as_str()) && seen.insert(next) {
                    stack.push(next);
                }
            }
        }
    }

    // Aliases to a Display type are Display too.
    loop {
        let before = display.len();
        for (name, mentioned) in &aliases {
            if mentioned.len() == 1 && mentioned.iter().all(|m| display.contains(m)) {
                display.insert(name.clone());
            }
        }
        if display.len() == before {
            break;
        }
    }
    for (file, builder, field) in path_args {
        let ty = structs.get(&format!("{file}::{builder}")).and_then(|f| f.get(&field)).cloned().unwrap_or_default();
        let ok = is_display_type(&ty)
            || ty.strip_prefix("types :: ").is_some_and(|n| display.contains(n.trim()));
        if !ok {
            problems.push(format!(
                "{file}: `{builder}.{field}: {ty}` is a path parameter, but `encode_path_segment` needs `Display`"
            ));
        }
    }
    problems
}

fn is_display_type(ty: &str) -> bool {
    matches!(ty.trim(), "String" | "bool" | "i32" | "i64" | "u32" | "u64" | "f64" | "serde_json :: Value")
}

// ---------------------------------------------------------------------------------------
// not a spec at all

#[test]
fn not_a_spec_documents_fail_with_the_file_named() {
    for (name, text) in [
        ("empty", ""),
        ("only whitespace", "  \n\t\n"),
        ("null", "null"),
        ("tilde", "~"),
        ("list", "[1, 2, 3]"),
        ("number", "42"),
        ("string", "\"openapi\""),
        ("json list", "[{\"openapi\": \"3.0.0\"}]"),
        ("bom then json", "\u{feff}{\"openapi\": 1}"),
        ("openapi number", "openapi: 3.0\ninfo: {title: t, version: '1'}\npaths: {}"),
        ("openapi 4", "openapi: 4.0.0\ninfo: {title: t, version: '1'}\npaths: {}"),
        ("openapi 3.x", "openapi: 3.x.0\ninfo: {title: t, version: '1'}\npaths: {}"),
        ("swagger 1.2", "swaggerVersion: '1.2'"),
        ("both", "swagger: '2.0'\nopenapi: 3.0.0"),
        ("no info", "openapi: 3.0.0\npaths: {}"),
        ("paths is a list", "openapi: 3.0.0\ninfo: {title: t, version: '1'}\npaths: [1]"),
        ("truncated json", "{\"openapi\": \"3.0.0\", \"info\": "),
        ("tab-indented yaml", "openapi: 3.0.0\ninfo:\n\ttitle: t"),
        ("yaml tag", "openapi: !!binary aGVsbG8=\n"),
        ("custom tag", "openapi: 3.0.0\ninfo: !Thing {title: t}\npaths: {}"),
        ("mapping key", "openapi: 3.0.0\n? [a, b]\n: 1\n"),
        ("nan", "openapi: 3.0.0\ninfo: {title: t, version: '1'}\npaths: {}\nx-n: .nan\n"),
        ("control characters", "openapi: 3.0.0\u{1}\u{2}\u{7f}"),
        ("duplicate yaml keys", "openapi: 3.0.0\nopenapi: 3.0.1\ninfo: {title: t, version: '1'}\npaths: {}"),
        ("equal keys of two types", "openapi: 3.0.0\ninfo: {title: t, version: '1'}\npaths: {}\nx-a: {1: a, '1': b}"),
    ] {
        let error = expect_error(text);
        assert!(!error.to_string().is_empty(), "{name}");
    }
}

#[test]
fn binary_garbage_is_a_read_error_naming_the_file() {
    let bytes: Vec<u8> = (0..4096u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    let path = write("garbage.yaml", &bytes);
    match run_files(&path, &[]) {
        Outcome::Failed(error) => assert_names_file(&error, &[path]),
        Outcome::Generated(_) => panic!("garbage generated a crate"),
    }
}

#[test]
fn a_missing_file_is_an_io_error() {
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("no-such-dir/spec.yaml");
    match run_files(&path, &[]) {
        Outcome::Failed(Error::Io { file, .. }) => assert_eq!(file, path),
        Outcome::Failed(other) => panic!("{other}"),
        Outcome::Generated(_) => panic!("generated from nothing"),
    }
}

#[test]
fn deep_json_nesting_is_refused_not_overflowed() {
    let depth = 100_000;
    let text = format!("{{\"openapi\": \"3.0.0\", \"x\": {}{}}}", "[".repeat(depth), "]".repeat(depth));
    expect_error(&text);
}

#[test]
fn deep_yaml_block_nesting_is_refused() {
    let mut text = String::from("openapi: 3.0.0\ninfo: {title: t, version: '1'}\npaths: {}\nx-deep:\n");
    for i in 0..2_000 {
        text.push_str(&" ".repeat(i + 1));
        text.push_str("- \n");
    }
    expect_error(&text);
}

#[test]
fn yaml_alias_bomb_is_refused() {
    // The billion laughs: nine levels of ten aliases each.
    let mut text = String::from("openapi: 3.0.0\ninfo: {title: t, version: '1'}\npaths: {}\nx-a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..10 {
        let p = i - 1;
        text.push_str(&format!("x-a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"));
    }
    expect_error(&text);
}

#[test]
fn yaml_merge_key_bomb_is_refused_or_small() {
    // Merge keys copy mappings; nested merges multiply them.
    let mut text = String::from("openapi: 3.0.0\ninfo: {title: t, version: '1'}\npaths: {}\n");
    text.push_str("x-m0: &m0 {a: 1, b: 2, c: 3, d: 4, e: 5, f: 6, g: 7, h: 8}\n");
    for i in 1..12 {
        let p = i - 1;
        text.push_str(&format!("x-m{i}: &m{i} {{k1: *m{p}, k2: *m{p}, k3: *m{p}, k4: *m{p}, <<: *m{p}}}\n"));
    }
    let _ = generates_or_fails_clearly(&text);
}

// ---------------------------------------------------------------------------------------
// references

#[test]
fn ref_to_nowhere_names_the_reference() {
    let e = expect_error(&spec_text(
        json!({"/a": get_returning("a", json!({"$ref": "#/components/schemas/Missing"}))}),
        json!({}),
    ));
    assert_eq!(pointer(&e), "/paths/~1a/get/responses/200/content/application~1json/schema");
}

#[test]
fn external_and_fragment_only_refs_are_refused() {
    for reference in ["other.yaml#/components/schemas/A", "https://example.invalid/x.json", "#", "", "#components", "#/%zz"] {
        let e = expect_error(&spec_text(
            json!({"/a": get_returning("a", json!({"$ref": reference}))}),
            json!({}),
        ));
        assert!(pointer(&e).starts_with("/paths/~1a/get"), "{reference:?}: {e}");
    }
}

#[test]
fn non_string_ref_is_refused() {
    let e = expect_error(&spec_text(json!({"/a": get_returning("a", json!({"$ref": 42}))}), json!({})));
    assert!(pointer(&e).ends_with("/$ref"), "{e}");
}

/// `A: {$ref: B}`, `B: {$ref: A}` would be `type A = B; type B = A;`.
#[test]
fn component_ref_cycle_is_an_error_or_compiles() {
    let _ = generates_or_fails_clearly(&spec_text(
        json!({"/a": get_returning("a", json!({"$ref": "#/components/schemas/A"}))}),
        json!({"A": {"$ref": "#/components/schemas/B"}, "B": {"$ref": "#/components/schemas/A"}}),
    ));
}

#[test]
fn component_self_ref_is_an_error_or_compiles() {
    let _ = generates_or_fails_clearly(&spec_text(
        json!({"/a": get_returning("a", json!({"$ref": "#/components/schemas/A"}))}),
        json!({"A": {"$ref": "#/components/schemas/A"}}),
    ));
}

/// A tree of arrays (`A: {type: array, items: {$ref: A}}`) would be `type A = Vec<A>;`.
#[test]
fn recursive_array_component_is_an_error_or_compiles() {
    let _ = generates_or_fails_clearly(&spec_text(
        json!({"/a": get_returning("a", json!({"$ref": "#/components/schemas/Tree"}))}),
        json!({"Tree": {"type": "array", "items": {"$ref": "#/components/schemas/Tree"}}}),
    ));
}

#[test]
fn recursive_map_component_is_an_error_or_compiles() {
    let _ = generates_or_fails_clearly(&spec_text(
        json!({"/a": get_returning("a", json!({"$ref": "#/components/schemas/Dict"}))}),
        json!({"Dict": {"type": "object", "additionalProperties": {"$ref": "#/components/schemas/Dict"}}}),
    ));
}

#[test]
fn all_of_through_a_ref_cycle_is_an_error_or_compiles() {
    let _ = generates_or_fails_clearly(&spec_text(
        json!({"/a": get_returning("a", json!({"$ref": "#/components/schemas/A"}))}),
        json!({
            "A": {"allOf": [{"$ref": "#/components/schemas/B"}, {"type": "object", "properties": {"a": {"type": "string"}}}]},
            "B": {"allOf": [{"$ref": "#/components/schemas/A"}, {"type": "object", "properties": {"b": {"type": "string"}}}]},
        }),
    ));
}

#[test]
fn deep_ref_that_contains_itself_is_refused() {
    let e = expect_error(&spec_text(
        json!({"/a": get_returning("a", json!({"$ref": "#/components/schemas/A/properties/x"}))}),
        json!({"A": {"type": "object", "properties": {"x": {"type": "object", "properties": {
            "y": {"$ref": "#/components/schemas/A/properties/x"}}}}}}),
    ));
    assert!(e.to_string().contains("contains itself"), "{e}");
}

#[test]
fn percent_encoded_component_ref_is_typed() {
    let files = expect_crate(&spec_text(
        json!({"/a": get_returning("a", json!({"$ref": "#/components/schemas/Foo%20Bar"}))}),
        json!({"Foo Bar": {"type": "object", "properties": {"x": {"type": "string"}}}}),
    ));
    let ops = files.iter().find(|f| f.path.ends_with("default.rs")).unwrap();
    assert!(ops.contents.contains("types::FooBar"), "the reference was not typed:\n{}", ops.contents);
}

// ---------------------------------------------------------------------------------------
// paths and parameters

#[test]
fn path_parameter_missing_from_the_path_is_refused() {
    let e = expect_error(&spec_text(
        json!({"/a": {"get": {"operationId": "a", "parameters": [
            {"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}], "responses": ok_empty()}}}),
        json!({}),
    ));
    assert_eq!(pointer(&e), "/paths/~1a/get/parameters/0");
}

#[test]
fn path_variable_without_parameter_is_refused() {
    let e = expect_error(&spec_text(
        json!({"/a/{id}": {"get": {"operationId": "a", "responses": ok_empty()}}}),
        json!({}),
    ));
    assert_eq!(pointer(&e), "/paths/~1a~1{id}/get");
}

#[test]
fn unbalanced_braces_in_a_path_are_refused_or_sent_verbatim() {
    for path in ["/a/{id", "/a/id}", "/a}b/c", "/a/{}"] {
        let result = generates_or_fails_clearly(&spec_text(
            json!({path: {"get": {"operationId": "a", "responses": ok_empty()}}}),
            json!({}),
        ));
        if let Ok(files) = result {
            let ops = files.iter().find(|f| f.path.ends_with("default.rs")).unwrap();
            // Without parameters the path is a plain string: format! escapes must not leak.
            let literal = format!("String::from({path:?})");
            assert!(ops.contents.contains(&literal), "{path}: expected `{literal}` in\n{}", ops.contents);
        }
    }
}

#[test]
fn array_and_object_path_parameters_compile() {
    for schema in [
        json!({"type": "array", "items": {"type": "string"}}),
        json!({"type": "object", "properties": {"a": {"type": "string"}}}),
    ] {
        let _ = generates_or_fails_clearly(&spec_text(
            json!({"/a/{ids}": {"get": {"operationId": "a", "parameters": [
                {"name": "ids", "in": "path", "required": true, "schema": schema}], "responses": ok_empty()}}}),
            json!({}),
        ));
    }
}

#[test]
fn header_array_of_objects_compiles() {
    let _ = generates_or_fails_clearly(&spec_text(
        json!({"/a": {"get": {"operationId": "a", "parameters": [
            {"name": "x-things", "in": "header", "schema": {"type": "array", "items": {"type": "object", "properties": {"a": {"type": "string"}}}}}],
            "responses": ok_empty()}}}),
        json!({}),
    ));
}

#[test]
fn parameters_named_like_builder_members_compile() {
    for name in ["client", "send", "stream", "body"] {
        for required in [false, true] {
            let _ = generates_or_fails_clearly(&spec_text(
                json!({"/a": {"get": {"operationId": "a", "parameters": [
                    {"name": name, "in": "query", "required": required, "schema": {"type": "string"}}], "responses": ok_empty()}}}),
                json!({}),
            ));
        }
    }
}

#[test]
fn multipart_part_named_like_a_parameter_compiles() {
    let _ = generates_or_fails_clearly(&spec_text(
        json!({"/a": {"post": {"operationId": "a",
            "parameters": [{"name": "name", "in": "query", "schema": {"type": "string"}}],
            "requestBody": {"content": {"multipart/form-data": {"schema": {"type": "object", "properties": {
                "name": {"type": "string"}, "client": {"type": "string", "format": "binary"}}}}}},
            "responses": ok_empty()}}}),
        json!({}),
    ));
}

#[test]
fn cookie_parameter_is_refused_with_its_pointer() {
    let e = expect_error(&spec_text(
        json!({"/a": {"get": {"operationId": "a", "parameters": [
            {"name": "c", "in": "cookie", "schema": {"type": "string"}}], "responses": ok_empty()}}}),
        json!({}),
    ));
    assert_eq!(pointer(&e), "/paths/~1a/get/parameters/0");
}

// ---------------------------------------------------------------------------------------
// operation ids

fn ops_with_ids(ids: &[&str]) -> String {
    let mut paths = serde_json::Map::new();
    for (i, id) in ids.iter().enumerate() {
        paths.insert(format!("/p{i}"), json!({"get": {"operationId": id, "responses": ok_empty()}}));
    }
    spec_text(Value::Object(paths), json!({}))
}

#[test]
fn operation_ids_differing_by_case_or_punctuation_are_refused() {
    for pair in [["getUser", "get_user"], ["getUser", "GetUser"], ["get-user", "get.user"], ["a b", "a_b"]] {
        let e = expect_error(&ops_with_ids(&pair));
        assert!(pointer(&e).starts_with("/paths/~1p1/get") || pointer(&e).starts_with("/paths/~1p0/get"), "{e}");
    }
}

#[test]
fn operation_ids_whose_builders_collide_are_refused_or_compile() {
    for pair in [["get_user_2", "getUser2"], ["a1b", "a_1b"], ["list2", "list_2"]] {
        let _ = generates_or_fails_clearly(&ops_with_ids(&pair));
    }
}

#[test]
fn keyword_and_odd_operation_ids_compile() {
    for id in [
        "self", "Self", "crate", "super", "type", "fn", "mod", "r#type", "_", "", "123", "0",
        "créer", "🚀", "$", "a\"b", "a\\b", "a\nb", "{id}", "Unknown", "Error", "Client", "Result",
    ] {
        let _ = generates_or_fails_clearly(&ops_with_ids(&[id]));
    }
}

#[test]
fn operation_ids_named_like_client_methods_compile() {
    for id in ["new", "core", "from_env", "fromEnv", "API", "api", "clone", "from"] {
        let _ = generates_or_fails_clearly(&ops_with_ids(&[id]));
    }
}

#[test]
fn odd_tags_compile() {
    for tag in ["self", "Self", "super", "crate", "mod", "types", "type", "", "_", "é", "🚀", "jumpcloud_core", "serde", "bytes", "std", "operations"] {
        let spec = spec_text(
            json!({"/a": {"get": {"operationId": "a", "tags": [tag], "responses": ok_empty()}}}),
            json!({}),
        );
        let _ = generates_or_fails_clearly(&spec);
    }
}

#[test]
fn operations_without_ids_are_named_or_refused() {
    let _ = generates_or_fails_clearly(&spec_text(
        json!({
            "/users": {"get": {"responses": ok_empty()}},
            "/users/{id}": {"get": {"parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}], "responses": ok_empty()}},
            "/": {"get": {"responses": ok_empty()}},
        }),
        json!({}),
    ));
}

// ---------------------------------------------------------------------------------------
// schema and property names

#[test]
fn odd_schema_names_compile_or_fail_clearly() {
    for name in ["", "_", "__", "1", "123abc", "é", "🚀", "$", "-", "+1", "Self", "self", "Option", "types", "a.b.c", "r#x"] {
        let _ = generates_or_fails_clearly(&spec_text(
            json!({"/a": get_returning("a", json!({"$ref": format!("#/components/schemas/{}", name.replace('~', "~0").replace('/', "~1"))}))}),
            json!({name: {"type": "object", "properties": {"x": {"type": "string"}}}}),
        ));
    }
}

#[test]
fn schema_names_colliding_after_case_folding_are_refused() {
    for (a, b) in [("Foo", "foo"), ("a-b", "a_b"), ("é", "🚀"), ("FooBar", "foo bar")] {
        let e = expect_error(&spec_text(
            json!({"/a": get_returning("a", json!({"$ref": format!("#/components/schemas/{a}")}))}),
            json!({a: {"type": "object", "properties": {"x": {"type": "string"}}}, b: {"type": "object", "properties": {"y": {"type": "string"}}}}),
        ));
        assert!(pointer(&e).starts_with("/components/schemas/"), "{e}");
    }
}

#[test]
fn odd_property_names_compile_or_fail_clearly() {
    let names = ["", "_", "__", "1", "+1", "$", "-", "é", "🚀", "type", "self", "Self", "crate", "super", "r#type", "async", "await", "dyn", "union", "macro_rules", "a b", "default"];
    for name in names {
        let _ = generates_or_fails_clearly(&spec_text(
            json!({"/a": get_returning("a", json!({"$ref": "#/components/schemas/S"}))}),
            json!({"S": {"type": "object", "properties": {name: {"type": "string"}, "other": {"type": "integer"}}}}),
        ));
    }
}

#[test]
fn property_names_colliding_are_refused() {
    for (a, b) in [("a-b", "a_b"), ("Foo", "foo"), ("$", "-"), ("é", "")] {
        let e = expect_error(&spec_text(
            json!({"/a": get_returning("a", json!({"$ref": "#/components/schemas/S"}))}),
            json!({"S": {"type": "object", "properties": {a: {"type": "string"}, b: {"type": "string"}}}}),
        ));
        assert!(pointer(&e).starts_with("/components/schemas/S"), "{e}");
    }
}

#[test]
fn inline_property_with_non_ascii_name_does_not_steal_its_parents_name() {
    let _ = generates_or_fails_clearly(&spec_text(
        json!({"/a": get_returning("a", json!({"$ref": "#/components/schemas/S"}))}),
        json!({"S": {"type": "object", "properties": {"é": {"type": "object", "properties": {"x": {"type": "string"}}}}}}),
    ));
}

// ---------------------------------------------------------------------------------------
// enums

fn enum_spec(values: Value) -> String {
    spec_text(
        json!({"/a": get_returning("a", json!({"$ref": "#/components/schemas/E"}))}),
        json!({"E": {"type": "string", "enum": values}}),
    )
}

#[test]
fn colliding_enum_values_are_refused_with_the_enum_pointer() {
    for values in [json!(["a-b", "a_b"]), json!(["A", "a"]), json!(["é", "ü"]), json!(["unknown", "UnknownValue"])] {
        let e = expect_error(&enum_spec(values.clone()));
        assert_eq!(pointer(&e), "/components/schemas/E/enum", "{values}");
    }
}

#[test]
fn odd_enum_values_compile() {
    for values in [
        json!([null]),
        json!(["", "-", "+", "*", "\"", "\\", "\u{0}", "`", "Self", "self", "Unknown", "1", "-1", "+1"]),
        json!(["a", "a", "a"]),
        json!([1, 2]),
        json!([true]),
        json!([{"a": 1}]),
    ] {
        let _ = generates_or_fails_clearly(&enum_spec(values));
    }
}

#[test]
fn a_huge_enum_generates() {
    let values: Vec<String> = (0..10_000).map(|i| format!("value-{i}")).collect();
    let files = expect_crate(&enum_spec(json!(values)));
    assert!(files.iter().any(|f| f.contents.contains("V9999") || f.contents.contains("Value9999")));
}

// ---------------------------------------------------------------------------------------
// descriptions

#[test]
fn hostile_descriptions_stay_inside_doc_attributes() {
    let descriptions = [
        "*/ fn main() {} /*",
        "#![forbid(everything)]",
        "\"); panic!(\"",
        "back\\slash \\u0000 \u{0} nul",
        "unbalanced ` backtick [x] and ```",
        "```rust\nfn main() { assert!(false) }\n",
        "<script>alert(1)</script> <b> </div>",
        "[x] [y][z] [link](",
        "\r\n\r\n\u{2028}\u{2029}\u{85}",
        "    indented code\n\tmore",
        "---\n# heading\n> quote",
    ];
    for d in descriptions {
        let spec = doc(
            json!({"/a": {"get": {"operationId": "a", "summary": d, "description": d, "tags": ["t"],
                "parameters": [{"name": "q", "in": "query", "description": d, "schema": {"type": "string"}}],
                "responses": {"200": {"description": d, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/S"}}}}}}}}),
            json!({"S": {"description": d, "title": d, "type": "object", "properties": {"x": {"description": d, "type": "string"}}}}),
        );
        let mut spec = spec;
        spec["info"]["title"] = json!(d);
        spec["info"]["version"] = json!(d);
        let (_, outcome) = run_json(&spec);
        match outcome {
            Outcome::Generated(files) => check_crate(&files),
            Outcome::Failed(e) => panic!("{d:?}: {e}"),
        }
    }
}

/// rustdoc reads `[x]` outside code as an intra-doc link, which `-D warnings` turns into an
/// error; a backtick that opens no code span must not stop the escaping.
#[test]
fn brackets_after_an_unbalanced_backtick_are_escaped() {
    let lines = codegen::docs::doc_lines("Use `filter or [x] here");
    assert!(lines[0].contains("\\[x\\]"), "{lines:?}");
}

// ---------------------------------------------------------------------------------------
// nesting and size

#[test]
fn deeply_nested_inline_objects_fail_clearly_or_generate() {
    for depth in [30, 60, 200] {
        let mut schema = json!({"type": "string"});
        for _ in 0..depth {
            schema = json!({"type": "object", "properties": {"n": schema}});
        }
        let _ = generates_or_fails_clearly(&spec_text(json!({"/a": get_returning("a", schema)}), json!({})));
    }
}

/// Each component is `allOf` of two references to the next: building the first visits every
/// path through the chain.
/// 25 small components, 96 references: with three references per `allOf` the first
/// component alone costs 3^16 merges (measured in debug: 3.4 s at 12 levels, x9 per two more).
#[test]
fn all_of_diamonds_do_not_explode() {
    let mut schemas = serde_json::Map::new();
    let depth = 24;
    for i in 0..depth {
        let next = format!("#/components/schemas/S{}", i + 1);
        schemas.insert(format!("S{i}"), json!({"allOf": [{"$ref": next}, {"$ref": next}, {"$ref": next}, {"$ref": next}]}));
    }
    schemas.insert(format!("S{depth}"), json!({"type": "object", "properties": {"x": {"type": "string"}}}));
    let _ = generates_or_fails_clearly(&spec_text(
        json!({"/a": get_returning("a", json!({"$ref": "#/components/schemas/S0"}))}),
        Value::Object(schemas),
    ));
}

// ---------------------------------------------------------------------------------------
// x-rust-name (spec or overlay)

#[test]
fn invalid_x_rust_names_fail_clearly() {
    for name in ["Foo Bar", "", "1Foo", "foo-bar", "self", "fn", "é", "_Foo", "r#", "Foo::Bar", "Vec<u8>"] {
        let _ = generates_or_fails_clearly(&spec_text(
            json!({"/a": get_returning("a", json!({"$ref": "#/components/schemas/S"}))}),
            json!({"S": {"x-rust-name": name, "type": "object", "properties": {"x": {"type": "string"}}}}),
        ));
    }
}

// ---------------------------------------------------------------------------------------
// overlays

const BASE: &str = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      operationId: a\n      tags: [x, y]\n      responses:\n        '204': {description: none}\n";

fn overlay(actions: &str) -> String {
    format!("overlay: 1.0.0\ninfo: {{title: o, version: '1'}}\nactions:\n{actions}")
}

#[track_caller]
fn overlay_error(actions: &str) -> Error {
    let (_, outcome) = run_text(BASE, &[&overlay(actions)]);
    match outcome {
        Outcome::Failed(e) => e,
        Outcome::Generated(_) => panic!("the overlay was accepted:\n{actions}"),
    }
}

#[test]
fn invalid_jsonpath_is_refused_with_the_action_pointer() {
    for target in ["$[", "paths", "$..[?(@.x", "$.a[?@.x =~ 'y']", "$.a[0:1:-]", ""] {
        let e = overlay_error(&format!("  - target: {target:?}\n    description: d\n    remove: true\n"));
        assert_eq!(pointer(&e), "/actions/0/target", "{target:?}: {e}");
    }
}

#[test]
fn target_matching_nothing_is_refused() {
    let e = overlay_error("  - target: $.nothing\n    description: fixes nothing\n    remove: true\n");
    assert_eq!(pointer(&e), "/actions/0");
    assert!(e.to_string().contains("fixes nothing"));
}

#[test]
fn both_update_and_remove_is_refused() {
    let e = overlay_error("  - target: $.info\n    description: d\n    remove: true\n    update: {x-a: 1}\n");
    assert_eq!(pointer(&e), "/actions/0");
}

#[test]
fn not_an_overlay_is_refused() {
    for text in ["", "null", "[]", "overlay: 2.0.0\nactions: []", "overlay: 1.0.0\nactions: {}", "overlay: 1.0.0\nactions: [1]", "\u{1}\u{2}"] {
        let (_, outcome) = run_text(BASE, &[text]);
        assert!(matches!(outcome, Outcome::Failed(_)), "{text:?} accepted");
    }
}

/// Removing `$` can do nothing to the document; claiming it was applied hides that the fix
/// did not apply.
#[test]
fn removing_the_root_is_refused() {
    let e = overlay_error("  - target: $\n    description: d\n    remove: true\n");
    assert_eq!(pointer(&e), "/actions/0");
}

/// RFC 9535 selectors may select one node twice; it must still be removed once.
#[test]
fn a_node_selected_twice_is_removed_once() {
    let mut document = json!({"list": [1, 2, 3]});
    let o = codegen::overlay::parse(
        Path::new("o.yaml"),
        &json!({"overlay": "1.0.0", "actions": [{"target": "$.list[0,0]", "description": "d", "remove": true}]}),
    )
    .unwrap();
    codegen::overlay::apply(&mut document, &o).unwrap();
    assert_eq!(document, json!({"list": [2, 3]}));
}

#[test]
fn a_node_selected_twice_is_updated_once() {
    let mut document = json!({"list": [1]});
    let o = codegen::overlay::parse(
        Path::new("o.yaml"),
        &json!({"overlay": "1.0.0", "actions": [{"target": "$['list','list']", "description": "d", "update": 2}]}),
    )
    .unwrap();
    codegen::overlay::apply(&mut document, &o).unwrap();
    assert_eq!(document, json!({"list": [1, 2]}));
}

#[test]
fn overlay_breaking_the_document_is_reported_with_a_pointer() {
    for actions in [
        "  - target: $.paths\n    description: d\n    update: 7\n",
        "  - target: $.info\n    description: d\n    remove: true\n",
        "  - target: $.paths['/a'].get.responses\n    description: d\n    update: {'204': 5}\n",
        "  - target: $.paths['/a'].get\n    description: d\n    update: {parameters: [{name: p, in: path, schema: {type: string}}]}\n",
        "  - target: $.paths['/a'].get\n    description: d\n    update: {x-idempotent: yes, operationId: 'a b c'}\n",
        "  - target: $..*\n    description: d\n    remove: true\n",
    ] {
        let (inputs, outcome) = run_text(BASE, &[&overlay(actions)]);
        match outcome {
            Outcome::Failed(e) => assert_names_file(&e, &inputs),
            Outcome::Generated(files) => check_crate(&files),
        }
    }
}

// ---------------------------------------------------------------------------------------
// structural mutation of a spec that covers every construct

/// Every pointer of `v`, parents before children.
fn pointers(v: &Value, at: String, out: &mut Vec<String>) {
    out.push(at.clone());
    match v {
        Value::Object(map) => {
            for (k, child) in map {
                pointers(child, format!("{at}/{}", k.replace('~', "~0").replace('/', "~1")), out);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                pointers(child, format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

fn mutate_everywhere(base: &Value, replacements: &[Value]) -> usize {
    let mut all = Vec::new();
    pointers(base, String::new(), &mut all);
    let mut runs = 0;
    for p in all.iter().skip(1) {
        for r in replacements {
            let mut doc = base.clone();
            *doc.pointer_mut(p).unwrap() = r.clone();
            let text = serde_json::to_string(&doc).unwrap();
            let path = write("spec.json", text.as_bytes());
            match run_files(&path, &[]) {
                Outcome::Generated(files) => {
                    let problems = crate_problems(&files);
                    assert!(problems.is_empty(), "{p} = {r}: {problems:?}");
                }
                Outcome::Failed(e) => assert_names_file(&e, std::slice::from_ref(&path)),
            }
            let _ = std::fs::remove_dir_all(path.parent().unwrap());
            runs += 1;
        }
    }
    runs
}

#[test]
fn every_node_of_the_constructs_spec_replaced_by_garbage() {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/specs/constructs.yaml")).unwrap();
    let base = codegen::load::load_str(Path::new("constructs.yaml"), &text).unwrap().doc;
    let runs = mutate_everywhere(&base, &[json!(null), json!(7), json!("x"), json!([]), json!({}), json!(true)]);
    assert!(runs > 100);
}

const SWAGGER_BASE: &str = r##"
swagger: "2.0"
info: {title: s, version: "1"}
host: example.test
basePath: /api
schemes: [https]
consumes: [application/json]
produces: [application/json]
securityDefinitions:
  key: {type: apiKey, in: header, name: x-api-key}
parameters:
  limit: {name: limit, in: query, type: integer, format: int32, minimum: 0, maximum: 100}
  skip: {name: skip, in: query, type: integer}
responses:
  Gone: {description: gone, schema: {$ref: "#/definitions/Err"}}
paths:
  /things/{id}:
    parameters:
      - {name: id, in: path, required: true, type: string}
    get:
      operationId: things_get
      tags: [Things]
      parameters:
        - {name: fields, in: query, type: array, items: {type: string}, collectionFormat: csv}
        - {name: tags, in: query, type: array, items: {type: string}, collectionFormat: multi}
        - {name: x-trace, in: header, type: string, x-nullable: true}
      responses:
        "200":
          description: ok
          headers: {x-total-count: {type: integer}}
          schema: {$ref: "#/definitions/Thing"}
          examples: {application/json: {id: x}}
        "410": {$ref: "#/responses/Gone"}
    put:
      operationId: things_put
      consumes: [application/json]
      parameters:
        - {name: body, in: body, required: true, schema: {$ref: "#/definitions/Thing"}}
      responses:
        "204": {description: none}
  /things:
    get:
      operationId: things_list
      parameters:
        - {$ref: "#/parameters/limit"}
        - {$ref: "#/parameters/skip"}
      responses:
        "200":
          description: ok
          schema: {type: array, items: {$ref: "#/definitions/Thing"}}
  /upload:
    post:
      operationId: upload
      consumes: [multipart/form-data]
      produces: [text/csv, application/octet-stream]
      schemes: [https]
      parameters:
        - {name: file, in: formData, type: file, required: true}
        - {name: note, in: formData, type: string}
      responses:
        "200": {description: ok, schema: {type: file}}
definitions:
  Thing:
    type: object
    discriminator: kind
    required: [kind]
    properties:
      kind: {type: string, enum: [a, b]}
      id: {type: [string, "null"]}
      parent: {$ref: "#/definitions/Thing"}
      owner: {$ref: "#/definitions/Thing/properties/kind"}
      tags: {type: array, items: {type: string}, x-nullable: true}
  Err:
    type: object
    properties:
      message: {type: string}
"##;

#[test]
fn every_node_of_a_swagger_spec_replaced_by_garbage() {
    let base = codegen::load::load_str(Path::new("swagger.yaml"), SWAGGER_BASE).unwrap().doc;
    expect_crate(SWAGGER_BASE);
    let runs = mutate_everywhere(&base, &[json!(null), json!(7), json!("x"), json!([]), json!({}), json!(true)]);
    assert!(runs > 100);
}

#[test]
fn overlay_with_unquoted_status_code_keys_applies() {
    let actions = "  - target: $.paths['/a'].get.responses\n    description: adds the missing 404\n    update:\n      404: {description: missing}\n";
    let (inputs, outcome) = run_text(BASE, &[&overlay(actions)]);
    match outcome {
        Outcome::Generated(files) => check_crate(&files),
        Outcome::Failed(e) => {
            assert_names_file(&e, &inputs);
            panic!("an overlay written like the spec (unquoted status code) is refused: {e}");
        }
    }
}

/// The YAML parser needs time quadratic in the nesting of flow collections before it reaches
/// its depth limit (measured in debug: 5,000 `[` take 0.11 s, 10,000 0.31 s, 20,000 0.98 s),
/// so a 10 MB file of `[` would take days to be refused.
#[test]
fn ten_megabytes_of_open_brackets_are_refused() {
    let text = format!("openapi: 3.0.0\nx: {}", "[".repeat(10 << 20));
    expect_error(&text);
}

// ---------------------------------------------------------------------------------------
// stack depth: a process abort cannot be caught, so the attempt runs in a child process

const CHILD: &str = "CODEGEN_ATTACK_CHILD";

/// Runs the ignored test `name` of this binary in a child process and fails with its output
/// if it does not exit cleanly (a stack overflow aborts the whole process).
#[track_caller]
fn in_child_process(name: &str) {
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", name, "--ignored", "--nocapture", "--test-threads=1"])
        .env(CHILD, "1")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{name} did not exit cleanly ({}):\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr).lines().filter(|l| !l.trim().is_empty()).take(12).collect::<Vec<_>>().join("\n")
    );
}

/// Four components of 110 nested arrays each, chained by references into each other's
/// `items`: the normalizer inlines them into one schema about 330 levels deep (under its own
/// limit of 512), and the parse stage then overflows the 8 MiB stack of a main thread.
#[test]
fn deep_inlined_references_fail_clearly_instead_of_overflowing_the_stack() {
    in_child_process("deep_inlined_references_child");
}

#[test]
#[ignore = "run in a child process by deep_inlined_references_fail_clearly_instead_of_overflowing_the_stack"]
fn deep_inlined_references_child() {
    if std::env::var_os(CHILD).is_none() {
        return;
    }
    let mut schemas = serde_json::Map::new();
    let comps = 4;
    for k in 0..comps {
        let mut s = if k + 1 < comps {
            json!({"$ref": format!("#/components/schemas/C{}/items", k + 1)})
        } else {
            json!({"type": "string"})
        };
        for _ in 0..110 {
            s = json!({"type": "array", "items": s});
        }
        schemas.insert(format!("C{k}"), s);
    }
    let spec = spec_text(json!({"/a": get_returning("a", json!({"$ref": "#/components/schemas/C0"}))}), Value::Object(schemas));
    // The stack `cargo xtask generate` has: the main thread's.
    std::thread::Builder::new()
        .stack_size(8 << 20)
        .spawn(move || {
            let _ = generates_or_fails_clearly(&spec);
        })
        .unwrap()
        .join()
        .unwrap();
}

// ---------------------------------------------------------------------------------------
// pagers and error bodies

fn generation(spec: &str) -> codegen::pipeline::Generation {
    let path = write("spec.json", spec.as_bytes());
    codegen::pipeline::generate(&path, &[], &cfg()).unwrap_or_else(|e| panic!("{e}"))
}

/// A pager hands `Option<T>` fields to the runtime; an `x-clearable` field is
/// `Option<Option<T>>`, so a pager built on one does not compile (E0308, checked with rustc).
#[test]
fn pagers_are_not_built_on_clearable_fields() {
    let spec = spec_text(
        json!({"/l": {"get": {"operationId": "l", "parameters": [
            {"name": "skip", "in": "query", "schema": {"type": "integer"}},
            {"name": "limit", "in": "query", "schema": {"type": "integer"}}],
            "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"type": "object", "properties": {
                "totalCount": {"type": "integer", "x-clearable": true},
                "results": {"type": "array", "items": {"type": "string"}, "x-clearable": true}}}}}}}}}}),
        json!({}),
    );
    let g = generation(&spec);
    let op = &g.ir.operations[0];
    if let Some(codegen::ir::Pagination::SkipLimit { total: codegen::ir::PageTotal::Body { items_field, total_field, .. }, .. }) = &op.pagination {
        let codegen::ir::SuccessResponse::Json(codegen::ir::TypeRef::Named(n)) = &op.response else { panic!() };
        let codegen::ir::TypeKind::Struct(fields) = &g.ir.types[n].kind else { panic!() };
        for f in fields.iter().filter(|f| &f.rust == items_field || &f.rust == total_field) {
            assert!(!f.clearable, "the pager reads the clearable field `{}`", f.rust);
        }
    }
}

/// Error responses with inline schemas are named `<Builder>Error`; two of them must not
/// make the whole spec fail.
#[test]
fn two_inline_error_bodies_generate() {
    expect_crate(&spec_text(
        json!({"/e": {"get": {"operationId": "e", "responses": {
            "204": {"description": "ok"},
            "400": {"description": "bad", "content": {"application/json": {"schema": {"type": "object", "properties": {"message": {"type": "string"}}}}}},
            "404": {"description": "missing", "content": {"application/json": {"schema": {"type": "object", "properties": {"error": {"type": "string"}}}}}}}}}}),
        json!({}),
    ));
}

// ---------------------------------------------------------------------------------------
// rustdoc: `RUSTDOCFLAGS="-D warnings" cargo doc` must stay clean on generated crates. Each
// case below was checked with rustdoc on the generated crate; the assertions name the text
// rustdoc rejects.

fn file<'f>(files: &'f [GeneratedFile], path: &str) -> &'f str {
    &files.iter().find(|f| f.path == Path::new(path)).unwrap_or_else(|| panic!("no {path}")).contents
}

/// `info.title` and `info.version` go into the crate docs as written: `[API]` is an
/// unresolved intra-doc link and `<b>` an unclosed HTML tag for rustdoc.
#[test]
fn spec_title_is_sanitized_in_the_crate_docs() {
    let mut spec = doc(json!({"/a": {"get": {"operationId": "a", "responses": ok_empty()}}}), json!({}));
    spec["info"]["title"] = json!("Title [API] <b>");
    let (_, outcome) = run_json(&spec);
    let Outcome::Generated(files) = outcome else { panic!("no crate") };
    let lib = file(&files, "src/lib.rs");
    assert!(!lib.contains("[API]") && !lib.contains("<b>"), "unsanitized title in:\n{lib}");
}

/// A tag is written into its module's docs between backticks; a backtick in the tag ends the
/// code span and `[y]` becomes an unresolved link.
#[test]
fn tags_are_sanitized_in_module_docs() {
    let spec = spec_text(json!({"/a": {"get": {"operationId": "a", "tags": ["t`[y]"], "responses": ok_empty()}}}), json!({}));
    let files = expect_crate(&spec);
    let module = files.iter().find(|f| f.path.starts_with("src/operations/") && !f.path.ends_with("mod.rs")).unwrap();
    let first_doc = module.contents.lines().find(|l| l.starts_with("//!")).unwrap();
    assert!(!first_doc.contains("`[y]"), "unsanitized tag: {first_doc}");
}

/// `preceded_by_link_syntax` leaves any URL after `(`, `"`, `'` or `=` alone, but rustdoc's
/// `bare_urls` lint fires on `(https://...)` and `"https://..."` in plain text.
#[test]
fn urls_in_parentheses_and_quotes_are_linked() {
    for text in ["see (https://example.com/x) here", "see \"https://example.com/y\" here"] {
        let lines = codegen::docs::doc_lines(text);
        assert!(lines[0].contains("<https://example.com/"), "{text:?} -> {lines:?}");
    }
}

#[test]
fn number_bool_and_null_keys_are_names_like_any_other() {
    let spec = "openapi: 3.0.3\ninfo: {title: t, version: 1}\npaths:\n  /a:\n    get:\n      operationId: 7\n      tags: [true]\n      responses:\n        200:\n          description: ok\n          content:\n            application/json:\n              schema: {$ref: '#/components/schemas/true'}\ncomponents:\n  schemas:\n    true:\n      type: object\n      properties:\n        1: {type: string}\n        true: {type: string}\n        null: {type: string}\n        ~: {type: integer}\n        2.5: {type: string}\n";
    let _ = generates_or_fails_clearly(spec);
}
