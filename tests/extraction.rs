//! Partner and domain extraction measured against gold labels (`tests/data/labels/`), on two
//! sets of pages: the original corpus (`mou-a`, `mou-b`, `news`: organisations mostly in the
//! registry) and `outside-registry` (organisations the registry does not know, in the styles
//! real announcements use: agency items, other parks' pages, multi-party agreements, passing
//! mentions, officials with titles). In each set, pages whose number is a multiple of 4 are
//! held back: rules and data were tuned looking only at the development pages, and the floors
//! below are asserted on the held-back ones. Run with `--nocapture` to see the figures
//! (`KAVOSH_SHOW_MISSES=1` also prints the development pages' misses).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use kavosh::document::{Document, PartnerRegistry};
use kavosh::ingest::domains::assign_domains;
use kavosh::ingest::page::parse_page;
use kavosh::ingest::partners::{PUBLISHER, extract_partners_published_by};

/// The label file of the pages about organisations outside the registry.
const OUTSIDE: &str = "outside-registry";

/// Pages with a body of at most this many words count as short (a title and two sentences).
const SHORT_PAGE_WORDS: usize = 80;

struct Gold {
    set: &'static str,
    partners: BTreeSet<String>,
    domains: BTreeSet<String>,
}

fn gold() -> BTreeMap<String, Gold> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/labels");
    let mut out = BTreeMap::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let set = if path.file_stem().unwrap() == OUTSIDE {
            "new"
        } else {
            "old"
        };
        let text = std::fs::read_to_string(&path).unwrap();
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
                    set,
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
    pages: usize,
    true_positives: usize,
    predicted: usize,
    expected: usize,
}

impl Score {
    fn add(&mut self, predicted: &BTreeSet<String>, expected: &BTreeSet<String>) {
        self.pages += 1;
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

/// Partners are compared by the key that tells organisations apart, so the ways of writing one
/// organisation's name don't count.
fn partner_keys(names: &BTreeSet<String>) -> BTreeSet<String> {
    let registry = PartnerRegistry::get();
    names.iter().map(|n| registry.key(n)).collect()
}

fn page(id: &str) -> Document {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("corpus")
        .join(format!("{id}.txt"));
    parse_page(id, "corpus", &std::fs::read_to_string(&path).unwrap()).unwrap()
}

#[test]
fn extraction_precision_and_recall_on_held_back_pages() {
    let gold = gold();
    assert!(gold.len() >= 228, "{} labelled pages", gold.len());
    // (set, part, what) → score; part is "development", "held-back" or their short pages.
    let mut scores: BTreeMap<(&str, &str, &str), Score> = BTreeMap::new();
    let mut misses = Vec::new();
    for (id, g) in &gold {
        let doc = page(id);
        let publisher = doc.publisher.as_deref().unwrap_or(PUBLISHER);
        let partners: BTreeSet<String> =
            extract_partners_published_by(publisher, &doc.title, &doc.body)
                .into_iter()
                .collect();
        let domains: BTreeSet<String> = assign_domains(&doc.title, &doc.body).into_iter().collect();
        let held = held_back(id);
        let part = if held { "held-back" } else { "development" };
        scores
            .entry((g.set, part, "partners"))
            .or_default()
            .add(&partner_keys(&partners), &partner_keys(&g.partners));
        scores
            .entry((g.set, part, "domains"))
            .or_default()
            .add(&domains, &g.domains);
        if doc.body.split_whitespace().count() <= SHORT_PAGE_WORDS {
            let short = if held {
                "held-back short pages"
            } else {
                "development short pages"
            };
            scores
                .entry((g.set, short, "domains"))
                .or_default()
                .add(&domains, &g.domains);
        }
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
    for ((set, part, what), s) in &scores {
        eprintln!(
            "{set} {part} {what}: precision {:.3} recall {:.3} ({} pages, {} predicted, {} expected)",
            s.precision(),
            s.recall(),
            s.pages,
            s.predicted,
            s.expected
        );
    }
    let at_least = |set, what, precision: f64, recall: f64| {
        let s = &scores[&(set, "held-back", what)];
        assert!(
            s.precision() >= precision,
            "{set} held-back {what} precision {:.3}",
            s.precision()
        );
        assert!(
            s.recall() >= recall,
            "{set} held-back {what} recall {:.3}",
            s.recall()
        );
    };
    // Measured when these floors were set: old partners 0.976 / 1.000, domains 0.955 / 0.913;
    // new partners 1.000 / 1.000, domains 0.941 / 0.762.
    at_least("old", "partners", 0.95, 0.9);
    at_least("old", "domains", 0.9, 0.85);
    at_least("new", "partners", 0.9, 0.9);
    at_least("new", "domains", 0.85, 0.7);
}
