//! The partner registry (`data/partners.toml`): canonical organisation names and their aliases,
//! compared after Persian folding with spaces and ZWNJs removed ([`name_key`]). Organisations not
//! in the registry keep the name a source wrote.

use std::collections::HashMap;
use std::sync::LazyLock;

use serde::Deserialize;

use crate::analysis::name_key;

const DATA: &str = include_str!("../../data/partners.toml");

#[derive(Clone, Debug, Deserialize)]
pub struct Partner {
    pub name: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub aliases: Vec<String>,
}

#[derive(Deserialize)]
struct File {
    partner: Vec<Partner>,
}

/// Known partners, looked up by any of their names in any spelling.
pub struct PartnerRegistry {
    pub partners: Vec<Partner>,
    by_key: HashMap<String, usize>,
}

static REGISTRY: LazyLock<PartnerRegistry> = LazyLock::new(|| {
    let file: File = toml::from_str(DATA).expect("data/partners.toml is valid (tested)");
    PartnerRegistry::new(file.partner)
});

impl PartnerRegistry {
    /// The registry compiled into the binary.
    pub fn get() -> &'static PartnerRegistry {
        &REGISTRY
    }

    pub fn new(partners: Vec<Partner>) -> PartnerRegistry {
        let mut by_key = HashMap::new();
        for (i, p) in partners.iter().enumerate() {
            for name in std::iter::once(&p.name).chain(&p.aliases) {
                by_key.entry(name_key(name)).or_insert(i);
            }
        }
        PartnerRegistry { partners, by_key }
    }

    /// The registered partner a name refers to, in any spelling.
    pub fn find(&self, name: &str) -> Option<&Partner> {
        self.find_by_key(&name_key(name))
    }

    /// The registered partner with this comparison key ([`name_key`]).
    pub fn find_by_key(&self, key: &str) -> Option<&Partner> {
        self.by_key.get(key).map(|&i| &self.partners[i])
    }

    /// The display name for a written name: the canonical one when registered, else the
    /// name as written (trimmed).
    pub fn canonical<'a>(&'a self, name: &'a str) -> &'a str {
        self.find(name).map_or(name.trim(), |p| p.name.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_and_spellings_resolve_to_the_canonical_name() {
        let r = PartnerRegistry::get();
        assert!(r.partners.len() >= 30);
        assert_eq!(
            r.canonical("پارک فناوری و نوآوری صنعت نفت"),
            "پارک فناوری و نوآوری صنعت نفت"
        );
        assert_eq!(r.canonical("بانک ملی"), "بانک ملی ایران");
        assert_eq!(
            r.canonical("شركت شهركهاي صنعتي مازندران"),
            "شرکت شهرک‌های صنعتی استان مازندران"
        );
        assert_eq!(
            r.canonical("دانشگاه صنعتی  بابل"),
            "دانشگاه صنعتی نوشیروانی بابل"
        );
        assert_eq!(r.canonical(" شرکت ناشناخته "), "شرکت ناشناخته");
    }
}
