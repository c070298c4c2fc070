//! Files of texts to classify, and the results written back: what the page's "Classify a file"
//! reads and downloads. A file is a spreadsheet export (CSV, TSV, `;`, read by `crate::table`),
//! whose texts are one chosen column, or plain text with one text per line. Results are CSV
//! written with `csv-core`, quoted where a field needs it, so that spreadsheets read them back.

use std::borrow::Cow;

use csv_core::{Terminator, WriteResult, WriterBuilder};
use serde::Serialize;

use crate::finetune::{check_is_text, file_text, LABEL_HEADERS, TEXT_HEADERS};
use crate::table;
use crate::Error;

/// The texts of a file, and how they were found.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Texts {
    /// The file's columns, to choose from: the header's names, else "Column 1", "Column 2"...
    /// Empty for a file of one text per line.
    pub columns: Vec<String>,
    /// The column the texts come from (an index of `columns`), or `None` for one text per line.
    pub column: Option<usize>,
    /// Whether the first row named the columns (and so is not a text).
    pub header: bool,
    pub texts: Vec<String>,
    /// Rows whose text was empty (or, one text per line, lines of spaces alone), left out; empty
    /// lines are not counted.
    pub skipped: usize,
}

/// Reads the texts of `content`: from `column` (0-based) if given, else from the column a header
/// names `text` / `review` / `message`..., else from the column with the longest texts. A file is
/// read as one text per line unless it is tab-separated, has such a header (one column named
/// `text` is a table too: its quoted texts may hold commas and line breaks), or most of its rows
/// (two or more) have the first row's number (2 or more) of fields and one column holds keys:
/// short, single words, numbered or repeated (ids, dates, labels). Prose cut at its commas has no
/// such column ("Loved it, truly."). A file of one column exactly as [`to_csv`] writes it is
/// read as CSV (quoted texts hold commas, quotes and line breaks). A file that is not text is
/// refused.
pub fn parse_texts(content: &str, column: Option<usize>) -> Result<Texts, Error> {
    parse(content, column, false)
}

/// [`parse_texts`] of a file named `name`: a text file's (`.txt`) columns are separated by tabs
/// only, as Excel's "Text (Tab delimited)" saves them, and its commas are prose. Read by content
/// alone, ten lines such as "No, never again" and "Yes, loved it" were a table whose first column
/// held keys, and each text lost its first word ("never again" read positive).
pub fn parse_file_texts(content: &str, column: Option<usize>, name: &str) -> Result<Texts, Error> {
    let text_file = name.to_lowercase().ends_with(".txt");
    parse(content, column, text_file)
}

fn parse(content: &str, column: Option<usize>, tabs_only: bool) -> Result<Texts, Error> {
    let content = &*file_text(content);
    check_is_text(content)?;
    let separator = table::separator(content);
    let rows = table::rows(content, separator)?;
    let named = |names: &[&str], field: &str| names.contains(&field.trim().to_lowercase().as_str());
    let first = rows.first().map(|r| r.fields.clone()).unwrap_or_default();
    let header = first
        .iter()
        .any(|f| named(&TEXT_HEADERS, f) || named(&LABEL_HEADERS, f));
    let width = first.len();
    let same_width = rows.iter().filter(|r| r.fields.len() == width).count();
    let means = mean_lengths(&rows, width);
    // Asked last: it walks every row for each short column, which only nine rows in ten of the
    // first row's width keep linear in the file (10,000 columns on the first row alone made it
    // 10,000 walks of a file).
    let keys = || (0..width).any(|c| means[c] <= SHORT_FIELD && holds_keys(&rows, c));
    let one_named_column = width == 1 && first.iter().any(|f| named(&TEXT_HEADERS, f));
    // A text file's columns are tabs' alone (`tabs_only`), or a header's: its commas and
    // semicolons are prose.
    let separated = !tabs_only || separator == b'\t';
    let tabular = one_named_column
        || (width >= 2
            && (separator == b'\t'
                || header
                || (separated && rows.len() >= 2 && same_width * 10 >= rows.len() * 9 && keys())));
    if !tabular {
        if column.is_some_and(|c| c > 0) {
            return Err(Error::InvalidInput(
                "this file has one text per line: there is no other column".into(),
            ));
        }
        if let Some(texts) = quoted_column(content)? {
            return Ok(texts);
        }
        let mut texts = Texts::default();
        for (i, line) in content.lines().enumerate() {
            match line.trim() {
                "" => texts.skipped += usize::from(!line.is_empty()),
                // Lines as many as rows: a quoted field of millions of lines was one row.
                _ if texts.texts.len() == crate::limits::MAX_ROWS => {
                    return Err(table::too_many_rows())
                }
                text => texts.texts.push(checked(text, i + 1)?),
            }
        }
        return Ok(texts);
    }
    let body = &rows[usize::from(header)..];
    let columns: Vec<String> = if header {
        first.iter().map(|f| f.trim().to_string()).collect()
    } else {
        (1..=width).map(|i| format!("Column {i}")).collect()
    };
    let column = match column {
        Some(c) if c < width => c,
        Some(c) => {
            return Err(Error::InvalidInput(format!(
                "column {c} does not exist: the file has {width} (columns count from 0)"
            )))
        }
        None => first
            .iter()
            .position(|f| header && named(&TEXT_HEADERS, f))
            .unwrap_or_else(|| longest_column(&mean_lengths(body, width))),
    };
    let mut texts = Texts {
        columns,
        column: Some(column),
        header,
        ..Texts::default()
    };
    for row in body {
        // The last column (or the only one): a text cut by an unquoted separator is one text
        // all the same, as `parse_examples` reads it. Taking its first piece cut "id,review /
        // 1,I loved it, really" to "I loved it", and said nothing.
        let joined;
        let field = if column + 1 == width && row.fields.len() > width {
            joined = row.fields[column..].join(&char::from(separator).to_string());
            Some(joined.as_str())
        } else {
            row.fields.get(column).map(String::as_str)
        };
        match field.map(str::trim) {
            Some(text) if !text.is_empty() => texts.texts.push(checked(text, row.line)?),
            _ => texts.skipped += 1,
        }
    }
    Ok(texts)
}

/// `text` (of line `line`) to classify, unless it is longer than classify reads
/// ([`crate::limits::check_text_chars`]): the whole file is refused then, by its line. Read, one
/// text of 17 million characters made `classifyBatch` refuse the whole file's texts, and the
/// page's "Classify a file" gave no result at all.
fn checked(text: &str, line: usize) -> Result<String, Error> {
    match crate::limits::check_text_chars(text) {
        Ok(()) => Ok(text.to_string()),
        Err(e) => Err(Error::TooLarge(format!("line {line}: {e}"))),
    }
}

/// The texts of a file that is one column as [`to_csv`] writes it (`Classifier.toCsv`, or a
/// spreadsheet's one-column export without a header): quoted texts that hold commas, quotes
/// (`""`) and line breaks. Read line by line, the quotes stayed in the texts and a text of two
/// lines became two. Only a file written exactly so is read as one (a text that merely starts
/// with a quote, `"Great" fun`, keeps it); `None` for any other.
fn quoted_column(content: &str) -> Result<Option<Texts>, Error> {
    if !content.lines().any(|line| line.starts_with('"')) {
        return Ok(None);
    }
    // A separator no UTF-8 text holds: one field a row, quotes read as CSV's.
    let (lines, rows): (Vec<usize>, Vec<Vec<String>>) = table::rows(content, 0xff)?
        .into_iter()
        .map(|row| (row.line, row.fields))
        .unzip();
    let unix = |text: &str| text.replace("\r\n", "\n");
    let written = unix(&to_csv(&rows, false));
    if rows.iter().any(|fields| fields.len() != 1)
        || written.trim_end_matches('\n') != unix(content).trim_end_matches('\n')
    {
        return Ok(None);
    }
    let mut texts = Texts::default();
    for (fields, line) in rows.iter().zip(lines) {
        match fields[0].trim() {
            "" => texts.skipped += 1,
            text => texts.texts.push(checked(text, line)?),
        }
    }
    Ok(Some(texts))
}

/// Whether column `c` of `rows` holds keys rather than pieces of prose: nine in ten of its
/// fields are one word with no sentence end (`.`, `!`, `?`) after it, and half of them hold a
/// digit (ids, dates, numbers) or the column repeats its values (labels).
fn holds_keys(rows: &[table::Row], c: usize) -> bool {
    let fields: Vec<&str> = rows
        .iter()
        .filter_map(|r| r.fields.get(c).map(|f| f.trim()))
        .filter(|f| !f.is_empty())
        .collect();
    if fields.is_empty() {
        return false;
    }
    let words = fields
        .iter()
        .filter(|f| !f.contains(char::is_whitespace) && !f.ends_with(['.', '!', '?']))
        .count();
    let numbered = fields
        .iter()
        .filter(|f| f.contains(|ch: char| ch.is_ascii_digit()))
        .count();
    let distinct = fields
        .iter()
        .collect::<std::collections::HashSet<_>>()
        .len();
    words * 10 >= fields.len() * 9 && (numbered * 2 >= fields.len() || distinct * 2 <= fields.len())
}

/// Mean characters of a column that holds ids, labels or dates rather than texts.
const SHORT_FIELD: f64 = 12.0;

/// Mean trimmed length of each of the first `width` columns over `rows` (a missing field counts
/// as empty), in one pass: a column at a time walked every row once per column, 14 s for a
/// 400 KB file of one 100,000-field row.
fn mean_lengths(rows: &[table::Row], width: usize) -> Vec<f64> {
    let mut totals = vec![0usize; width];
    for r in rows {
        for (total, f) in totals.iter_mut().zip(&r.fields) {
            *total += f.trim().chars().count();
        }
    }
    let n = rows.len().max(1) as f64;
    totals.into_iter().map(|t| t as f64 / n).collect()
}

/// The column whose fields are longest on average (the first of equals), given their `means`.
fn longest_column(means: &[f64]) -> usize {
    let width = means.len();
    (0..width)
        .rev()
        .max_by(|&a, &b| means[a].total_cmp(&means[b]))
        .unwrap_or(0)
}

/// `rows` as CSV (comma-separated, CRLF line ends as RFC 4180 has them), each field quoted only
/// where it holds a comma, a quote or a line break. With `escape_formulae`, a field a spreadsheet
/// would run as a formula is written as text ([`escape_formula`]).
pub fn to_csv(rows: &[Vec<String>], escape_formulae: bool) -> String {
    let mut writer = WriterBuilder::new().terminator(Terminator::CRLF).build();
    // Made once: a buffer grown by doubling held up to three times the file at its last growth.
    let mut out = Vec::with_capacity(csv_len(rows));
    let mut buffer = [0u8; 4096];
    for row in rows {
        for (i, field) in row.iter().enumerate() {
            if i > 0 {
                write_all(&mut out, &mut buffer, |b| writer.delimiter(b));
            }
            let field = if escape_formulae {
                escape_formula(field)
            } else {
                Cow::Borrowed(field.as_str())
            };
            let mut input = field.as_bytes();
            loop {
                let (result, n_in, n_out) = writer.field(input, &mut buffer);
                out.extend_from_slice(&buffer[..n_out]);
                input = &input[n_in..];
                if result == WriteResult::InputEmpty {
                    break;
                }
            }
        }
        write_all(&mut out, &mut buffer, |b| writer.terminator(b));
    }
    write_all(&mut out, &mut buffer, |b| writer.finish(b));
    String::from_utf8(out).unwrap_or_default()
}

/// The most bytes [`to_csv`] writes for `rows`: each field's bytes with its quotes doubled, two
/// quotes around it, a `'` before it (`escape_formulae`) and a separator or line end after it.
pub fn csv_len(rows: &[Vec<String>]) -> usize {
    rows.iter()
        .map(|row| {
            row.iter()
                .map(|f| f.len() + f.bytes().filter(|&b| b == b'"').count() + 4)
                .sum::<usize>()
                + 2
        })
        .sum()
}

/// `field` with a `'` before it if it starts as a spreadsheet formula does (`=`, `+`, `-`, `@`, a
/// tab or a carriage return), so that Excel, LibreOffice and Google Sheets show it as text: a
/// results file holds texts from anywhere, and `=HYPERLINK(...)` in a review must not run when
/// the file is opened (OWASP's "CSV injection" advice; PapaParse's `escapeFormulae`). A plain
/// number (`-1`, `+0.5`, a label such as `+1`) is a number to a spreadsheet, never a formula: it is
/// left as it is.
pub fn escape_formula(field: &str) -> Cow<'_, str> {
    match field.as_bytes().first() {
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r') if !is_plain_number(field) => {
            Cow::Owned(format!("'{field}"))
        }
        _ => Cow::Borrowed(field),
    }
}

/// Whether `field` is a decimal number and nothing else: a sign, digits with at most one point,
/// and an exponent (`-1`, `+2.5`, `1e-3`; not `-inf`, `- 1` or `-1+1`).
fn is_plain_number(field: &str) -> bool {
    let b = field.as_bytes();
    let mut i = usize::from(matches!(b.first(), Some(b'+' | b'-')));
    let digits = |i: &mut usize| {
        let from = *i;
        while b.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i - from
    };
    let mut n = digits(&mut i);
    if b.get(i) == Some(&b'.') {
        i += 1;
        n += digits(&mut i);
    }
    if n == 0 {
        return false;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        i += usize::from(matches!(b.get(i), Some(b'+' | b'-')));
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

/// Runs a csv-core step that takes no input until it has written all it has.
fn write_all(
    out: &mut Vec<u8>,
    buffer: &mut [u8],
    mut step: impl FnMut(&mut [u8]) -> (WriteResult, usize),
) {
    loop {
        let (result, n) = step(buffer);
        out.extend_from_slice(&buffer[..n]);
        if result == WriteResult::InputEmpty {
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_text_longer_than_classify_reads_is_refused_by_its_line() {
        // Read whole, a line of 17 million characters made classifyBatch refuse every text of
        // the file: the page's "Classify a file" gave no result at all.
        let long = "great ".repeat(crate::limits::MAX_TEXT_CHARS / 6 + 1);
        let commas = "great, ".repeat(crate::limits::MAX_TEXT_CHARS / 7 + 1);
        let cases = [
            // One text per line.
            (format!("fine\n\n{long}\n"), 3),
            // A column of a table.
            (format!("id\ttext\n1\tfine\n2\t{long}\n"), 3),
            // One quoted column, as toCsv writes it.
            (format!("\"fine, really\"\n\"{commas}\"\n"), 2),
        ];
        for (content, line) in cases {
            let Err(e) = parse_texts(&content, None) else {
                panic!("line {line}: read");
            };
            assert!(matches!(e, Error::TooLarge(_)), "{e}");
            let message = e.to_string();
            assert!(
                message.starts_with(&format!("line {line}: the text has ")),
                "{message}"
            );
            assert!(message.contains("at most 16777216"), "{message}");
        }
        // At the limit, read whole.
        let at = "x".repeat(crate::limits::MAX_TEXT_CHARS);
        assert_eq!(
            parse_texts(&format!("fine\n{at}\n"), None).unwrap().texts[1],
            at
        );
    }

    #[test]
    fn a_text_files_commas_are_prose() {
        // Read by content alone, "Yes" / "No" / "Sure" repeated made a column of keys, and each
        // text lost its first word.
        let lines = "Yes, I liked it a lot\nNo, it was bad\nYes, great fun\nNo, never again\n\
                     Well, okay I guess\nNo, not good\nYes, superb acting\nNo, dull plot\n\
                     Sure, why not\nNo, awful\n";
        let by_content = parse_texts(lines, None).unwrap();
        assert_eq!(by_content.column, Some(1), "{by_content:?}");
        let text_file = parse_file_texts(lines, None, "Notes.TXT").unwrap();
        assert_eq!(text_file.column, None);
        assert_eq!(text_file.texts[3], "No, never again");
        assert_eq!(text_file.texts.len(), 10);
        // Tabs still make columns in a text file (Excel's "Text (Tab delimited)"), and so does a
        // header; a .csv is read by content as before.
        let tsv = parse_file_texts("id\ttext\n1\tNo, never again\n", None, "x.txt").unwrap();
        assert_eq!(tsv.texts, vec!["No, never again"]);
        let named = parse_file_texts("text,id\nfine,1\ndull,2\n", None, "x.txt").unwrap();
        assert_eq!(named.texts, vec!["fine", "dull"]);
        assert_eq!(parse_file_texts(lines, None, "x.csv").unwrap(), by_content);
    }

    #[test]
    fn one_text_per_line_even_with_commas() {
        let t = parse_texts("Great film, loved it.\n\nDull, slow, long.\r\nFine\n", None).unwrap();
        assert_eq!(
            t.texts,
            ["Great film, loved it.", "Dull, slow, long.", "Fine"]
        );
        assert_eq!((t.column, t.header, t.columns.len()), (None, false, 0));
        assert!(parse_texts("a\nb\n", Some(1)).is_err());
        // Prose whose every line has two commas is still prose.
        let lines = "One film, slow, and long at that.\nAnother, sadder, and even longer one.\n";
        assert_eq!(parse_texts(lines, None).unwrap().texts.len(), 2);
        // Short prose with one comma a line is prose too: no column of keys.
        for lines in [
            "Loved it, truly.\nHated it, sadly.\n",
            "Not bad, actually",
            "It was fine, honestly\nNot great, sadly\nGood, mostly\n",
        ] {
            let t = parse_texts(lines, None).unwrap();
            assert_eq!(t.texts, lines.lines().collect::<Vec<_>>(), "{lines:?}");
            assert_eq!(t.column, None);
        }
    }

    #[test]
    fn a_column_of_keys_makes_a_table_without_a_header() {
        // Ids, dates, labels: numbered or repeated single words.
        for (csv, texts) in [
            ("1,Loved it\n2,Hated it\n", vec!["Loved it", "Hated it"]),
            (
                "2024-01-02;Great fun, all of it\n2024-01-03;Dull\n",
                vec!["Great fun, all of it", "Dull"],
            ),
            (
                "pos,Great fun\nneg,Awful film\npos,Fine work\nneg,Dull\n",
                vec!["Great fun", "Awful film", "Fine work", "Dull"],
            ),
        ] {
            let t = parse_texts(csv, None).unwrap();
            assert_eq!(t.texts, texts, "{csv:?}");
            assert_eq!(t.column, Some(1), "{csv:?}");
        }
    }

    #[test]
    fn one_column_named_text_is_read_as_csv() {
        let csv = to_csv(
            &[
                vec!["text".to_string()],
                vec!["a, b".to_string()],
                vec!["say \"hi\"".to_string()],
                vec!["line\nbreak".to_string()],
            ],
            false,
        );
        let t = parse_texts(&csv, None).unwrap();
        assert_eq!(t.texts, ["a, b", "say \"hi\"", "line\nbreak"]);
        assert_eq!((t.header, t.column), (true, Some(0)));
        // Unquoted, a comma stays in its text.
        let t = parse_texts("review\nLoved it, truly.\nMeh\n", None).unwrap();
        assert_eq!(t.texts, ["Loved it, truly.", "Meh"]);
    }

    #[test]
    fn a_table_gives_its_text_column() {
        let csv = "id,review,stars\n1,\"Loved it, truly\",5\n2,\"Said \"\"meh\"\"\",2\n3,,1\n";
        let t = parse_texts(csv, None).unwrap();
        assert_eq!(t.columns, ["id", "review", "stars"]);
        assert_eq!((t.column, t.header, t.skipped), (Some(1), true, 1));
        assert_eq!(t.texts, ["Loved it, truly", "Said \"meh\""]);
        // Chosen by hand.
        assert_eq!(parse_texts(csv, Some(2)).unwrap().texts, ["5", "2", "1"]);
        assert!(parse_texts(csv, Some(3)).is_err());
        // No header: the column with the longest fields, whatever its place.
        let t = parse_texts(
            "7\tA long review of a film\n8\tAnother long one here\n",
            None,
        )
        .unwrap();
        assert_eq!((t.column, t.header), (Some(1), false));
        assert_eq!(t.columns, ["Column 1", "Column 2"]);
        assert!(parse_texts("\0\u{1}PNG", None).is_err());
    }

    #[test]
    fn csv_out_is_read_back_as_written() {
        let rows = vec![
            vec!["text".to_string(), "label".to_string()],
            vec!["Hi, \"you\"\nthere".to_string(), "praise".to_string()],
            vec!["plain".to_string(), "=1+1".to_string()],
        ];
        let csv = to_csv(&rows, false);
        assert!(csv.starts_with("text,label\r\n\"Hi, \"\"you\"\"\nthere\",praise\r\n"));
        let back = table::rows(&csv, b',').unwrap();
        let fields: Vec<Vec<String>> = back.into_iter().map(|r| r.fields).collect();
        assert_eq!(fields, rows);
    }

    #[test]
    fn csv_len_bounds_what_to_csv_writes() {
        let rows: Vec<Vec<String>> = vec![
            vec!["\"\"\"".into(), "=1+1".into(), String::new()],
            vec!["a, b\r\nc".into(), "é€😀 \"q\"".into()],
            vec![],
            vec!["-2 stars".into()],
        ];
        for escape in [false, true] {
            let written = to_csv(&rows, escape).len();
            assert!(written <= csv_len(&rows), "{written} > {}", csv_len(&rows));
        }
        // Every field quoted and every byte a quote: the most there can be.
        let quotes = vec![vec!["\"".repeat(50)]];
        assert_eq!(to_csv(&quotes, true).len(), csv_len(&quotes) - 2);
    }

    #[test]
    fn one_column_as_to_csv_writes_it_is_read_back_as_written() {
        let texts = [
            "I loved it, really",
            "He said \"wow\"",
            "two\nlines",
            "plain",
            "\"quoted\"",
        ];
        let rows: Vec<Vec<String>> = texts.iter().map(|t| vec![t.to_string()]).collect();
        let t = parse_texts(&to_csv(&rows, false), None).unwrap();
        assert_eq!(t.texts, texts);
        assert_eq!((t.column, t.header), (None, false));
        // Line by line when the quotes are not CSV's: they stay in their texts.
        for lines in [
            "\"Great\" fun, truly\nDull\n",
            "\"Never closed\nDull\n",
            "\"a\"\n\nb\n",
        ] {
            let t = parse_texts(lines, None).unwrap();
            let expected: Vec<&str> = lines.lines().filter(|l| !l.is_empty()).collect();
            assert_eq!(t.texts, expected, "{lines:?}");
        }
    }

    #[test]
    fn a_last_column_cut_at_unquoted_commas_is_one_text() {
        let t = parse_texts(
            "id,review\n1,I loved it, really\n2,bad, sadly, very\n",
            None,
        )
        .unwrap();
        assert_eq!(t.texts, ["I loved it, really", "bad, sadly, very"]);
        let t = parse_texts("id,review\n1,I loved it, really\n", Some(1)).unwrap();
        assert_eq!(t.texts, ["I loved it, really"]);
    }

    #[test]
    fn formulae_are_escaped_only_when_asked() {
        let texts = [
            "=HYPERLINK(\"x\")",
            "+1",
            "-2.5e3",
            "-2 stars",
            "-inf",
            "-1+1",
            "@SUM(A1)",
            "\tx",
            "\rx",
            "a=1",
            "'=1",
            "",
        ];
        let rows: Vec<Vec<String>> = texts.iter().map(|t| vec![t.to_string()]).collect();
        let read = |csv: &str| -> Vec<String> {
            table::rows(csv, b',')
                .unwrap()
                .into_iter()
                .map(|r| r.fields.concat())
                .collect()
        };
        assert_eq!(read(&to_csv(&rows, false)), texts);
        let escaped = read(&to_csv(&rows, true));
        let expected = [
            "'=HYPERLINK(\"x\")",
            "+1",
            "-2.5e3",
            "'-2 stars",
            "'-inf",
            "'-1+1",
            "'@SUM(A1)",
            "'\tx",
            "'\rx",
            "a=1",
            "'=1",
            "",
        ];
        assert_eq!(escaped, expected);
    }
}
