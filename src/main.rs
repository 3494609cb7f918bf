//! The `kavosh` command line: `ingest`, `serve`, `search`, `analyze`.

use std::process::ExitCode;

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
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Analyze { query, text } => analyze(query, &text.join(" ")),
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
