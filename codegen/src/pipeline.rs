//! The whole pipeline for one spec file, with the time spent in each stage and the counts the
//! generation summary reports.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;
use std::time::{Duration, Instant};

use crate::emit::{self, CrateConfig, GeneratedFile};
use crate::error::Result;
use crate::ir::{self, Ir};
use crate::overlay::{self, Applied};
use crate::{load, normalize};

/// The result of generating one crate.
#[derive(Debug)]
pub struct Generation {
    /// The files of the crate's `src/`.
    pub files: Vec<GeneratedFile>,
    /// The IR they were emitted from.
    pub ir: Ir,
    /// What to tell the maintainer.
    pub summary: Summary,
}

/// Counts and timings of one generation.
#[derive(Debug, Clone)]
pub struct Summary {
    /// The input's format, as detected (`OpenAPI 3.1.0`).
    pub format: String,
    /// Operations in the spec.
    pub operations: usize,
    /// Component schemas in the spec.
    pub schemas: usize,
    /// Named Rust types emitted (components and inline schemas).
    pub types: usize,
    /// Lines of generated code.
    pub lines: usize,
    /// Rewrites the normalizer made: kind -> count.
    pub rewrites: BTreeMap<String, usize>,
    /// Fallbacks used: reason -> locations.
    pub fallbacks: BTreeMap<String, Vec<String>>,
    /// Spec parts handled outside generated signatures: reason -> locations.
    pub omitted: BTreeMap<String, Vec<String>>,
    /// What each overlay action changed.
    pub overlays: Vec<Applied>,
    /// Time per stage, in pipeline order.
    pub stages: Vec<(&'static str, Duration)>,
    /// Paginated operations per pager strategy.
    pub pagers: BTreeMap<&'static str, usize>,
}

/// Runs load, normalize, overlay, parse, IR and emit on one spec file; `overlays` are applied
/// in the order given.
pub fn generate(spec: &Path, overlays: &[&Path], cfg: &CrateConfig) -> Result<Generation> {
    let mut stages = Vec::new();
    let mut clock = Instant::now();
    let mut lap = |name: &'static str, stages: &mut Vec<(&'static str, Duration)>| {
        let now = Instant::now();
        stages.push((name, now - clock));
        clock = now;
    };

    let loaded = load::load_file(spec)?;
    lap("load", &mut stages);
    let format = loaded.info().to_string();
    let normalized = normalize::normalize(&loaded)?;
    lap("normalize", &mut stages);
    let mut doc = normalized.doc;
    let mut applied = Vec::new();
    for path in overlays {
        let o = overlay::load(path)?;
        applied.extend(overlay::apply(&mut doc, &o)?);
    }
    lap("overlay", &mut stages);
    let openapi = normalize::parse(spec, doc)?;
    lap("parse", &mut stages);
    let ir = ir::build(&openapi, spec)?;
    lap("ir", &mut stages);
    let files = emit::emit(&ir, cfg)?;
    lap("emit", &mut stages);

    let summary = Summary {
        format,
        operations: ir.operations.len(),
        schemas: ir.component_schemas,
        types: ir.types.len(),
        lines: files.iter().map(|f| f.contents.lines().count()).sum(),
        rewrites: normalized.rewrites.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
        fallbacks: ir.fallbacks.clone(),
        omitted: ir.omitted.clone(),
        overlays: applied,
        stages,
        pagers: count_pagers(&ir),
    };
    Ok(Generation { files, ir, summary })
}

fn count_pagers(ir: &Ir) -> BTreeMap<&'static str, usize> {
    use crate::ir::{PageTotal, Pagination};
    let mut out = BTreeMap::new();
    for p in ir.operations.iter().filter_map(|o| o.pagination.as_ref()) {
        let kind = match p {
            Pagination::SkipLimit { total: PageTotal::Header { .. }, .. } => "skip/limit + x-total-count",
            Pagination::SkipLimit { .. } => "skip/limit + body total",
            Pagination::SearchBody { .. } => "skip/limit in body",
            Pagination::SearchAfter { .. } => "search_after",
            Pagination::PageToken { .. } => "page token",
        };
        *out.entry(kind).or_default() += 1;
    }
    out
}

impl Summary {
    fn pagers_line(&self) -> String {
        let total: usize = self.pagers.values().sum();
        let parts: Vec<String> = self.pagers.iter().map(|(k, n)| format!("{n} {k}")).collect();
        if parts.is_empty() { "0".to_owned() } else { format!("{total} ({})", parts.join(", ")) }
    }

    /// The report printed by `cargo xtask generate`: counts, every fallback with its reason,
    /// and time per stage. `verbose` lists each fallback's locations too.
    pub fn render(&self, name: &str, verbose: bool) -> String {
        let mut out = String::new();
        let total: Duration = self.stages.iter().map(|(_, d)| *d).sum();
        let _ = writeln!(out, "{name}: {}", self.format);
        let _ = writeln!(
            out,
            "  operations: {} generated, 0 skipped; schemas: {}; types emitted: {}; lines: {}",
            self.operations, self.schemas, self.types, self.lines
        );
        let _ = writeln!(out, "  pagers: {}", self.pagers_line());
        let fallback_count: usize = self.fallbacks.values().map(Vec::len).sum();
        let _ = writeln!(out, "  fallbacks: {fallback_count}");
        for (reason, at) in &self.fallbacks {
            let _ = writeln!(out, "    {:>5}  {reason}", at.len());
            if verbose {
                for p in at {
                    let _ = writeln!(out, "             #{p}");
                }
            }
        }
        let rewrite_count: usize = self.rewrites.values().sum();
        let _ = writeln!(out, "  normalizer rewrites: {rewrite_count}");
        for (kind, n) in &self.rewrites {
            let _ = writeln!(out, "    {n:>5}  {kind}");
        }
        let touched: usize = self.overlays.iter().map(|a| a.touched.len()).sum();
        let _ = writeln!(out, "  overlay actions: {} applied, {touched} nodes changed", self.overlays.len());
        if verbose {
            for a in &self.overlays {
                let _ = writeln!(out, "    {:>5}  {}#/actions/{}: {}", a.touched.len(), a.file.display(), a.index, a.description);
            }
        }
        let omitted_count: usize = self.omitted.values().map(Vec::len).sum();
        let _ = writeln!(out, "  handled by the client, not in signatures: {omitted_count}");
        for (reason, at) in &self.omitted {
            let _ = writeln!(out, "    {:>5}  {reason}", at.len());
        }
        let stages: Vec<String> =
            self.stages.iter().map(|(n, d)| format!("{n} {:.1} ms", d.as_secs_f64() * 1e3)).collect();
        let _ = writeln!(out, "  time: {} (total {:.1} ms)", stages.join(", "), total.as_secs_f64() * 1e3);
        out
    }
}
