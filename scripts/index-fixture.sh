#!/usr/bin/env bash
# Builds a small index with a given kavosh binary, for tests/data/index-vN (see
# src/index/versions.rs): five park pages ingested from files, then documents written through
# the HTTP API as a client would (explicit partners, domains, number, url and source; extracted
# ones; empty lists; a replacement; deletions), so that the upgrade test sees every field.
#
#   scripts/index-fixture.sh OLD_KAVOSH_BINARY OUT_DIR [PORT]
#
# Build the binary at the commit just before the schema change (git worktree add /tmp/old SHA;
# cargo build --release there) and run this from the current checkout, which has the pages.
# OUT_DIR.documents.ndjson gets every document as the old version serves it (GET /documents/ID).
set -euo pipefail

binary=$(realpath "$1")
out=$2
port=${3:-18931}
key=fixture-key
root=$(cd "$(dirname "$0")/.." && pwd)

if [ -e "$out" ]; then
    echo "$out exists; give a new directory" >&2
    exit 2
fi

"$binary" ingest --index "$out" "$root/tests/data/mou-054.txt" "$root/corpus/mou-001.txt" \
    "$root/corpus/mou-002.txt" "$root/corpus/news-001.txt" "$root/corpus/news-002.txt"

KAVOSH_API_KEY=$key "$binary" serve --index "$out" --listen "127.0.0.1:$port" \
    --corpus /nonexistent 2>"$out.serve.log" &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 100); do
    curl -sf "http://127.0.0.1:$port/health" >/dev/null && break
    sleep 0.1
done

write() { # METHOD PATH BODY
    curl -sf -X "$1" "http://127.0.0.1:$port$2" -H "Authorization: Bearer $key" \
        -H 'Content-Type: application/json' --data-binary "$3" -o /dev/null -w "$1 $2 %{http_code}\n"
}

write POST /documents '{"id":"api-explicit","kind":"agreement","title":"امضای تفاهم‌نامه همکاری پژوهشی با شرکت پالایش نفت","body":"قرارداد همکاری در زمینه‌ی بهینه‌سازی مصرف انرژی و کاهش آلاینده‌ها.","date":"۱۴۰۳/۰۷/۱۵","number":"۴۲","partners":["دانشگاه مازندران","شرکت پالایش نفت شمال"],"domains":["energy/oil-gas","environment"],"url":"https://mstp.ir/mou/42","source":"api-test"}
{"id":"api-extracted","kind":"news","title":"برگزاری نشست هم‌اندیشی فناوران حوزه‌ی کشاورزی","body":"این نشست با حضور دانشگاه علوم کشاورزی و منابع طبیعی ساری و شرکت‌های دانش‌بنیان برگزار شد. كشاورزي هوشمند و آبیاری قطره‌ای محور گفت‌وگوها بود.","date":"2024-11-02","url":"https://mstp.ir/news/9001"}
{"id":"api-empty-lists","kind":"news","title":"اطلاعیه تعطیلی پارک","body":"","date":"1404/01/01","partners":[],"domains":[]}
[{"id":"api-to-replace","kind":"news","title":"خبر نخست","date":"1402/05/05","source":"api-test"}]'
write PUT /documents/api-to-replace '{"kind":"agreement","title":"تفاهم‌نامه‌ی جایگزین با بانک ملی","body":"نسخه‌ی دوم این سند جای نسخه‌ی نخست را گرفت.","date":"1402/05/06","number":7,"partners":["بانک ملی"],"domains":["finance"]}'
write PUT /documents/news-001 "$(jq -c '. + {"title":"عنوان ویرایش‌شده از راه API"} | del(.date_jalali)' \
    <(curl -sf "http://127.0.0.1:$port/documents/news-001"))"
write DELETE /documents/mou-002 ''
write POST /documents '{"id":"api-deleted","kind":"news","title":"سندی که پاک می‌شود","date":"1403/01/01"}'
write DELETE /documents/api-deleted ''

# What the old version serves, to compare the upgraded index with.
: >"$out.documents.ndjson"
for id in mou-054 mou-001 news-001 news-002 api-explicit api-extracted api-empty-lists api-to-replace; do
    curl -sf "http://127.0.0.1:$port/documents/$id" | jq -c . >>"$out.documents.ndjson"
done
count=$(curl -sf "http://127.0.0.1:$port/health" | jq .documents)
if [ "$count" != "$(wc -l <"$out.documents.ndjson")" ]; then
    echo "the index holds $count documents, not the ones listed" >&2
    exit 1
fi

kill -TERM $server
wait $server || true
trap - EXIT
rm -f "$out.serve.log" "$out"/.tantivy-*.lock
echo "$out: $(du -sh "$out" | cut -f1), $count documents in $out.documents.ndjson"
