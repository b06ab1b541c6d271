//! `cargo xtask`: the workspace's maintenance commands.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use xtask::{fetch, pins, resolve, workspace_root};

#[derive(Parser)]
#[command(
    name = "cargo xtask",
    bin_name = "cargo xtask",
    about = "Maintenance commands of the JumpCloud client workspace"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Fetch the pinned spec files into specs/fetched/, verifying their sha256.
    ///
    /// Without --from, downloads each pinned URL. Nothing in specs/fetched/ changes unless
    /// every file verifies. Relative paths are taken from the workspace root, not the current
    /// directory.
    FetchSpecs(FetchSpecsArgs),
    /// Generate the client crates from the fetched specs (specs/fetched/).
    ///
    /// Prints, per spec: detected format, operations, schemas, types emitted, every fallback
    /// used with its reason, and time per stage. Writes a file only when its bytes change.
    Generate(GenerateArgs),
    /// Compare two spec files semantically: operations, types, fields and enum values added,
    /// removed and changed, each marked breaking or not for the generated crates.
    ///
    /// Relative paths are taken from the workspace root, not the current directory.
    Diff(DiffArgs),
    /// Move the pins to the specs JumpCloud publishes now: fetch them (or copy them from
    /// --from DIR), print the semantic diff against the pinned ones, regenerate the crates,
    /// update specs/pins.toml and each crate's CHANGELOG.md, and suggest the version bump.
    ///
    /// Nothing is written when fetching, diffing or generating fails. Without --commit, the
    /// pins' `commit` and `url` keep naming the previous commit (see specs/README.md).
    UpdateSpecs(UpdateSpecsArgs),
}

#[derive(Args)]
struct UpdateSpecsArgs {
    /// Copy the new files from this directory (pinned file names: v1.yaml, v2.yaml,
    /// insights.yaml) instead of downloading each pin's `published_url`.
    #[arg(long, value_name = "DIR")]
    from: Option<PathBuf>,
    /// The commit of JumpCloud's docs repository that published the new files: moves the
    /// pins' `commit` and `url` (downloads are checked against it).
    #[arg(long, value_name = "SHA")]
    commit: Option<String>,
    /// Print the diffs and the suggestion; write nothing.
    #[arg(long)]
    dry_run: bool,
    /// List the location of every fallback in the generation summary.
    #[arg(long, short)]
    verbose: bool,
}

#[derive(Args)]
struct DiffArgs {
    /// The older spec file (YAML or JSON; Swagger 2.0, OpenAPI 3.0 or 3.1).
    old: PathBuf,
    /// The newer spec file.
    new: PathBuf,
    /// Print markdown instead of text.
    #[arg(long, conflicts_with = "json")]
    markdown: bool,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
    /// Apply this overlay to both files first (repeatable, applied in order).
    #[arg(long, value_name = "FILE")]
    overlay: Vec<PathBuf>,
}

#[derive(Args)]
struct GenerateArgs {
    /// Write nothing; fail, naming the files, if the committed crates differ from what the
    /// generator produces.
    #[arg(long)]
    check: bool,
    /// List the location of every fallback and what every overlay action touched.
    #[arg(long, short)]
    verbose: bool,
    /// First fetch the pinned specs from this directory (as `fetch-specs --from DIR`), so that
    /// one command goes from a fresh clone to generated crates.
    #[arg(long, value_name = "DIR")]
    from: Option<PathBuf>,
}

#[derive(Args)]
struct FetchSpecsArgs {
    /// Copy the files from this directory (one file per pin, under its pinned file name)
    /// instead of downloading them.
    #[arg(long, value_name = "DIR")]
    from: Option<PathBuf>,
    /// Pins file to read.
    #[arg(long, value_name = "FILE", default_value = pins::PINS_FILE)]
    pins: PathBuf,
    /// Directory to write the verified files into.
    #[arg(long, value_name = "DIR", default_value = fetch::FETCHED_DIR)]
    out: PathBuf,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::FetchSpecs(args) => fetch_specs(&args),
        Command::Generate(args) => generate(&args),
        Command::Diff(args) => diff(&args),
        Command::UpdateSpecs(args) => update_specs(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            let mut source = error.source();
            while let Some(cause) = source {
                eprintln!("  caused by: {cause}");
                source = cause.source();
            }
            ExitCode::FAILURE
        }
    }
}

fn fetch_specs(args: &FetchSpecsArgs) -> Result<(), Box<dyn std::error::Error>> {
    let root = workspace_root();
    let pins = pins::load_file(&resolve(&root, &args.pins))?;
    let out = resolve(&root, &args.out);
    let fetched = match &args.from {
        Some(dir) => fetch::fetch_from_dir(&pins.specs, &resolve(&root, dir), &out)?,
        None => fetch::fetch_url(&pins.specs, &fetch::default_agent(), &out)?,
    };
    for file in &fetched {
        println!(
            "{:<16} {:>10} bytes  sha256 {} ok",
            file.file, file.size, file.sha256
        );
    }
    println!("{} files in {}", fetched.len(), out.display());
    Ok(())
}

fn generate(args: &GenerateArgs) -> Result<(), Box<dyn std::error::Error>> {
    let root = workspace_root();
    if let Some(dir) = &args.from {
        fetch_specs(&FetchSpecsArgs {
            from: Some(dir.clone()),
            pins: PathBuf::from(pins::PINS_FILE),
            out: PathBuf::from(fetch::FETCHED_DIR),
        })?;
    }
    let outcome = xtask::generate::run(&root, args.check, args.verbose)?;
    for report in &outcome.reports {
        print!("{report}");
    }
    let rel = |p: &std::path::Path| p.strip_prefix(&root).unwrap_or(p).display().to_string();
    if args.check {
        if outcome.changed.is_empty() && outcome.stale.is_empty() {
            println!("generate --check: the committed crates match the specs and the generator");
            return Ok(());
        }
        for p in &outcome.changed {
            eprintln!("differs: {}", rel(p));
        }
        for p in &outcome.stale {
            eprintln!("no longer generated: {}", rel(p));
        }
        return Err(format!(
            "{} generated files are out of date; run `cargo xtask generate` and commit the result",
            outcome.changed.len() + outcome.stale.len()
        )
        .into());
    }
    println!(
        "generate: {} files written, {} stale files removed",
        outcome.changed.len(),
        outcome.stale.len()
    );
    Ok(())
}

fn diff(args: &DiffArgs) -> Result<(), Box<dyn std::error::Error>> {
    let root = workspace_root();
    let request = xtask::diff_cmd::DiffRequest {
        old: resolve(&root, &args.old),
        new: resolve(&root, &args.new),
        overlays: args.overlay.iter().map(|o| resolve(&root, o)).collect(),
        format: xtask::diff_cmd::format_from_flags(args.markdown, args.json),
    };
    let (_, text) = xtask::diff_cmd::run(&request)?;
    print!("{text}");
    Ok(())
}

fn update_specs(args: &UpdateSpecsArgs) -> Result<(), Box<dyn std::error::Error>> {
    let root = workspace_root();
    let options = xtask::update::Options {
        from: args.from.as_ref().map(|d| resolve(&root, d)),
        commit: args.commit.clone(),
        dry_run: args.dry_run,
        verbose: args.verbose,
    };
    let mut stdout = std::io::stdout().lock();
    xtask::update::run(&root, &options, &fetch::default_agent(), &mut stdout)?;
    Ok(())
}
