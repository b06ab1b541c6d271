//! Fetching the pinned spec files into `specs/fetched/`, all or nothing.
//!
//! Every file is first written into a staging directory inside the destination and its sha256
//! checked there. Only when the whole set verifies are the files renamed into place, so a bad
//! download or a corrupted local copy never replaces a good earlier fetch.

use std::fs::File;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use sha2::{Digest, Sha256};

use crate::pins::Pin;

/// Destination of fetched specs, relative to the workspace root.
pub const FETCHED_DIR: &str = "specs/fetched";

/// Upper bound on one spec file. The largest (v2) is about 3 MB; the bound only exists so that
/// a misbehaving server or a wrong `--from` path cannot fill the disk.
pub const MAX_SPEC_BYTES: u64 = 256 * 1024 * 1024;

const STAGING_PREFIX: &str = ".staging-";

/// A file that was fetched and verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fetched {
    /// File name under the destination directory.
    pub file: String,
    /// Final path of the file.
    pub path: PathBuf,
    /// Size in bytes.
    pub size: u64,
    /// Lowercase hex sha256, equal to the pin's.
    pub sha256: String,
}

/// Why a fetch failed. In every case the destination directory keeps its previous files.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FetchError {
    /// The bytes obtained for a pinned file do not have the pinned hash.
    #[error("{file}: sha256 mismatch for {source_desc}: expected {expected}, actual {actual}")]
    Mismatch {
        /// Pinned file name.
        file: String,
        /// Where the bytes came from (a path or a URL).
        source_desc: String,
        /// Hash from the pins file.
        expected: String,
        /// Hash of the bytes obtained.
        actual: String,
    },
    /// A `--from` directory lacks a pinned file.
    #[error("{}: no such file (pinned file `{file}` is expected there)", .path.display())]
    Missing {
        /// Pinned file name.
        file: String,
        /// Path that was looked for.
        path: PathBuf,
    },
    /// The server answered with a non-success status.
    #[error("GET {url}: HTTP status {status}")]
    HttpStatus {
        /// Requested URL.
        url: String,
        /// Status code received.
        status: u16,
    },
    /// The request could not be made or its response not read.
    #[error("GET {url}: {source}")]
    Http {
        /// Requested URL.
        url: String,
        /// Transport error.
        #[source]
        source: ureq::Error,
    },
    /// A source is larger than any spec file should be.
    #[error("{source_desc}: larger than {limit} bytes, refusing it as a spec file")]
    TooLarge {
        /// Where the bytes came from (a path or a URL).
        source_desc: String,
        /// The limit that was exceeded.
        limit: u64,
    },
    /// Reading a source or writing the destination failed.
    #[error("{context}: {source}")]
    Io {
        /// The path or URL involved, and what was being done.
        context: String,
        /// Underlying error.
        #[source]
        source: io::Error,
    },
}

/// Where the bytes of the pinned files come from.
#[derive(Debug, Clone, Copy)]
pub enum Source<'a> {
    /// A local directory holding each pinned file under its pinned file name.
    Dir(&'a Path),
    /// Each pin's `url`, downloaded with this agent.
    Http(&'a ureq::Agent),
}

/// An HTTP agent suited to downloading spec files: bounded time, honest user agent, and the
/// usual proxy environment variables honoured.
pub fn default_agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_connect(Some(Duration::from_secs(30)))
        .timeout_global(Some(Duration::from_secs(300)))
        .user_agent(concat!("jumpcloud-rs-xtask/", env!("CARGO_PKG_VERSION")))
        .build()
        .into()
}

/// Copies every pinned file from `from` into `dest`, verifying each hash; see [`fetch`].
pub fn fetch_from_dir(pins: &[Pin], from: &Path, dest: &Path) -> Result<Vec<Fetched>, FetchError> {
    fetch(pins, &Source::Dir(from), dest)
}

/// Downloads every pin's `url` into `dest`, verifying each hash; see [`fetch`].
///
/// Tests and mirrors point the pins at another server by rewriting [`Pin::url`].
pub fn fetch_url(
    pins: &[Pin],
    agent: &ureq::Agent,
    dest: &Path,
) -> Result<Vec<Fetched>, FetchError> {
    fetch(pins, &Source::Http(agent), dest)
}

/// Obtains every pinned file from `source`, checks its sha256, and only if all of them match
/// moves them into `dest` (created if needed), replacing files of the same names.
///
/// On error nothing in `dest` has changed, apart from `dest` itself being created.
pub fn fetch(pins: &[Pin], source: &Source<'_>, dest: &Path) -> Result<Vec<Fetched>, FetchError> {
    std::fs::create_dir_all(dest).map_err(|e| io_err(format!("create {}", dest.display()), e))?;
    // Staging inside the destination keeps the final renames on one file system, which is what
    // makes each of them atomic.
    let staging = tempfile::Builder::new()
        .prefix(STAGING_PREFIX)
        .tempdir_in(dest)
        .map_err(|e| {
            io_err(
                format!("create a staging directory in {}", dest.display()),
                e,
            )
        })?;

    let mut staged = Vec::with_capacity(pins.len());
    for pin in pins {
        let staged_path = staging.path().join(&pin.file);
        let (size, sha256) = match source {
            Source::Dir(dir) => copy_file(pin, dir, &staged_path)?,
            Source::Http(agent) => download(pin, agent, &staged_path)?,
        };
        if sha256 != pin.sha256 {
            let source_desc = match source {
                Source::Dir(dir) => dir.join(&pin.file).display().to_string(),
                Source::Http(_) => pin.url.clone(),
            };
            return Err(FetchError::Mismatch {
                file: pin.file.clone(),
                source_desc,
                expected: pin.sha256.clone(),
                actual: sha256,
            });
        }
        staged.push((pin, staged_path, size, sha256));
    }

    let mut fetched = Vec::with_capacity(staged.len());
    for (pin, staged_path, size, sha256) in staged {
        let path = dest.join(&pin.file);
        std::fs::rename(&staged_path, &path).map_err(|e| {
            io_err(
                format!("move {} to {}", staged_path.display(), path.display()),
                e,
            )
        })?;
        fetched.push(Fetched {
            file: pin.file.clone(),
            path,
            size,
            sha256,
        });
    }
    staging.close().map_err(|e| {
        io_err(
            format!("remove the staging directory in {}", dest.display()),
            e,
        )
    })?;
    Ok(fetched)
}

/// Lowercase hex sha256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    to_hex(&Sha256::digest(bytes))
}

fn copy_file(pin: &Pin, dir: &Path, to: &Path) -> Result<(u64, String), FetchError> {
    let from = dir.join(&pin.file);
    let file = match File::open(&from) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return Err(FetchError::Missing {
                file: pin.file.clone(),
                path: from,
            });
        }
        Err(e) => return Err(io_err(format!("open {}", from.display()), e)),
    };
    let desc = from.display().to_string();
    stage(file, &desc, to)
}

fn download(pin: &Pin, agent: &ureq::Agent, to: &Path) -> Result<(u64, String), FetchError> {
    let response = agent.get(&pin.url).call().map_err(|e| match e {
        ureq::Error::StatusCode(status) => FetchError::HttpStatus {
            url: pin.url.clone(),
            status,
        },
        source => FetchError::Http {
            url: pin.url.clone(),
            source,
        },
    })?;
    stage(response.into_body().into_reader(), &pin.url, to)
}

/// Streams `reader` into a new file at `to`, returning its size and sha256.
fn stage(reader: impl Read, desc: &str, to: &Path) -> Result<(u64, String), FetchError> {
    let file = File::create(to).map_err(|e| io_err(format!("create {}", to.display()), e))?;
    let mut sink = HashingWriter {
        inner: file,
        hasher: Sha256::new(),
    };
    // One byte past the limit tells "exactly at the limit" from "over it".
    let size = io::copy(&mut reader.take(MAX_SPEC_BYTES + 1), &mut sink).map_err(|e| {
        // io::copy does not say which side failed; the read side is the likely one and its
        // description names both.
        io_err(format!("copy {desc} to {}", to.display()), e)
    })?;
    if size > MAX_SPEC_BYTES {
        return Err(FetchError::TooLarge {
            source_desc: desc.to_owned(),
            limit: MAX_SPEC_BYTES,
        });
    }
    let HashingWriter { inner, hasher } = sink;
    // Flushed to disk before the rename, so that a crash cannot leave a renamed but empty file.
    inner
        .sync_all()
        .map_err(|e| io_err(format!("write {}", to.display()), e))?;
    Ok((size, to_hex(&hasher.finalize())))
}

struct HashingWriter {
    inner: File,
    hasher: Sha256,
}

impl Write for HashingWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

fn to_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    out
}

fn io_err(context: String, source: io::Error) -> FetchError {
    FetchError::Io { context, source }
}
