//! The project's own TOML data files, the ones an analyst may edit and load
//! instead of the bundled copy: the indicator catalogue, the employer
//! self-assessment questionnaire and the visit checklist; and the files
//! filled in from them (self-assessment answers, visit forms), whose own
//! error types wrap this one for reading and parsing. One error type that
//! names the file, the entry and its line, and the line of each entry's
//! `id = "..."` for it.

use std::path::PathBuf;

/// A data file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum TomlFileError {
    /// The file could not be read.
    #[error("{}: cannot read: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// TOML or structure error.
    #[error("{file}: {message}")]
    Parse {
        /// The file.
        file: String,
        /// What is wrong.
        message: String,
    },
    /// An entry is wrong.
    #[error("{file}: line {line}: {kind} '{id}': {message}")]
    Entry {
        /// The file.
        file: String,
        /// Line of the entry's id.
        line: usize,
        /// What the entries are: `indicator`, `question`.
        kind: &'static str,
        /// The entry.
        id: String,
        /// What is wrong and how to fix it.
        message: String,
    },
}

/// The line of each entry's `id = "..."` in the text, in the entries'
/// order (1-based; 0 if not found).
pub fn id_lines(text: &str, ids: &[&str]) -> Vec<usize> {
    let all: Vec<&str> = text.lines().collect();
    let mut lines = Vec::with_capacity(ids.len());
    let mut from = 0usize;
    for id in ids {
        let needle = format!("\"{id}\"");
        let found = all.iter().enumerate().skip(from).find(|(_, l)| {
            let t = l.trim_start();
            t.strip_prefix("id")
                .is_some_and(|rest| rest.trim_start().starts_with('='))
                && t.contains(&needle)
        });
        match found {
            Some((n, _)) => {
                lines.push(n + 1);
                from = n + 1;
            }
            None => lines.push(0),
        }
    }
    lines
}

/// What is wrong with an entry's id, if anything: ids are snake_case and
/// unique within the file (`seen` holds the ids before it).
pub fn id_problem(id: &str, seen: &mut std::collections::HashSet<String>) -> Option<&'static str> {
    if id.is_empty()
        || !id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    {
        return Some("ids are snake_case: lower-case letters, digits and _");
    }
    if !seen.insert(id.to_string()) {
        return Some("duplicate id: every question needs its own id");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_lines_follow_the_entries_in_order() {
        let text = "[[q]]\nid = \"a\"\nidea = \"b\"\n\n[[q]]\nid=\"b\"\n";
        assert_eq!(id_lines(text, &["a", "b", "c"]), [2, 6, 0]);
        let e = TomlFileError::Entry {
            file: "f.toml".into(),
            line: 6,
            kind: "question",
            id: "b".into(),
            message: "bad".into(),
        };
        assert_eq!(e.to_string(), "f.toml: line 6: question 'b': bad");
        let mut seen = std::collections::HashSet::new();
        assert_eq!(id_problem("docs_held", &mut seen), None);
        assert!(id_problem("docs_held", &mut seen).is_some_and(|m| m.contains("duplicate")));
        assert!(id_problem("Docs", &mut seen).is_some_and(|m| m.contains("snake_case")));
        assert!(id_problem("", &mut seen).is_some());
    }
}
