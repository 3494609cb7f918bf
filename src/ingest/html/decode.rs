//! A page's bytes as text. The encoding is, in order: a byte-order mark, the `charset` of the
//! HTTP `Content-Type`, a `<meta charset>` or `<meta http-equiv="Content-Type">` in the page's
//! first 4 KiB, and otherwise (or when a page declares UTF-8 but is not) what chardetng detects —
//! Persian pages of older sites are often windows-1256 and say nothing.

use std::borrow::Cow;
use std::sync::LazyLock;

use encoding_rs::{Encoding, UTF_8};
use regex::bytes::Regex;

/// How far into a page a `<meta>` declaring its charset is looked for.
const META_PRESCAN_BYTES: usize = 4096;

/// The page as text and the encoding it was read in.
pub fn decode<'a>(
    bytes: &'a [u8],
    content_type: Option<&str>,
) -> (Cow<'a, str>, &'static Encoding) {
    if let Some((encoding, bom_length)) = Encoding::for_bom(bytes) {
        let (text, _) = encoding.decode_without_bom_handling(&bytes[bom_length..]);
        return (text, encoding);
    }
    let declared = content_type
        .and_then(charset_of_content_type)
        .or_else(|| charset_of_meta(bytes));
    let encoding = match declared {
        Some(e) if e == UTF_8 && std::str::from_utf8(bytes).is_err() => detect(bytes),
        Some(e) => e,
        None if std::str::from_utf8(bytes).is_ok() => UTF_8,
        None => detect(bytes),
    };
    // UTF-16 declared in a page that was read as bytes is a mistake browsers read as UTF-8.
    let encoding = encoding.output_encoding();
    let (text, _) = encoding.decode_without_bom_handling(bytes);
    (text, encoding)
}

/// The encoding named by `charset=` in a `Content-Type` value.
pub fn charset_of_content_type(content_type: &str) -> Option<&'static Encoding> {
    content_type.split(';').skip(1).find_map(|param| {
        let (name, value) = param.split_once('=')?;
        (name.trim().eq_ignore_ascii_case("charset"))
            .then(|| Encoding::for_label(value.trim().trim_matches(['"', '\'']).as_bytes()))
            .flatten()
    })
}

fn charset_of_meta(bytes: &[u8]) -> Option<&'static Encoding> {
    static META: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"(?i-u)<meta\s[^>]*?charset\s*=\s*["']?\s*([a-z0-9_\-:.]+)"#)
            .expect("a valid pattern")
    });
    let head = &bytes[..bytes.len().min(META_PRESCAN_BYTES)];
    let label = META.captures(head)?.get(1)?.as_bytes();
    Encoding::for_label(label)
}

fn detect(bytes: &[u8]) -> &'static Encoding {
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(bytes, true);
    detector.guess(None, chardetng::Utf8Detection::Allow)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PERSIAN: &str =
        "<p>پارک علم و فناوری مازندران، تفاهم‌نامه همکاری با دانشگاه کشاورزی ساری را امضا کرد.</p>";

    fn windows_1256(text: &str) -> Vec<u8> {
        let text = text.replace('ی', "ي");
        let (bytes, _, unmappable) = encoding_rs::WINDOWS_1256.encode(&text);
        assert!(!unmappable);
        bytes.into_owned()
    }

    #[test]
    fn utf8_with_and_without_declarations() {
        let (text, e) = decode(PERSIAN.as_bytes(), Some("text/html; charset=UTF-8"));
        assert_eq!((text.as_ref(), e), (PERSIAN, UTF_8));
        let (text, e) = decode(PERSIAN.as_bytes(), None);
        assert_eq!((text.as_ref(), e), (PERSIAN, UTF_8));
        let mut bom = b"\xEF\xBB\xBF".to_vec();
        bom.extend_from_slice(PERSIAN.as_bytes());
        assert_eq!(
            decode(&bom, Some("text/html; charset=windows-1256")).0,
            PERSIAN
        );
    }

    #[test]
    fn windows_1256_declared_in_the_header_in_a_meta_or_nowhere() {
        let expected = PERSIAN.replace('ی', "ي");
        let page = windows_1256(PERSIAN);
        let (text, e) = decode(&page, Some("text/html; charset=windows-1256"));
        assert_eq!(
            (text.as_ref(), e),
            (expected.as_str(), encoding_rs::WINDOWS_1256)
        );

        let meta = windows_1256(&format!(
            "<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=windows-1256\"></head>{PERSIAN}"
        ));
        assert_eq!(
            decode(&meta, Some("text/html")).1,
            encoding_rs::WINDOWS_1256
        );
        let meta5 = windows_1256(&format!("<meta charset='Windows-1256'>{PERSIAN}"));
        assert_eq!(decode(&meta5, None).1, encoding_rs::WINDOWS_1256);

        let (text, e) = decode(&page, Some("text/html"));
        assert_eq!(e, encoding_rs::WINDOWS_1256, "detected");
        assert_eq!(text, expected);
        // Declared UTF-8 but not: detected too.
        assert_eq!(
            decode(&page, Some("text/html; charset=utf-8")).1,
            encoding_rs::WINDOWS_1256
        );
    }
}
