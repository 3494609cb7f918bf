//! Word segmentation over the original text: folds it character by character and splits it
//! into words, and words into ZWNJ-separated parts, remembering for each part the byte range
//! of the source characters it came from.
//!
//! A word is a run of letters, marks and digits (`3.5` and `1,000` stay one word). Spaces and
//! punctuation end a word; a ZWNJ only separates the parts of a word. Whether two words are
//! separated by spaces alone is recorded too: only such neighbours may form compounds
//! (`هم افزایی`), never words across punctuation (`نفت، گاز`).

use std::sync::OnceLock;

use super::fold::{FoldedChar, drops_after, fold_char};

/// One ZWNJ-separated part of a word.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Part {
    /// Byte range of the folded text in [`Segments::folded`].
    pub folded: (usize, usize),
    /// Byte offsets into the original text: the first and past-the-last source characters
    /// that contributed to this part.
    pub from: usize,
    pub to: usize,
}

/// One word: consecutive parts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Word {
    /// Index range into [`Segments::parts`].
    pub parts: (usize, usize),
    /// True when only whitespace separates this word from the previous one.
    pub spaced_from_previous: bool,
}

/// The words of a text; buffers are reused across calls to [`Segments::split`].
#[derive(Default, Debug, Clone)]
pub struct Segments {
    pub folded: String,
    pub parts: Vec<Part>,
    pub words: Vec<Word>,
}

/// What the character stream is doing between characters.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Gap {
    /// Inside a part.
    None,
    /// After one or more ZWNJs inside a word.
    Soft,
    /// After whitespace only.
    Space,
    /// After punctuation or a symbol (possibly with spaces too).
    Hard,
}

impl Segments {
    /// Splits `text`, replacing the previous content.
    pub fn split(&mut self, text: &str) {
        self.folded.clear();
        self.parts.clear();
        self.words.clear();
        let mut state = Splitter {
            seg: self,
            gap: Gap::Hard,
            part_start: None,
            pending_joiner: None,
            last_char: None,
        };
        for (offset, c) in text.char_indices() {
            let end = offset + c.len_utf8();
            fold_char(c, |f| state.push(f, offset, end));
        }
        state.finish();
    }

    /// The folded text of a part.
    pub fn part_text(&self, part: &Part) -> &str {
        &self.folded[part.folded.0..part.folded.1]
    }

    /// The parts of a word.
    pub fn word_parts(&self, word: &Word) -> &[Part] {
        &self.parts[word.parts.0..word.parts.1]
    }

    /// Source byte range of a run of words `first..=last`.
    pub fn span(&self, first: &Word, last: &Word) -> (usize, usize) {
        (
            self.parts[first.parts.0].from,
            self.parts[last.parts.1 - 1].to,
        )
    }

    /// The word's parts concatenated without the ZWNJs (`هم‌افزایی` → `همافزایی`).
    pub fn joined(&self, word: &Word, out: &mut String) {
        for p in self.word_parts(word) {
            out.push_str(self.part_text(p));
        }
    }
}

/// `c.is_alphanumeric()`, answered from a table for ASCII and the Arabic block (U+0600–U+06FF),
/// where nearly all characters of Persian text are: the standard library's search of its
/// Unicode tables for every non-ASCII letter was 12% of indexing time (perf, 10k documents).
fn is_word_char(c: char) -> bool {
    const ARABIC: u32 = 0x0600;
    static TABLE: OnceLock<[u64; 4]> = OnceLock::new();
    if c.is_ascii() {
        return c.is_ascii_alphanumeric();
    }
    let i = (c as u32).wrapping_sub(ARABIC);
    if i >= 256 {
        return c.is_alphanumeric();
    }
    let table = TABLE.get_or_init(|| {
        let mut t = [0u64; 4];
        for i in 0..256u32 {
            if char::from_u32(ARABIC + i).is_some_and(char::is_alphanumeric) {
                t[(i / 64) as usize] |= 1 << (i % 64);
            }
        }
        t
    });
    table[(i / 64) as usize] >> (i % 64) & 1 == 1
}

struct Splitter<'s> {
    seg: &'s mut Segments,
    gap: Gap,
    /// (folded start, source start, source end so far) of the part being built.
    part_start: Option<(usize, usize, usize)>,
    /// A `.` or `,` seen right after a digit: kept only if a digit follows (`3.5`).
    pending_joiner: Option<(char, usize, usize)>,
    last_char: Option<char>,
}

impl Splitter<'_> {
    fn push(&mut self, f: FoldedChar, from: usize, to: usize) {
        match f {
            FoldedChar::Drop => {}
            FoldedChar::SoftBoundary => {
                self.flush_joiner();
                if self.part_start.is_some() {
                    self.end_part();
                    self.gap = Gap::Soft;
                }
            }
            FoldedChar::Space => self.boundary(Gap::Space),
            FoldedChar::Char(c) => {
                if is_word_char(c) {
                    self.letter(c, from, to)
                } else if (c == '.' || c == ',')
                    && self.part_start.is_some()
                    && self.pending_joiner.is_none()
                    && self.last_char.is_some_and(|l| l.is_ascii_digit())
                {
                    self.pending_joiner = Some((c, from, to));
                } else {
                    self.boundary(Gap::Hard)
                }
            }
        }
    }

    fn letter(&mut self, c: char, from: usize, to: usize) {
        if let Some((j, jfrom, jto)) = self.pending_joiner.take() {
            if c.is_ascii_digit() {
                self.append(j, jfrom, jto);
            } else {
                self.boundary(Gap::Hard);
            }
        }
        if self.part_start.is_some() && drops_after(self.last_char, c) {
            return;
        }
        self.append(c, from, to);
    }

    fn append(&mut self, c: char, from: usize, to: usize) {
        match &mut self.part_start {
            Some((_, _, end)) => *end = to,
            None => {
                let folded_start = self.seg.folded.len();
                if self.gap != Gap::Soft {
                    let spaced = self.gap == Gap::Space && !self.seg.words.is_empty();
                    let first = self.seg.parts.len();
                    self.seg.words.push(Word {
                        parts: (first, first),
                        spaced_from_previous: spaced,
                    });
                }
                self.part_start = Some((folded_start, from, to));
            }
        }
        self.seg.folded.push(c);
        self.last_char = Some(c);
        self.gap = Gap::None;
    }

    fn flush_joiner(&mut self) {
        if self.pending_joiner.take().is_some() {
            self.end_part();
            self.gap = Gap::Hard;
        }
    }

    fn boundary(&mut self, kind: Gap) {
        self.flush_joiner();
        if self.part_start.is_some() {
            self.end_part();
        }
        self.gap = match (self.gap, kind) {
            (Gap::Hard, _) | (_, Gap::Hard) => Gap::Hard,
            _ => Gap::Space,
        };
        self.last_char = None;
    }

    fn end_part(&mut self) {
        if let Some((fstart, from, to)) = self.part_start.take() {
            self.seg.parts.push(Part {
                folded: (fstart, self.seg.folded.len()),
                from,
                to,
            });
            if let Some(w) = self.seg.words.last_mut() {
                w.parts.1 = self.seg.parts.len();
            }
        }
        self.last_char = None;
    }

    fn finish(mut self) {
        self.flush_joiner();
        self.end_part();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<Vec<String>> {
        let mut s = Segments::default();
        s.split(text);
        s.words
            .iter()
            .map(|w| {
                s.word_parts(w)
                    .iter()
                    .map(|p| s.part_text(p).to_string())
                    .collect()
            })
            .collect()
    }

    #[test]
    fn word_chars_are_the_alphanumerics() {
        for c in ('\0'..='\u{2FFF}').chain(['\u{FB50}', '\u{FEFC}', '𝟘', '中']) {
            assert_eq!(is_word_char(c), c.is_alphanumeric(), "{c:?}");
        }
    }

    #[test]
    fn zwnj_separates_parts_not_words() {
        assert_eq!(
            words("هم‌افزایی ملی"),
            vec![vec!["هم", "افزایی"], vec!["ملی"]]
        );
        assert_eq!(words("می‌‌شود"), vec![vec!["می", "شود"]]);
        assert_eq!(words("پارک\u{200C}"), vec![vec!["پارک"]]);
    }

    #[test]
    fn offsets_slice_the_original() {
        let text = "پـارک «علم»، فنـاوری";
        let mut s = Segments::default();
        s.split(text);
        let sliced: Vec<&str> = s.parts.iter().map(|p| &text[p.from..p.to]).collect();
        assert_eq!(sliced, vec!["پـارک", "علم", "فنـاوری"]);
    }

    #[test]
    fn decimals_stay_whole_but_trailing_dots_do_not() {
        assert_eq!(words("۳٫۵ درصد"), vec![vec!["3.5"], vec!["درصد"]]);
        assert_eq!(words("1,000."), vec![vec!["1,000"]]);
        assert_eq!(words("سال 1404."), vec![vec!["سال"], vec!["1404"]]);
    }

    #[test]
    fn punctuation_breaks_compounds_spaces_do_not() {
        let mut s = Segments::default();
        s.split("نفت، گاز و انرژی");
        let spaced: Vec<bool> = s.words.iter().map(|w| w.spaced_from_previous).collect();
        assert_eq!(spaced, vec![false, false, true, true]);
    }
}
