//! Lists the words most documents of an index hold: the candidates for `data/common-words.txt`,
//! whose adjacent pairs are indexed for phrases (`kavosh::analysis::pairs`).
//!
//! ```sh
//! cargo run --release --bin kavosh -- ingest --index /tmp/corpus-index corpus/
//! cargo run --release --example common_words -- /tmp/corpus-index [--min-share 0.2]
//! ```
//!
//! A word is listed when the share of documents whose body holds it (its exact form, as
//! `body_exact` indexes it: compounds both joined and in parts) is at least `--min-share`
//! (default 0.2), most frequent first, one per line as `word<TAB>documents`.

use std::collections::HashMap;
use std::process::ExitCode;

use tantivy::Index;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (dir, min_share) = match args.as_slice() {
        [dir] => (dir, 0.2),
        [dir, flag, share] if flag == "--min-share" => match share.parse::<f64>() {
            Ok(share) => (dir, share),
            Err(_) => return usage(&format!("--min-share takes a number, not {share:?}")),
        },
        _ => return usage("give an index directory"),
    };
    match common_words(dir, min_share) {
        Ok(words) => {
            for (word, docs) in words {
                println!("{word}\t{docs}");
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("common_words: {dir}: {e}");
            ExitCode::FAILURE
        }
    }
}

fn usage(why: &str) -> ExitCode {
    eprintln!("common_words: {why}\nusage: common_words INDEX_DIR [--min-share SHARE]");
    ExitCode::from(2)
}

/// The body words held by at least `min_share` of the index's documents, most frequent first.
fn common_words(dir: &str, min_share: f64) -> tantivy::Result<Vec<(String, u32)>> {
    let index = Index::open_in_dir(dir)?;
    let field = index.schema().get_field("body_exact")?;
    let searcher = index.reader()?.searcher();
    let mut docs: HashMap<String, u32> = HashMap::new();
    for segment in searcher.segment_readers() {
        let inverted = segment.inverted_index(field)?;
        let mut terms = inverted.terms().stream()?;
        while terms.advance() {
            let word = String::from_utf8_lossy(terms.key()).into_owned();
            *docs.entry(word).or_default() += terms.value().doc_freq;
        }
    }
    let needed = (min_share * searcher.num_docs() as f64).ceil() as u32;
    let mut common: Vec<(String, u32)> = docs.into_iter().filter(|(_, n)| *n >= needed).collect();
    common.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    Ok(common)
}
