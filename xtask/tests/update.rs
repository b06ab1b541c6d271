//! `update-specs` on a scratch copy of the workspace: the pins, fetched specs and crates of the
//! 2026-06-01 publication, updated to the 2026-07-02 one from a local directory or a local
//! HTTP server. The real workspace is never touched; the specs are read from the shared data
//! directory.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;

use xtask::fetch::{FETCHED_DIR, sha256_hex};
use xtask::generate::TARGETS;
use xtask::pins::{self, PINS_FILE};
use xtask::update::{self, Bump, Options, UpdateError, Version};

const OLD_SET: &str = "2026-06-01";
const NEW_SET: &str = "2026-07-02";

fn shared() -> PathBuf {
    let root = xtask::workspace_root();
    match std::env::var_os("SHARED_DIR") {
        Some(dir) => xtask::resolve(&root, Path::new(&dir)),
        None => root.join("../shared"),
    }
}

/// The bytes of a history snapshot, by set date and pin name.
fn snapshot(set: &str, name: &str) -> Vec<u8> {
    let path = shared()
        .join("specs/history")
        .join(format!("{set}_{name}.yaml"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create dir");
    for entry in std::fs::read_dir(from).unwrap_or_else(|e| panic!("{}: {e}", from.display())) {
        let entry = entry.expect("dir entry");
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::write(&target, read(&entry.path())).expect("write copy");
        }
    }
}

/// A scratch workspace holding what `update-specs` reads and writes: a root manifest at
/// version 0.1.0, the pins, and each client crate's manifest, changelog and sources; with the `OLD_SET` specs
/// fetched and pinned. The project's overlays fix the pinned (2026-08) publication and do not
/// apply to the 2026 history sets, so the scratch copy has none.
fn scratch() -> tempfile::TempDir {
    let real = xtask::workspace_root();
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    // Only the version is read from the root manifest; a fixed one keeps the expected bumps
    // independent of the real workspace's releases.
    std::fs::write(
        root.join("Cargo.toml"),
        "[workspace.package]\nversion = \"0.1.0\"\n",
    )
    .expect("write manifest");
    for t in TARGETS {
        let crate_dir = root.join(t.crate_dir);
        copy_dir(&real.join(t.crate_dir).join("src"), &crate_dir.join("src"));
        for file in ["Cargo.toml", "CHANGELOG.md"] {
            std::fs::write(
                crate_dir.join(file),
                read(&real.join(t.crate_dir).join(file)),
            )
            .expect("write");
        }
    }
    std::fs::create_dir_all(root.join(FETCHED_DIR)).expect("fetched dir");
    let mut pins_text = String::from_utf8(read(&real.join(PINS_FILE))).expect("UTF-8 pins");
    for pin in pins::load(&real).expect("real pins").specs {
        let bytes = snapshot(OLD_SET, &pin.name);
        std::fs::write(root.join(FETCHED_DIR).join(&pin.file), &bytes).expect("write fetched");
        pins_text = pins_text.replace(&pin.sha256, &sha256_hex(&bytes));
    }
    std::fs::write(root.join(PINS_FILE), pins_text).expect("write pins");
    dir
}

/// A directory holding the `set` snapshots under their pinned file names.
fn set_dir(set: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for t in TARGETS {
        std::fs::write(dir.path().join(t.spec_file), snapshot(set, t.name)).expect("write");
    }
    dir
}

fn from_dir(dir: &Path) -> Options {
    Options {
        from: Some(dir.to_path_buf()),
        ..Options::default()
    }
}

fn agent() -> ureq::Agent {
    xtask::fetch::default_agent()
}

/// Every file under `root` with its bytes, to show that a failed update wrote nothing.
fn snapshot_tree(root: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("read dir") {
            let p = entry.expect("entry").path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push((
                    p.strip_prefix(root).expect("under root").to_path_buf(),
                    read(&p),
                ));
            }
        }
    }
    out.sort();
    out
}

/// Fails naming the files that differ, rather than printing every byte.
#[track_caller]
fn assert_same_tree(after: &[(PathBuf, Vec<u8>)], before: &[(PathBuf, Vec<u8>)]) {
    let names = |t: &[(PathBuf, Vec<u8>)]| t.iter().map(|(p, _)| p.clone()).collect::<Vec<_>>();
    assert_eq!(names(after), names(before), "the same files");
    let differ: Vec<&PathBuf> = after
        .iter()
        .zip(before)
        .filter(|(a, b)| a.1 != b.1)
        .map(|(a, _)| &a.0)
        .collect();
    assert!(differ.is_empty(), "changed: {differ:?}");
}

#[test]
fn update_from_a_directory_regenerates_pins_changelogs_and_suggests_a_bump() {
    let ws = scratch();
    let root = ws.path();
    let new = set_dir(NEW_SET);
    let mut log = Vec::new();
    let outcome = update::run(root, &from_dir(new.path()), &agent(), &mut log)
        .unwrap_or_else(|e| panic!("{e}"));
    let log = String::from_utf8(log).expect("UTF-8 output");

    // The diff against the pinned specs was printed.
    assert!(
        log.contains(&format!("{FETCHED_DIR}/v2.yaml (pinned)")),
        "{log}"
    );
    assert!(log.contains("Operations added (18, 0 breaking)"), "{log}");

    // One report per pin; v2 breaks (minor below 1.0), v1 and insights only add (patch).
    let bumps: Vec<(&str, Bump)> = outcome
        .specs
        .iter()
        .map(|s| (s.name.as_str(), s.bump))
        .collect();
    assert_eq!(
        bumps,
        [
            ("v1", Bump::Patch),
            ("v2", Bump::Minor),
            ("insights", Bump::Patch)
        ]
    );
    assert!(outcome.specs.iter().all(|s| s.report.is_some()));
    let v2 = &outcome.specs[1];
    assert!(v2.report.as_ref().is_some_and(|r| r.is_breaking()));
    assert_eq!(
        v2.version,
        Version {
            major: 0,
            minor: 1,
            patch: 0
        }
    );
    assert_eq!(outcome.bump(), Bump::Minor);
    assert!(
        log.contains("jumpcloud-v2         0.1.0 -> 0.2.0 (minor:"),
        "{log}"
    );
    assert!(log.contains("release 0.2.0 (minor)"), "{log}");
    assert!(outcome.changed);

    // The new files are fetched and pinned; the commit stays, with a note saying so.
    let pins = pins::load(root).expect("updated pins parse");
    for pin in &pins.specs {
        let bytes = snapshot(NEW_SET, &pin.name);
        assert_eq!(pin.sha256, sha256_hex(&bytes), "{}", pin.name);
        assert_eq!(read(&root.join(FETCHED_DIR).join(&pin.file)), bytes);
        assert_eq!(pin.commit, "2d46aa0b0f3ec1e04daba98f9d254f6cf53ec4cd");
    }
    let pins_text = String::from_utf8(read(&root.join(PINS_FILE))).expect("UTF-8");
    assert_eq!(
        pins_text
            .matches("# update-specs: `sha256` moved without a known commit")
            .count(),
        3
    );
    assert!(
        pins_text.starts_with("# The exact JumpCloud API descriptions"),
        "comments are kept"
    );

    // The crates are generated from the new specs.
    let generation = outcome.generation.as_ref().expect("generated");
    assert!(!generation.changed.is_empty());
    let lib = String::from_utf8(read(&root.join("jumpcloud-v2/src/lib.rs"))).expect("UTF-8");
    assert!(
        lib.contains(&sha256_hex(&snapshot(NEW_SET, "v2"))),
        "lib.rs names the new spec"
    );
    let check = xtask::generate::run(root, true, false).expect("check runs");
    assert!(
        check.changed.is_empty() && check.stale.is_empty(),
        "generated crates are up to date"
    );

    // Each changelog has an entry under "Unreleased", above the released versions.
    let changelog =
        String::from_utf8(read(&root.join("jumpcloud-v2/CHANGELOG.md"))).expect("UTF-8");
    let unreleased = changelog
        .find("## Unreleased")
        .expect("an Unreleased section");
    let released = changelog.find("## 0.1.0").expect("the first release stays");
    assert!(unreleased < released, "{changelog}");
    assert!(
        changelog.contains("Suggested version bump: minor (0.1.0 -> 0.2.0;"),
        "{changelog}"
    );
    assert!(
        changelog
            .contains("### Spec update: JumpCloud API 2.0, sha256 2de2b309eaf5 -> 42763480b6f4"),
        "{changelog}"
    );
    assert!(
        changelog.contains("#### Operations added (18, 0 breaking)"),
        "{changelog}"
    );
    let v1 = String::from_utf8(read(&root.join("jumpcloud-v1/CHANGELOG.md"))).expect("UTF-8");
    assert!(
        v1.contains("Suggested version bump: patch (0.1.0 -> 0.1.1;"),
        "{v1}"
    );

    // Running again finds nothing to do and writes nothing.
    let before = snapshot_tree(root);
    let mut log = Vec::new();
    let again = update::run(root, &from_dir(new.path()), &agent(), &mut log).expect("second run");
    assert!(!again.changed);
    assert!(
        String::from_utf8(log)
            .expect("UTF-8")
            .contains("nothing to do")
    );
    assert_same_tree(&snapshot_tree(root), &before);
}

#[test]
fn failures_and_dry_runs_write_nothing() {
    let ws = scratch();
    let root = ws.path();
    let before = snapshot_tree(root);

    // A file missing from --from.
    let partial = set_dir(NEW_SET);
    std::fs::remove_file(partial.path().join("insights.yaml")).expect("remove");
    let err = update::run(root, &from_dir(partial.path()), &agent(), &mut Vec::new())
        .expect_err("missing file");
    assert!(matches!(err, UpdateError::Obtain { .. }), "{err}");
    assert!(err.to_string().contains("insights.yaml"), "{err}");
    assert_same_tree(&snapshot_tree(root), &before);

    // A new spec the generator refuses (the 2019 v2 copy has a duplicate operationId).
    let broken = set_dir(NEW_SET);
    std::fs::write(
        broken.path().join("v2.yaml"),
        read(&shared().join("specs/history/2019-12-09_v2.yaml")),
    )
    .expect("write");
    let err = update::run(root, &from_dir(broken.path()), &agent(), &mut Vec::new())
        .expect_err("broken spec");
    assert!(matches!(err, UpdateError::Codegen(_)), "{err}");
    assert!(err.to_string().contains("duplicate operationId"), "{err}");
    assert_same_tree(&snapshot_tree(root), &before);

    // Generation fails after the specs were swapped in: they are put back.
    let stray = root.join("jumpcloud-insights/src/handwritten.rs");
    std::fs::write(&stray, "// not generated\n").expect("write stray file");
    let before_stray = snapshot_tree(root);
    let new = set_dir(NEW_SET);
    let err = update::run(root, &from_dir(new.path()), &agent(), &mut Vec::new())
        .expect_err("generation fails");
    assert!(matches!(err, UpdateError::Generate(_)), "{err}");
    assert_same_tree(&snapshot_tree(root), &before_stray);
    std::fs::remove_file(&stray).expect("remove stray file");

    // A dry run prints the diff and the suggestion only.
    let mut log = Vec::new();
    let options = Options {
        dry_run: true,
        ..from_dir(new.path())
    };
    let outcome = update::run(root, &options, &agent(), &mut log).expect("dry run");
    assert!(!outcome.changed);
    let log = String::from_utf8(log).expect("UTF-8");
    assert!(
        log.contains("semver suggestion") && log.contains("dry run: nothing written"),
        "{log}"
    );
    assert_same_tree(&snapshot_tree(root), &before);
}

/// Serves fixed bodies by path on 127.0.0.1, one request per connection, until dropped.
struct Server {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Server {
    fn start(routes: HashMap<String, Vec<u8>>) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let addr = listener.local_addr().expect("local addr");
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let thread = std::thread::spawn(move || {
            for stream in listener.incoming() {
                if flag.load(Ordering::SeqCst) {
                    break;
                }
                if let Ok(stream) = stream {
                    serve(stream, &routes);
                }
            }
        });
        Server {
            addr,
            stop,
            thread: Some(thread),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }
}

fn serve(mut stream: TcpStream, routes: &HashMap<String, Vec<u8>>) {
    let mut reader = BufReader::new(stream.try_clone().expect("clone stream"));
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() {
        return;
    }
    loop {
        let mut header = String::new();
        match reader.read_line(&mut header) {
            Ok(0) | Err(_) => break,
            Ok(_) if header == "\r\n" || header == "\n" => break,
            Ok(_) => {}
        }
    }
    let path = request_line.split_whitespace().nth(1).unwrap_or("");
    let (status, body): (&str, &[u8]) = match routes.get(path) {
        Some(body) => ("200 OK", body),
        None => ("404 Not Found", b"not found"),
    };
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(body);
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wakes the accept loop so that it sees the flag.
        let _ = TcpStream::connect(self.addr);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Points the scratch pins at the local server: `published_url` at `/published/<file>` and
/// `url` at `/<commit>/<file>`.
fn point_pins_at(root: &Path, server: &Server) {
    let path = root.join(PINS_FILE);
    let mut text = String::from_utf8(read(&path)).expect("UTF-8");
    for pin in pins::load(root).expect("pins").specs {
        text = text.replace(
            &pin.published_url,
            &server.url(&format!("/published/{}", pin.file)),
        );
        text = text.replace(
            &pin.url,
            &server.url(&format!("/{}/{}", pin.commit, pin.file)),
        );
    }
    std::fs::write(&path, text).expect("write pins");
}

#[test]
fn update_downloads_published_specs_and_moves_the_commit() {
    const NEW_COMMIT: &str = "a71608e0a71608e0a71608e0a71608e0a71608e0";
    let ws = scratch();
    let root = ws.path();
    let mut routes = HashMap::new();
    for t in TARGETS {
        let bytes = snapshot(NEW_SET, t.name);
        routes.insert(format!("/published/{}", t.spec_file), bytes.clone());
        routes.insert(format!("/{NEW_COMMIT}/{}", t.spec_file), bytes);
    }
    // A commit that holds other bytes than the published ones.
    const WRONG_COMMIT: &str = "0000000000000000000000000000000000000000";
    for t in TARGETS {
        routes.insert(
            format!("/{WRONG_COMMIT}/{}", t.spec_file),
            snapshot(OLD_SET, t.name),
        );
    }
    let server = Server::start(routes);
    point_pins_at(root, &server);
    let before = snapshot_tree(root);

    let wrong = Options {
        commit: Some(WRONG_COMMIT.to_owned()),
        ..Options::default()
    };
    let err = update::run(root, &wrong, &agent(), &mut Vec::new())
        .expect_err("the commit does not hold them");
    assert!(
        err.to_string().contains("did not publish this version"),
        "{err}"
    );
    assert_same_tree(&snapshot_tree(root), &before);

    let options = Options {
        commit: Some(NEW_COMMIT.to_owned()),
        ..Options::default()
    };
    let mut log = Vec::new();
    let outcome = update::run(root, &options, &agent(), &mut log).unwrap_or_else(|e| panic!("{e}"));
    assert!(outcome.changed);
    let pins = pins::load(root).expect("pins parse");
    for pin in &pins.specs {
        assert_eq!(pin.commit, NEW_COMMIT);
        assert_eq!(pin.url, server.url(&format!("/{NEW_COMMIT}/{}", pin.file)));
        assert_eq!(pin.sha256, sha256_hex(&snapshot(NEW_SET, &pin.name)));
    }
    let text = String::from_utf8(read(&root.join(PINS_FILE))).expect("UTF-8");
    assert!(!text.contains("moved without a known commit"), "{text}");
    // The moved pins verify with fetch-specs from their URLs.
    let fetched = tempfile::tempdir().expect("temp dir");
    xtask::fetch::fetch_url(&pins.specs, &agent(), fetched.path())
        .unwrap_or_else(|e| panic!("{e}"));
    let changelog =
        String::from_utf8(read(&root.join("jumpcloud-insights/CHANGELOG.md"))).expect("UTF-8");
    assert!(changelog.contains("(commit a71608e0a716)"), "{changelog}");
}

#[test]
fn versions_and_bumps() {
    let v = Version::parse("0.1.0").expect("parses");
    assert_eq!(v.bumped(Bump::Minor).to_string(), "0.2.0");
    assert_eq!(v.bumped(Bump::Patch).to_string(), "0.1.1");
    assert_eq!(
        Version::parse("1.4.2")
            .expect("parses")
            .bumped(Bump::Major)
            .to_string(),
        "2.0.0"
    );
    assert_eq!(
        Version::parse("1.4.2")
            .expect("parses")
            .bumped(Bump::Minor)
            .to_string(),
        "1.5.0"
    );
    assert!(Version::parse("1.2").is_none());
    assert!(Version::parse("1.2.3.4").is_none());
    assert!(Version::parse("1.2.x").is_none());
    // The client crates take the workspace's version.
    let real = xtask::workspace_root();
    let manifest: toml::Table =
        toml::from_str(&String::from_utf8(read(&real.join("Cargo.toml"))).expect("UTF-8"))
            .expect("root manifest parses");
    let workspace = manifest["workspace"]["package"]["version"]
        .as_str()
        .expect("a version");
    let expected = Version::parse(workspace).expect("MAJOR.MINOR.PATCH");
    for t in TARGETS {
        assert_eq!(
            update::crate_version(&real, t.crate_dir).expect("reads"),
            expected
        );
    }
}

#[test]
fn changelog_entries_accumulate_under_unreleased() {
    let ws = scratch();
    let root = ws.path();
    let new = set_dir(NEW_SET);
    let outcome = update::run(
        root,
        &Options {
            dry_run: true,
            ..from_dir(new.path())
        },
        &agent(),
        &mut Vec::new(),
    )
    .expect("dry run");
    let v1 = &outcome.specs[0];
    let report = v1.report.as_ref().expect("v1 changed");
    let first = update::changelog_with_entry(None, v1, report, &Options::default());
    assert!(
        first.starts_with("# Changelog of jumpcloud-v1\n"),
        "{first}"
    );
    assert!(
        first.contains("## Unreleased\n\nSuggested version bump: patch (0.1.0 -> 0.1.1;"),
        "{first}"
    );

    // A second, breaking update raises the suggestion and keeps the first entry before it.
    let mut breaking = update::SpecUpdate {
        bump: Bump::Minor,
        ..clone_update(v1)
    };
    breaking.new_sha256 = "f".repeat(64);
    let second = update::changelog_with_entry(Some(&first), &breaking, report, &Options::default());
    assert!(
        second.contains("Suggested version bump: minor (0.1.0 -> 0.2.0;"),
        "{second}"
    );
    assert_eq!(second.matches("## Unreleased").count(), 1);
    let a = second.find("-> 2f02006b0b78").expect("first entry");
    let b = second.find("-> ffffffffffff").expect("second entry");
    assert!(a < b, "{second}");
    // A smaller later bump does not lower it.
    let third = update::changelog_with_entry(Some(&second), v1, report, &Options::default());
    assert!(
        third.contains("Suggested version bump: minor (0.1.0 -> 0.2.0;"),
        "{third}"
    );
}

fn clone_update(u: &update::SpecUpdate) -> update::SpecUpdate {
    update::SpecUpdate {
        name: u.name.clone(),
        crate_dir: u.crate_dir.clone(),
        old_sha256: u.old_sha256.clone(),
        new_sha256: u.new_sha256.clone(),
        report: None,
        version: u.version,
        bump: u.bump,
    }
}
