//! The load and normalize stages on small hand-written specs: one test per construct, each
//! asserting the exact normalized output (or the exact error: file, pointer, message).

use std::collections::BTreeMap;
use std::path::Path;

use codegen::Error;
use codegen::load::{Loaded, SourceFormat, load_file, load_str};
use codegen::normalize::{Normalized, kind, normalize, parse};
use serde_json::{Value, json};

const FILE: &str = "spec.yaml";

fn load(text: &str) -> Loaded {
    load_str(Path::new(FILE), text).unwrap_or_else(|e| panic!("{e}"))
}

fn norm(text: &str) -> Normalized {
    normalize(&load(text)).unwrap_or_else(|e| panic!("{e}"))
}

/// The error of loading and normalizing `text`, as (pointer, message).
fn spec_error(text: &str) -> (String, String) {
    let err = load_str(Path::new(FILE), text)
        .and_then(|loaded| normalize(&loaded))
        .expect_err("expected an error");
    match err {
        Error::Spec {
            file,
            pointer,
            message,
        } => {
            assert_eq!(file, Path::new(FILE));
            (pointer, message)
        }
        other => panic!("not a spec error: {other:?}"),
    }
}

/// Wraps `schemas` (YAML, indented for `components: schemas:`) into an OpenAPI 3.1 document.
fn oas31(schemas: &str) -> String {
    format!(
        "openapi: 3.1.0\ninfo: {{title: t, version: '1'}}\npaths: {{}}\ncomponents:\n  schemas:\n{schemas}"
    )
}

fn schemas(n: &Normalized) -> &Value {
    &n.doc["components"]["schemas"]
}

fn counts(n: &Normalized) -> BTreeMap<&'static str, usize> {
    n.rewrites.clone()
}

// ---------------------------------------------------------------------------------------
// load

#[test]
fn yaml_numeric_keys_become_strings_and_the_version_is_kept() {
    let loaded = load(
        "openapi: 3.0.1\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      \
         responses:\n        200: {description: ok}\n        404: {description: missing}\n",
    );
    assert_eq!(loaded.format, SourceFormat::OpenApi30);
    assert_eq!(loaded.version, "3.0.1");
    assert_eq!(loaded.format.to_string(), "OpenAPI 3.0");
    assert_eq!(loaded.info().to_string(), "OpenAPI 3.0.1");
    assert_eq!(
        loaded.doc["paths"]["/a"]["get"]["responses"],
        json!({"200": {"description": "ok"}, "404": {"description": "missing"}})
    );
}

#[test]
fn json_is_read_as_json_and_a_bom_is_ignored() {
    let loaded = load("\u{feff}  {\"swagger\": \"2.0\", \"info\": {}, \"paths\": {}}");
    assert_eq!(loaded.format, SourceFormat::Swagger2);
    assert_eq!(loaded.info().to_string(), "Swagger 2.0");
    assert_eq!(
        loaded.doc,
        json!({"swagger": "2.0", "info": {}, "paths": {}})
    );
}

#[test]
fn yaml_merge_keys_and_anchors_are_expanded() {
    let loaded = load("openapi: 3.1.0\nx-a: &base {p: 1, q: 2}\nx-b:\n  <<: *base\n  q: 3\n");
    assert_eq!(loaded.doc["x-b"], json!({"p": 1, "q": 3}));
}

#[test]
fn unquoted_swagger_version_number_is_accepted() {
    assert_eq!(load("swagger: 2.0\n").format, SourceFormat::Swagger2);
}

#[test]
fn not_a_spec_is_rejected_at_the_root() {
    assert_eq!(
        spec_error("- a\n- b\n"),
        (
            String::new(),
            "the document is a list, not a mapping; a spec is a mapping with a `swagger` or \
             `openapi` field"
                .to_owned()
        )
    );
    assert_eq!(
        spec_error("info: {title: t}\n"),
        (
            String::new(),
            "the document has neither a `swagger` nor an `openapi` field; this generator \
             reads Swagger 2.0, OpenAPI 3.0.x and OpenAPI 3.1.x"
                .to_owned()
        )
    );
    assert_eq!(
        spec_error("swagger: '2.0'\nopenapi: 3.0.0\n").1,
        "the document has both `swagger` and `openapi` fields; it must have exactly one"
    );
}

#[test]
fn unknown_versions_are_rejected_at_the_version_field() {
    let accepted = "this generator reads Swagger 2.0, OpenAPI 3.0.x and OpenAPI 3.1.x";
    assert_eq!(
        spec_error("swagger: '1.2'\n"),
        (
            "/swagger".to_owned(),
            format!("unsupported Swagger version \"1.2\"; {accepted}")
        )
    );
    assert_eq!(
        spec_error("swaggerVersion: '1.2'\n"),
        (
            "/swaggerVersion".to_owned(),
            format!("Swagger \"1.2\" (1.x) is not supported; {accepted}")
        )
    );
    for version in ["2.5", "4.0.0", "3.2.0", "3.0.x", "3", "3.1.0.1"] {
        assert_eq!(
            spec_error(&format!("openapi: '{version}'\n")),
            (
                "/openapi".to_owned(),
                format!("unsupported OpenAPI version \"{version}\"; {accepted}")
            ),
            "{version}"
        );
    }
    assert_eq!(
        spec_error("openapi: 3.1\n"),
        (
            "/openapi".to_owned(),
            format!("unsupported OpenAPI version 3.1 (the version must be a string); {accepted}")
        )
    );
    for version in ["3.0.0", "3.0.3", "3.0", "3.1.1", "3.1.0-rc1"] {
        let expected = if version.starts_with("3.0") {
            SourceFormat::OpenApi30
        } else {
            SourceFormat::OpenApi31
        };
        assert_eq!(
            load(&format!("openapi: '{version}'\n")).format,
            expected,
            "{version}"
        );
    }
}

#[test]
fn yaml_syntax_errors_name_the_file_line_and_column() {
    let err = load_str(Path::new(FILE), "openapi: 3.1.0\npaths: [a, b\n").unwrap_err();
    let Error::Syntax { file, message } = &err else {
        panic!("{err:?}");
    };
    assert_eq!(file, Path::new(FILE));
    assert_eq!(
        message,
        "YAML: did not find expected ',' or ']' at line 3 column 1, while parsing a flow \
         sequence at line 2 column 8"
    );
    assert_eq!(
        err.to_string(),
        format!("{FILE}: not YAML or JSON: {message}")
    );
}

#[test]
fn json_syntax_errors_name_the_line_and_column() {
    let err = load_str(Path::new(FILE), "{\"openapi\": \"3.1.0\",\n  }").unwrap_err();
    let Error::Syntax { message, .. } = &err else {
        panic!("{err:?}");
    };
    assert_eq!(message, "JSON: trailing comma at line 2 column 3");
}

#[test]
fn duplicate_yaml_keys_are_an_error() {
    let err = load_str(Path::new(FILE), "openapi: 3.1.0\nopenapi: 3.0.0\n").unwrap_err();
    let Error::Syntax { message, .. } = &err else {
        panic!("{err:?}");
    };
    assert!(
        message.contains("duplicate entry with key \"openapi\""),
        "{message}"
    );

    // Equal once YAML's number and string keys are both JSON strings.
    assert_eq!(
        spec_error("openapi: 3.1.0\nx-codes:\n  200: a\n  '200': b\n"),
        (
            "/x-codes".to_owned(),
            "the mapping has the key \"200\" twice (once quoted, once not)".to_owned()
        )
    );
}

#[test]
fn yaml_tags_and_non_finite_numbers_are_named_by_pointer() {
    assert_eq!(
        spec_error("openapi: 3.1.0\nx-a:\n  - !custom 1\n"),
        (
            "/x-a/0".to_owned(),
            "YAML tag !custom is not supported in a spec (a JSON value has no tags)".to_owned()
        )
    );
    assert_eq!(
        spec_error("openapi: 3.1.0\nx-a: {b: .nan}\n"),
        (
            "/x-a/b".to_owned(),
            "the number .nan (NaN or infinite) cannot be represented in JSON".to_owned()
        )
    );
}

#[test]
fn unreadable_file_is_an_io_error() {
    let path = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/no-such-spec.yaml"
    ));
    let err = load_file(path).unwrap_err();
    assert!(
        matches!(&err, Error::Io { file, .. } if file == path),
        "{err:?}"
    );
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let deep_json = format!("{}{}", "{\"a\":".repeat(100_000), "}".repeat(100_000));
    assert!(matches!(
        load_str(Path::new(FILE), &deep_json),
        Err(Error::Syntax { .. })
    ));
    // Limitation (of the YAML parser): its time grows with the square of the nesting depth
    // before it reports the depth error, so this stays at a depth the test can afford.
    let deep_yaml = format!(
        "openapi: 3.1.0\nx-a: {}{}\n",
        "[".repeat(2_000),
        "]".repeat(2_000)
    );
    assert!(matches!(
        load_str(Path::new(FILE), &deep_yaml),
        Err(Error::Syntax { .. })
    ));
}

// ---------------------------------------------------------------------------------------
// OpenAPI 3.1 -> 3.0

#[test]
fn type_list_with_null_becomes_nullable() {
    let n = norm(&oas31(
        "    A: {type: [string, 'null'], maxLength: 3}\n    B: {type: ['null', integer, integer]}\n    C: {type: [number]}\n",
    ));
    assert_eq!(
        schemas(&n),
        &json!({
            "A": {"type": "string", "nullable": true, "maxLength": 3},
            "B": {"type": "integer", "nullable": true},
            "C": {"type": "number"},
        })
    );
    assert_eq!(n.doc["openapi"], "3.0.3");
    assert_eq!(
        counts(&n),
        BTreeMap::from([(kind::TYPE_LIST_NULL, 2), (kind::TYPE_LIST_SINGLE, 1)])
    );
}

#[test]
fn several_types_become_untyped_and_count_as_fallback() {
    let n = norm(&oas31(
        "    A: {type: [string, integer, 'null'], description: d}\n    B: {type: 'null'}\n",
    ));
    assert_eq!(
        schemas(&n),
        &json!({
            "A": {"nullable": true, "description": "d"},
            "B": {"nullable": true},
        })
    );
    assert_eq!(
        counts(&n),
        BTreeMap::from([(kind::TYPE_NULL, 1), (kind::TYPE_LIST_MULTI, 1)])
    );
}

#[test]
fn bad_type_values_are_errors_with_pointers() {
    assert_eq!(
        spec_error(&oas31("    A: {type: [string, 3]}\n")),
        (
            "/components/schemas/A/type/1".to_owned(),
            "a type list holds type names, found a number".to_owned()
        )
    );
    assert_eq!(
        spec_error(&oas31("    A: {properties: {x: {type: {a: 1}}}}\n")),
        (
            "/components/schemas/A/properties/x/type".to_owned(),
            "type must be a name or a list of names, found a mapping".to_owned()
        )
    );
}

#[test]
fn null_branches_of_any_of_and_one_of_become_nullable() {
    let n = norm(&oas31(
        "    R: {type: object}\n\
         \x20   Ref: {anyOf: [{$ref: '#/components/schemas/R'}, {type: 'null'}], description: d}\n\
         \x20   Inline: {oneOf: [{type: string, format: date}, {type: 'null'}]}\n\
         \x20   Many: {oneOf: [{type: string}, {type: number}, {type: 'null'}]}\n\
         \x20   Clash: {type: string, anyOf: [{type: integer}, {type: 'null'}]}\n\
         \x20   OnlyNull: {anyOf: [{type: 'null'}]}\n\
         \x20   NoNull: {anyOf: [{type: string}, {type: integer}]}\n",
    ));
    assert_eq!(
        schemas(&n),
        &json!({
            "R": {"type": "object"},
            "Ref": {"allOf": [{"$ref": "#/components/schemas/R"}], "nullable": true, "description": "d"},
            "Inline": {"type": "string", "format": "date", "nullable": true},
            "Many": {"oneOf": [{"type": "string"}, {"type": "number"}], "nullable": true},
            "Clash": {"type": "string", "allOf": [{"type": "integer"}], "nullable": true},
            "OnlyNull": {"nullable": true},
            "NoNull": {"anyOf": [{"type": "string"}, {"type": "integer"}]},
        })
    );
    assert_eq!(counts(&n), BTreeMap::from([(kind::NULL_BRANCH, 5)]));
}

#[test]
fn const_examples_and_exclusive_bounds() {
    let n = norm(&oas31(
        "    K: {type: string, const: fixed}\n\
         \x20   E: {type: integer, examples: [3, 4]}\n\
         \x20   Both: {type: integer, example: 1, examples: [3]}\n\
         \x20   Lo: {type: number, exclusiveMinimum: 0}\n\
         \x20   Hi: {type: number, exclusiveMaximum: 10, maximum: 5}\n\
         \x20   Old: {type: number, minimum: 1, exclusiveMinimum: true}\n",
    ));
    assert_eq!(
        schemas(&n),
        &json!({
            "K": {"type": "string", "enum": ["fixed"]},
            "E": {"type": "integer", "example": 3},
            "Both": {"type": "integer", "example": 1},
            "Lo": {"type": "number", "minimum": 0, "exclusiveMinimum": true},
            "Hi": {"type": "number", "maximum": 5},
            "Old": {"type": "number", "minimum": 1, "exclusiveMinimum": true},
        })
    );
    assert_eq!(
        counts(&n),
        BTreeMap::from([
            (kind::CONST, 1),
            (kind::EXAMPLES, 2),
            (kind::EXCLUSIVE_BOUND, 2)
        ])
    );
}

#[test]
fn ref_siblings_are_kept_through_all_of() {
    let n = norm(&oas31(
        "    R: {type: object}\n\
         \x20   P:\n      properties:\n\
         \x20       a: {$ref: '#/components/schemas/R', description: d, readOnly: true}\n\
         \x20       b: {$ref: '#/components/schemas/R', x-skip-validation: true}\n\
         \x20       c: {$ref: '#/components/schemas/R', allOf: [{required: [x]}], x-k: 1}\n\
         \x20       d: {$ref: '#/components/schemas/R', $comment: only a comment}\n",
    ));
    assert_eq!(
        schemas(&n)["P"]["properties"],
        json!({
            "a": {"allOf": [{"$ref": "#/components/schemas/R"}], "description": "d", "readOnly": true},
            "b": {"$ref": "#/components/schemas/R", "x-skip-validation": true},
            "c": {"allOf": [{"$ref": "#/components/schemas/R"}, {"required": ["x"]}], "x-k": 1},
            "d": {"$ref": "#/components/schemas/R"},
        })
    );
    assert_eq!(
        counts(&n),
        BTreeMap::from([
            (kind::REF_SIBLINGS, 2),
            (kind::SCHEMA_IDENTIFIER_DROPPED, 1)
        ])
    );
}

#[test]
fn content_encoding_and_media_type_become_formats() {
    let n = norm(&oas31(
        "    Bin: {type: string, contentMediaType: application/octet-stream}\n\
         \x20   B64: {type: string, contentEncoding: base64, contentMediaType: image/png}\n\
         \x20   Text: {type: string, contentMediaType: text/plain}\n\
         \x20   Kept: {type: string, format: uri, contentEncoding: base64}\n",
    ));
    assert_eq!(
        schemas(&n),
        &json!({
            "Bin": {"type": "string", "format": "binary"},
            "B64": {"type": "string", "format": "byte"},
            "Text": {"type": "string"},
            "Kept": {"type": "string", "format": "uri"},
        })
    );
    assert_eq!(counts(&n), BTreeMap::from([(kind::CONTENT_ENCODING, 4)]));
}

#[test]
fn boolean_schemas_identifiers_and_unsupported_keywords() {
    let n = norm(&oas31(
        "    A:\n      $schema: 'https://json-schema.org/draft/2020-12/schema'\n      $id: a\n\
         \x20     $comment: c\n      type: object\n\
         \x20     properties: {any: true, none: false, t: {type: array, prefixItems: [{type: string}], items: false}}\n\
         \x20     patternProperties: {'^x': {type: string}}\n\
         \x20     additionalProperties: false\n",
    ));
    assert_eq!(
        schemas(&n),
        &json!({"A": {
            "type": "object",
            "properties": {"any": {}, "none": {"not": {}}, "t": {"type": "array", "items": {"not": {}}}},
            "additionalProperties": false,
        }})
    );
    assert_eq!(
        counts(&n),
        BTreeMap::from([
            (kind::KEYWORD_DROPPED, 2),
            (kind::BOOLEAN_SCHEMA, 3),
            (kind::SCHEMA_IDENTIFIER_DROPPED, 3)
        ])
    );
}

#[test]
fn document_fields_of_3_1_are_dropped_and_extensions_kept() {
    let n = norm(
        "openapi: 3.1.0\njsonSchemaDialect: 'https://spec.openapis.org/oas/3.1/dialect/base'\n\
         info: {title: t, version: '1', summary: s, license: {name: MIT, identifier: MIT}, x-i: 1}\n\
         webhooks: {w: {post: {responses: {'200': {description: ok}}}}}\n\
         x-tagGroups: [{name: g, tags: [a]}]\n",
    );
    assert_eq!(
        n.doc,
        json!({
            "openapi": "3.0.3",
            "info": {"title": "t", "version": "1", "license": {"name": "MIT"}, "x-i": 1},
            "paths": {},
            "x-tagGroups": [{"name": "g", "tags": ["a"]}],
        })
    );
    assert_eq!(counts(&n), BTreeMap::from([(kind::DOC_FIELD_DROPPED, 4)]));
    parse(Path::new(FILE), n.doc).unwrap();
}

#[test]
fn schemas_are_found_in_every_place_of_an_operation() {
    let n = norm(
        "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths:\n  /a/{id}:\n\
         \x20   parameters: [{name: id, in: path, required: true, schema: {type: [string, 'null']}}]\n\
         \x20   post:\n\
         \x20     parameters:\n\
         \x20       - {name: q, in: query, content: {application/json: {schema: {const: 1}}}}\n\
         \x20     requestBody: {content: {multipart/form-data: {schema: {type: object, properties: {f: {type: string, contentMediaType: image/png}}},\n\
         \x20       encoding: {f: {headers: {X-H: {schema: {type: [integer, 'null']}}}}}}}}\n\
         \x20     responses:\n\
         \x20       '200':\n\
         \x20         description: ok\n\
         \x20         headers: {X-R: {schema: {examples: [1]}}}\n\
         \x20         content: {application/json: {schema: {type: 'null'}}}\n\
         \x20     callbacks:\n\
         \x20       cb: {'{$request.body#/url}': {post: {requestBody: {content: {application/json: {schema: {const: 2}}}}, responses: {'200': {description: ok}}}}}\n",
    );
    assert_eq!(
        counts(&n),
        BTreeMap::from([
            (kind::CONST, 2),
            (kind::CONTENT_ENCODING, 1),
            (kind::EXAMPLES, 1),
            (kind::TYPE_NULL, 1),
            (kind::TYPE_LIST_NULL, 2),
        ])
    );
    let post = &n.doc["paths"]["/a/{id}"]["post"];
    assert_eq!(
        post["requestBody"]["content"]["multipart/form-data"]["schema"]["properties"]["f"],
        json!({"type": "string", "format": "binary"})
    );
    parse(Path::new(FILE), n.doc).unwrap();
}

#[test]
fn non_schema_references_are_checked_and_their_siblings_dropped() {
    let n = norm(
        "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n\
         \x20     parameters: [{$ref: '#/components/parameters/P', description: over}]\n\
         \x20     responses: {'200': {$ref: '#/components/responses/R', summary: s}}\n\
         components:\n  parameters: {P: {name: p, in: query, schema: {type: string}}}\n\
         \x20 responses: {R: {description: ok}}\n",
    );
    let get = &n.doc["paths"]["/a"]["get"];
    assert_eq!(
        get["parameters"],
        json!([{"$ref": "#/components/parameters/P"}])
    );
    assert_eq!(
        get["responses"]["200"],
        json!({"$ref": "#/components/responses/R"})
    );
    assert_eq!(
        counts(&n),
        BTreeMap::from([(kind::REF_SIBLINGS_DROPPED, 2)])
    );

    assert_eq!(
        spec_error(
            "openapi: 3.0.0\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n\
             \x20     parameters: [{$ref: '#/components/schemas/S'}]\n\
             \x20     responses: {'200': {description: ok}}\n\
             components: {schemas: {S: {type: string}}}\n"
        ),
        (
            "/paths/~1a/get/parameters/0/$ref".to_owned(),
            "this $ref must point to #/components/parameters/..., not \"#/components/schemas/S\""
                .to_owned()
        )
    );
    assert_eq!(
        spec_error(&oas31(
            "    A: {properties: {p: {$ref: '#/components/parameters/P'}}}\n  parameters: {P: {name: p, in: query}}\n"
        )),
        (
            "/components/schemas/A/properties/p/$ref".to_owned(),
            "a schema's $ref must point to a schema (#/components/schemas/...), not \
             \"#/components/parameters/P\""
                .to_owned()
        )
    );
}

#[test]
fn mutual_tls_has_no_3_0_equivalent() {
    assert_eq!(
        spec_error(
            "openapi: 3.1.0\ninfo: {title: t, version: '1'}\ncomponents:\n  securitySchemes: {m: {type: mutualTLS}}\n"
        ),
        (
            "/components/securitySchemes/m/type".to_owned(),
            "security scheme type mutualTLS (OpenAPI 3.1) has no OpenAPI 3.0 equivalent".to_owned()
        )
    );
}

// ---------------------------------------------------------------------------------------
// references

#[test]
fn references_into_other_objects_are_inlined() {
    let n = norm(&oas31(
        "    A:\n      type: object\n      properties:\n\
         \x20       b: {type: string, maxLength: 3}\n\
         \x20       c: {$ref: '#/components/schemas/A/properties/b', description: copy}\n\
         \x20       d: {$ref: '#/components/schemas/A/$defs/D'}\n\
         \x20       e: {$ref: '#/components/schemas/A'}\n\
         \x20     $defs:\n        D: {type: [integer, 'null'], items: {$ref: '#/components/schemas/A/properties/b'}}\n",
    ));
    assert_eq!(
        schemas(&n)["A"],
        json!({
            "type": "object",
            "properties": {
                "b": {"type": "string", "maxLength": 3},
                "c": {"type": "string", "maxLength": 3, "description": "copy"},
                "d": {"type": "integer", "nullable": true, "items": {"type": "string", "maxLength": 3}},
                "e": {"$ref": "#/components/schemas/A"},
            },
        })
    );
    assert_eq!(
        counts(&n),
        BTreeMap::from([
            // c, d, the copy of b inside d's copy, and the same inside `$defs` itself.
            (kind::DEEP_REF_INLINED, 4),
            (kind::SCHEMA_IDENTIFIER_DROPPED, 1),
            (kind::TYPE_LIST_NULL, 1)
        ])
    );
}

#[test]
fn a_reference_into_itself_cannot_be_inlined() {
    assert_eq!(
        spec_error(&oas31(
            "    A:\n      properties:\n        b: {items: {$ref: '#/components/schemas/A/properties/b'}}\n"
        )),
        (
            "/components/schemas/A/properties/b/items".to_owned(),
            "$ref \"#/components/schemas/A/properties/b\" points inside another object and \
             contains itself (\"#/components/schemas/A/properties/b\" -> \
             \"#/components/schemas/A/properties/b\"); such a reference cannot be inlined, \
             point it at a whole component"
                .to_owned()
        )
    );
}

#[test]
fn recursive_component_references_are_fine() {
    let n = norm(&oas31(
        "    Tree: {type: object, properties: {children: {type: array, items: {$ref: '#/components/schemas/Tree'}}}}\n",
    ));
    assert_eq!(
        schemas(&n)["Tree"]["properties"]["children"]["items"],
        json!({"$ref": "#/components/schemas/Tree"})
    );
    parse(Path::new(FILE), n.doc).unwrap();
}

#[test]
fn dangling_reference_is_reported_where_it_is_written() {
    assert_eq!(
        spec_error(&oas31(
            "    A: {properties: {b: {$ref: '#/components/schemas/Missing'}}}\n"
        )),
        (
            "/components/schemas/A/properties/b".to_owned(),
            "$ref \"#/components/schemas/Missing\" does not resolve: #/components/schemas has \
             no \"Missing\""
                .to_owned()
        )
    );
    assert_eq!(
        spec_error(
            "swagger: '2.0'\ninfo: {title: t, version: '1'}\npaths: {}\n\
             definitions:\n  A: {type: array, items: {$ref: '#/definitions/Nope'}}\n"
        ),
        (
            "/definitions/A/items".to_owned(),
            "$ref \"#/definitions/Nope\" does not resolve: #/definitions has no \"Nope\""
                .to_owned()
        )
    );
    assert_eq!(
        spec_error(&oas31("    A: {$ref: 'other.yaml#/A'}\n")),
        (
            "/components/schemas/A".to_owned(),
            "$ref \"other.yaml#/A\" points outside this document; only local references \
             (starting with `#`) are supported"
                .to_owned()
        )
    );
    assert_eq!(
        spec_error(&oas31("    A: {$ref: 42}\n")),
        (
            "/components/schemas/A/$ref".to_owned(),
            "$ref must be a string, found a number".to_owned()
        )
    );
}

#[test]
fn ref_keys_in_data_and_names_are_not_references() {
    let n = norm(&oas31(
        "    A:\n      type: object\n      properties: {$ref: {type: string}}\n\
         \x20     example: {$ref: '#/nowhere'}\n      default: {$ref: 1}\n      x-ext: {$ref: '#/nowhere'}\n",
    ));
    assert_eq!(
        schemas(&n)["A"]["properties"],
        json!({"$ref": {"type": "string"}})
    );
    assert!(n.rewrites.is_empty());
}

#[test]
fn duplicate_operation_id_names_both_operations() {
    assert_eq!(
        spec_error(
            "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n\
             \x20 /a: {get: {operationId: same, responses: {'200': {description: ok}}}}\n\
             \x20 /b: {post: {operationId: same, responses: {'200': {description: ok}}}}\n"
        ),
        (
            "/paths/~1b/post".to_owned(),
            "duplicate operationId \"same\": used at #/paths/~1a/get and at #/paths/~1b/post"
                .to_owned()
        )
    );
}

// ---------------------------------------------------------------------------------------
// OpenAPI 3.0 pass-through

#[test]
fn openapi_3_0_passes_through_with_the_version_set() {
    let text = "openapi: 3.0.1\ninfo: {title: t, version: '1'}\nservers: [{url: 'https://h/api'}]\n\
                paths:\n  /a:\n    get:\n      operationId: a\n\
                \x20     parameters: [{name: q, in: query, style: form, explode: false, schema: {type: array, items: {type: string}}}]\n\
                \x20     responses: {'200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/A'}}}}}\n\
                components:\n  schemas:\n    A: {type: object, nullable: true, properties: {n: {type: integer, minimum: 0, exclusiveMinimum: true}}}\n";
    let loaded = load(text);
    let n = normalize(&loaded).unwrap();
    let mut expected = loaded.doc.clone();
    expected["openapi"] = json!("3.0.3");
    assert_eq!(n.doc, expected);
    assert!(n.rewrites.is_empty(), "{:?}", n.rewrites);
}

// ---------------------------------------------------------------------------------------
// Swagger 2.0 -> 3.0

const SWAGGER: &str = r##"
swagger: '2.0'
info: {title: T, version: '2'}
host: console.example.com
basePath: /api/v2/
schemes: [https]
consumes: [application/json]
produces: [application/json]
x-top: 1
securityDefinitions:
  key: {type: apiKey, name: x-api-key, in: header, description: API key}
  basic: {type: basic}
  oauth: {type: oauth2, flow: accessCode, authorizationUrl: 'https://a', tokenUrl: 'https://t', scopes: {read: r}}
security: [{key: []}]
parameters:
  limit: {name: limit, in: query, type: integer, default: 10}
  body: {name: body, in: body, required: true, schema: {$ref: '#/definitions/Pet'}}
responses:
  NotFound: {description: missing, schema: {$ref: '#/definitions/Error'}}
definitions:
  Pet:
    type: object
    discriminator: kind
    required: [name]
    properties:
      name: {type: string, x-nullable: true}
      kind: {type: string}
      owner: {$ref: '#/definitions/Pet', x-nullable: true, description: the owner}
      tags: {type: [string, 'null']}
      photo: {type: file}
  Error: {type: object, properties: {message: {type: string}}}
paths:
  /pets/{id}:
    parameters:
      - {name: id, in: path, required: true, type: string}
    get:
      operationId: pets_get
      tags: [pets]
      produces: [application/json, application/xml]
      parameters:
        - $ref: '#/parameters/limit'
        - {name: ids, in: query, type: array, items: {type: string}}
        - {name: all, in: query, type: array, items: {type: integer}, collectionFormat: multi}
        - {name: sp, in: query, type: array, items: {type: string}, collectionFormat: ssv}
        - {name: pi, in: query, type: array, items: {type: string}, collectionFormat: pipes}
        - {name: X-Trace, in: header, type: array, items: {type: string}, collectionFormat: csv}
      responses:
        '200':
          description: ok
          schema: {$ref: '#/definitions/Pet'}
          headers:
            X-Rate: {type: integer, description: left}
          examples:
            application/json: {name: rex}
        '404': {$ref: '#/responses/NotFound'}
        x-resp: 1
    put:
      operationId: pets_put
      parameters:
        - $ref: '#/parameters/body'
      responses:
        '204': {description: done}
        '404': {$ref: '#/responses/NotFound'}
  /pets/{id}/photo:
    post:
      operationId: pets_photo
      consumes: [multipart/form-data]
      parameters:
        - {name: id, in: path, required: true, type: string}
        - {name: file, in: formData, type: file, required: true, description: the photo}
        - {name: labels, in: formData, type: array, items: {type: string}, collectionFormat: csv}
      responses:
        '200': {description: ok, schema: {type: file}}
    patch:
      operationId: pets_patch
      consumes: [application/merge-patch+json]
      parameters:
        - {name: id, in: path, required: true, type: string}
        - $ref: '#/parameters/body'
      responses:
        default: {description: error}
"##;

#[test]
fn swagger_document_is_converted_to_openapi_3_0() {
    let n = norm(SWAGGER);
    let pet_ref = json!({"$ref": "#/components/schemas/Pet"});
    let expected = json!({
        "openapi": "3.0.3",
        "info": {"title": "T", "version": "2"},
        "servers": [{"url": "https://console.example.com/api/v2"}],
        "security": [{"key": []}],
        "x-top": 1,
        "paths": {
            "/pets/{id}": {
                "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
                "get": {
                    "operationId": "pets_get",
                    "tags": ["pets"],
                    "parameters": [
                        {"$ref": "#/components/parameters/limit"},
                        {"name": "ids", "in": "query", "schema": {"type": "array", "items": {"type": "string"}},
                         "style": "form", "explode": false},
                        {"name": "all", "in": "query", "schema": {"type": "array", "items": {"type": "integer"}},
                         "style": "form", "explode": true},
                        {"name": "sp", "in": "query", "schema": {"type": "array", "items": {"type": "string"}},
                         "style": "spaceDelimited", "explode": false},
                        {"name": "pi", "in": "query", "schema": {"type": "array", "items": {"type": "string"}},
                         "style": "pipeDelimited", "explode": false},
                        {"name": "X-Trace", "in": "header", "schema": {"type": "array", "items": {"type": "string"}}},
                    ],
                    "responses": {
                        "200": {
                            "description": "ok",
                            "headers": {"X-Rate": {"description": "left", "schema": {"type": "integer"}}},
                            "content": {
                                "application/json": {"schema": pet_ref, "example": {"name": "rex"}},
                                "application/xml": {"schema": pet_ref},
                            },
                        },
                        // This operation produces XML too, so it gets its own copy.
                        "404": {
                            "description": "missing",
                            "content": {
                                "application/json": {"schema": {"$ref": "#/components/schemas/Error"}},
                                "application/xml": {"schema": {"$ref": "#/components/schemas/Error"}},
                            },
                        },
                        "x-resp": 1,
                    },
                },
                "put": {
                    "operationId": "pets_put",
                    "requestBody": {"$ref": "#/components/requestBodies/body"},
                    "responses": {
                        "204": {"description": "done"},
                        "404": {"$ref": "#/components/responses/NotFound"},
                    },
                },
            },
            "/pets/{id}/photo": {
                "post": {
                    "operationId": "pets_photo",
                    "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
                    "requestBody": {
                        "required": true,
                        "content": {"multipart/form-data": {
                            "schema": {
                                "type": "object",
                                "properties": {
                                    "file": {"type": "string", "format": "binary", "description": "the photo"},
                                    "labels": {"type": "array", "items": {"type": "string"}},
                                },
                                "required": ["file"],
                            },
                            "encoding": {"labels": {"style": "form", "explode": false}},
                        }},
                    },
                    "responses": {"200": {"description": "ok", "content": {
                        "application/json": {"schema": {"type": "string", "format": "binary"}},
                    }}},
                },
                "patch": {
                    "operationId": "pets_patch",
                    "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
                    // Another media type than the document's, so a copy instead of a reference.
                    "requestBody": {
                        "required": true,
                        "content": {"application/merge-patch+json": {"schema": pet_ref}},
                        "x-codegen-request-body-name": "body",
                    },
                    "responses": {"default": {"description": "error"}},
                },
            },
        },
        "components": {
            "schemas": {
                "Pet": {
                    "type": "object",
                    "discriminator": {"propertyName": "kind"},
                    "required": ["name"],
                    "properties": {
                        "name": {"type": "string", "nullable": true},
                        "kind": {"type": "string"},
                        "owner": {"allOf": [pet_ref], "nullable": true, "description": "the owner"},
                        "tags": {"type": "string", "nullable": true},
                        "photo": {"type": "string", "format": "binary"},
                    },
                },
                "Error": {"type": "object", "properties": {"message": {"type": "string"}}},
            },
            "parameters": {
                "limit": {"name": "limit", "in": "query", "schema": {"type": "integer", "default": 10}},
            },
            "requestBodies": {
                "body": {
                    "required": true,
                    "content": {"application/json": {"schema": pet_ref}},
                    "x-codegen-request-body-name": "body",
                },
            },
            "responses": {
                "NotFound": {"description": "missing", "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/Error"}},
                }},
            },
            "securitySchemes": {
                "key": {"type": "apiKey", "name": "x-api-key", "in": "header", "description": "API key"},
                "basic": {"type": "http", "scheme": "basic"},
                "oauth": {"type": "oauth2", "flows": {"authorizationCode": {
                    "authorizationUrl": "https://a", "tokenUrl": "https://t", "scopes": {"read": "r"},
                }}},
            },
        },
    });
    assert_eq!(n.doc, expected);
    assert_eq!(
        counts(&n),
        BTreeMap::from([
            (kind::REF_RETARGETED, 9),
            (kind::BODY_PARAMETER, 2),
            (kind::COLLECTION_FORMAT, 6),
            (kind::COMPONENT_COPIED, 2),
            (kind::DEFINITION, 2),
            (kind::DISCRIMINATOR, 1),
            (kind::FORM_PARAMETERS, 1),
            (kind::SERVERS, 1),
            (kind::PARAMETER_SCHEMA, 9),
            (kind::RESPONSE_EXAMPLE, 1),
            (kind::RESPONSE_CONTENT, 4),
            (kind::HEADER_SCHEMA, 1),
            (kind::REF_SIBLINGS, 1),
            (kind::SECURITY_SCHEME, 3),
            (kind::TYPE_FILE, 3),
            (kind::TYPE_LIST_NULL, 1),
            (kind::X_NULLABLE, 2),
        ])
    );
    let api = parse(Path::new(FILE), n.doc).unwrap();
    assert_eq!(api.operations().count(), 4);
}

#[test]
fn swagger_path_level_body_and_url_encoded_forms() {
    let n = norm(
        "swagger: '2.0'\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n\
         \x20   parameters: [{name: b, in: body, schema: {type: object}}]\n\
         \x20   put: {responses: {'200': {description: ok}}}\n\
         \x20 /b:\n    post:\n      parameters: [{name: f, in: formData, type: string, required: false}]\n\
         \x20     responses: {'200': {description: ok}}\n",
    );
    assert_eq!(
        n.doc["paths"],
        json!({
            "/a": {"put": {
                "requestBody": {"content": {"application/json": {"schema": {"type": "object"}}},
                                "x-codegen-request-body-name": "b"},
                "responses": {"200": {"description": "ok"}},
            }},
            "/b": {"post": {
                "requestBody": {"content": {"application/x-www-form-urlencoded": {"schema": {
                    "type": "object", "properties": {"f": {"type": "string"}},
                }}}},
                "responses": {"200": {"description": "ok"}},
            }},
        })
    );
}

#[test]
fn swagger_extensions_and_x_nullable_follow_their_parameter() {
    let n = norm(
        "swagger: '2.0'\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    post:\n\
         \x20     parameters:\n\
         \x20       - {name: q, in: query, type: array, x-nullable: true, x-q: 1, items: {type: string, x-i: 2}}\n\
         \x20       - {name: f, in: formData, type: string, x-f: 3, x-nullable: true}\n\
         \x20     responses: {'200': {description: ok}}\n",
    );
    let post = &n.doc["paths"]["/a"]["post"];
    assert_eq!(
        post["parameters"][0],
        json!({
            "name": "q", "in": "query", "x-q": 1, "style": "form", "explode": false,
            "schema": {"type": "array", "nullable": true, "items": {"type": "string", "x-i": 2}},
        })
    );
    assert_eq!(
        post["requestBody"]["content"]["application/x-www-form-urlencoded"]["schema"]["properties"],
        json!({"f": {"type": "string", "nullable": true, "x-f": 3}})
    );
    assert_eq!(n.rewrites[kind::X_NULLABLE], 2);
}

#[test]
fn swagger_parameter_errors_point_into_the_swagger_document() {
    let doc = |params: &str| {
        format!(
            "swagger: '2.0'\ninfo: {{title: t, version: '1'}}\npaths:\n  /a:\n    post:\n\
             \x20     parameters: {params}\n      responses: {{'200': {{description: ok}}}}\n"
        )
    };
    assert_eq!(
        spec_error(&doc(
            "[{name: a, in: body, schema: {}}, {name: b, in: body, schema: {}}]"
        )),
        (
            "/paths/~1a/post/parameters/1".to_owned(),
            "a second body parameter (the first is at #/paths/~1a/post/parameters/0); an \
             operation has at most one"
                .to_owned()
        )
    );
    assert_eq!(
        spec_error(&doc(
            "[{name: a, in: body, schema: {}}, {name: b, in: formData, type: string}]"
        )),
        (
            "/paths/~1a/post".to_owned(),
            "the operation has both a body parameter and formData parameters; Swagger 2.0 \
             allows only one of them"
                .to_owned()
        )
    );
    assert_eq!(
        spec_error(&doc(
            "[{name: a, in: query, type: array, collectionFormat: tabs}]"
        )),
        (
            "/paths/~1a/post/parameters/0/collectionFormat".to_owned(),
            "unknown collectionFormat \"tabs\"; expected csv, ssv, tsv, pipes or multi".to_owned()
        )
    );
    assert_eq!(
        spec_error(&doc("[{in: query, type: string}]")),
        (
            "/paths/~1a/post/parameters/0".to_owned(),
            "a parameter needs a `name`".to_owned()
        )
    );
    assert_eq!(
        spec_error(&doc("[{name: b, in: body}]")),
        (
            "/paths/~1a/post/parameters/0".to_owned(),
            "a body parameter needs a `schema`".to_owned()
        )
    );
    assert_eq!(
        spec_error(&doc("{a: 1}")),
        (
            "/paths/~1a/post/parameters".to_owned(),
            "`parameters` must be a list, found a mapping".to_owned()
        )
    );
}

#[test]
fn swagger_errors_in_definitions_use_swagger_pointers() {
    assert_eq!(
        spec_error(
            "swagger: '2.0'\ninfo: {title: t, version: '1'}\npaths: {}\n\
             definitions:\n  A: {properties: {b: {type: [1]}}}\n"
        ),
        (
            "/definitions/A/properties/b/type/0".to_owned(),
            "a type list holds type names, found a number".to_owned()
        )
    );
    assert_eq!(
        spec_error(
            "swagger: '2.0'\ninfo: {title: t, version: '1'}\npaths: {}\n\
             parameters: {P: {name: p, in: query, type: string}}\n\
             definitions:\n  A: {properties: {b: {$ref: '#/parameters/P'}}}\n"
        ),
        (
            "/definitions/A/properties/b/$ref".to_owned(),
            "a schema's $ref must point to a schema (#/definitions/...), not \"#/parameters/P\""
                .to_owned()
        )
    );
}

#[test]
fn swagger_invalid_null_types_are_coped_with() {
    let n = norm(
        "swagger: '2.0'\ninfo: {title: t, version: '1'}\npaths: {}\ndefinitions:\n\
         \x20 N: {type: 'null'}\n  S: {type: [object, 'null'], x-nullable: false}\n",
    );
    assert_eq!(
        schemas(&n),
        &json!({"N": {"nullable": true}, "S": {"type": "object", "nullable": true}})
    );
}

#[test]
fn swagger_servers_without_host() {
    let n = norm("swagger: '2.0'\ninfo: {title: t, version: '1'}\nbasePath: /v1\npaths: {}\n");
    assert_eq!(n.doc["servers"], json!([{"url": "/v1"}]));
    let n = norm(
        "swagger: '2.0'\ninfo: {title: t, version: '1'}\nhost: h:8080\nschemes: [http, https]\npaths: {}\n",
    );
    assert_eq!(
        n.doc["servers"],
        json!([{"url": "http://h:8080"}, {"url": "https://h:8080"}])
    );
}

// ---------------------------------------------------------------------------------------
// parse

#[test]
fn parse_errors_carry_a_pointer_into_the_normalized_document() {
    let n = norm(
        "openapi: 3.0.0\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      responses: {'200': {}}\n",
    );
    let err = parse(Path::new(FILE), n.doc).unwrap_err();
    let Error::Spec {
        pointer, message, ..
    } = &err
    else {
        panic!("{err:?}");
    };
    assert_eq!(pointer, "/paths/~1a/get/responses/200");
    assert_eq!(
        message,
        "not a valid OpenAPI 3.0 document: missing field `description` (pointer into the \
         normalized document)"
    );
}

// ---------------------------------------------------------------------------------------
// robustness

#[test]
fn normalization_is_deterministic() {
    let a = norm(SWAGGER);
    let b = norm(SWAGGER);
    assert_eq!(
        serde_json::to_string(&a.doc).unwrap(),
        serde_json::to_string(&b.doc).unwrap()
    );
    assert_eq!(a.rewrites, b.rewrites);
}

/// Every node of two sample documents replaced in turn by values of every JSON kind: the
/// stages may reject the result, but must not panic.
#[test]
fn no_panic_on_malformed_documents() {
    let swagger = load(SWAGGER).doc;
    let oas = load(&oas31(
        "    A: {anyOf: [{$ref: '#/components/schemas/B'}, {type: 'null'}], const: 1}\n\
         \x20   B: {type: [string, 'null'], properties: {c: {$ref: '#/components/schemas/A/anyOf/0'}}}\n",
    ))
    .doc;
    let replacements = [
        json!(null),
        json!(7),
        json!("x"),
        json!([]),
        json!([1, {}]),
        json!({}),
        json!(true),
        json!({"$ref": "#/nowhere"}),
        json!({"$ref": 3}),
        json!({"type": ["null"]}),
    ];
    let mut runs = 0;
    for (format, base) in [
        (SourceFormat::Swagger2, &swagger),
        (SourceFormat::OpenApi31, &oas),
    ] {
        let mut pointers = Vec::new();
        collect_pointers(base, String::new(), &mut pointers);
        for pointer in &pointers {
            for replacement in &replacements {
                let mut doc = base.clone();
                *doc.pointer_mut(pointer).unwrap() = replacement.clone();
                let loaded = Loaded {
                    file: FILE.into(),
                    format,
                    version: String::new(),
                    doc,
                };
                if let Ok(n) = normalize(&loaded) {
                    let _ = parse(Path::new(FILE), n.doc);
                }
                runs += 1;
            }
        }
    }
    assert!(runs > 1000, "{runs}");
}

fn collect_pointers(value: &Value, at: String, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                let child = format!("{at}/{}", k.replace('~', "~0").replace('/', "~1"));
                out.push(child.clone());
                collect_pointers(v, child, out);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                let child = format!("{at}/{i}");
                out.push(child.clone());
                collect_pointers(v, child, out);
            }
        }
        _ => {}
    }
}
