#!/usr/bin/env bash
# What an exact total costs Lucene (the PersianAnalyzer peer's index): the benchmark's queries
# searched for the top 10 as the peer does, then with every match counted, on 1 and 2 threads.
#
#   scripts/lucene_totals.sh PEER_DIR LUCENE_INDEX_DIR [PASSES]
#
# LUCENE_INDEX_DIR is an index the peer built (scripts/compare_lucene.sh leaves
# bench-data/cmp-lucene-DOCS). Needs java/javac and liblucene8-java, as the peer does.
set -euo pipefail
die() { echo "lucene_totals.sh: $*" >&2; exit 2; }
[[ $# -ge 2 && $# -le 3 ]] || die "usage: scripts/lucene_totals.sh PEER_DIR LUCENE_INDEX_DIR [PASSES]"
peer="$(cd "$1" && pwd)" || die "no Lucene peer directory at '$1'"
[[ -x "$peer/build.sh" ]] || die "'$peer' has no build.sh: not the Lucene peer"
[[ -d "$2" ]] || die "no Lucene index at '$2' (scripts/compare_lucene.sh PEER_DIR DOCS builds one)"
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${LUCENE_PEER_BUILD:-/tmp/lucene-peer-build}"
[[ -f "$build/classpath" ]] || "$peer/build.sh" >&2
mkdir -p "$build/totals"
javac -encoding UTF-8 --release 17 -d "$build/totals" -cp "$(cat "$build/classpath")" \
  "$root/scripts/lucene/LuceneTotals.java"
exec java ${JAVA_OPTS:--Xms1g -Xmx2g} -cp "$build/totals:$(cat "$build/classpath")" LuceneTotals \
  "$2" "${3:-2}" < "$root/benches/queries/lucene-queries.txt"
