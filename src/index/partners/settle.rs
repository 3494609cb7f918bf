//! Settling the partners of a whole index at once: after a rebuild (an upgrade of an older
//! index, a restore), documents come in exactly as they were stored, named as the kavosh that
//! stored them named them. Once they are all in, every partner whose documents do not all
//! show the name it should have ([`super::name_for`]), and every partner a person edited, is
//! re-labelled.

use std::collections::{BTreeSet, HashSet};

use super::list::scan;
use super::{documents_of, name_for};
use crate::index::{IndexError, SearchIndex};

impl SearchIndex {
    /// Gives every partner of the index its one name and its documents their keys; returns the
    /// documents re-labelled. Reads every stored document once.
    pub(crate) fn settle_partner_names(&self) -> Result<usize, IndexError> {
        let resolver = self.partner_resolver();
        let mut keys: BTreeSet<String> = resolver.edits.edits.keys().cloned().collect();
        for (key, held) in scan(self, &resolver)? {
            let forms: Vec<(String, usize)> = held
                .forms
                .iter()
                .map(|(form, n)| (form.clone(), *n as usize))
                .collect();
            let current = held
                .shown
                .iter()
                .max_by_key(|(_, n)| **n)
                .map(|(name, _)| name.as_str());
            let name = name_for(&resolver, &key, &forms, current);
            if held.shown.len() != 1 || !held.shown.contains_key(&name) {
                keys.insert(key);
            }
        }
        let searcher = self.searcher();
        let mut ids: HashSet<String> = HashSet::new();
        let mut docs = Vec::new();
        for key in &keys {
            for stored in documents_of(self, &searcher, key, usize::MAX)? {
                if ids.insert(stored.id.clone()) {
                    docs.push(stored.to_document().map_err(|e| {
                        IndexError(format!("a stored document cannot be re-labelled: {e}"))
                    })?);
                }
            }
        }
        if !docs.is_empty() {
            let mut writer = self.lock_writer()?;
            self.write_locked(&mut writer, &resolver, &docs)?;
        }
        Ok(docs.len())
    }
}
