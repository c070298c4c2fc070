//! The vocabulary: how tokens become rows of the embedding table.
//!
//! Row layout of the table (and so the ids fed to the model):
//!
//! | ids | rows |
//! | --- | --- |
//! | 0 | padding: all zeros, never counted by the combiner |
//! | 1 ..= words | one row per known word, in vocabulary order |
//! | then `oov_buckets` | unknown words, by hash of their text |
//! | then one per kept bigram bucket | pairs of adjacent tokens, by hash of both texts |
//!
//! Bigrams hash into `bigram_buckets` buckets. A model may keep only some of them (the ones that
//! earned large rows in training, see [`crate::model::Model::prune_bigrams`]): a bigram whose
//! bucket was not kept gets no id at all. A large hash space with few kept rows has far fewer
//! collisions per byte than a small space kept whole.
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
    /// Sorted bucket numbers that have rows; `None` keeps every bucket.
    kept_bigrams: Option<Vec<u32>>,
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
            kept_bigrams: None,
        })
    }

    /// Keeps rows for these bigram buckets only (any order; duplicates are an error).
    pub fn with_kept_bigrams(mut self, mut kept: Vec<u32>) -> Result<Self, Error> {
        kept.sort_unstable();
        if kept.windows(2).any(|w| w[0] == w[1])
            || kept.last().is_some_and(|&b| b >= self.bigram_buckets)
        {
            return Err(Error::Model(
                "kept bigram buckets must be distinct and in range".into(),
            ));
        }
        self.kept_bigrams = Some(kept);
        Ok(self)
    }

    /// The kept bigram buckets, sorted, or `None` when all are kept.
    pub fn kept_bigrams(&self) -> Option<&[u32]> {
        self.kept_bigrams.as_deref()
    }

    /// Number of bigram rows in the table.
    pub fn bigram_rows(&self) -> usize {
        match &self.kept_bigrams {
            Some(kept) => kept.len(),
            None => self.bigram_buckets as usize,
        }
    }

    /// Id of the first bigram row.
    pub fn first_bigram_id(&self) -> u32 {
        1 + self.words.len() as u32 + self.oov_buckets
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
        1 + self.words.len() + self.oov_buckets as usize + self.bigram_rows()
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

    /// The id of the pair `a b`, or `None` when its bucket has no row.
    pub fn bigram_id(&self, a: &str, b: &str) -> Option<u32> {
        if self.bigram_buckets == 0 {
            return None;
        }
        let hash = fnv1a(&[a.as_bytes(), b"\x1f", b.as_bytes()]);
        let bucket = (hash % self.bigram_buckets as u64) as u32;
        let row = match &self.kept_bigrams {
            Some(kept) => kept.binary_search(&bucket).ok()? as u32,
            None => bucket,
        };
        Some(self.first_bigram_id() + row)
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
    fn pruned_bigrams_map_kept_buckets_to_rows() {
        let words = ["good", "bad", "film"].map(String::from).to_vec();
        let vocab = || Vocabulary::new(words.clone(), 4, 1024).unwrap();
        let full = vocab();
        let a = full.bigram_id("good", "film").unwrap() - full.first_bigram_id();
        let b = full.bigram_id("bad", "film").unwrap() - full.first_bigram_id();
        assert_ne!(a, b);
        let pruned = vocab().with_kept_bigrams(vec![b, a]).unwrap();
        assert_eq!(pruned.rows(), 1 + 3 + 4 + 2);
        let first = pruned.first_bigram_id();
        assert_eq!(
            pruned.bigram_id("good", "film"),
            Some(first + u32::from(a > b))
        );
        assert_eq!(
            pruned.bigram_id("bad", "film"),
            Some(first + u32::from(b > a))
        );
        // A bigram whose bucket is gone gets no id; its unigrams still do.
        let dropped = [
            "good great",
            "great bad",
            "film the",
            "the good",
            "awful film",
        ]
        .into_iter()
        .find(|t| pruned.encode(t).len() == 2)
        .expect("some bigram falls in a dropped bucket");
        assert_eq!(pruned.encode(dropped).len(), 2);
        assert!(vocab().with_kept_bigrams(vec![1, 1]).is_err());
        assert!(vocab().with_kept_bigrams(vec![1024]).is_err());
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
