//! Sitemaps (sitemaps.org): a `<urlset>` of page URLs or a `<sitemapindex>` of sitemaps, plain
//! or gzipped, XML or a text file of one URL a line; read with a streaming XML reader and a
//! limit on the unzipped size.

use std::io::Read;

use quick_xml::Reader;
use quick_xml::events::Event;

/// Longest sitemap read, unzipped (the protocol's limit is 50 MB).
pub const MAX_SITEMAP_BYTES: usize = 50 * 1024 * 1024;
/// How deep sitemap indexes may nest.
pub const MAX_SITEMAP_DEPTH: u8 = 3;

/// What a sitemap lists.
#[derive(Debug, PartialEq, Eq)]
pub enum Sitemap {
    Pages(Vec<String>),
    Sitemaps(Vec<String>),
}

/// Reads a sitemap's bytes (gzipped or not).
pub fn parse_sitemap(bytes: &[u8]) -> Result<Sitemap, String> {
    let unzipped;
    let bytes = if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(bytes)
            .take(MAX_SITEMAP_BYTES as u64 + 1)
            .read_to_end(&mut out)
            .map_err(|e| format!("bad gzip: {e}"))?;
        if out.len() > MAX_SITEMAP_BYTES {
            return Err(format!("over {MAX_SITEMAP_BYTES} bytes unzipped"));
        }
        unzipped = out;
        &unzipped[..]
    } else {
        bytes
    };
    let text = String::from_utf8_lossy(bytes);
    let text = text.trim_start_matches('\u{feff}').trim_start();
    if !text.starts_with('<') {
        let urls = text
            .lines()
            .map(str::trim)
            .filter(|l| l.starts_with("http://") || l.starts_with("https://"))
            .map(str::to_string)
            .collect();
        return Ok(Sitemap::Pages(urls));
    }
    parse_xml(text)
}

fn parse_xml(text: &str) -> Result<Sitemap, String> {
    let mut reader = Reader::from_str(text);
    let mut index = None;
    let mut in_loc = false;
    let mut loc = String::new();
    let mut locs = Vec::new();
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => match e.local_name().as_ref() {
                b"sitemapindex" => index = Some(true),
                b"urlset" => index = Some(false),
                b"loc" => {
                    in_loc = true;
                    loc.clear();
                }
                _ => {}
            },
            Ok(Event::Text(t)) if in_loc => loc.push_str(&String::from_utf8_lossy(&t)),
            Ok(Event::CData(t)) if in_loc => loc.push_str(&String::from_utf8_lossy(&t)),
            Ok(Event::GeneralRef(r)) if in_loc => {
                loc.push('&');
                loc.push_str(&String::from_utf8_lossy(&r));
                loc.push(';');
            }
            Ok(Event::End(e)) if e.local_name().as_ref() == b"loc" => {
                in_loc = false;
                let url = quick_xml::escape::unescape(loc.trim())
                    .map_err(|e| format!("bad <loc>: {e}"))?;
                if !url.is_empty() {
                    locs.push(url.into_owned());
                }
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => {
                return Err(format!("bad XML at byte {}: {e}", reader.error_position()));
            }
        }
    }
    match index {
        Some(true) => Ok(Sitemap::Sitemaps(locs)),
        Some(false) => Ok(Sitemap::Pages(locs)),
        None => Err("neither a <urlset> nor a <sitemapindex>".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn urlsets_indexes_gzip_and_text() {
        let urlset = r#"<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <url><loc>https://mstp.ir/fa/news/1</loc><lastmod>2025-12-16</lastmod></url>
  <url><loc> https://mstp.ir/news.aspx?id=2&amp;lang=fa </loc></url>
</urlset>"#;
        let pages = Sitemap::Pages(vec![
            "https://mstp.ir/fa/news/1".into(),
            "https://mstp.ir/news.aspx?id=2&lang=fa".into(),
        ]);
        assert_eq!(parse_sitemap(urlset.as_bytes()).unwrap(), pages);
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(urlset.as_bytes()).unwrap();
        assert_eq!(parse_sitemap(&gz.finish().unwrap()).unwrap(), pages);

        let index = r#"<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>https://mstp.ir/sitemap-news.xml</loc></sitemap></sitemapindex>"#;
        assert_eq!(
            parse_sitemap(index.as_bytes()).unwrap(),
            Sitemap::Sitemaps(vec!["https://mstp.ir/sitemap-news.xml".into()])
        );
        assert_eq!(
            parse_sitemap(b"https://mstp.ir/a\nhttps://mstp.ir/b\n").unwrap(),
            Sitemap::Pages(vec!["https://mstp.ir/a".into(), "https://mstp.ir/b".into()])
        );
        assert!(parse_sitemap(b"<html><body>not found</body></html>").is_err());
        assert!(parse_sitemap(b"<urlset><url><loc>x</url>").is_err());
    }
}
