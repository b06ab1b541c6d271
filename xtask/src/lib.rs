//! Library side of `cargo xtask`, so that integration tests and later commands (such as an
//! `update-specs` that moves the pins) reuse the same pieces as the command line.

use std::path::{Path, PathBuf};

pub mod diff_cmd;
pub mod fetch;
pub mod generate;
pub mod pins;
pub mod update;

/// Root of the workspace this xtask belongs to.
///
/// Taken from where the xtask crate was compiled rather than the current directory, so that
/// `cargo xtask` behaves the same from any subdirectory.
pub fn workspace_root() -> PathBuf {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest_dir.parent().unwrap_or(manifest_dir).to_path_buf()
}

/// Resolves a user-supplied path: absolute paths as given, relative ones against `root`.
pub fn resolve(root: &Path, path: &Path) -> PathBuf {
    if path.is_absolute() {
        path.to_path_buf()
    } else {
        root.join(path)
    }
}
