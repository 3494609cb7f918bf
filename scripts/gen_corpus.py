#!/usr/bin/env python3
"""Deterministic synthetic Persian corpus for kavosh benchmarks (issue 7).

    python3 scripts/gen_corpus.py --docs N --seed S [--out FILE] [--jobs J]

Writes NDJSON, one document per line (stdout unless --out):

    {"id":"syn-000001","kind":"agreement"|"news","title":...,"body":...,"date":"1403/02/18",
     "number":123 (agreements only),"partners":[...],"domains":[...],
     "url":"https://example.invalid/syn/1","source":"synthetic (kavosh gen_corpus.py seed S)"}

Determinism: document i is generated from its own RNG seeded by (S, i), so the same S and N give
byte-identical output, the first K documents of an N-document run equal a K-document run, and the
output does not depend on --jobs (default: 1 process below 20000 documents, else one per core).
Python 3.11+, standard library only; memory stays flat (streams, ~35 MB RSS per process). A timing
line (docs/s, MB) goes to stderr unless --quiet. About 3.5 KB per document (10k docs ~ 35 MB).

Vocabulary: the hazm lexicon vendored in data/lexicon (MIT, see data/lexicon/LICENSE-hazm):
words.dat (word, corpus count, POS tags) and verbs.dat (past#present stems). Content words are
drawn Zipf-like from their counts (weight = count ** 0.75, the usual damping that keeps a handful
of web-count outliers from dominating), put into simple sentence templates with Persian
morphology (ezafe, plurals ها/ان/های, attached pronouns, comparatives تر/ترین, conjugated simple and
compound verbs, negation, future, perfect), and mixed with a hand-written phrase bank per domain
so that benchmark queries (benches/queries/) have realistic hit counts. Partners come from
data/partners.toml (canonical names in "partners", canonical or alias text in title/body).

Spelling noise of copied web text, chosen per document (title and body share the profile):
  ~50% of documents lose ~88% of their ZWNJs (joined: می‌شود -> میشود), ~15% have ~88% of them
  replaced by spaces, ~10% use Arabic ي/ك, ~5% have tatweel (ـ) in 1-4 words, and ~30% of numbers
  use Persian digits (25% of documents all of them, 10% half of them).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import re
import sys
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LEXICON = ROOT / "data" / "lexicon"
PARTNERS = ROOT / "data" / "partners.toml"

ZWNJ = "\u200c"
ALPHA = 0.75            # damping exponent on corpus counts
ZERO_COUNT = 40         # pseudo count for lexicon words listed with count 0
PARK = "پارک علم و فناوری مازندران"
FA_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
ARABIC_YK = str.maketrans({"ی": "ي", "ک": "ك"})

# --------------------------------------------------------------------------- domains

# id -> (label used in "در حوزه <label>", phrase bank, keywords)
DOMAINS: dict[str, tuple[str, list[str], list[str]]] = {
    "energy": ("انرژی", [
        "بهینه‌سازی مصرف انرژی", "مدیریت مصرف انرژی", "بهره‌وری انرژی", "ممیزی انرژی ساختمان",
        "کاهش تلفات شبکه برق", "شبکه هوشمند برق", "کنتور هوشمند", "ذخیره‌سازی انرژی",
        "مدیریت پیک بار", "صرفه‌جویی در مصرف برق", "تولید همزمان برق و حرارت", "پایش مصرف انرژی",
        "نیروگاه مقیاس کوچک", "باتری لیتیومی", "انرژی پاک", "خودروی برقی",
    ], ["انرژی", "برق", "نیروگاه", "مصرف", "شبکه", "باتری", "توزیع"]),
    "energy/oil-gas": ("نفت و گاز", [
        "صنعت نفت و گاز", "ازدیاد برداشت نفت", "خوردگی خطوط لوله", "بومی‌سازی تجهیزات نفتی",
        "پالایش گاز طبیعی", "حفاری چاه‌های نفت", "فرآورده‌های نفتی", "انتقال گاز",
        "کاتالیست‌های صنعتی", "ایمنی تأسیسات نفتی", "تعمیرات اساسی پالایشگاه", "صنایع پتروشیمی",
        "گاز طبیعی فشرده", "مخازن نفتی",
    ], ["نفت", "گاز", "پالایشگاه", "پتروشیمی", "حفاری", "لوله", "مخزن"]),
    "energy/renewable": ("انرژی‌های تجدیدپذیر", [
        "انرژی‌های تجدیدپذیر", "نیروگاه خورشیدی", "پنل خورشیدی", "انرژی خورشیدی", "توربین بادی",
        "انرژی باد", "زیست‌توده", "آبگرمکن خورشیدی", "سامانه فتوولتائیک", "تولید بیوگاز",
        "انرژی زمین‌گرمایی", "نیروگاه برق‌آبی کوچک", "نیروگاه‌های خورشیدی پشت‌بامی",
        "سوخت‌های زیستی",
    ], ["خورشیدی", "تجدیدپذیر", "بادی", "بیوگاز", "فتوولتائیک", "نیروگاه"]),
    "environment": ("محیط زیست", [
        "حفاظت از محیط زیست", "مدیریت پسماند", "بازیافت پسماند", "آلودگی هوا", "تغییرات اقلیمی",
        "حفاظت از جنگل‌های هیرکانی", "کاهش انتشار کربن", "پایش آلودگی", "تصفیه پساب صنعتی",
        "تنوع زیستی", "تولید کمپوست", "آلودگی رودخانه‌ها", "احیای مراتع", "اقتصاد چرخشی",
        "پسماندهای پلاستیکی",
    ], ["محیط", "پسماند", "آلودگی", "جنگل", "بازیافت", "اقلیم", "کربن"]),
    "water": ("آب", [
        "مدیریت منابع آب", "تصفیه آب", "تصفیه فاضلاب", "آب شرب", "کاهش هدررفت آب",
        "آبیاری قطره‌ای", "آب‌های زیرزمینی", "شیرین‌سازی آب", "نشت‌یابی شبکه آب", "بازچرخانی آب",
        "کیفیت آب", "پایش هوشمند آب", "مدیریت سیلاب", "آبخیزداری", "کنتور هوشمند آب",
    ], ["آب", "فاضلاب", "آبیاری", "سیلاب", "سد", "چاه", "تصفیه"]),
    "agriculture": ("کشاورزی", [
        "کشاورزی هوشمند", "کشت برنج", "باغات مرکبات", "کشاورزی دقیق", "گلخانه هوشمند",
        "آفات و بیماری‌های گیاهی", "کود زیستی", "سموم کشاورزی", "بذر اصلاح‌شده",
        "مکانیزاسیون کشاورزی", "پرورش دام و طیور", "زنبورداری", "گیاهان دارویی", "کشت بافت",
        "کشت کیوی", "باغات چای",
    ], ["کشاورزی", "برنج", "مرکبات", "گلخانه", "کشاورزان", "بذر", "محصولات", "باغداران"]),
    "food": ("صنایع غذایی", [
        "صنایع غذایی", "بسته‌بندی مواد غذایی", "ایمنی مواد غذایی", "فراوری محصولات کشاورزی",
        "ماندگاری مواد غذایی", "محصولات لبنی", "خشک‌کردن میوه", "غذای سالم", "نگهداری مواد غذایی",
        "افزودنی‌های غذایی", "کنسانتره میوه", "فراوری برنج", "زنجیره سرد",
    ], ["غذایی", "غذا", "لبنی", "بسته‌بندی", "فراوری", "میوه"]),
    "marine": ("علوم دریایی", [
        "دریای خزر", "آبزی‌پروری", "پرورش ماهی", "ماهیان خاویاری", "پرورش میگو", "صید و صیادی",
        "پرورش ماهی در قفس", "آلودگی دریا", "صنایع دریایی", "اقتصاد دریامحور", "سواحل مازندران",
        "فراوری آبزیان", "ماهی قزل‌آلا", "خاویار",
    ], ["دریا", "دریایی", "ماهی", "شیلات", "آبزیان", "ساحل", "صیادان"]),
    "health": ("سلامت", [
        "تجهیزات پزشکی", "داروهای گیاهی", "تشخیص زودهنگام سرطان", "سلامت الکترونیک",
        "پزشکی از راه دور", "مکمل‌های غذایی", "ملزومات پزشکی", "کیت تشخیصی", "سلامت دهان و دندان",
        "فناوری‌های سلامت", "بیماری‌های قلبی", "طب سنتی", "پرونده الکترونیک سلامت",
        "داروهای نوترکیب",
    ], ["سلامت", "پزشکی", "بیمار", "بیمارستان", "دارو", "درمان", "تشخیص", "بیماری"]),
    "biotech": ("زیست‌فناوری", [
        "زیست‌فناوری", "مهندسی ژنتیک", "سلول‌های بنیادی", "پروبیوتیک", "آنزیم‌های صنعتی",
        "کشت سلول", "تولید واکسن", "زیست‌فناوری دریایی", "نشانگرهای مولکولی",
        "زیست‌فناوری کشاورزی", "بیوانفورماتیک", "تولید پروتئین نوترکیب", "آفت‌کش‌های زیستی",
    ], ["ژن", "سلول", "مولکولی", "زیستی", "میکروبی", "آنزیم", "واکسن"]),
    "nanotech": ("فناوری نانو", [
        "فناوری نانو", "نانوذرات", "پوشش‌های نانویی", "نانوکامپوزیت", "نانوالیاف",
        "نانوحامل دارو", "نانوذرات نقره", "فیلترهای نانو", "نانوکود", "نانومواد",
        "محصولات نانو", "پوشش ضدخوردگی نانو",
    ], ["نانو", "نانویی", "ذرات", "پوشش", "کامپوزیت", "الیاف"]),
    "ict": ("فناوری اطلاعات و ارتباطات", [
        "فناوری اطلاعات", "هوش مصنوعی", "اینترنت اشیا", "امنیت سایبری", "رایانش ابری",
        "یادگیری ماشین", "تحول دیجیتال", "توسعه نرم‌افزار", "اپلیکیشن موبایل", "داده‌کاوی",
        "شهر هوشمند", "زنجیره بلوکی", "کلان‌داده", "پردازش زبان فارسی", "خدمات الکترونیک",
        "اقتصاد دیجیتال", "موتور جستجو", "ارتباطات",
    ], ["نرم‌افزار", "دیجیتال", "هوشمند", "داده", "سامانه", "اینترنت", "رایانه", "شبکه"]),
    "industry": ("صنعت", [
        "صنایع کوچک و متوسط", "شهرک‌های صنعتی", "ساخت داخل", "بومی‌سازی قطعات",
        "اتوماسیون صنعتی", "چاپ سه‌بعدی", "ماشین‌آلات صنعتی", "صنایع چوب و کاغذ", "رباتیک",
        "مهندسی معکوس", "قالب‌سازی", "صنایع تبدیلی", "استانداردسازی محصولات",
        "صادرات محصولات صنعتی", "واحدهای تولیدی",
    ], ["صنعت", "صنعتی", "تولید", "کارخانه", "قطعات", "ماشین‌آلات", "صنایع"]),
    "tourism": ("گردشگری", [
        "گردشگری سلامت", "بوم‌گردی", "گردشگری دریایی", "صنایع دستی", "میراث فرهنگی",
        "اقامتگاه‌های بوم‌گردی", "گردشگری هوشمند", "گردشگری روستایی", "جاذبه‌های گردشگری",
        "گردشگری طبیعت", "گردشگری غذا", "راهنمای گردشگری",
    ], ["گردشگری", "گردشگران", "مسافران", "سفر", "جاذبه", "اقامتگاه"]),
    "finance": ("تأمین مالی", [
        "تأمین مالی", "سرمایه‌گذاری خطرپذیر", "تسهیلات کم‌بهره", "ضمانت‌نامه",
        "اعتبارات فناوری", "جذب سرمایه", "سرمایه‌گذاری جسورانه", "وام قرض‌الحسنه",
        "تأمین سرمایه در گردش", "فناوری‌های مالی", "بیمه محصولات فناورانه", "صندوق‌های سرمایه‌گذاری",
    ], ["سرمایه", "تسهیلات", "وام", "مالی", "اعتبار", "بانک", "سرمایه‌گذاری"]),
    "education": ("آموزش", [
        "توانمندسازی", "دوره‌های آموزشی", "مهارت‌آموزی", "آموزش کارآفرینی", "ایده‌پردازی",
        "مدرسه نوآوری", "آموزش‌های مهارتی", "مربیگری", "دانش‌آموزان", "ارتباط صنعت و دانشگاه",
        "پایان‌نامه‌های کاربردی", "دانشجویان", "آموزش مجازی",
    ], ["آموزش", "آموزشی", "دانشجو", "مدرسه", "مهارت", "دوره", "کارگاه"]),
    "creative": ("صنایع خلاق", [
        "صنایع خلاق", "صنایع فرهنگی", "بازی‌های رایانه‌ای", "پویانمایی", "طراحی گرافیک",
        "تولید محتوای دیجیتال", "هنرهای دیجیتال", "اسباب‌بازی", "طراحی لباس", "نشر دیجیتال",
        "صنایع خلاق فرهنگی", "طراحی صنعتی",
    ], ["خلاق", "فرهنگی", "هنر", "بازی", "طراحی", "محتوا", "هنری"]),
}
DOMAIN_IDS = list(DOMAINS)

# Phrases of the park's own work, used in every kind of document.
PARK_PHRASES = [
    "شرکت‌های دانش‌بنیان", "تجاری‌سازی فناوری", "مرکز رشد", "هسته‌های فناور", "واحدهای فناور",
    "شرکت‌های نوپا", "شتاب‌دهنده", "نوآوری باز", "انتقال فناوری", "کارآفرینی فناورانه",
    "اقتصاد دانش‌بنیان", "پژوهش‌های کاربردی", "ایده‌های نوآورانه", "مالکیت فکری", "ثبت اختراع",
    "محصولات فناورانه", "زیست‌بوم نوآوری", "کارخانه نوآوری", "خدمات فناوری", "طرح‌های فناورانه",
]

# Partner-name hints -> plausible domains (agreements usually are about the partner's field).
PARTNER_HINTS = [
    ("پزشکی", ["health", "biotech"]), ("کشاورزی", ["agriculture", "food"]),
    ("برنج", ["agriculture", "food"]), ("شیلات", ["marine"]), ("دریا", ["marine"]),
    ("خزر", ["marine", "environment"]), ("آب", ["water"]), ("محیط زیست", ["environment"]),
    ("منابع طبیعی", ["environment", "agriculture"]), ("نفت", ["energy/oil-gas"]),
    ("گاز", ["energy/oil-gas", "energy"]), ("برق", ["energy", "energy/renewable"]),
    ("نانو", ["nanotech"]), ("ژنتیک", ["biotech"]), ("مخابرات", ["ict"]),
    ("میراث", ["tourism", "creative"]), ("بانک", ["finance"]), ("صندوق", ["finance"]),
    ("آموزش", ["education"]), ("نخبگان", ["education"]), ("صنعت", ["industry"]),
    ("صنعتی", ["industry"]), ("چوب", ["industry"]), ("شهرداری", ["environment", "ict", "tourism"]),
    ("اتاق بازرگانی", ["industry", "finance"]), ("پارک", ["ict", "industry"]),
]

CITIES = ["ساری", "بابل", "آمل", "قائم‌شهر", "بابلسر", "نوشهر", "چالوس", "تنکابن", "بهشهر", "نکا",
          "رامسر", "محمودآباد", "نور", "جویبار", "فریدونکنار", "سوادکوه", "گلوگاه", "عباس‌آباد"]
MONTHS = ["فروردین", "اردیبهشت", "خرداد", "تیر", "مرداد", "شهریور", "مهر", "آبان", "آذر", "دی",
          "بهمن", "اسفند"]
ROLES = ["رئیس", "معاون پژوهشی", "مدیرکل", "سرپرست", "معاون فناوری", "مدیرعامل", "نماینده"]
PARK_ROLES = ["رئیس پارک علم و فناوری مازندران", "معاون فناوری و نوآوری پارک",
              "مدیر مرکز رشد پارک", "سرپرست پارک علم و فناوری مازندران",
              "معاون توسعه فناوری پارک علم و فناوری مازندران"]
SOURCES = ["به گزارش روابط عمومی پارک علم و فناوری مازندران،", "به گزارش ایرنا از ساری،",
           "به گزارش خبرنگار ما،", "به گزارش ایسنا منطقه مازندران،", "به نقل از پایگاه خبری پارک،",
           "به گزارش روابط عمومی پارک،"]
# Stand-ins for organisations in documents without partners (the partners field stays exact).
GENERIC_ORGS = ["دستگاه‌های اجرایی استان", "دانشگاه‌های استان", "فعالان بخش خصوصی",
                "مدیران شرکت‌های فناور", "نمایندگان مجلس", "مسئولان استانی", "اعضای هیئت علمی",
                "شرکت‌های مستقر در پارک"]
EVENTS = ["کارگاه آموزشی", "نشست تخصصی", "همایش", "رویداد استارتاپی", "دوره آموزشی",
          "نمایشگاه", "جشنواره", "هم‌اندیشی", "پیش‌رویداد", "وبینار", "مدرسه تابستانه"]
# Nouns of compound verbs and the light verbs they take (past stem, present stem).
COMPOUND = [
    ("برگزار", ("کرد", "کن"), ("شد", "شو")), ("انجام", ("داد", "ده"), ("شد", "شو")),
    ("اعلام", ("کرد", "کن"), ("شد", "شو")), ("ارائه", ("کرد", "کن"), ("شد", "شو")),
    ("امضا", ("کرد", "کن"), ("شد", "شو")), ("تولید", ("کرد", "کن"), ("شد", "شو")),
    ("حمایت", ("کرد", "کن"), ("شد", "شو")), ("اجرا", ("کرد", "کن"), ("شد", "شو")),
    ("ایجاد", ("کرد", "کن"), ("شد", "شو")), ("بررسی", ("کرد", "کن"), ("شد", "شو")),
    ("معرفی", ("کرد", "کن"), ("شد", "شو")), ("راه‌اندازی", ("کرد", "کن"), ("شد", "شو")),
    ("پیگیری", ("کرد", "کن"), ("شد", "شو")), ("تأکید", ("کرد", "کن"), None),
    ("استفاده", ("کرد", "کن"), ("شد", "شو")), ("توسعه", ("داد", "ده"), ("یافت", "یاب")),
    ("افزایش", ("داد", "ده"), ("یافت", "یاب")), ("کاهش", ("داد", "ده"), ("یافت", "یاب")),
    ("تشکیل", ("داد", "ده"), ("شد", "شو")), ("قرار", ("داد", "ده"), ("گرفت", "گیر")),
    ("تصویب", ("کرد", "کن"), ("شد", "شو")), ("تأمین", ("کرد", "کن"), ("شد", "شو")),
    ("بازدید", ("کرد", "کن"), None), ("شرکت", ("کرد", "کن"), None),
    ("دریافت", ("کرد", "کن"), ("شد", "شو")), ("تقدیر", ("کرد", "کن"), ("شد", "شو")),
    ("گزارش", ("داد", "ده"), ("شد", "شو")), ("آغاز", ("کرد", "کن"), ("شد", "شو")),
    ("تجاری", ("کرد", "کن"), ("شد", "شو")), ("پذیرش", ("کرد", "کن"), ("شد", "شو")),
]
# Frequent simple verbs of news prose, by past stem, with a relative weight.
COMMON_VERBS = {"کرد": 60, "شد": 60, "داد": 30, "داشت": 30, "گفت": 25, "رسید": 15, "گرفت": 15,
                "یافت": 10, "آمد": 10, "افزود": 10, "دانست": 8, "خواست": 8, "آورد": 8, "برد": 6,
                "ساخت": 6, "نوشت": 5, "خواند": 5, "گذاشت": 6, "ماند": 5, "کشید": 4, "نمود": 8,
                "دید": 6, "رفت": 6, "شناخت": 4, "پیوست": 3, "گشود": 3, "فرستاد": 3, "پرداخت": 8,
                "گذشت": 4, "افتاد": 3, "بست": 3, "کاست": 3, "سپرد": 2, "آموخت": 3, "شمرد": 2}

# Gradable adjectives for comparatives/superlatives (تر / ترین); weighted by their lexicon counts.
GRADABLE = """بزرگ کوچک مهم جدید خوب بد سریع ارزان گران سالم پاک قوی ساده دقیق مؤثر پایدار آسان سخت
بالا پایین بلند کوتاه وسیع گسترده هوشمند ایمن سبز ارزشمند مطمئن کارآمد جدی عمیق نزدیک دور تازه
قدیمی موفق فعال مناسب مفید کم زیاد گرم سرد سنگین سبک روشن تمیز شفاف محکم دشوار رایج""".split()

# Personal endings: (present/past ending, weight); 3sg and 3pl dominate news prose.
ENDINGS = [("م", "م", 3), ("ی", "ی", 1), ("د", "", 60), ("یم", "یم", 8), ("ید", "ید", 2),
           ("ند", "ند", 26)]


def _cum(weights):
    return list(itertools.accumulate(weights))


# --------------------------------------------------------------------------- lexicon

_PERSIAN_WORD = re.compile("^[آابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهیئءأؤ\u200c]+$")
_EXCLUDED_POS = {"PRO", "DET", "P", "CONJ", "POSTP", "NUM", "CL", "V", "PREP", "INT", "PS"}


class Lexicon:
    """Word pools with cumulative Zipf-like weights, built once per process."""

    def __init__(self) -> None:
        nouns, adjs, simple_adjs, advs = [], [], [], []
        gradable = set(GRADABLE)
        with open(LEXICON / "words.dat", encoding="utf-8") as f:
            for line in f:
                parts = line.rstrip("\n").split("\t")
                if len(parts) != 3:
                    continue
                word, count, pos = parts
                tags = set(pos.split(","))
                if tags & _EXCLUDED_POS or len(word) < 2 or not _PERSIAN_WORD.match(word):
                    continue
                if word.startswith(ZWNJ) or word.endswith(ZWNJ):
                    continue
                c = int(count) or ZERO_COUNT
                w = c ** ALPHA
                if "N" in tags:
                    nouns.append((word, w))
                if "AJ" in tags:
                    adjs.append((word, w))
                    if word in gradable:
                        simple_adjs.append((word, w))
                if "ADV" in tags and "N" not in tags and int(count) > 0:
                    advs.append((word, w))
        self.nouns = [w for w, _ in nouns]
        self.nouns_cum = _cum(x for _, x in nouns)
        self.adjs = [w for w, _ in adjs]
        self.adjs_cum = _cum(x for _, x in adjs)
        seen = {w for w, _ in simple_adjs}
        simple_adjs += [(w, ZERO_COUNT ** ALPHA) for w in GRADABLE if w not in seen]
        self.simple_adjs = [w for w, _ in simple_adjs]
        self.simple_adjs_cum = _cum(x for _, x in simple_adjs)
        self.advs = [w for w, _ in advs]
        self.advs_cum = _cum(x for _, x in advs)

        verbs, vweights = [], []
        with open(LEXICON / "verbs.dat", encoding="utf-8") as f:
            for line in f:
                past, _, present = line.strip().partition("#")
                past, present = past.strip(), present.strip()
                if not past or not present or past.endswith("ن"):
                    continue
                verbs.append((past, present))
                vweights.append(COMMON_VERBS.get(past, 0.03))
        self.verbs = verbs
        self.verbs_cum = _cum(vweights)
        self.size = len(self.nouns) + len(self.adjs) + len(self.advs) + len(verbs)


def load_partners():
    with open(PARTNERS, "rb") as f:
        data = tomllib.load(f)
    out = []
    for p in data.get("partner", []):
        name = p["name"]
        aliases = list(p.get("aliases", []))
        doms = []
        for hint, ds in PARTNER_HINTS:
            if hint in name or any(hint in a for a in aliases):
                for d in ds:
                    if d not in doms:
                        doms.append(d)
        out.append((name, aliases, doms))
    return out


def jalali_dates():
    """All valid dates 1398/01/01 .. 1405/08/30 (leap years in range: 1399, 1403)."""
    out = []
    for y in range(1398, 1406):
        for m in range(1, 13):
            if m <= 6:
                days = 31
            elif m <= 11:
                days = 30
            else:
                days = 30 if y in (1399, 1403) else 29
            for d in range(1, days + 1):
                if (y, m, d) > (1405, 8, 30):
                    return out
                out.append((y, m, d))
    return out


# --------------------------------------------------------------------------- morphology

def ends_vowel_a_o(w: str) -> bool:
    return w[-1] in "اآو"


def ezafe(w: str, r: float) -> str:
    """Noun as the head of an ezafe construction (ezafe is unwritten after consonants)."""
    last = w[-1]
    if last in "اآو":
        return w + "ی"
    if last == "ه" and not w.endswith(("اه", "وه")):
        if r < 0.35:
            return w + ZWNJ + "ی"
        if r < 0.45:
            return w + "ٔ"
    return w


def plural(w: str, r: float) -> str:
    if r < 0.18 and w[-1] not in "اآوهیةء" and ZWNJ not in w:
        return w + "ان"
    return w + ZWNJ + "ها"


def possessive(w: str, r: float) -> str:
    """Attached pronoun: ش / شان / م / مان (3sg dominates)."""
    suf = "ش" if r < 0.6 else ("شان" if r < 0.85 else ("م" if r < 0.93 else "مان"))
    last = w[-1]
    if last == "ه" and not w.endswith(("اه", "وه")):
        return w + ZWNJ + ("ا" + suf if suf in ("ش", "م") else suf)
    if last in "اآو":
        return w + "ی" + suf
    if last == "ی":
        return w + ZWNJ + ("ا" + suf if suf in ("ش", "م") else suf)
    return w + suf


def present_stem(p: str, ending: str) -> str:
    if ending and (p[-1] in "اآ" or p in ("گو", "جو")):
        return p + "ی"
    return p


def neg_past(stem: str) -> str:
    if stem[0] == "آ":
        return "نیا" + stem[1:]
    if stem[0] == "ا" and not stem.startswith("ای"):
        return "نی" + stem
    return "ن" + stem


def subj(stem: str) -> str:
    """Subjunctive/imperative prefix ب."""
    if stem[0] == "آ":
        return "بیا" + stem[1:]
    if stem[0] == "ا":
        return "بی" + stem
    return "ب" + stem


# --------------------------------------------------------------------------- document

class DocGen:
    """Generates one document; all randomness comes from its own RNG."""

    def __init__(self, lex: Lexicon, partners, dates, seed: int) -> None:
        self.lex = lex
        self.partners = partners
        self.dates = dates
        self.seed = seed
        self.source = f"synthetic (kavosh gen_corpus.py seed {seed})"
        # 100-slot table of personal endings by weight: one random() per verb
        self.end_table = [e for e in ENDINGS for _ in range(e[2])]

    # -- batch samplers (refilled on demand) --------------------------------
    def _refill(self, which: str):
        rng, lex = self.rng, self.lex
        if which == "n":
            self._n = rng.choices(lex.nouns, cum_weights=lex.nouns_cum, k=96)
        elif which == "a":
            self._a = rng.choices(lex.adjs, cum_weights=lex.adjs_cum, k=32)
        elif which == "v":
            self._v = rng.choices(lex.verbs, cum_weights=lex.verbs_cum, k=16)

    def noun(self) -> str:
        if not self._n:
            self._refill("n")
        return self._n.pop()

    def adj(self) -> str:
        if not self._a:
            self._refill("a")
        return self._a.pop()

    def verb(self):
        if not self._v:
            self._refill("v")
        return self._v.pop()

    def num(self, n: int) -> str:
        s = str(n)
        p = self.p_fa_digits
        if p and (p >= 1.0 or self.rng.random() < p):
            return s.translate(FA_DIGITS)
        return s

    # -- phrases -------------------------------------------------------------
    def np(self) -> str:
        """A noun phrase from the general vocabulary."""
        r = self.rng.random
        n = self.noun()
        x = r()
        if x < 0.40:
            return n
        if x < 0.62:
            return ezafe(n, r()) + " " + self.adj()
        if x < 0.74:
            return plural(n, r())
        if x < 0.82:
            return n + ZWNJ + "های " + self.adj()
        if x < 0.88:
            return possessive(n, r())
        if x < 0.94:
            return ezafe(n, r()) + " " + self.noun()
        return ezafe(ezafe(n, r()) + " " + self.noun(), r()) + " " + self.adj()

    def dphrase(self) -> str:
        """A phrase of one of the document's domains (or of the park's work)."""
        rng = self.rng
        if rng.random() < 0.2:
            return rng.choice(PARK_PHRASES)
        return rng.choice(DOMAINS[rng.choice(self.domains)][1])

    def dkeyword(self) -> str:
        rng = self.rng
        return rng.choice(DOMAINS[rng.choice(self.domains)][2])

    def dlabel(self) -> str:
        return DOMAINS[self.rng.choice(self.domains)][0]

    def partner_text(self, idx: int | None = None) -> str:
        rng = self.rng
        if self.doc_partners:
            name, aliases, _ = self.doc_partners[
                rng.randrange(len(self.doc_partners)) if idx is None else idx]
            if aliases and rng.random() < 0.3:
                return rng.choice(aliases)
            return name
        return rng.choice(GENERIC_ORGS)

    def conj(self) -> str:
        """A conjugated verb (simple or compound), mostly 3rd person."""
        rng = self.rng
        r = rng.random
        x = r()
        e_pres, e_past, _ = self.end_table[int(r() * 100)]
        if x < 0.45:
            noun, act, pas = rng.choice(COMPOUND)
            if pas is not None and r() < 0.4:
                past, pres = pas
            else:
                past, pres = act
            prefix = noun + " "
        else:
            past, pres = self.verb()
            prefix = ""
        y = r()
        if y < 0.30:                       # present continuous می‌
            v = "می" + ZWNJ + present_stem(pres, e_pres) + e_pres
        elif y < 0.55:                     # simple past
            v = past + e_past
        elif y < 0.68:                     # present perfect
            if e_past == "":
                v = past + "ه است" if r() < 0.5 else past + "ه" + ZWNJ + "است"
            else:
                v = past + "ه" + ZWNJ + "ا" + e_past
        elif y < 0.76:                     # negated present / past
            if r() < 0.5:
                v = "نمی" + ZWNJ + present_stem(pres, e_pres) + e_pres
            else:
                v = neg_past(past) + e_past
        elif y < 0.86:                     # future
            v = "خواه" + (e_pres or "د") + " " + past
        elif y < 0.94:                     # modal + subjunctive
            stem = present_stem(pres, "د") + "د"
            v = "باید " + (stem if prefix else subj(stem))
        else:                              # past continuous
            v = "می" + ZWNJ + past + e_past
        return prefix + v

    def pp(self) -> str:
        r = self.rng.random()
        prep = "در" if r < 0.35 else "از" if r < 0.55 else "به" if r < 0.72 else \
            "با" if r < 0.85 else "برای"
        return prep + " " + self.np()

    def comparative(self) -> str:
        rng, lex = self.rng, self.lex
        a = rng.choices(lex.simple_adjs, cum_weights=lex.simple_adjs_cum)[0]
        joiner = ZWNJ if rng.random() < 0.6 else ""
        if rng.random() < 0.5:
            return a + joiner + "ترین " + self.noun()
        return self.noun() + " " + a + joiner + "تر"

    # -- sentences -----------------------------------------------------------
    def general_sentence(self) -> str:
        rng = self.rng
        x = rng.random()
        if x < 0.22:
            s = f"{self.np()} {self.pp()} {self.conj()}"
        elif x < 0.38:
            s = f"{self.np()} {self.np()} را {self.conj()}"
        elif x < 0.48:
            s = f"{self.np()} و {self.np()} {self.pp()} {self.conj()}"
        elif x < 0.56:
            s = f"{self.np()} که {self.pp()} {self.conj()}، {self.pp()} {self.conj()}"
        elif x < 0.63:
            s = f"{self.comparative()} {self.pp()} است"
        elif x < 0.70:
            if not self.lex.advs:
                s = f"{self.np()} {self.conj()}"
            else:
                adv = rng.choices(self.lex.advs, cum_weights=self.lex.advs_cum)[0]
                s = f"{adv}، {self.np()} {self.pp()} {self.conj()}"
        elif x < 0.78:
            s = f"وی با اشاره به {self.np()} گفت: {self.np()} {self.pp()} {self.conj()}"
        elif x < 0.85:
            s = f"{self.np()} {self.pp()} {self.pp()} {self.conj()}"
        elif x < 0.92:
            s = f"به گفته {rng.choice(ROLES)} {self.np()}، {self.np()} {self.conj()}"
        else:
            s = f"{self.np()} {self.num(rng.randint(2, 95))} درصد {self.conj()}"
        return s + "."

    def domain_sentence(self) -> str:
        rng = self.rng
        t = rng.randrange(16)
        D = self.dphrase
        if t == 0:
            s = f"{self.partner_text()} و {PARK} در زمینه {D()} همکاری می‌کنند"
        elif t == 1:
            a, b = D(), D()
            s = f"هدف از این همکاری {a} عنوان شد" if a == b else f"هدف از این همکاری {a} و {b} عنوان شد"
        elif t == 2:
            s = f"{self.num(rng.randint(3, 120))} شرکت دانش‌بنیان فعال در حوزه {self.dlabel()} در این {rng.choice(EVENTS)} حضور داشتند"
        elif t == 3:
            s = f"{rng.choice(PARK_ROLES)} با اشاره به اهمیت {D()} گفت: {self.np()} {self.pp()} {self.conj()}"
        elif t == 4:
            s = f"در این نشست درباره {D()} و {self.np()} بحث و تبادل نظر شد"
        elif t == 5:
            s = f"اجرای طرح {D()} با اعتبار {self.num(rng.randint(2, 900))} میلیارد ریال در {rng.choice(CITIES)} آغاز شد"
        elif t == 6:
            s = f"مقرر شد {D()} با حمایت {self.partner_text()} در استان مازندران اجرایی شود"
        elif t == 7:
            s = f"{D()} یکی از مهم‌ترین اولویت‌های {PARK} در حوزه {self.dlabel()} است"
        elif t == 8:
            s = f"وی افزود: {self.dkeyword()} و {D()} {self.pp()} {self.conj()}"
        elif t == 9:
            s = f"تاکنون {self.num(rng.randint(2, 60))} طرح در زمینه {D()} در مرکز رشد پارک پذیرش شده است"
        elif t == 10:
            s = f"{self.dkeyword()} {self.np()} {self.pp()} {self.conj()}"
        elif t == 11:
            s = f"در سال {self.num(rng.randint(1398, 1405))} بیش از {self.num(rng.randint(10, 500))} نفر در دوره‌های {D()} آموزش دیدند"
        elif t == 12:
            s = f"با توجه به ظرفیت‌های استان مازندران در حوزه {self.dlabel()}، توسعه {D()} ضروری است"
        elif t == 13:
            s = f"فناوران {rng.choice(CITIES)} در زمینه {D()} و {self.dkeyword()} محصولات جدیدی ارائه کرده‌اند"
        elif t == 14:
            s = f"ظرفیت {D()} در استان {self.num(rng.randint(5, 80))} درصد افزایش یافته است"
        else:
            s = f"{self.np()} در حوزه {D()} {self.conj()}"
        return s + "."

    # -- titles --------------------------------------------------------------
    def agreement_title(self) -> str:
        rng = self.rng
        name, aliases, _ = self.doc_partners[0]
        forms = [name] + aliases
        x = name if not aliases or rng.random() >= 0.3 else rng.choice(aliases)
        if len(x.split()) > 4:                 # keep titles near 6-14 words
            x = min(forms, key=lambda f: len(f.split()))
        r = rng.random()
        if r < 0.8:
            return f"امضای تفاهم‌نامه همکاری میان {PARK} و {x}"
        if r < 0.9:
            return f"تفاهم‌نامه همکاری {PARK} و {x} امضا شد"
        t = f"همکاری {PARK} و {x} در حوزه {self.dlabel()}"
        if t.count(" ") < 14:
            return t
        return f"امضای تفاهم‌نامه همکاری میان {PARK} و {x}"

    def news_title(self) -> str:
        for _ in range(8):                     # 6-14 words: redraw titles that run long
            s = self._news_title()
            n = s.count(" ") + 1
            if n < 6:
                s += " در استان مازندران"
                n += 3
            if n <= 14:
                return s
        return " ".join(s.split(" ")[:14])

    def _news_title(self) -> str:
        rng = self.rng
        D = self.dphrase
        t = rng.randrange(13)
        if t == 0:
            s = f"برگزاری {rng.choice(EVENTS)} {D()} در {PARK}"
        elif t == 1:
            s = f"{rng.choice(EVENTS)} {D()} با حضور {self.partner_text()} برگزار شد"
        elif t == 2:
            s = f"رونمایی از {self.num(rng.randint(2, 30))} محصول فناورانه در حوزه {self.dlabel()}"
        elif t == 3:
            s = f"حمایت پارک علم و فناوری مازندران از {self.num(rng.randint(2, 50))} طرح {D()}"
        elif t == 4:
            s = f"بازدید مسئولان {self.partner_text()} از شرکت‌های فناور حوزه {self.dlabel()}"
        elif t == 5:
            s = f"{self.num(rng.randint(2, 40))} شرکت دانش‌بنیان در حوزه {D()} پذیرش شدند"
        elif t == 6:
            s = f"فراخوان جذب طرح‌های فناورانه در زمینه {D()} منتشر شد"
        elif t == 7:
            s = f"{rng.choice(EVENTS)} {D()} در {rng.choice(CITIES)} برگزار می‌شود"
        elif t == 8:
            s = f"گسترش همکاری پارک با {self.partner_text()} در زمینه {D()}"
        elif t == 9:
            s = f"حضور شرکت‌های فناور پارک در {rng.choice(EVENTS)} {self.dlabel()}"
        elif t == 10:
            s = f"{D()} در {rng.choice(CITIES)} {self.conj()}"
        elif t == 11:
            s = f"{self.np()} {self.pp()} {self.conj()}"
        else:
            s = f"تأکید بر توسعه {D()} و {self.dkeyword()} در استان مازندران"
        return s

    # -- bodies --------------------------------------------------------------
    def body(self, target: int) -> str:
        rng = self.rng
        y, m, d = self.date
        day = f"{self.num(d)} {MONTHS[m - 1]} {self.num(y)}"
        if self.kind == "agreement":
            p0 = self.partner_text(0)
            first = (f"{rng.choice(SOURCES)} تفاهم‌نامه همکاری میان {PARK} و {p0} "
                     f"با هدف {self.dphrase()} در تاریخ {day} امضا شد.")
            last = (f"این تفاهم‌نامه به مدت {self.num(rng.randint(1, 5))} سال اعتبار دارد و "
                    f"با توافق طرفین قابل تمدید است.")
            extra = []
            if len(self.doc_partners) > 1:
                extra.append(f"{self.partner_text(1)} نیز به عنوان طرف سوم این تفاهم‌نامه در "
                             f"زمینه {self.dphrase()} همکاری خواهد کرد.")
            extra.append(f"این تفاهم‌نامه به امضای {rng.choice(ROLES)} {p0} و "
                         f"{rng.choice(PARK_ROLES)} رسید.")
        else:
            first = (f"{rng.choice(SOURCES)} {rng.choice(EVENTS)} {self.dphrase()} روز "
                     f"{day} در {rng.choice(CITIES)} برگزار شد.")
            last = f"گفتنی است {self.dphrase()} از برنامه‌های {PARK} در سال {self.num(y)} است."
            extra = []
            if self.doc_partners:
                extra.append(f"در این {rng.choice(EVENTS)} نمایندگانی از {self.partner_text()} "
                             f"حضور داشتند.")
        paras: list[list[str]] = [[first]]
        words = first.count(" ") + last.count(" ") + 2
        extra_at = {rng.randrange(1, 6): e for e in extra}
        n = skips = 0
        p_domain = self.p_domain
        while words < target:
            n += 1
            s = extra_at.pop(n, None)
            if s is None:
                s = self.domain_sentence() if rng.random() < p_domain else self.general_sentence()
                k = s.count(" ") + 1
                if words + k > target + 8 and words >= 150 and skips < 20:
                    skips += 1                 # too long to end on: try a shorter sentence
                    continue
            else:
                k = s.count(" ") + 1
            words += k
            if rng.random() < 0.16:
                paras.append([s])
            else:
                paras[-1].append(s)
        for s in extra_at.values():
            paras[-1].append(s)
        paras[-1].append(last)
        return "\n".join(" ".join(p) for p in paras)

    # -- noise ---------------------------------------------------------------
    def noisy(self, text: str) -> str:
        rng = self.rng
        if self.zwnj_mode and ZWNJ in text:
            repl = "" if self.zwnj_mode == 1 else " "
            parts = text.split(ZWNJ)
            out = [parts[0]]
            r = rng.random
            for p in parts[1:]:
                out.append(ZWNJ if r() < 0.12 else repl)
                out.append(p)
            text = "".join(out)
        if self.arabic_yk:
            text = text.translate(ARABIC_YK)
        if self.tatweel:
            text = add_tatweel(text, rng, self.tatweel)
        return text

    # -- the document ----------------------------------------------------------
    def generate(self, i: int) -> dict:
        rng = self.rng = random.Random(f"kavosh-syn:{self.seed}:{i}")
        self._n, self._a, self._v = [], [], []
        self.kind = kind = "agreement" if rng.random() < 0.4 else "news"
        # noise profile
        z = rng.random()
        self.zwnj_mode = 1 if z < 0.50 else (2 if z < 0.65 else 0)
        self.arabic_yk = rng.random() < 0.10
        self.tatweel = rng.randint(1, 4) if rng.random() < 0.05 else 0
        f = rng.random()
        self.p_fa_digits = 1.0 if f < 0.25 else (0.5 if f < 0.35 else 0.0)
        # metadata
        self.date = rng.choice(self.dates)
        n_partners = rng.randint(1, 2) if kind == "agreement" else rng.choice((0, 0, 1, 1, 1, 2))
        self.doc_partners = rng.sample(self.partners, n_partners)
        n_domains = rng.choice((1, 1, 2, 2, 2, 3))
        doms: list[str] = []
        if kind == "agreement" and self.doc_partners[0][2] and rng.random() < 0.7:
            doms.append(rng.choice(self.doc_partners[0][2]))
        while len(doms) < n_domains:
            d = rng.choice(DOMAIN_IDS)
            if d not in doms:
                doms.append(d)
        self.domains = doms
        self.p_domain = 0.3 + 0.2 * rng.random()
        target = int(rng.triangular(150, 450, 300))
        title = self.agreement_title() if kind == "agreement" else self.news_title()
        body = self.body(target)
        y, m, d = self.date
        doc = {
            "id": f"syn-{i:06d}",
            "kind": kind,
            "title": self.noisy(title),
            "body": self.noisy(body),
            "date": f"{y}/{m:02d}/{d:02d}",
        }
        if kind == "agreement":
            doc["number"] = rng.randint(1, 999)
        doc["partners"] = [p[0] for p in self.doc_partners]
        doc["domains"] = doms
        doc["url"] = f"https://example.invalid/syn/{i}"
        doc["source"] = self.source
        return doc


_JOINING = set("بپتثجچحخسشصضطظعغفقکگلمنهیئكي")
_ARABIC_LETTER = set("آابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهیئءأؤكي")


def add_tatweel(text: str, rng: random.Random, count: int) -> str:
    """Insert a tatweel inside `count` words, between a joining letter and a following letter."""
    chars = list(text)
    n = len(chars)
    done = tries = 0
    while done < count and tries < 50:
        tries += 1
        j = rng.randrange(1, n - 1)
        if chars[j] in _JOINING and chars[j + 1] in _ARABIC_LETTER and chars[j - 1] in _ARABIC_LETTER:
            chars[j] = chars[j] + "ـ" * rng.choice((1, 1, 2))
            done += 1
    return "".join(chars)


# --------------------------------------------------------------------------- driver

_STATE = {}


def _init_worker(seed: int) -> None:
    _STATE["gen"] = DocGen(Lexicon(), load_partners(), jalali_dates(), seed)


def _chunk(bounds) -> str:
    lo, hi = bounds
    gen = _STATE["gen"]
    dumps = json.dumps
    return "".join(dumps(gen.generate(i), ensure_ascii=False, separators=(",", ":")) + "\n"
                   for i in range(lo, hi))


def _chunks(docs: int, jobs: int, seed: int):
    """Yields the NDJSON text of documents 1..docs in order, in chunks of 500 documents."""
    chunk = 500
    bounds = ((lo, min(lo + chunk, docs + 1)) for lo in range(1, docs + 1, chunk))
    if jobs <= 1:
        _init_worker(seed)
        for b in bounds:
            yield _chunk(b)
        return
    import multiprocessing as mp
    from collections import deque
    ctx = mp.get_context("fork" if hasattr(os, "fork") else "spawn")
    with ctx.Pool(jobs, initializer=_init_worker, initargs=(seed,)) as pool:
        pending: deque = deque()
        for b in bounds:                    # a bounded window keeps memory flat
            pending.append(pool.apply_async(_chunk, (b,)))
            if len(pending) >= 2 * jobs:
                yield pending.popleft().get()
        while pending:
            yield pending.popleft().get()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--docs", type=int, required=True, help="number of documents")
    ap.add_argument("--seed", type=int, required=True, help="seed (same seed => same corpus)")
    ap.add_argument("--out", help="output file (default: stdout)")
    ap.add_argument("--jobs", type=int, default=0,
                    help="worker processes; 0 (default) = 1 below 20000 documents, else all "
                         "cores. The output is the same for any value")
    ap.add_argument("--quiet", action="store_true", help="no timing line on stderr")
    args = ap.parse_args(argv)
    if args.docs < 0:
        ap.error("--docs must be >= 0")
    jobs = args.jobs
    if jobs <= 0:
        jobs = 1 if args.docs < 20000 else max(1, os.cpu_count() or 1)

    t0 = time.perf_counter()
    nbytes = 0
    if args.out:
        out = open(args.out, "w", encoding="utf-8", newline="\n")
    else:
        out = open(sys.stdout.fileno(), "w", encoding="utf-8", newline="\n", closefd=False)
    try:
        for s in _chunks(args.docs, jobs, args.seed):
            if not args.quiet:
                nbytes += len(s.encode("utf-8"))
            out.write(s)
        out.flush()
    except BrokenPipeError:                 # e.g. `| head`: stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), out.fileno())
        return 0
    finally:
        out.close()
    dt = time.perf_counter() - t0
    if not args.quiet:
        print(f"gen_corpus: docs={args.docs} seed={args.seed} jobs={jobs} seconds={dt:.2f} "
              f"docs_per_sec={args.docs / dt if dt else 0:.0f} mb={nbytes / 1e6:.1f}",
              file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
