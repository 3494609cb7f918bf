#!/usr/bin/env python3
"""Writes tests/data/site/: the fixture website the crawler's tests serve on 127.0.0.1.

A Persian institution's site in the style of the park's, built from corpus pages, with the
template noise of real sites (menus, breadcrumbs, a "today" date in the header, a most-viewed
sidebar, a banner, share buttons, comments, related news, a footer with the address, scripts)
in three templates:

- A, `/fa/news/N`: a modern HTML5 template (header/nav/article/aside/footer, English class
  names, og: tags; the date as <time>, article:published_time, "۱۴۰۴/۰۱/۳۰" or
  "سه‌شنبه ۲۵ آذرماه ۱۴۰۴" by page);
- B, `/fa/mou/N`: an ASP.NET-style template with Finglish class names that no noise list
  knows (`akharin-akhbar`, `nazarat`, `paeen`) and the park's own labels («جزئیات تفاهم نامه»,
  «تاریخ ایجاد تفاهم نامه: … شماره تفاهم نامه: …»), the body as text with <br>;
- C, `/news_detail.asp?id=N`: a legacy table layout in windows-1256 (Arabic ي, as such pages
  have), the title in <b><font>, declared in the HTTP header, in a <meta>, or not at all.

`site.tsv` says how each URL is answered (status, file, headers, validators) in the first
crawl; `v2.tsv` what changes before the second (edited, removed, gone, failing and added
pages); `pages.tsv` maps each article page to the corpus page it was built from (the gold of
the extraction figures). Probe words that occur nowhere in the corpus mark each kind of noise
(see README.md there). Deterministic: run `python3 scripts/make_site.py` after changing it.
"""
import gzip
import html
import re
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
OUT = ROOT / "tests" / "data" / "site"
SITE = "پارک علم و فناوری مازندران"
FA_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
MONTHS = ["فروردین", "اردیبهشت", "خرداد", "تیر", "مرداد", "شهریور", "مهر", "آبان", "آذر",
          "دی", "بهمن", "اسفند"]
WEEKDAYS = ["دوشنبه", "سه‌شنبه", "چهارشنبه", "پنجشنبه", "جمعه", "شنبه", "یکشنبه"]

# Probe words (none occurs in the corpus): each marks one kind of template noise.
FOOTER = "نشانی: ساری، کیلومتر ۵ جاده فرح‌آباد، کوچه نارنجستان، پارک علم و فناوری مازندران. " \
         "تلفن: ۰۱۱-۳۳۰۴۵۶۷۸ کد پستی: ۴۸۱۷۶-۸۳۱۱۱"
BANNER = "ثبت‌نام در جشنواره ملی نوآوری سپیدار برای شرکت‌های فناور استان تا پایان ماه ادامه " \
         "دارد و برگزیدگان از حمایت‌های ویژه پارک بهره‌مند خواهند شد."
COMMENT = "این خبر بسیار امیدوارکننده بود و امیدواریم همکاری‌ها در زنبورستان‌های استان هم " \
          "گسترش پیدا کند، چون فناوران این حوزه نیاز زیادی به حمایت دارند."
RELATED = "گزارش کامل این رویداد و گفت‌وگو با فناوران حاضر در نمایشگاه گلابتون را در ادامه " \
          "بخوانید."
MENU_PROBE = "سامانه پرنیان"
SCRIPT = "var banner = 'کهربا'; window.dataLayer = window.dataLayer || [];"
TODAY = "امروز: شنبه ۸ آذر ۱۴۰۵"
ZWNJ = "\u200c"


def jalali_to_gregorian(jy, jm, jd):
    """The ISO day of a Jalali day (the arithmetic of the 33-year cycle)."""
    jy += 1595
    days = -355668 + 365 * jy + (jy // 33) * 8 + ((jy % 33) + 3) // 4 + jd
    days += (jm - 1) * 31 if jm < 7 else (jm - 7) * 30 + 186
    gy = 400 * (days // 146097)
    days %= 146097
    if days > 36524:
        days -= 1
        gy += 100 * (days // 36524)
        days %= 36524
        if days >= 365:
            days += 1
    gy += 4 * (days // 1461)
    days %= 1461
    if days > 365:
        gy += (days - 1) // 365
        days = (days - 1) % 365
    gd = days + 1
    leap = (gy % 4 == 0 and gy % 100 != 0) or gy % 400 == 0
    months = [31, 29 if leap else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    gm = 0
    while gm < 12 and gd > months[gm]:
        gd -= months[gm]
        gm += 1
    return date(gy, gm + 1, gd)


def read_corpus(name):
    """(kind, (y, m, d), number, title, body lines) of a corpus page."""
    text = (CORPUS / name).read_text(encoding="utf-8").replace("\r", "")
    lines = [l for l in text.split("\n")]
    content = [l for l in lines if l.strip()]
    meta = content[2].translate(str.maketrans("۰۱۲۳۴۵۶۷۸۹", "0123456789"))
    y, m, d = map(int, re.search(r"(\d{4})/(\d{2})/(\d{2})", meta).groups())
    number = re.search(r"شماره[^0-9]*(\d+)", meta)
    title = content[3].strip()
    start = lines.index(content[3]) + 1
    body = [l.strip() for l in lines[start:]]
    while body and (not body[0] or body[0] == title):
        body.pop(0)
    kind = "agreement" if "تفاهم" in content[1] else "news"
    return kind, (y, m, d), int(number.group(1)) if number else None, title, body


def fa(n):
    return str(n).translate(FA_DIGITS)


def long_date(ymd, month_suffix=""):
    """«سه‌شنبه ۲۵ آذرماه ۱۴۰۴» (with the weekday) or «۲۵ آذر ۱۴۰۴»."""
    y, m, d = ymd
    weekday = WEEKDAYS[jalali_to_gregorian(y, m, d).weekday()]
    return f"{weekday} {fa(d)} {MONTHS[m - 1]}{month_suffix} {fa(y)}"


def e(text):
    return html.escape(text, quote=True)


def body_blocks(body, style):
    """The body lines as HTML: <p>, <h3> for short headings, <ul> for «- » bullets; or text with
    <br> (style "br")."""
    if style == "br":
        return "<br>\n".join(e(l.lstrip("- ")) if l else "" for l in body)
    out, items = [], []
    for line in body + [""]:
        if line.startswith("- "):
            items.append(f"<li>{e(line[2:].strip())}</li>")
            continue
        if items:
            out.append("<ul>" + "".join(items) + "</ul>")
            items = []
        if not line:
            continue
        if len(line) < 40 and not line.endswith((".", "؟", "!", ":")):
            out.append(f"<h3>{e(line)}</h3>")
        else:
            out.append(f"<p>{e(line)}</p>")
    return "\n".join(out)


# ---------- template A: modern HTML5 ----------

MENU = [("/", "خانه"), ("/fa/about", "درباره پارک"), ("/fa/news", "اخبار"),
        ("/fa/mou", "تفاهم‌نامه‌ها"), ("/fa/archive", "آرشیو"),
        ("/fa/search?q=فناوری", "جستجوی پیشرفته"), ("https://parnian.example.ir/", MENU_PROBE),
        ("/fa/admin/", "ورود مدیران"), ("mailto:info@mstp.example.ir", "پست الکترونیک"),
        ("javascript:void(0)", "نسخه موبایل")]


def chrome_a(title, main, head_extra="", most_viewed=()):
    menu = "".join(f'<li><a href="{e(h)}">{e(t)}</a></li>' for h, t in MENU)
    viewed = "".join(f'<li><a href="/fa/news/{n}">{e(t)}</a><span class="date">{e(d)}</span></li>'
                     for n, t, d in most_viewed)
    return f"""<!DOCTYPE html>
<html lang="fa" dir="rtl">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e(title)}</title>
<meta property="og:site_name" content="{SITE}">
{head_extra}<link rel="stylesheet" href="/static/site.css">
<style>.site-header {{ background: #0a4d68; }} .share a {{ margin: 0 4px; }}</style>
<script>{SCRIPT}</script>
</head>
<body>
<header class="site-header">
  <div class="top-bar"><span class="today">{TODAY}</span></div>
  <a class="logo" href="/"><img src="/static/logo.png" alt="{SITE}"> {SITE}</a>
  <form class="search-form" action="/fa/search"><input name="q" placeholder="جستجو در سایت"><button>جستجو</button></form>
  <nav class="main-menu"><ul>{menu}</ul></nav>
</header>
<div class="container">
{main}
<aside class="sidebar">
  <div class="widget most-viewed"><h3>پربازدیدترین اخبار</h3><ul>{viewed}</ul></div>
  <div class="widget banner"><a href="/fa/news"><img src="/static/sepidar.jpg" alt="جشنواره سپیدار"></a><p>{BANNER}</p></div>
</aside>
</div>
<footer class="site-footer">
  <p class="address">{FOOTER}</p>
  <p><a href="/fa/private/report">گزارش داخلی</a> | <a href="tel:+981133045678">تماس</a></p>
  <p class="copyright">کلیه حقوق این وب‌سایت متعلق به {SITE} است. © ۱۴۰۵</p>
</footer>
<script src="/static/site.js"></script>
<script>document.querySelectorAll('.share a').forEach(function (a) {{ a.title = 'اشتراک'; }});</script>
</body>
</html>
"""


def news_page(n, page, date_style, related=(), extra_links=(), comments=(COMMENT,),
              most_viewed=(), print_view=False):
    kind, ymd, _, title, body = page
    iso = jalali_to_gregorian(*ymd).isoformat()
    head = f'<meta property="og:title" content="{e(title)}">\n<meta property="og:type" content="article">\n'
    if date_style == "time":
        shown = f'<time datetime="{iso}">{fa(ymd[2])} {MONTHS[ymd[1] - 1]} {fa(ymd[0])}</time>'
    elif date_style == "meta":
        head += f'<meta property="article:published_time" content="{iso}T09:30:00+03:30">\n'
        shown = f'<span class="date">{fa(ymd[2])} {MONTHS[ymd[1] - 1]} {fa(ymd[0])}</span>'
    elif date_style == "numeric":
        shown = f'<span class="date">تاریخ انتشار: {fa("%04d/%02d/%02d" % ymd)}</span>'
    else:
        shown = f'<span class="date">{long_date(ymd, "ماه")}</span>'
    lead, rest = body[0], body[1:]
    rel = "".join(f'<li><a href="{e(h)}">{e(t)}</a><p>{RELATED}</p></li>' for h, t in related)
    links = "".join(f'<p><a href="{e(h)}">{e(t)}</a></p>' for h, t in extra_links)
    comment_html = "".join(
        f'<div class="comment"><span class="author">کاربر {fa(i + 1)}</span><p>{e(c)}</p></div>'
        for i, c in enumerate(comments))
    main = f"""<main class="content">
<ol class="breadcrumb"><li><a href="/">خانه</a></li><li><a href="/fa/news">اخبار</a></li><li>{e(title)}</li></ol>
<article class="news-item">
  <header class="news-header">
    <h1 class="news-title">{e(title)}</h1>
    <div class="news-meta">{shown} <span class="code">کد خبر: {fa(n)}</span> <span class="views">تعداد بازدید: {fa(n * 7 % 400 + 35)}</span></div>
  </header>
  <p class="lead">{e(lead)}</p>
  <div class="news-body">
{body_blocks(rest, "p")}
{links}
  </div>
  <div class="tags">برچسب‌ها: <a href="/fa/tag/انرژی">انرژی</a> <a href="/fa/tag/فناوری">فناوری</a></div>
  <div class="share">اشتراک‌گذاری در <a href="https://t.me/share/url?url=/fa/news/{n}">تلگرام</a> <a href="https://wa.me/?text=/fa/news/{n}">واتساپ</a> <a href="{'?print=1' if print_view else 'javascript:window.print()'}">نسخه چاپی</a></div>
</article>
<section class="related-news"><h3>اخبار مرتبط</h3><ul>{rel}</ul></section>
<section class="comments" id="comments"><h3>نظرات کاربران</h3>{comment_html}
  <form class="comment-form"><textarea name="text"></textarea><button>ارسال نظر</button></form>
</section>
</main>"""
    return chrome_a(f"{title} | {SITE}", main, head, most_viewed)


def print_page(page):
    _, ymd, _, title, body = page
    return f"""<!DOCTYPE html>
<html lang="fa" dir="rtl"><head><meta charset="utf-8"><title>{e(title)} - نسخه چاپی</title></head>
<body onload="window.print()">
<h1>{e(title)}</h1>
<p>تاریخ انتشار: {fa("%04d/%02d/%02d" % ymd)}</p>
{body_blocks(body, "p")}
<p>{SITE}</p>
</body></html>
"""


def listing_a(title, items, extra="", head_extra=""):
    """A listing page in template A: links with dates and a teaser each."""
    lis = "".join(
        f'<li class="item"><a href="{e(h)}">{e(t)}</a> <span class="date">{e(d)}</span><p>{e(teaser)}</p></li>'
        for h, t, d, teaser in items)
    main = f"""<main class="content">
<ol class="breadcrumb"><li><a href="/">خانه</a></li><li>{e(title)}</li></ol>
<h1>{e(title)}</h1>
<ul class="news-list">{lis}</ul>
{extra}
</main>"""
    return chrome_a(f"{title} | {SITE}", main, head_extra)


# ---------- template B: ASP.NET style, Finglish class names ----------

def chrome_b(main, latest):
    lat = "".join(f'<div class="khabar"><a href="{e(h)}">{e(t)}</a><div class="tarikh">{e(d)}</div></div>'
                  for h, t, d in latest)
    return f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml" dir="rtl">
<head><meta http-equiv="Content-Type" content="text/html; charset=utf-8" />
<title>{SITE} - جزئیات تفاهم نامه</title>
<script type="text/javascript">{SCRIPT}</script>
</head>
<body>
<form method="post" action="./Default.aspx" id="aspnetForm">
<input type="hidden" name="__VIEWSTATE" id="__VIEWSTATE" value="/wEPDwUKMTY1NDU2MTA1Mg9kFgJmD2QWAgIDD2QWBAIBDw8WAh4EVGV4dAUF" />
<div id="bala">
  <div class="onvan-site"><a href="/"><img src="/images/logo.gif" alt="{SITE}" /></a> پـارک علم و فنـاوری مازنـدران</div>
  <div class="tarikh-emrooz">{TODAY}</div>
  <ul class="fehrest"><li><a href="/">صفحه اصلی</a></li><li><a href="/fa/about">معرفی پارک</a></li><li><a href="/fa/mou">تفاهم نامه ها</a></li><li><a href="/fa/news">اخبار</a></li><li><a href="https://parnian.example.ir/">{MENU_PROBE}</a></li></ul>
</div>
<table class="asli" width="100%"><tr>
<td class="sotoon-rast" valign="top" width="25%">
  <div class="akharin-akhbar"><div class="onvan-box">آخرین اخبار</div>{lat}</div>
  <div class="tabligh"><a href="/fa/news"><img src="/images/sepidar.jpg" alt="" /></a><div>{BANNER}</div></div>
</td>
<td class="sotoon-vasat" valign="top">
{main}
</td></tr></table>
<div id="paeen"><div>{FOOTER}</div><div>کلیه حقوق مادی و معنوی این سایت متعلق به {SITE} می باشد.</div>
<a href="/fa/private/report">گزارش داخلی</a></div>
</form>
</body>
</html>
"""


def mou_page(page, latest, extra_links=()):
    _, ymd, number, title, body = page
    links = "".join(f'<br /><a href="{e(h)}">{e(t)}</a>' for h, t in extra_links)
    # The park's own pages repeat the title at the head of the text (see tests/data/mou-054.txt).
    text = body_blocks([title, ""] + body, "br")
    main = f"""<div class="box">
  <div class="onvan-box"><span id="ctl00_cph_lblHeader">جزئیات تفاهم نامه</span></div>
  <div class="moshakhasat"><span id="ctl00_cph_lblDate">تاریخ ایجاد تفاهم نامه: {"%04d/%02d/%02d" % ymd}</span>
  <span id="ctl00_cph_lblTime">ساعت ایجاد تفاهم نامه: 12:00 AM</span>
  <span id="ctl00_cph_lblNumber">شماره تفاهم نامه: {number}</span></div>
  <h2 class="onvan-khabar">{e(title)}</h2>
  <div id="ctl00_cph_lblBody" class="matn">{text}{links}</div>
  <div class="abzar"><a href="javascript:window.print()">چاپ</a> | <a href="/fa/mou">بازگشت به فهرست</a></div>
</div>
<div class="nazarat"><div class="onvan-box">نظرات شما</div>
  <div class="nazar"><b>مهدی</b>: {e(COMMENT)}</div>
</div>"""
    return chrome_b(main, latest)


def mou_listing(rows, latest):
    trs = "".join(f'<tr><td>{fa(num)}</td><td><a href="/fa/mou/{num}">{e(t)}</a></td><td>{d}</td></tr>'
                  for num, t, d in rows)
    main = f"""<div class="box"><div class="onvan-box">تفاهم نامه ها</div>
<table class="jadval"><tr><th>شماره</th><th>عنوان</th><th>تاریخ</th></tr>{trs}</table>
<div><a href="/fa/tag/انرژی">تفاهم نامه های حوزه انرژی</a></div></div>"""
    return chrome_b(main, latest)


# ---------- template C: legacy tables, windows-1256 ----------

def legacy_page(page, charset_meta):
    _, ymd, _, title, body = page
    meta = '<meta http-equiv="Content-Type" content="text/html; charset=windows-1256">\n' \
        if charset_meta else ""
    text = "<br>\n".join(e(l.lstrip("- ")) for l in body if l)
    return f"""<html dir="rtl">
<head>
{meta}<title>{SITE} :: {e(title)}</title>
</head>
<body bgcolor="#ffffff" topmargin="0">
<table width="780" border="0" cellpadding="0" cellspacing="0" align="center">
<tr><td colspan="2" bgcolor="#003366"><font color="#ffffff" size="2">{TODAY}</font> &nbsp; <font color="#ffffff" size="4">{SITE}</font></td></tr>
<tr><td colspan="2"><a href="/">صفحه اصلی</a> | <a href="/fa/archive">آرشیو اخبار</a> | <a href="/fa/about">درباره ما</a> | <a href="https://parnian.example.ir/">{MENU_PROBE}</a></td></tr>
<tr>
<td width="180" valign="top" bgcolor="#eeeeee">
<font size="2"><b>پیوندها</b><br>
<a href="/news_detail.asp?id=1">خبر نخست آرشیو</a><br>
<a href="/news_detail.asp?id=2">خبر دوم آرشیو</a><br>
<a href="/news_detail.asp?id=3">خبر سوم آرشیو</a><br>
<a href="/fa/news">اخبار جدید</a><br>
{e(BANNER)}</font>
</td>
<td valign="top">
<font size="2" color="#666666">{long_date(ymd, ZWNJ + "ماه")}</font><br>
<b><font size="4" color="#003366">{e(title)}</font></b><br><br>
<font size="2">{text}</font>
</td>
</tr>
<tr><td colspan="2" align="center"><font size="1">{FOOTER}</font></td></tr>
</table>
</body>
</html>
"""


def to_cp1256(text):
    """As a windows-1256 page stores Persian: Arabic yeh for Farsi yeh, heh for heh with hamza,
    Latin digits (the code page has no Persian ones)."""
    text = text.translate(str.maketrans("۰۱۲۳۴۵۶۷۸۹", "0123456789"))
    return text.replace("ی", "ي").replace("ۀ", "ه").encode("cp1256", errors="strict")


# ---------- the site ----------

NEWS = {  # id: corpus page, date style
    101: ("news-041.txt", "time"), 102: ("news-042.txt", "numeric"),
    103: ("news-043.txt", "long"), 104: ("news-044.txt", "meta"),
    105: ("news-045.txt", "time"), 106: ("news-046.txt", "numeric"),
    107: ("news-047.txt", "long"), 108: ("news-048.txt", "meta"),
    109: ("news-049.txt", "time"), 110: ("news-050.txt", "meta"),
    111: ("news-051.txt", "numeric"), 112: ("news-052.txt", "long"),
    113: ("news-053.txt", "time"), 114: ("news-054.txt", "numeric"),
    115: ("news-055.txt", "long"),
}
MOUS = ["mou-047.txt", "mou-048.txt", "mou-049.txt", "mou-050.txt", "mou-051.txt",
        "mou-052.txt", "mou-053.txt", "mou-054.txt"]
LEGACY = {1: "news-001.txt", 2: "news-002.txt", 3: "news-003.txt"}
LAST_MODIFIED = "Tue, 16 Dec 2025 08:30:00 GMT"


def main():
    if OUT.exists():
        for p in sorted(OUT.rglob("*"), reverse=True):
            if p.is_file() and p.name != "README.md":
                p.unlink()
            elif p.is_dir():
                p.rmdir() if not any(p.iterdir()) else None
    files = {}  # relative path -> bytes
    routes = []  # (url, status, file, headers)
    routes_v2 = []
    pages_tsv = ["# url\tcorpus page\ttemplate"]

    def put(rel, content, v2=False):
        rel = ("v2/" if v2 else "") + rel
        files[rel] = content if isinstance(content, bytes) else content.encode("utf-8")
        return rel

    news = {n: read_corpus(f) for n, (f, _) in NEWS.items()}
    mous = {read_corpus(f)[2]: read_corpus(f) for f in MOUS}
    legacy = {n: read_corpus(f) for n, f in LEGACY.items()}

    def jdate(page):
        return fa("%04d/%02d/%02d" % page[1])

    most_viewed = [(n, news[n][3], jdate(news[n])) for n in (103, 105, 108)]
    teaser = lambda page: page[4][0]

    def news_item(n, v2=False, **kw):
        _, style = NEWS[n]
        related = kw.pop("related", [(f"/fa/news/{m}", news[m][3]) for m in (n - 1, n - 2) if m in news
                                     and m not in (104, 106, 107)])
        return news_page(n, kw.pop("page", news[n]), style, related=related,
                         most_viewed=most_viewed, **kw)

    # Robots: a group for kavosh (with its own delay) and a stricter one for everyone else,
    # which kavosh must not apply.
    robots = """# robots.txt of the fixture site
User-agent: *
Disallow: /

User-agent: kavosh
Disallow: /fa/private/
Disallow: /fa/admin/
Crawl-delay: 0.02

Sitemap: {{BASE}}/sitemap_index.xml
"""
    routes.append(("/robots.txt", 200, put("robots.txt", robots), "Content-Type: text/plain"))

    # News articles, template A.
    for n in range(101, 115):
        extra = []
        if n == 108:
            extra = [("/fa/news/199", "گزارش تصویری"), ("/fa/news/show.aspx?id=104", "متن کامل خبر ۱۰۴")]
        if n == 114:
            extra = [("/files/report-1405.pdf", "دریافت گزارش (PDF)"), ("/fa/download?id=3", "دریافت پیوست")]
        validator = "etag" if n in (101, 102, 103, 105) else ""
        page = news_item(n, extra_links=extra, print_view=(n == 105))
        routes.append((f"/fa/news/{n}", 200, put(f"fa/news/{n}.html", page),
                       validator))
        pages_tsv.append(f"/fa/news/{n}\t{NEWS[n][0]}\tA")
    # The same article at other URLs: a slug URL with rel=canonical, an old script without.
    canonical = news_item(103).replace(
        '<meta property="og:type" content="article">',
        '<meta property="og:type" content="article">\n<link rel="canonical" href="/fa/news/103">')
    routes.append(("/fa/news/103/نشست-مقدماتی", 200, put("fa/news/103-slug.html", canonical), ""))
    routes.append(("/fa/news/show.aspx?id=104", 200, "fa/news/104.html", ""))
    routes.append(("/fa/news/105?print=1", 200, put("fa/news/105-print.html", print_page(news[105])), ""))
    routes.append(("/news.aspx?id=106", 301, "-", "Location: /fa/news/106"))
    routes.append(("/fa/news/199", 404, "-", ""))
    routes.append(("/fa/download?id=3", 200, put("files/attachment.pdf", b"%PDF-1.4\n% fixture\n"),
                   "Content-Type: application/pdf"))
    routes.append(("/files/report-1405.pdf", 200, "files/attachment.pdf", "Content-Type: application/pdf"))

    # Agreements, template B, with Last-Modified.
    latest_b = [(f"/fa/news/{n}", news[n][3], jdate(news[n])) for n in (114, 112, 110)]
    for num, page in sorted(mous.items()):
        extra = [("/files/mou-054.pdf", "متن تفاهم نامه (PDF)")] if num == 54 else []
        routes.append((f"/fa/mou/{num}", 200, put(f"fa/mou/{num}.html", mou_page(page, latest_b, extra)),
                       f"Last-Modified: {LAST_MODIFIED}"))
        pages_tsv.append(f"/fa/mou/{num}\t{[f for f in MOUS if read_corpus(f)[2] == num][0]}\tB")
    routes.append(("/files/mou-054.pdf", 200, "files/attachment.pdf", "Content-Type: application/pdf"))
    mou_rows = [(num, p[3], jdate(p)) for num, p in sorted(mous.items())]
    routes.append(("/fa/mou", 200, put("fa/mou.html", mou_listing(mou_rows, latest_b)), ""))

    # Legacy pages, template C, windows-1256: declared in the header, in a <meta>, nowhere.
    for n, page in legacy.items():
        raw = to_cp1256(legacy_page(page, charset_meta=(n == 2)))
        header = "Content-Type: text/html; charset=windows-1256" if n == 1 else "Content-Type: text/html"
        routes.append((f"/news_detail.asp?id={n}", 200, put(f"legacy/{n}.html", raw), header))
        pages_tsv.append(f"/news_detail.asp?id={n}\t{LEGACY[n]}\tC")
    archive_items = [(f"/news_detail.asp?id={n}", p[3], jdate(p), teaser(p)) for n, p in legacy.items()]
    archive_items.append(("/news.aspx?id=106", news[106][3], jdate(news[106]), teaser(news[106])))
    routes.append(("/fa/archive", 200, put("fa/archive.html", listing_a("آرشیو اخبار", archive_items)), ""))

    # Listings: news in two pages, a tag page with teasers, a search page, the home page.
    def news_listing(ids, v2=False):
        page1, page2 = ids[:8], ids[8:]
        item = lambda n: (f"/fa/news/{n}", news[n][3], jdate(news[n]), teaser(news[n]))
        nav = '<nav class="pagination"><a href="/fa/news?page=2">صفحه بعد</a></nav>'
        r1 = put("fa/news.html", listing_a("اخبار", [item(n) for n in page1], nav,
                                           '<link rel="next" href="/fa/news?page=2">\n'), v2)
        nav2 = '<nav class="pagination"><a href="/fa/news">صفحه قبل</a></nav>'
        r2 = put("fa/news-page-2.html", listing_a("اخبار - صفحه ۲", [item(n) for n in page2], nav2), v2)
        return r1, r2

    listed = [114, 112, 111, 110, 109, 108, 107, 105, 104, 103, 102, 101]  # not 106 (moved), 113 (sitemap only)
    r1, r2 = news_listing(listed)
    routes += [("/fa/news", 200, r1, ""), ("/fa/news?page=2", 200, r2, "")]
    tag_items = [(f"/fa/news/{n}", news[n][3], jdate(news[n]), teaser(news[n])) for n in (102, 107, 110)]
    tag_items.append(("/fa/mou/54", mous[54][3], jdate(mous[54]), teaser(mous[54])))
    routes.append(("/fa/tag/انرژی", 200, put("fa/tag-energy.html", listing_a("برچسب: انرژی", tag_items)), ""))
    routes.append(("/fa/tag/فناوری", 200, "fa/tag-energy.html", ""))
    search_items = [(f"/fa/news/{n}", news[n][3], jdate(news[n]), teaser(news[n])) for n in (101, 103)]
    routes.append(("/fa/search?q=فناوری", 200,
                   put("fa/search.html", listing_a("نتایج جستجو برای «فناوری»", search_items)), ""))
    about = chrome_a(f"درباره پارک | {SITE}", f"""<main class="content"><article>
<h1>درباره پارک</h1>
<p>{SITE} با هدف حمایت از شرکت‌های دانش‌بنیان، توسعه کارآفرینی فناورانه و پیوند دانشگاه با صنعت در استان مازندران تأسیس شد و امروز میزبان ده‌ها واحد فناور در مراکز رشد خود در ساری، بابل و آمل است.</p>
<p>مأموریت پارک فراهم کردن زیرساخت‌ها، خدمات مشاوره، تأمین مالی و ارتباط با بازار برای فناوران است تا ایده‌های نو به محصول و کسب‌وکار پایدار تبدیل شوند.</p>
</article></main>""")
    routes.append(("/fa/about", 200, put("fa/about.html", about), ""))

    def home(ids, v2=False):
        items = [(f"/fa/news/{n}", news[n][3], jdate(news[n]), teaser(news[n])) for n in ids]
        # Links written as people and CMSs write them: tracking parameters, fragments, a
        # trailing slash.
        items[0] = (items[0][0] + "?utm_source=home&utm_medium=slider", *items[0][1:])
        extra = """<section class="shortcuts"><h2>دسترسی سریع</h2>
<p><a href="/fa/news/101?utm_source=telegram&amp;utm_campaign=azar#comments">نظرات خبر ۱۰۱</a>
<a href="/fa/news/102/">خبر ۱۰۲</a> <a href="/fa/news/103/نشست-مقدماتی">نشست مقدماتی</a>
<a href="/fa/news">همه اخبار</a> <a href="/fa/mou">همه تفاهم‌نامه‌ها</a> <a href="/fa/archive">آرشیو</a>
<a href="/fa/tag/انرژی">انرژی</a></p></section>"""
        return put("index.html", listing_a("اخبار پارک", items, extra), v2)

    routes.append(("/", 200, home([114, 112, 111, 110, 109, 108]), ""))

    # Sitemaps: an index naming a plain sitemap and a gzipped one.
    def sitemap(urls):
        entries = "".join(f"<url><loc>{{{{BASE}}}}{e(u)}</loc><lastmod>2025-12-16</lastmod></url>\n" for u in urls)
        return f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{entries}</urlset>\n'

    index_xml = """<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>{{BASE}}/sitemap-news.xml</loc></sitemap>
<sitemap><loc>{{BASE}}/sitemap-mou.xml.gz</loc></sitemap>
</sitemapindex>
"""
    routes.append(("/sitemap_index.xml", 200, put("sitemap_index.xml", index_xml), "Content-Type: application/xml"))
    news_urls = ["/fa/news", "/fa/about"] + [f"/fa/news/{n}" for n in range(101, 115) if n != 106]
    routes.append(("/sitemap-news.xml", 200, put("sitemap-news.xml", sitemap(news_urls)),
                   "Content-Type: application/xml"))
    mou_xml = sitemap(["/fa/mou"] + [f"/fa/mou/{num}" for num in sorted(mous)]).encode("utf-8")
    routes.append(("/sitemap-mou.xml.gz", 200, put("sitemap-mou.xml.gz", gzip.compress(mou_xml, mtime=0)),
                   "Content-Type: application/gzip"))

    # ---------- the second crawl ----------
    edited = list(news[102])
    edited[4] = edited[4][:1] + ["در به‌روزرسانی این خبر، برنامه زمانی دوره‌های آموزشی بعدی نیز اعلام شد."] + edited[4][1:]
    routes_v2.append(("/fa/news/102", 200, put("fa/news/102.html", news_item(102, page=tuple(edited)), True), "etag"))
    routes_v2.append(("/fa/news/101", 200,
                      put("fa/news/101.html", news_item(101, comments=(COMMENT, "خبر خوبی بود.")), True),
                      "etag"))
    routes_v2.append(("/fa/news/104", 404, "-", ""))
    routes_v2.append(("/fa/mou/50", 410, "-", ""))
    routes_v2.append(("/fa/news/109", 404, "-", ""))
    routes_v2.append(("/fa/news/111", 503, "-", "Retry-After: 120"))
    routes_v2.append(("/fa/news/108", 200,
                      put("fa/news/108.html", news_item(108, extra_links=[("/fa/news/199", "گزارش تصویری")]), True), ""))
    routes_v2.append(("/fa/news/115", 200, put("fa/news/115.html", news_item(115)), ""))
    pages_tsv.append(f"/fa/news/115\t{NEWS[115][0]}\tA")
    listed_v2 = [115, 114, 112, 111, 110, 109, 108, 105, 104, 103, 102, 101]  # 107 unlinked
    r1, r2 = news_listing(listed_v2, v2=True)
    routes_v2 += [("/fa/news", 200, r1, ""), ("/fa/news?page=2", 200, r2, "")]
    routes_v2.append(("/", 200, home([115, 114, 112, 111, 110, 109], v2=True), ""))
    tag_items_v2 = [t for t in tag_items if t[0] != "/fa/news/107"]
    routes_v2.append(("/fa/tag/انرژی", 200, put("fa/tag-energy.html", listing_a("برچسب: انرژی", tag_items_v2), True), ""))
    routes_v2.append(("/fa/tag/فناوری", 200, "v2/fa/tag-energy.html", ""))
    news_urls_v2 = ["/fa/news", "/fa/about"] + [f"/fa/news/{n}" for n in range(101, 116) if n not in (106, 107)]
    routes_v2.append(("/sitemap-news.xml", 200, put("sitemap-news.xml", sitemap(news_urls_v2), True),
                      "Content-Type: application/xml"))

    OUT.mkdir(parents=True, exist_ok=True)
    for rel, content in files.items():
        path = OUT / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)

    def table(rows, name):
        head = ("# url\tstatus\tfile\theaders (name: value; ...) or a validator: etag\n"
                "# Bodies are served with {{BASE}} replaced by http://HOST:PORT; generated by "
                "scripts/make_site.py\n")
        text = head + "".join(f"{u}\t{s}\t{f}\t{h}\n" for u, s, f, h in rows)
        (OUT / name).write_text(text, encoding="utf-8")

    table(routes, "site.tsv")
    table(routes_v2, "v2.tsv")
    (OUT / "pages.tsv").write_text("\n".join(pages_tsv) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
