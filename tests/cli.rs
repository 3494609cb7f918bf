//! The `kavosh` binary end to end: ingest (pages, NDJSON with good and bad lines, re-ingest),
//! search (plain and JSON), compact, analyze, partners, and CSV with a byte order mark.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

fn kavosh(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kavosh"))
        .args(args)
        .env_remove("KAVOSH_INDEX")
        .output()
        .expect("kavosh runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

fn search_json(index: &Path, query: &str) -> Value {
    let o = kavosh(&[
        "search",
        "--index",
        index.to_str().unwrap(),
        "--json",
        "--per-page",
        "100",
        query,
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    serde_json::from_slice(&o.stdout).unwrap()
}

fn ids(reply: &Value) -> Vec<String> {
    reply["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_str().unwrap().to_string())
        .collect()
}

const SEED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/mou-054.txt");

#[test]
fn the_seed_page_comes_out_with_its_exact_fields() {
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("ix");
    let o = kavosh(&["ingest", "--index", index.to_str().unwrap(), SEED]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        stderr(&o),
        "",
        "no progress bar when stderr is not a terminal"
    );
    assert!(
        stdout(&o).contains("read 1, indexed 1, rejected 0"),
        "{}",
        stdout(&o)
    );
    let reply = search_json(&index, "تفاهم‌نامه صنعت نفت");
    let hit = &reply["hits"][0];
    assert_eq!(hit["id"], "mou-054");
    assert_eq!(hit["kind"], "agreement");
    assert_eq!(hit["date"], "2025-12-16");
    assert_eq!(hit["date_jalali"], "1404/09/25");
    assert_eq!(hit["number"], 54);
    assert_eq!(
        hit["partners"],
        serde_json::json!(["پارک فناوری و نوآوری صنعت نفت"])
    );
    let domains: Vec<&str> = hit["domains"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_str().unwrap())
        .collect();
    assert!(domains.contains(&"energy/oil-gas"), "{domains:?}");
    assert!(
        domains
            .iter()
            .all(|d| ["energy/oil-gas", "environment"].contains(d)),
        "{domains:?}"
    );
}

#[test]
fn a_file_mixing_good_and_bad_lines() {
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("ix");
    let file = dir.path().join("mixed.ndjson");
    let lines = [
        r#"{"id":"n1","kind":"news","title":"کارگاه هوش مصنوعی در پارک","body":"کارگاه آموزشی یادگیری ماشین برای شرکت‌های فناور","date":"۱۴۰۴/۰۲/۱۰"}"#,
        r#"{"id":"n2","kind":"news","title":"بدون تاریخ"}"#,
        r#"{not json"#,
        r#"{"id":"n3","kind":"memo","title":"نوع ناشناخته","date":"2025-01-01"}"#,
        r#"{"id":"n4","kind":"agreement","title":"تفاهم‌نامه با بانک ملی","date":"1404/13/01"}"#,
        r#"{"id":"n5","kind":"agreement","title":"تفاهم‌نامه گردشگری","date":"2025-06-01","domains":["space"]}"#,
        "",
        r#"{"id":"n6","kind":"agreement","title":"تفاهم‌نامه همکاری با بانک کشاورزی","body":"تأمین مالی طرح‌های کشاورزی","date":"1403/12/30","number":"۱۲","partners":["بانک کشاورزی ایران"],"domains":["finance","agriculture"]}"#,
    ];
    let mut bytes = lines.join("\n").into_bytes();
    bytes.extend_from_slice(b"\n{\"id\":\"bad-utf8\",\"title\":\"\xff\xfe\"}\n");
    std::fs::write(&file, bytes).unwrap();
    let o = kavosh(&[
        "ingest",
        "--index",
        index.to_str().unwrap(),
        file.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1), "some were rejected");
    let err = stderr(&o);
    let name = file.to_str().unwrap();
    for (line, reason) in [
        (2, "missing field \"date\""),
        (3, "bad JSON"),
        (4, "unknown kind"),
        (5, "1404/13/01"),
        (6, "unknown domain"),
        (9, "invalid UTF-8"),
    ] {
        let expected = format!("{name}:{line}: ");
        let found = err.lines().find(|l| l.starts_with(&expected));
        assert!(
            found.is_some_and(|l| l.contains(reason)),
            "line {line} ({reason}) in:\n{err}"
        );
    }
    assert!(
        stdout(&o).contains("read 8, indexed 2, rejected 6"),
        "{}",
        stdout(&o)
    );
    // Every good document is searchable, with given metadata winning over extraction.
    let reply = search_json(&index, "یادگیری ماشین");
    assert_eq!(ids(&reply), vec!["n1"]);
    let reply = search_json(&index, "بانک کشاورزی");
    assert_eq!(ids(&reply), vec!["n6"]);
    assert_eq!(
        reply["hits"][0]["partners"],
        serde_json::json!(["بانک کشاورزی"])
    );
    assert_eq!(
        reply["hits"][0]["domains"],
        serde_json::json!(["finance", "agriculture"])
    );
    assert_eq!(reply["hits"][0]["number"], 12);
    assert_eq!(reply["hits"][0]["date"], "2025-03-20");
}

#[test]
fn reingest_is_idempotent_and_search_prints_metadata() {
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("ix");
    let corpus = concat!(env!("CARGO_MANIFEST_DIR"), "/corpus");
    let first = kavosh(&["ingest", "--index", index.to_str().unwrap(), corpus]);
    assert!(first.status.success(), "{}", stderr(&first));
    let before = search_json(&index, "دانشگاه");
    let again = kavosh(&["ingest", "--index", index.to_str().unwrap(), corpus]);
    assert!(again.status.success());
    let after = search_json(&index, "دانشگاه");
    assert_eq!(before["total"], after["total"]);
    // Same documents with the same metadata (scores may move: replaced documents linger in
    // term statistics until segments merge).
    let sorted = |r: &Value| {
        let mut hits: Vec<String> = r["hits"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| {
                format!(
                    "{} {} {} {}",
                    h["id"], h["date"], h["partners"], h["domains"]
                )
            })
            .collect();
        hits.sort();
        hits
    };
    assert_eq!(sorted(&before), sorted(&after));
    let all = search_json(&index, "");
    assert_eq!(
        all["total"], 229,
        "one document per page, however often ingested"
    );

    let o = kavosh(&[
        "search",
        "--index",
        index.to_str().unwrap(),
        "--per-page",
        "2",
        "نانو",
    ]);
    assert!(o.status.success());
    let text = stdout(&o);
    assert!(text.contains("documents"), "{text}");
    assert!(
        text.contains("domains: ") && text.contains("nanotech"),
        "{text}"
    );
    assert!(
        text.contains('[') && text.contains(']'),
        "matches are marked: {text}"
    );
}

#[test]
fn compact_merges_the_segments_and_keeps_every_document() {
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("ix");
    let ix = index.to_str().unwrap();
    let corpus = concat!(env!("CARGO_MANIFEST_DIR"), "/corpus");
    // Twice: the second ingest replaces every document, leaving deleted ones behind.
    for _ in 0..2 {
        let o = kavosh(&["ingest", "--index", ix, corpus]);
        assert!(o.status.success(), "{}", stderr(&o));
    }
    let before = search_json(&index, "دانشگاه");

    let o = kavosh(&["compact", "--index", ix, "--segments", "1"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("229 documents, segments: 1 (were "),
        "{}",
        stdout(&o)
    );
    let after = search_json(&index, "دانشگاه");
    assert_eq!(before["total"], after["total"]);
    let mut ids_before = ids(&before);
    let mut ids_after = ids(&after);
    ids_before.sort();
    ids_after.sort();
    assert_eq!(ids_before, ids_after);
    assert_eq!(search_json(&index, "")["total"], 229);

    let missing = dir.path().join("none");
    let o = kavosh(&["compact", "--index", missing.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("there is no index in"),
        "{}",
        stderr(&o)
    );
    assert!(!missing.exists(), "compact creates no index");
    let o = kavosh(&["compact", "--index", ix, "--segments", "0"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(kavosh(&["ingest"]).status.code(), Some(2));
    assert_eq!(
        kavosh(&["search", "--sort", "sideways", "x"]).status.code(),
        Some(2)
    );
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope.ndjson");
    let o = kavosh(&[
        "ingest",
        "--index",
        dir.path().join("ix").to_str().unwrap(),
        missing.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("no such file"), "{}", stderr(&o));
}

#[test]
fn analyze_prints_terms_with_offsets_into_the_text() {
    let text = "هم‌افزایی پـارک";
    let o = kavosh(&["analyze", text]);
    assert!(o.status.success());
    let out = stdout(&o);
    for line in out.lines() {
        let cols: Vec<&str> = line.split('\t').collect();
        assert_eq!(cols.len(), 5, "{line}");
        let (from, to): (usize, usize) = (cols[3].parse().unwrap(), cols[4].parse().unwrap());
        assert!(text.get(from..to).is_some(), "{line}");
    }
    assert!(out.contains("body_exact\t0\tهمافزایی\t0\t19"), "{out}");
    assert!(out.contains("body\t2\tپارک\t20\t30"), "{out}");
    let q = stdout(&kavosh(&["analyze", "--query", "هم افزایی"]));
    assert!(q.contains("body_exact\t0\tهمافزایی\t0\t"), "{q}");
}

#[test]
fn partners_and_stats_write_csv_that_spreadsheets_read_as_utf8() {
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("ix");
    let index = index.to_str().unwrap();
    let pages = concat!(env!("CARGO_MANIFEST_DIR"), "/corpus");
    let pages: Vec<String> = ["news-201.txt", "news-226.txt", "mou-001.txt"]
        .iter()
        .map(|p| format!("{pages}/{p}"))
        .collect();
    let mut args = vec!["ingest", "--index", index];
    args.extend(pages.iter().map(String::as_str));
    let o = kavosh(&args);
    assert!(o.status.success(), "{}", stderr(&o));

    let bom = "\u{FEFF}".as_bytes();
    for command in [
        vec!["partners", "--index", index, "--format", "csv"],
        vec![
            "stats", "--index", index, "--by", "partner", "--format", "csv",
        ],
    ] {
        let o = kavosh(&command);
        assert!(o.status.success(), "{}", stderr(&o));
        assert!(o.stdout.starts_with(bom), "{command:?}");
        let mut without = command.clone();
        without.extend(["--bom", "false"]);
        let o = kavosh(&without);
        assert!(o.status.success(), "{}", stderr(&o));
        assert!(!o.stdout.starts_with(bom), "{without:?}");
        let text = stdout(&o);
        assert!(
            text.starts_with("key,name,") || text.starts_with("partner,partner_label,count"),
            "{text}"
        );
    }

    // One partner for the two ways news-201 and news-226 write one administration.
    let o = kavosh(&["partners", "--index", index, "--format", "json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let partners: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(partners["total"], 2);
    let technical = partners["partners"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["documents"] == 2)
        .expect("one partner with both documents");
    assert_eq!(
        technical["forms"].as_array().unwrap().len(),
        2,
        "{technical}"
    );
    let table = stdout(&kavosh(&["partners", "--index", index]));
    assert!(table.starts_with("2 partners\n"), "{table}");
    assert!(table.contains("written اداره کل فنی و حرفه"), "{table}");
}

#[test]
fn search_says_what_it_searched_instead_and_no_rewrite_searches_as_typed() {
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("ix");
    let o = kavosh(&["ingest", "--index", index.to_str().unwrap(), SEED]);
    assert!(o.status.success(), "{}", stderr(&o));
    let ix = index.to_str().unwrap();
    // همکاری typed with the US layout on.
    let o = kavosh(&["search", "--index", ix, "il;hvd"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("showing results for: همکاری"), "{out}");
    assert!(out.contains("il;hvd → همکاری (keyboard layout)"), "{out}");
    assert!(out.contains("1 documents"), "{out}");
    let o = kavosh(&["search", "--index", ix, "--no-rewrite", "il;hvd"]);
    let out = stdout(&o);
    assert!(!out.contains("showing results for"), "{out}");
    assert!(out.contains("0 documents"), "{out}");
    let reply = search_json(&index, "il;hvd");
    assert_eq!(reply["rewritten"]["to"], "همکاری");
    assert_eq!(reply["rewritten"]["reason"], "keyboard_layout");
}

#[test]
fn output_into_a_closed_pipe_ends_quietly() {
    use std::os::unix::process::ExitStatusExt;
    use std::process::Stdio;

    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("ix");
    let corpus = concat!(env!("CARGO_MANIFEST_DIR"), "/corpus");
    assert!(
        kavosh(&["ingest", "--index", index.to_str().unwrap(), corpus])
            .status
            .success()
    );
    // `kavosh search … | head -0`: the reader is gone before the first line is written.
    let mut child = Command::new(env!("CARGO_BIN_EXE_kavosh"))
        .args(["search", "--index", index.to_str().unwrap(), "فناوری"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let o = child.wait_with_output().unwrap();
    assert_eq!(stderr(&o), "", "no panic message");
    assert_eq!(o.status.signal(), Some(libc::SIGPIPE), "{:?}", o.status);
}
