//! Partners as the index keeps them: one display name per partner key, the corrections a
//! person made (renames and merges, remembered in the index setting `partners`), documents
//! re-labelled in place when a name changes, and the list of partners with the forms written
//! for each.
//!
//! A document keeps the partners its source wrote (`partners_as_written` in its stored JSON,
//! when they differ from what is shown) and is indexed under display names: the name a person
//! gave the partner, else the registry's canonical name, else the form written most often among
//! the partner's documents. So every facet value, `/stats` bucket and `/aggregate` term is one
//! organisation, and the name shown never depends on which document was read. The `partner_key`
//! field holds each partner's key (after merges) and the key of each written form (so a merge
//! can be undone), which filters look up.

mod edit;
mod list;
mod settle;

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::{Deserialize, Serialize};
use tantivy::collector::DocSetCollector;
use tantivy::query::TermQuery;
use tantivy::schema::IndexRecordOption;
use tantivy::{DocAddress, Searcher, Term};

pub use edit::{EditError, EditReport};
pub use list::{LikelyDuplicate, PartnerForm, PartnerSummary, list};

use super::{IndexError, SearchIndex};
use crate::document::{Document, PartnerRegistry, StoredDocument};

/// The index setting holding the edits.
pub const SETTING: &str = "partners";
/// Most documents of one partner read to count its written forms when its name is settled.
pub const MAX_COUNTED_DOCUMENTS: usize = 10_000;

/// A person's correction of one partner: a name to show, or the partner it is the same
/// organisation as. Neither: back to the automatic name.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PartnerEdit {
    /// The name to show for this partner.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The partner (its key, or any name written for it) this one is merged into.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merge_into: Option<String>,
}

/// Every edit, by partner key: the value of the index setting `partners`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PartnerEdits {
    #[serde(default)]
    pub edits: BTreeMap<String, PartnerEdit>,
}

/// The edits, ready to resolve names to partner keys.
#[derive(Clone, Debug, Default)]
pub struct PartnerResolver {
    pub edits: PartnerEdits,
    /// The key of a name a partner was renamed to → that partner's key.
    renamed_names: HashMap<String, String>,
}

impl PartnerResolver {
    pub fn new(edits: PartnerEdits) -> PartnerResolver {
        let registry = PartnerRegistry::get();
        let renamed_names = edits
            .edits
            .iter()
            .filter_map(|(key, e)| e.name.as_ref().map(|n| (registry.key(n), key.clone())))
            .filter(|(name_key, key)| name_key != key)
            .collect();
        PartnerResolver {
            edits,
            renamed_names,
        }
    }

    /// The partner key a written name belongs to: its own key ([`PartnerRegistry::key`]), or
    /// the partner whose new name it is, followed through merges.
    pub fn key_of(&self, name: &str) -> String {
        let key = PartnerRegistry::get().key(name);
        let key = self.renamed_names.get(&key).cloned().unwrap_or(key);
        self.resolve(&key)
    }

    /// A key followed through merges (a cycle, which edits refuse, stops where it closes).
    pub fn resolve(&self, key: &str) -> String {
        let mut key = key.to_string();
        for _ in 0..=self.edits.edits.len() {
            match self
                .edits
                .edits
                .get(&key)
                .and_then(|e| e.merge_into.as_ref())
            {
                Some(into) => key = into.clone(),
                None => break,
            }
        }
        key
    }

    /// The keys a document with these partners (as written) is indexed under: each partner's
    /// key after merges, and each form's own key.
    pub fn keys(&self, written: &[String]) -> Vec<String> {
        let registry = PartnerRegistry::get();
        let mut keys: Vec<String> = Vec::new();
        for w in written {
            for k in [self.key_of(w), registry.key(w)] {
                if !k.is_empty() && !keys.contains(&k) {
                    keys.push(k);
                }
            }
        }
        keys
    }

    /// The name a person gave the partner with this key.
    pub fn renamed(&self, key: &str) -> Option<&str> {
        self.edits.edits.get(key).and_then(|e| e.name.as_deref())
    }
}

/// The partners of one document as indexed.
pub struct Labels {
    /// Display names, one per partner.
    pub names: Vec<String>,
    /// Partner keys (after merges) and the keys of the written forms, without repeats.
    pub keys: Vec<String>,
}

/// The display name of each partner key of a write, and the documents of the index that must
/// be written again because a partner's name changed.
pub struct Naming<'r> {
    resolver: &'r PartnerResolver,
    /// Written form → (partner key after merges, the form's own key): computing a key takes a
    /// segmentation, and a write of many documents has few distinct forms.
    keys: HashMap<String, (String, String)>,
    names: HashMap<String, String>,
    /// Documents of the index to re-label (none of the write's ids).
    pub relabel: Vec<Document>,
}

impl Naming<'_> {
    /// Settles the names of the partners of `docs`, reading what the index holds.
    pub fn settle<'r>(
        index: &SearchIndex,
        searcher: &Searcher,
        resolver: &'r PartnerResolver,
        docs: &[Document],
    ) -> Result<Naming<'r>, IndexError> {
        let registry = PartnerRegistry::get();
        let ids: HashSet<&str> = docs.iter().map(|d| d.id.as_str()).collect();
        let mut naming = Naming {
            resolver,
            keys: HashMap::new(),
            names: HashMap::new(),
            relabel: Vec::new(),
        };
        // Written forms by partner key, in first-seen order.
        let mut order: Vec<String> = Vec::new();
        let mut forms: HashMap<String, Vec<(String, usize)>> = HashMap::new();
        for doc in docs {
            for written in doc.partners.iter().flatten() {
                let key = naming.key_of(written);
                let counts = forms.entry(key.clone()).or_insert_with(|| {
                    order.push(key);
                    Vec::new()
                });
                count(counts, registry.canonical(written));
            }
        }
        let mut relabelled: HashSet<String> = HashSet::new();
        for key in order {
            let mut counts = forms.remove(&key).unwrap_or_default();
            if resolver.renamed(&key).is_some() || registry.find_by_key(&key).is_some() {
                let name = name_for(resolver, &key, &counts, None);
                naming.names.insert(key, name);
                continue;
            }
            let held = documents_of(index, searcher, &key, MAX_COUNTED_DOCUMENTS)?;
            let mut current: Option<String> = None;
            let mut holders = Vec::new();
            for stored in held.into_iter().filter(|d| !ids.contains(d.id.as_str())) {
                for written in stored.written_partners() {
                    if naming.key_of(written) == key {
                        count(&mut counts, registry.canonical(written));
                    }
                }
                if current.is_none() {
                    current = stored
                        .partners
                        .iter()
                        .find(|shown| naming.key_of(shown) == key)
                        .cloned();
                }
                holders.push(stored);
            }
            let name = name_for(resolver, &key, &counts, current.as_deref());
            if current.as_ref().is_some_and(|c| *c != name) {
                for stored in holders {
                    if relabelled.insert(stored.id.clone()) {
                        naming.relabel_stored(stored)?;
                    }
                }
            }
            naming.names.insert(key, name);
        }
        Ok(naming)
    }

    /// Queues a stored document for re-labelling, keeping the names it shows for partners
    /// whose name is not being settled.
    fn relabel_stored(&mut self, stored: StoredDocument) -> Result<(), IndexError> {
        for shown in &stored.partners {
            let key = self.key_of(shown);
            self.names.entry(key).or_insert_with(|| shown.clone());
        }
        for written in stored.written_partners() {
            self.key_of(written);
        }
        let doc = stored
            .to_document()
            .map_err(|e| IndexError(format!("a stored document cannot be re-labelled: {e}")))?;
        self.relabel.push(doc);
        Ok(())
    }

    /// The partner key of a written form (after merges), remembered with the form's own key.
    fn key_of(&mut self, written: &str) -> String {
        if let Some((key, _)) = self.keys.get(written) {
            return key.clone();
        }
        let own = PartnerRegistry::get().key(written);
        let key = self.resolver.key_of(written);
        self.keys.insert(written.to_string(), (key.clone(), own));
        key
    }

    /// The display names and keys of a document's partners as written (forms of the write or
    /// of the documents it re-labels).
    pub fn labels(&self, written: &[String]) -> Labels {
        let registry = PartnerRegistry::get();
        let mut labels = Labels {
            names: Vec::new(),
            keys: Vec::new(),
        };
        for w in written {
            let (key, own) = match self.keys.get(w) {
                Some(keys) => keys.clone(),
                None => (self.resolver.key_of(w), registry.key(w)),
            };
            let name = self
                .names
                .get(&key)
                .cloned()
                .unwrap_or_else(|| registry.canonical(w).to_string());
            if !labels.names.contains(&name) {
                labels.names.push(name);
            }
            for k in [key, own] {
                if !k.is_empty() && !labels.keys.contains(&k) {
                    labels.keys.push(k);
                }
            }
        }
        labels
    }
}

/// The name a partner is shown under: a person's rename, else the registry's canonical name,
/// else the form written most often (`forms`, with their counts); on a tie, `current` (the name
/// shown now), then the shortest, then the first in Unicode order.
pub(crate) fn name_for(
    resolver: &PartnerResolver,
    key: &str,
    forms: &[(String, usize)],
    current: Option<&str>,
) -> String {
    if let Some(name) = resolver.renamed(key) {
        return name.to_string();
    }
    if let Some(p) = PartnerRegistry::get().find_by_key(key) {
        return p.name.clone();
    }
    let best = forms.iter().map(|(_, n)| *n).max().unwrap_or(0);
    current
        .filter(|c| forms.iter().any(|(f, n)| f == c && *n == best))
        .map(str::to_string)
        .or_else(|| {
            forms
                .iter()
                .filter(|(_, n)| *n == best)
                .map(|(f, _)| f)
                .min_by(|a, b| {
                    a.chars()
                        .count()
                        .cmp(&b.chars().count())
                        .then_with(|| a.cmp(b))
                })
                .cloned()
        })
        .unwrap_or_default()
}

fn count(counts: &mut Vec<(String, usize)>, form: &str) {
    match counts.iter_mut().find(|(f, _)| f == form) {
        Some((_, n)) => *n += 1,
        None => counts.push((form.to_string(), 1)),
    }
}

/// The stored documents indexed under a partner key (at most `limit`).
pub(crate) fn documents_of(
    index: &SearchIndex,
    searcher: &Searcher,
    key: &str,
    limit: usize,
) -> Result<Vec<StoredDocument>, IndexError> {
    addresses_of(index, searcher, key, limit)?
        .into_iter()
        .map(|a| index.stored(searcher, a))
        .collect()
}

pub(crate) fn addresses_of(
    index: &SearchIndex,
    searcher: &Searcher,
    key: &str,
    limit: usize,
) -> Result<Vec<DocAddress>, IndexError> {
    let query = TermQuery::new(
        Term::from_field_text(index.fields.partner_key, key),
        IndexRecordOption::Basic,
    );
    let mut addresses: Vec<DocAddress> = searcher
        .search(&query, &DocSetCollector)?
        .into_iter()
        .collect();
    addresses.sort();
    addresses.truncate(limit);
    Ok(addresses)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolving_follows_renames_and_merges() {
        let registry = PartnerRegistry::get();
        let a = registry.key("شرکت الف");
        let b = registry.key("شرکت ب");
        let mut edits = PartnerEdits::default();
        edits.edits.insert(
            a.clone(),
            PartnerEdit {
                name: None,
                merge_into: Some(b.clone()),
            },
        );
        edits.edits.insert(
            b.clone(),
            PartnerEdit {
                name: Some("شرکت بتا".into()),
                merge_into: None,
            },
        );
        let r = PartnerResolver::new(edits);
        assert_eq!(r.key_of("شركت الف"), b);
        assert_eq!(r.key_of("شرکت بتا"), b, "the new name finds the partner");
        assert_eq!(r.renamed(&b), Some("شرکت بتا"));
        assert_eq!(r.key_of("شرکت ج"), registry.key("شرکت ج"));
    }
}
