//! Reading CSV files as Danish agency systems write them: optional gzip,
//! UTF-8 with or without a byte-order mark or Windows-1252/Latin-1, `,` `;`
//! or tab delimiters, CRLF line ends. This module turns a file into UTF-8
//! bytes and the settings a CSV reader needs; parsing the values is `parse`'s.

use std::borrow::Cow;
use std::io::Read;
use std::path::Path;

use super::DataError;

/// The text encoding a file was read in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Encoding {
    /// UTF-8 without a byte-order mark.
    Utf8,
    /// UTF-8 with a byte-order mark.
    Utf8Bom,
    /// Windows-1252 (a superset of Latin-1 for printable characters).
    Windows1252,
}

/// What was detected about a CSV file.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Dialect {
    /// The encoding.
    pub encoding: Encoding,
    /// The field delimiter.
    pub delimiter: char,
    /// Whether the file was gzip-compressed.
    pub gzip: bool,
}

/// Reads a file's bytes, decompressing `.gz`.
pub fn read_bytes(path: &Path) -> Result<(Vec<u8>, bool), DataError> {
    let io = |source| DataError::Io {
        path: path.to_path_buf(),
        source,
    };
    let raw = std::fs::read(path).map_err(io)?;
    let gzip = raw.starts_with(&[0x1f, 0x8b]);
    if gzip {
        let mut out = Vec::with_capacity(raw.len() * 4);
        flate2::read::MultiGzDecoder::new(&raw[..])
            .read_to_end(&mut out)
            .map_err(io)?;
        Ok((out, true))
    } else {
        Ok((raw, false))
    }
}

/// Decodes bytes to UTF-8: strips a BOM, keeps valid UTF-8 as it is, and
/// reads anything else as Windows-1252.
pub fn decode(bytes: &[u8], forced: Option<Encoding>) -> (Cow<'_, [u8]>, Encoding) {
    const BOM: &[u8] = &[0xEF, 0xBB, 0xBF];
    if let Some(stripped) = bytes.strip_prefix(BOM) {
        return (Cow::Borrowed(stripped), Encoding::Utf8Bom);
    }
    let utf8_ok = std::str::from_utf8(bytes).is_ok();
    match forced {
        Some(Encoding::Windows1252) => {}
        _ if utf8_ok => return (Cow::Borrowed(bytes), Encoding::Utf8),
        _ => {}
    }
    let (text, _, _) = encoding_rs::WINDOWS_1252.decode(bytes);
    (
        Cow::Owned(text.into_owned().into_bytes()),
        Encoding::Windows1252,
    )
}

/// Picks the delimiter from the header line: the most frequent of `;`, `,`
/// and tab outside quotes. A file with none of them has one column and gets `,`.
pub fn sniff_delimiter(bytes: &[u8]) -> char {
    let mut counts = [(';', 0usize), (',', 0), ('\t', 0)];
    let mut in_quotes = false;
    for &b in bytes {
        match b {
            b'"' => in_quotes = !in_quotes,
            b'\n' if !in_quotes => break,
            _ if !in_quotes => {
                for (c, n) in counts.iter_mut() {
                    if b == *c as u8 {
                        *n += 1;
                    }
                }
            }
            _ => {}
        }
    }
    counts
        .iter()
        .max_by_key(|(c, n)| (*n, *c == ','))
        .filter(|(_, n)| *n > 0)
        .map_or(',', |(c, _)| *c)
}

/// Parses an encoding name from a mapping file.
pub fn parse_encoding(name: &str) -> Option<Option<Encoding>> {
    match name.to_ascii_lowercase().replace(['-', '_'], "").as_str() {
        "auto" => Some(None),
        "utf8" => Some(Some(Encoding::Utf8)),
        "latin1" | "iso88591" | "windows1252" | "cp1252" => Some(Some(Encoding::Windows1252)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delimiters_are_sniffed_from_the_header_outside_quotes() {
        assert_eq!(sniff_delimiter(b"a;b;c\n1,5;2;3"), ';');
        assert_eq!(sniff_delimiter(b"a,b,c\n1;2;3"), ',');
        assert_eq!(sniff_delimiter(b"\"a;x\",b,c\n"), ',');
        assert_eq!(sniff_delimiter(b"a\tb\n"), '\t');
        assert_eq!(sniff_delimiter(b"only\n"), ',');
    }

    #[test]
    fn latin1_and_bom_are_decoded() {
        let latin1 = b"navn\nK\xf8ge";
        let (text, enc) = decode(latin1, None);
        assert_eq!(enc, Encoding::Windows1252);
        assert_eq!(std::str::from_utf8(&text).unwrap(), "navn\nKøge");
        let bom = "\u{feff}navn\nKøge".as_bytes();
        let (text, enc) = decode(bom, None);
        assert_eq!(enc, Encoding::Utf8Bom);
        assert_eq!(std::str::from_utf8(&text).unwrap(), "navn\nKøge");
    }
}
