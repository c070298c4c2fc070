//! A frozen copy of the "polarity-1" tokenizer and encoder as first written (char by char, a
//! `String` per token, a SipHash `HashMap` of words, binary search of kept bigram buckets).
//!
//! Shipped models' ids are defined by this code: the faster `Vocabulary::encode` and `tokenize`
//! are tested (tests/encode.rs) and timed (examples/encode_timing.rs) against it. Do not edit.

#![allow(dead_code)]

use std::collections::HashMap;

use polarity::vocab::Vocabulary;

/// One token: its normalised text and the byte range of the input it was read from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    pub text: String,
    pub start: usize,
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

/// The encoder as it was: `encode_tokens(&tokenize(text))` with its own word map.
pub struct Encoder<'a> {
    vocab: &'a Vocabulary,
    index: HashMap<String, u32>,
}

impl<'a> Encoder<'a> {
    pub fn new(vocab: &'a Vocabulary) -> Self {
        let index = vocab
            .words()
            .iter()
            .enumerate()
            .map(|(i, w)| (w.clone(), i as u32 + 1))
            .collect();
        Encoder { vocab, index }
    }

    pub fn unigram_id(&self, token: &str) -> u32 {
        match self.index.get(token) {
            Some(&id) => id,
            None => {
                let first_oov = 1 + self.vocab.words().len() as u32;
                first_oov + (fnv1a(&[token.as_bytes()]) % self.vocab.oov_buckets() as u64) as u32
            }
        }
    }

    pub fn bigram_id(&self, a: &str, b: &str) -> Option<u32> {
        if self.vocab.bigram_buckets() == 0 {
            return None;
        }
        let hash = fnv1a(&[a.as_bytes(), b"\x1f", b.as_bytes()]);
        let bucket = (hash % self.vocab.bigram_buckets() as u64) as u32;
        let row = match self.vocab.kept_bigrams() {
            Some(kept) => kept.binary_search(&bucket).ok()? as u32,
            None => bucket,
        };
        Some(self.vocab.first_bigram_id() + row)
    }

    pub fn encode_tokens(&self, tokens: &[Token]) -> Vec<u32> {
        let mut ids = Vec::with_capacity(tokens.len() * 2);
        ids.extend(tokens.iter().map(|t| self.unigram_id(&t.text)));
        ids.extend(
            tokens
                .windows(2)
                .filter_map(|pair| self.bigram_id(&pair[0].text, &pair[1].text)),
        );
        ids
    }

    pub fn encode(&self, text: &str) -> Vec<u32> {
        self.encode_tokens(&tokenize(text))
    }
}

fn fnv1a(parts: &[&[u8]]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for &b in *part {
            hash ^= b as u64;
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    hash
}
