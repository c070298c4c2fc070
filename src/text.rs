//! The tokenizer: one definition of "a word" for training, inference and explanations.
//!
//! Text is lowercased; HTML-like tags (`<br />`, `<i>`) become separators; a word is a run of
//! letters and digits that may hold inner apostrophes (`don't`, `film's`, as in the pre-trained
//! vocabularies; `’` is read as `'`); `!` and `?` are tokens of their own because they carry
//! sentiment; every other character separates words. Each token keeps the byte span of the input it
//! came from, so explanations can point back into the user's text.
//!
//! The tokenizer never fails and never panics: any `&str` (empty, megabytes long, emoji, CJK,
//! right-to-left scripts, NUL) gives a token list, possibly empty.

/// One token: its normalised text and the byte range of the input it was read from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    /// Lowercased text, apostrophes normalised to `'`.
    pub text: String,
    /// Byte offset of the first byte in the input.
    pub start: usize,
    /// Byte offset one past the last byte in the input.
    pub end: usize,
}

/// The longest run (in bytes) that is still taken for a tag; anything longer is text.
const MAX_TAG_BYTES: usize = 256;

/// Splits `text` into tokens. Deterministic, linear in the length of the input.
pub fn tokenize(text: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut word: Option<(usize, String)> = None;
    let mut chars = text.char_indices().peekable();

    while let Some((at, c)) = chars.next() {
        if c == '<' {
            if let Some(len) = tag_len(&text[at..]) {
                finish(&mut tokens, &mut word, at);
                // Skip the rest of the tag: every char up to and including the closing '>'.
                while let Some(&(next, _)) = chars.peek() {
                    if next >= at + len {
                        break;
                    }
                    chars.next();
                }
                continue;
            }
        }
        if c.is_alphanumeric() {
            let (_, buf) = word.get_or_insert_with(|| (at, String::new()));
            buf.extend(c.to_lowercase());
            continue;
        }
        if is_apostrophe(c) && word.is_some() {
            // Inner apostrophe: kept only when a letter or digit follows.
            if matches!(chars.peek(), Some(&(_, n)) if n.is_alphanumeric()) {
                if let Some((_, buf)) = word.as_mut() {
                    buf.push('\'');
                }
                continue;
            }
        }
        finish(&mut tokens, &mut word, at);
        if c == '!' || c == '?' {
            let end = at + c.len_utf8();
            // A run such as "!!!" is one token: it says as much as "!" once.
            match tokens.last_mut() {
                Some(last)
                    if last.end == at && last.text.len() == 1 && last.text.starts_with(c) =>
                {
                    last.end = end;
                }
                _ => tokens.push(Token {
                    text: c.to_string(),
                    start: at,
                    end,
                }),
            }
        }
    }
    finish(&mut tokens, &mut word, text.len());
    tokens
}

fn is_apostrophe(c: char) -> bool {
    c == '\'' || c == '\u{2019}'
}

fn finish(tokens: &mut Vec<Token>, word: &mut Option<(usize, String)>, end: usize) {
    if let Some((start, text)) = word.take() {
        tokens.push(Token { text, start, end });
    }
}

/// If `s` starts with a tag (`<br />`, `</i>`, `<a href="x">`), its length in bytes.
///
/// A tag opens with `<`, then an ASCII letter or `/`, and closes with the first `>` within
/// [`MAX_TAG_BYTES`] with no other `<` or newline before it. A lone `<` (as in "3 < 5") is not a tag.
fn tag_len(s: &str) -> Option<usize> {
    let bytes = s.as_bytes();
    match bytes.get(1) {
        Some(b) if b.is_ascii_alphabetic() || *b == b'/' => {}
        _ => return None,
    }
    for (i, &b) in bytes.iter().enumerate().skip(1).take(MAX_TAG_BYTES) {
        match b {
            b'>' => return Some(i + 1),
            b'<' | b'\n' => return None,
            _ => {}
        }
    }
    None
}

/// Converts byte offsets into `text` to UTF-16 code-unit offsets, as JavaScript counts them.
///
/// `offsets` must be sorted ascending and lie on char boundaries (token spans do); the result has
/// one entry per offset. Runs in one pass over `text`.
pub fn utf16_offsets(text: &str, offsets: &[usize]) -> Vec<usize> {
    let mut out = Vec::with_capacity(offsets.len());
    let mut units = 0;
    let mut chars = text.char_indices().peekable();
    for &target in offsets {
        while let Some(&(at, c)) = chars.peek() {
            if at >= target {
                break;
            }
            units += c.len_utf16();
            chars.next();
        }
        out.push(units);
    }
    out
}

/// Converts token byte spans (ascending, non-overlapping, as [`tokenize`] makes them) into UTF-16
/// code-unit spans, so that JavaScript's `text.slice(start, end)` gives the token's characters.
pub fn utf16_spans(text: &str, spans: &[(usize, usize)]) -> Vec<(usize, usize)> {
    let flat: Vec<usize> = spans.iter().flat_map(|&(s, e)| [s, e]).collect();
    utf16_offsets(text, &flat)
        .chunks_exact(2)
        .map(|p| (p[0], p[1]))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<String> {
        tokenize(text).into_iter().map(|t| t.text).collect()
    }

    #[test]
    fn lowercases_and_splits_punctuation() {
        assert_eq!(
            words("Great movie, GREAT cast."),
            ["great", "movie", "great", "cast"]
        );
    }

    #[test]
    fn tags_are_separators() {
        assert_eq!(
            words("bad.<br /><br />Really<i>bad</i>"),
            ["bad", "really", "bad"]
        );
        assert_eq!(words("a<a href=\"x\">b"), ["a", "b"]);
    }

    #[test]
    fn unbalanced_tags_and_lone_brackets_do_not_swallow_text() {
        assert_eq!(words("3 < 5 and good"), ["3", "5", "and", "good"]);
        assert_eq!(
            words("<br never closed good"),
            ["br", "never", "closed", "good"]
        );
        assert_eq!(words("good <"), ["good"]);
        assert_eq!(words("<"), Vec::<String>::new());
        assert_eq!(words(">>><<</"), Vec::<String>::new());
    }

    #[test]
    fn inner_apostrophes_stay_whole() {
        assert_eq!(
            words("Don't, it’s the film's 'best' teachers' pomp"),
            ["don't", "it's", "the", "film's", "best", "teachers", "pomp"]
        );
    }

    #[test]
    fn exclamation_and_question_marks_are_tokens() {
        assert_eq!(words("Wow!!! Really?"), ["wow", "!", "really", "?"]);
        let t = tokenize("no!!");
        assert_eq!((t[1].start, t[1].end), (2, 4));
    }

    #[test]
    fn spans_point_into_the_input() {
        let text = "Café <b>DÉJÀ</b> vu 😀 good";
        for t in tokenize(text) {
            assert_eq!(text[t.start..t.end].to_lowercase(), t.text);
        }
    }

    #[test]
    fn hostile_text_never_panics() {
        let cases = [
            String::new(),
            " \t\n ".to_string(),
            "\0\0abc\0".to_string(),
            "😀😡👍🏽 🇫🇷".to_string(),
            "这部电影很好看 映画は最高".to_string(),
            "הסרט היה נהדר فيلم رائع".to_string(),
            "'''".to_string(),
            "a'".to_string(),
            "<".repeat(1000),
            "<b".repeat(1000),
            "ǅİẞ".to_string(),
        ];
        for text in &cases {
            for t in tokenize(text) {
                assert!(t.start < t.end && t.end <= text.len());
                assert!(text.is_char_boundary(t.start) && text.is_char_boundary(t.end));
            }
        }
        assert_eq!(words("\0good\0bad"), ["good", "bad"]);
        assert_eq!(words("这部电影 good"), ["这部电影", "good"]);
    }

    #[test]
    fn a_megabyte_is_fine() {
        let text = "a great film! ".repeat(75_000);
        assert!(text.len() > 1_000_000);
        assert_eq!(tokenize(&text).len(), 4 * 75_000);
    }

    #[test]
    fn utf16_offsets_count_surrogate_pairs() {
        let text = "😀 good é";
        let spans: Vec<usize> = tokenize(text)
            .iter()
            .flat_map(|t| [t.start, t.end])
            .collect();
        assert_eq!(utf16_offsets(text, &spans), [3, 7, 8, 9]);
        let utf16: Vec<u16> = text.encode_utf16().collect();
        assert_eq!(String::from_utf16_lossy(&utf16[3..7]), "good");
    }

    #[test]
    fn utf16_spans_slice_the_same_words_as_javascript() {
        let text = "👍🏽 Loved it!! 😡 naïve 日本 film";
        let tokens = tokenize(text);
        let bytes: Vec<(usize, usize)> = tokens.iter().map(|t| (t.start, t.end)).collect();
        let spans = utf16_spans(text, &bytes);
        assert_eq!(spans.len(), tokens.len());
        let utf16: Vec<u16> = text.encode_utf16().collect();
        for ((s, e), (bs, be)) in spans.iter().zip(&bytes) {
            assert_eq!(String::from_utf16(&utf16[*s..*e]).unwrap(), text[*bs..*be]);
        }
        assert_eq!(spans[0], (5, 10));
        assert!(utf16_spans("", &[]).is_empty());
    }
}
