//! A frozen copy of the "polarity-2" reader and encoder as first written (commit 8b66c19): the
//! polarity-1 tokens (tests/reference/polarity1.rs), URLs and @mentions merged, boundaries from
//! the gaps char by char, the scope state machine over token texts, the typo search built
//! candidate by candidate from its documented order, and ids from the public per-token lookups.
//!
//! Shipped polarity-2 models' ids are defined by this code: the one-pass `Vocabulary::encode` is
//! tested against it (tests/encode2.rs). Do not edit.

#![allow(dead_code)]

use polarity::vocab::{Scheme, Vocabulary};

use super::polarity1::{tokenize, Token};

const URL: &str = "<url>";
const USER: &str = "<user>";
const MAX_SENTENCE: usize = 200;
const MAX_ASIDE: usize = 3;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    Contrast,
    Concession,
}

pub fn tokenize2(text: &str) -> (Vec<Token>, Vec<u8>) {
    let tokens = merge_links(text, tokenize(text));
    let mut breaks = Vec::with_capacity(tokens.len());
    let mut previous_end = 0;
    for (i, t) in tokens.iter().enumerate() {
        let gap = &text[previous_end..t.start];
        let mut b = 0u8;
        if i > 0 {
            for c in gap.chars() {
                b = b.max(match c {
                    '.' | '!' | '?' | '\n' | '<' | '…' => 2,
                    ',' | ';' | ':' | '(' | ')' | '[' | ']' | '"' | '—' | '–' => 1,
                    _ => 0,
                });
            }
            if is_mark(&tokens[i - 1].text) {
                b = 2;
            }
        }
        breaks.push(b);
        previous_end = t.end;
    }
    cap_sentences(&mut breaks);
    (tokens, breaks)
}

fn cap_sentences(breaks: &mut [u8]) {
    let mut since = 0;
    for b in breaks.iter_mut() {
        if *b >= 2 || since == MAX_SENTENCE {
            *b = 2;
            since = 0;
        }
        since += 1;
    }
}

pub fn is_silent(t: &str) -> bool {
    t == URL || t == USER
}

fn is_mark(t: &str) -> bool {
    t == "!" || t == "?"
}

fn merge_links(text: &str, tokens: Vec<Token>) -> Vec<Token> {
    let mut links: Vec<(usize, usize, &str)> = Vec::new();
    let mut chunks = Vec::new();
    let mut start = None;
    for (at, c) in text.char_indices() {
        match (c.is_whitespace(), start) {
            (true, Some(s)) => {
                chunks.push((s, at));
                start = None;
            }
            (false, None) => start = Some(at),
            _ => {}
        }
    }
    if let Some(s) = start {
        chunks.push((s, text.len()));
    }
    for (start, end) in chunks {
        let chunk = &text[start..end];
        let lead = chunk.len() - chunk.trim_start_matches(['(', '[', '"', '\'']).len();
        let body = &chunk[lead..];
        let body = body.trim_end_matches(|c: char| !(c.is_alphanumeric() || c == '/' || c == '_'));
        let lower = body
            .get(..8.min(body.len()))
            .unwrap_or("")
            .to_ascii_lowercase();
        let kind = if lower.starts_with("http://")
            || lower.starts_with("https://")
            || lower.starts_with("www.")
        {
            URL
        } else if body.len() > 1
            && body.starts_with('@')
            && body[1..].starts_with(|c: char| c.is_alphanumeric() || c == '_')
        {
            USER
        } else {
            continue;
        };
        links.push((start + lead, start + lead + body.len(), kind));
    }
    if links.is_empty() {
        return tokens;
    }
    let mut out: Vec<Token> = Vec::with_capacity(tokens.len());
    let mut link = links.iter().peekable();
    let mut current: Option<(usize, usize, &str)> = None;
    for t in tokens {
        while let Some(&&(_, end, _)) = link.peek() {
            if end <= t.start {
                link.next();
            } else {
                break;
            }
        }
        match link.peek() {
            Some(&&(start, end, kind)) if t.start >= start && t.end <= end => {
                if current == Some((start, end, kind)) {
                    if let Some(last) = out.last_mut() {
                        last.end = t.end;
                    }
                } else {
                    current = Some((start, end, kind));
                    out.push(Token {
                        text: kind.to_string(),
                        start: t.start,
                        end: t.end,
                    });
                }
            }
            _ => out.push(t),
        }
    }
    out
}

pub fn is_negator(t: &str) -> bool {
    matches!(
        t,
        "not"
            | "no"
            | "never"
            | "cannot"
            | "hardly"
            | "barely"
            | "scarcely"
            | "nobody"
            | "nothing"
            | "none"
            | "neither"
            | "nor"
            | "nowhere"
            | "without"
            | "dont"
            | "didnt"
            | "doesnt"
            | "isnt"
            | "wasnt"
            | "cant"
            | "couldnt"
            | "wouldnt"
            | "shouldnt"
            | "arent"
            | "werent"
            | "havent"
            | "hasnt"
            | "aint"
    ) || t.ends_with("n't")
}

fn is_contrast(t: &str) -> bool {
    matches!(
        t,
        "but" | "however" | "nevertheless" | "nonetheless" | "now"
    )
}

fn is_concession(t: &str) -> bool {
    matches!(t, "although" | "though" | "whereas" | "despite")
}

fn aside(breaks: &[u8], i: usize) -> Option<usize> {
    let j = (i + 1..breaks.len().min(i + MAX_ASIDE + 1)).find(|&j| breaks[j] >= 1)?;
    (breaks[j] == 1).then_some(j)
}

pub fn scoped(tokens: &[Token], breaks: &[u8], skip: Option<usize>) -> Vec<(bool, Option<Scope>)> {
    let mut out = Vec::with_capacity(tokens.len());
    let (mut negated, mut clause): (bool, Option<Scope>) = (false, None);
    let mut pending = 0u8;
    let mut aside_end: Option<usize> = None;
    for (i, t) in tokens.iter().enumerate() {
        pending = pending.max(breaks.get(i).copied().unwrap_or(0));
        if Some(i) == skip {
            out.push((false, None));
            continue;
        }
        let boundary = pending;
        if pending == 1 && negated && aside_end == Some(i) {
            aside_end = None;
        } else if pending == 1 && negated && aside_end.is_none() && aside(breaks, i).is_some() {
            aside_end = aside(breaks, i);
        } else if pending >= 1 {
            negated = false;
            aside_end = None;
            if clause == Some(Scope::Concession) || pending >= 2 {
                clause = None;
            }
        }
        pending = 0;
        let text = t.text.as_str();
        let previous = i
            .checked_sub(1)
            .filter(|&j| Some(j) != skip)
            .map(|j| tokens[j].text.as_str());
        if is_contrast(text) {
            negated = false;
            clause = Some(Scope::Contrast);
            out.push((false, None));
            continue;
        }
        if is_concession(text) || (text == "to" && previous == Some("used") && boundary == 0) {
            negated = false;
            clause = Some(Scope::Concession);
            out.push((false, None));
            continue;
        }
        if is_negator(text) {
            out.push((false, None));
            negated = !negated;
            continue;
        }
        if is_mark(text) {
            out.push((false, None));
            continue;
        }
        out.push((negated, clause));
    }
    out
}

/// Whether `word` is one of the vocabulary's words (ids 1 ..= words).
fn is_known(vocab: &Vocabulary, word: &str) -> bool {
    vocab.unigram_id(word) as usize <= vocab.word_count()
}

/// The typo search by its definition: the first known word among the adjacent swaps,
/// single-letter insertions, deletions (leaving at least 4 letters) and replacements of an
/// unknown word of 3 to 20 ASCII lowercase letters, in that order, positions left to right,
/// letters a-z.
pub fn correct(vocab: &Vocabulary, word: &str) -> Option<String> {
    let w = word.as_bytes();
    if !(3..=20).contains(&w.len())
        || !w.iter().all(u8::is_ascii_lowercase)
        || is_known(vocab, word)
    {
        return None;
    }
    let mut candidates: Vec<Vec<u8>> = Vec::new();
    for i in 0..w.len() - 1 {
        if w[i] != w[i + 1] {
            let mut c = w.to_vec();
            c.swap(i, i + 1);
            candidates.push(c);
        }
    }
    for i in 0..=w.len() {
        for c in b'a'..=b'z' {
            let mut v = w[..i].to_vec();
            v.push(c);
            v.extend_from_slice(&w[i..]);
            candidates.push(v);
        }
    }
    if w.len() > 4 {
        for i in 0..w.len() {
            let mut v = w[..i].to_vec();
            v.extend_from_slice(&w[i + 1..]);
            candidates.push(v);
        }
    }
    for i in 0..w.len() {
        for c in b'a'..=b'z' {
            if c != w[i] {
                let mut v = w.to_vec();
                v[i] = c;
                candidates.push(v);
            }
        }
    }
    candidates
        .into_iter()
        .filter_map(|c| String::from_utf8(c).ok())
        .find(|c| is_known(vocab, c))
}

pub fn read(vocab: &Vocabulary, text: &str) -> (Vec<Token>, Vec<u8>) {
    let (mut tokens, breaks) = tokenize2(text);
    if let Scheme::V2(f) = vocab.scheme() {
        if f.spelling {
            for t in &mut tokens {
                if let Some(word) = correct(vocab, &t.text) {
                    t.text = word;
                }
            }
        }
    }
    (tokens, breaks)
}

pub fn encode_scoped(vocab: &Vocabulary, tokens: &[Token], breaks: &[u8]) -> Vec<u32> {
    let silent = |i: usize| is_silent(&tokens[i].text);
    let mut ids = Vec::with_capacity(tokens.len() * 3);
    ids.extend(
        (0..tokens.len())
            .filter(|&i| !silent(i))
            .map(|i| vocab.unigram_id(&tokens[i].text)),
    );
    if vocab.bigram_buckets() == 0 {
        return ids;
    }
    for i in 1..tokens.len() {
        if !silent(i - 1) && !silent(i) {
            ids.extend(vocab.bigram_id(&tokens[i - 1].text, &tokens[i].text));
        }
    }
    let features = match vocab.scheme() {
        Scheme::V2(f) if f.negation || f.contrast => f,
        _ => return ids,
    };
    let scopes = scoped(tokens, breaks, None);
    for (t, (negated, clause)) in tokens.iter().zip(scopes) {
        if is_silent(&t.text) {
            continue;
        }
        if features.negation && negated {
            ids.extend(scope_id(vocab, b"\x1enot\x1f", &t.text));
        }
        if features.contrast {
            let prefix: &[u8] = match clause {
                Some(Scope::Contrast) => b"\x1ebut\x1f",
                Some(Scope::Concession) => b"\x1ealthough\x1f",
                None => continue,
            };
            ids.extend(scope_id(vocab, prefix, &t.text));
        }
    }
    ids
}

/// 64-bit FNV-1a of `prefix` then `word`.
fn fnv1a(prefix: &[u8], word: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in prefix.iter().chain(word) {
        hash = (hash ^ b as u64).wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

/// The id of a scope row, from the public layout: scope pairs hash into the last eighth of the
/// bigram buckets; a bucket has a row if kept (rows in bucket order).
fn scope_id(vocab: &Vocabulary, prefix: &[u8], word: &str) -> Option<u32> {
    let buckets = vocab.bigram_buckets();
    let first = buckets - buckets / 8;
    let count = buckets - first;
    if count == 0 {
        return None;
    }
    let bucket = first + (fnv1a(prefix, word.as_bytes()) % count as u64) as u32;
    let row = match vocab.kept_bigrams() {
        Some(kept) => kept.binary_search(&bucket).ok()? as u32,
        None => bucket,
    };
    Some(vocab.first_bigram_id() + row)
}

/// The polarity-2 ids of `text` as first computed: read, then encode.
pub fn encode(vocab: &Vocabulary, text: &str) -> Vec<u32> {
    let (tokens, breaks) = read(vocab, text);
    encode_scoped(vocab, &tokens, &breaks)
}
