//! The `kavosh` command line: `ingest`, `serve`, `search`, `analyze`.

use std::process::ExitCode;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "kavosh", version, about = "Persian-first full-text search")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
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

fn main() -> ExitCode {
    init_logging();
    let cli = Cli::parse();
    match cli.command {
        Command::Analyze { query, text } => analyze(query, &text.join(" ")),
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

/// Logs to stderr, filtered by `RUST_LOG` (default `info`), as JSON lines when
/// `KAVOSH_LOG_FORMAT=json`.
fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
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
