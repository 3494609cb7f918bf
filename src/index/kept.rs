//! Tables read from a segment once and kept while it lives: the facet values searches count
//! (`search::facets`), the partners the partner list counts (`partners::list`). A segment never
//! changes, so what was read from it stays true; only its deletes move, and the tables count
//! them at use.

use std::sync::{Arc, Mutex, MutexGuard};

use rustc_hash::{FxBuildHasher, FxHashMap};
use tantivy::index::SegmentId;

/// One table per segment, by segment id, shared by the process.
pub struct KeptBySegment<T> {
    tables: Mutex<FxHashMap<SegmentId, Arc<T>>>,
}

impl<T> Default for KeptBySegment<T> {
    fn default() -> Self {
        KeptBySegment::new()
    }
}

impl<T> KeptBySegment<T> {
    pub const fn new() -> Self {
        KeptBySegment {
            tables: Mutex::new(FxHashMap::with_hasher(FxBuildHasher)),
        }
    }

    fn lock(&self) -> MutexGuard<'_, FxHashMap<SegmentId, Arc<T>>> {
        self.tables.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The table of segment `id`: the one kept, or `read` (run without the lock, which other
    /// searches take) and kept. When one is read, the tables of segments not in `live` (merged
    /// away) are dropped; `None` drops nothing.
    pub fn get_or_read<E>(
        &self,
        id: SegmentId,
        live: Option<&[SegmentId]>,
        read: impl FnOnce() -> Result<T, E>,
    ) -> Result<Arc<T>, E> {
        if let Some(kept) = self.lock().get(&id) {
            return Ok(Arc::clone(kept));
        }
        let table = Arc::new(read()?);
        let mut tables = self.lock();
        if let Some(live) = live {
            tables.retain(|kept, _| live.contains(kept));
        }
        Ok(Arc::clone(tables.entry(id).or_insert(table)))
    }

    pub fn contains(&self, id: &SegmentId) -> bool {
        self.lock().contains_key(id)
    }

    /// Drops the tables of `ids`.
    pub fn remove<'a>(&self, ids: impl IntoIterator<Item = &'a SegmentId>) {
        let mut tables = self.lock();
        for id in ids {
            tables.remove(id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_table_is_read_once_and_dropped_with_its_segment() {
        let kept: KeptBySegment<String> = KeptBySegment::new();
        let (a, b) = (SegmentId::generate_random(), SegmentId::generate_random());
        let read = |text: &str| -> Result<String, ()> { Ok(text.to_string()) };
        assert_eq!(*kept.get_or_read(a, None, || read("الف")).unwrap(), "الف");
        // Kept: not read again.
        let again = kept.get_or_read(a, None, || -> Result<String, ()> { panic!("read twice") });
        assert_eq!(*again.unwrap(), "الف");
        // A failed read keeps nothing.
        assert!(kept.get_or_read(b, None, || Err::<String, _>(())).is_err());
        assert!(!kept.contains(&b));
        // Reading `b` with only `b` live drops `a`'s table.
        kept.get_or_read(b, Some(&[b]), || read("ب")).unwrap();
        assert!(!kept.contains(&a) && kept.contains(&b));
        kept.remove([&b]);
        assert!(!kept.contains(&b));
    }
}
