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
    let mut sink = TokenSink {
        tokens: Vec::new(),
        word: String::new(),
    };
    scan(text, &mut sink);
    sink.tokens
}

/// How many tokens [`tokenize`] would give, without building them (for limits on long texts).
pub fn count_tokens(text: &str) -> usize {
    struct Count(usize);
    impl Sink for Count {
        fn push_ascii(&mut self, _: u8) {}
        fn push_ascii_run(&mut self, _: &[u8]) {}
        fn push_char(&mut self, _: char) {}
        fn word(&mut self, _: usize, _: usize) {
            self.0 += 1;
        }
        fn mark(&mut self, _: u8, _: usize, _: usize) {
            self.0 += 1;
        }
        fn extend_mark(&mut self, _: usize) {}
    }
    let mut count = Count(0);
    scan(text, &mut count);
    count.0
}

/// What [`scan`] reports, in input order. Lets the encoder hash token bytes as they are read,
/// without a `String` per token, while [`tokenize`] builds [`Token`]s from the very same scan.
pub(crate) trait Sink {
    /// The next byte of the current word's normalised text, an ASCII byte.
    fn push_ascii(&mut self, byte: u8);
    /// The next ASCII letters and digits of the current word as in the input: not yet lowercased.
    fn push_ascii_run(&mut self, run: &[u8]);
    /// The run of ASCII letters and digits that `rest` starts with (at least one), as
    /// [`Sink::push_ascii_run`]; returns its length. A sink may find the run's end and take it
    /// in one pass.
    #[inline]
    fn push_ascii_word(&mut self, rest: &[u8]) -> usize {
        let n = rest
            .iter()
            .position(|b| !b.is_ascii_alphanumeric())
            .unwrap_or(rest.len());
        self.push_ascii_run(&rest[..n]);
        n
    }
    /// The next char of the current word's normalised text (any char, ASCII included).
    fn push_char(&mut self, c: char);
    /// The current word (at least one byte pushed) spans `start..end` of the input.
    fn word(&mut self, start: usize, end: usize);
    /// A `!` or `?` token spanning `start..end`.
    fn mark(&mut self, mark: u8, start: usize, end: usize);
    /// The last token, a mark, now ends at `end`: a run such as "!!!" is one token.
    fn extend_mark(&mut self, end: usize);
}

struct TokenSink {
    tokens: Vec<Token>,
    word: String,
}

impl Sink for TokenSink {
    fn push_ascii(&mut self, byte: u8) {
        self.word.push(byte as char);
    }

    fn push_ascii_run(&mut self, run: &[u8]) {
        self.word
            .extend(run.iter().map(|b| b.to_ascii_lowercase() as char));
    }

    fn push_char(&mut self, c: char) {
        self.word.push(c);
    }

    fn word(&mut self, start: usize, end: usize) {
        let text = std::mem::take(&mut self.word);
        self.tokens.push(Token { text, start, end });
    }

    fn mark(&mut self, mark: u8, start: usize, end: usize) {
        let text = (mark as char).to_string();
        self.tokens.push(Token { text, start, end });
    }

    fn extend_mark(&mut self, end: usize) {
        if let Some(last) = self.tokens.last_mut() {
            last.end = end;
        }
    }
}

/// The tokenizer proper (see the module documentation), reporting tokens to `sink`.
///
/// Walks bytes with an ASCII fast path; other chars are decoded and judged by Unicode
/// (`char::is_alphanumeric`, `char::to_lowercase`, whose output may be longer than its input).
pub(crate) fn scan(text: &str, sink: &mut impl Sink) {
    let bytes = text.as_bytes();
    // Start of the word being read, if any.
    let mut word: Option<usize> = None;
    // The last mark token and its end, to merge runs of the same mark.
    let mut last_mark: (u8, usize) = (0, usize::MAX);
    let mut at = 0;

    while let Some(&b) = bytes.get(at) {
        let (c, len) = if b.is_ascii() {
            if b.is_ascii_alphanumeric() {
                // A run of ASCII letters and digits in one call, the common case.
                word.get_or_insert(at);
                at += sink.push_ascii_word(&bytes[at..]);
                continue;
            }
            (b as char, 1)
        } else {
            match text.get(at..).and_then(|rest| rest.chars().next()) {
                Some(c) => (c, c.len_utf8()),
                // Unreachable: `at` is always on a char boundary.
                None => break,
            }
        };
        if c == '<' {
            if let Some(len) = tag_len(&bytes[at..]) {
                finish(sink, &mut word, at);
                // Tags end with the ASCII '>', so `at` stays on a char boundary.
                at += len;
                continue;
            }
        }
        if c.is_alphanumeric() {
            // Only non-ASCII chars get here: ASCII letters and digits took the fast path.
            word.get_or_insert(at);
            for lower in c.to_lowercase() {
                sink.push_char(lower);
            }
            at += len;
            continue;
        }
        if is_apostrophe(c) && word.is_some() {
            // Inner apostrophe: kept only when a letter or digit follows.
            let next = text.get(at + len..).and_then(|rest| rest.chars().next());
            if next.is_some_and(char::is_alphanumeric) {
                sink.push_ascii(b'\'');
                at += len;
                continue;
            }
        }
        finish(sink, &mut word, at);
        if b == b'!' || b == b'?' {
            if last_mark == (b, at) {
                sink.extend_mark(at + 1);
            } else {
                sink.mark(b, at, at + 1);
            }
            last_mark = (b, at + 1);
        }
        at += len;
    }
    finish(sink, &mut word, text.len());
}

fn is_apostrophe(c: char) -> bool {
    c == '\'' || c == '\u{2019}'
}

fn finish(sink: &mut impl Sink, word: &mut Option<usize>, end: usize) {
    if let Some(start) = word.take() {
        sink.word(start, end);
    }
}

/// If `s` starts with a tag (`<br />`, `</i>`, `<a href="x">`), its length in bytes.
///
/// A tag opens with `<`, then an ASCII letter or `/`, and closes with the first `>` within
/// [`MAX_TAG_BYTES`] with no other `<` or newline before it. A lone `<` (as in "3 < 5") is not a tag.
fn tag_len(bytes: &[u8]) -> Option<usize> {
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
