//! `cargo xtask diff OLD NEW`: the semantic diff of two spec files (see [`codegen::diff`]).

use std::path::{Path, PathBuf};

use codegen::diff::{Format, Report};

/// What `cargo xtask diff` is asked to compare.
#[derive(Debug, Clone)]
pub struct DiffRequest {
    /// The older spec file (YAML or JSON; Swagger 2.0, OpenAPI 3.0 or 3.1).
    pub old: PathBuf,
    /// The newer spec file.
    pub new: PathBuf,
    /// Overlays applied to both, in order.
    pub overlays: Vec<PathBuf>,
    /// Output format.
    pub format: Format,
}

/// Diffs the two files and returns the report, rendered.
pub fn run(request: &DiffRequest) -> Result<(Report, String), codegen::Error> {
    let overlays: Vec<&Path> = request.overlays.iter().map(PathBuf::as_path).collect();
    let report = codegen::diff::diff_files(&request.old, &request.new, &overlays)?;
    let text = report.render(request.format);
    Ok((report, text))
}

/// The output format chosen by the `--markdown` and `--json` flags (text when neither).
pub fn format_from_flags(markdown: bool, json: bool) -> Format {
    match (markdown, json) {
        (_, true) => Format::Json,
        (true, false) => Format::Markdown,
        (false, false) => Format::Text,
    }
}
