//! The project carries its own documentation: every Markdown file that the
//! code, the catalogue, the README or the docs name must exist in the
//! repository, and nothing may point into a folder users do not have.

use std::path::{Path, PathBuf};

/// Names that are examples of files a user writes, not references.
const USER_FILES: [&str; 2] = ["report.md", "plan.md"];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The text files users and maintainers read.
fn texts() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, out);
            } else if p
                .extension()
                .is_some_and(|x| x == "rs" || x == "md" || x == "toml" || x == "py" || x == "sh")
            {
                out.push(p);
            }
        }
    }
    let r = root();
    let mut out = vec![r.join("README.md"), r.join("Cargo.toml")];
    for d in ["src", "docs", "models", "benches", "datasets"] {
        walk(&r.join(d), &mut out);
    }
    out
}

/// Every `*.md` token in a text.
fn md_names(text: &str) -> Vec<String> {
    let is_path = |c: char| c.is_ascii_alphanumeric() || "_-./".contains(c);
    text.split(|c: char| !is_path(c))
        .filter(|t| t.ends_with(".md") && t.len() > 3)
        .map(|t| t.trim_start_matches("./").to_string())
        .collect()
}

#[test]
fn no_text_cites_a_file_the_repository_does_not_have() {
    let r = root();
    let mut missing = Vec::new();
    for file in texts() {
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        let rel = file.strip_prefix(&r).unwrap_or(&file).display().to_string();
        if text.contains("shared/") && !rel.ends_with("citations.rs") {
            missing.push(format!("{rel}: points into shared/"));
        }
        for name in md_names(&text) {
            if USER_FILES.contains(&name.as_str()) {
                continue;
            }
            let here = file.parent().unwrap_or(&r);
            let found = [r.join(&name), here.join(&name), r.join("docs").join(&name)]
                .iter()
                .any(|p| p.is_file());
            if !found {
                missing.push(format!("{rel}: names {name}"));
            }
        }
    }
    missing.sort();
    missing.dedup();
    assert!(
        missing.is_empty(),
        "texts name files the repository does not have (write what users need into docs/):\n{}",
        missing.join("\n")
    );
}
