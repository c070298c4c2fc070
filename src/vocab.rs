//! The vocabulary: how tokens become rows of the embedding table.
//!
//! Row layout of the table (and so the ids fed to the model):
//!
//! | ids | rows |
//! | --- | --- |
//! | 0 | padding: all zeros, never counted by the combiner |
//! | 1 ..= words | one row per known word, in vocabulary order |
//! | then `oov_buckets` | unknown words, by hash of their text |
//! | then `bigram_buckets` | pairs of adjacent tokens, by hash of both texts |
//!
//! A text of `n` tokens encodes to `n` unigram ids followed by `n - 1` bigram ids, so token `i`
//! owns unigram `i` and bigrams `i - 1` and `i` (what explanations take away to weigh a token).

use std::collections::HashMap;

use crate::text::{tokenize, Token};
use crate::Error;

/// The padding id: its row is zero and the combiner does not count it.
pub const PAD: u32 = 0;

/// Maps tokens to ids. Cheap to clone? No: it owns the word list; share it by reference.
#[derive(Clone, Debug, PartialEq)]
pub struct Vocabulary {
    words: Vec<String>,
    index: HashMap<String, u32>,
    oov_buckets: u32,
    bigram_buckets: u32,
}

impl Vocabulary {
    /// Builds a vocabulary from distinct words (in row order) and bucket counts.
    pub fn new(words: Vec<String>, oov_buckets: u32, bigram_buckets: u32) -> Result<Self, Error> {
        if oov_buckets == 0 {
            return Err(Error::Model(
                "the vocabulary needs at least one out-of-vocabulary bucket".into(),
            ));
        }
        let rows = 1u64 + words.len() as u64 + oov_buckets as u64 + bigram_buckets as u64;
        if rows > i32::MAX as u64 {
            return Err(Error::Model(format!(
                "a vocabulary of {rows} rows is too large"
            )));
        }
        let mut index = HashMap::with_capacity(words.len());
        for (i, word) in words.iter().enumerate() {
            if word.is_empty() || word.contains('\n') {
                return Err(Error::Model(format!(
                    "vocabulary entry {i} is empty or holds a newline"
                )));
            }
            if index.insert(word.clone(), i as u32 + 1).is_some() {
                return Err(Error::Model(format!(
                    "the word {word:?} is in the vocabulary twice"
                )));
            }
        }
        Ok(Vocabulary {
            words,
            index,
            oov_buckets,
            bigram_buckets,
        })
    }

    /// The known words, in row order (row `i + 1` is word `i`).
    pub fn words(&self) -> &[String] {
        &self.words
    }

    pub fn oov_buckets(&self) -> u32 {
        self.oov_buckets
    }

    pub fn bigram_buckets(&self) -> u32 {
        self.bigram_buckets
    }

    /// Rows of the embedding table this vocabulary addresses, padding included.
    pub fn rows(&self) -> usize {
        1 + self.words.len() + self.oov_buckets as usize + self.bigram_buckets as usize
    }

    /// The id of a single token.
    pub fn unigram_id(&self, token: &str) -> u32 {
        match self.index.get(token) {
            Some(&id) => id,
            None => {
                let first_oov = 1 + self.words.len() as u32;
                first_oov + (fnv1a(&[token.as_bytes()]) % self.oov_buckets as u64) as u32
            }
        }
    }

    /// The id of the pair `a b`, or `None` when the model has no bigram rows.
    pub fn bigram_id(&self, a: &str, b: &str) -> Option<u32> {
        if self.bigram_buckets == 0 {
            return None;
        }
        let first = 1 + self.words.len() as u32 + self.oov_buckets;
        let hash = fnv1a(&[a.as_bytes(), b"\x1f", b.as_bytes()]);
        Some(first + (hash % self.bigram_buckets as u64) as u32)
    }

    /// Ids of tokens: unigrams first, then bigrams (see the module documentation).
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

    /// Tokenizes and encodes a text.
    pub fn encode(&self, text: &str) -> Vec<u32> {
        self.encode_tokens(&tokenize(text))
    }
}

/// 64-bit FNV-1a over the concatenation of `parts`: tiny, fast, and identical on every platform.
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

#[cfg(test)]
mod tests {
    use super::*;

    fn vocab() -> Vocabulary {
        let words = ["good", "bad", "film"].map(String::from).to_vec();
        Vocabulary::new(words, 4, 16).unwrap()
    }

    #[test]
    fn layout_of_ids() {
        let v = vocab();
        assert_eq!(v.rows(), 1 + 3 + 4 + 16);
        assert_eq!(v.unigram_id("good"), 1);
        assert_eq!(v.unigram_id("film"), 3);
        let oov = v.unigram_id("zzz");
        assert!((4..8).contains(&oov));
        let bigram = v.bigram_id("good", "film").unwrap();
        assert!((8..24).contains(&bigram));
        assert_ne!(v.bigram_id("good", "film"), v.bigram_id("film", "good"));
    }

    #[test]
    fn encode_puts_unigrams_then_bigrams() {
        let v = vocab();
        let ids = v.encode("Good film, bad!");
        assert_eq!(ids.len(), 4 + 3);
        assert_eq!(&ids[..3], &[1, 3, 2]);
        assert!(ids[4..].iter().all(|&id| id >= 8));
        assert!(v.encode("").is_empty());
    }

    #[test]
    fn without_bigram_buckets_only_unigrams() {
        let v = Vocabulary::new(vec!["a".into()], 1, 0).unwrap();
        assert_eq!(v.encode("a b c"), [1, 2, 2]);
    }

    #[test]
    fn rejects_bad_word_lists() {
        assert!(Vocabulary::new(vec!["a".into(), "a".into()], 1, 0).is_err());
        assert!(Vocabulary::new(vec!["".into()], 1, 0).is_err());
        assert!(Vocabulary::new(vec!["a".into()], 0, 0).is_err());
    }

    #[test]
    fn hashing_is_stable_across_platforms() {
        // FNV-1a reference value for "a": keeps ids of shipped models from drifting.
        assert_eq!(fnv1a(&[b"a"]), 0xaf63_dc4c_8601_ec8c);
    }
}
