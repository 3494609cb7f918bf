#!/usr/bin/env python3
"""Replies of two kavosh binaries to the same requests over the same index, compared.

    scripts/compare_replies.py OLD_BINARY NEW_BINARY INDEX_DIR[:NEW_INDEX_DIR] [QUERIES]

For a change meant to make searching faster and nothing else: each binary serves INDEX_DIR in
turn (127.0.0.1, a free port, no rate limit, no result cache; for a change of the terms
documents get, a new index version, the new binary serves NEW_INDEX_DIR, the same documents
indexed by it) and answers
- GET /search for every query of QUERIES (default benches/queries/queries.txt) as typed;
- GET /search for every query again, with one of a page, a sort, a partner, a year, a domain,
  a kind, a page size or several filters together (`FILTERS`), in turn;
- GET /suggest for every 2- to 6-letter prefix of the queries' words, and for each query of
  several words with its last word cut to 3 letters.
It prints how many replies are identical (`took_ms` aside), how many are identical but for
scores in their last digits (within a millionth: the same sums added in another order) and, for
the others, what differs.
Exit status 1 when a search's total or facet counts differ (they must stay exact), else 0;
a different order of hits is reported, not failed (scores added in another order can swap
near-equal hits).
"""

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

ZWNJ = "\u200c"
# The parameters added to each query in turn: one filter, page or sort, then filters together
# (a filtered facet is counted with every filter but its own) and a filter with two values.
FILTERS = [
    [("page", "2")],
    [("sort", "newest")],
    [("partner", "بانک کشاورزی")],
    [("year", "1402")],
    [("domain", "agriculture")],
    [("kind", "news")],
    [("per_page", "50")],
    [("year", "1401"), ("year", "1402")],
    [("year", "1402"), ("kind", "news")],
    [("partner", "بانک کشاورزی"), ("domain", "agriculture"), ("sort", "oldest")],
    [("year", "1402"), ("kind", "agreement"), ("domain", "agriculture")],
    [("from", "1401/01/01"), ("to", "1402/06/31"), ("kind", "news")],
]


def requests(queries):
    """(name, path) of every request, in a fixed order."""
    out = []
    search = "/search?analytics=false&q="
    for q in queries:
        out.append((f"search {q}", search + urllib.parse.quote(q)))
    for i, q in enumerate(queries):
        params = "&".join(f"{k}={urllib.parse.quote(v)}" for k, v in FILTERS[i % len(FILTERS)])
        out.append((f"search {q} {urllib.parse.unquote(params)}", f"{search}{urllib.parse.quote(q)}&{params}"))
    prefixes = []
    for q in queries:
        words = q.replace('"', " ").split()
        for w in words:
            prefixes += [w[:n] for n in range(2, min(6, len(w)) + 1) if w[n - 1] != ZWNJ]
        if len(words) > 1:
            prefixes.append(" ".join(words[:-1]) + " " + words[-1][:3])
    for p in dict.fromkeys(prefixes):
        out.append((f"suggest {p}", "/suggest?q=" + urllib.parse.quote(p)))
    return out


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def replies(binary, index, reqs):
    """Each request's reply (JSON without `took_ms`) from `binary` serving `index`."""
    port = free_port()
    env = dict(os.environ, KAVOSH_SEARCH_CACHE_MB="0")
    # The server's log goes to a file: a pipe nobody reads would fill and stop it.
    log = tempfile.TemporaryFile()
    server = subprocess.Popen(
        [binary, "serve", "--index", index, "--listen", f"127.0.0.1:{port}", "--rate-limit", "0"],
        env=env,
        stdout=log,
        stderr=log,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            if server.poll() is not None:
                log.seek(0)
                sys.exit(f"compare_replies: {binary} stopped: {log.read().decode()}")
            try:
                urllib.request.urlopen(base + "/health", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        out = {}
        for name, path in reqs:
            try:
                with urllib.request.urlopen(base + path) as r:
                    reply = json.load(r)
            except urllib.error.HTTPError as e:
                reply = {"status": e.code, "error": json.load(e)}
            reply.pop("took_ms", None)
            out[name] = reply
        return out
    finally:
        server.terminate()
        server.wait()


def close(a, b):
    """Equal but for floats (scores) within a millionth of each other: the same sums added in
    another order."""
    if isinstance(a, float) and isinstance(b, float):
        return abs(a - b) <= 1e-6 * max(abs(a), abs(b), 1.0)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(close(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(close(x, y) for x, y in zip(a, b))
    return a == b


def main():
    if len(sys.argv) not in (4, 5):
        sys.exit(__doc__)
    old_bin, new_bin, indexes = sys.argv[1:4]
    old_index, _, new_index = indexes.partition(":")
    here = os.path.dirname(os.path.abspath(__file__))
    qfile = sys.argv[4] if len(sys.argv) == 5 else os.path.join(here, "..", "benches", "queries", "queries.txt")
    with open(qfile, encoding="utf-8") as f:
        queries = list(dict.fromkeys(line.strip() for line in f if line.strip()))
    reqs = requests(queries)
    old = replies(old_bin, old_index, reqs)
    new = replies(new_bin, new_index or old_index, reqs)
    same = rounded = order = inexact = 0
    for name, _ in reqs:
        a, b = old[name], new[name]
        if a == b:
            same += 1
            continue
        if close(a, b):
            rounded += 1
            continue
        if name.startswith("search") and (a.get("total"), a.get("facets")) != (
            b.get("total"),
            b.get("facets"),
        ):
            inexact += 1
            print(f"total or facets differ: {name}")
        else:
            order += 1
            print(f"hits differ: {name}")
    print(
        f"compare_replies: {len(reqs)} requests: {same} identical, {rounded} identical but for "
        f"scores in their last digits, {order} with other hits, "
        f"{inexact} with another total or other facet counts"
    )
    sys.exit(1 if inexact else 0)


if __name__ == "__main__":
    main()
