#!/usr/bin/env python3
"""Writes the benchmark query set (issue 7) from the vocabulary of scripts/gen_corpus.py.

    python3 scripts/gen_queries.py [--out-dir benches/queries] [--check CORPUS.ndjson]

Files (one query per line, line i of each file is the same query):
  queries.txt         what a user types: 1-3 words, "quoted phrases", a few typos and the
                      spelling variants of copied text (joined ZWNJ, Arabic ي/ك).
  lucene-queries.txt  the same in Lucene classic syntax for ../shared/peers/lucene (its parser is
                      OR by default, so every clause is required with +): a plain word -> +word,
                      a word written with a ZWNJ -> +"word" (Lucene's PersianAnalyzer splits it at
                      the ZWNJ; the phrase keeps its parts together, as one word), a phrase ->
                      +"phrase", the misspelt word of a typo query -> +word~1 (each typo is
                      one edit from the intended word).
  kinds.txt           the class of each query: word1, word2, word3, phrase, fuzzy.

The domain words and phrases come from the phrase bank of gen_corpus.py; the general words were
drawn Zipf-like from the same hazm lexicon (gen_corpus.Lexicon, seed 7) and hand-filtered to
plausible search terms; partner names and aliases come from data/partners.toml.
--check prints, per query, how many documents of a generated corpus contain all its words
(after folding ZWNJ, Arabic ي/ك and tatweel), to confirm the set has realistic hit counts.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ZWNJ = "\u200c"

# (kind, query); a typo query marks the misspelt word with a leading '!' (removed on output).
WORD1 = """
فناوری همکاری تفاهم‌نامه دانش‌بنیان نوآوری مازندران ساری بابل
انرژی برق نیروگاه نفت گاز پالایشگاه خورشیدی بیوگاز پسماند آلودگی بازیافت فاضلاب آبیاری
برنج مرکبات گلخانه بسته‌بندی شیلات آبزیان خاویار پزشکی دارو بیمارستان سلول
نانو نانوذرات نرم‌افزار اینترنت رباتیک صنعتی گردشگری بوم‌گردی سرمایه‌گذاری تسهیلات
آموزش طراحی اختراع هزینه ماشین موبایل گزارش رقابت اقتصاد آمار ماهواره رایانه
مدیریت فراخوان
تفاهمنامه دانشبنیان زيست‌فناوري كشاورزي
""".split()

WORD2 = [
    "هوش مصنوعی", "اینترنت اشیا", "امنیت سایبری", "آب شرب", "تصفیه آب", "کیفیت آب", "آلودگی هوا",
    "تنوع زیستی", "مدیریت پسماند", "انرژی خورشیدی", "توربین بادی", "پنل خورشیدی", "کنتور هوشمند",
    "خودروی برقی", "انتقال گاز", "فرآورده‌های نفتی", "کشت برنج", "کود زیستی", "گیاهان دارویی",
    "محصولات لبنی", "غذای سالم", "پرورش ماهی", "پرورش میگو", "دریای خزر", "تجهیزات پزشکی",
    "طب سنتی", "داروهای گیاهی", "مهندسی ژنتیک", "کشت سلول", "فناوری نانو", "چاپ سه‌بعدی",
    "اتوماسیون صنعتی", "صنایع دستی", "گردشگری سلامت", "تأمین مالی", "جذب سرمایه", "مدرسه نوآوری",
    "صنایع خلاق", "مرکز رشد", "ثبت اختراع",
    "انرژی ساری", "کشاورزی آمل", "گردشگری رامسر", "شیلات بابلسر", "نفت نکا",
    "شیلات مازندران", "ستاد نانو", "صمت مازندران", "بانک کشاورزی", "شهرداری ساری",
]

WORD3 = [
    "مدیریت منابع آب", "بهینه‌سازی مصرف انرژی", "شبکه هوشمند برق", "تصفیه پساب صنعتی",
    "حفاظت محیط زیست", "کاهش انتشار کربن", "آبیاری قطره‌ای باغات", "آب‌های زیرزمینی مازندران",
    "کشاورزی هوشمند برنج", "آفات بیماری‌های گیاهی", "بسته‌بندی مواد غذایی", "ایمنی مواد غذایی",
    "پرورش ماهی قفس", "ماهیان خاویاری خزر", "تشخیص زودهنگام سرطان", "پزشکی راه دور",
    "سلول‌های بنیادی درمان", "تولید پروتئین نوترکیب", "پوشش ضدخوردگی نانو", "یادگیری ماشین داده‌کاوی",
    "پردازش زبان فارسی", "صنایع کوچک متوسط", "صنایع چوب کاغذ", "گردشگری روستایی مازندران",
    "اقامتگاه‌های بوم‌گردی نوشهر", "سرمایه‌گذاری خطرپذیر فناوری", "تسهیلات کم‌بهره دانش‌بنیان",
    "آموزش کارآفرینی دانشجویان", "تولید محتوای دیجیتال", "شرکت‌های دانش‌بنیان کشاورزی",
    "تفاهم‌نامه همکاری دانشگاه", "دانشگاه علوم پزشکی", "پارک فناوری نفت", "نیروگاه خورشیدی بابل",
    "مدیریت پسماند شهرداری",
]

PHRASES = [
    '"انرژی‌های تجدیدپذیر"', '"نیروگاه خورشیدی"', '"مدیریت منابع آب"', '"آبیاری قطره‌ای"',
    '"کشاورزی هوشمند"', '"ماهیان خاویاری"', '"صید و صیادی"', '"سلامت الکترونیک"',
    '"پزشکی از راه دور"', '"زیست‌فناوری دریایی"', '"نانوذرات نقره"', '"هوش مصنوعی"',
    '"شهر هوشمند"', '"امنیت سایبری"', '"شهرک‌های صنعتی"', '"ساخت داخل"', '"گردشگری سلامت"',
    '"میراث فرهنگی"', '"سرمایه‌گذاری جسورانه"', '"وام قرض‌الحسنه"', '"ارتباط صنعت و دانشگاه"',
    '"صنایع خلاق فرهنگی"', '"شرکت‌های دانش‌بنیان"', '"تجاری‌سازی فناوری"', '"تفاهم‌نامه همکاری"',
    '"پارک علم و فناوری مازندران"', '"دانشگاه مازندران"', '"شرکت آب منطقه‌ای مازندران"',
    '"صندوق نوآوری و شکوفایی"', '"بانک ملی"', '"مؤسسه تحقیقات برنج کشور"',
    '"پژوهشکده اکولوژی دریای خزر"', '"انرژی خورشیدی" ساری', '"هوش مصنوعی" کشاورزی',
    '"تصفیه فاضلاب" بابل',
]

TYPOS = [
    "!کشاوزی", "!نیروگا", "!گردشگیری", "!فناوزی", "!سرمایع", "!آلودکی", "!پسماد", "!خورشدی",
    "!بیمارستن", "!پالایشگا", "ماهیان !خاویری", "انرژی !خورشیدب", "تصفیه !فاضلب", "هوش !مصنویی",
    "!شیلاب", "!ژنتیگ", "دریای !خرز", "!نانوزرات", "!روباتیک", "!اینترت اشیا",
]


def queries():
    out = [("word1", w) for w in WORD1]
    out += [("word2", q) for q in WORD2]
    out += [("word3", q) for q in WORD3]
    out += [("phrase", q) for q in PHRASES]
    out += [("fuzzy", q) for q in TYPOS]
    return out


def tokens(q: str):
    """Split a query into ('phrase', text) and ('word', text, typo?) clauses."""
    out, rest = [], q
    while rest:
        rest = rest.strip()
        if not rest:
            break
        if rest[0] == '"':
            end = rest.index('"', 1)
            out.append(("phrase", rest[1:end], False))
            rest = rest[end + 1:]
        else:
            w, _, rest = rest.partition(" ")
            typo = w.startswith("!")
            out.append(("word", w.lstrip("!"), typo))
    return out


def plain(q: str) -> str:
    return " ".join(f'"{t}"' if k == "phrase" else t for k, t, _ in tokens(q))


def lucene(q: str) -> str:
    parts = []
    for kind, text, typo in tokens(q):
        if kind == "phrase" or (ZWNJ in text and not typo):
            parts.append(f'+"{text}"')
        elif typo:
            parts.append(f"+{text}~1")
        else:
            parts.append(f"+{text}")
    return " ".join(parts)


_FOLD = str.maketrans({"ي": "ی", "ك": "ک", "ى": "ی", "ـ": None, ZWNJ: None, " ": None})


def fold(s: str) -> str:
    return s.translate(_FOLD)


def check(corpus: Path, qs) -> None:
    """Crude document frequency: every clause (folded, spaces and ZWNJs removed) is a substring
    of the folded title+body. Typo queries report the hits of the misspelt text itself."""
    clauses = [[fold(t) for _, t, _ in tokens(q)] for _, q in qs]
    df = [0] * len(qs)
    n = 0
    with open(corpus, encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            text = fold(d["title"] + d["body"])
            n += 1
            for i, cl in enumerate(clauses):
                if all(c in text for c in cl):
                    df[i] += 1
    for (kind, q), c in zip(qs, df):
        print(f"{kind}\t{c}\t{c / n:.4f}\t{plain(q)}")
    zero = sum(1 for c in df if c == 0)
    print(f"# docs={n} queries={len(qs)} zero_hit={zero}", file=sys.stderr)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out-dir", default=str(ROOT / "benches" / "queries"))
    ap.add_argument("--check", metavar="CORPUS", help="print hit counts on a generated corpus")
    args = ap.parse_args()
    qs = queries()
    if args.check:
        check(Path(args.check), qs)
        return 0
    out = Path(args.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for name, fn in (("queries.txt", plain), ("lucene-queries.txt", lucene),
                     ("kinds.txt", None)):
        with open(out / name, "w", encoding="utf-8", newline="\n") as f:
            for kind, q in qs:
                f.write((fn(q) if fn else kind) + "\n")
    print(f"wrote {len(qs)} queries to {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
