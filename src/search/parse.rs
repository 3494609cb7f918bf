//! The query language, read leniently: plain words (all must match), `"phrases"`, `-exclusion`,
//! `OR`, parentheses, and `title:`/`body:` scoping. Malformed input never fails: what cannot be
//! read is ignored and named in the warnings.

/// Which text fields a clause searches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    All,
    Title,
    Body,
}

/// A parsed query.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Node {
    /// A run of plain words, analyzed together (so spaced compounds can be joined).
    Words {
        text: String,
        scope: Scope,
    },
    /// A quoted phrase.
    Phrase {
        text: String,
        scope: Scope,
    },
    Not(Box<Node>),
    Or(Vec<Node>),
    And(Vec<Node>),
}

/// The query tree (`None` for an empty query), what was ignored, and the limit the query
/// went over, if any (the request is then refused).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Parsed {
    pub root: Option<Node>,
    pub warnings: Vec<String>,
    pub over_limit: Option<String>,
}

/// Most clauses (words, phrases, groups) in one query.
pub const MAX_CLAUSES: usize = 64;
/// Deepest nesting of parentheses.
pub const MAX_DEPTH: usize = 8;

#[derive(Clone, Debug, PartialEq, Eq)]
enum Lexeme {
    Word(String),
    Quoted(String),
    Minus,
    Or,
    Open,
    Close,
    Field(Scope),
}

fn lex(input: &str, warnings: &mut Vec<String>) -> Vec<Lexeme> {
    let mut out = Vec::new();
    let mut chars = input.char_indices().peekable();
    while let Some(&(i, c)) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
        } else if c == '"' || c == '«' || c == '“' {
            chars.next();
            let close = match c {
                '«' => '»',
                '“' => '”',
                _ => '"',
            };
            let mut phrase = String::new();
            let mut closed = false;
            for (_, c) in chars.by_ref() {
                if c == close || c == '"' {
                    closed = true;
                    break;
                }
                phrase.push(c);
            }
            if !closed {
                warnings.push("unterminated quote: read as a phrase to the end".into());
            }
            out.push(Lexeme::Quoted(phrase));
        } else if c == '(' {
            chars.next();
            out.push(Lexeme::Open);
        } else if c == ')' {
            chars.next();
            out.push(Lexeme::Close);
        } else if c == '-' && out_allows_prefix(input, i) {
            chars.next();
            out.push(Lexeme::Minus);
        } else {
            let mut word = String::new();
            while let Some(&(_, c)) = chars.peek() {
                if c.is_whitespace() || matches!(c, '(' | ')' | '"' | '«' | '“') {
                    break;
                }
                word.push(c);
                chars.next();
                if c == ':' {
                    break;
                }
            }
            match word.as_str() {
                "OR" | "|" | "||" => out.push(Lexeme::Or),
                "title:" | "عنوان:" => out.push(Lexeme::Field(Scope::Title)),
                "body:" | "متن:" => out.push(Lexeme::Field(Scope::Body)),
                w if w.ends_with(':') && w.len() > 1 => {
                    warnings.push(format!("unknown field {w:?} ignored (use title: or body:)"));
                }
                _ => out.push(Lexeme::Word(word)),
            }
        }
    }
    out
}

/// A `-` negates only at the start of a clause (`-نفت`), not inside a word (`B-2`).
fn out_allows_prefix(input: &str, i: usize) -> bool {
    input[..i]
        .chars()
        .next_back()
        .is_none_or(|c| c.is_whitespace() || c == '(')
        && input[i + 1..]
            .chars()
            .next()
            .is_some_and(|c| !c.is_whitespace())
}

/// Parses a query string.
pub fn parse(input: &str) -> Parsed {
    let mut warnings = Vec::new();
    let lexemes = lex(input, &mut warnings);
    let mut p = Parser {
        lexemes,
        pos: 0,
        clauses: 0,
        warnings,
        over_limit: None,
    };
    let root = p.sequence(0, Scope::All);
    if p.pos < p.lexemes.len() {
        p.warnings.push("unbalanced ')' ignored".into());
    }
    Parsed {
        root,
        warnings: p.warnings,
        over_limit: p.over_limit,
    }
}

struct Parser {
    lexemes: Vec<Lexeme>,
    pos: usize,
    clauses: usize,
    warnings: Vec<String>,
    over_limit: Option<String>,
}

impl Parser {
    fn peek(&self) -> Option<&Lexeme> {
        self.lexemes.get(self.pos)
    }

    /// clauses until `)` or the end: implicit AND of OR-groups.
    fn sequence(&mut self, depth: usize, scope: Scope) -> Option<Node> {
        let mut and: Vec<Node> = Vec::new();
        loop {
            match self.peek() {
                None => break,
                Some(Lexeme::Close) if depth > 0 => break,
                Some(Lexeme::Close) => {
                    self.pos += 1;
                    self.warnings.push("unbalanced ')' ignored".into());
                }
                Some(Lexeme::Or) => {
                    self.pos += 1;
                    let Some(left) = and.pop() else {
                        self.warnings.push("OR without a left side ignored".into());
                        continue;
                    };
                    match self.unary(depth, scope) {
                        Some(right) => {
                            let mut alternatives = match left {
                                Node::Or(v) => v,
                                other => vec![other],
                            };
                            alternatives.push(right);
                            and.push(Node::Or(alternatives));
                        }
                        None => {
                            self.warnings.push("OR without a right side ignored".into());
                            and.push(left);
                        }
                    }
                }
                Some(_) => {
                    if let Some(node) = self.unary(depth, scope) {
                        push_and(&mut and, node);
                    }
                }
            }
        }
        match and.len() {
            0 => None,
            1 => and.pop(),
            _ => Some(Node::And(and)),
        }
    }

    /// One clause with its `-` and field prefix.
    fn unary(&mut self, depth: usize, scope: Scope) -> Option<Node> {
        let mut negated = false;
        let mut scope = scope;
        loop {
            match self.peek()? {
                Lexeme::Minus => negated = !negated,
                Lexeme::Field(s) => scope = *s,
                _ => break,
            }
            self.pos += 1;
        }
        let node = self.atom(depth, scope)?;
        Some(if negated {
            Node::Not(Box::new(node))
        } else {
            node
        })
    }

    fn atom(&mut self, depth: usize, scope: Scope) -> Option<Node> {
        let lexeme = self.lexemes.get(self.pos)?.clone();
        self.pos += 1;
        if !matches!(lexeme, Lexeme::Close | Lexeme::Or) {
            self.clauses += 1;
            if self.clauses > MAX_CLAUSES {
                self.over_limit = Some(format!(
                    "the query has more than {MAX_CLAUSES} clauses (words, phrases, groups)"
                ));
                self.pos = self.lexemes.len();
                return None;
            }
        }
        match lexeme {
            Lexeme::Word(w) => Some(Node::Words { text: w, scope }),
            Lexeme::Quoted(text) if text.trim().is_empty() => {
                self.warnings.push("empty phrase ignored".into());
                None
            }
            Lexeme::Quoted(text) => Some(Node::Phrase { text, scope }),
            Lexeme::Open => {
                if depth >= MAX_DEPTH {
                    self.warnings.push(format!(
                        "parentheses nested deeper than {MAX_DEPTH}: inner ones read as plain"
                    ));
                    return self.sequence(depth, scope);
                }
                let inner = self.sequence(depth + 1, scope);
                if self.peek() == Some(&Lexeme::Close) {
                    self.pos += 1;
                } else {
                    self.warnings.push("missing ')' assumed at the end".into());
                }
                inner
            }
            Lexeme::Close | Lexeme::Or | Lexeme::Minus | Lexeme::Field(_) => None,
        }
    }
}

/// Appends to an AND list, merging adjacent plain words of the same scope into one run.
fn push_and(and: &mut Vec<Node>, node: Node) {
    if let (
        Some(Node::Words {
            text: prev,
            scope: prev_scope,
        }),
        Node::Words { text, scope },
    ) = (and.last_mut(), &node)
        && *prev_scope == *scope
    {
        prev.push(' ');
        prev.push_str(text);
        return;
    }
    and.push(node);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(t: &str) -> Node {
        Node::Words {
            text: t.into(),
            scope: Scope::All,
        }
    }

    #[test]
    fn plain_words_form_one_run() {
        assert_eq!(parse("هم افزایی ملی").root, Some(words("هم افزایی ملی")));
        assert_eq!(parse("   ").root, None);
    }

    #[test]
    fn operators() {
        let p = parse("نفت -گاز \"صنعت نفت\" title:پارک (آب OR برق)");
        assert!(p.warnings.is_empty(), "{:?}", p.warnings);
        assert_eq!(
            p.root,
            Some(Node::And(vec![
                words("نفت"),
                Node::Not(Box::new(words("گاز"))),
                Node::Phrase {
                    text: "صنعت نفت".into(),
                    scope: Scope::All
                },
                Node::Words {
                    text: "پارک".into(),
                    scope: Scope::Title
                },
                Node::Or(vec![words("آب"), words("برق")]),
            ]))
        );
    }

    #[test]
    fn malformed_input_is_read_leniently_with_warnings() {
        for q in [
            "\"بدون پایان",
            "((نفت",
            "نفت))",
            "OR نفت",
            "نفت OR",
            "foo:نفت",
            "\"\"",
            ")(",
        ] {
            let p = parse(q);
            assert!(!p.warnings.is_empty(), "{q:?} should warn");
        }
        assert_eq!(parse("((نفت").root, Some(words("نفت")));
        assert_eq!(parse("B-2 کد").root, Some(words("B-2 کد")));
    }

    #[test]
    fn clause_and_depth_limits() {
        let long = "کلمه ".repeat(10) + &"(الف) ".repeat(MAX_CLAUSES + 5);
        let p = parse(&long);
        assert!(p.over_limit.is_some_and(|l| l.contains("64 clauses")));
        let deep = "(".repeat(50) + "نفت" + &")".repeat(50);
        let p = parse(&deep);
        assert!(p.root.is_some());
    }
}
