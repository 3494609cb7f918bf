//! The `kavosh` command line: `ingest`, `crawl`, `serve`, `search`, `stats`, `partners`,
//! `analyze`, `migrate`, `dump`, `restore`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};
use kavosh::calendar::Day;
use kavosh::document::Kind;
use kavosh::index::SearchIndex;
use kavosh::insights::InsightsConfig;
use kavosh::progress::Progress;
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
    /// were accepted, 1 when some were rejected, 2 on usage errors. On a terminal, a progress
    /// bar shows the documents read, their rate, the share of the input read and the time left.
    Ingest {
        #[arg(long, env = "KAVOSH_INDEX", default_value = "index")]
        index: PathBuf,
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
    /// Crawl websites into the index and keep it in step with them: articles indexed, changed
    /// pages updated, removed pages deleted. Pages that could not be read are reported as
    /// URL: reason on stderr; exit status 0, 1 when some pages failed, 2 on usage errors.
    Crawl {
        #[arg(long, env = "KAVOSH_INDEX", default_value = "index")]
        index: PathBuf,
        /// Only follow URLs that start with this prefix (repeatable; default: anything on the
        /// start URLs' hosts).
        #[arg(long, value_name = "PREFIX")]
        allow: Vec<String>,
        /// Never follow URLs that match this regular expression (repeatable).
        #[arg(long, value_name = "REGEX")]
        deny: Vec<String>,
        /// Fetch at most N pages (a crawl cut short deletes nothing it did not reach).
        #[arg(long, value_name = "N")]
        max_pages: Option<usize>,
        /// Milliseconds between two requests to a host (robots.txt's Crawl-delay when longer).
        #[arg(long, value_name = "MS", default_value_t = kavosh::crawl::DEFAULT_DELAY.as_millis() as u64)]
        delay_ms: u64,
        /// Most requests at once (one per host at a time).
        #[arg(long, value_name = "N", default_value_t = kavosh::crawl::DEFAULT_CONCURRENCY)]
        concurrency: usize,
        /// The User-Agent sent; robots.txt groups are matched against its first word.
        #[arg(long, value_name = "UA", default_value = kavosh::crawl::DEFAULT_USER_AGENT)]
        user_agent: String,
        /// The CSS selector of the element that holds the article, for a site where automatic
        /// reading fails.
        #[arg(long, value_name = "CSS")]
        selector: Option<String>,
        /// Where to start (http or https).
        #[arg(required = true, value_name = "START_URL")]
        start_urls: Vec<String>,
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
        bom: BomArg,
        #[command(flatten)]
        filters: FilterArgs,
        /// The query (several arguments are joined with spaces; none: every document).
        query: Vec<String>,
    },
    /// List the partners of an index: each with its key, the name facets and stats show, its
    /// documents, the forms sources wrote for it, and the partners that may be the same
    /// organisation (to confirm, then merge with PUT /partners/{key}).
    Partners {
        #[arg(long, env = "KAVOSH_INDEX", default_value = "index")]
        index: PathBuf,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
        #[command(flatten)]
        bom: BomArg,
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
    /// Rebuild an index built by an older version of kavosh from its stored documents, in a
    /// new directory beside it that then takes its place (serve and ingest do it on their own).
    Migrate {
        #[arg(long, env = "KAVOSH_INDEX", default_value = "index")]
        index: PathBuf,
    },
    /// Merge an index's segments into at most N of about equal size, deleted documents
    /// dropped: the last step of a bulk load. Searches of the index go on meanwhile; a running
    /// serve holds the index's writer, so stop it first.
    Compact {
        #[arg(long, env = "KAVOSH_INDEX", default_value = "index")]
        index: PathBuf,
        /// At most this many segments (2: a search still uses both cores).
        #[arg(long, default_value_t = kavosh::index::COMPACT_SEGMENTS as u16, value_parser = clap::value_parser!(u16).range(1..=64))]
        segments: u16,
    },
    /// Write every document (as stored) and every setting of an index as NDJSON, gzip when
    /// the file name ends in .gz. Works beside a running serve: the dump is of its last commit.
    Dump {
        #[arg(long, env = "KAVOSH_INDEX", default_value = "index")]
        index: PathBuf,
        /// The file to write (`-`: standard output, uncompressed); default: a new
        /// dump-DATE-TIME.ndjson.gz in the dumps directory.
        #[arg(long)]
        output: Option<PathBuf>,
        /// Where dumps are kept (default: beside the index, DIR.dumps).
        #[arg(long, env = "KAVOSH_DUMPS")]
        dumps: Option<PathBuf>,
    },
    /// Build a new index from a dump (of this kavosh or an earlier one), into a directory that
    /// is missing or empty.
    Restore {
        /// The dump, gzipped or not.
        file: PathBuf,
        /// The new index's directory.
        #[arg(long)]
        index: PathBuf,
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
        /// More admin keys, comma-separated (several are valid at once while keys rotate).
        #[arg(
            long,
            env = "KAVOSH_API_KEYS",
            hide_env_values = true,
            value_delimiter = ','
        )]
        api_keys: Vec<String>,
        /// Keys that reads need, comma-separated; when set, every route but /health and the
        /// page's files needs a read or an admin key.
        #[arg(
            long = "read-key",
            env = "KAVOSH_READ_KEY",
            hide_env_values = true,
            value_delimiter = ','
        )]
        read_keys: Vec<String>,
        #[command(flatten)]
        limits: kavosh::server::limits::LimitArgs,
        /// Origins allowed to call the API from browsers, comma-separated.
        #[arg(long, env = "KAVOSH_CORS_ORIGINS", value_delimiter = ',')]
        cors_origins: Vec<String>,
        #[command(flatten)]
        insights: InsightsArgs,
        /// Crawl this site at start and then every --crawl-every, in the background
        /// (repeatable; the environment variable is comma-separated). The corpus is then not
        /// ingested into an empty index.
        #[arg(
            long = "crawl",
            env = "KAVOSH_CRAWL",
            value_delimiter = ',',
            value_name = "URL"
        )]
        crawl_urls: Vec<String>,
        /// How often to crawl: 30m, 6h, 1d…
        #[arg(long, env = "KAVOSH_CRAWL_EVERY", default_value = "24h", value_parser = kavosh::crawl::schedule::parse_duration)]
        crawl_every: std::time::Duration,
        /// Milliseconds between two requests to a crawled host (robots.txt's Crawl-delay when
        /// longer).
        #[arg(long, env = "KAVOSH_CRAWL_DELAY_MS", value_name = "MS", default_value_t = kavosh::crawl::DEFAULT_DELAY.as_millis() as u64)]
        crawl_delay_ms: u64,
        /// Where POST /dumps writes dumps (default: beside the index, DIR.dumps).
        #[arg(long, env = "KAVOSH_DUMPS")]
        dumps: Option<PathBuf>,
        /// Where POST /snapshots writes snapshots (default: beside the index, DIR.snapshots).
        #[arg(long, env = "KAVOSH_SNAPSHOTS")]
        snapshots: Option<PathBuf>,
        /// Megabytes of search and suggestion replies kept for repeated requests until the
        /// index or its settings change (0: none).
        #[arg(long, env = "KAVOSH_SEARCH_CACHE_MB", value_name = "MB",
              default_value_t = kavosh::search::cache::DEFAULT_CACHE_BYTES / (1024 * 1024))]
        search_cache_mb: usize,
    },
}

/// Whether CSV starts with a UTF-8 byte order mark (so that Excel and LibreOffice read Persian).
#[derive(Args)]
struct BomArg {
    /// With --format csv: start with a UTF-8 byte order mark (true, the default) or not.
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set)]
    bom: bool,
}

/// How search insights are kept by `serve`.
#[derive(Args)]
struct InsightsArgs {
    /// Count what visitors search for (on), or count and store nothing (off).
    #[arg(long = "insights", env = "KAVOSH_INSIGHTS", default_value = "on", value_parser = parse_on_off)]
    enabled: bool,
    /// Queries searched fewer times in a report's range are never shown.
    #[arg(long = "insights-min-count", env = "KAVOSH_INSIGHTS_MIN_COUNT", default_value_t = 2,
          value_parser = parse_min_count)]
    min_count: u64,
    /// Days of insights kept, today included (at most 3660).
    #[arg(long = "insights-days", env = "KAVOSH_INSIGHTS_DAYS", default_value_t = 90,
          value_parser = parse_retention_days)]
    retention_days: u32,
}

impl From<InsightsArgs> for InsightsConfig {
    fn from(a: InsightsArgs) -> InsightsConfig {
        InsightsConfig {
            enabled: a.enabled,
            min_count: a.min_count,
            retention_days: a.retention_days,
        }
    }
}

fn parse_min_count(s: &str) -> Result<u64, String> {
    s.parse()
        .ok()
        .filter(|n| *n >= 1)
        .ok_or_else(|| "expected a whole number from 1".into())
}

fn parse_retention_days(s: &str) -> Result<u32, String> {
    let max = kavosh::insights::MAX_RANGE_DAYS;
    s.parse()
        .ok()
        .filter(|n| (1..=max).contains(&i64::from(*n)))
        .ok_or_else(|| format!("expected 1 to {max} days"))
}

fn parse_on_off(s: &str) -> Result<bool, String> {
    match s {
        "on" => Ok(true),
        "off" => Ok(false),
        _ => Err("expected on or off".into()),
    }
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

/// `kavosh search … | head`: when the reader of stdout goes away, end as Unix tools do (killed by
/// SIGPIPE, silently) instead of panicking in `println!`. Rust ignores SIGPIPE so that servers see
/// `EPIPE` as an error; `serve` and `crawl` keep that.
fn end_quietly_on_a_closed_pipe() {
    #[cfg(unix)]
    // SAFETY: called before any thread is started; SIG_DFL is a valid disposition for SIGPIPE.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

fn main() -> ExitCode {
    init_logging();
    let cli = Cli::parse();
    if !matches!(cli.command, Command::Serve { .. } | Command::Crawl { .. }) {
        end_quietly_on_a_closed_pipe();
    }
    match cli.command {
        Command::Analyze { query, text } => analyze(query, &text.join(" ")),
        Command::Ingest { index, paths } => ingest(&index, &paths),
        Command::Migrate { index } => migrate_command(&index),
        Command::Compact { index, segments } => compact_command(&index, segments.into()),
        Command::Crawl {
            index,
            allow,
            deny,
            max_pages,
            delay_ms,
            concurrency,
            user_agent,
            selector,
            start_urls,
        } => {
            let options =
                crawl_options(&start_urls, &allow, &deny, selector.as_deref()).map(|mut o| {
                    o.max_pages = max_pages;
                    o.delay = std::time::Duration::from_millis(delay_ms);
                    o.concurrency = concurrency.max(1);
                    o.user_agent = user_agent;
                    o
                });
            match options {
                Ok(options) => crawl(&index, &options),
                Err(e) => {
                    eprintln!("kavosh: {e}");
                    ExitCode::from(2)
                }
            }
        }
        Command::Dump {
            index,
            output,
            dumps,
        } => dump_command(&index, output, dumps),
        Command::Restore { file, index } => restore_command(&file, &index),
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
        Command::Partners { index, format, bom } => partners_command(&index, format, bom.bom),
        Command::Stats {
            index,
            by,
            top,
            format,
            bom,
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
            stats_command(&index, &request, format, bom.bom)
        }
        Command::Serve {
            index,
            listen,
            corpus,
            api_key,
            api_keys,
            read_keys,
            limits,
            cors_origins,
            insights,
            crawl_urls,
            crawl_every,
            crawl_delay_ms,
            dumps,
            snapshots,
            search_cache_mb,
        } => {
            let urls: Vec<String> = crawl_urls
                .into_iter()
                .filter(|u| !u.trim().is_empty())
                .collect();
            let crawl = if urls.is_empty() {
                None
            } else {
                match crawl_options(&urls, &[], &[], None) {
                    Ok(mut options) => {
                        options.delay = std::time::Duration::from_millis(crawl_delay_ms);
                        Some(options)
                    }
                    Err(e) => {
                        eprintln!("kavosh: {e}");
                        return ExitCode::from(2);
                    }
                }
            };
            serve(kavosh::server::Config {
                index,
                listen,
                api_key,
                api_keys,
                read_keys,
                limits,
                corpus,
                cors_origins,
                insights: insights.into(),
                crawl,
                crawl_every,
                dumps,
                snapshots,
                search_cache_bytes: search_cache_mb.saturating_mul(1024 * 1024),
            })
        }
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

fn stats_command(
    dir: &std::path::Path,
    request: &StatsRequest,
    format: Format,
    bom: bool,
) -> ExitCode {
    let index = match open_to_read(dir) {
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
        Format::Csv => print!(
            "{}",
            search::export::with_bom(search::export::stats_csv(&stats), bom)
        ),
        Format::Table => {
            println!("{} documents by {}", stats.total, stats.by.join(", "));
            print_buckets(&stats.buckets, 0);
        }
    }
    ExitCode::SUCCESS
}

fn partners_command(dir: &std::path::Path, format: Format, bom: bool) -> ExitCode {
    let index = match open_to_read(dir) {
        Ok(i) => i,
        Err(code) => return code,
    };
    let partners = match kavosh::index::partners::list(&index) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("kavosh: {e}");
            return ExitCode::from(2);
        }
    };
    match format {
        Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(
                &serde_json::json!({"total": partners.len(), "partners": partners})
            )
            .expect("partners serialize")
        ),
        Format::Csv => print!(
            "{}",
            search::export::with_bom(search::export::partners_csv(&partners), bom)
        ),
        Format::Table => {
            println!("{} partners", partners.len());
            for p in &partners {
                println!("{:>6}  {}  [{}]", p.documents, p.name, p.key);
                for f in p.forms.iter().filter(|f| f.name != p.name) {
                    println!("        written {} ({})", f.name, f.documents);
                }
                for d in &p.likely_duplicates {
                    println!("        same as {} [{}]? ({})", d.name, d.key, d.reason);
                }
            }
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

/// Opens an index without its writer, beside a running `serve`; warns when it is of an older
/// version (searches work, a little differently).
fn open_to_read(dir: &std::path::Path) -> Result<SearchIndex, ExitCode> {
    let index = SearchIndex::open_read_only(dir).map_err(|e| {
        eprintln!("kavosh: {e}");
        ExitCode::from(2)
    })?;
    if index.version() < kavosh::index::INDEX_VERSION {
        eprintln!(
            "warning: {}",
            kavosh::index::versions::upgrade_advice(dir, index.version())
        );
    }
    Ok(index)
}

/// Upgrades the index in `dir` if it is of an older version, saying so on stderr.
fn upgrade(dir: &std::path::Path) -> Result<(), ExitCode> {
    match showing_documents(|progress| kavosh::index::migrate::upgrade(dir, progress)) {
        Ok(Some(done)) => {
            eprintln!("kavosh: {}: {done}", dir.display());
            Ok(())
        }
        Ok(None) => Ok(()),
        Err(e) => {
            eprintln!("kavosh: {e}");
            Err(ExitCode::from(2))
        }
    }
}

fn migrate_command(dir: &std::path::Path) -> ExitCode {
    if !dir.join("meta.json").exists() && !kavosh::index::migrate::switch_was_interrupted(dir) {
        eprintln!("kavosh: there is no index in {}", dir.display());
        return ExitCode::from(2);
    }
    match upgrade(dir) {
        Ok(()) => {
            println!(
                "{}: index version {}",
                dir.display(),
                kavosh::index::INDEX_VERSION
            );
            ExitCode::SUCCESS
        }
        Err(code) => code,
    }
}

fn compact_command(dir: &std::path::Path, segments: usize) -> ExitCode {
    if !dir.join("meta.json").exists() {
        eprintln!("kavosh: there is no index in {}", dir.display());
        return ExitCode::from(2);
    }
    if let Err(code) = upgrade(dir) {
        return code;
    }
    let index = match open_index(dir) {
        Ok(i) => i,
        Err(code) => return code,
    };
    let started = std::time::Instant::now();
    match index.compact(segments) {
        Ok((before, after)) => {
            println!(
                "{}: {} documents, segments: {after} (were {before}), {:.1} seconds",
                dir.display(),
                index.num_docs(),
                started.elapsed().as_secs_f64()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("kavosh: {e}; every document is still in the index");
            ExitCode::from(2)
        }
    }
}

fn dump_command(
    dir: &std::path::Path,
    output: Option<PathBuf>,
    dumps: Option<PathBuf>,
) -> ExitCode {
    use kavosh::index::{backups, dump};
    let index = match open_to_read(dir) {
        Ok(i) => i,
        Err(code) => return code,
    };
    let result = showing_documents(|progress| match output {
        Some(path) if path.as_os_str() == "-" => {
            dump::write_dump(&index, std::io::stdout().lock(), progress).map(|h| (h, path))
        }
        output => {
            let path = output.unwrap_or_else(|| {
                let dumps = dumps.unwrap_or_else(|| backups::default_dir(dir, "dumps"));
                let name = backups::new_name(&dumps, "dump", ".ndjson.gz");
                dumps.join(name)
            });
            let parent = kavosh::index::files::parent(&path);
            std::fs::create_dir_all(parent)
                .map_err(|e| kavosh::index::IndexError(format!("{}: {e}", parent.display())))
                .and_then(|()| dump::dump_to_file(&index, &path, progress))
                .map(|h| (h, path))
        }
    });
    match result {
        Ok((header, path)) => {
            let to = if path.as_os_str() == "-" {
                "standard output".to_string()
            } else {
                path.display().to_string()
            };
            eprintln!(
                "kavosh: dumped {} documents and {} settings to {to}",
                header.documents, header.settings
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("kavosh: {e}");
            ExitCode::from(2)
        }
    }
}

fn restore_command(file: &std::path::Path, dir: &std::path::Path) -> ExitCode {
    match showing_documents(|progress| kavosh::index::dump::restore(file, dir, progress)) {
        Ok(restored) => {
            println!(
                "restored {} documents and {} settings into {} (a dump of kavosh {}, taken {})",
                restored.documents,
                restored.settings,
                dir.display(),
                restored.header.kavosh,
                restored.header.created
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("kavosh: {e}; nothing was restored");
            ExitCode::from(2)
        }
    }
}

/// Runs long index work (migrate, dump, restore) with a progress bar of its documents on a
/// terminal.
fn showing_documents<T>(work: impl FnOnce(&kavosh::index::Progress) -> T) -> T {
    let progress = std::sync::Arc::new(kavosh::index::Progress::new());
    let counter = progress.clone();
    let shown = Progress::start("documents").follow(move || counter.get());
    let result = work(&progress);
    shown.finish();
    result
}

fn open_index(dir: &std::path::Path) -> Result<SearchIndex, ExitCode> {
    SearchIndex::open_or_create(dir).map_err(|e| {
        eprintln!("kavosh: {e}");
        ExitCode::from(2)
    })
}

fn ingest(dir: &std::path::Path, paths: &[PathBuf]) -> ExitCode {
    if let Err(code) = upgrade(dir) {
        return code;
    }
    let index = match open_index(dir) {
        Ok(i) => i,
        Err(code) => return code,
    };
    let progress = Progress::start("documents");
    let result = kavosh::ingest::ingest_paths_showing(&index, paths, &progress);
    progress.finish();
    match result {
        Ok(report) => {
            for r in &report.rejected {
                eprintln!("{r}");
            }
            println!("{report}");
            if let Some((docs, segments)) = index.worth_compacting() {
                eprintln!(
                    "kavosh: the index holds {docs} documents in {segments} segments; \
                     `kavosh compact --index {}` merges them into {} (searches then take about a \
                     fifth less time)",
                    dir.display(),
                    kavosh::index::COMPACT_SEGMENTS
                );
            }
            all_or_some(report.rejected.is_empty())
        }
        Err(e) => {
            eprintln!("kavosh: {e}; documents of earlier batches are committed");
            ExitCode::from(2)
        }
    }
}

/// The options of a crawl from its command-line values; an error names the bad one.
fn crawl_options(
    start_urls: &[String],
    allow: &[String],
    deny: &[String],
    selector: Option<&str>,
) -> Result<kavosh::crawl::CrawlOptions, String> {
    let start = start_urls
        .iter()
        .map(|u| kavosh::crawl::parse_start_url(u))
        .collect::<Result<Vec<_>, _>>()?;
    let mut options = kavosh::crawl::CrawlOptions::new(start);
    options.allow = allow.to_vec();
    options.deny = deny
        .iter()
        .map(|r| regex::Regex::new(r).map_err(|e| format!("bad --deny pattern {r:?}: {e}")))
        .collect::<Result<_, _>>()?;
    if let Some(css) = selector {
        options.html.selector = Some(kavosh::ingest::html::parse_selector(css)?);
    }
    kavosh::crawl::urls::Scope::new(&options.start, &options.allow, Vec::new())?;
    Ok(options)
}

fn crawl(dir: &std::path::Path, options: &kavosh::crawl::CrawlOptions) -> ExitCode {
    let index = match open_index(dir) {
        Ok(i) => std::sync::Arc::new(i),
        Err(code) => return code,
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("kavosh: cannot start the async runtime: {e}");
            return ExitCode::from(2);
        }
    };
    let progress = std::sync::Arc::new(kavosh::crawl::CrawlProgress::default());
    let counter = progress.clone();
    let shown =
        Progress::start("pages").follow(move || (counter.done() as u64, counter.total() as u64));
    let result = runtime.block_on(kavosh::crawl::crawl(index.clone(), options, &progress));
    shown.finish();
    match result {
        Ok(report) => {
            for e in &report.errors {
                eprintln!("{e}");
            }
            if report.failed > report.errors.len() {
                eprintln!(
                    "kavosh: {} more pages failed",
                    report.failed - report.errors.len()
                );
            }
            if report.indexed + report.updated > 0
                && let Err(e) = index.wait_merges()
            {
                eprintln!("kavosh: {e}");
            }
            println!("{report}");
            all_or_some(report.failed == 0)
        }
        Err(e) => {
            eprintln!("kavosh: {e}; documents of earlier batches are committed");
            ExitCode::from(2)
        }
    }
}

/// Exit status 0 when every record or page went in, 1 when some failed.
fn all_or_some(all: bool) -> ExitCode {
    if all {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
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
    let index = match open_to_read(dir) {
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
