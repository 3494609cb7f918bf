//! Query latency probe for side-by-side runs (issue 7): runs every query of a file against an
//! index once per pass, in-process and single-threaded, and prints latency percentiles in the
//! format of the Lucene peer's `search` command, overall and per query class.
//!
//! ```sh
//! cargo run --release --example query_latency -- INDEX_DIR QUERIES.txt \
//!     [--kinds KINDS.txt] [--no-facets] [--suggest] [--passes N] [--warmup N] [--slowest N]
//!     [--params QUERY_STRING]
//! ```
//!
//! A pass runs each query once (`kavosh::search::search`, 10 hits, typos auto, facets unless
//! `--no-facets`; highlights always: the API has no switch for them). With `--suggest` each
//! query is instead split into the prefixes of 2–5 letters of its words, as typed, and each
//! prefix goes to `suggest` (with the service's default limit); the class is then `prefixN`.
//! Latencies of all timed passes are pooled; percentiles are nearest-rank, as the peer
//! computes them. Output, one `latency` line per class and one for `all`:
//!
//! `latency class=all n=600 total_ms=.. qps=.. mean_us=.. p50_us=.. p90_us=.. p99_us=.. max_us=..`
//!
//! On a shared machine wall time includes waiting for a core; on Linux each `latency` line
//! also gives the CPU time the thread used per request (`cpu_p50_us=.. cpu_p99_us=..`,
//! `CLOCK_THREAD_CPUTIME_ID`), which load disturbs far less.
//!
//! `--params` gives every search the API's other parameters, as `GET /search` reads them
//! (`--params 'year=1402&partner=بانک کشاورزی'`: filters, sort, page).
//!
//! `--slowest N` also prints the N requests with the highest median latency over the passes
//! (`slow median_us=.. class=.. q=..`), to find what to profile.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use kavosh::index::SearchIndex;
use kavosh::search::{SearchRequest, search, suggest::suggest};
use kavosh::server::params::{DEFAULT_SUGGESTIONS, search_request};

#[path = "../benches/common/cpu.rs"]
mod cpu;
use cpu::thread_cpu_ns;

struct Args {
    index: PathBuf,
    queries: PathBuf,
    kinds: Option<PathBuf>,
    facets: bool,
    suggest: bool,
    passes: usize,
    warmup: usize,
    slowest: usize,
    /// Every search's request but its text (`--params`).
    template: SearchRequest,
}

const USAGE: &str = "usage: query_latency INDEX_DIR QUERIES.txt [--kinds KINDS.txt] \
                     [--no-facets] [--suggest] [--passes N] [--warmup N] [--slowest N] \
                     [--params QUERY_STRING]";

fn parse_args() -> Result<Args, String> {
    let mut positional = Vec::new();
    let mut args = Args {
        index: PathBuf::new(),
        queries: PathBuf::new(),
        kinds: None,
        facets: true,
        suggest: false,
        passes: 3,
        warmup: 1,
        slowest: 0,
        template: SearchRequest::default(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let mut value = |name: &str| it.next().ok_or(format!("{name} needs a value"));
        match a.as_str() {
            "--kinds" => args.kinds = Some(value("--kinds")?.into()),
            "--no-facets" => args.facets = false,
            "--suggest" => args.suggest = true,
            "--passes" => args.passes = value("--passes")?.parse().map_err(|e| format!("{e}"))?,
            "--warmup" => args.warmup = value("--warmup")?.parse().map_err(|e| format!("{e}"))?,
            "--params" => {
                let raw = value("--params")?;
                args.template = search_request(Some(&raw))
                    .map_err(|e| format!("--params: {}", e.detail.message))?
                    .0;
            }
            "--slowest" => {
                args.slowest = value("--slowest")?.parse().map_err(|e| format!("{e}"))?
            }
            _ if a.starts_with("--") => return Err(format!("unknown option {a}")),
            _ => positional.push(a),
        }
    }
    let [index, queries] = <[String; 2]>::try_from(positional).map_err(|_| USAGE.to_string())?;
    args.index = index.into();
    args.queries = queries.into();
    if args.passes == 0 {
        return Err("--passes must be at least 1".into());
    }
    Ok(args)
}

fn read_lines(path: &PathBuf) -> Result<Vec<String>, String> {
    std::fs::read_to_string(path)
        .map(|s| s.lines().map(str::to_string).collect())
        .map_err(|e| format!("cannot read {}: {e}", path.display()))
}

/// The prefixes of 2..=5 letters of each word of `q`, as typed (ZWNJ kept inside, never last).
fn prefixes(q: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for word in q.split(|c: char| c.is_whitespace() || c == '"') {
        let chars: Vec<char> = word.chars().collect();
        for n in 2..=5.min(chars.len()) {
            if chars[n - 1] != '\u{200C}' {
                out.push((n, chars[..n].iter().collect()));
            }
        }
    }
    out
}

/// Nearest-rank percentile of an ascending slice.
fn percentile(sorted: &[u64], p: f64) -> u64 {
    let rank = (p / 100.0 * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn print_stats(class: &str, latencies_ns: &mut [u64], cpu_ns: &mut [u64]) {
    if latencies_ns.is_empty() {
        return;
    }
    latencies_ns.sort_unstable();
    cpu_ns.sort_unstable();
    let cpu = if cpu_ns.len() == latencies_ns.len() {
        format!(
            " cpu_p50_us={:.1} cpu_p99_us={:.1}",
            percentile(cpu_ns, 50.0) as f64 / 1e3,
            percentile(cpu_ns, 99.0) as f64 / 1e3
        )
    } else {
        String::new()
    };
    let n = latencies_ns.len();
    let total: u64 = latencies_ns.iter().sum();
    let us = |ns: u64| ns as f64 / 1e3;
    println!(
        "latency class={class} n={n} total_ms={:.3} qps={:.1} mean_us={:.1} p50_us={:.1} \
         p90_us={:.1} p99_us={:.1} max_us={:.1}{cpu}",
        total as f64 / 1e6,
        n as f64 / (total as f64 / 1e9),
        us(total) / n as f64,
        us(percentile(latencies_ns, 50.0)),
        us(percentile(latencies_ns, 90.0)),
        us(percentile(latencies_ns, 99.0)),
        us(latencies_ns[n - 1]),
    );
}

fn run(args: &Args) -> Result<(), String> {
    if !args.index.join("meta.json").exists() {
        return Err(format!("no index in {}", args.index.display()));
    }
    let index = SearchIndex::open_read_only(&args.index).map_err(|e| e.to_string())?;
    let queries = read_lines(&args.queries)?;
    let kinds = match &args.kinds {
        Some(p) => read_lines(p)?,
        None => vec!["query".to_string(); queries.len()],
    };
    if kinds.len() != queries.len() {
        return Err("the kinds file must have one line per query".into());
    }
    // (class, text) of every request of a pass.
    let work: Vec<(String, String)> = if args.suggest {
        queries
            .iter()
            .flat_map(|q| prefixes(q))
            .map(|(n, p)| (format!("prefix{n}"), p))
            .collect()
    } else {
        kinds.into_iter().zip(queries).collect()
    };
    let one = |text: &str| -> Result<usize, String> {
        if args.suggest {
            suggest(&index, text, DEFAULT_SUGGESTIONS, true)
                .map(|r| r.hits.len())
                .map_err(|e| format!("{text:?}: {e:?}"))
        } else {
            let req = SearchRequest {
                q: text.to_string(),
                facets: args.facets,
                ..args.template.clone()
            };
            search(&index, &req)
                .map(|r| r.total)
                .map_err(|e| format!("{text:?}: {e:?}"))
        }
    };
    for _ in 0..args.warmup {
        for (_, text) in &work {
            one(text)?;
        }
    }
    let mut by_class: BTreeMap<&str, (Vec<u64>, Vec<u64>)> = BTreeMap::new();
    let mut all = Vec::with_capacity(work.len() * args.passes);
    let mut all_cpu = Vec::with_capacity(work.len() * args.passes);
    let mut per_request = vec![Vec::with_capacity(args.passes); work.len()];
    let mut empty = 0;
    for _ in 0..args.passes {
        for (i, (class, text)) in work.iter().enumerate() {
            let cpu_started = thread_cpu_ns();
            let started = Instant::now();
            let found = one(text)?;
            let ns = started.elapsed().as_nanos() as u64;
            let cpu = cpu_started
                .zip(thread_cpu_ns())
                .map(|(a, b)| b.saturating_sub(a));
            empty += usize::from(found == 0);
            all.push(ns);
            per_request[i].push(ns);
            let entry = by_class.entry(class).or_default();
            entry.0.push(ns);
            if let Some(cpu) = cpu {
                all_cpu.push(cpu);
                entry.1.push(cpu);
            }
        }
    }
    println!(
        "index_docs={} requests_per_pass={} passes={} warmup_passes={} facets={} mode={} \
         empty_results={}",
        index.num_docs(),
        work.len(),
        args.passes,
        args.warmup,
        args.facets,
        if args.suggest { "suggest" } else { "search" },
        empty / args.passes,
    );
    print_stats("all", &mut all, &mut all_cpu);
    for (class, (latencies, cpu)) in &mut by_class {
        print_stats(class, latencies, cpu);
    }
    let mut medians: Vec<(u64, usize)> = per_request
        .iter_mut()
        .enumerate()
        .map(|(i, v)| {
            v.sort_unstable();
            (percentile(v, 50.0), i)
        })
        .collect();
    medians.sort_unstable_by(|a, b| b.cmp(a));
    for &(ns, i) in medians.iter().take(args.slowest) {
        let (class, text) = &work[i];
        println!(
            "slow median_us={:.1} class={class} q={text}",
            ns as f64 / 1e3
        );
    }
    Ok(())
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("query_latency: {e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("query_latency: {e}");
            ExitCode::FAILURE
        }
    }
}
