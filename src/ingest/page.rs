//! The park's page format (`.txt`, as copied from its website; see `corpus/mou-054.txt`):
//!
//! ```text
//! پـارک علم و فنـاوری مازنـدران                                  ← publisher (may have tatweel;
//!                                                                  another park, an agency)
//! جزئیـات تفاهم نامه                                             ← or «جزئیات خبر» for news
//! تاریخ ایجاد تفاهم نامه: 1404/09/25 ساعت ایجاد تفاهم نامه: 12:00 AM شماره تفاهم نامه: 54
//! امضای تفاهمنامه همکاری میان ...                                ← title (may repeat)
//! گامی تازه برای ...                                              ← optional subtitle
//! به گزارش روابط عمومی ...                                        ← body, headings, bullets
//! ```
//!
//! Tolerant of digits in any script, tatweel, Arabic letters, CRLF, extra blank lines and a
//! missing time. The id is the file name without its extension.

use crate::analysis::{fold, name_key};
use crate::calendar::{Day, dates_in};
use crate::document::{Document, Kind};

/// A page that cannot be read, with the 1-based line the problem is on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PageError {
    pub line: usize,
    pub reason: String,
}

/// Parses a page. `id` is the file name without extension, `source` where it came from.
pub fn parse_page(id: &str, source: &str, text: &str) -> Result<Document, PageError> {
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    let lines: Vec<&str> = text.lines().map(|l| l.trim_end_matches('\r')).collect();
    let mut content = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty());
    let err = |line: usize, reason: String| PageError { line, reason };

    let (publisher_line, publisher) = content.next().ok_or_else(|| err(1, "empty page".into()))?;
    let (kind_line, kind_text) = content
        .next()
        .ok_or_else(|| err(publisher_line + 1, "missing the «جزئیات …» line".into()))?;
    let kind = kind_label(kind_text).ok_or_else(|| {
        err(
            kind_line + 1,
            format!(
                "expected «جزئیات تفاهم نامه» or «جزئیات خبر», found {:?}",
                kind_text.trim()
            ),
        )
    })?;
    let (meta_line, meta_text) = content
        .next()
        .ok_or_else(|| err(kind_line + 2, "missing the date line".into()))?;
    let (date, number) = parse_metadata(meta_text).map_err(|reason| err(meta_line + 1, reason))?;
    let (title_line, title) = content
        .next()
        .ok_or_else(|| err(meta_line + 2, "missing the title".into()))?;
    let title = title.trim();

    // The body: everything after the title, without the title's repetition.
    let mut body_start = title_line + 1;
    let title_key = name_key(title);
    while let Some(l) = lines.get(body_start) {
        if l.trim().is_empty() || name_key(l) == title_key {
            body_start += 1;
        } else {
            break;
        }
    }
    let body = lines[body_start.min(lines.len())..]
        .join("\n")
        .trim_end()
        .to_string();
    Document {
        id: id.to_string(),
        kind,
        title: title.to_string(),
        body,
        date,
        number: if kind == Kind::Agreement {
            number
        } else {
            None
        },
        partners: None,
        domains: None,
        url: None,
        source: Some(source.to_string()),
        publisher: Some(publisher_name(publisher)),
        crawl: None,
    }
    .validated()
    .map_err(|reason| err(1, reason))
}

/// The publisher's name as the first line writes it, without tatweel and extra spaces
/// (`پـارک علم و فنـاوری مازنـدران` → `پارک علم و فناوری مازندران`).
fn publisher_name(line: &str) -> String {
    line.replace('\u{640}', "")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// `جزئیات تفاهم نامه` → agreement, `جزئیات خبر` → news, in any spelling.
pub fn kind_label(line: &str) -> Option<Kind> {
    let key = name_key(line);
    if key == name_key("جزئیات تفاهم نامه") {
        Some(Kind::Agreement)
    } else if key == name_key("جزئیات خبر") {
        Some(Kind::News)
    } else {
        None
    }
}

/// The date (Jalali `YYYY/MM/DD`, any digits, or as [`dates_in`] reads dates) and the MoU
/// number (after `شماره`), if any.
fn parse_metadata(line: &str) -> Result<(Day, Option<u64>), String> {
    let date = dates_in(line)
        .into_iter()
        .next()
        .ok_or_else(|| format!("no date (YYYY/MM/DD) in the date line {:?}", line.trim()))?
        .map_err(|e| e.0)?;
    Ok((date, number_after(line, "شماره")))
}

/// The number written after `label` in `text` (digits in any script), if any.
pub fn number_after(text: &str, label: &str) -> Option<u64> {
    let folded = fold(text);
    let (_, rest) = folded.split_once(&fold(label))?;
    let digits: String = rest
        .chars()
        .skip_while(|c| !c.is_ascii_digit())
        .take_while(|c| c.is_ascii_digit())
        .collect();
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEED: &str = include_str!("../../tests/data/mou-054.txt");

    #[test]
    fn the_seed_page() {
        let d = parse_page("mou-054", "mou-054.txt", SEED).unwrap();
        assert_eq!(d.kind, Kind::Agreement);
        assert_eq!(d.date.iso_string(), "2025-12-16");
        assert_eq!(d.date.jalali_string(), "1404/09/25");
        assert_eq!(d.number, Some(54));
        assert_eq!(
            d.title,
            "امضای تفاهمنامه همکاری میان پارک علم و فناوری مازندران و پارک فناوری و نوآوری صنعت نفت"
        );
        assert!(d.body.starts_with("گامی تازه برای همافزایی ملی"));
        assert!(d.body.ends_with("اطلاعرسانی خواهد شد."));
        assert_eq!(d.publisher.as_deref(), Some("پارک علم و فناوری مازندران"));
    }

    #[test]
    fn page_variants() {
        // Persian digits, CRLF, missing time, Arabic letters, extra blank lines.
        let page = "\r\n\r\nپارك علم و فناوري مازندران\r\nجزئیات تفاهم‌نامه\r\n\r\n\
                    تاریخ ایجاد تفاهم نامه: ۱۴۰۳/۱۲/۳۰ شماره تفاهم نامه: ۷\r\nعنوان\r\n\r\nمتن\r\n";
        let d = parse_page("x", "x.txt", page).unwrap();
        assert_eq!(d.kind, Kind::Agreement);
        assert_eq!(d.date.iso_string(), "2025-03-20");
        assert_eq!(d.number, Some(7));
        assert_eq!(d.title, "عنوان");
        assert_eq!(d.body, "متن");

        let news = "پارک علم و فناوری مازندران\nجزئیات خبر\n\
                    تاریخ انتشار خبر: 1404/08/12 ساعت انتشار خبر: 10:30 AM\nخبر تازه\nمتن خبر";
        let d = parse_page("n", "n.txt", news).unwrap();
        assert_eq!(d.kind, Kind::News);
        assert_eq!(d.date.jalali_string(), "1404/08/12");
        assert_eq!(d.number, None);
    }

    #[test]
    fn broken_pages_name_the_line() {
        let e = parse_page("x", "x", "پارک\nجزئیات رویداد\n").unwrap_err();
        assert_eq!(e.line, 2);
        let e = parse_page("x", "x", "پارک\nجزئیات خبر\nتاریخ: 1404/13/40\nعنوان").unwrap_err();
        assert_eq!(e.line, 3);
        assert!(e.reason.contains("1404/13/40"), "{}", e.reason);
        let e = parse_page("x", "x", "").unwrap_err();
        assert_eq!(e.line, 1);
    }
}
