//! Partner and domain extraction measured against the gold labels of the bundled corpus
//! (`tests/data/labels/`). Rules and taxonomy keywords were written looking only at the
//! development pages; pages whose number is a multiple of 4 are held back, and the thresholds
//! below are asserted on them. Run with `--nocapture` to see the figures.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use kavosh::analysis::name_key;
use kavosh::document::PartnerRegistry;
use kavosh::ingest::{domains::assign_domains, page::parse_page, partners::extract_partners};

struct Gold {
    partners: BTreeSet<String>,
    domains: BTreeSet<String>,
}

fn gold() -> BTreeMap<String, Gold> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/labels");
    let mut out = BTreeMap::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            let cols: Vec<&str> = line.split('\t').collect();
            let list = |i: usize| -> BTreeSet<String> {
                cols.get(i)
                    .unwrap_or(&"")
                    .split(" | ")
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect()
            };
            out.insert(
                cols[0].to_string(),
                Gold {
                    partners: list(2),
                    domains: list(3),
                },
            );
        }
    }
    out
}

fn held_back(id: &str) -> bool {
    id.rsplit('-')
        .next()
        .and_then(|n| n.parse::<u32>().ok())
        .is_some_and(|n| n % 4 == 0)
}

#[derive(Default)]
struct Score {
    true_positives: usize,
    predicted: usize,
    expected: usize,
}

impl Score {
    fn add(&mut self, predicted: &BTreeSet<String>, expected: &BTreeSet<String>) {
        self.true_positives += predicted.intersection(expected).count();
        self.predicted += predicted.len();
        self.expected += expected.len();
    }
    fn precision(&self) -> f64 {
        self.true_positives as f64 / self.predicted.max(1) as f64
    }
    fn recall(&self) -> f64 {
        self.true_positives as f64 / self.expected.max(1) as f64
    }
}

/// Partners are compared by name key, so spelling differences of unregistered names don't count.
fn partner_keys(names: &BTreeSet<String>) -> BTreeSet<String> {
    let registry = PartnerRegistry::get();
    names
        .iter()
        .map(|n| name_key(registry.canonical(n)))
        .collect()
}

#[test]
fn extraction_precision_and_recall_on_held_back_pages() {
    let gold = gold();
    assert!(gold.len() >= 164, "{} labelled pages", gold.len());
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    let mut scores: BTreeMap<(bool, &str), Score> = BTreeMap::new();
    let mut misses = Vec::new();
    for (id, g) in &gold {
        let path = corpus.join(format!("{id}.txt"));
        let text = std::fs::read_to_string(&path).unwrap();
        let doc = parse_page(id, "corpus", &text).unwrap();
        let partners: BTreeSet<String> = extract_partners(&doc.title, &doc.body)
            .into_iter()
            .collect();
        let domains: BTreeSet<String> = assign_domains(&doc.title, &doc.body).into_iter().collect();
        let held = held_back(id);
        scores
            .entry((held, "partners"))
            .or_default()
            .add(&partner_keys(&partners), &partner_keys(&g.partners));
        scores
            .entry((held, "domains"))
            .or_default()
            .add(&domains, &g.domains);
        if !held && (partner_keys(&partners) != partner_keys(&g.partners) || domains != g.domains) {
            misses.push(format!(
                "{id}: partners {partners:?} want {:?}; domains {domains:?} want {:?}",
                g.partners, g.domains
            ));
        }
    }
    if std::env::var_os("KAVOSH_SHOW_MISSES").is_some() {
        for m in &misses {
            eprintln!("dev miss: {m}");
        }
    }
    for ((held, what), s) in &scores {
        eprintln!(
            "{} {what}: precision {:.3} recall {:.3} ({} predicted, {} expected)",
            if *held { "held-back" } else { "development" },
            s.precision(),
            s.recall(),
            s.predicted,
            s.expected
        );
    }
    let partners = &scores[&(true, "partners")];
    let domains = &scores[&(true, "domains")];
    assert!(
        partners.precision() >= 0.9,
        "partner precision {:.3}",
        partners.precision()
    );
    assert!(
        partners.recall() >= 0.85,
        "partner recall {:.3}",
        partners.recall()
    );
    assert!(
        domains.precision() >= 0.8,
        "domain precision {:.3}",
        domains.precision()
    );
    assert!(
        domains.recall() >= 0.75,
        "domain recall {:.3}",
        domains.recall()
    );
}
