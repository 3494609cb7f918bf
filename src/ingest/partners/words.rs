//! A text as partner extraction reads it: its words, each with its comparison key, its byte
//! span in the text and what separates it from the word before (a space, a comma, the end of a
//! sentence, a parenthesis…). Words come from the analyzer's segmentation, so spellings meet
//! as they do in search (`اداره‌کل` = `اداره کل` = `اداره كل`).

use crate::analysis::compounds::push_joined;
use crate::analysis::segment::Segments;

/// What stands between a word and the one before it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Gap {
    /// Spaces only (or nothing: the first word), a hyphen inside a compound (`تجاری-صنعتی`),
    /// or the dots of an abbreviation (`ج.ا.ا`).
    Space,
    /// `،` or `,`.
    Comma,
    /// `(` or `[`.
    Open,
    /// `)` or `]`.
    Close,
    /// The end of a sentence or line (`.`, `؟`, `!`, `؛`, `:`, a line break), a spaced dash,
    /// quotes, or any other mark: no name runs across it.
    Stop,
}

/// One word of a text.
#[derive(Clone, Debug)]
pub struct Word {
    /// Folded, without ZWNJs, in canonical spelling.
    pub key: String,
    /// Byte span in the text.
    pub from: usize,
    pub to: usize,
    /// What separates it from the previous word.
    pub gap: Gap,
}

/// The words of a text.
pub struct Words<'t> {
    pub text: &'t str,
    pub words: Vec<Word>,
}

impl<'t> Words<'t> {
    pub fn of(text: &'t str) -> Words<'t> {
        let mut seg = Segments::default();
        seg.split(text);
        let mut words: Vec<Word> = Vec::with_capacity(seg.words.len());
        for w in &seg.words {
            let (from, to) = seg.span(w, w);
            let mut key = String::new();
            push_joined(&seg, w, &mut key);
            let previous = words.last();
            let between = &text[previous.map_or(0, |p| p.to)..from];
            let gap = if previous.is_none() {
                Gap::Space
            } else {
                gap_of(
                    between,
                    previous.is_some_and(|p| p.key.chars().count() == 1),
                    &key,
                )
            };
            words.push(Word { key, from, to, gap });
        }
        Words { text, words }
    }

    pub fn len(&self) -> usize {
        self.words.len()
    }

    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    pub fn key(&self, i: usize) -> &str {
        self.words.get(i).map_or("", |w| w.key.as_str())
    }

    pub fn gap(&self, i: usize) -> Gap {
        self.words.get(i).map_or(Gap::Stop, |w| w.gap)
    }

    /// The text of words `from..to` as written.
    pub fn written(&self, from: usize, to: usize) -> &'t str {
        &self.text[self.words[from].from..self.words[to - 1].to]
    }
}

fn gap_of(between: &str, after_single_letter: bool, key: &str) -> Gap {
    let marks: Vec<char> = between.chars().filter(|c| !c.is_whitespace()).collect();
    if between.contains(['\n', '\r']) {
        return Gap::Stop;
    }
    match marks.as_slice() {
        [] => Gap::Space,
        ['،' | ','] => Gap::Comma,
        ['(' | '['] => Gap::Open,
        [')' | ']'] => Gap::Close,
        ['-' | '‐'] if !between.contains(char::is_whitespace) => Gap::Space,
        ['.'] if after_single_letter && key.chars().count() <= 5 && !between.contains(' ') => {
            Gap::Space
        }
        // Letters that are not word characters to the segmenter (none in Persian) and
        // invisible marks (`\u{200c}` between words) are spaces.
        _ if marks
            .iter()
            .all(|c| c.is_alphanumeric() || *c == '\u{200c}') =>
        {
            Gap::Space
        }
        _ => Gap::Stop,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gaps_between_words() {
        let w = Words::of("اتاق بازرگانی،صنایع (ره) و تجاری-صنعتی ج.ا.ا. ساری- ایسنا");
        let gaps: Vec<(&str, Gap)> = w.words.iter().map(|w| (w.key.as_str(), w.gap)).collect();
        assert_eq!(
            gaps,
            vec![
                ("اتاق", Gap::Space),
                ("بازرگانی", Gap::Space),
                ("صنایع", Gap::Comma),
                ("ره", Gap::Open),
                ("و", Gap::Close),
                ("تجاری", Gap::Space),
                ("صنعتی", Gap::Space),
                ("ج", Gap::Space),
                ("ا", Gap::Space),
                ("ا", Gap::Space),
                ("ساری", Gap::Stop),
                ("ایسنا", Gap::Stop),
            ]
        );
        assert_eq!(w.written(0, 3), "اتاق بازرگانی،صنایع");
    }
}
