//! Correcting partners: `PUT /partners/{key}` renames a partner, merges it into another, or
//! returns it to its automatic name. The edit is remembered in the index setting `partners`
//! (so later ingests and crawls apply it, and dumps carry it), then the documents concerned are
//! re-labelled from their stored JSON and committed.

use std::sync::Arc;

use serde::Serialize;
use tantivy::Searcher;

use super::{PartnerEdit, PartnerResolver, SETTING, addresses_of, documents_of};
use crate::document::{Document, PartnerRegistry};
use crate::index::{IndexError, SearchIndex, WriteError};

/// Longest name a person may give a partner, in characters.
pub const MAX_NAME_CHARS: usize = 300;

/// Why an edit was refused.
#[derive(Debug)]
pub enum EditError {
    /// No document has this partner key.
    UnknownPartner(String),
    /// The edit makes no sense (an empty or too long name, both a name and a merge, a merge
    /// into itself or into a partner that does not exist).
    Invalid(String),
    /// The new name is another partner's: merge instead.
    Conflict(String),
    /// Reading or writing the index failed (the disk may have refused the write).
    Write(WriteError),
}

impl From<IndexError> for EditError {
    fn from(e: IndexError) -> Self {
        EditError::Write(e.into())
    }
}

impl From<WriteError> for EditError {
    fn from(e: WriteError) -> Self {
        EditError::Write(e)
    }
}

/// What an edit did.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct EditReport {
    /// The edited partner's key.
    pub key: String,
    /// Where its documents are now: its own key, or the key it was merged into.
    pub partner: String,
    /// The name its documents now show.
    pub name: String,
    /// Documents re-labelled.
    pub relabelled: usize,
    pub edit: PartnerEdit,
}

impl SearchIndex {
    /// Renames a partner, merges it into another, or (an empty edit) returns it to its
    /// automatic name: remembers the edit in the index setting `partners`, then re-labels the
    /// documents concerned from their stored JSON and commits.
    pub fn edit_partner(&self, key: &str, edit: PartnerEdit) -> Result<EditReport, EditError> {
        let mut writer = self.lock_writer()?;
        let searcher = self.searcher();
        let resolver = self.partner_resolver();
        let known = resolver.edits.edits.contains_key(key)
            || !addresses_of(self, &searcher, key, 1)?.is_empty();
        if !known {
            return Err(EditError::UnknownPartner(key.to_string()));
        }
        let mut edits = resolver.edits.clone();
        let edit = self.checked_edit(&searcher, &resolver, key, edit)?;
        if edit == PartnerEdit::default() {
            edits.edits.remove(key);
        } else {
            edits.edits.insert(key.to_string(), edit.clone());
        }
        self.settings().put(SETTING, &edits)?;
        let resolver = Arc::new(PartnerResolver::new(edits));
        *self.partners.write().unwrap_or_else(|e| e.into_inner()) = resolver.clone();
        // Every document that wrote this partner, or shows it.
        let docs: Vec<Document> = documents_of(self, &searcher, key, usize::MAX)?
            .into_iter()
            .map(|d| d.to_document())
            .collect::<Result<_, _>>()
            .map_err(|e| IndexError(format!("a stored document cannot be re-labelled: {e}")))?;
        let relabelled = docs.len();
        if !docs.is_empty() {
            self.write_locked(&mut writer, &resolver, &docs)?;
        }
        let partner = resolver.resolve(key);
        let searcher = self.searcher();
        let name = documents_of(self, &searcher, &partner, 1)?
            .first()
            .and_then(|d| {
                d.partners
                    .iter()
                    .find(|p| resolver.key_of(p) == partner)
                    .cloned()
            })
            .unwrap_or_default();
        Ok(EditReport {
            key: key.to_string(),
            partner,
            name,
            relabelled,
            edit,
        })
    }

    fn checked_edit(
        &self,
        searcher: &Searcher,
        resolver: &PartnerResolver,
        key: &str,
        edit: PartnerEdit,
    ) -> Result<PartnerEdit, EditError> {
        let registry = PartnerRegistry::get();
        match (&edit.name, &edit.merge_into) {
            (Some(_), Some(_)) => Err(EditError::Invalid(
                "give a name or merge_into, not both".into(),
            )),
            (Some(name), None) => {
                let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
                if name.is_empty() || name.chars().count() > MAX_NAME_CHARS {
                    return Err(EditError::Invalid(format!(
                        "a partner's name has 1 to {MAX_NAME_CHARS} characters"
                    )));
                }
                let other = resolver.resolve(&registry.key(&name));
                if other != key && !addresses_of(self, searcher, &other, 1)?.is_empty() {
                    return Err(EditError::Conflict(format!(
                        "{name:?} is the name of partner {other:?}; merge into it instead \
                         ({{\"merge_into\": {other:?}}})"
                    )));
                }
                Ok(PartnerEdit {
                    name: Some(name),
                    merge_into: None,
                })
            }
            (None, Some(into)) => {
                // A key of the index, or any name written for a partner.
                let target = if addresses_of(self, searcher, into, 1)?.is_empty() {
                    resolver.key_of(into)
                } else {
                    resolver.resolve(into)
                };
                if addresses_of(self, searcher, &target, 1)?.is_empty() {
                    return Err(EditError::Invalid(format!(
                        "no partner {into:?} to merge into; GET /partners lists them"
                    )));
                }
                if target == key || resolver.resolve(&target) == key {
                    return Err(EditError::Invalid(format!(
                        "{into:?} is this partner; nothing to merge"
                    )));
                }
                Ok(PartnerEdit {
                    name: None,
                    merge_into: Some(target),
                })
            }
            (None, None) => Ok(edit),
        }
    }
}
