//! Character folding: every spelling of a Persian letter, digit, space or invisible mark
//! becomes one canonical form, one source character at a time.
//!
//! Folding works per character so that the tokenizer can keep, for every output character,
//! the byte range of the source character it came from (token offsets must slice the
//! original text). The same folding runs at index and at query time.
//!
//! The table follows `shared/briefs/persian-analysis.md`, "What kavosh's analyzer does", item 2.

use std::sync::OnceLock;

use unicode_normalization::char::decompose_compatible;

/// What one source character becomes after folding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FoldedChar {
    /// Contributes nothing: tatweel, vowel marks, bidi controls, ZWJ, BOM, soft hyphen.
    Drop,
    /// A hard word boundary: any kind of space.
    Space,
    /// ZERO WIDTH NON-JOINER: a soft boundary inside a word (`هم‌افزایی`).
    SoftBoundary,
    /// A canonical character.
    Char(char),
}

/// The zero-width non-joiner, the soft word boundary of Persian orthography.
pub const ZWNJ: char = '\u{200C}';

/// Folds one source character, calling `emit` once per output (presentation forms such as
/// `ﻻ` expand to several characters; most characters give exactly one).
pub fn fold_char(c: char, mut emit: impl FnMut(FoldedChar)) {
    if c.is_ascii() {
        emit(fold_ascii(c));
        return;
    }
    if let Some(folded) = fold_arabic(c) {
        emit(folded);
        return;
    }
    if is_presentation_form(c) {
        // NFKC per character, never NFKD of whole tokens: the expansion is folded again.
        decompose_compatible(c, |d| emit(fold_single(d)));
        return;
    }
    if c.is_uppercase() {
        for l in c.to_lowercase() {
            emit(fold_single(l));
        }
        return;
    }
    emit(fold_single(c));
}

/// Folds a whole string: spaces become `' '`, soft boundaries stay ZWNJ, dropped marks vanish,
/// and `ء` right after `ا` is dropped. Idempotent: `fold(&fold(s)) == fold(s)`.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        fold_char(c, |f| match f {
            FoldedChar::Drop => {}
            FoldedChar::Space => out.push(' '),
            FoldedChar::SoftBoundary => out.push(ZWNJ),
            FoldedChar::Char(ch) => {
                if !drops_after(out.chars().next_back(), ch) {
                    out.push(ch)
                }
            }
        });
    }
    out
}

/// True when `current` is dropped because of the character before it: a hamza written after
/// alef (`اجزاء` → `اجزا`), which readers and typists omit as often as not.
pub fn drops_after(previous: Option<char>, current: char) -> bool {
    current == 'ء' && previous == Some('ا')
}

fn fold_ascii(c: char) -> FoldedChar {
    if c.is_ascii_whitespace() {
        FoldedChar::Space
    } else if c.is_ascii_control() {
        FoldedChar::Drop
    } else {
        FoldedChar::Char(c.to_ascii_lowercase())
    }
}

/// The folding of a character of the Arabic block (U+0600–U+06FF), where nearly all
/// characters of Persian text are, from a table made once (the block has no case and no
/// presentation forms); `None` for any other character. Asking [`fold_single`]'s comparisons
/// for each character made the exact analysis of the bundled corpus 27% slower (`cargo bench
/// --bench analyzer`), which highlighting pays for every hit and indexing for every text.
fn fold_arabic(c: char) -> Option<FoldedChar> {
    const ARABIC: u32 = 0x0600;
    static TABLE: OnceLock<[FoldedChar; 256]> = OnceLock::new();
    let i = (c as u32).wrapping_sub(ARABIC);
    let table = TABLE.get_or_init(|| {
        std::array::from_fn(|i| {
            char::from_u32(ARABIC + i as u32).map_or(FoldedChar::Drop, fold_single)
        })
    });
    table.get(i as usize).copied()
}

fn is_presentation_form(c: char) -> bool {
    matches!(c, '\u{FB50}'..='\u{FDFF}' | '\u{FE70}'..='\u{FEFC}')
}

/// Folds a character that is neither ASCII nor a presentation form.
fn fold_single(c: char) -> FoldedChar {
    use FoldedChar::*;
    match c {
        // Yeh family → Persian yeh U+06CC.
        'ي' | 'ى' | 'ے' | 'ۓ' | 'ې' | 'ئ' | 'ۍ' | 'ێ' => Char('ی'),
        // Kaf family → keheh U+06A9.
        'ك' | 'ڪ' => Char('ک'),
        // Heh family (teh marbuta, heh with yeh above, heh goal, ae, heh doachashmee) → heh.
        'ة' | 'ۀ' | 'ہ' | 'ۂ' | 'ە' | 'ھ' => Char('ه'),
        // Alef with hamza or madda, alef wasla → bare alef.
        'أ' | 'إ' | 'آ' | 'ٱ' | 'ٲ' | 'ٳ' => Char('ا'),
        'ؤ' => Char('و'),
        // Persian and Arabic-Indic digits → ASCII.
        '\u{06F0}'..='\u{06F9}' => Char(ascii_digit(c as u32 - 0x06F0)),
        '\u{0660}'..='\u{0669}' => Char(ascii_digit(c as u32 - 0x0660)),
        '٫' => Char('.'),
        '٬' => Char(','),
        '٪' => Char('%'),
        // Invisible: tatweel, harakat and Quranic marks, superscript alef, zero-width and bidi
        // controls, BOM, soft hyphen, combining diacritics of decomposed Latin text.
        '\u{0640}'
        | '\u{064B}'..='\u{065F}'
        | '\u{0670}'
        | '\u{06D6}'..='\u{06ED}'
        | '\u{0610}'..='\u{061A}'
        | '\u{061C}'
        | '\u{200B}'
        | '\u{200D}'..='\u{200F}'
        | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{2069}'
        | '\u{FEFF}'
        | '\u{00AD}'
        | '\u{0300}'..='\u{036F}' => Drop,
        ZWNJ => SoftBoundary,
        c if c.is_whitespace() => Space,
        c if c.is_control() => Drop,
        c => Char(c),
    }
}

fn ascii_digit(n: u32) -> char {
    char::from_digit(n, 10).unwrap_or('0')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_arabic_block_has_no_upper_case() {
        assert!(('\u{0600}'..='\u{06FF}').all(|c| !c.is_uppercase()));
    }

    #[test]
    fn the_arabic_table_folds_its_block_and_nothing_else() {
        for c in '\u{0600}'..='\u{06FF}' {
            assert_eq!(fold_arabic(c), Some(fold_single(c)), "{c:?}");
        }
        for c in ['\u{05FF}', '\u{0700}', 'a', 'ﻻ', '\u{200C}'] {
            assert_eq!(fold_arabic(c), None, "{c:?}");
        }
    }

    #[test]
    fn arabic_letters_fold_to_persian() {
        assert_eq!(fold("كشور"), "کشور");
        assert_eq!(fold("فناوري"), "فناوری");
        assert_eq!(fold("فناورى"), "فناوری");
        assert_eq!(fold("مدینة"), "مدینه");
        assert_eq!(fold("توسعۀ"), "توسعه");
        assert_eq!(fold("توسعهٔ"), "توسعه");
        assert_eq!(fold("مؤسسه"), "موسسه");
    }

    #[test]
    fn marks_and_invisibles_vanish() {
        assert_eq!(fold("مــازنـــدران"), "مازندران");
        assert_eq!(fold("عِلْم"), "علم");
        assert_eq!(fold("تقریباً"), "تقریبا");
        assert_eq!(fold("\u{2067}پارک\u{2069}"), "پارک");
        assert_eq!(fold("پا\u{200D}رک\u{200F}"), "پارک");
        assert_eq!(fold("\u{FEFF}\u{200B}پارک"), "پارک");
        // Decomposed alef madda (NFD) and precomposed fold alike.
        assert_eq!(fold("آینده"), fold("آینده"));
    }

    #[test]
    fn digits_and_separators_become_ascii() {
        assert_eq!(fold("۱۴۰۴/۰۹/۲۵"), "1404/09/25");
        assert_eq!(fold("١٤٠٤"), "1404");
        assert_eq!(fold("۳٫۵٪"), "3.5%");
    }

    #[test]
    fn presentation_forms_expand() {
        assert_eq!(fold("ﮐﺸﻮﺭ"), "کشور");
        assert_eq!(fold("ﻻ"), "لا");
    }

    #[test]
    fn spaces_unify_and_zwnj_stays_soft() {
        assert_eq!(fold("علم\u{A0}و\u{202F}فناوری"), "علم و فناوری");
        assert_eq!(fold("هم\u{200C}افزایی"), "هم\u{200C}افزایی");
    }

    #[test]
    fn hamza_after_alef_is_dropped() {
        assert_eq!(fold("اجزاء"), "اجزا");
        assert_eq!(fold("شیء"), "شیء");
    }

    #[test]
    fn latin_is_lowercased() {
        assert_eq!(fold("Kavosh ICT"), "kavosh ict");
    }
}
