#!/usr/bin/env python3
"""Gives the hand-written corpus pages the messiness of text copied from the park's website.

Run once over clean pages (it is not idempotent); the bundled corpus/ has been through it.
Deterministic: each document's profile comes from a hash of its id. mou-054 (the real seed
page) is left exactly as copied.

Profiles: 55% "copied from the site" (every ZWNJ lost, tatweel in the publisher's name like the seed),
15% ZWNJs turned into spaces (70% of them), 20% clean, 10% Arabic keyboard (ي/ك in 60% of
words). Independently: Persian digits (30% of documents), CRLF line ends (5%), a missing time
in the metadata line (5%), extra blank lines (10%).
"""
import hashlib
import re
import sys
from pathlib import Path

ZWNJ = "\u200c"
PERSIAN_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


def rng(doc_id: str, salt: str) -> float:
    h = hashlib.sha256(f"{doc_id}:{salt}".encode()).digest()
    return int.from_bytes(h[:8], "big") / 2**64


def with_tatweel(publisher: str) -> str:
    """The publisher line with tatweel, as the park's site writes its own name."""
    if publisher == "پارک علم و فناوری مازندران":
        return "پـارک علم و فنـاوری مازنـدران"
    words = publisher.split(" ")
    for i in {0, len(words) - 1}:
        w = words[i]
        if len(w) >= 4 and w[0] not in "اآدذرزژو":
            words[i] = w[0] + "ـ" + w[1:]
    return " ".join(words)


def noisy(doc_id: str, text: str) -> str:
    lines = text.split("\n")
    profile = rng(doc_id, "profile")
    if profile < 0.55:
        lines = [l.replace(ZWNJ, "") for l in lines]
        lines[0] = with_tatweel(lines[0])
        lines[1] = lines[1].replace("جزئیات", "جزئیـات")
    elif profile < 0.70:
        n = [0]

        def space(m):
            n[0] += 1
            return " " if rng(doc_id, f"zw{n[0]}") < 0.7 else ZWNJ

        lines = [re.sub(ZWNJ, space, l) for l in lines]
    elif profile >= 0.90:
        words = [0]

        def arabic(m):
            words[0] += 1
            w = m.group(0)
            if rng(doc_id, f"ar{words[0]}") < 0.6:
                w = w.replace("ی", "ي").replace("ک", "ك")
            return w

        lines = [re.sub(r"\S+", arabic, l) for l in lines]
    if rng(doc_id, "missing-time") < 0.05:
        lines[2] = re.sub(r"\s*ساعت [^:]+: \d\d:\d\d [AP]M", "", lines[2])
    if rng(doc_id, "digits") < 0.30:
        lines = [l.translate(PERSIAN_DIGITS) for l in lines]
    if rng(doc_id, "blank") < 0.10:
        lines = [l if l.strip() else "\n" for l in lines]
    out = "\n".join(lines)
    if rng(doc_id, "crlf") < 0.05:
        out = out.replace("\n", "\r\n")
    return out


def main(paths):
    for p in map(Path, paths):
        if p.stem == "mou-054":
            continue
        p.write_text(noisy(p.stem, p.read_text(encoding="utf-8")), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1:])
