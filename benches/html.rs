//! Reading web pages (pages/s): the bundled corpus rendered as HTML pages of a site template
//! with its noise (header with a "today" date, menu, breadcrumb, share buttons, comments,
//! related news, a latest-news sidebar, footer, scripts; about 3× the article's size), read by
//! the HTML reader with no configuration.
//!
//! - `read`: decode, parse, leave the noise out, find the article, title, date, kind, number;
//! - `read+settle`: that, and the partner and domain extraction every document gets;
//! - `page+settle` (baseline, same run): the park's `.txt` page reader on the same documents,
//!   and the same extraction.
//!
//! `cargo bench --bench html`; criterion prints each throughput in elements (pages) per second.
//! Under `cargo test --benches` it runs once.

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use kavosh::document::{Document, Kind};
use kavosh::ingest::html::{HtmlOptions, read_html};
use kavosh::ingest::page::parse_page;
use kavosh::ingest::settle;
use url::Url;

const SITE: &str = "پارک علم و فناوری مازندران";

struct Page {
    id: String,
    text: String,
    html: String,
    url: Url,
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A page of the site for a document, with the noise of a real template around it.
fn render(doc: &Document, others: &[&Document]) -> String {
    let (y, m, d) = doc.date.jalali;
    let label = match doc.kind {
        Kind::Agreement => format!(
            "تاریخ ایجاد تفاهم نامه: {y}/{m:02}/{d:02} شماره تفاهم نامه: {}",
            doc.number.unwrap_or(0)
        ),
        Kind::News => format!("تاریخ انتشار: {y}/{m:02}/{d:02} کد خبر: 4512"),
    };
    let body: String = doc
        .body
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| format!("<p>{}</p>\n", escape(l)))
        .collect();
    let latest: String = others
        .iter()
        .map(|o| {
            let (y, m, d) = o.date.jalali;
            format!(
                "<li><a href=\"/fa/news/{}\">{}</a><span>{y}/{m:02}/{d:02}</span></li>",
                o.id,
                escape(&o.title)
            )
        })
        .collect();
    let related: String = others
        .iter()
        .take(3)
        .map(|o| {
            let lead = o.body.lines().next().unwrap_or("");
            format!(
                "<li><a href=\"/fa/news/{}\">{}</a><p>{}</p></li>",
                o.id,
                escape(&o.title),
                escape(lead)
            )
        })
        .collect();
    let title = escape(&doc.title);
    format!(
        r##"<!DOCTYPE html><html lang="fa" dir="rtl"><head><meta charset="utf-8">
<title>{title} | {SITE}</title><meta property="og:site_name" content="{SITE}">
<link rel="canonical" href="/fa/news/{id}"><style>.menu {{ color: #123 }}</style>
<script>window.dataLayer = []; var banner = 'تبلیغ';</script></head><body>
<header class="site-header"><span class="today">امروز: شنبه ۸ آذر ۱۴۰۵</span>
<a class="logo" href="/">{SITE}</a><nav class="menu"><ul><li><a href="/">خانه</a></li>
<li><a href="/fa/about">درباره پارک</a></li><li><a href="/fa/news">اخبار</a></li>
<li><a href="/fa/mou">تفاهم‌نامه‌ها</a></li><li><a href="/fa/units">واحدهای فناور</a></li>
<li><a href="/fa/contact">تماس با ما</a></li></ul></nav></header>
<div class="container"><main><ol class="breadcrumb"><li><a href="/">خانه</a></li>
<li>{title}</li></ol><article><h1>{title}</h1><div class="meta">{label}</div>
<div class="text">{body}</div>
<div class="share">اشتراک‌گذاری: <a href="https://t.me/share">تلگرام</a> <a href="#">واتساپ</a></div>
</article><section class="related"><h3>اخبار مرتبط</h3><ul>{related}</ul></section>
<section class="comments"><h3>نظرات</h3><div class="comment"><p>بسیار عالی، امیدواریم این همکاری‌ها ادامه پیدا کند و نتایج آن به زودی دیده شود.</p></div></section>
</main><aside class="sidebar"><h3>آخرین اخبار</h3><ul>{latest}</ul></aside></div>
<footer><p>نشانی: ساری، کیلومتر ۵ جاده فرح‌آباد، پارک علم و فناوری مازندران. تلفن: ۰۱۱-۳۳۰۴۵۶۷۸</p>
<p>کلیه حقوق این وب‌سایت محفوظ است.</p></footer><script src="/js/site.js"></script></body></html>"##,
        id = doc.id,
    )
}

fn pages() -> Vec<Page> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .expect("corpus/ exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    paths.sort();
    let texts: Vec<(String, String)> = paths
        .iter()
        .map(|p| {
            let id = p.file_stem().unwrap().to_string_lossy().into_owned();
            (id, std::fs::read_to_string(p).expect("UTF-8"))
        })
        .collect();
    let docs: Vec<Document> = texts
        .iter()
        .map(|(id, text)| parse_page(id, id, text).expect("a corpus page"))
        .collect();
    docs.iter()
        .enumerate()
        .map(|(i, doc)| {
            let others: Vec<&Document> = (1..=6).map(|k| &docs[(i + k * 7) % docs.len()]).collect();
            Page {
                id: doc.id.clone(),
                text: texts[i].1.clone(),
                html: render(doc, &others),
                url: Url::parse(&format!("https://mstp.example.ir/fa/news/{}", doc.id)).unwrap(),
            }
        })
        .collect()
}

fn html_reading(c: &mut Criterion) {
    let pages = pages();
    let options = HtmlOptions::default();
    let read = |p: &Page| {
        read_html(
            p.html.as_bytes(),
            Some("text/html; charset=utf-8"),
            &p.url,
            &options,
        )
        .article
        .expect("every page is read as an article")
    };
    // Every rendered page must read back as its document.
    for p in &pages {
        let article = read(p);
        let gold = parse_page(&p.id, &p.id, &p.text).unwrap();
        assert_eq!(article.title, gold.title, "{}", p.id);
        assert_eq!(article.date, gold.date, "{}", p.id);
        assert_eq!(article.kind, gold.kind, "{}", p.id);
    }
    let html_bytes: usize = pages.iter().map(|p| p.html.len()).sum();
    let text_bytes: usize = pages.iter().map(|p| p.text.len()).sum();
    println!(
        "{} pages, {} KiB of HTML for {} KiB of page text",
        pages.len(),
        html_bytes / 1024,
        text_bytes / 1024
    );
    let mut group = c.benchmark_group("html");
    group.throughput(Throughput::Elements(pages.len() as u64));
    group.bench_function("read", |b| {
        b.iter(|| {
            for p in &pages {
                black_box(read(p));
            }
        })
    });
    group.bench_function("read+settle", |b| {
        b.iter(|| {
            for p in &pages {
                let doc = read(p)
                    .into_document(p.id.clone(), Some(p.url.to_string()), "crawl".into())
                    .unwrap();
                black_box(settle(doc));
            }
        })
    });
    group.bench_function("page+settle", |b| {
        b.iter(|| {
            for p in &pages {
                black_box(settle(parse_page(&p.id, &p.id, &p.text).unwrap()));
            }
        })
    });
    group.finish();
}

criterion_group!(benches, html_reading);
criterion_main!(benches);
