//! Writing a draft as a commented `tilsyn.toml`.

use super::*;
use crate::data::mapping::toml_quote as quote;

/// Text for a comment: control characters (a line break, say) would end
/// it, so they become spaces.
pub(super) fn clean(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// The draft as it is written.
pub(super) struct Text(String);

impl Text {
    pub(super) fn line(&mut self, text: &str) {
        self.0.push_str(text);
        self.0.push('\n');
    }

    pub(super) fn blank(&mut self) {
        self.0.push('\n');
    }

    pub(super) fn comment(&mut self, text: &str) {
        self.0.push_str("# ");
        self.0.push_str(&clean(text));
        self.0.push('\n');
    }

    /// `key = value   # why`, the key and value already in TOML.
    pub(super) fn entry(&mut self, key: &str, value: &str, why: &str) {
        let assignment = format!("{key} = {value}");
        self.0
            .push_str(&format!("{assignment:<34} # {}\n", clean(why)));
    }
}

impl DraftTable {
    /// The hint for a required column not found.
    pub(super) fn missing_hint(&self, column: &str) -> String {
        let t = self.table.name();
        format!(
            "{t}.{column}: add `[tables.{t}.columns] {column} = \"<header>\"` or a constant under [tables.{t}.constants]"
        )
    }
}

impl Draft {
    /// Every required column not found, as `table.column`, and every
    /// required table no file was found for, as `table`.
    pub fn missing_required(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .missing_tables
            .iter()
            .map(|t| t.name().to_string())
            .collect();
        for t in &self.tables {
            for c in &t.missing_required {
                out.push(format!("{}.{c}", t.table));
            }
        }
        out
    }

    /// The draft as a mapping file (`tilsyn.toml`): every guessed line with
    /// a comment saying how sure it is and why, what was not found and what
    /// to do about it. Values the draft could not recode are commented out,
    /// so the text is always a mapping [`super::mapping::Mapping::from_str`]
    /// accepts.
    pub fn to_toml(&self) -> String {
        let mut out = Text(String::new());
        let dir = self.dir.display().to_string();
        out.comment(
            "tilsyn.toml: a DRAFT mapping, written by `tilsyn mapping --draft` for the folder",
        );
        out.comment(&format!("  {dir}"));
        out.comment(&format!(
            "from each CSV file's header and its first {SAMPLE_ROWS} rows. Every guessed line ends in a"
        ));
        out.comment("comment saying how sure the guess is (high, medium, low) and why. Check each");
        out.comment("line, fill in what is marked, then load the folder with it:");
        out.comment(&format!(
            "  tilsyn validate --data {dir} --mapping <this file>"
        ));
        out.comment("docs/data-contract.md explains every key.");
        out.line("#");
        if self.tables.is_empty() {
            out.comment("No file of the folder was recognised as a table.");
        } else {
            out.comment("Files and the tables they were taken for:");
            for t in &self.tables {
                out.comment(&format!("  {} -> {} ({})", t.file, t.table, t.file_why));
            }
        }
        out.line("#");
        let missing = self.missing_required();
        if missing.is_empty() {
            out.comment("Required columns not found: none.");
        } else {
            out.comment("NOT FOUND, required (the load stops until each is given):");
            for t in &self.missing_tables {
                out.comment(&format!(
                    "  the `{t}` table: no file of the folder looks like it; name its file under [tables.{t}] file = \"<name>\" and map its columns"
                ));
            }
            for t in &self.tables {
                for c in &t.missing_required {
                    out.comment(&format!("  {}", t.missing_hint(c)));
                }
            }
        }
        if !self.unmatched.is_empty() || !self.unreadable.is_empty() {
            out.comment("Files not used: see the end of this file.");
        }

        for t in &self.tables {
            write_table(&mut out, t);
        }

        if !self.unmatched.is_empty() || !self.unreadable.is_empty() {
            out.blank();
            out.line(
                "# ---------------------------------------------------------------- files not used",
            );
        }
        if !self.unmatched.is_empty() {
            out.comment(
                "Files that match no table (not loaded); if one holds a table, map it by hand",
            );
            out.comment("under [tables.<table>] file = \"<name>\" and [tables.<table>.columns]:");
            for f in &self.unmatched {
                let closest = f
                    .closest
                    .map(|t| format!("; closest to `{t}`"))
                    .unwrap_or_default();
                out.comment(&format!(
                    "  {} (headers: {}{closest})",
                    f.name,
                    f.headers.join(", ")
                ));
            }
        }
        if !self.unreadable.is_empty() {
            out.comment("Files that could not be read:");
            for (name, why) in &self.unreadable {
                out.comment(&format!("  {name}: {why}"));
            }
        }
        out.0
    }
}

/// Writes one table's sections.
pub(super) fn write_table(out: &mut Text, t: &DraftTable) {
    let name = t.table.name();
    out.blank();
    out.line(&format!(
        "# ---------------------------------------------------------------- {name}"
    ));
    let delimiter = if t.delimiter == '\t' {
        "tab".to_string()
    } else {
        format!("'{}'", t.delimiter)
    };
    let encoding = match t.encoding {
        Encoding::Utf8 => "UTF-8",
        Encoding::Utf8Bom => "UTF-8 with a byte-order mark",
        Encoding::Windows1252 => "Windows-1252",
    };
    out.comment(&format!(
        "{}: {}{} rows sampled; {encoding}{}, delimiter {delimiter}",
        t.file,
        if t.more_rows { "the first " } else { "" },
        t.rows_sampled,
        if t.gzip { ", gzip" } else { "" }
    ));
    out.line(&format!("[tables.{name}]"));
    if t.write_file {
        out.entry("file", &quote(&t.file), &t.file_why);
    } else {
        out.comment(&format!("{} is read as `{name}` by its name", t.file));
    }
    if t.encoding == Encoding::Windows1252 {
        out.entry(
            "encoding",
            &quote("latin-1"),
            "detected: Windows-1252 (it would be detected on every load; set to be explicit)",
        );
    } else {
        out.comment(&format!(
            "encoding: {encoding} detected, and detected again on every load"
        ));
    }
    out.comment(&format!(
        "delimiter: {delimiter} detected, and sniffed again on every load"
    ));
    match (&t.decimal_note, t.decimal_comma) {
        (Some(note), true) => out.entry("decimal", &quote(","), note),
        (Some(note), false) => out.comment(&format!("decimal: {note}")),
        (None, _) => {}
    }
    if !t.pseudonymise.is_empty() {
        let cols: Vec<String> = t.pseudonymise.iter().map(|(c, _)| quote(c)).collect();
        let why: Vec<String> = t
            .pseudonymise
            .iter()
            .map(|(c, w)| format!("{c}: {w}"))
            .collect();
        out.entry(
            "pseudonymise",
            &format!("[{}]", cols.join(", ")),
            &format!(
                "{}; hashed on load, which needs TILSYN_PSEUDONYM_KEY set to a secret of 16+ characters",
                why.join("; ")
            ),
        );
    }

    out.blank();
    out.line(&format!(
        "[tables.{name}.columns]            # canonical = \"source header\""
    ));
    for c in &t.columns {
        out.entry(
            c.column,
            &quote(&c.header),
            &format!("{}: {}", c.confidence.label(), c.why),
        );
    }

    for r in &t.recodes {
        out.blank();
        out.line(&format!(
            "[tables.{name}.recode.{}]      # source value = canonical value",
            r.column
        ));
        for v in &r.values {
            match v.canonical {
                Some(code) => out.entry(&quote(&v.source), &quote(code), "known term"),
                None => out.comment(&format!(
                    "{} = \"\"   # fill in one of: {}",
                    quote(&v.source),
                    r.allowed.join(", ")
                )),
            }
        }
        if r.values.iter().any(|v| v.canonical.is_none()) {
            out.comment(
                "Rows with a value left commented out are rejected on load until it is filled in.",
            );
        }
        if t.more_rows {
            out.comment(&format!(
                "Only the first {SAMPLE_ROWS} rows were read: values that appear only later are not listed."
            ));
        }
    }

    out.blank();
    if t.table == Table::Inspections && t.missing_optional.contains(&"agency") {
        out.comment("agency: not in the file. If one agency made every inspection, say so:");
        out.comment(&format!("[tables.{name}.constants]"));
        out.comment("agency = \"AT\"   # one of AT, SKAT, POLICE, SIRI, JOINT");
    }
    if !t.missing_optional.is_empty() {
        out.comment(&format!(
            "Optional columns not found (left blank): {}",
            t.missing_optional.join(", ")
        ));
    }
    if !t.unmapped_headers.is_empty() {
        out.comment(&format!(
            "Source columns not mapped (not loaded): {}",
            t.unmapped_headers.join(", ")
        ));
    }
    if t.missing_required.is_empty() {
        out.comment("Required columns not found: none");
    } else {
        out.comment("NOT FOUND, required:");
        for c in &t.missing_required {
            out.comment(&format!("  {}", t.missing_hint(c)));
        }
    }
}
