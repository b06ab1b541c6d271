//! `cargo xtask update-specs`: moves the pins to the specs JumpCloud publishes now.
//!
//! 1. Obtains every pinned spec anew: from the pin's `published_url`, or from a local directory
//!    holding the files under their pinned names (`--from DIR`). The bytes are staged in a
//!    temporary directory inside `specs/fetched/`.
//! 2. Diffs each spec whose sha256 changed against the currently fetched (pinned) one, with the
//!    project's overlays applied to both, and prints the semantic report.
//! 3. Moves the new files into `specs/fetched/` and regenerates the crates with
//!    [`crate::generate::run`]; if generation fails, the previous files are put back.
//! 4. Rewrites the `sha256` of each moved pin in `specs/pins.toml`, adds a section to each
//!    affected crate's `CHANGELOG.md`, and suggests the version bump.
//!
//! Nothing in the workspace is written when obtaining a file, diffing or generating fails: the
//! pins text and the changelogs are prepared in memory first, the crates are only written by
//! `generate::run` once every crate has been generated, and the fetched specs are restored
//! when that fails.
//!
//! # The pin's `commit` and `url`
//!
//! A pin's `url` names a commit of JumpCloud's docs repository, so that its bytes never change.
//! Neither `published_url` nor a local directory says which commit published the bytes, so:
//!
//! - with `--commit SHA`, `commit` and the commit in `url` move to `SHA`; when downloading,
//!   the file at the new `url` is downloaded as well and must have the published bytes;
//! - without it, `commit` and `url` keep naming the previous commit and a comment above the
//!   entry says so. `fetch-specs --from DIR` works as before (it checks hashes only), while
//!   `fetch-specs` from the URLs refuses the stale URL with a sha256 mismatch until the
//!   maintainer moves the commit (specs/README.md, "Moving a pin"). A stale URL therefore
//!   never yields other bytes than the pinned ones unnoticed.

use std::fmt;
use std::fs;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use codegen::diff::{Format, Report};

use crate::fetch::{self, FETCHED_DIR, MAX_SPEC_BYTES};
use crate::generate::{self, GenerateError, OVERLAY_DIR, TARGETS};
use crate::pins::{self, PINS_FILE, Pin, PinsError};

/// Name of the changelog kept in each client crate.
pub const CHANGELOG: &str = "CHANGELOG.md";

/// First line of the comment `update-specs` puts above a pin whose commit it could not move.
const STALE_COMMIT_NOTE: &str = "# update-specs: `sha256` moved without a known commit";

/// How `update-specs` is asked to run.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Take the new files from this directory (pinned file names), or from a dated set such as
    /// `../shared/specs/history/2026-07-02` (files `2026-07-02_v1.yaml`, ...), instead of downloading each
    /// pin's `published_url`.
    pub from: Option<PathBuf>,
    /// The commit of the docs repository that published the new files; moves `commit` and
    /// `url` of every pin.
    pub commit: Option<String>,
    /// Print the diffs, write nothing.
    pub dry_run: bool,
    /// Passed on to the generation summary.
    pub verbose: bool,
}

/// A version bump, smallest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Bump {
    /// Nothing to release.
    None,
    /// `x.y.Z`.
    Patch,
    /// `x.Y.0`.
    Minor,
    /// `X.0.0`.
    Major,
}

impl Bump {
    /// The bump a report calls for, for a crate at `version`: breaking changes need a new
    /// major version (a new minor one below 1.0); additions a new minor (a patch below 1.0);
    /// a republished spec without API changes (documentation only) a patch.
    pub fn for_report(report: &Report, version: &Version) -> Bump {
        let pre_1 = version.major == 0;
        if report.is_breaking() {
            if pre_1 { Bump::Minor } else { Bump::Major }
        } else if report.is_empty() || pre_1 {
            Bump::Patch
        } else {
            Bump::Minor
        }
    }

    fn word(self) -> &'static str {
        match self {
            Bump::None => "none",
            Bump::Patch => "patch",
            Bump::Minor => "minor",
            Bump::Major => "major",
        }
    }

    fn from_word(word: &str) -> Option<Bump> {
        [Bump::None, Bump::Patch, Bump::Minor, Bump::Major]
            .into_iter()
            .find(|b| b.word() == word)
    }
}

impl fmt::Display for Bump {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.word())
    }
}

/// A `MAJOR.MINOR.PATCH` version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Version {
    /// Major.
    pub major: u64,
    /// Minor.
    pub minor: u64,
    /// Patch.
    pub patch: u64,
}

impl Version {
    /// Parses `1.2.3`; pre-release and build suffixes are not supported.
    pub fn parse(text: &str) -> Option<Version> {
        let mut parts = text.trim().split('.').map(|p| p.parse::<u64>().ok());
        let v = Version {
            major: parts.next()??,
            minor: parts.next()??,
            patch: parts.next()??,
        };
        parts.next().is_none().then_some(v)
    }

    /// The version after `bump`.
    pub fn bumped(self, bump: Bump) -> Version {
        match bump {
            Bump::None => self,
            Bump::Patch => Version {
                patch: self.patch + 1,
                ..self
            },
            Bump::Minor => Version {
                minor: self.minor + 1,
                patch: 0,
                ..self
            },
            Bump::Major => Version {
                major: self.major + 1,
                minor: 0,
                patch: 0,
            },
        }
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

/// What happened to one pinned spec.
#[derive(Debug)]
pub struct SpecUpdate {
    /// Pin name (`v2`).
    pub name: String,
    /// Crate directory, relative to the workspace root.
    pub crate_dir: String,
    /// The pinned sha256.
    pub old_sha256: String,
    /// The sha256 of the new bytes.
    pub new_sha256: String,
    /// The semantic diff, when the bytes changed.
    pub report: Option<Report>,
    /// The crate's current version.
    pub version: Version,
    /// What this update calls for.
    pub bump: Bump,
}

/// What `update-specs` did.
#[derive(Debug, Default)]
pub struct Outcome {
    /// One entry per pin, in pin order.
    pub specs: Vec<SpecUpdate>,
    /// Files written (specs, crate sources, pins, changelogs), relative to the root.
    pub written: Vec<PathBuf>,
    /// The generation, when it ran.
    pub generation: Option<generate::Outcome>,
    /// Whether anything in the workspace changed.
    pub changed: bool,
}

impl Outcome {
    /// The largest bump any crate needs. The client crates share the workspace version, so
    /// this is the one to release with.
    pub fn bump(&self) -> Bump {
        self.specs
            .iter()
            .map(|s| s.bump)
            .max()
            .unwrap_or(Bump::None)
    }
}

/// A failure of `update-specs`; the workspace is as it was.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum UpdateError {
    /// The pins file is missing or invalid.
    #[error(transparent)]
    Pins(#[from] PinsError),
    /// A pin has no crate to generate.
    #[error("pin `{0}` has no generated crate (xtask::generate::TARGETS)")]
    UnknownPin(String),
    /// `--commit` is not a commit id, or a pin's `url` does not contain its commit.
    #[error("{0}")]
    Invalid(String),
    /// A new file could not be obtained.
    #[error("{source_desc}: {message}")]
    Obtain {
        /// The path or URL.
        source_desc: String,
        /// What went wrong.
        message: String,
    },
    /// The currently fetched spec is missing or is not the pinned one.
    #[error("{path}: {message}; run `cargo xtask fetch-specs` first")]
    NotFetched {
        /// The fetched file.
        path: PathBuf,
        /// What is wrong with it.
        message: String,
    },
    /// Diffing failed (the new spec does not load, or an overlay no longer applies).
    #[error(transparent)]
    Codegen(#[from] codegen::Error),
    /// Generation failed; the fetched specs were restored.
    #[error("generation failed, the previous specs are back in specs/fetched/: {0}")]
    Generate(GenerateError),
    /// A file of the workspace could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: io::Error,
    },
    /// A version could not be read.
    #[error("{}: {message}", path.display())]
    Version {
        /// The manifest.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> UpdateError + '_ {
    move |source| UpdateError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Runs `update-specs` on the workspace at `root`, writing progress (the diffs, the generation
/// summaries, the suggestion) to `out`. `agent` downloads the published specs when
/// [`Options::from`] is not set.
pub fn run(
    root: &Path,
    options: &Options,
    agent: &ureq::Agent,
    out: &mut dyn Write,
) -> Result<Outcome, UpdateError> {
    let pins = pins::load(root)?;
    let is_commit =
        |c: &str| c.len() == 40 && c.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    if let Some(commit) = options.commit.as_deref().filter(|c| !is_commit(c)) {
        return Err(UpdateError::Invalid(format!(
            "--commit {commit:?} is not a full 40-digit lowercase commit id"
        )));
    }
    let fetched = root.join(FETCHED_DIR);
    let mut current = Vec::new();
    for pin in &pins.specs {
        let target = TARGETS
            .iter()
            .find(|t| t.name == pin.name)
            .ok_or_else(|| UpdateError::UnknownPin(pin.name.clone()))?;
        let path = fetched.join(&pin.file);
        let bytes = match fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return Err(UpdateError::NotFetched {
                    path,
                    message: "no such file".to_owned(),
                });
            }
            Err(e) => return Err(UpdateError::Io { path, source: e }),
        };
        let sha = fetch::sha256_hex(&bytes);
        if sha != pin.sha256 {
            return Err(UpdateError::NotFetched {
                path,
                message: format!("sha256 {sha} is not the pinned {}", pin.sha256),
            });
        }
        current.push((pin, target, path));
    }

    // Staged inside specs/fetched/ so that moving the files into place is a rename on one file
    // system; the directory goes away on every return.
    let staging = tempfile::Builder::new()
        .prefix(".update-")
        .tempdir_in(&fetched)
        .map_err(io_err(&fetched))?;
    let mut updates = Vec::new();
    let mut staged = Vec::new();
    for (pin, target, current_path) in &current {
        let new_path = staging.path().join(&pin.file);
        let (bytes, source_desc) = obtain(pin, options, agent)?;
        fs::write(&new_path, &bytes).map_err(io_err(&new_path))?;
        let new_sha256 = fetch::sha256_hex(&bytes);
        let version = crate_version(root, target.crate_dir)?;
        let mut update = SpecUpdate {
            name: pin.name.clone(),
            crate_dir: target.crate_dir.to_owned(),
            old_sha256: pin.sha256.clone(),
            new_sha256: new_sha256.clone(),
            report: None,
            version,
            bump: Bump::None,
        };
        if new_sha256 == pin.sha256 {
            let _ = writeln!(out, "{}: unchanged (sha256 {new_sha256})", pin.name);
        } else {
            let overlay = root.join(OVERLAY_DIR).join(format!("{}.yaml", pin.name));
            let overlays: Vec<&Path> = if overlay.exists() {
                vec![overlay.as_path()]
            } else {
                Vec::new()
            };
            let mut report = codegen::diff::compare(
                &codegen::diff::load_ir(current_path, &overlays)?,
                &codegen::diff::load_ir(&new_path, &overlays)?,
            );
            report.old.file = Some(format!("{FETCHED_DIR}/{} (pinned)", pin.file));
            report.new.file = Some(source_desc);
            let _ = writeln!(out, "{}: sha256 {} -> {new_sha256}", pin.name, pin.sha256);
            let _ = write!(out, "{}", report.render(Format::Text));
            update.bump = Bump::for_report(&report, &version);
            update.report = Some(report);
            staged.push((pin.file.clone(), new_path));
        }
        updates.push(update);
    }

    let commit_moves = options
        .commit
        .as_deref()
        .is_some_and(|c| pins.specs.iter().any(|p| p.commit != c));
    let mut outcome = Outcome {
        specs: updates,
        ..Outcome::default()
    };
    if staged.is_empty() && !commit_moves {
        let _ = writeln!(out, "every spec matches its pin; nothing to do");
        return Ok(outcome);
    }
    suggest(&outcome, out);
    if options.dry_run {
        let _ = writeln!(out, "dry run: nothing written");
        return Ok(outcome);
    }

    // Everything that will be written is prepared before anything is.
    let pins_path = root.join(PINS_FILE);
    let pins_text = fs::read_to_string(&pins_path).map_err(io_err(&pins_path))?;
    let new_pins = update_pins_text(&pins_text, &outcome.specs, options)?;
    pins::parse(&new_pins, &pins_path)?;
    let mut changelogs = Vec::new();
    for update in &outcome.specs {
        let Some(report) = &update.report else {
            continue;
        };
        let path = root.join(&update.crate_dir).join(CHANGELOG);
        let existing = match fs::read_to_string(&path) {
            Ok(text) => Some(text),
            Err(e) if e.kind() == io::ErrorKind::NotFound => None,
            Err(e) => return Err(UpdateError::Io { path, source: e }),
        };
        let text = changelog_with_entry(existing.as_deref(), update, report, options);
        changelogs.push((path, text));
    }

    let (swapped, generation) = swap_and_generate(root, staging.path(), &staged, options.verbose)?;
    for report in &generation.reports {
        let _ = write!(out, "{report}");
    }
    let rel = |p: &Path| p.strip_prefix(root).unwrap_or(p).to_path_buf();
    outcome.written.extend(swapped.iter().map(|dest| rel(dest)));
    outcome
        .written
        .extend(generation.changed.iter().map(|p| rel(p)));
    outcome
        .written
        .extend(generation.stale.iter().map(|p| rel(p)));
    outcome.generation = Some(generation);

    // Limitation: the pins and changelogs are written after the crates; if one of these
    // writes fails (a full disk), the crates and fetched specs are already the new ones and
    // the error names the file that could not be written.
    write_atomic(&pins_path, new_pins.as_bytes())?;
    outcome.written.push(rel(&pins_path));
    for (path, text) in &changelogs {
        write_atomic(path, text.as_bytes())?;
        outcome.written.push(rel(path));
    }
    outcome.changed = true;
    if options.commit.is_none() && !staged.is_empty() {
        let _ = writeln!(
            out,
            "note: the new files' commit is unknown; `commit` and `url` of the moved pins still name the previous \
             commit (`fetch-specs` without --from will refuse them until you run update-specs with --commit SHA \
             or edit them, see specs/README.md)"
        );
    }
    let _ = writeln!(out, "update-specs: {} files written", outcome.written.len());
    Ok(outcome)
}

/// Moves the staged specs into `specs/fetched/` and regenerates the crates. On failure the
/// previous specs and crate sources are put back. Returns the replaced spec files.
fn swap_and_generate(
    root: &Path,
    staging: &Path,
    staged: &[(String, PathBuf)],
    verbose: bool,
) -> Result<(Vec<PathBuf>, generate::Outcome), UpdateError> {
    // `generate::run` generates every crate before writing any, but a write can still fail
    // half-way (a hand-written file found in the last crate, a full disk); the sources are
    // kept in memory (a few MB) to put every crate back as it was.
    let mut sources = Vec::new();
    for t in TARGETS {
        let src = root.join(t.crate_dir).join("src");
        let files = read_tree(&src)?;
        sources.push((src, files));
    }
    let fetched = root.join(FETCHED_DIR);
    let backup = staging.join(".previous");
    fs::create_dir(&backup).map_err(io_err(&backup))?;
    let mut swapped: Vec<(PathBuf, PathBuf)> = Vec::new();
    for (file, new_path) in staged {
        let dest = fetched.join(file);
        let keep = backup.join(file);
        let swap = fs::rename(&dest, &keep).and_then(|()| {
            fs::rename(new_path, &dest).inspect_err(|_| {
                let _ = fs::rename(&keep, &dest);
            })
        });
        if let Err(e) = swap {
            restore(&swapped);
            return Err(UpdateError::Io {
                path: dest,
                source: e,
            });
        }
        swapped.push((keep, dest));
    }
    match generate::run(root, false, verbose) {
        Ok(generation) => Ok((
            swapped.into_iter().map(|(_, dest)| dest).collect(),
            generation,
        )),
        Err(e) => {
            for (src, files) in &sources {
                restore_tree(src, files);
            }
            restore(&swapped);
            Err(UpdateError::Generate(e))
        }
    }
}

/// Puts the previous specs back after a failed generation. Best effort: the error that made
/// it necessary is the one reported.
fn restore(swapped: &[(PathBuf, PathBuf)]) {
    for (keep, dest) in swapped {
        let _ = fs::rename(keep, dest);
    }
}

/// Every file under `dir` with its bytes; an absent directory has none.
fn read_tree(dir: &Path) -> Result<Vec<(PathBuf, Vec<u8>)>, UpdateError> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries = match fs::read_dir(&d) {
            Ok(e) => e,
            Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
            Err(e) => return Err(UpdateError::Io { path: d, source: e }),
        };
        for entry in entries {
            let path = entry.map_err(io_err(&d))?.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let bytes = fs::read(&path).map_err(io_err(&path))?;
                files.push((path, bytes));
            }
        }
    }
    Ok(files)
}

/// Brings `dir` back to `files`: removes files that were not there and rewrites those that
/// changed, leaving the others (and their modification times) alone. Best effort, like
/// [`restore`].
fn restore_tree(dir: &Path, files: &[(PathBuf, Vec<u8>)]) {
    let Ok(now) = read_tree(dir) else { return };
    for (path, bytes) in &now {
        match files.iter().find(|(p, _)| p == path) {
            None => {
                let _ = fs::remove_file(path);
            }
            Some((_, old)) if old != bytes => {
                let _ = fs::write(path, old);
            }
            Some(_) => {}
        }
    }
    for (path, bytes) in files {
        if !now.iter().any(|(p, _)| p == path) {
            if let Some(parent) = path.parent() {
                let _ = fs::create_dir_all(parent);
            }
            let _ = fs::write(path, bytes);
        }
    }
}

fn suggest(outcome: &Outcome, out: &mut dyn Write) {
    let _ = writeln!(out, "semver suggestion:");
    for s in &outcome.specs {
        let why = match &s.report {
            None => "spec unchanged".to_owned(),
            Some(r) if r.is_breaking() => format!("{} breaking changes", r.summary.breaking),
            Some(r) if r.is_empty() => "spec republished without API changes".to_owned(),
            Some(r) => format!("{} changes, none breaking", r.summary.total),
        };
        let _ = writeln!(
            out,
            "  {:<20} {} -> {} ({}: {why})",
            s.crate_dir,
            s.version,
            s.version.bumped(s.bump),
            s.bump
        );
    }
    let bump = outcome.bump();
    if let Some(first) = outcome.specs.first() {
        let _ = writeln!(
            out,
            "  the client crates share the workspace version: release {} ({bump})",
            first.version.bumped(bump)
        );
    }
}

/// Where `--from` keeps a pin's file: `DIR/<file>` for a directory; for a path that is not a
/// directory, the dated set layout of the shared history (`history/2026-07-02` ->
/// `history/2026-07-02_v1.yaml`).
fn set_file(from: &Path, file: &str) -> PathBuf {
    if from.is_dir() {
        return from.join(file);
    }
    match (from.parent(), from.file_name()) {
        (Some(parent), Some(prefix)) => parent.join(format!("{}_{file}", prefix.to_string_lossy())),
        _ => from.join(file),
    }
}

/// The new bytes of one pin, and where they came from.
fn obtain(
    pin: &Pin,
    options: &Options,
    agent: &ureq::Agent,
) -> Result<(Vec<u8>, String), UpdateError> {
    if let Some(dir) = &options.from {
        let path = set_file(dir, &pin.file);
        let desc = path.display().to_string();
        let file = fs::File::open(&path).map_err(|e| UpdateError::Obtain {
            source_desc: desc.clone(),
            message: e.to_string(),
        })?;
        return Ok((read_limited(file, &desc)?, desc));
    }
    let bytes = download(agent, &pin.published_url)?;
    if let Some(commit) = &options.commit {
        let url = moved_url(pin, commit)?;
        let at_commit = download(agent, &url)?;
        if at_commit != bytes {
            return Err(UpdateError::Obtain {
                source_desc: url,
                message: format!(
                    "differs from what {} serves now (sha256 {} vs {}): commit {commit} did not publish this version",
                    pin.published_url,
                    fetch::sha256_hex(&at_commit),
                    fetch::sha256_hex(&bytes)
                ),
            });
        }
    }
    Ok((bytes, pin.published_url.clone()))
}

fn download(agent: &ureq::Agent, url: &str) -> Result<Vec<u8>, UpdateError> {
    let obtain_err = |message: String| UpdateError::Obtain {
        source_desc: format!("GET {url}"),
        message,
    };
    let response = agent.get(url).call().map_err(|e| match e {
        ureq::Error::StatusCode(status) => obtain_err(format!("HTTP status {status}")),
        other => obtain_err(other.to_string()),
    })?;
    read_limited(response.into_body().into_reader(), &format!("GET {url}"))
}

fn read_limited(reader: impl Read, desc: &str) -> Result<Vec<u8>, UpdateError> {
    let mut bytes = Vec::new();
    // One byte past the limit tells "exactly at the limit" from "over it".
    reader
        .take(MAX_SPEC_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| UpdateError::Obtain {
            source_desc: desc.to_owned(),
            message: e.to_string(),
        })?;
    if bytes.len() as u64 > MAX_SPEC_BYTES {
        return Err(UpdateError::Obtain {
            source_desc: desc.to_owned(),
            message: format!("larger than {MAX_SPEC_BYTES} bytes, refusing it as a spec file"),
        });
    }
    Ok(bytes)
}

/// The pin's `url` with its commit segment replaced.
fn moved_url(pin: &Pin, commit: &str) -> Result<String, UpdateError> {
    let segments: Vec<&str> = pin.url.split('/').collect();
    if !segments.contains(&pin.commit.as_str()) {
        return Err(UpdateError::Invalid(format!(
            "pin `{}`: `url` does not contain its commit {}",
            pin.name, pin.commit
        )));
    }
    Ok(segments
        .iter()
        .map(|s| if *s == pin.commit { commit } else { s })
        .collect::<Vec<_>>()
        .join("/"))
}

/// `specs/pins.toml` with the moved hashes (and, with `--commit`, commits and URLs), edited in
/// place so that its comments and layout stay.
pub fn update_pins_text(
    text: &str,
    updates: &[SpecUpdate],
    options: &Options,
) -> Result<String, UpdateError> {
    let pins = pins::parse(text, Path::new(PINS_FILE))?;
    let mut out = String::with_capacity(text.len() + 256);
    // Blocks start at each `[[spec]]`; the text before the first one is kept as it is.
    let mut blocks: Vec<Vec<&str>> = vec![Vec::new()];
    for line in text.split_inclusive('\n') {
        if line.trim() == "[[spec]]" {
            blocks.push(Vec::new());
        }
        if let Some(block) = blocks.last_mut() {
            block.push(line);
        }
    }
    for (i, block) in blocks.iter().enumerate() {
        let name = block.iter().find_map(|l| value_of(l, "name"));
        let pin = name.and_then(|n| pins.specs.iter().find(|p| p.name == n));
        let update = name.and_then(|n| updates.iter().find(|u| u.name == n));
        let (Some(pin), true) = (pin, i > 0) else {
            out.extend(block.iter().copied());
            continue;
        };
        let moved_sha = update.is_some_and(|u| u.new_sha256 != pin.sha256);
        let new_url = options
            .commit
            .as_deref()
            .map(|c| moved_url(pin, c))
            .transpose()?;
        // Whether the note applies after this update: the hash moved with no commit to match.
        let stale = match &options.commit {
            Some(_) => false,
            None => moved_sha || block.iter().any(|l| l.starts_with(STALE_COMMIT_NOTE)),
        };
        let mut skipping_note = false;
        for line in block {
            if line.starts_with(STALE_COMMIT_NOTE) {
                skipping_note = true;
                continue;
            }
            if skipping_note && line.starts_with("#   ") {
                continue;
            }
            skipping_note = false;
            let key = line.split('=').next().map(str::trim).unwrap_or("");
            match key {
                "sha256" => {
                    if stale {
                        out.push_str(STALE_COMMIT_NOTE);
                        out.push_str(
                            ":\n#   `commit` and `url` still name the previous commit; move them (update-specs --commit SHA,\n\
                             #   or by hand) before `fetch-specs` without --from can verify this pin.\n",
                        );
                    }
                    match update.filter(|_| moved_sha) {
                        Some(u) => out.push_str(&format!("sha256 = \"{}\"\n", u.new_sha256)),
                        None => out.push_str(line),
                    }
                }
                "commit" => match &options.commit {
                    Some(commit) => out.push_str(&format!("commit = \"{commit}\"\n")),
                    None => out.push_str(line),
                },
                "url" => match &new_url {
                    Some(url) => out.push_str(&format!("url = \"{url}\"\n")),
                    None => out.push_str(line),
                },
                _ => out.push_str(line),
            }
        }
    }
    Ok(out)
}

/// The string value of `key = "value"` on a line.
fn value_of<'l>(line: &'l str, key: &str) -> Option<&'l str> {
    let (k, v) = line.split_once('=')?;
    if k.trim() != key {
        return None;
    }
    v.trim().strip_prefix('"')?.strip_suffix('"')
}

/// The version of the crate in `crate_dir`, following `version.workspace = true`.
pub fn crate_version(root: &Path, crate_dir: &str) -> Result<Version, UpdateError> {
    let manifest = root.join(crate_dir).join("Cargo.toml");
    let value = read_toml(&manifest)?;
    let version = match value.get("package").and_then(|p| p.get("version")) {
        Some(toml::Value::String(v)) => (manifest.clone(), v.clone()),
        Some(toml::Value::Table(t))
            if t.get("workspace").and_then(toml::Value::as_bool) == Some(true) =>
        {
            let root_manifest = root.join("Cargo.toml");
            let root_value = read_toml(&root_manifest)?;
            let v = root_value
                .get("workspace")
                .and_then(|w| w.get("package"))
                .and_then(|p| p.get("version"))
                .and_then(toml::Value::as_str)
                .ok_or_else(|| UpdateError::Version {
                    path: root_manifest.clone(),
                    message: "no [workspace.package] version".to_owned(),
                })?;
            (root_manifest, v.to_owned())
        }
        _ => {
            return Err(UpdateError::Version {
                path: manifest,
                message: "no [package] version".to_owned(),
            });
        }
    };
    Version::parse(&version.1).ok_or_else(|| UpdateError::Version {
        path: version.0,
        message: format!("version {:?} is not MAJOR.MINOR.PATCH", version.1),
    })
}

fn read_toml(path: &Path) -> Result<toml::Table, UpdateError> {
    let text = fs::read_to_string(path).map_err(io_err(path))?;
    toml::from_str(&text).map_err(|e| UpdateError::Version {
        path: path.to_path_buf(),
        message: e.to_string(),
    })
}

const UNRELEASED: &str = "## Unreleased";
const SUGGESTED: &str = "Suggested version bump: ";

/// The changelog text with an entry for `update` added to its "Unreleased" section (created
/// if needed), whose suggested bump becomes the larger of the one it had and this update's.
pub fn changelog_with_entry(
    existing: Option<&str>,
    update: &SpecUpdate,
    report: &Report,
    options: &Options,
) -> String {
    let crate_name = &update.crate_dir;
    let existing = existing.map_or_else(
        || {
            format!(
                "# Changelog of {crate_name}\n\n\
                 Entries under \"Unreleased\" are written by `cargo xtask update-specs` from the semantic diff of the\n\
                 spec the crate is generated from; edit them freely before a release and rename the section to\n\
                 the version released.\n"
            )
        },
        str::to_owned,
    );
    let short = |s: &str| s.chars().take(12).collect::<String>();
    let commit = match &options.commit {
        Some(c) => format!("commit {}", short(c)),
        None => "commit unknown".to_owned(),
    };
    let mut entry = format!(
        "### Spec update: {} {}, sha256 {} -> {} ({commit})\n\n",
        report.new.title,
        report.new.version,
        short(&update.old_sha256),
        short(&update.new_sha256),
    );
    entry.push_str(&changelog_body(report));

    let lines: Vec<&str> = existing.lines().collect();
    let next_release = |from: usize| {
        lines[from..]
            .iter()
            .position(|l| l.starts_with("## "))
            .map_or(lines.len(), |p| from + p)
    };
    let (before, unreleased, after) = match lines.iter().position(|l| l.trim_end() == UNRELEASED) {
        Some(i) => {
            let end = next_release(i + 1);
            (&lines[..i], &lines[i + 1..end], &lines[end..])
        }
        None => {
            let at = next_release(0);
            (&lines[..at], &lines[at..at], &lines[at..])
        }
    };
    let previous = unreleased
        .iter()
        .find_map(|l| l.strip_prefix(SUGGESTED))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(Bump::from_word)
        .unwrap_or(Bump::None);
    let bump = previous.max(update.bump);
    let earlier: Vec<&str> = unreleased
        .iter()
        .copied()
        .filter(|l| !l.starts_with(SUGGESTED))
        .collect();
    let earlier = earlier.join("\n");

    let mut text = before.join("\n").trim_end().to_owned();
    text.push_str("\n\n");
    text.push_str(UNRELEASED);
    text.push_str("\n\n");
    let why = if update.version.major == 0 {
        "; below 1.0, breaking changes take a minor bump"
    } else {
        ""
    };
    text.push_str(&format!(
        "{SUGGESTED}{bump} ({} -> {}{why})\n\n",
        update.version,
        update.version.bumped(bump)
    ));
    // Entries in the order they were made.
    if !earlier.trim().is_empty() {
        text.push_str(earlier.trim());
        text.push_str("\n\n");
    }
    text.push_str(entry.trim_end());
    text.push('\n');
    if !after.is_empty() {
        text.push('\n');
        text.push_str(after.join("\n").trim_end());
        text.push('\n');
    }
    text
}

/// The report's markdown, two heading levels down and without its own title.
fn changelog_body(report: &Report) -> String {
    let md = report.render(Format::Markdown);
    let mut out = String::new();
    for line in md.lines() {
        if line.starts_with("## API changes") {
            continue;
        }
        if line.starts_with("###") {
            out.push('#');
        }
        out.push_str(line);
        out.push('\n');
    }
    out.trim_start().to_owned()
}

/// Writes through a temporary file in the same directory, so a reader never sees half a file.
fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), UpdateError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(io_err(dir))?;
    tmp.write_all(bytes).map_err(io_err(path))?;
    tmp.persist(path).map_err(|e| UpdateError::Io {
        path: path.to_path_buf(),
        source: e.error,
    })?;
    Ok(())
}

#[cfg(test)]
mod set_file_tests {
    use super::*;

    #[test]
    fn a_directory_holds_pin_names_and_a_dated_set_is_a_prefix() {
        let dir = std::env::temp_dir();
        assert_eq!(set_file(&dir, "v1.yaml"), dir.join("v1.yaml"));
        let set = Path::new("/no/such/history/2026-07-02");
        assert_eq!(set_file(set, "v2.yaml"), Path::new("/no/such/history/2026-07-02_v2.yaml"));
    }
}
