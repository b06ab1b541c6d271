//! `specs/pins.toml` and the validation of pins files.

use std::path::Path;

use xtask::pins;

const COMMIT: &str = "2d46aa0b0f3ec1e04daba98f9d254f6cf53ec4cd";

fn entry(name: &str, file: &str, url: &str, sha256: &str) -> String {
    format!(
        "[[spec]]\nname = \"{name}\"\nfile = \"{file}\"\ncommit = \"{COMMIT}\"\nurl = \"{url}\"\n\
         published_url = \"https://example.invalid/{name}.yaml\"\nsha256 = \"{sha256}\"\n\n"
    )
}

fn good_url(file: &str) -> String {
    format!("https://mirror.invalid/{COMMIT}/{file}")
}

const HASH: &str = "0909f0cf594d3e3d75f7a7c12a802a0da29b01f4bed4138e0e054912896adcea";

fn parse_err(text: &str) -> String {
    pins::parse(text, Path::new("test-pins.toml"))
        .expect_err("invalid pins")
        .to_string()
}

#[test]
fn workspace_pins_name_the_three_published_specs() {
    let root = xtask::workspace_root();
    let loaded = pins::load(&root).expect("specs/pins.toml is valid");
    assert_eq!(loaded.origin, root.join(pins::PINS_FILE));
    let summary: Vec<(&str, &str, &str)> = loaded
        .specs
        .iter()
        .map(|p| (p.name.as_str(), p.file.as_str(), p.sha256.as_str()))
        .collect();
    assert_eq!(
        summary,
        [
            (
                "v1",
                "v1.yaml",
                "e7842801988f4671d556af271deec5befadc93308885b425e03882e2448a0aa1"
            ),
            (
                "v2",
                "v2.yaml",
                "53871f5e51ca4c36189ffca656f96501a770f404b2b2682d783478991bc2e6f8"
            ),
            (
                "insights",
                "insights.yaml",
                "0909f0cf594d3e3d75f7a7c12a802a0da29b01f4bed4138e0e054912896adcea"
            ),
        ]
    );
    for pin in &loaded.specs {
        assert_eq!(pin.commit, COMMIT);
        assert!(
            pin.url.starts_with(&format!(
                "https://raw.githubusercontent.com/TheJumpCloud/jumpcloud-docs-public/{COMMIT}/docs/api/"
            )),
            "{}",
            pin.url
        );
        assert!(pin.url.ends_with("/index.yaml"), "{}", pin.url);
        assert!(
            pin.published_url
                .starts_with("https://docs.jumpcloud.com/api/"),
            "{}",
            pin.published_url
        );
    }
}

#[test]
fn valid_minimal_file_parses() {
    let text = entry("a", "a.yaml", &good_url("a.yaml"), HASH);
    let parsed = pins::parse(&text, Path::new("x.toml")).expect("valid");
    assert_eq!(parsed.specs.len(), 1);
    assert_eq!(parsed.specs[0].file, "a.yaml");
}

#[test]
fn errors_name_the_file_and_the_problem() {
    let cases = [
        (String::new(), "no [[spec]] entries"),
        ("[[spec]\n".to_owned(), "not a valid pins file"),
        (
            entry("a", "a.yaml", &good_url("a.yaml"), HASH).replace("sha256", "sha"),
            "not a valid pins file",
        ),
        (
            entry("a", "../a.yaml", &good_url("a.yaml"), HASH),
            "is not a plain file name",
        ),
        (
            entry("a", ".staging-x", &good_url("a.yaml"), HASH),
            "is not a plain file name",
        ),
        (
            entry("a", "a.yaml", &good_url("a.yaml"), &HASH.to_uppercase()),
            "is not 64 lowercase hex digits",
        ),
        (
            entry("a", "a.yaml", &good_url("a.yaml"), &HASH[1..]),
            "is not 64 lowercase hex digits",
        ),
        (
            entry("a", "a.yaml", "ftp://mirror.invalid/a.yaml", HASH),
            "is not an http(s) URL",
        ),
        (
            entry("a", "a.yaml", "https://mirror.invalid/main/a.yaml", HASH),
            "does not contain the pinned commit",
        ),
        (
            entry("a", "a.yaml", &good_url("a.yaml"), HASH)
                + &entry("a", "b.yaml", &good_url("b.yaml"), HASH),
            "spec name `a` is listed twice",
        ),
        (
            entry("a", "a.yaml", &good_url("a.yaml"), HASH)
                + &entry("b", "a.yaml", &good_url("b.yaml"), HASH),
            "file `a.yaml` is listed twice",
        ),
    ];
    for (text, expected) in cases {
        let message = parse_err(&text);
        assert!(
            message.starts_with("test-pins.toml: "),
            "file not named: {message}"
        );
        assert!(message.contains(expected), "{expected:?} not in: {message}");
    }
}

#[test]
fn unreadable_file_is_named() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("absent.toml");
    let message = pins::load_file(&path).expect_err("absent").to_string();
    assert!(message.contains(&path.display().to_string()), "{message}");
}
