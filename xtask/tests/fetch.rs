//! `fetch-specs`: copies from a directory and downloads from a local HTTP server, all or nothing.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use xtask::fetch::{self, FetchError};
use xtask::pins::{self, Pin};

/// The real pinned spec files, from `../shared/specs/pinned` or `$SHARED_DIR/specs/pinned`.
fn pinned_dir() -> PathBuf {
    let root = xtask::workspace_root();
    let shared = std::env::var_os("SHARED_DIR").map_or_else(
        || root.join("../shared"),
        |dir| xtask::resolve(&root, Path::new(&dir)),
    );
    let dir = shared.join("specs/pinned");
    assert!(
        dir.is_dir(),
        "{} is missing: these tests need the shared pinned specs (set SHARED_DIR to the shared \
         directory if it is not beside the workspace)",
        dir.display()
    );
    dir
}

fn real_pins() -> Vec<Pin> {
    pins::load(&xtask::workspace_root())
        .expect("specs/pins.toml loads")
        .specs
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

/// Copies the pinned files into a fresh directory, so a test can damage or remove some.
fn copy_of_pinned() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for pin in real_pins() {
        // Written afresh rather than copied: the shared originals are read-only, and a copy
        // would keep that mode.
        let bytes = read(&pinned_dir().join(&pin.file));
        std::fs::write(dir.path().join(&pin.file), bytes).expect("write copy");
    }
    dir
}

/// Entries of `dir` other than the pinned files: staging leftovers would show up here.
fn extra_entries(dir: &Path, pins: &[Pin]) -> Vec<String> {
    let mut extra: Vec<String> = std::fs::read_dir(dir)
        .expect("read dest")
        .map(|e| {
            e.expect("dir entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|name| !pins.iter().any(|p| &p.file == name))
        .collect();
    extra.sort();
    extra
}

#[cfg(unix)]
fn identity(path: &Path) -> (u64, u64, i64, i64) {
    use std::os::unix::fs::MetadataExt;
    let meta = std::fs::metadata(path).expect("metadata");
    (meta.dev(), meta.ino(), meta.mtime(), meta.mtime_nsec())
}

#[test]
fn copies_pinned_files_from_dir() {
    let pins = real_pins();
    let out = tempfile::tempdir().expect("temp dir");
    let dest = out.path().join("fetched");

    let fetched = fetch::fetch_from_dir(&pins, &pinned_dir(), &dest).expect("fetch succeeds");

    assert_eq!(fetched.len(), pins.len());
    for (pin, got) in pins.iter().zip(&fetched) {
        let original = read(&pinned_dir().join(&pin.file));
        let copied = read(&dest.join(&pin.file));
        assert!(original == copied, "{} differs from its source", pin.file);
        assert_eq!(got.file, pin.file);
        assert_eq!(got.path, dest.join(&pin.file));
        assert_eq!(got.size, original.len() as u64);
        assert_eq!(got.sha256, pin.sha256);
        assert_eq!(fetch::sha256_hex(&copied), pin.sha256);
    }
    assert_eq!(extra_entries(&dest, &pins), Vec::<String>::new());
}

#[test]
fn corrupted_copy_fails_and_keeps_earlier_fetch() {
    let pins = real_pins();
    let out = tempfile::tempdir().expect("temp dir");
    let dest = out.path().join("fetched");
    fetch::fetch_from_dir(&pins, &pinned_dir(), &dest).expect("first fetch succeeds");
    #[cfg(unix)]
    let before: Vec<_> = pins.iter().map(|p| identity(&dest.join(&p.file))).collect();

    // The last pin is damaged, so that every earlier one has already verified when the error
    // hits: none of them may have been moved into place.
    let bad = copy_of_pinned();
    let victim = pins.last().expect("at least one pin");
    let victim_path = bad.path().join(&victim.file);
    let mut bytes = read(&victim_path);
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x20;
    std::fs::write(&victim_path, &bytes).expect("write corrupted copy");
    let actual = fetch::sha256_hex(&bytes);

    let err = fetch::fetch_from_dir(&pins, bad.path(), &dest).expect_err("corruption detected");

    match &err {
        FetchError::Mismatch {
            file,
            expected,
            actual: got,
            ..
        } => {
            assert_eq!(file, &victim.file);
            assert_eq!(expected, &victim.sha256);
            assert_eq!(got, &actual);
        }
        other => panic!("expected a mismatch, got {other:?}"),
    }
    let message = err.to_string();
    assert!(message.contains(&victim.file), "{message}");
    assert!(message.contains(&victim.sha256), "{message}");
    assert!(message.contains(&actual), "{message}");

    for pin in &pins {
        assert!(
            read(&dest.join(&pin.file)) == read(&pinned_dir().join(&pin.file)),
            "{} was changed by a failed fetch",
            pin.file
        );
    }
    #[cfg(unix)]
    {
        let after: Vec<_> = pins.iter().map(|p| identity(&dest.join(&p.file))).collect();
        assert_eq!(before, after, "a failed fetch replaced files");
    }
    assert_eq!(extra_entries(&dest, &pins), Vec::<String>::new());
}

#[test]
fn missing_file_fails_naming_its_path() {
    let pins = real_pins();
    let partial = copy_of_pinned();
    let victim = &pins[1];
    let missing = partial.path().join(&victim.file);
    std::fs::remove_file(&missing).expect("remove");
    let out = tempfile::tempdir().expect("temp dir");

    let err = fetch::fetch_from_dir(&pins, partial.path(), out.path()).expect_err("missing file");

    match &err {
        FetchError::Missing { file, path } => {
            assert_eq!(file, &victim.file);
            assert_eq!(path, &missing);
        }
        other => panic!("expected a missing file, got {other:?}"),
    }
    let message = err.to_string();
    assert!(
        message.contains(&missing.display().to_string()),
        "{message}"
    );
    assert_eq!(extra_entries(out.path(), &pins), Vec::<String>::new());
    for pin in &pins {
        assert!(
            !out.path().join(&pin.file).exists(),
            "{} was written",
            pin.file
        );
    }
}

/// A minimal HTTP/1.1 server on 127.0.0.1 serving fixed bodies by path, 404 for anything else.
/// It stops when dropped.
struct TestServer {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl TestServer {
    fn start(routes: HashMap<String, Vec<u8>>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let addr = listener.local_addr().expect("local addr");
        let stop = Arc::new(AtomicBool::new(false));
        let stop_flag = Arc::clone(&stop);
        let thread = std::thread::spawn(move || {
            for stream in listener.incoming() {
                if stop_flag.load(Ordering::SeqCst) {
                    break;
                }
                if let Ok(stream) = stream {
                    // A broken client connection only fails that request; the test sees it.
                    let _ = serve_one(stream, &routes);
                }
            }
        });
        TestServer {
            addr,
            stop,
            thread: Some(thread),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wakes the blocking accept so that the thread sees the flag.
        let _ = TcpStream::connect(self.addr);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn serve_one(stream: TcpStream, routes: &HashMap<String, Vec<u8>>) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header)? == 0 || header == "\r\n" || header == "\n" {
            break;
        }
    }
    let path = request_line.split_whitespace().nth(1).unwrap_or("");
    let mut stream = stream;
    match routes.get(path) {
        Some(body) => {
            write!(
                stream,
                "HTTP/1.1 200 OK\r\ncontent-type: application/yaml\r\ncontent-length: {}\r\n\
                 connection: close\r\n\r\n",
                body.len()
            )?;
            stream.write_all(body)?;
        }
        None => {
            stream.write_all(
                b"HTTP/1.1 404 Not Found\r\ncontent-length: 9\r\nconnection: close\r\n\r\nnot found",
            )?;
        }
    }
    stream.flush()
}

/// The real pins with their URLs moved to `server`, plus the routes that serve `bodies`.
fn pins_on(server_base: &str, bodies: &[(Pin, Vec<u8>)]) -> Vec<Pin> {
    bodies
        .iter()
        .map(|(pin, _)| Pin {
            url: format!("{server_base}/{}/{}", pin.commit, pin.file),
            ..pin.clone()
        })
        .collect()
}

fn routes(bodies: &[(Pin, Vec<u8>)]) -> HashMap<String, Vec<u8>> {
    bodies
        .iter()
        .map(|(pin, body)| (format!("/{}/{}", pin.commit, pin.file), body.clone()))
        .collect()
}

fn real_bodies() -> Vec<(Pin, Vec<u8>)> {
    real_pins()
        .into_iter()
        .map(|pin| {
            let body = read(&pinned_dir().join(&pin.file));
            (pin, body)
        })
        .collect()
}

/// Direct connections only: a proxy from the environment must not see loopback test traffic.
fn local_agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .proxy(None)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into()
}

#[test]
fn downloads_from_local_server() {
    let bodies = real_bodies();
    let server = TestServer::start(routes(&bodies));
    let pins = pins_on(&server.url(""), &bodies);
    let out = tempfile::tempdir().expect("temp dir");

    let fetched = fetch::fetch_url(&pins, &local_agent(), out.path()).expect("download succeeds");

    assert_eq!(fetched.len(), bodies.len());
    for ((pin, body), got) in bodies.iter().zip(&fetched) {
        assert!(read(&out.path().join(&pin.file)) == *body, "{}", pin.file);
        assert_eq!(got.size, body.len() as u64);
        assert_eq!(got.sha256, pin.sha256);
    }
    assert_eq!(extra_entries(out.path(), &pins), Vec::<String>::new());
}

#[test]
fn http_404_fails_naming_the_url() {
    let mut bodies = real_bodies();
    let served = routes(&bodies[..1]);
    bodies.truncate(2);
    let server = TestServer::start(served);
    let pins = pins_on(&server.url(""), &bodies);
    let out = tempfile::tempdir().expect("temp dir");

    let err = fetch::fetch_url(&pins, &local_agent(), out.path()).expect_err("404 fails");

    match &err {
        FetchError::HttpStatus { url, status } => {
            assert_eq!(url, &pins[1].url);
            assert_eq!(*status, 404);
        }
        other => panic!("expected an HTTP status error, got {other:?}"),
    }
    let message = err.to_string();
    assert!(message.contains(&pins[1].url), "{message}");
    assert!(message.contains("404"), "{message}");
    assert!(
        !out.path().join(&pins[0].file).exists(),
        "partial fetch written"
    );
    assert_eq!(extra_entries(out.path(), &pins), Vec::<String>::new());
}

#[test]
fn wrong_bytes_from_server_fail_naming_the_url() {
    let mut bodies = real_bodies();
    bodies.truncate(1);
    bodies[0].1.extend_from_slice(b"\n# appended\n");
    let actual = fetch::sha256_hex(&bodies[0].1);
    let server = TestServer::start(routes(&bodies));
    let pins = pins_on(&server.url(""), &bodies);
    let out = tempfile::tempdir().expect("temp dir");

    let err = fetch::fetch_url(&pins, &local_agent(), out.path()).expect_err("mismatch");

    let message = err.to_string();
    for needle in [&pins[0].file, &pins[0].url, &pins[0].sha256, &actual] {
        assert!(
            message.contains(needle.as_str()),
            "{needle} not in: {message}"
        );
    }
    assert!(
        !out.path().join(&pins[0].file).exists(),
        "mismatching file written"
    );
}

#[test]
fn unreachable_server_fails_naming_the_url() {
    // Bind then drop, so that nothing listens on the port.
    let addr = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port");
    let bodies = real_bodies();
    let pins = pins_on(&format!("http://{addr}"), &bodies[..1]);
    let out = tempfile::tempdir().expect("temp dir");

    let err = fetch::fetch_url(&pins, &local_agent(), out.path()).expect_err("connection refused");

    assert!(matches!(err, FetchError::Http { .. }), "{err:?}");
    assert!(err.to_string().contains(&pins[0].url), "{err}");
}

fn xtask() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_xtask"));
    // The command resolves paths from the workspace root, whatever the current directory.
    cmd.current_dir(std::env::temp_dir());
    // ureq takes the first proxy variable it finds for every scheme; the loopback test server
    // must be reached directly.
    for var in [
        "ALL_PROXY",
        "all_proxy",
        "HTTPS_PROXY",
        "https_proxy",
        "HTTP_PROXY",
        "http_proxy",
    ] {
        cmd.env_remove(var);
    }
    cmd
}

#[test]
fn cli_fetch_specs_from_dir() {
    let out = tempfile::tempdir().expect("temp dir");
    let output = xtask()
        .arg("fetch-specs")
        .arg("--from")
        .arg(pinned_dir())
        .arg("--out")
        .arg(out.path())
        .output()
        .expect("run xtask");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "stdout:\n{stdout}\nstderr:\n{stderr}"
    );

    for pin in real_pins() {
        let line = stdout
            .lines()
            .find(|l| l.starts_with(&format!("{} ", pin.file)))
            .unwrap_or_else(|| panic!("no line for {} in:\n{stdout}", pin.file));
        let size = std::fs::metadata(pinned_dir().join(&pin.file))
            .expect("metadata")
            .len();
        assert!(line.contains(&format!(" {size} bytes")), "{line}");
        assert!(line.contains(&pin.sha256), "{line}");
        assert!(line.ends_with(" ok"), "{line}");
        assert!(read(&out.path().join(&pin.file)) == read(&pinned_dir().join(&pin.file)));
    }
}

#[test]
fn cli_reports_missing_file_and_fails() {
    let empty = tempfile::tempdir().expect("temp dir");
    let out = tempfile::tempdir().expect("temp dir");
    let output = xtask()
        .args(["fetch-specs", "--from"])
        .arg(empty.path())
        .arg("--out")
        .arg(out.path())
        .output()
        .expect("run xtask");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "stderr:\n{stderr}");
    let first = &real_pins()[0];
    let missing = empty.path().join(&first.file);
    assert!(
        stderr.contains(&missing.display().to_string()),
        "stderr:\n{stderr}"
    );
}

#[test]
fn cli_downloads_with_pins_file() {
    let bodies = real_bodies();
    let server = TestServer::start(routes(&bodies));
    let pins = pins_on(&server.url(""), &bodies);
    let work = tempfile::tempdir().expect("temp dir");
    let mut toml = String::new();
    for pin in &pins {
        toml.push_str(&format!(
            "[[spec]]\nname = \"{}\"\nfile = \"{}\"\ncommit = \"{}\"\nurl = \"{}\"\n\
             published_url = \"{}\"\nsha256 = \"{}\"\n\n",
            pin.name, pin.file, pin.commit, pin.url, pin.published_url, pin.sha256
        ));
    }
    let pins_file = work.path().join("pins.toml");
    std::fs::write(&pins_file, toml).expect("write pins");
    let out = work.path().join("fetched");

    let output = xtask()
        .arg("fetch-specs")
        .arg("--pins")
        .arg(&pins_file)
        .arg("--out")
        .arg(&out)
        .output()
        .expect("run xtask");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "stdout:\n{stdout}\nstderr:\n{stderr}"
    );
    assert_eq!(
        stdout.lines().filter(|l| l.ends_with(" ok")).count(),
        pins.len(),
        "{stdout}"
    );
    for (pin, body) in &bodies {
        assert!(read(&out.join(&pin.file)) == *body, "{}", pin.file);
    }
}
