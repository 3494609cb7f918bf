//! The domain taxonomy (`data/taxonomy.toml`): ids, Persian labels, parents and the weighted
//! keywords that signal each domain. Loaded once from the data file compiled into the binary.

use std::sync::LazyLock;

use serde::Deserialize;

const DATA: &str = include_str!("../../data/taxonomy.toml");

/// One domain of the taxonomy.
#[derive(Clone, Debug, Deserialize)]
pub struct Domain {
    pub id: String,
    pub label: String,
    #[serde(default)]
    pub keywords: std::collections::BTreeMap<String, f32>,
}

impl Domain {
    /// The parent id (`energy` for `energy/oil-gas`), if any.
    pub fn parent(&self) -> Option<&str> {
        parent_of(&self.id)
    }
}

/// The parent id of a domain id, if any.
pub fn parent_of(id: &str) -> Option<&str> {
    id.rsplit_once('/').map(|(parent, _)| parent)
}

#[derive(Deserialize)]
struct File {
    domain: Vec<Domain>,
}

/// All domains, in file order.
pub struct Taxonomy {
    pub domains: Vec<Domain>,
}

static TAXONOMY: LazyLock<Taxonomy> = LazyLock::new(|| {
    let file: File = toml::from_str(DATA).expect("data/taxonomy.toml is valid (tested)");
    Taxonomy {
        domains: file.domain,
    }
});

impl Taxonomy {
    /// The taxonomy compiled into the binary.
    pub fn get() -> &'static Taxonomy {
        &TAXONOMY
    }

    pub fn domain(&self, id: &str) -> Option<&Domain> {
        self.domains.iter().find(|d| d.id == id)
    }

    pub fn contains(&self, id: &str) -> bool {
        self.domain(id).is_some()
    }

    pub fn label(&self, id: &str) -> Option<&str> {
        self.domain(id).map(|d| d.label.as_str())
    }

    /// `id` and its ancestors, most specific first: what a document in `id` is counted under.
    pub fn with_ancestors<'a>(&self, id: &'a str) -> impl Iterator<Item = &'a str> {
        std::iter::successors(Some(id), |id| parent_of(id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn has_the_seventeen_domains_with_parents_first() {
        let t = Taxonomy::get();
        assert_eq!(t.domains.len(), 17);
        for d in &t.domains {
            if let Some(p) = d.parent() {
                assert!(t.contains(p), "{} has unknown parent", d.id);
            }
            assert!(!d.label.is_empty());
            assert!(!d.keywords.is_empty(), "{} has no keywords", d.id);
        }
        assert_eq!(t.label("energy/oil-gas"), Some("نفت، گاز و پتروشیمی"));
        let chain: Vec<&str> = t.with_ancestors("energy/oil-gas").collect();
        assert_eq!(chain, vec!["energy/oil-gas", "energy"]);
    }
}
