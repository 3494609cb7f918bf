//! Numbers written as words: `سی و دومین`, `سی‌ودومین`, `سیودومین`, `۳۲مین`, `32 امین` and
//! `هزار و چهارصد و چهار`/`۱۴۰۴` are the same number, however the words are joined.
//!
//! [`parse`] reads a number from the concatenation of some words' joined forms (folded, ZWNJs
//! and spaces removed: `سی و دومین` and `سی‌ودومین` are both `سیودومین`), cardinals and ordinals
//! from 1 to 999,999, in words or digits; [`writings`] lists the ways a document may write it,
//! as runs of the exact terms the tokenizer indexes (each a word, or the parts of a ZWNJ word at
//! consecutive positions). Queries look for all of them, so documents meet queries whatever
//! each of them wrote; documents are indexed as they are.

/// Largest number read or written: the thousands take a multiplier up to 999.
pub const MAX_NUMBER: u64 = 999_999;

/// Most writings [`writings`] returns for one number.
pub const MAX_WRITINGS: usize = 12;

/// How an ordinal is formed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Ordinal {
    /// `دوم`, `سی‌ام`, `۳۲م`: after the noun (`جشنواره سی و دوم`).
    Adjective,
    /// `دومین`, `سی‌امین`, `۳۲مین`: before the noun (`سی و دومین جشنواره`).
    Superlative,
}

/// A number read from text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Number {
    pub value: u64,
    /// `None` for a cardinal.
    pub ordinal: Option<Ordinal>,
}

/// The number words, folded, with their values.
const ONES: &[(&str, u64)] = &[
    ("یک", 1),
    ("دو", 2),
    ("سه", 3),
    ("چهار", 4),
    ("پنج", 5),
    ("شش", 6),
    ("شیش", 6),
    ("هفت", 7),
    ("هشت", 8),
    ("نه", 9),
];
const TEENS: &[(&str, u64)] = &[
    ("ده", 10),
    ("یازده", 11),
    ("دوازده", 12),
    ("سیزده", 13),
    ("چهارده", 14),
    ("پانزده", 15),
    ("پونزده", 15),
    ("شانزده", 16),
    ("شونزده", 16),
    ("هفده", 17),
    ("هیفده", 17),
    ("هجده", 18),
    ("هیجده", 18),
    ("هژده", 18),
    ("نوزده", 19),
];
const TENS: &[(&str, u64)] = &[
    ("بیست", 20),
    ("سی", 30),
    ("چهل", 40),
    ("پنجاه", 50),
    ("شصت", 60),
    ("هفتاد", 70),
    ("هشتاد", 80),
    ("نود", 90),
];
const HUNDREDS: &[(&str, u64)] = &[
    ("صد", 100),
    ("یکصد", 100),
    ("دویست", 200),
    ("سیصد", 300),
    ("چهارصد", 400),
    ("پانصد", 500),
    ("پونصد", 500),
    ("ششصد", 600),
    ("هفتصد", 700),
    ("هشتصد", 800),
    ("نهصد", 900),
];
const THOUSAND: &str = "هزار";
const AND: char = 'و';

/// Whole words that are ordinals of one.
const FIRST: &[(&str, Ordinal)] = &[
    ("اول", Ordinal::Adjective),
    ("نخست", Ordinal::Adjective),
    ("اولین", Ordinal::Superlative),
    ("نخستین", Ordinal::Superlative),
];

/// Single words that are numbers but mostly mean something else (`نه` "no", `یک` "a"): read
/// as numbers only with other number words or as ordinals.
const AMBIGUOUS_ALONE: &[&str] = &["یک", "نه"];

/// One piece of a number written in words.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Piece {
    Value(u64),
    Thousand,
    And,
}

/// Reads a number from a folded, ZWNJ-free concatenation of words (`سیودومین`, `32امین`,
/// `1404`, `هزاروچهارصدوچهار`). `None` when the text is not exactly one number.
pub fn parse(joined: &str) -> Option<Number> {
    if joined.is_empty() {
        return None;
    }
    if let Some(&(_, ordinal)) = FIRST.iter().find(|(w, _)| *w == joined) {
        return Some(Number {
            value: 1,
            ordinal: Some(ordinal),
        });
    }
    if joined.starts_with(|c: char| c.is_ascii_digit()) {
        return parse_digits(joined);
    }
    if AMBIGUOUS_ALONE.contains(&joined) {
        return None;
    }
    let (words, ordinal) = split_ordinal(joined)?;
    let mut pieces = Vec::new();
    if !pieces_of(&words, &mut pieces) {
        return None;
    }
    let value = evaluate(&pieces)?;
    Some(Number { value, ordinal })
}

/// True when a folded, ZWNJ-free word may be one of the words a number is written with
/// (`سی`, `و`, `دومین`, `۳۲`, `امین`): a cheap test before [`parse`] tries a run of words.
pub fn may_be_part(word: &str) -> bool {
    word == "و"
        || matches!(word, "م" | "ام" | "مین" | "امین")
        || word.starts_with(|c: char| c.is_ascii_digit())
        || AMBIGUOUS_ALONE.contains(&word)
        || parse(word).is_some()
        || word.strip_prefix(AND).is_some_and(|w| parse(w).is_some())
}

/// `32`, `32مین`, `32امین`, `32م`, `32ام`, `1,404`, `18هزار` (`۱۸ هزار`).
fn parse_digits(text: &str) -> Option<Number> {
    let end = text
        .find(|c: char| !c.is_ascii_digit() && c != ',')
        .unwrap_or(text.len());
    let (digits, suffix) = text.split_at(end);
    if digits.starts_with('0') || digits.ends_with(',') {
        return None;
    }
    if digits.contains(',') && !digits.split(',').skip(1).all(|g| g.len() == 3) {
        return None;
    }
    let mut value: u64 = digits.replace(',', "").parse().ok()?;
    let ordinal = match suffix {
        "" => None,
        THOUSAND if value < 1000 => {
            value *= 1000;
            None
        }
        "م" | "ام" => Some(Ordinal::Adjective),
        "مین" | "امین" => Some(Ordinal::Superlative),
        _ => return None,
    };
    if value == 0 || value > MAX_NUMBER {
        return None;
    }
    Some(Number { value, ordinal })
}

/// Splits the ordinal ending off the last number word: `سیودومین` → (`سیودو`, superlative);
/// `سوم` → `سه`; `سیام` → `سی`. A word ending in `ی` takes `ام`, never a bare `م` (`سیم` is
/// "wire", not "thirtieth").
fn split_ordinal(joined: &str) -> Option<(std::borrow::Cow<'_, str>, Option<Ordinal>)> {
    use std::borrow::Cow;
    for (suffix, ordinal) in [("مین", Ordinal::Superlative), ("م", Ordinal::Adjective)] {
        let Some(rest) = joined.strip_suffix(suffix) else {
            continue;
        };
        if let Some(before) = rest.strip_suffix("سو") {
            return Some((Cow::Owned(format!("{before}سه")), Some(ordinal)));
        }
        if let Some(before) = rest.strip_suffix('ا')
            && before.ends_with('ی')
        {
            return Some((Cow::Borrowed(before), Some(ordinal)));
        }
        if rest.ends_with('ی') || rest.is_empty() {
            return None;
        }
        return Some((Cow::Borrowed(rest), Some(ordinal)));
    }
    Some((Cow::Borrowed(joined), None))
}

/// Splits number words written together into pieces (longest word first, backtracking).
fn pieces_of(text: &str, out: &mut Vec<Piece>) -> bool {
    if text.is_empty() {
        return !out.is_empty() && out.last() != Some(&Piece::And);
    }
    if out.len() > 16 {
        return false;
    }
    if let Some(rest) = text.strip_prefix(AND)
        && !out.is_empty()
        && out.last() != Some(&Piece::And)
    {
        out.push(Piece::And);
        if pieces_of(rest, out) {
            return true;
        }
        out.pop();
    }
    let mut candidates: Vec<(&str, Piece)> = ONES
        .iter()
        .chain(TEENS)
        .chain(TENS)
        .chain(HUNDREDS)
        .filter(|(w, _)| text.starts_with(w))
        .map(|&(w, v)| (w, Piece::Value(v)))
        .collect();
    if text.starts_with(THOUSAND) {
        candidates.push((THOUSAND, Piece::Thousand));
    }
    candidates.sort_by_key(|(w, _)| std::cmp::Reverse(w.len()));
    for (word, piece) in candidates {
        out.push(piece);
        if pieces_of(&text[word.len()..], out) {
            return true;
        }
        out.pop();
    }
    false
}

/// The value of pieces read as `[below-thousand] هزار [و below-thousand]` or a number below a
/// thousand, where a number below a thousand is hundreds, tens and ones joined by `و`, each
/// smaller than the one before it (`سیصد و بیست و یک`; not `بیست و سیصد`).
fn evaluate(pieces: &[Piece]) -> Option<u64> {
    match pieces.iter().position(|p| *p == Piece::Thousand) {
        Some(at) => {
            let multiplier = if at == 0 {
                1
            } else {
                below_thousand(&pieces[..at])?
            };
            let rest = match &pieces[at + 1..] {
                [] => 0,
                [Piece::And, rest @ ..] => below_thousand(rest)?,
                _ => return None,
            };
            let value = multiplier * 1000 + rest;
            (value <= MAX_NUMBER).then_some(value)
        }
        None => below_thousand(pieces),
    }
}

fn below_thousand(pieces: &[Piece]) -> Option<u64> {
    let mut total = 0;
    let mut last: Option<u64> = None;
    for (i, piece) in pieces.iter().enumerate() {
        let expect_value = i % 2 == 0;
        match (piece, expect_value) {
            (Piece::Value(v), true) => {
                // Each part is of a smaller order than the one before (hundreds, tens, ones).
                if let Some(prev) = last
                    && !(order(*v) < order(prev) && (prev >= 20 || prev % 100 == 0))
                {
                    return None;
                }
                total += v;
                last = Some(*v);
            }
            (Piece::And, false) => {}
            _ => return None,
        }
    }
    if pieces.len().is_multiple_of(2) {
        return None;
    }
    (total > 0).then_some(total)
}

fn order(v: u64) -> u32 {
    match v {
        100.. => 2,
        10..=99 => 1,
        _ => 0,
    }
}

/// The canonical words of a cardinal (`1404` → `هزار و چهارصد و چهار`), or none above
/// [`MAX_NUMBER`].
pub fn cardinal_words(value: u64) -> Vec<&'static str> {
    let mut out = Vec::new();
    if value == 0 || value > MAX_NUMBER {
        return out;
    }
    let (thousands, rest) = (value / 1000, value % 1000);
    if thousands > 0 {
        if thousands > 1 {
            push_below_thousand(thousands, &mut out);
        }
        out.push(THOUSAND);
        if rest > 0 {
            out.push("و");
        }
    }
    push_below_thousand(rest, &mut out);
    out
}

fn push_below_thousand(value: u64, out: &mut Vec<&'static str>) {
    let word = |table: &[(&'static str, u64)], v: u64| {
        table
            .iter()
            .find(|(_, x)| *x == v)
            .map(|(w, _)| *w)
            .expect("every value below a thousand has a word")
    };
    let (hundreds, rest) = (value / 100 * 100, value % 100);
    let mut parts = Vec::new();
    if hundreds > 0 {
        parts.push(word(HUNDREDS, hundreds));
    }
    match rest {
        0 => {}
        1..=9 => parts.push(word(ONES, rest)),
        10..=19 => parts.push(word(TEENS, rest)),
        _ => {
            parts.push(word(TENS, rest / 10 * 10));
            if rest % 10 > 0 {
                parts.push(word(ONES, rest % 10));
            }
        }
    }
    for (i, p) in parts.into_iter().enumerate() {
        if i > 0 {
            out.push("و");
        }
        out.push(p);
    }
}

/// The ordinal of a number's last word: `دو` → `دوم`/`دومین`, `سه` → `سوم`, `سی` → `سیام`.
fn ordinal_word(word: &str, ordinal: Ordinal) -> String {
    let suffix = match ordinal {
        Ordinal::Adjective => "م",
        Ordinal::Superlative => "مین",
    };
    if word == "سه" {
        format!("سو{suffix}")
    } else if word.ends_with('ی') {
        format!("{word}ا{suffix}")
    } else {
        format!("{word}{suffix}")
    }
}

/// The ways documents write `number`, as runs of exact terms at consecutive positions, the
/// digits first. Words spaced, joined (`سیودومین`; also what a ZWNJ-joined writing is indexed
/// under) and with a `ی`-final word's ending after a ZWNJ (`سی‌امین` → `سی` `امین`); digits
/// with their ending joined or apart (`32مین`, `32امین`, `32 امین`); for 1000–1999 and
/// 100–199 also with `یک` (`یکهزار`, `یکصد`). At most [`MAX_WRITINGS`].
pub fn writings(number: Number) -> Vec<Vec<String>> {
    let mut out: Vec<Vec<String>> = Vec::new();
    let mut push = |run: Vec<String>| {
        if !run.is_empty() && !out.contains(&run) && out.len() < MAX_WRITINGS {
            out.push(run);
        }
    };
    let digits = number.value.to_string();
    match number.ordinal {
        None => {
            push(vec![digits.clone()]);
            if number.value >= 10_000 {
                push(vec![grouped(number.value)]);
            }
            if number.value >= 2000 && number.value.is_multiple_of(1000) {
                push(vec![
                    (number.value / 1000).to_string(),
                    THOUSAND.to_string(),
                ]);
            }
        }
        Some(ordinal) => {
            let (joined, apart) = match ordinal {
                Ordinal::Adjective => ("ام", ["م", "ام"]),
                Ordinal::Superlative => ("امین", ["مین", "امین"]),
            };
            push(vec![format!("{digits}{}", apart[0])]);
            push(vec![format!("{digits}{joined}")]);
            push(vec![digits.clone(), joined.to_string()]);
            if number.value == 1 {
                for &(word, o) in FIRST {
                    if o == ordinal {
                        push(vec![word.to_string()]);
                    }
                }
            }
        }
    }
    let words = cardinal_words(number.value);
    let mut spellings = vec![words.iter().map(|w| w.to_string()).collect::<Vec<_>>()];
    if (1000..2000).contains(&number.value) {
        let mut with_one = spellings[0].clone();
        with_one[0] = format!("یک{THOUSAND}");
        spellings.push(with_one);
    }
    if (100..200).contains(&number.value) && words.first() == Some(&"صد") {
        let mut with_one = spellings[0].clone();
        with_one[0] = "یکصد".to_string();
        spellings.push(with_one);
    }
    for mut spelled in spellings {
        if let Some(ordinal) = number.ordinal {
            let last = spelled.pop().unwrap_or_default();
            let ends_in_yeh = last.ends_with('ی');
            spelled.push(ordinal_word(&last, ordinal));
            push(spelled.clone());
            push(vec![spelled.concat()]);
            if ends_in_yeh {
                // سی‌امین: the parts of a ZWNJ word are indexed at consecutive positions.
                spelled.pop();
                spelled.push(last);
                spelled.push(
                    match ordinal {
                        Ordinal::Adjective => "ام",
                        Ordinal::Superlative => "امین",
                    }
                    .to_string(),
                );
                push(spelled);
            }
        } else if !(spelled.len() == 1 && AMBIGUOUS_ALONE.contains(&spelled[0].as_str())) {
            push(vec![spelled.concat()]);
            push(spelled);
        }
    }
    out
}

/// `12,500`.
fn grouped(value: u64) -> String {
    let digits = value.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::name_key;

    fn read(text: &str) -> Option<(u64, Option<Ordinal>)> {
        parse(&name_key(text)).map(|n| (n.value, n.ordinal))
    }

    const SUP: Option<Ordinal> = Some(Ordinal::Superlative);
    const ADJ: Option<Ordinal> = Some(Ordinal::Adjective);

    #[test]
    fn ordinals_in_every_joining_and_script() {
        for text in [
            "سی و دومین",
            "سی‌ودومین",
            "سیودومین",
            "سی‌و‌دومین",
            "سی ودومین",
            "۳۲مین",
            "۳۲ امین",
            "32امین",
            "٣٢مین",
            "۳۲ـمین",
        ] {
            assert_eq!(read(text), Some((32, SUP)), "{text}");
        }
        assert_eq!(read("جشنواره"), None);
        assert_eq!(read("سی و دوم"), Some((32, ADJ)));
        assert_eq!(read("سوم"), Some((3, ADJ)));
        assert_eq!(read("بیست و سومین"), Some((23, SUP)));
        assert_eq!(read("سی‌امین"), Some((30, SUP)));
        assert_eq!(read("سی ام"), Some((30, ADJ)));
        assert_eq!(read("نخستین"), Some((1, SUP)));
        assert_eq!(read("یکم"), Some((1, ADJ)));
        assert_eq!(read("صدمین"), Some((100, SUP)));
        assert_eq!(read("هزارم"), Some((1000, ADJ)));
    }

    #[test]
    fn cardinals_and_years_to_999_999() {
        assert_eq!(read("هزار و چهارصد و چهار"), Some((1404, None)));
        assert_eq!(read("یک هزار و چهارصد و چهار"), Some((1404, None)));
        assert_eq!(read("یکهزاروچهارصدوچهار"), Some((1404, None)));
        assert_eq!(read("۱۴۰۴"), Some((1404, None)));
        assert_eq!(read("نه هزار و نهصد و نود و نه"), Some((9999, None)));
        assert_eq!(read("بیست و پنج هزار"), Some((25_000, None)));
        assert_eq!(read("سیصد و یازده"), Some((311, None)));
        assert_eq!(read("دوازده"), Some((12, None)));
        assert_eq!(read("۱٬۲۰۰"), Some((1200, None)));
        assert_eq!(read("دو هزار"), Some((2000, None)));
    }

    #[test]
    fn words_that_only_contain_number_words_are_not_numbers() {
        for text in [
            "سیم",
            "سیمین",
            "دوست",
            "هزاره",
            "بیست و سیصد",
            "سی و",
            "و دو",
            "نه",
            "یک",
            "دو و دو",
            "ده و دو",
            "0",
            "3.5",
            "1234567",
            "۱۲۳a",
            "امین",
        ] {
            assert_eq!(read(text), None, "{text}");
        }
        assert_eq!(read("نهم"), Some((9, ADJ)));
        assert!(may_be_part("ودومین") && may_be_part("و") && may_be_part("امین"));
        assert!(!may_be_part("جشنواره") && !may_be_part("سیم"));
    }

    #[test]
    fn every_number_reads_back_from_every_writing() {
        for value in (1..=9_999).chain([12_000, 25_000, 999_999]) {
            for ordinal in [None, ADJ, SUP] {
                let n = Number { value, ordinal };
                let ws = writings(n);
                assert!(!ws.is_empty() && ws.len() <= MAX_WRITINGS);
                for w in &ws {
                    assert_eq!(parse(&w.concat()), Some(n), "{value} {ordinal:?}: {w:?}");
                }
            }
        }
    }

    #[test]
    fn writings_cover_the_ways_documents_write() {
        let w = writings(Number {
            value: 32,
            ordinal: SUP,
        });
        for expected in [
            vec!["32مین"],
            vec!["32امین"],
            vec!["32", "امین"],
            vec!["سی", "و", "دومین"],
            vec!["سیودومین"],
        ] {
            assert!(
                w.contains(&expected.iter().map(|s| s.to_string()).collect()),
                "{w:?}"
            );
        }
        let w = writings(Number {
            value: 30,
            ordinal: SUP,
        });
        assert!(
            w.contains(&vec!["سی".to_string(), "امین".to_string()]),
            "{w:?}"
        );
        let w = writings(Number {
            value: 1404,
            ordinal: None,
        });
        assert_eq!(w[0], vec!["1404"]);
        assert!(w.contains(&vec!["هزاروچهارصدوچهار".to_string()]));
        assert!(w.iter().any(|r| r.len() == 5 && r[0] == "هزار"));
        assert!(w.iter().any(|r| r[0] == "یکهزار"));
        assert_eq!(cardinal_words(20_000), ["بیست", "هزار"]);
    }
}
