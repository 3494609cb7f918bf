//! Finding organisation names in a text by the shapes Persian institution names take, and
//! ending each at the right word.
//!
//! A name starts at a head (`شرکت`, `دانشگاه`, `اداره کل`, …) not preceded by a reference word
//! (`این دانشگاه`), and runs on over name words:
//! - it ends at a boundary word (a preposition, a verb, `تفاهم‌نامه`, a person's title: not
//!   `… برای همکاری در`, not `… به نمایندگی دکتر …`) or at sentence punctuation;
//! - it ends after a place (`دانشگاه گیلان`), unless a place word and a place follow (`… پیام
//!   نور استان مازندران`), or «و» and a place for one organisation of two places (`شرکت برق
//!   منطقه‌ای مازندران و گلستان`); a country after a place is not part of the name (`دانشگاه
//!   دولتی کازان روسیه`);
//! - at «و» or «،» followed by another head it ends, and the other name starts (`بانک رفاه
//!   کارگران و صندوق کارآفرینی امید`); a comma goes on only inside a list that «و» closes
//!   (`اتاق بازرگانی، صنایع، معادن و کشاورزی یزد`);
//! - a short parenthesis belongs to it (`کمیته امداد امام خمینی (ره) استان مازندران`).
//!
//! Place heads take one place (`شهرداری بابلسر`). A plural head names one organisation per place
//! after it (`پارک‌های علم و فناوری سمنان و مازندران`). An official's title stands for the
//! organisation (`استاندار گلستان` → `استانداری گلستان`). Names of the registry are found in any
//! spelling whatever their shape (`آبفای مازندران`). A name needs one word that is not vague
//! (`شرکت دانش‌بنیان` is no name) and must not be a generic phrase. A unit (`مرکز رشد`,
//! `معاونت`) stands for the organisation named right after it, or alone for none (the
//! publisher's own).

use super::shapes::{HeadKind, Shapes};
use super::words::{Gap, Words};
use crate::analysis::name_key;
use crate::document::PartnerRegistry;
use crate::document::places::Places;

/// Most words after a head.
const MAX_NAME_WORDS: usize = 14;
/// Most words a registered name spans.
const MAX_REGISTERED_WORDS: usize = 16;
/// Most words inside a parenthesis that belongs to a name.
const MAX_PARENTHESIS_WORDS: usize = 4;
/// Most words between an official's title and its closing word.
const MAX_CLOSED_WORDS: usize = 10;
/// Most words between a unit (`مرکز رشد`) and the organisation it belongs to.
const MAX_UNIT_WORDS: usize = 3;
/// Most words after the head of a name that does not end at a place: longer runs are a name
/// running on into what follows (`بانک توسعه صادرات خط اعتباری ارزی و ریالی …`).
const MAX_UNPLACED_WORDS: usize = 6;

/// An organisation name found in a text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Found {
    /// The name as the text writes it; for an official, the organisation's head and the words
    /// after the title (`استانداری گلستان` for `استاندار گلستان`).
    pub name: String,
    /// The words it covers (for an official, the title too; for a unit, the unit too).
    pub start: usize,
    pub end: usize,
}

/// Every organisation name in `words`, in order.
pub fn find_names(words: &Words) -> Vec<Found> {
    let finder = Finder {
        keys: words.words.iter().map(|w| w.key.as_str()).collect(),
        words,
        shapes: Shapes::get(),
        places: Places::get(),
        registry: PartnerRegistry::get(),
    };
    let mut out = Vec::new();
    let mut i = 0;
    while i < words.len() {
        if let Some((end, names)) = finder.plural_at(i) {
            i = end;
            out.extend(names);
            continue;
        }
        if let Some(unit) = finder.unit_at(i) {
            i = unit.end;
            if !unit.name.is_empty() {
                out.push(unit);
            }
            continue;
        }
        let best = [
            finder.official_at(i),
            finder.head_at(i),
            finder.registered_at(i),
        ]
        .into_iter()
        .flatten()
        .max_by_key(|f| f.end);
        match best {
            Some(found) => {
                i = found.end.max(i + 1);
                if !found.name.is_empty() {
                    out.push(found);
                }
            }
            None => i += 1,
        }
    }
    out
}

struct Finder<'a> {
    words: &'a Words<'a>,
    keys: Vec<&'a str>,
    shapes: &'static Shapes,
    places: &'static Places,
    registry: &'static PartnerRegistry,
}

impl Finder<'_> {
    fn len(&self) -> usize {
        self.keys.len()
    }

    fn gap(&self, i: usize) -> Gap {
        self.words.gap(i)
    }

    /// A place at `i`, possibly after a place word (`استان مازندران`): its length in words.
    fn place(&self, i: usize) -> Option<usize> {
        if i >= self.len() {
            return None;
        }
        if let Some((_, n)) = self.places.at(&self.keys, i, false) {
            return Some(n);
        }
        if self.places.is_place_word(self.keys[i]) && self.gap(i + 1) == Gap::Space {
            return self.places.at(&self.keys, i + 1, true).map(|(_, n)| n + 1);
        }
        None
    }

    /// Whether another organisation's name starts at `i`.
    fn starts_name(&self, i: usize) -> bool {
        self.shapes.heads.at(self.words, i).is_some()
            || self.shapes.plural_heads.at(self.words, i).is_some()
            || self.shapes.officials.at(self.words, i).is_some()
            || self.registered_at(i).is_some()
    }

    fn ends_name(&self, i: usize) -> bool {
        i >= self.len() || self.shapes.ends_name(self.words, i)
    }

    /// A name from a head at `i`.
    fn head_at(&self, i: usize) -> Option<Found> {
        let (n, kind) = self.shapes.heads.at(self.words, i)?;
        if i > 0 && self.gap(i) == Gap::Space {
            let previous = self.keys[i - 1];
            if self.shapes.references.contains(previous)
                || previous.chars().all(|c| c.is_ascii_digit())
            {
                return None;
            }
        }
        let end = match kind {
            HeadKind::Open => self.extend(i + n, n),
            HeadKind::Place => self.one_place(i + n)?,
        };
        if end - (i + n) > MAX_UNPLACED_WORDS && !self.ends_at_place(end) {
            return Some(Found {
                name: String::new(),
                start: i,
                end,
            });
        }
        self.named(i, i + n, end, None)
    }

    /// Whether a place ends at word `end` (exclusive).
    fn ends_at_place(&self, end: usize) -> bool {
        (end.saturating_sub(3)..end).any(|k| self.place(k).is_some_and(|n| k + n == end))
    }

    /// A unit of an organisation at `i` (`مرکز رشد`, `معاونت`): the organisation named a few
    /// words after it, or an empty name when there is none (the publisher's own unit). `None`
    /// when there is no unit here, or it is a head of its own (`معاونت علمی …`).
    fn unit_at(&self, i: usize) -> Option<Found> {
        let (n, _) = self.shapes.units.at(self.words, i)?;
        for k in i + n..(i + n + MAX_UNIT_WORDS).min(self.len()) {
            if self.gap(k) != Gap::Space {
                break;
            }
            let inner = [self.head_at(k), self.registered_at(k)]
                .into_iter()
                .flatten()
                .max_by_key(|f| f.end);
            if let Some(mut found) = inner {
                found.start = i;
                return Some(found);
            }
            if self.ends_name(k) {
                break;
            }
        }
        if self.shapes.heads.at(self.words, i).is_some() {
            return None;
        }
        Some(Found {
            name: String::new(),
            start: i,
            end: i + n,
        })
    }

    /// The found name of words `start..end` (after the head at `start..body`), or `None` when
    /// it is vague or generic. `written` replaces the text's words (officials).
    fn named(
        &self,
        start: usize,
        body: usize,
        end: usize,
        written: Option<String>,
    ) -> Option<Found> {
        let words = &self.keys[body..end];
        let distinctive = words
            .iter()
            .any(|w| *w != "و" && !self.shapes.vague.contains(*w) && !self.places.is_place_word(w));
        let mut name = written.unwrap_or_else(|| self.words.written(start, end).to_string());
        // A name that ends inside its parenthesis closes it: `… ملل متحد (فائو)`.
        if name.matches('(').count() > name.matches(')').count() {
            name.push(')');
        }
        if !distinctive || self.shapes.generic.contains(&name_key(&name)) {
            name.clear();
        }
        Some(Found { name, start, end })
    }

    /// The name words from `from`, after a head of `head_words` words: the end (exclusive) of
    /// the name.
    fn extend(&self, from: usize, head_words: usize) -> usize {
        let mut end = from;
        let mut j = from;
        let mut at_place = false;
        let mut after_parenthesis = false;
        while j < self.len() && j - from < MAX_NAME_WORDS {
            match self.gap(j) {
                Gap::Space => {}
                Gap::Close if after_parenthesis => {}
                Gap::Open if end == j => match self.parenthesis(j) {
                    Some(close) => {
                        end = close;
                        j = close;
                        after_parenthesis = true;
                        continue;
                    }
                    None => break,
                },
                Gap::Comma if !at_place && self.list_goes_on(j) => {}
                _ => break,
            }
            after_parenthesis = false;
            if self.keys[j] == "و" {
                let next = j + 1;
                // A one-word head and «و» is no name: `پالایشگاه و حل مسائل فنی`.
                if end == from && head_words == 1
                    || next >= self.len()
                    || self.gap(next) != Gap::Space
                    || self.starts_name(next)
                    || self.ends_name(next)
                {
                    break;
                }
                if at_place {
                    // One organisation of two places: `… مازندران و گلستان`.
                    match self.place(next) {
                        Some(n) => {
                            end = next + n;
                            j = end;
                            continue;
                        }
                        None => break,
                    }
                }
                j = next;
                continue;
            }
            if at_place {
                // `… پیام نور استان مازندران`; a country after a place is not the name's.
                match self.place(j) {
                    Some(n) if self.places.is_place_word(self.keys[j]) => {
                        end = j + n;
                        j = end;
                        continue;
                    }
                    _ => break,
                }
            }
            if self.ends_name(j) {
                break;
            }
            if let Some(n) = self.place(j) {
                end = j + n;
                j = end;
                at_place = true;
                continue;
            }
            end = j + 1;
            j += 1;
        }
        // `… منتشر شد`: the first part of a compound verb is the verb's, not the name's.
        if end > from
            && end == j
            && self
                .shapes
                .auxiliaries
                .contains(self.keys.get(j).copied().unwrap_or(""))
            && self.shapes.preverbs.contains(self.keys[end - 1])
        {
            end -= 1;
        }
        end
    }

    /// After a comma at `j`: whether the words run on to an «و» that continues the name
    /// (`صنایع، معادن و کشاورزی`), before any boundary or other name.
    fn list_goes_on(&self, j: usize) -> bool {
        for k in j..(j + 6).min(self.len()) {
            if k > j && !matches!(self.gap(k), Gap::Space | Gap::Comma) {
                return false;
            }
            if self.keys[k] == "و" {
                return k > j
                    && self.gap(k + 1) == Gap::Space
                    && !self.starts_name(k + 1)
                    && !self.ends_name(k + 1);
            }
            if self.starts_name(k) || self.ends_name(k) || self.place(k).is_some() && k == j {
                return false;
            }
        }
        false
    }

    /// A short parenthesis opening before word `j`: the end of its last word.
    fn parenthesis(&self, j: usize) -> Option<usize> {
        let mut k = j + 1;
        while k < self.len() && k - j < MAX_PARENTHESIS_WORDS {
            match self.gap(k) {
                Gap::Space => k += 1,
                Gap::Close => return Some(k),
                _ => return None,
            }
        }
        // The parenthesis closes after the text's last word.
        (k == self.len()
            && self.words.text[self.words.words[k - 1].to..]
                .trim_start()
                .starts_with([')', ']']))
        .then_some(k)
    }

    /// One place after a place head (`شهرداری بابلسر`), or one unknown word where a name ends
    /// right after it (`شهرداری فیروزکوه و …`): the end of the name.
    fn one_place(&self, j: usize) -> Option<usize> {
        if j >= self.len() || self.gap(j) != Gap::Space {
            return None;
        }
        if let Some(n) = self.place(j) {
            return Some(j + n);
        }
        let word = self.keys[j];
        let ends_after = j + 1 >= self.len()
            || self.gap(j + 1) != Gap::Space
            || self.keys[j + 1] == "و"
            || self.ends_name(j + 1);
        (ends_after && !self.ends_name(j) && !self.shapes.vague.contains(word) && word != "و")
            .then_some(j + 1)
    }

    /// An official's organisation: `استاندار گلستان` → `استانداری گلستان`.
    fn official_at(&self, i: usize) -> Option<Found> {
        let (n, official) = self.shapes.officials.at(self.words, i)?;
        let from = i + n;
        if from >= self.len() || self.gap(from) != Gap::Space {
            return None;
        }
        if !official.closings.is_empty() {
            return self.closed_official(i, from, &official.head, &official.closings);
        }
        let end = match official.kind {
            HeadKind::Place => self.one_place(from)?,
            HeadKind::Open => self.extend(from, 0),
        };
        if end == from {
            return None;
        }
        let written = format!("{} {}", official.head, self.words.written(from, end));
        self.named(i, from, end, Some(written))
    }

    /// `معاون علمی، فناوری و اقتصاد دانش‌بنیان رئیس‌جمهور` → `معاونت … ریاست جمهوری`.
    fn closed_official(
        &self,
        i: usize,
        from: usize,
        head: &str,
        closings: &[(Vec<String>, String)],
    ) -> Option<Found> {
        let mut k = from;
        while k < self.len() && k - from <= MAX_CLOSED_WORDS {
            if k > from && !matches!(self.gap(k), Gap::Space | Gap::Comma) {
                return None;
            }
            for (closing, writes) in closings {
                let fits = closing
                    .iter()
                    .enumerate()
                    .all(|(c, key)| self.keys.get(k + c) == Some(&key.as_str()));
                if fits && k > from {
                    let written = format!("{head} {} {writes}", self.words.written(from, k));
                    return self.named(i, from, k + closing.len(), Some(written));
                }
            }
            if self.shapes.boundaries.contains(self.keys[k])
                || self.shapes.heads.at(self.words, k).is_some()
            {
                // `معاون … معاونت علمی …`: the organisation is the one named.
                return None;
            }
            k += 1;
        }
        None
    }

    /// `پارک‌های علم و فناوری سمنان و مازندران` → one name per place: the end of the words
    /// covered and the names (none for a plural that names kinds, `شرکت‌های فناور`).
    fn plural_at(&self, i: usize) -> Option<(usize, Vec<Found>)> {
        let (n, singular) = self.shapes.plural_heads.at(self.words, i)?;
        let mut j = i + n;
        if singular.is_empty() {
            return Some((j, Vec::new()));
        }
        // The words shared by every name, up to the first place.
        let middle = j;
        while j < self.len() && self.gap(j) == Gap::Space && self.place(j).is_none() {
            if self.ends_name(j) || self.starts_name(j) || j - middle > MAX_NAME_WORDS {
                return Some((j, Vec::new()));
            }
            j += 1;
        }
        let shared = if j > middle {
            format!("{singular} {}", self.words.written(middle, j))
        } else {
            singular.clone()
        };
        let mut names = Vec::new();
        while let Some(p) = self.place(j) {
            let place = self.words.written(j, j + p);
            names.push(Found {
                name: format!("{shared} {place}"),
                start: i,
                end: j + p,
            });
            j += p;
            let and = self.keys.get(j) == Some(&"و") && self.gap(j) == Gap::Space;
            if and {
                j += 1;
            } else if self.gap(j) != Gap::Comma {
                break;
            }
        }
        Some((j.max(i + n), names))
    }

    /// The longest registered name (or alias) starting at `i`, in any spelling.
    fn registered_at(&self, i: usize) -> Option<Found> {
        let mut joined = String::new();
        let mut best = None;
        for j in i..(i + MAX_REGISTERED_WORDS).min(self.len()) {
            if j > i && !matches!(self.gap(j), Gap::Space | Gap::Comma) {
                break;
            }
            joined.push_str(self.keys[j]);
            if !self.registry.starts_written(&joined) {
                break;
            }
            if self.registry.find_written(&joined).is_some() {
                best = Some(j + 1);
            }
        }
        let end = best?;
        Some(Found {
            name: self.words.written(i, end).to_string(),
            start: i,
            end,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(text: &str) -> Vec<String> {
        find_names(&Words::of(text))
            .into_iter()
            .map(|f| f.name)
            .collect()
    }

    #[test]
    fn two_parties_joined_by_and() {
        assert_eq!(
            names("تفاهم‌نامه همکاری بانک رفاه کارگران و صندوق کارآفرینی امید امضا شد"),
            vec!["بانک رفاه کارگران", "صندوق کارآفرینی امید"]
        );
        assert_eq!(
            names("میان دانشگاه یزد و اتاق بازرگانی، صنایع، معادن و کشاورزی یزد با هدف توسعه"),
            vec!["دانشگاه یزد", "اتاق بازرگانی، صنایع، معادن و کشاورزی یزد"]
        );
    }

    #[test]
    fn names_end_at_the_right_word() {
        assert_eq!(
            names(
                "پارک علم و فناوری مازندران به نمایندگی دکتر حسینی و سازمان نظام مهندسی کشاورزی و منابع طبیعی استان مازندران به نمایندگی مهندس نادری"
            ),
            vec![
                "پارک علم و فناوری مازندران",
                "سازمان نظام مهندسی کشاورزی و منابع طبیعی استان مازندران"
            ]
        );
        assert_eq!(
            names("همکاری پارک با دانشگاه دولتی کازان روسیه"),
            vec!["دانشگاه دولتی کازان"]
        );
        assert_eq!(
            names(
                "قرارداد پژوهشی میان پارک علم و فناوری مازندران و شرکت سیمان مازندران و قرارداد دیگری"
            ),
            vec!["پارک علم و فناوری مازندران", "شرکت سیمان مازندران"]
        );
        assert_eq!(
            names("دانشگاه پیام نور استان مازندران و شرکت برق منطقه‌ای مازندران و گلستان"),
            vec![
                "دانشگاه پیام نور استان مازندران",
                "شرکت برق منطقه‌ای مازندران و گلستان"
            ]
        );
        assert_eq!(
            names("کمیته امداد امام خمینی (ره) استان مازندران برای"),
            vec!["کمیته امداد امام خمینی (ره) استان مازندران"]
        );
        assert_eq!(
            names("با همکاری پژوهشگاه صنعت نفت،شرکت ملی صنایع پتروشیمی و پارک منتشر شد"),
            vec!["پژوهشگاه صنعت نفت", "شرکت ملی صنایع پتروشیمی"]
        );
    }

    #[test]
    fn officials_stand_for_their_organisations() {
        assert_eq!(
            names("شهردار بابلسر و رئیس پارک تفاهم‌نامه‌ای امضا کردند"),
            vec!["شهرداری بابلسر"]
        );
        assert_eq!(
            names("با امضای معاون علمی، فناوری و اقتصاد دانش‌بنیان رئیس‌جمهور و استاندار گلستان"),
            vec![
                "معاونت علمی، فناوری و اقتصاد دانش‌بنیان ریاست جمهوری",
                "استانداری گلستان"
            ]
        );
        assert_eq!(
            names("مدیرکل ورزش و جوانان مازندران و رئیس پارک"),
            vec!["اداره کل ورزش و جوانان مازندران"]
        );
        assert_eq!(names("معاون پژوهشی موسسه گفت"), Vec::<String>::new());
    }

    #[test]
    fn plural_heads_and_generic_phrases() {
        assert_eq!(
            names("رئیسان پارک‌های علم و فناوری سمنان و مازندران"),
            vec!["پارک علم و فناوری سمنان", "پارک علم و فناوری مازندران"]
        );
        assert_eq!(
            names("دانشگاه‌های استان و شرکت‌های دانش‌بنیان و مرکز رشد و این دانشگاه"),
            Vec::<String>::new()
        );
        assert_eq!(
            names("مرکز رشد فناوری‌های کشاورزی پارک و سازمان تعاون روستایی"),
            vec!["سازمان تعاون روستایی"]
        );
        assert_eq!(
            names("مرکز رشد واحدهای فناور دانشگاه گلستان و معاونت مؤسسه تحقیقات برنج کشور"),
            vec!["دانشگاه گلستان", "مؤسسه تحقیقات برنج کشور"]
        );
    }

    #[test]
    fn registered_names_whatever_their_shape() {
        assert_eq!(names("همکاری با آبفای مازندران"), vec!["آبفای مازندران"]);
    }
}
