//! Settings an index keeps beside its segments (synonyms, partner edits, search insights, …):
//! named JSON values in `<index>/settings/NAME.json`, each replaced atomically (written to a
//! temporary file, synced, renamed, the directory synced), so a crash leaves either the old value
//! or the new one. They belong to the index: snapshots copy the directory, dumps carry every
//! value, migrations move it to the rebuilt index. An index in memory keeps them in memory.

use std::any::Any;
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::IndexError;

/// The directory, inside an index directory, that holds its settings.
pub const SETTINGS_DIR: &str = "settings";

/// Longest setting name, in bytes.
const MAX_NAME_BYTES: usize = 64;

/// The settings of one index.
pub struct IndexSettings {
    /// `None` for an index in memory.
    dir: Option<PathBuf>,
    /// The values of an index in memory.
    memory: Mutex<BTreeMap<String, Value>>,
    /// Values read by [`IndexSettings::get_shared`] (`None`: no value), until the next `put`.
    shared: Mutex<BTreeMap<String, Option<Arc<dyn Any + Send + Sync>>>>,
    /// How many values this process has written (see [`IndexSettings::changes`]).
    changes: AtomicU64,
}

impl IndexSettings {
    /// Settings stored in `index_dir/settings/` (created on the first write).
    pub fn on_disk(index_dir: &Path) -> IndexSettings {
        IndexSettings {
            dir: Some(index_dir.join(SETTINGS_DIR)),
            memory: Mutex::new(BTreeMap::new()),
            shared: Mutex::new(BTreeMap::new()),
            changes: AtomicU64::new(0),
        }
    }

    /// Settings that live as long as the process.
    pub fn in_memory() -> IndexSettings {
        IndexSettings {
            dir: None,
            memory: Mutex::new(BTreeMap::new()),
            shared: Mutex::new(BTreeMap::new()),
            changes: AtomicU64::new(0),
        }
    }

    /// The value stored under `name`, or `None` when there is none.
    pub fn get<T: DeserializeOwned>(&self, name: &str) -> Result<Option<T>, IndexError> {
        check_name(name)?;
        let value = match &self.dir {
            None => self.lock_memory().get(name).cloned(),
            Some(dir) => read_value(&dir.join(format!("{name}.json")))?,
        };
        value
            .map(|v| {
                serde_json::from_value(v).map_err(|e| {
                    IndexError(format!("the index setting {name:?} is unreadable: {e}"))
                })
            })
            .transpose()
    }

    /// The value stored under `name`, read once and shared until this process `put`s another
    /// (for values read on every request, such as the synonyms every query uses). Another
    /// process's `put` is not seen: one process serves an index.
    pub fn get_shared<T: DeserializeOwned + Send + Sync + 'static>(
        &self,
        name: &str,
    ) -> Result<Option<Arc<T>>, IndexError> {
        let mut shared = lock(&self.shared);
        if let Some(cached) = shared.get(name) {
            match cached {
                None => return Ok(None),
                Some(value) => {
                    if let Ok(value) = value.clone().downcast::<T>() {
                        return Ok(Some(value));
                    }
                }
            }
        }
        let value = self.get::<T>(name)?.map(Arc::new);
        shared.insert(
            name.to_string(),
            value.clone().map(|v| v as Arc<dyn Any + Send + Sync>),
        );
        Ok(value)
    }

    /// Stores `value` under `name`, durably, replacing what was there.
    pub fn put<T: Serialize>(&self, name: &str, value: &T) -> Result<(), IndexError> {
        check_name(name)?;
        let value = serde_json::to_value(value)
            .map_err(|e| IndexError(format!("the index setting {name:?} cannot be saved: {e}")))?;
        let mut shared = lock(&self.shared);
        shared.remove(name);
        // Counted before the value changes, so nothing read after the new value carries the
        // old count.
        self.changes.fetch_add(1, Ordering::AcqRel);
        match &self.dir {
            None => {
                self.lock_memory().insert(name.to_string(), value);
                Ok(())
            }
            Some(dir) => write_atomically(dir, name, &value),
        }
    }

    /// How many values this process has written: anything kept that was computed from the
    /// settings (search replies) is stale once this changes.
    pub fn changes(&self) -> u64 {
        self.changes.load(Ordering::Acquire)
    }

    /// Every stored value by name (what a dump carries).
    pub fn all(&self) -> Result<BTreeMap<String, Value>, IndexError> {
        let Some(dir) = &self.dir else {
            return Ok(self.lock_memory().clone());
        };
        let mut values = BTreeMap::new();
        let entries = match fs::read_dir(dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(values),
            Err(e) => return Err(io_error(dir, e)),
        };
        for entry in entries {
            let path = entry.map_err(|e| io_error(dir, e))?.path();
            let Some(name) = path
                .file_name()
                .and_then(|n| n.to_str())
                .and_then(|n| n.strip_suffix(".json"))
            else {
                continue;
            };
            if check_name(name).is_ok()
                && let Some(value) = read_value(&path)?
            {
                values.insert(name.to_string(), value);
            }
        }
        Ok(values)
    }

    fn lock_memory(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, Value>> {
        lock(&self.memory)
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A panic while holding the lock cannot leave the map half-changed.
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

/// Names are file names: lowercase ASCII letters, digits, `-` and `_`.
fn check_name(name: &str) -> Result<(), IndexError> {
    let valid = !name.is_empty()
        && name.len() <= MAX_NAME_BYTES
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
    if valid {
        Ok(())
    } else {
        Err(IndexError(format!(
            "bad index setting name {name:?}: use lowercase letters, digits, '-' and '_'"
        )))
    }
}

fn read_value(path: &Path) -> Result<Option<Value>, IndexError> {
    let bytes = match fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io_error(path, e)),
    };
    serde_json::from_slice(&bytes)
        .map(Some)
        .map_err(|e| IndexError(format!("{} is not valid JSON: {e}", path.display())))
}

fn write_atomically(dir: &Path, name: &str, value: &Value) -> Result<(), IndexError> {
    fs::create_dir_all(dir).map_err(|e| io_error(dir, e))?;
    let target = dir.join(format!("{name}.json"));
    let bytes = serde_json::to_vec_pretty(value).expect("a JSON value serializes");
    super::files::write_atomically(&target, &bytes).map_err(|e| io_error(&target, e))
}

fn io_error(path: &Path, e: std::io::Error) -> IndexError {
    IndexError(format!("cannot write or read {}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn values_survive_reopening_and_replace_each_other() {
        let dir = tempfile::tempdir().unwrap();
        let settings = IndexSettings::on_disk(dir.path());
        assert_eq!(settings.get::<Value>("synonyms").unwrap(), None);
        settings.put("synonyms", &json!({"فاوا": ["ICT"]})).unwrap();
        settings
            .put("synonyms", &json!({"فاوا": ["فناوری اطلاعات"]}))
            .unwrap();
        settings.put("partners", &json!([1, 2])).unwrap();

        let reopened = IndexSettings::on_disk(dir.path());
        assert_eq!(
            reopened.get::<Value>("synonyms").unwrap(),
            Some(json!({"فاوا": ["فناوری اطلاعات"]}))
        );
        let all = reopened.all().unwrap();
        assert_eq!(all.keys().collect::<Vec<_>>(), ["partners", "synonyms"]);
        let leftovers: Vec<_> = fs::read_dir(dir.path().join(SETTINGS_DIR))
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
            .collect();
        assert!(leftovers.is_empty());
    }

    #[test]
    fn in_memory_settings_hold_values_too() {
        let settings = IndexSettings::in_memory();
        settings.put("insights", &json!({"days": 90})).unwrap();
        assert_eq!(
            settings.get::<Value>("insights").unwrap(),
            Some(json!({"days": 90}))
        );
        assert_eq!(settings.all().unwrap().len(), 1);
    }

    #[test]
    fn shared_values_are_read_once_and_forgotten_on_put() {
        let dir = tempfile::tempdir().unwrap();
        let settings = IndexSettings::on_disk(dir.path());
        assert_eq!(settings.get_shared::<Value>("synonyms").unwrap(), None);
        settings.put("synonyms", &json!([1])).unwrap();
        let first = settings.get_shared::<Value>("synonyms").unwrap().unwrap();
        assert_eq!(*first, json!([1]));
        // Read once: a change behind this process's back is not seen...
        fs::write(dir.path().join(SETTINGS_DIR).join("synonyms.json"), "[2]").unwrap();
        let again = settings.get_shared::<Value>("synonyms").unwrap().unwrap();
        assert!(Arc::ptr_eq(&first, &again));
        // ...but its own put is.
        settings.put("synonyms", &json!([3])).unwrap();
        assert_eq!(
            *settings.get_shared::<Value>("synonyms").unwrap().unwrap(),
            json!([3])
        );
    }

    #[test]
    fn names_that_are_not_plain_file_names_are_refused() {
        let settings = IndexSettings::in_memory();
        for name in ["", "../meta", "Synonyms", "a/b", "x.json"] {
            assert!(settings.put(name, &json!(1)).is_err(), "{name:?}");
        }
    }

    #[test]
    fn a_corrupt_value_is_an_error_that_names_the_file() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join(SETTINGS_DIR)).unwrap();
        fs::write(dir.path().join(SETTINGS_DIR).join("synonyms.json"), "{").unwrap();
        let e = IndexSettings::on_disk(dir.path())
            .get::<Value>("synonyms")
            .unwrap_err();
        assert!(e.0.contains("synonyms.json"), "{e}");
    }
}
