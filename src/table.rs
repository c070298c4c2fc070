//! Rows of a spreadsheet export (CSV, TSV, semicolons), read with `csv-core`: quoted fields
//! may hold the separator, quotes (`""`) and line breaks. The separator is the one most of the
//! first rows use outside quotes ([`separator`]). A quote that opens a field and never closes is
//! read as a plain character on its line, so one stray quote cannot swallow the rest of the file;
//! so is one whose field would take in a line that starts a row of its own ([`rows_where`]), so
//! that a text that only begins with a quote does not swallow the rows up to the next stray one.
//! A file of stray quotes is scanned a few times over at most, then read with quotes as plain
//! characters.
//! Each row comes with the line it starts on, for error messages.

use csv_core::{ReadRecordResult, ReaderBuilder};

use crate::{limits, Error};

/// One row: the 1-based line it starts on and its fields, as written (not trimmed).
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    pub line: usize,
    pub fields: Vec<String>,
}

/// Rows [`separator`] looks at.
const SNIFFED_ROWS: usize = 100;

/// The separator of `content`: of tab, `;` and `,`, the one that most of its first
/// [`SNIFFED_ROWS`] rows hold outside quotes (lines starting with `#`, comments, aside); on a
/// tie a tab, else the one written more often, else the comma. One odd first line (a title, a
/// text with semicolons in it) does not decide for the whole file.
pub fn separator(content: &str) -> u8 {
    let (mut rows_with, mut written) = count_separators(content, true);
    // Every line a comment, or so it seemed: rows of labels that start with '#' ("#bug").
    if rows_with == [0; 3] {
        (rows_with, written) = count_separators(content, false);
    }
    let best = (0..3).max_by_key(|&k| (rows_with[k], k == 0, written[k], k == 2));
    match best {
        Some(k) if rows_with[k] > 0 => CANDIDATES[k],
        _ => b',',
    }
}

const CANDIDATES: [u8; 3] = [b'\t', b';', b','];

/// For each of [`CANDIDATES`], how many of the first [`SNIFFED_ROWS`] rows hold it outside
/// quotes, and how often it is written there; lines starting with `#` left out when
/// `skip_comments`.
fn count_separators(content: &str, skip_comments: bool) -> ([usize; 3], [usize; 3]) {
    let (mut rows_with, mut written, mut in_row) = ([0usize; 3], [0usize; 3], [false; 3]);
    let (mut quoted, mut comment, mut line_start, mut rows) = (false, false, true, 0);
    for b in content.bytes() {
        if line_start {
            comment = skip_comments && b == b'#';
            line_start = false;
        }
        if comment && b != b'\n' {
            continue;
        }
        match b {
            b'"' => quoted = !quoted,
            b'\n' if !quoted => {
                for (n, seen) in rows_with.iter_mut().zip(&mut in_row) {
                    *n += usize::from(std::mem::take(seen));
                }
                (line_start, comment) = (true, false);
                rows += 1;
                if rows == SNIFFED_ROWS {
                    break;
                }
            }
            _ if !quoted => {
                if let Some(k) = CANDIDATES.iter().position(|&c| c == b) {
                    (in_row[k], written[k]) = (true, written[k] + 1);
                }
            }
            _ => {}
        }
    }
    for (n, seen) in rows_with.iter_mut().zip(in_row) {
        *n += usize::from(seen);
    }
    (rows_with, written)
}

/// Every row of `content` separated by `separator`; blank lines are skipped. The line of a
/// quoted field that never closes is read with its quotes as plain characters, and reading goes
/// on from the next line. A row of more than [`limits::MAX_FIELDS`] fields is an error, and so
/// is a file of more than [`limits::MAX_ROWS`] rows.
pub fn rows(content: &str, separator: u8) -> Result<Vec<Row>, Error> {
    rows_where(content, separator, |_, _| false)
}

/// [`rows`], where a quoted field that would take in a line of which `starts_row` says it is a
/// row of its own (a labelled row, say: the SMS spam collection has a text that opens with a quote
/// and one, two lines on, a text that ends with one) is read as a quote never closed.
/// `starts_row` gets the line without its line end, and whether the field would close on it (that
/// line of a true quoted field ends in its row's other fields, a label among them maybe).
pub fn rows_where(
    content: &str,
    separator: u8,
    starts_row: impl Fn(&str, bool) -> bool,
) -> Result<Vec<Row>, Error> {
    let mut rows = Vec::new();
    let (mut from, mut line) = (0, 1);
    // Each stray quote's line is read plain and the rest scanned again: a line of stray quotes
    // after another made that quadratic (a 1 MB file of `x","` lines took minutes). Past a few
    // scans of the whole file, the rest is read with quotes as plain characters.
    let mut budget = content.len().saturating_mul(SCANS_OF_THE_FILE);
    loop {
        let rest = &content[from..];
        let (unclosed, scanned) = unclosed_quote(rest, separator, &starts_row);
        budget = budget.saturating_sub(scanned);
        let Some(record) = unclosed else {
            return extended(rows, read(rest, separator, true, line)?);
        };
        if budget == 0 {
            rows = extended(rows, read(&rest[..record], separator, true, line)?)?;
            line += rest[..record].matches('\n').count();
            return extended(rows, read(&rest[record..], separator, false, line)?);
        }
        rows = extended(rows, read(&rest[..record], separator, true, line)?)?;
        line += rest[..record].matches('\n').count();
        // `record` starts a line, and a line ends with an ASCII '\n': both are char boundaries.
        let end = rest[record..]
            .find('\n')
            .map_or(rest.len(), |n| record + n + 1);
        rows = extended(rows, read(&rest[record..end], separator, false, line)?)?;
        line += 1;
        from += end;
    }
}

/// How many times over [`rows_where`] scans a file for stray quotes before it reads the rest
/// with quotes as plain characters: a text file may well have dozens of stray quotes that run to
/// its end (each one a scan), while a megabyte of them took minutes.
const SCANS_OF_THE_FILE: usize = 64;

/// Where the record that holds a quoted field never closed starts, if `text` has one: a
/// quote opens a field only at its start, `""` inside it is a quote, as `csv-core` reads them. A
/// quoted field that reaches a line `starts_row` takes for a row counts as never closed. With it,
/// how many bytes were scanned.
fn unclosed_quote(
    text: &str,
    separator: u8,
    starts_row: impl Fn(&str, bool) -> bool,
) -> (Option<usize>, usize) {
    let content = text.as_bytes();
    let (mut record, mut field_start, mut quoted) = (0, true, false);
    let mut i = 0;
    while let Some(&b) = content.get(i) {
        if quoted {
            if b == b'\n' {
                // A line starts after an ASCII '\n' and ends before one: char boundaries.
                let next = text.get(i + 1..).unwrap_or("");
                let next = next.split('\n').next().unwrap_or("");
                if starts_row(next.strip_suffix('\r').unwrap_or(next), closes_quote(next)) {
                    return (Some(record), i);
                }
            } else if b == b'"' {
                if content.get(i + 1) == Some(&b'"') {
                    i += 1;
                } else {
                    quoted = false;
                }
            }
        } else if b == b'"' && field_start {
            quoted = true;
        } else if b == b'\n' {
            record = i + 1;
        }
        field_start = !quoted && (b == separator || b == b'\n' || b == b'\r');
        i += 1;
    }
    (quoted.then_some(record), i)
}

/// `rows` and then `more`, within [`limits::MAX_ROWS`].
fn extended(mut rows: Vec<Row>, more: Vec<Row>) -> Result<Vec<Row>, Error> {
    if rows.is_empty() {
        return Ok(more);
    }
    if rows.len() + more.len() > limits::MAX_ROWS {
        return Err(too_many_rows());
    }
    rows.extend(more);
    Ok(rows)
}

/// The error for a file of more than [`limits::MAX_ROWS`] rows (or lines of texts).
pub(crate) fn too_many_rows() -> Error {
    Error::TooLarge(format!(
        "the file has more than {} rows: polarity reads files of up to {} (split it)",
        limits::MAX_ROWS,
        limits::MAX_ROWS
    ))
}

/// Whether a quoted field that runs on into `line` closes there: a quote not doubled.
fn closes_quote(line: &str) -> bool {
    let mut bytes = line.bytes();
    while let Some(b) = bytes.next() {
        if b == b'"' && bytes.next() != Some(b'"') {
            return true;
        }
    }
    false
}

/// [`rows`] of `content` as `csv-core` reads it (with `quoting`, or quotes as plain characters),
/// its first line numbered `first_line`.
fn read(content: &str, separator: u8, quoting: bool, first_line: usize) -> Result<Vec<Row>, Error> {
    let mut reader = ReaderBuilder::new()
        .delimiter(separator)
        .quoting(quoting)
        .build();
    let bytes = content.as_bytes();
    let (mut input, mut consumed) = (bytes, 0);
    let (mut out, mut ends) = (vec![0u8; 4096], vec![0usize; 16]);
    let (mut out_len, mut ends_len) = (0, 0);
    // Where the current row began, and the line there.
    let (mut row_start, mut line, mut counted) = (0usize, first_line, 0usize);
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
            // Past the limit, with room for one more than it: refused before it grows further.
            ReadRecordResult::OutputEndsFull | ReadRecordResult::Record
                if ends_len > limits::MAX_FIELDS =>
            {
                let at = line
                    + bytes[counted..row_start]
                        .iter()
                        .filter(|&&b| b == b'\n')
                        .count();
                return Err(Error::InvalidInput(format!(
                    "line {at} has more than {} fields: polarity reads rows of up to {} columns",
                    limits::MAX_FIELDS,
                    limits::MAX_FIELDS
                )));
            }
            ReadRecordResult::OutputEndsFull => {
                let grown = (ends.len() * 2)
                    .min(limits::MAX_FIELDS + 1)
                    .max(ends.len() + 1);
                ends.resize(grown, 0);
            }
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
                if rows.len() == limits::MAX_ROWS {
                    return Err(too_many_rows());
                }
                rows.push(Row { line, fields });
                (row_start, out_len, ends_len) = (consumed, 0, 0);
            }
            ReadRecordResult::End => break,
        }
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_fields_hold_separators_quotes_and_line_breaks() {
        let content = "label,text\r\n\r\npositive,\"Great, \"\"really\"\"\nfun\"\nnegative,Dull\n";
        assert_eq!(separator(content), b',');
        let rows = rows(content, b',').unwrap();
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[1].line, 3);
        assert_eq!(rows[1].fields, ["positive", "Great, \"really\"\nfun"]);
        assert_eq!(rows[2].line, 5);
    }

    #[test]
    fn the_separator_is_the_one_most_rows_hold() {
        assert_eq!(separator("label\ttext, with a comma\n"), b'\t');
        assert_eq!(separator("text;label\n\"a, b\";1"), b';');
        assert_eq!(separator("\"a; b\",1\n"), b',');
        assert_eq!(separator("just one field"), b',');
        // One row alone: the one written more often.
        assert_eq!(separator("positive,Great; superb; fun"), b';');
        // A first row that is a title, or a text with semicolons in it, does not decide.
        assert_eq!(
            separator("My labels, 2024\npositive\tGreat\nnegative\tDull\n"),
            b'\t'
        );
        let csv = "positive,Great acting; superb; fun\nnegative,Awful\npositive,Nice\n";
        assert_eq!(separator(csv), b',');
        assert_eq!(
            separator("positive;Great, really fun\nnegative;Dull\n"),
            b';'
        );
        // Comment lines are not rows.
        assert_eq!(separator("# a, b, c, d\n# e, f\npositive\tGreat\n"), b'\t');
        // Unless every line starts with '#': labels such as "#bug" (it was a comma then).
        assert_eq!(separator("#bug\tit crashes, again\n#ok\tfine\n"), b'\t');
    }

    #[test]
    fn a_row_of_too_many_fields_is_an_error_not_gigabytes() {
        let commas = format!("a\n{}\n", ",".repeat(limits::MAX_FIELDS));
        let err = match rows(&commas, b',') {
            Ok(rows) => panic!("{} rows read", rows.len()),
            Err(e) => e.to_string(),
        };
        assert!(err.contains("line 2 has more than 10000 fields"), "{err}");
        let fine = format!("{}\n", ",".repeat(limits::MAX_FIELDS - 1));
        assert_eq!(
            rows(&fine, b',').unwrap()[0].fields.len(),
            limits::MAX_FIELDS
        );
    }

    #[test]
    fn a_quote_never_closed_is_a_plain_character_on_its_line() {
        let content = "1\tgreat film\n0\t\"awful, it said\n1\tnice\n0\tbad\n";
        let read = |content, separator| -> Vec<(usize, Vec<String>)> {
            rows(content, separator)
                .unwrap()
                .into_iter()
                .map(|r| (r.line, r.fields))
                .collect()
        };
        let fields = read(content, b'\t');
        assert_eq!(
            fields,
            [
                (1, vec!["1".to_string(), "great film".into()]),
                (2, vec!["0".into(), "\"awful, it said".into()]),
                (3, vec!["1".into(), "nice".into()]),
                (4, vec!["0".into(), "bad".into()]),
            ]
        );
        // A quote that closes, but only after lines that are rows of their own (the SMS spam
        // collection's lines 5082-5084): each line its own row when the caller can tell.
        let content = "ham\t\"Keep it\nham\tYeah, call me\nham\t\"HI BABE\"\nspam\tWin\n";
        let labelled = |line: &str, _| line.starts_with("ham\t") || line.starts_with("spam\t");
        let lines: Vec<usize> = rows_where(content, b'\t', labelled)
            .unwrap()
            .iter()
            .map(|r| r.line)
            .collect();
        assert_eq!(lines, [1, 2, 3, 4]);
        assert_eq!(
            rows_where(content, b'\t', labelled).unwrap()[0].fields,
            ["ham", "\"Keep it"]
        );
        assert_eq!(
            read(content, b'\t').len(),
            2,
            "without a rule, a field of three lines"
        );
        // Closed quotes before it are still read as quoting.
        let content = "a,\"x\ny\"\nb,\"open\nc,z\n";
        assert_eq!(
            read(content, b','),
            [
                (1, vec!["a".to_string(), "x\ny".into()]),
                (3, vec!["b".into(), "\"open".into()]),
                (4, vec!["c".into(), "z".into()]),
            ]
        );
    }

    #[test]
    fn a_file_of_stray_quotes_is_read_in_a_few_passes() {
        // Every line leaves a quote open to the end of the file: each was read plain and the
        // rest scanned again, a quadratic time (minutes for a megabyte).
        let lines = 200_000;
        let content = "x\",\"\n".repeat(lines);
        let (unclosed, scanned) = unclosed_quote(&content, b',', |_, _| false);
        assert_eq!((unclosed, scanned), (Some(0), content.len()));
        let read = rows(&content, b',').unwrap();
        assert_eq!(read.len(), lines);
        assert!(read.iter().all(|r| r.fields == ["x\"", "\""]));
        assert_eq!(read[lines - 1].line, lines);
        // Stray quotes that a row's start ends cost a line's scan each, and leave quoting on for
        // the rest: a quoted text of two lines after a thousand of them is one field.
        let content = format!("{}spam\t\"two\nlines\"\n", "ham\t\"Keep it\n".repeat(1000));
        let labelled = |line: &str, _| line.starts_with("ham\t") || line.starts_with("spam\t");
        let read = rows_where(&content, b'\t', labelled).unwrap();
        assert_eq!(read.len(), 1001);
        assert_eq!(read[0].fields, ["ham", "\"Keep it"]);
        assert_eq!(read[1000].fields, ["spam", "two\nlines"]);
    }
}
