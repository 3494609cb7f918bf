//! Parties and passing mentions: an organisation named after a mention cue of
//! `data/organisations.toml` is not a party to what a page announces — the source of a report
//! (`به گزارش …`, `بر اساس داده‌های …`), a venue (`در محل …`, `در سالن همایش‌های …`), where a
//! company is based (`مستقر در …`). Attendees (`با حضور … برگزار شد`) are parties only when a
//! page names no other: a minister at a signing is not a party, but the officials a news item
//! is about are.
//!
//! A phrase cue covers the first name after it, a few words away at most and within its
//! phrase (no comma between); a clause cue covers every name up to a clause end (`امضا`,
//! `برگزار`, …) or the end of the sentence.

use super::names::Found;
use super::shapes::Shapes;
use super::words::{Gap, Words};

/// Most words between a phrase cue and the name it covers (`در سالن همایش‌های …`).
const MAX_CUE_GAP: usize = 3;

/// What part an organisation plays on a page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Party,
    /// Present, or represented: a party when no other is named.
    Attendee,
    /// Named in passing.
    Mention,
}

/// The part the name `found` plays.
pub fn role(words: &Words, found: &Found) -> Role {
    let shapes = Shapes::get();
    // A phrase cue ending at most MAX_CUE_GAP words before the name, nothing but spaces between.
    for gap in 0..=MAX_CUE_GAP {
        let Some(cue_end) = found.start.checked_sub(gap) else {
            break;
        };
        // The words from the cue's end to the name follow spaces only.
        if (cue_end..=found.start).any(|k| words.gap(k) != Gap::Space) {
            break;
        }
        if shapes.phrase_cues.ending_at(words, cue_end).is_some() {
            return Role::Mention;
        }
    }
    // A clause cue earlier in the sentence, with no clause end between.
    let mut k = found.start;
    while k > 0 {
        if words.gap(k) == Gap::Stop {
            break;
        }
        k -= 1;
        if shapes.clause_ends.contains(words.key(k)) {
            return Role::Party;
        }
        if let Some((n, _)) = shapes.clause_cues.at(words, k)
            && k + n <= found.start
        {
            return Role::Attendee;
        }
    }
    Role::Party
}

#[cfg(test)]
mod tests {
    use super::super::names::find_names;
    use super::*;

    fn mentions(text: &str) -> Vec<(String, Role)> {
        let words = Words::of(text);
        find_names(&words)
            .into_iter()
            .map(|f| {
                let r = role(&words, &f);
                (f.name, r)
            })
            .collect()
    }

    #[test]
    fn venues_sources_attendees_and_bases_are_mentions() {
        assert_eq!(
            mentions(
                "رویداد با همکاری اداره کل فنی و حرفه‌ای استان مازندران در سالن همایش‌های دانشگاه مازندران برگزار شد"
            ),
            vec![
                (
                    "اداره کل فنی و حرفه‌ای استان مازندران".to_string(),
                    Role::Party
                ),
                ("دانشگاه مازندران".to_string(), Role::Mention),
            ]
        );
        assert_eq!(
            mentions(
                "در آیینی که با حضور وزیر علوم، تحقیقات و فناوری در ساری برگزار شد، تفاهم‌نامه همکاری پارک و دانشگاه پیام نور استان مازندران امضا شد"
            ),
            vec![
                ("وزارت علوم، تحقیقات و فناوری".to_string(), Role::Attendee),
                ("دانشگاه پیام نور استان مازندران".to_string(), Role::Party),
            ]
        );
        assert_eq!(
            mentions(
                "ساخت شرکت دانش‌بنیان رویان دام طبرستان، مستقر در پارک علم و فناوری مازندران، مجوز گرفت"
            ),
            vec![
                ("شرکت دانش‌بنیان رویان دام طبرستان".to_string(), Role::Party),
                ("پارک علم و فناوری مازندران".to_string(), Role::Mention),
            ]
        );
        // A cue's phrase ends at a comma: the subject after it is no mention.
        assert_eq!(
            mentions(
                "بر اساس این تفاهم‌نامه، شرکت آب و فاضلاب مشهد دو منطقه را در اختیار قرار می‌دهد"
            ),
            vec![("شرکت آب و فاضلاب مشهد".to_string(), Role::Party)]
        );
    }
}
