#!/usr/bin/env bash
# kavosh side by side with the Lucene 8 PersianAnalyzer peer (issue 7): the same generated corpus
# and the same queries, one table of indexing docs/s and query p50/p99.
#
#   scripts/compare_lucene.sh PEER_DIR [DOCS]        (DOCS default 100000)
#
# PEER_DIR is the peer's directory (run.sh, build.sh, LucenePersianPeer.java; in the project's
# shared/peers/lucene, not part of a kavosh clone). Needs java/javac and Debian's
# liblucene8-java (apt-get install -y liblucene8-java), python3 and cargo.
#
# What is timed, for both engines from inside the process (no JVM or process start):
#   indexing  kavosh: `kavosh ingest` (NDJSON parse, all fields, commits per 20k, waits for
#             merges); Lucene: the peer's `index` (id, title, body; RAM buffer 256 MB; close()
#             waits for merges). Peak memory by scripts/peak_memory.sh: the kernel's high-water
#             RSS, and the largest anonymous (heap) RSS, which leaves out mmap'd index files.
#   queries   every query of benches/queries/ 3 times, after one untimed pass, single-threaded;
#             nearest-rank p50/p99. kavosh: examples/query_latency (kavosh::search::search,
#             10 hits with highlights, exact total, typos auto; with and without facets);
#             Lucene: the peer's `search` with K=10 over lucene-queries.txt (the same queries in
#             classic syntax, every clause required), ids of the top 10.
# Generated data goes to bench-data/ (git-ignored): corpus-DOCS.ndjson (kept), cmp-*-DOCS/
# indexes (replaced on each run).
set -euo pipefail

die() { echo "compare_lucene.sh: $*" >&2; exit 2; }

[[ $# -ge 1 && $# -le 2 ]] || die "usage: scripts/compare_lucene.sh PEER_DIR [DOCS]"
peer="$1"
docs="${2:-100000}"
[[ "$docs" =~ ^[0-9]+$ && "$docs" -gt 0 ]] || die "DOCS must be a positive number, not '$docs'"
if [[ ! -d "$peer" ]]; then
  die "no Lucene peer directory at '$peer' (it is the project's shared/peers/lucene, which a clone of kavosh alone does not have); nothing compared"
fi
peer="$(cd "$peer" && pwd)"
[[ -f "$peer/run.sh" ]] || die "'$peer' has no run.sh: not the Lucene peer; nothing compared"
command -v java >/dev/null && command -v javac >/dev/null \
  || die "java and javac are missing (apt-get install -y default-jdk-headless); nothing compared"
ls "${LUCENE_JAR_DIR:-/usr/share/java}"/lucene-core-8*.jar >/dev/null 2>&1 \
  || die "Lucene 8 jars are missing (apt-get install -y liblucene8-java); nothing compared"
command -v python3 >/dev/null || die "python3 is missing (the corpus generator needs it)"

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
target="${CARGO_TARGET_DIR:-$root/target}"
mkdir -p bench-data
corpus="bench-data/corpus-$docs.ndjson"
kidx="bench-data/cmp-kavosh-$docs"
lidx="bench-data/cmp-lucene-$docs"
log="bench-data/compare-$docs.log"
: > "$log"

if [[ ! -f "$corpus" ]]; then
  echo "generating $docs documents into $corpus" >&2
  python3 scripts/gen_corpus.py --docs "$docs" --seed 42 --out "$corpus.part"
  mv "$corpus.part" "$corpus"
fi
echo "building kavosh (release) and the Lucene peer" >&2
cargo build --release --quiet --bin kavosh --example query_latency
"$peer/build.sh" >> "$log" 2>&1 || die "building the Lucene peer failed (see $log)"
lucene_version="$("$peer/run.sh" version 2>>"$log")"

timed() { # timed OUT_FILE CMD... : stdout+stderr to OUT_FILE, with a peak_memory line
  local out="$1"; shift
  scripts/peak_memory.sh "$@" > "$out" 2>&1
}
field() { # field NAME FILE : the value of NAME=value (last occurrence)
  grep -o "$1=[^ ]*" "$2" | tail -n 1 | cut -d= -f2
}
rss_mb() { field max_rss_mb "$1"; }
anon_mb() { field max_anon_mb "$1"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }

load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
echo "indexing with kavosh" >&2
rm -rf "$kidx"
timed bench-data/cmp-kavosh-ingest.out "$target/release/kavosh" ingest --index "$kidx" "$corpus" \
  || die "kavosh ingest failed: $(tail -n 3 bench-data/cmp-kavosh-ingest.out)"
k_secs="$(grep -o 'rejected [0-9]*, [0-9.]* seconds' bench-data/cmp-kavosh-ingest.out | grep -o '[0-9.]* seconds' | cut -d' ' -f1)"
k_dps="$(awk -v n="$docs" -v s="$k_secs" 'BEGIN { printf "%.0f", n / s }')"

echo "indexing with Lucene" >&2
rm -rf "$lidx"
timed bench-data/cmp-lucene-index.out "$peer/run.sh" index "$lidx" < "$corpus" \
  || die "Lucene index failed: $(tail -n 3 bench-data/cmp-lucene-index.out)"
l_dps="$(field docs_per_sec bench-data/cmp-lucene-index.out | cut -d. -f1)"

echo "querying with kavosh" >&2
q="benches/queries"
"$target/release/examples/query_latency" "$kidx" "$q/queries.txt" --kinds "$q/kinds.txt" \
  --passes 3 --warmup 1 > bench-data/cmp-kavosh-query.out
"$target/release/examples/query_latency" "$kidx" "$q/queries.txt" --kinds "$q/kinds.txt" \
  --passes 3 --warmup 1 --no-facets > bench-data/cmp-kavosh-query-nofacets.out
echo "querying with Lucene" >&2
# The peer times one pass after its warm-up passes: give it the set 3 times (600 queries, as
# many samples as kavosh's 3 passes; its warm-up pass then covers all 600).
cat "$q/lucene-queries.txt" "$q/lucene-queries.txt" "$q/lucene-queries.txt" \
  | PEER_OPTS="-Dpeer.warmup=1" "$peer/run.sh" search "$lidx" 10 \
    > bench-data/cmp-lucene-hits.tsv 2> bench-data/cmp-lucene-query.out
load_after="$(cut -d' ' -f1-3 /proc/loadavg)"

kall() { grep 'class=all ' "$1" | grep -o "$2=[^ ]*" | cut -d= -f2; }
ms() { awk -v us="$1" 'BEGIN { printf "%.2f", us / 1000 }'; }
k50="$(kall bench-data/cmp-kavosh-query.out p50_us)"; k99="$(kall bench-data/cmp-kavosh-query.out p99_us)"
n50="$(kall bench-data/cmp-kavosh-query-nofacets.out p50_us)"; n99="$(kall bench-data/cmp-kavosh-query-nofacets.out p99_us)"
c50="$(kall bench-data/cmp-kavosh-query.out cpu_p50_us)"; c99="$(kall bench-data/cmp-kavosh-query.out cpu_p99_us)"
l50="$(field p50_us bench-data/cmp-lucene-query.out)"; l99="$(field p99_us bench-data/cmp-lucene-query.out)"

{
  echo "kavosh vs Lucene $lucene_version PersianAnalyzer: $docs generated documents (seed 42), $(wc -l < "$q/queries.txt") queries x 3"
  echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); load average before $load_before, after $load_after"
  printf '%-34s %14s %14s %14s\n' "" "kavosh" "lucene" "kavosh/lucene"
  printf '%-34s %14s %14s %14s\n' "indexing docs/s" "$k_dps" "$l_dps" "$(ratio "$k_dps" "$l_dps")"
  printf '%-34s %14s %14s %14s\n' "index size MB" "$(du -sm "$kidx" | cut -f1)" "$(du -sm "$lidx" | cut -f1)" \
    "$(ratio "$(du -sm "$kidx" | cut -f1)" "$(du -sm "$lidx" | cut -f1)")"
  printf '%-34s %14s %14s %14s\n' "indexing peak RSS MB" "$(rss_mb bench-data/cmp-kavosh-ingest.out)" \
    "$(rss_mb bench-data/cmp-lucene-index.out)" "$(ratio "$(rss_mb bench-data/cmp-kavosh-ingest.out)" "$(rss_mb bench-data/cmp-lucene-index.out)")"
  printf '%-34s %14s %14s %14s\n' "indexing peak anon RSS MB" "$(anon_mb bench-data/cmp-kavosh-ingest.out)" \
    "$(anon_mb bench-data/cmp-lucene-index.out)" "$(ratio "$(anon_mb bench-data/cmp-kavosh-ingest.out)" "$(anon_mb bench-data/cmp-lucene-index.out)")"
  printf '%-34s %14s %14s %14s\n' "query p50 ms (kavosh: facets)" "$(ms "$k50")" "$(ms "$l50")" "$(ratio "$k50" "$l50")"
  printf '%-34s %14s %14s %14s\n' "query p99 ms (kavosh: facets)" "$(ms "$k99")" "$(ms "$l99")" "$(ratio "$k99" "$l99")"
  printf '%-34s %14s %14s %14s\n' "query p50 ms (kavosh: no facets)" "$(ms "$n50")" "$(ms "$l50")" "$(ratio "$n50" "$l50")"
  printf '%-34s %14s %14s %14s\n' "query p99 ms (kavosh: no facets)" "$(ms "$n99")" "$(ms "$l99")" "$(ratio "$n99" "$l99")"
  printf '%-34s %14s %14s\n' "kavosh on-CPU p50/p99 ms (facets)" "$(ms "$c50")/$(ms "$c99")" "-"
  echo "kavosh per class (facets): see bench-data/cmp-kavosh-query.out; raw outputs: bench-data/cmp-*.out"
} | tee -a "$log"
