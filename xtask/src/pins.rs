//! The pins of `specs/pins.toml`: which published spec files the clients are generated from,
//! where to get each one, and the sha256 its bytes must have.

use std::collections::HashSet;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;

/// Location of the pins file, relative to the workspace root.
pub const PINS_FILE: &str = "specs/pins.toml";

/// One pinned spec file.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pin {
    /// Short name of the API (`v1`, `v2`, `insights`).
    pub name: String,
    /// File name under `specs/fetched/`, and the name looked up in a `--from` directory.
    pub file: String,
    /// Commit of the source repository that `url` points into.
    pub commit: String,
    /// Immutable download URL of exactly the pinned bytes.
    pub url: String,
    /// Where the publisher serves the current version; informational, it moves over time.
    pub published_url: String,
    /// Lowercase hex sha256 of the pinned bytes.
    pub sha256: String,
}

/// The whole pins file, in file order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pins {
    /// File the pins were read from, for error messages.
    pub origin: PathBuf,
    /// The pinned specs, in the order the file lists them.
    pub specs: Vec<Pin>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PinsFile {
    #[serde(default)]
    spec: Vec<Pin>,
}

/// A pins file that cannot be read or is not valid.
#[derive(Debug)]
pub struct PinsError {
    /// The pins file.
    pub path: PathBuf,
    /// What is wrong with it.
    pub message: String,
}

impl fmt::Display for PinsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path.display(), self.message)
    }
}

impl std::error::Error for PinsError {}

/// Reads and validates `specs/pins.toml` of the workspace at `workspace_root`.
pub fn load(workspace_root: &Path) -> Result<Pins, PinsError> {
    load_file(&workspace_root.join(PINS_FILE))
}

/// Reads and validates a pins file at an arbitrary path.
pub fn load_file(path: &Path) -> Result<Pins, PinsError> {
    let text = std::fs::read_to_string(path).map_err(|e| PinsError {
        path: path.to_owned(),
        message: format!("cannot read the pins file: {e}"),
    })?;
    parse(&text, path)
}

/// Parses and validates the text of a pins file; `origin` is only used to name it in errors.
pub fn parse(text: &str, origin: &Path) -> Result<Pins, PinsError> {
    let err = |message: String| PinsError {
        path: origin.to_owned(),
        message,
    };
    let parsed: PinsFile =
        toml::from_str(text).map_err(|e| err(format!("not a valid pins file: {e}")))?;
    if parsed.spec.is_empty() {
        return Err(err("no [[spec]] entries".to_owned()));
    }
    let mut names = HashSet::new();
    let mut files = HashSet::new();
    for pin in &parsed.spec {
        validate(pin).map_err(|m| err(format!("spec `{}`: {m}", pin.name)))?;
        if !names.insert(pin.name.as_str()) {
            return Err(err(format!("spec name `{}` is listed twice", pin.name)));
        }
        if !files.insert(pin.file.as_str()) {
            return Err(err(format!("file `{}` is listed twice", pin.file)));
        }
    }
    Ok(Pins {
        origin: origin.to_owned(),
        specs: parsed.spec,
    })
}

fn validate(pin: &Pin) -> Result<(), String> {
    if pin.name.is_empty() {
        return Err("`name` is empty".to_owned());
    }
    // The file name becomes a path under specs/fetched/ and in the --from directory, so it must
    // not be able to climb out of them or hide among the staging directories.
    let plain = !pin.file.is_empty()
        && !pin.file.starts_with('.')
        && !pin.file.contains(['/', '\\', ':'])
        && !pin.file.chars().any(char::is_control);
    if !plain {
        return Err(format!(
            "`file` = {:?} is not a plain file name (no directories, no leading dot)",
            pin.file
        ));
    }
    if !is_lower_hex(&pin.sha256, 64) {
        return Err(format!(
            "`sha256` = {:?} is not 64 lowercase hex digits",
            pin.sha256
        ));
    }
    if !is_lower_hex(&pin.commit, 40) {
        return Err(format!(
            "`commit` = {:?} is not a full 40-digit lowercase commit id",
            pin.commit
        ));
    }
    if !(pin.url.starts_with("https://") || pin.url.starts_with("http://")) {
        return Err(format!("`url` = {:?} is not an http(s) URL", pin.url));
    }
    // A URL that does not name the pinned commit could serve different bytes tomorrow; the
    // hash would catch that, but only after the pin has become unusable.
    if !pin.url.split('/').any(|segment| segment == pin.commit) {
        return Err(format!(
            "`url` = {:?} does not contain the pinned commit {} as a path segment",
            pin.url, pin.commit
        ));
    }
    if !(pin.published_url.starts_with("https://") || pin.published_url.starts_with("http://")) {
        return Err(format!(
            "`published_url` = {:?} is not an http(s) URL",
            pin.published_url
        ));
    }
    Ok(())
}

fn is_lower_hex(s: &str, len: usize) -> bool {
    s.len() == len && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}
