//! Rows of a spreadsheet export (CSV, TSV, semicolons), read with `csv-core`: quoted fields
//! may hold the separator, quotes (`""`) and line breaks. The separator is the one the first row
//! uses outside quotes: a tab if it has one, else `;` if it has more of them than commas, else
//! `,`. Each row comes with the line it starts on, for error messages.

use csv_core::{ReadRecordResult, ReaderBuilder};

/// One row: the 1-based line it starts on and its fields, as written (not trimmed).
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    pub line: usize,
    pub fields: Vec<String>,
}

/// The separator of `content`, from its first row.
pub fn separator(content: &str) -> u8 {
    let (mut quoted, mut tabs, mut semicolons, mut commas) = (false, 0, 0, 0);
    for b in content.bytes() {
        match b {
            b'"' => quoted = !quoted,
            b'\n' if !quoted => break,
            b'\t' if !quoted => tabs += 1,
            b';' if !quoted => semicolons += 1,
            b',' if !quoted => commas += 1,
            _ => {}
        }
    }
    if tabs > 0 {
        b'\t'
    } else if semicolons > commas {
        b';'
    } else {
        b','
    }
}

/// Every row of `content` separated by `separator`; blank lines are skipped.
pub fn rows(content: &str, separator: u8) -> Vec<Row> {
    let mut reader = ReaderBuilder::new().delimiter(separator).build();
    let bytes = content.as_bytes();
    let (mut input, mut consumed) = (bytes, 0);
    let (mut out, mut ends) = (vec![0u8; 4096], vec![0usize; 16]);
    let (mut out_len, mut ends_len) = (0, 0);
    // Where the current row began, and the line there.
    let (mut row_start, mut line, mut counted) = (0usize, 1usize, 0usize);
    let mut rows = Vec::new();
    loop {
        let (result, n_in, n_out, n_ends) =
            reader.read_record(input, &mut out[out_len..], &mut ends[ends_len..]);
        input = &input[n_in..];
        consumed += n_in;
        out_len += n_out;
        ends_len += n_ends;
        match result {
            ReadRecordResult::InputEmpty => {}
            ReadRecordResult::OutputFull => out.resize(out.len() * 2, 0),
            ReadRecordResult::OutputEndsFull => ends.resize(ends.len() * 2, 0),
            ReadRecordResult::Record => {
                // Blank lines before the row are not part of it.
                let first = bytes[row_start..consumed]
                    .iter()
                    .position(|&b| b != b'\n' && b != b'\r')
                    .map_or(consumed, |p| row_start + p);
                line += bytes[counted..first]
                    .iter()
                    .filter(|&&b| b == b'\n')
                    .count();
                counted = first;
                let mut fields = Vec::with_capacity(ends_len);
                let mut start = 0;
                for &end in &ends[..ends_len] {
                    fields.push(String::from_utf8_lossy(&out[start..end]).into_owned());
                    start = end;
                }
                rows.push(Row { line, fields });
                (row_start, out_len, ends_len) = (consumed, 0, 0);
            }
            ReadRecordResult::End => break,
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_fields_hold_separators_quotes_and_line_breaks() {
        let content = "label,text\r\n\r\npositive,\"Great, \"\"really\"\"\nfun\"\nnegative,Dull\n";
        assert_eq!(separator(content), b',');
        let rows = rows(content, b',');
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[1].line, 3);
        assert_eq!(rows[1].fields, ["positive", "Great, \"really\"\nfun"]);
        assert_eq!(rows[2].line, 5);
    }

    #[test]
    fn the_separator_comes_from_the_first_row() {
        assert_eq!(separator("label\ttext, with a comma\n"), b'\t');
        assert_eq!(separator("text;label\n\"a, b\";1"), b';');
        assert_eq!(separator("\"a; b\",1\n"), b',');
        assert_eq!(separator("just one field"), b',');
    }
}
