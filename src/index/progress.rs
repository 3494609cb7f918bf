//! How far long index work (migrations, dumps, restores) has come: items done out of a total,
//! updated by the work as it goes and read from anywhere (a progress bar on another thread,
//! `GET /dumps`). Counting only: drawing is someone else's business.

use std::sync::atomic::{AtomicU64, Ordering};

/// Items done out of a total; both only grow while the work runs.
#[derive(Debug, Default)]
pub struct Progress {
    done: AtomicU64,
    total: AtomicU64,
}

impl Progress {
    pub fn new() -> Progress {
        Progress::default()
    }

    /// Sets how many items the work has in all.
    pub fn set_total(&self, total: u64) {
        self.total.store(total, Ordering::Relaxed);
    }

    /// Counts `n` more items done.
    pub fn advance(&self, n: u64) {
        self.done.fetch_add(n, Ordering::Relaxed);
    }

    /// `(done, total)` now.
    pub fn get(&self) -> (u64, u64) {
        (
            self.done.load(Ordering::Relaxed),
            self.total.load(Ordering::Relaxed),
        )
    }
}
