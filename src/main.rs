//! The `kavosh` command line: `ingest`, `serve`, `search`, `analyze`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};
use kavosh::calendar::Day;
use kavosh::document::Kind;
use kavosh::index::SearchIndex;
use kavosh::search::stats::{StatsBy, StatsRequest};
use kavosh::search::{self, Filters, SearchRequest, Sort, Typos};

#[derive(Parser)]
#[command(name = "kavosh", version, about = "Persian-first full-text search")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Index park pages (.txt) and NDJSON (.ndjson/.jsonl) files or directories, upserting by
    /// id. Rejected records are reported as FILE:LINE: reason on stderr; exit status 0 when all
    /// were accepted, 1 when some were rejected, 2 on usage errors.
    Ingest {
        #[arg(long, env = "KAVOSH_INDEX", default_value = "index")]
        index: PathBuf,
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
    /// Search an index from the command line.
    Search {
        #[arg(long, env = "KAVOSH_INDEX", default_value = "index")]
        index: PathBuf,
        /// Print the full reply as JSON (the shape of GET /search).
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        filters: FilterArgs,
        #[arg(long, default_value = "relevance", value_parser = parse_sort)]
        sort: Sort,
        #[arg(long, default_value = "auto", value_parser = parse_typos)]
        typos: Typos,
        #[arg(long, default_value_t = 1)]
        page: usize,
        #[arg(long, default_value_t = 10)]
        per_page: usize,
        /// Search exactly what was typed: no reading of a wrong keyboard layout or Finglish,
        /// no synonyms.
        #[arg(long)]
        no_rewrite: bool,
        /// The query (several arguments are joined with spaces).
        query: Vec<String>,
    },
    /// Count documents by partner, domain, kind, Jalali year or month (two --by for a
    /// two-level breakdown), for an optional query and filters.
    Stats {
        #[arg(long, env = "KAVOSH_INDEX", default_value = "index")]
        index: PathBuf,
        #[arg(long, required = true, value_parser = parse_by)]
        by: Vec<StatsBy>,
        /// Keep the N largest buckets of each level (time: the latest N).
        #[arg(long)]
        top: Option<usize>,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
        #[command(flatten)]
        filters: FilterArgs,
        /// The query (several arguments are joined with spaces; none: every document).
        query: Vec<String>,
    },
    /// Print the terms the analyzer makes of TEXT: field, position, term, from, to (byte
    /// offsets into TEXT), tab separated.
    Analyze {
        /// Show how a query is analyzed instead of a document.
        #[arg(long)]
        query: bool,
        /// The text (several arguments are joined with spaces).
        #[arg(required = true)]
        text: Vec<String>,
    },
    /// Serve search over HTTP. An empty index is first filled from the corpus directory.
    Serve {
        /// The index directory.
        #[arg(long, env = "KAVOSH_INDEX", default_value = "index")]
        index: PathBuf,
        /// Address and port to listen on.
        #[arg(long, env = "KAVOSH_LISTEN", default_value = "127.0.0.1:8080")]
        listen: String,
        /// Documents to ingest when the index is empty.
        #[arg(long, env = "KAVOSH_CORPUS", default_value = "corpus")]
        corpus: PathBuf,
        /// The key writes must present as `Authorization: Bearer KEY`; without one, writes
        /// are refused. Prefer the environment variable to the flag.
        #[arg(long, env = "KAVOSH_API_KEY", hide_env_values = true)]
        api_key: Option<String>,
        /// Origins allowed to call the API from browsers, comma-separated.
        #[arg(long, env = "KAVOSH_CORS_ORIGINS", value_delimiter = ',')]
        cors_origins: Vec<String>,
    },
}

/// Filters shared by `search` and `stats`.
#[derive(Args)]
struct FilterArgs {
    #[arg(long, value_parser = parse_kind)]
    kind: Vec<Kind>,
    #[arg(long)]
    partner: Vec<String>,
    #[arg(long)]
    domain: Vec<String>,
    /// Jalali year.
    #[arg(long)]
    year: Vec<u64>,
    /// First day (Jalali 1404/01/01 or ISO 2025-03-21).
    #[arg(long, value_parser = parse_day)]
    from: Option<Day>,
    /// Last day.
    #[arg(long, value_parser = parse_day)]
    to: Option<Day>,
}

impl From<FilterArgs> for Filters {
    fn from(a: FilterArgs) -> Filters {
        Filters {
            kinds: a.kind,
            partners: a.partner,
            domains: a.domain,
            years: a.year,
            from: a.from,
            to: a.to,
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Table,
    Json,
    Csv,
}

fn main() -> ExitCode {
    init_logging();
    let cli = Cli::parse();
    match cli.command {
        Command::Analyze { query, text } => analyze(query, &text.join(" ")),
        Command::Ingest { index, paths } => ingest(&index, &paths),
        Command::Search {
            index,
            json,
            filters,
            sort,
            typos,
            page,
            per_page,
            no_rewrite,
            query,
        } => {
            let request = SearchRequest {
                q: query.join(" "),
                filters: filters.into(),
                sort,
                typos,
                page,
                per_page,
                rewrite: !no_rewrite,
                ..SearchRequest::default()
            };
            search_command(&index, &request, json)
        }
        Command::Stats {
            index,
            by,
            top,
            format,
            filters,
            query,
        } => {
            let request = StatsRequest {
                q: query.join(" "),
                filters: filters.into(),
                by,
                top,
                typos: Typos::Auto,
            };
            stats_command(&index, &request, format)
        }
        Command::Serve {
            index,
            listen,
            corpus,
            api_key,
            cors_origins,
        } => serve(kavosh::server::Config {
            index,
            listen,
            api_key,
            corpus,
            cors_origins,
        }),
    }
}

/// Logs to stderr, filtered by `RUST_LOG` (default `info`: one line per request), as JSON
/// lines when `KAVOSH_LOG_FORMAT=json`, coloured only on a terminal.
fn init_logging() {
    use std::io::IsTerminal;
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr);
    if std::env::var("KAVOSH_LOG_FORMAT").is_ok_and(|f| f == "json") {
        builder.json().init();
    } else {
        builder.init();
    }
}

fn serve(config: kavosh::server::Config) -> ExitCode {
    let result = tokio::runtime::Runtime::new()
        .map_err(|e| format!("cannot start the async runtime: {e}"))
        .and_then(|runtime| runtime.block_on(kavosh::server::serve(config)));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("kavosh: {e}");
            ExitCode::FAILURE
        }
    }
}

fn parse_by(s: &str) -> Result<StatsBy, String> {
    StatsBy::parse(s).ok_or_else(|| "expected partner, domain, kind, year or month".to_string())
}

fn stats_command(dir: &std::path::Path, request: &StatsRequest, format: Format) -> ExitCode {
    let index = match open_index(dir) {
        Ok(i) => i,
        Err(code) => return code,
    };
    let stats = match search::stats::stats(&index, request) {
        Ok(s) => s,
        Err(e) => return report_search_error(e),
    };
    match format {
        Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(&stats).expect("a reply serializes")
        ),
        Format::Csv => print!("{}", search::export::stats_csv(&stats)),
        Format::Table => {
            println!("{} documents by {}", stats.total, stats.by.join(", "));
            print_buckets(&stats.buckets, 0);
        }
    }
    ExitCode::SUCCESS
}

fn print_buckets(buckets: &[search::stats::StatsBucket], depth: usize) {
    for b in buckets {
        let label = b
            .label
            .as_deref()
            .map(|l| format!(" ({l})"))
            .unwrap_or_default();
        println!(
            "{:indent$}{:>6}  {}{}",
            "",
            b.count,
            b.key,
            label,
            indent = depth * 4
        );
        if let Some(inner) = &b.buckets {
            print_buckets(inner, depth + 1);
        }
    }
}

fn report_search_error(e: search::SearchError) -> ExitCode {
    match e {
        search::SearchError::Invalid(msg) => eprintln!("kavosh: {msg}"),
        search::SearchError::Index(e) => eprintln!("kavosh: {e}"),
    }
    ExitCode::from(2)
}

fn parse_kind(s: &str) -> Result<Kind, String> {
    Kind::parse(s).ok_or_else(|| "expected agreement or news".to_string())
}

fn parse_day(s: &str) -> Result<Day, String> {
    Day::parse(s).map_err(|e| e.0)
}

fn parse_sort(s: &str) -> Result<Sort, String> {
    Sort::parse(s).ok_or_else(|| "expected relevance, newest or oldest".to_string())
}

fn parse_typos(s: &str) -> Result<Typos, String> {
    Typos::parse(s).ok_or_else(|| "expected 0, 1, 2 or auto".to_string())
}

fn open_index(dir: &std::path::Path) -> Result<SearchIndex, ExitCode> {
    SearchIndex::open_or_create(dir).map_err(|e| {
        eprintln!("kavosh: {e}");
        ExitCode::from(2)
    })
}

fn ingest(dir: &std::path::Path, paths: &[PathBuf]) -> ExitCode {
    let index = match open_index(dir) {
        Ok(i) => i,
        Err(code) => return code,
    };
    match kavosh::ingest::ingest_paths(&index, paths) {
        Ok(report) => {
            for r in &report.rejected {
                eprintln!("{r}");
            }
            println!("{report}");
            if report.rejected.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
        }
        Err(e) => {
            eprintln!("kavosh: {e}; documents of earlier batches are committed");
            ExitCode::from(2)
        }
    }
}

fn reason_text(reason: search::rewrite::RewriteReason) -> &'static str {
    use search::rewrite::RewriteReason;
    match reason {
        RewriteReason::KeyboardLayout => "keyboard layout",
        RewriteReason::Finglish => "Finglish",
        RewriteReason::Mixed => "several reasons",
    }
}

fn search_command(dir: &std::path::Path, request: &SearchRequest, json: bool) -> ExitCode {
    let index = match open_index(dir) {
        Ok(i) => i,
        Err(code) => return code,
    };
    let response = match search::search(&index, request) {
        Ok(r) => r,
        Err(e) => return report_search_error(e),
    };
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&response).expect("a reply serializes")
        );
        return ExitCode::SUCCESS;
    }
    for w in &response.warnings {
        eprintln!("warning: {w}");
    }
    if let Some(r) = &response.rewritten {
        let reasons: Vec<String> = r
            .words
            .iter()
            .map(|w| format!("{} → {} ({})", w.from, w.to, reason_text(w.reason)))
            .collect();
        println!(
            "showing results for: {}  [{}; --no-rewrite searches {:?} as typed]",
            r.to,
            reasons.join(", "),
            r.from
        );
    }
    println!(
        "{} documents{} ({:.1} ms)",
        response.total,
        if response.relaxed {
            ", matching any word"
        } else {
            ""
        },
        response.took_ms
    );
    let first = (response.page - 1) * response.per_page;
    for (i, hit) in response.hits.iter().enumerate() {
        let number = hit.number.map(|n| format!(" #{n}")).unwrap_or_default();
        println!(
            "\n{}. {}  {} ({})  {}{}",
            first + i + 1,
            hit.id,
            hit.date_jalali,
            hit.date,
            hit.kind.as_str(),
            number
        );
        println!("   {}", hit.title);
        if !hit.partners.is_empty() {
            println!("   partners: {}", hit.partners.join(" | "));
        }
        if !hit.domains.is_empty() {
            println!("   domains: {}", hit.domains.join(", "));
        }
        println!("   {}", plain(&hit.highlights.body));
    }
    if let Some(suggestion) = &response.did_you_mean {
        println!("\ndid you mean: {suggestion}");
    }
    ExitCode::SUCCESS
}

/// A highlight as plain text: marks shown as [..], entities decoded.
fn plain(html: &str) -> String {
    html.replace("<mark>", "[")
        .replace("</mark>", "]")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

fn analyze(query: bool, text: &str) -> ExitCode {
    let terms = if query {
        kavosh::analysis::query_terms(text)
    } else {
        kavosh::analysis::document_terms(text)
    };
    for t in terms {
        println!(
            "{}\t{}\t{}\t{}\t{}",
            t.field, t.position, t.term, t.from, t.to
        );
    }
    ExitCode::SUCCESS
}
