//! The generator's one error type. Every error names the file it came from and, where the
//! fault sits in the spec, the JSON pointer of the offending node.

use std::path::PathBuf;

/// What went wrong, and where.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The file could not be read.
    #[error("{file}: cannot read: {source}")]
    Io {
        /// The file.
        file: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The file is not valid YAML or JSON.
    #[error("{file}: not YAML or JSON: {message}")]
    Syntax {
        /// The file.
        file: PathBuf,
        /// The parser's message, with line and column where it gives them.
        message: String,
    },
    /// The document is syntactically fine but is not a spec this generator accepts, or holds a
    /// construct it cannot handle. `pointer` is a JSON pointer (RFC 6901) into the document as
    /// loaded (before normalization), or `""` for the whole document.
    #[error("{file}: at {pointer}: {message}", pointer = display_pointer(pointer))]
    Spec {
        /// The file.
        file: PathBuf,
        /// JSON pointer of the offending node.
        pointer: String,
        /// What is wrong there.
        message: String,
    },
    /// The emitter produced tokens that do not parse as Rust: a generator bug, reported with
    /// the file it was writing.
    #[error("generating {file}: emitted code does not parse: {message}")]
    Emit {
        /// The generated file (relative to the crate).
        file: String,
        /// The parser's message.
        message: String,
    },
}

impl Error {
    /// Builds a [`Error::Spec`].
    pub fn spec(file: impl Into<PathBuf>, pointer: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Spec { file: file.into(), pointer: pointer.into(), message: message.into() }
    }
}

fn display_pointer(pointer: &str) -> String {
    if pointer.is_empty() { "#".to_owned() } else { format!("#{pointer}") }
}

/// Escapes one reference token of a JSON pointer (RFC 6901: `~` -> `~0`, `/` -> `~1`).
pub fn escape_token(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// `Result` with the generator's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
