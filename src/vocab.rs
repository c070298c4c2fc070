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
//! earned large rows in training, see `crate::model::Model::prune_bigrams`): a bigram whose
//! bucket was not kept gets no id at all. A large hash space with few kept rows has far fewer
//! collisions per byte than a small space kept whole.
//!
//! A text of `n` tokens encodes to `n` unigram ids followed by `n - 1` bigram ids, so token `i`
//! owns unigram `i` and bigrams `i - 1` and `i` (what explanations take away to weigh a token).
//!
//! Under polarity-2 with weighted scopes (`Features::weighted`), ids go past the table: a token
//! read in a scope also gets `row + band * rows`, its word's row in band 1 (negation), 2
//! (contrast), 3 (concession) or 4 (before a contrast), which the model adds once more times
//! that band's weight.

use std::sync::OnceLock;

use crate::scope::{self, Features, LinkCursor, Place, Role, Scope};
use crate::text::{scan, Sink, Token};
use crate::{limits, Error};

/// The padding id: its row is zero and the combiner does not count it.
pub const PAD: u32 = 0;

/// Maps tokens to ids. Cheap to clone? No: it owns the word list; share it by reference.
#[derive(Clone, Debug)]
pub struct Vocabulary {
    list: WordList,
    /// The words as `String`s, made on the first call of [`Vocabulary::words`]: loading a model
    /// and encoding need none (tens of thousands of allocations a browser's first load would
    /// otherwise pay for).
    words: OnceLock<Vec<String>>,
    index: WordIndex,
    oov_buckets: u32,
    bigram_buckets: u32,
    /// Sorted bucket numbers that have rows; `None` keeps every bucket.
    kept_bigrams: Option<Vec<u32>>,
    /// The same buckets as a bitmap with ranks, when the bucket space is small enough.
    kept_rank: Option<RankBitmap>,
    scheme: Scheme,
    /// Two bits per known word's hash ([`bloom_bits`]), made on the first spelling correction:
    /// most candidates are turned down by one access to these 32 kB (more for a vocabulary of
    /// more than 32,768 words: [`bloom_len_log2`]), not by a probe of the word index.
    bloom: OnceLock<Vec<u64>>,
    /// Spelling corrections already searched.
    corrections: Corrections,
}

/// Unknown words already looked up by [`Vocabulary::correct`], and what they were read as. A
/// search costs microseconds a word, and names and rare words come back text after text (and
/// keystroke after keystroke in the demo). At most [`MAX_CORRECTIONS`] are kept.
///
/// Keyed by the word's FNV-1a hash, which the encoder has already computed, with the word kept to
/// tell two words of one hash apart: no second hash of the word per lookup.
#[derive(Default)]
struct Corrections(std::sync::Mutex<CorrectionMap>);

type CorrectionMap = std::collections::HashMap<
    u64,
    (Box<[u8]>, Option<u32>),
    std::hash::BuildHasherDefault<Prehashed>,
>;

/// A `Hasher` for keys that are already hashes: mixes the high bits (FNV-1a's best) into the low
/// ones the map indexes by.
#[derive(Default)]
struct Prehashed(u64);

impl std::hash::Hasher for Prehashed {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Only `write_u64` is used (the keys are `u64`); this keeps any other key correct.
        for &b in bytes {
            self.0 = fnv_step(self.0, b);
        }
    }

    fn write_u64(&mut self, n: u64) {
        let m = n.wrapping_mul(0x9e37_79b9_7f4a_7c15);
        self.0 = m ^ (m >> 32);
    }
}

const MAX_CORRECTIONS: usize = 1 << 16;

impl Clone for Corrections {
    /// A copy starts with none: they are only a cache.
    fn clone(&self) -> Self {
        Corrections::default()
    }
}

impl PartialEq for Corrections {
    /// A cache: two vocabularies are equal whatever they have looked up.
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl std::fmt::Debug for Corrections {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Corrections")
    }
}

/// The longest unknown word the typo search reads (and the shortest is 3 letters).
const MAX_TYPO: usize = 20;

/// Whether the typo search reads `word`: 3 to [`MAX_TYPO`] lowercase ASCII letters. One rule for
/// explanations ([`Vocabulary::read`]) and classification alike, so that their ids agree.
#[inline]
fn may_be_typo(word: &[u8]) -> bool {
    (3..=MAX_TYPO).contains(&word.len()) && word.iter().all(u8::is_ascii_lowercase)
}

/// FNV-1a hashes of `hash`'s prefix followed by each letter `a..=z` then `rest`.
#[inline]
fn letter_chains(hash: u64, rest: &[u8]) -> [u64; 26] {
    let mut chains = [0u64; 26];
    for (c, chain) in (b'a'..=b'z').zip(chains.iter_mut()) {
        *chain = fnv_step(hash, c);
    }
    for &b in rest {
        for chain in chains.iter_mut() {
            *chain = fnv_step(*chain, b);
        }
    }
    chains
}

/// The word of [`Vocabulary::bloom`] (2^`log2` words of 64 bits) a FNV-1a hash falls in, and the
/// two bits it sets there: two bits cut the false positives (each an index probe, often a cache
/// miss) about threefold against one, and in one word they cost one memory access.
/// Shifts by constants and a mask, not by `log2`: shifts by a variable count made the typo search
/// 8% slower (x86-64 without BMI2).
#[inline]
fn bloom_bits(hash: u64, log2: u32) -> (usize, u64) {
    let m = hash.wrapping_mul(0xd6e8_feb8_6659_fd93);
    (
        (m >> 20) as usize & ((1 << log2) - 1),
        1 << (m >> 58) | 1 << ((m >> 52) & 63),
    )
}

/// The bloom filter's length (log2, in words of 64 bits) for `words` known words: at least 8 bits
/// a word. A fixed 2^12 words filled up with a file of millions of words, and then every typo
/// candidate probed the index: a text of misspellings took 15 to 22 times as long.
fn bloom_len_log2(words: usize) -> u32 {
    (words
        .div_ceil(8)
        .max(1)
        .next_power_of_two()
        .trailing_zeros())
    .clamp(12, 24)
}

/// Which tokenizer and id layout a vocabulary implements (the file's `polarity.tokenizer`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scheme {
    /// "polarity-1": unigrams, then bigrams of adjacent tokens. Frozen: shipped files use it.
    V1,
    /// "polarity-2": the same over polarity-2 tokens (`crate::scope::tokenize2`: URLs and
    /// @mentions are one token that gets no id), then one hashed id in the bigram space for each
    /// token read in a scope the features mark (negation, contrast, concession).
    V2(Features),
}

impl Scheme {
    /// The tokenizer name stored in the file.
    pub fn name(&self) -> &'static str {
        match self {
            Scheme::V1 => "polarity-1",
            Scheme::V2(_) => "polarity-2",
        }
    }
}

/// How many scopes weighted scopes weigh: negation, contrast, concession, and the clause before
/// a contrast ([`Vocabulary::scope_band`]).
pub const SCOPES: usize = 4;

/// The table's rows and each weighted scope's repeat of them ([`Vocabulary::id_space`]).
const SCOPE_BANDS: usize = SCOPES + 1;

/// Hash prefixes of scope ids (bytes no token holds, so they never meet a bigram's hash).
const NEGATED: &[u8] = b"\x1enot\x1f";
const CONTRAST: &[u8] = b"\x1ebut\x1f";
const CONCESSION: &[u8] = b"\x1ealthough\x1f";

/// Equal when they map every token to the same id (the index and bitmap follow from the rest).
impl PartialEq for Vocabulary {
    fn eq(&self, other: &Self) -> bool {
        self.list.text == other.list.text
            && self.oov_buckets == other.oov_buckets
            && self.bigram_buckets == other.bigram_buckets
            && self.kept_bigrams == other.kept_bigrams
            && self.scheme == other.scheme
    }
}

impl Vocabulary {
    /// Builds a vocabulary from distinct words (in row order) and bucket counts.
    pub fn new(words: Vec<String>, oov_buckets: u32, bigram_buckets: u32) -> Result<Self, Error> {
        for (i, word) in words.iter().enumerate() {
            if word.is_empty() || word.contains('\n') {
                return Err(entry_error(i));
            }
        }
        let vocab = Self::from_lines(words.join("\n"), oov_buckets, bigram_buckets)?;
        // Already made: keep them rather than make them again if asked.
        let _ = vocab.words.set(words);
        Ok(vocab)
    }

    /// Builds a vocabulary from its words one per line (as the ONNX file stores them; "" is no
    /// word) and bucket counts, keeping the text as it is instead of a `String` per word.
    pub fn from_lines(text: String, oov_buckets: u32, bigram_buckets: u32) -> Result<Self, Error> {
        if oov_buckets == 0 {
            return Err(Error::InconsistentModel(
                "the vocabulary needs at least one out-of-vocabulary bucket".into(),
            ));
        }
        let list = WordList::new(text)?;
        let rows = 1u64 + list.len() as u64 + oov_buckets as u64 + bigram_buckets as u64;
        if rows > i32::MAX as u64 {
            return Err(Error::InconsistentModel(format!(
                "a vocabulary of {rows} rows is too large"
            )));
        }
        let mut index = WordIndex::with_capacity(list.len());
        for i in 0..list.len() {
            let word = list.get(i);
            if word.is_empty() {
                return Err(entry_error(i));
            }
            match index.insert(&list, i as u32 + 1) {
                Inserted::New => {}
                Inserted::Twice => {
                    return Err(Error::InconsistentModel(format!(
                        "the word {} is in the vocabulary twice",
                        crate::onnx::shown(word)
                    )))
                }
                Inserted::Crowded => return Err(crowded()),
            }
        }
        if index.longest_run() > limits::MAX_WORD_INDEX_RUN {
            return Err(crowded());
        }
        Ok(Vocabulary {
            list,
            words: OnceLock::new(),
            index,
            oov_buckets,
            bigram_buckets,
            kept_bigrams: None,
            kept_rank: None,
            scheme: Scheme::V1,
            bloom: OnceLock::new(),
            corrections: Corrections::default(),
        })
    }

    /// The same words and buckets read with another tokenizer and id layout.
    pub fn with_scheme(mut self, scheme: Scheme) -> Self {
        self.scheme = scheme;
        self
    }

    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// The same vocabulary with every unknown number on one row (`Features::numbers`), under
    /// polarity-2; polarity-1 has no such feature and stays as it is.
    pub fn with_numbers(mut self) -> Self {
        if let Scheme::V2(features) = &mut self.scheme {
            features.numbers = true;
        }
        self
    }

    /// The same vocabulary without scopes (negation, contrast, their weights and lone negators),
    /// under polarity-2; polarity-1 has none and stays as it is.
    pub fn without_scopes(mut self) -> Self {
        if let Scheme::V2(features) = &mut self.scheme {
            features.negation = false;
            features.contrast = false;
            features.weighted = false;
            features.lone_negators = false;
        }
        self
    }

    /// Keeps rows for these bigram buckets only (any order; duplicates are an error).
    pub fn with_kept_bigrams(mut self, mut kept: Vec<u32>) -> Result<Self, Error> {
        kept.sort_unstable();
        if kept.windows(2).any(|w| w[0] == w[1])
            || kept.last().is_some_and(|&b| b >= self.bigram_buckets)
        {
            return Err(Error::InconsistentModel(
                "kept bigram buckets must be distinct and in range".into(),
            ));
        }
        self.kept_rank = RankBitmap::new(&kept, self.bigram_buckets);
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
        1 + self.list.len() as u32 + self.oov_buckets
    }

    /// The known words, in row order (row `i + 1` is word `i`). Made on the first call.
    pub fn words(&self) -> &[String] {
        self.words.get_or_init(|| {
            (0..self.list.len())
                .map(|i| self.list.get(i).to_string())
                .collect()
        })
    }

    /// Number of known words (without making [`Vocabulary::words`]).
    pub fn word_count(&self) -> usize {
        self.list.len()
    }

    /// The known words one per line, in row order (as the ONNX file stores them).
    pub fn word_lines(&self) -> &str {
        &self.list.text
    }

    pub fn oov_buckets(&self) -> u32 {
        self.oov_buckets
    }

    pub fn bigram_buckets(&self) -> u32 {
        self.bigram_buckets
    }

    /// Rows of the embedding table this vocabulary addresses, padding included.
    pub fn rows(&self) -> usize {
        1 + self.list.len() + self.oov_buckets as usize + self.bigram_rows()
    }

    /// The id of a single token.
    pub fn unigram_id(&self, token: &str) -> u32 {
        self.unigram_id_hashed(token.as_bytes(), fnv1a(&[token.as_bytes()]))
    }

    /// The id of a token whose FNV-1a hash is `hash`: one hash finds known words and buckets
    /// unknown ones.
    fn unigram_id_hashed(&self, token: &[u8], hash: u64) -> u32 {
        self.index
            .get(&self.list, token, hash)
            .unwrap_or_else(|| self.unknown_id(token, hash))
    }

    /// The row of an unknown word: its hash's bucket, or under [`Features::numbers`] the one
    /// bucket of every unknown word with a digit.
    fn unknown_id(&self, word: &[u8], hash: u64) -> u32 {
        let first_oov = 1 + self.list.len() as u32;
        let hash = match self.scheme {
            Scheme::V2(f) if f.numbers && word.iter().any(u8::is_ascii_digit) => {
                fnv1a(&[scope::NUMBER])
            }
            _ => hash,
        };
        first_oov + bucket(hash, self.oov_buckets)
    }

    /// The id of the pair `a b`, or `None` when its bucket has no row.
    pub fn bigram_id(&self, a: &str, b: &str) -> Option<u32> {
        if self.bigram_buckets == 0 {
            return None;
        }
        let hash = fnv1a(&[a.as_bytes(), b"\x1f", b.as_bytes()]);
        match self.scheme {
            Scheme::V1 => self.bigram_id_hashed(hash),
            Scheme::V2(_) => self.bucket_row(bucket(hash, self.pair_buckets())),
        }
    }

    /// The bigram id of adjacent polarity-2 tokens `a b` as texts read them: none for a negator
    /// and the token after it under `Features::lone_negators`, else [`Vocabulary::bigram_id`].
    pub fn pair_id(&self, a: &str, b: &str) -> Option<u32> {
        if self.lone_negators() && scope::role(a.as_bytes()) == Role::Negator {
            return None;
        }
        self.bigram_id(a, b)
    }

    fn lone_negators(&self) -> bool {
        matches!(self.scheme, Scheme::V2(f) if f.lone_negators)
    }

    /// Polarity-2 splits the bigram buckets: pairs of tokens hash into the first seven eighths,
    /// scope ids into the last eighth, so that a scope row (seeded large, see
    /// `recipe::seed_scopes`) never shares a bucket with a bigram.
    fn pair_buckets(&self) -> u32 {
        self.bigram_buckets - self.bigram_buckets / 8
    }

    /// The scope id for `hash` (FNV-1a of a scope prefix and a token), if its bucket has a row.
    fn scope_id_hashed(&self, hash: u64) -> Option<u32> {
        let first = self.pair_buckets();
        let count = self.bigram_buckets - first;
        if count == 0 {
            return None;
        }
        self.bucket_row(first + bucket(hash, count))
    }

    /// The bigram id for `hash`, FNV-1a of `a`, 0x1f, `b`; the caller checks `bigram_buckets > 0`.
    fn bigram_id_hashed(&self, hash: u64) -> Option<u32> {
        self.bucket_row(bucket(hash, self.bigram_buckets))
    }

    /// The id of the row of bigram bucket `bucket`, if it was kept.
    #[inline]
    fn bucket_row(&self, bucket: u32) -> Option<u32> {
        let row = match (&self.kept_rank, &self.kept_bigrams) {
            (Some(rank), _) => rank.rank(bucket)?,
            (None, Some(kept)) => kept.binary_search(&bucket).ok()? as u32,
            (None, None) => bucket,
        };
        Some(self.first_bigram_id() + row)
    }

    /// Ids of tokens: unigrams first, then bigrams (see the module documentation).
    ///
    /// Under polarity-2, tokens carry no punctuation: only `!` and `?` end a scope here; use
    /// [`Vocabulary::encode`] for text.
    pub fn encode_tokens(&self, tokens: &[Token]) -> Vec<u32> {
        if let Scheme::V2(_) = self.scheme {
            return self.encode_scoped(tokens, &scope::mark_breaks(tokens), None);
        }
        let mut ids = Vec::with_capacity(tokens.len() * 2);
        ids.extend(tokens.iter().map(|t| self.unigram_id(&t.text)));
        ids.extend(
            tokens
                .windows(2)
                .filter_map(|pair| self.bigram_id(&pair[0].text, &pair[1].text)),
        );
        ids
    }

    /// Tokenizes and encodes a text: the same ids as `encode_tokens(&tokenize(text))` (polarity-1)
    /// or as `encode_scoped` of [`Vocabulary::read`] (polarity-2), but the tokens are hashed as
    /// they are read, with no `String` per token.
    pub fn encode(&self, text: &str) -> Vec<u32> {
        if let Scheme::V2(features) = self.scheme {
            return self.encode_v2(text, features);
        }
        let mut sink = EncodeSink {
            vocab: self,
            word: Vec::with_capacity(32),
            hash: FNV_OFFSET,
            pair_hash: FNV_OFFSET,
            has_prev: false,
            // About one token per 5 bytes of English; growing past it is fine.
            ids: Vec::with_capacity(text.len() / 5 + 1),
            bigrams: Vec::with_capacity(text.len() / 5 + 1),
        };
        scan(text, &mut sink);
        let mut ids = sink.ids;
        ids.extend_from_slice(&sink.bigrams);
        ids
    }
}

impl Vocabulary {
    /// Polarity-2 tokens of `text` and their boundaries (`scope::tokenize2`), with unknown
    /// words one typo away from a known one read as it when the scheme asks for spelling.
    pub fn read(&self, text: &str) -> (Vec<Token>, Vec<u8>) {
        let (mut tokens, breaks) = scope::tokenize2(text);
        if let Scheme::V2(f) = self.scheme {
            if f.spelling {
                for t in &mut tokens {
                    let w = t.text.as_bytes();
                    if !may_be_typo(w) || self.is_known(w) {
                        continue;
                    }
                    if let Some(id) = self.corrected_id(w, fnv1a(&[w])) {
                        t.text = self.list.get(id as usize - 1).to_string();
                    }
                }
            }
        }
        (tokens, breaks)
    }

    fn is_known(&self, word: &[u8]) -> bool {
        self.index.get(&self.list, word, fnv1a(&[word])).is_some()
    }

    /// [`Vocabulary::correct`]'s word as an id, looked up once per word ([`Corrections`]);
    /// `hash` is the word's FNV-1a hash.
    fn corrected_id(&self, word: &[u8], hash: u64) -> Option<u32> {
        let mut memo = self.corrections.0.try_lock().ok();
        self.corrected_id_in(memo.as_deref_mut(), word, hash)
    }

    /// [`Vocabulary::corrected_id`] with the cache already locked (`None`: poisoned or held, as by
    /// a call that trapped in wasm, where a lock is never given back: unused).
    fn corrected_id_in(
        &self,
        memo: Option<&mut CorrectionMap>,
        word: &[u8],
        hash: u64,
    ) -> Option<u32> {
        let Some(memo) = memo else {
            return self.correct_id(word);
        };
        if let Some((w, id)) = memo.get(&hash) {
            if **w == *word {
                return *id;
            }
        }
        let id = self.correct_id(word);
        if memo.len() >= MAX_CORRECTIONS {
            memo.clear();
        }
        memo.insert(hash, (word.into(), id));
        id
    }

    /// The known word one edit away from `word` (an unknown word of 3 to 20 ASCII letters), if
    /// any: the first found of its adjacent swaps, single-letter insertions, deletions (leaving
    /// at least 4 letters) and replacements, in that order, positions left to right, letters a-z.
    pub fn correct(&self, word: &str) -> Option<&str> {
        self.correct_id(word.as_bytes())
            .map(|id| self.list.get(id as usize - 1))
    }

    fn correct_id(&self, w: &[u8]) -> Option<u32> {
        if !may_be_typo(w) || self.is_known(w) {
            return None;
        }
        let bloom = self.bloom.get_or_init(|| {
            let log2 = bloom_len_log2(self.list.len());
            let mut bits = vec![0u64; 1 << log2];
            for i in 0..self.list.len() {
                let (word, mask) = bloom_bits(fnv1a(&[self.list.get(i).as_bytes()]), log2);
                bits[word] |= mask;
            }
            bits
        });
        let log2 = bloom.len().trailing_zeros();
        // Hashes of the word's prefixes: a candidate's hash continues from the shared prefix,
        // and its bytes are put together only when a known word has the same hash tag.
        let mut prefix = [FNV_OFFSET; MAX_TYPO + 1];
        for (i, &b) in w.iter().enumerate() {
            prefix[i + 1] = fnv_step(prefix[i], b);
        }
        let tail = |mut hash: u64, rest: &[u8]| {
            for &b in rest {
                hash = fnv_step(hash, b);
            }
            hash
        };
        // The candidate's bytes, made only when the bloom filter and the index's tags let it by.
        let mut buf = [0u8; MAX_TYPO + 1];
        let mut is_word = |hash: u64, make: &dyn Fn(&mut [u8]) -> usize| {
            let (word, mask) = bloom_bits(hash, log2);
            if bloom.get(word).is_none_or(|w| w & mask != mask) || !self.index.has_tag(hash) {
                return None;
            }
            let len = make(&mut buf);
            self.index.get(&self.list, buf.get(..len)?, hash)
        };
        let n = w.len();
        for i in 0..n - 1 {
            if w[i] != w[i + 1] {
                let hash = tail(fnv_step(fnv_step(prefix[i], w[i + 1]), w[i]), &w[i + 2..]);
                let found = is_word(hash, &|b| {
                    b[..n].copy_from_slice(w);
                    b.swap(i, i + 1);
                    n
                });
                if found.is_some() {
                    return found;
                }
            }
        }
        for i in 0..=n {
            // The 26 letters' hashes advance together: 26 independent multiply chains keep the
            // CPU busy where one chain would wait on each multiply in turn.
            for (c, hash) in (b'a'..=b'z').zip(letter_chains(prefix[i], &w[i..])) {
                let found = is_word(hash, &|b| {
                    b[..i].copy_from_slice(&w[..i]);
                    b[i] = c;
                    b[i + 1..=n].copy_from_slice(&w[i..]);
                    n + 1
                });
                if found.is_some() {
                    return found;
                }
            }
        }
        if n > 4 {
            for i in 0..n {
                let found = is_word(tail(prefix[i], &w[i + 1..]), &|b| {
                    b[..i].copy_from_slice(&w[..i]);
                    b[i..n - 1].copy_from_slice(&w[i + 1..]);
                    n - 1
                });
                if found.is_some() {
                    return found;
                }
            }
        }
        for i in 0..n {
            for (c, hash) in (b'a'..=b'z').zip(letter_chains(prefix[i], &w[i + 1..])) {
                if c == w[i] {
                    continue;
                }
                let found = is_word(hash, &|b| {
                    b[..n].copy_from_slice(w);
                    b[i] = c;
                    n
                });
                if found.is_some() {
                    return found;
                }
            }
        }
        None
    }

    /// Polarity-2 ids of tokens with their boundaries (`scope::tokenize2`): unigrams, bigrams,
    /// then scope ids. `skip` leaves one token out as if it had not been typed: no ids of its
    /// own, no bigram across it, no scope it would open.
    pub fn encode_scoped(&self, tokens: &[Token], breaks: &[u8], skip: Option<usize>) -> Vec<u32> {
        let silent = |i: usize| Some(i) == skip || scope::is_silent(&tokens[i].text);
        let mut ids = Vec::with_capacity(tokens.len() * 3);
        ids.extend(
            (0..tokens.len())
                .filter(|&i| !silent(i))
                .map(|i| self.unigram_id(&tokens[i].text)),
        );
        if self.bigram_buckets == 0 {
            return ids;
        }
        for i in 1..tokens.len() {
            if !silent(i - 1) && !silent(i) {
                ids.extend(self.pair_id(&tokens[i - 1].text, &tokens[i].text));
            }
        }
        self.scope_ids(tokens, breaks, skip, &mut |_, id| ids.push(id));
        ids
    }

    /// How many ids there are: the table's rows, and with weighted scopes once more for each
    /// scope (bands 1 to [`SCOPES`] repeat the rows, see the module documentation).
    pub fn id_space(&self) -> usize {
        if self.is_weighted() {
            self.rows() * SCOPE_BANDS
        } else {
            self.rows()
        }
    }

    /// The row an id reads and its band: 0 for an id of the table itself, 1 to 3 for a weighted
    /// scope's ([`Vocabulary::scope_band`]). Ids are below [`Vocabulary::id_space`].
    #[inline]
    pub fn row_of(&self, id: u32) -> (usize, usize) {
        let (id, rows) = (id as usize, self.rows());
        if id < rows {
            (id, 0)
        } else {
            (id % rows, id / rows)
        }
    }

    /// The band of a weighted scope: 1 negation, 2 contrast, 3 concession (and 4, the clause
    /// before a contrast: `scope::before_contrast`).
    pub fn scope_band(negated: bool, clause: Option<Scope>) -> usize {
        match (negated, clause) {
            (true, _) => 1,
            (false, Some(Scope::Contrast)) => 2,
            (false, Some(Scope::Concession)) => 3,
            (false, None) => 0,
        }
    }

    fn is_weighted(&self) -> bool {
        matches!(self.scheme, Scheme::V2(f) if f.weighted && (f.negation || f.contrast))
    }

    /// The id of `word`'s row in `band` (see [`Vocabulary::row_of`]).
    fn banded(&self, id: u32, band: usize) -> u32 {
        id + (band * self.rows()) as u32
    }

    /// The row of `word` read in a negation scope, when its bucket has one.
    pub fn negated_id(&self, word: &str) -> Option<u32> {
        self.scope_id(NEGATED, word)
    }

    /// The row of `word` read in a contrast (`Some(Scope::Contrast)`) or concession scope.
    pub fn clause_id(&self, scope: Scope, word: &str) -> Option<u32> {
        match scope {
            Scope::Contrast => self.scope_id(CONTRAST, word),
            Scope::Concession => self.scope_id(CONCESSION, word),
        }
    }

    fn scope_id(&self, prefix: &[u8], word: &str) -> Option<u32> {
        if self.bigram_buckets == 0 {
            return None;
        }
        self.scope_id_hashed(fnv1a(&[prefix, word.as_bytes()]))
    }

    /// The scope ids of `tokens` (see [`Scheme::V2`]), each given to `out` with the index of
    /// the token it belongs to.
    pub(crate) fn scope_ids(
        &self,
        tokens: &[Token],
        breaks: &[u8],
        skip: Option<usize>,
        out: &mut dyn FnMut(usize, u32),
    ) {
        self.scope_ids_of(&self.scope_tokens(tokens), breaks, skip, out);
    }

    /// What [`Vocabulary::scope_ids_of`] reads of each token, read once.
    pub(crate) fn scope_tokens<'t>(&self, tokens: &'t [Token]) -> ScopeTokens<'t> {
        let weighted = matches!(self.scheme, Scheme::V2(f) if f.weighted);
        ScopeTokens {
            tokens,
            roles: tokens
                .iter()
                .map(|t| scope::role(t.text.as_bytes()))
                .collect(),
            silent: tokens.iter().map(|t| scope::is_silent(&t.text)).collect(),
            ids: match weighted {
                true => tokens.iter().map(|t| self.unigram_id(&t.text)).collect(),
                false => Vec::new(),
            },
        }
    }

    /// [`Vocabulary::scope_ids`] of tokens read once: explanations read a sentence again for
    /// each scope word left out, and looking its words up each time took seconds on a long text
    /// of "but"s.
    pub(crate) fn scope_ids_of(
        &self,
        read: &ScopeTokens,
        breaks: &[u8],
        skip: Option<usize>,
        out: &mut dyn FnMut(usize, u32),
    ) {
        let features = match self.scheme {
            Scheme::V2(f) if self.bigram_buckets > 0 && (f.negation || f.contrast) => f,
            _ => return,
        };
        let mut scopes = Vec::with_capacity(read.tokens.len());
        scope::scoped_roles(&read.roles, breaks, skip, |negated, clause| {
            scopes.push((negated, clause))
        });
        let before = if features.weighted && features.contrast {
            scope::before_contrast(&read.roles, breaks, skip)
        } else {
            Vec::new()
        };
        for (i, (t, (negated, clause))) in read.tokens.iter().zip(scopes).enumerate() {
            if read.silent[i] {
                continue;
            }
            if let Some(&id) = read.ids.get(i) {
                if features.negation && negated {
                    out(i, self.banded(id, 1));
                }
                if features.contrast && clause.is_some() {
                    out(i, self.banded(id, Self::scope_band(false, clause)));
                }
                if before.get(i) == Some(&true) {
                    out(i, self.banded(id, SCOPES));
                }
                continue;
            }
            let word = t.text.as_bytes();
            if features.negation && negated {
                if let Some(id) = self.scope_id_hashed(fnv1a(&[NEGATED, word])) {
                    out(i, id);
                }
            }
            if features.contrast {
                let prefix = match clause {
                    Some(Scope::Contrast) => CONTRAST,
                    Some(Scope::Concession) => CONCESSION,
                    _ => continue,
                };
                if let Some(id) = self.scope_id_hashed(fnv1a(&[prefix, word])) {
                    out(i, id);
                }
            }
        }
    }
}

/// Tokens with what scopes read of them ([`Vocabulary::scope_tokens`]): each one's role, whether
/// it is silent, and its unigram id under weighted scopes (empty otherwise).
pub(crate) struct ScopeTokens<'t> {
    tokens: &'t [Token],
    roles: Vec<Role>,
    silent: Vec<bool>,
    ids: Vec<u32>,
}

/// Encodes tokens as the scanner reads them: each byte advances the token's own FNV-1a hash and
/// the hash of the bigram (previous token, 0x1f, this token), which FNV-1a lets us continue from
/// the previous token's hash instead of concatenating the texts.
struct EncodeSink<'v> {
    vocab: &'v Vocabulary,
    /// The current token's bytes, to compare with the word found by hash.
    word: Vec<u8>,
    hash: u64,
    pair_hash: u64,
    has_prev: bool,
    ids: Vec<u32>,
    bigrams: Vec<u32>,
}

impl EncodeSink<'_> {
    fn end_token(&mut self) {
        let vocab = self.vocab;
        self.ids
            .push(vocab.unigram_id_hashed(&self.word, self.hash));
        if vocab.bigram_buckets > 0 {
            if self.has_prev {
                if let Some(id) = vocab.bigram_id_hashed(self.pair_hash) {
                    self.bigrams.push(id);
                }
            }
            self.pair_hash = fnv_step(self.hash, 0x1f);
            self.has_prev = true;
        }
        self.hash = FNV_OFFSET;
        self.word.clear();
    }
}

impl Sink for EncodeSink<'_> {
    #[inline(always)]
    fn push_ascii(&mut self, byte: u8) {
        self.word.push(byte);
        self.hash = fnv_step(self.hash, byte);
        self.pair_hash = fnv_step(self.pair_hash, byte);
    }

    fn push_ascii_run(&mut self, run: &[u8]) {
        // Locals, not fields, so the two hash chains stay in registers over the run.
        let (mut hash, mut pair_hash) = (self.hash, self.pair_hash);
        for &byte in run {
            let byte = byte.to_ascii_lowercase();
            hash = fnv_step(hash, byte);
            pair_hash = fnv_step(pair_hash, byte);
        }
        (self.hash, self.pair_hash) = (hash, pair_hash);
        self.word.extend(run.iter().map(|b| b.to_ascii_lowercase()));
    }

    fn push_char(&mut self, c: char) {
        for &byte in c.encode_utf8(&mut [0; 4]).as_bytes() {
            self.push_ascii(byte);
        }
    }

    fn word(&mut self, _start: usize, _end: usize) {
        self.end_token();
    }

    fn mark(&mut self, mark: u8, _start: usize, _end: usize) {
        self.push_ascii(mark);
        self.end_token();
    }

    fn extend_mark(&mut self, _end: usize) {}
}

impl Vocabulary {
    /// [`Vocabulary::encode`] under polarity-2, in one scan of the text and passes over a compact
    /// record per token (no `String`): the scan lowercases each token into one shared buffer and
    /// hashes it, continuing the bigram's hash at the same time; then links are merged, known
    /// words looked up, unknown ones corrected, and scopes read. The same ids as `encode_scoped`
    /// of [`Vocabulary::read`], which explanations keep (tests/encode2.rs holds both to a frozen
    /// copy of the first polarity-2 code).
    fn encode_v2(&self, text: &str, features: Features) -> Vec<u32> {
        let mut sink = ReadSink {
            bytes: Vec::with_capacity(text.len()),
            from: 0,
            hash: FNV_OFFSET,
            pair_hash: FNV_OFFSET,
            tokens: Vec::with_capacity(token_capacity(text)),
        };
        scan(text, &mut sink);
        let ReadSink {
            mut bytes,
            mut tokens,
            ..
        } = sink;
        let links = scope::links(text);
        if !links.is_empty() {
            tokens = merge_read_links(&links, tokens);
        }
        // Apart from the scan, and in two loops of independent steps (index slot, then the
        // word's offset and text): the CPU overlaps the cache misses of many tokens.
        for t in tokens.iter_mut().filter(|t| !t.silent) {
            (t.slot, t.id) = self.index.tag_slot(t.hash);
        }
        for t in tokens.iter_mut().filter(|t| !t.silent) {
            let word = bytes.get(t.from..t.to).unwrap_or(&[]);
            t.id = self
                .index
                .confirm(&self.list, word, t.hash, (t.slot, t.id))
                .unwrap_or(PAD);
        }
        self.read_unknown(&mut bytes, &mut tokens, features.spelling);

        let mut ids = Vec::with_capacity(tokens.len() * 3);
        ids.extend(tokens.iter().filter(|t| !t.silent).map(|t| t.id));
        if self.bigram_buckets == 0 {
            return ids;
        }
        // A token next to a link has no bigram, so each pair kept is two tokens adjacent in the
        // scan too, whose bigram hash the scan computed.
        let pair_buckets = self.pair_buckets();
        let scoped = features.negation || features.contrast;
        // Each token's role, once, for the bigrams and the scopes.
        let roles: Vec<Role> = if scoped || features.lone_negators {
            tokens
                .iter()
                .map(|t| match t.silent {
                    // A link's text is neither a scope word nor a mark.
                    true => Role::Word,
                    false => scope::role(bytes.get(t.from..t.to).unwrap_or(&[])),
                })
                .collect()
        } else {
            Vec::new()
        };
        for (i, pair) in tokens.windows(2).enumerate() {
            // Under lone negators, a negator's pair has no bigram ([`Vocabulary::pair_id`]).
            let lone = features.lone_negators && roles[i] == Role::Negator;
            if !pair[0].silent && !pair[1].silent && !lone {
                ids.extend(self.bucket_row(bucket(pair[1].pair_hash, pair_buckets)));
            }
        }
        if scoped {
            self.scope_ids_read(text, &bytes, &tokens, &roles, features, &mut ids);
        }
        ids
    }

    /// Gives each unknown word of `tokens` (id [`PAD`] so far) its bucket, or, with `spelling`,
    /// the known word one typo away, whose text, hash and bigram hashes it then takes.
    fn read_unknown(&self, bytes: &mut Vec<u8>, tokens: &mut [ReadToken], spelling: bool) {
        // Locked once a text, at its first unknown word of the right shape.
        let mut memo = None;
        for i in 0..tokens.len() {
            let t = tokens[i];
            if t.silent || t.id != PAD {
                continue;
            }
            let word = bytes.get(t.from..t.to).unwrap_or(&[]);
            let corrected = if spelling && may_be_typo(word) {
                let memo = memo.get_or_insert_with(|| self.corrections.0.try_lock().ok());
                self.corrected_id_in(memo.as_deref_mut(), word, t.hash)
            } else {
                None
            };
            let Some(id) = corrected else {
                tokens[i].id = self.unknown_id(word, t.hash);
                continue;
            };
            // Read as the known word from here on: its text, its hash, and the hashes of the
            // bigrams on either side.
            let right = self.list.get(id as usize - 1).as_bytes();
            let from = bytes.len();
            bytes.extend_from_slice(right);
            let hash = fnv1a(&[right]);
            let pair_hash = match i.checked_sub(1).map(|j| tokens[j].hash) {
                Some(previous) => fnv_continue(fnv_step(previous, 0x1f), right),
                None => t.pair_hash,
            };
            tokens[i] = ReadToken {
                from,
                to: bytes.len(),
                hash,
                pair_hash,
                id,
                ..t
            };
            if let Some(next) = tokens.get_mut(i + 1) {
                let text = bytes.get(next.from..next.to).unwrap_or(&[]);
                next.pair_hash = fnv_continue(fnv_step(hash, 0x1f), text);
            }
        }
    }

    /// The scope ids of read tokens (their `roles`), as [`Vocabulary::scope_ids`] gives them,
    /// onto `ids`.
    fn scope_ids_read(
        &self,
        text: &str,
        bytes: &[u8],
        tokens: &[ReadToken],
        roles: &[Role],
        features: Features,
        ids: &mut Vec<u32>,
    ) {
        let word = |t: &ReadToken| bytes.get(t.from..t.to).unwrap_or(&[]);
        let mut breaks = Vec::with_capacity(tokens.len());
        let mut previous: Option<(usize, Role)> = None;
        for (t, &role) in tokens.iter().zip(roles) {
            breaks.push(match previous {
                None => 0,
                // "!" and "?" are tokens of their own: they end a sentence.
                Some((_, Role::Mark)) => 2,
                Some((end, _)) => {
                    scope::gap_break(text.as_bytes().get(end..t.start).unwrap_or(&[]))
                }
            });
            previous = Some((t.end, role));
        }
        scope::cap_sentences(&mut breaks);
        let state = |prefix: &[u8]| fnv1a(&[prefix]);
        let (negated_state, contrast_state, concession_state) =
            (state(NEGATED), state(CONTRAST), state(CONCESSION));
        let before = if features.weighted && features.contrast {
            scope::before_contrast(roles, &breaks, None)
        } else {
            Vec::new()
        };
        let mut scoped = tokens.iter().enumerate();
        scope::scoped_roles(roles, &breaks, None, |negated, clause| {
            let Some((i, t)) = scoped.next().filter(|(_, t)| !t.silent) else {
                return;
            };
            if features.weighted {
                if features.negation && negated {
                    ids.push(self.banded(t.id, 1));
                }
                if features.contrast && clause.is_some() {
                    ids.push(self.banded(t.id, Self::scope_band(false, clause)));
                }
                if before.get(i) == Some(&true) {
                    ids.push(self.banded(t.id, SCOPES));
                }
                return;
            }
            if features.negation && negated {
                ids.extend(self.scope_id_hashed(fnv_continue(negated_state, word(t))));
            }
            if features.contrast {
                let state = match clause {
                    Some(Scope::Contrast) => contrast_state,
                    Some(Scope::Concession) => concession_state,
                    None => return,
                };
                ids.extend(self.scope_id_hashed(fnv_continue(state, word(t))));
            }
        });
    }
}

/// Room for the tokens of `text`. About one per 5 bytes of English, for a short text; a long one
/// is counted first (one more cheap scan), because growing a vector of millions of tokens past
/// its capacity holds the old and the new at once: a 12-million-character text took the module's
/// memory to 373 MB that way, against 256 MB stated in the README's Limits.
fn token_capacity(text: &str) -> usize {
    if text.len() > 1 << 16 {
        crate::text::count_tokens(text)
    } else {
        text.len() / 5 + 1
    }
}

/// The most memory encoding `text` holds at once: each token as read (`ReadToken`), its ids
/// (word, bigram, scopes) and role, 24 bytes beside the token, and a copy of the text's bytes.
/// Counted for texts of 64 KB and more; a shorter one is taken as a token a byte, the most there
/// can be. Measured for "!? !? ..." (a token every 1.5 bytes): 63 bytes a token in wasm (the
/// token 48 of them), 80 natively (64).
pub fn memory_to_encode(text: &str) -> usize {
    let tokens = if text.len() >= 1 << 16 {
        crate::text::count_tokens(text)
    } else {
        text.len()
    };
    tokens
        .saturating_mul(std::mem::size_of::<ReadToken>() + 24)
        .saturating_add(text.len().saturating_mul(2))
}

/// One polarity-2 token as [`ReadSink`] records it: no `String`, its text in a shared buffer.
#[derive(Clone, Copy, Debug)]
struct ReadToken {
    /// Its span in the input.
    start: usize,
    end: usize,
    /// Its text (a corrected word's, once corrected) in the buffer.
    from: usize,
    to: usize,
    /// FNV-1a of its text.
    hash: u64,
    /// FNV-1a of the previous token's text, 0x1f, this token's text.
    pair_hash: u64,
    /// Its unigram id, once looked up ([`PAD`] before).
    id: u32,
    /// Its index slot while it is looked up.
    slot: usize,
    /// A URL or @mention ([`scope::is_silent`]): no ids.
    silent: bool,
}

/// Replaces the tokens of each link by one silent token, as [`scope::tokenize2`] does.
fn merge_read_links(links: &[scope::Link], mut tokens: Vec<ReadToken>) -> Vec<ReadToken> {
    // In place (tokens only ever merge), so a long text never holds two lists of its tokens.
    let mut cursor = LinkCursor::new(links);
    let mut kept = 0;
    for i in 0..tokens.len() {
        let t = tokens[i];
        match cursor.place(t.start, t.end) {
            Place::Keep => {
                tokens[kept] = t;
                kept += 1;
            }
            Place::Open(_) => {
                tokens[kept] = ReadToken { silent: true, ..t };
                kept += 1;
            }
            Place::Extend => {
                if let Some(last) = kept.checked_sub(1).map(|k| &mut tokens[k]) {
                    last.end = t.end;
                }
            }
        }
    }
    tokens.truncate(kept);
    tokens
}

/// Records polarity-2 tokens as the scanner reports them: like [`EncodeSink`], each byte
/// advances the token's hash and the bigram's (continued from the previous token's hash).
struct ReadSink {
    /// The tokens' texts, one after the other.
    bytes: Vec<u8>,
    /// Where the current token's text starts in `bytes`.
    from: usize,
    hash: u64,
    pair_hash: u64,
    tokens: Vec<ReadToken>,
}

impl ReadSink {
    fn end_token(&mut self, start: usize, end: usize) {
        self.tokens.push(ReadToken {
            start,
            end,
            from: self.from,
            to: self.bytes.len(),
            hash: self.hash,
            pair_hash: self.pair_hash,
            id: PAD,
            slot: 0,
            silent: false,
        });
        self.pair_hash = fnv_step(self.hash, 0x1f);
        self.hash = FNV_OFFSET;
        self.from = self.bytes.len();
    }
}

impl Sink for ReadSink {
    #[inline(always)]
    fn push_ascii(&mut self, byte: u8) {
        self.bytes.push(byte);
        self.hash = fnv_step(self.hash, byte);
        self.pair_hash = fnv_step(self.pair_hash, byte);
    }

    fn push_ascii_run(&mut self, run: &[u8]) {
        // Locals, not fields, so the two hash chains stay in registers over the run.
        let (mut hash, mut pair_hash) = (self.hash, self.pair_hash);
        for &byte in run {
            let byte = byte.to_ascii_lowercase();
            hash = fnv_step(hash, byte);
            pair_hash = fnv_step(pair_hash, byte);
        }
        (self.hash, self.pair_hash) = (hash, pair_hash);
        self.bytes
            .extend(run.iter().map(|b| b.to_ascii_lowercase()));
    }

    fn push_ascii_word(&mut self, rest: &[u8]) -> usize {
        // One pass that finds the run's end, lowercases and hashes (a table lookup per byte),
        // instead of one pass to find the end and another to hash.
        let (mut hash, mut pair_hash) = (self.hash, self.pair_hash);
        let mut n = 0;
        for &byte in rest {
            let lower = ASCII_WORD_BYTE[byte as usize];
            if lower == 0 {
                break;
            }
            hash = fnv_step(hash, lower);
            pair_hash = fnv_step(pair_hash, lower);
            n += 1;
        }
        (self.hash, self.pair_hash) = (hash, pair_hash);
        let run = rest.get(..n).unwrap_or_default();
        self.bytes
            .extend(run.iter().map(|b| b.to_ascii_lowercase()));
        n
    }

    fn push_char(&mut self, c: char) {
        for &byte in c.encode_utf8(&mut [0; 4]).as_bytes() {
            self.push_ascii(byte);
        }
    }

    fn word(&mut self, start: usize, end: usize) {
        self.end_token(start, end);
    }

    fn mark(&mut self, mark: u8, start: usize, end: usize) {
        self.push_ascii(mark);
        self.end_token(start, end);
    }

    fn extend_mark(&mut self, end: usize) {
        if let Some(last) = self.tokens.last_mut() {
            last.end = end;
        }
    }
}

/// Each byte lowercased if it is an ASCII letter or digit, else 0.
const ASCII_WORD_BYTE: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        if (b as u8).is_ascii_alphanumeric() {
            table[b] = (b as u8).to_ascii_lowercase();
        }
        b += 1;
    }
    table
};

fn entry_error(i: usize) -> Error {
    Error::InconsistentModel(format!("vocabulary entry {i} is empty or holds a newline"))
}

/// The words as one text, one per line, and where each starts: one allocation for them all.
#[derive(Clone, Debug, PartialEq)]
struct WordList {
    text: String,
    /// Byte offset of each word's start, then `text.len() + 1` (as if the text ended in '\n').
    starts: Vec<u32>,
}

impl WordList {
    fn new(text: String) -> Result<Self, Error> {
        if text.len() >= u32::MAX as usize {
            return Err(Error::InconsistentModel(
                "the vocabulary text is too large".into(),
            ));
        }
        // Counted first, then filled by a plain loop: a load runs this once, as V8's baseline code
        // in the browser, where a growing iterator's extend took 4 ms for 30,000 words.
        let lines = text.bytes().filter(|&b| b == b'\n').count();
        // Before anything is made for them: 64 MiB of empty lines asked for 2 GiB of word index,
        // and a table row per word could never be given anyway.
        if lines >= limits::MAX_TABLE_ROWS {
            return Err(Error::TooLarge(format!(
                "the vocabulary has {} words; polarity reads at most {}",
                lines + 1,
                limits::MAX_TABLE_ROWS
            )));
        }
        let mut starts = Vec::with_capacity(lines + 2);
        if !text.is_empty() {
            starts.push(0);
            for (i, b) in text.bytes().enumerate() {
                if b == b'\n' {
                    starts.push(i as u32 + 1);
                }
            }
            starts.push(text.len() as u32 + 1);
        }
        Ok(WordList { text, starts })
    }

    fn len(&self) -> usize {
        self.starts.len().saturating_sub(1)
    }

    /// Word `i` (`i < len()`).
    #[inline]
    fn get(&self, i: usize) -> &str {
        &self.text[self.starts[i] as usize..self.starts[i + 1] as usize - 1]
    }
}

fn crowded() -> Error {
    Error::NotAModel(format!(
        "its vocabulary's words crowd together in the word index (more than {} in a row): \
         words chosen to be slow to look up",
        limits::MAX_WORD_INDEX_RUN
    ))
}

/// What [`WordIndex::insert`] did.
enum Inserted {
    New,
    /// The word was there already.
    Twice,
    /// Its probe walked more than [`limits::MAX_WORD_INDEX_RUN`] slots.
    Crowded,
}

/// Known words by FNV-1a hash: open addressing with linear probing, at most half full. Smaller
/// than a `HashMap<String, u32>` (no second copy of the words) and its hash is the one unknown
/// words need anyway.
///
/// A word is found by its tag (the high half of its hash) on its probe chain. While no two known
/// words share a tag on a chain (`tags_tell`, found as they are inserted: 24,394 words of 2^32
/// tags seldom do), the tag is the word, and no word's bytes are compared: a lookup reads no word
/// list, a random read of memory saved per token (tokenizing took 0.91x the time natively, and
/// classify 0.91x to 0.94x in Node). An
/// unknown word is then read as a known one only if its 64-bit hash lands on that word's chain
/// with the same high half, about one unknown word in 2^32: rarer than two unknown words sharing
/// an unknown-word bucket, which is by design.
#[derive(Clone, Debug, PartialEq)]
struct WordIndex {
    /// `(high half of the hash, id)`; id 0 marks an empty slot.
    slots: Vec<(u32, u32)>,
    /// No two known words share a tag on a probe chain: a tag found is its word.
    tags_tell: bool,
}

impl WordIndex {
    fn with_capacity(words: usize) -> Self {
        let len = (2 * words).next_power_of_two().max(16);
        WordIndex {
            slots: vec![(0, 0); len],
            tags_tell: true,
        }
    }

    fn first_slot(&self, hash: u64) -> usize {
        // FNV-1a's low bits mix poorly; a multiply's high bits depend on all of them.
        (hash.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 32) as usize & (self.slots.len() - 1)
    }

    /// Adds word `id` (row `id`, `words.get(id - 1)`).
    fn insert(&mut self, words: &WordList, id: u32) -> Inserted {
        let word = words.get(id as usize - 1).as_bytes();
        let hash = fnv1a(&[word]);
        let (mask, tag) = (self.slots.len() - 1, (hash >> 32) as u32);
        // One walk of the probe chain: a copy of the word on it, or the empty slot that ends it.
        let mut slot = self.first_slot(hash);
        for _ in 0..=limits::MAX_WORD_INDEX_RUN {
            let (slot_tag, other) = self.slots[slot];
            if other == 0 {
                self.slots[slot] = (tag, id);
                return Inserted::New;
            }
            if slot_tag == tag {
                if words.get(other as usize - 1).as_bytes() == word {
                    return Inserted::Twice;
                }
                // Another word of this tag is on the chain: lookups compare words.
                self.tags_tell = false;
            }
            slot = (slot + 1) & mask;
        }
        Inserted::Crowded
    }

    /// The most occupied slots in a row (wrapping round the end): what a lookup walks at most.
    fn longest_run(&self) -> usize {
        let (mut longest, mut run) = (0, 0);
        // Twice round, so that a run across the end is counted whole (at most half are full).
        for &(_, id) in self.slots.iter().chain(&self.slots) {
            run = if id == 0 { 0 } else { run + 1 };
            longest = longest.max(run);
        }
        longest
    }

    /// Whether some known word has the hash tag of `hash` (a cheap first test: no bytes compared).
    #[inline]
    fn has_tag(&self, hash: u64) -> bool {
        self.probe(hash, |_| true).is_some()
    }

    #[inline]
    fn get(&self, words: &WordList, word: &[u8], hash: u64) -> Option<u32> {
        self.probe(hash, |id| {
            self.tags_tell || words.get(id as usize - 1).as_bytes() == word
        })
    }

    /// The first slot of `hash`'s probe chain whose tag is `hash`'s, or the empty slot that ends
    /// the chain, and its id (0 if empty): the part of [`WordIndex::get`] that reads no word.
    /// [`WordIndex::confirm`] does the rest; apart, many lookups' cache misses overlap.
    #[inline]
    fn tag_slot(&self, hash: u64) -> (usize, u32) {
        let mask = self.slots.len() - 1;
        let tag = (hash >> 32) as u32;
        let mut slot = self.first_slot(hash);
        loop {
            let (slot_tag, id) = self.slots[slot];
            if id == 0 || slot_tag == tag {
                return (slot, id);
            }
            slot = (slot + 1) & mask;
        }
    }

    /// [`WordIndex::get`] from what [`WordIndex::tag_slot`] found: the candidate's word is
    /// compared, and the chain walked on past it if it is another word with the same tag.
    #[inline]
    fn confirm(
        &self,
        words: &WordList,
        word: &[u8],
        hash: u64,
        found: (usize, u32),
    ) -> Option<u32> {
        let (slot, id) = found;
        if id == 0 {
            return None;
        }
        if self.tags_tell || words.get(id as usize - 1).as_bytes() == word {
            return Some(id);
        }
        let next = (slot + 1) & (self.slots.len() - 1);
        self.probe_from(next, hash, |id| {
            words.get(id as usize - 1).as_bytes() == word
        })
    }

    /// The id of the first word with `hash`'s tag that `is_it` accepts, walking the probe chain.
    #[inline(always)]
    fn probe(&self, hash: u64, is_it: impl Fn(u32) -> bool) -> Option<u32> {
        self.probe_from(self.first_slot(hash), hash, is_it)
    }

    /// [`WordIndex::probe`] from slot `slot` of the chain on.
    #[inline(always)]
    fn probe_from(&self, mut slot: usize, hash: u64, is_it: impl Fn(u32) -> bool) -> Option<u32> {
        let mask = self.slots.len() - 1;
        let tag = (hash >> 32) as u32;
        loop {
            let (slot_tag, id) = self.slots[slot];
            if id == 0 {
                return None;
            }
            if slot_tag == tag && is_it(id) {
                return Some(id);
            }
            slot = (slot + 1) & mask;
        }
    }
}

/// Kept bigram buckets as one bit per bucket plus the count of kept buckets before each 64-bit
/// block: a bucket's row in O(1) instead of a binary search over tens of thousands.
#[derive(Clone, Debug, PartialEq)]
struct RankBitmap {
    bits: Vec<u64>,
    ranks: Vec<u32>,
}

impl RankBitmap {
    /// Largest bucket space given a bitmap (2^24 buckets: 3 MB); beyond it, binary search.
    const MAX_BUCKETS: u32 = 1 << 24;

    /// `kept` sorted, distinct and below `buckets`.
    fn new(kept: &[u32], buckets: u32) -> Option<Self> {
        if buckets > Self::MAX_BUCKETS {
            return None;
        }
        let blocks = (buckets as usize).div_ceil(64);
        let mut bits = vec![0u64; blocks];
        for &b in kept {
            bits[b as usize / 64] |= 1 << (b % 64);
        }
        let mut ranks = Vec::with_capacity(blocks);
        let mut total = 0;
        for block in &bits {
            ranks.push(total);
            total += block.count_ones();
        }
        Some(RankBitmap { bits, ranks })
    }

    /// The row of `bucket` (kept buckets before it), or `None` if it is not kept.
    #[inline]
    fn rank(&self, bucket: u32) -> Option<u32> {
        let (block, bit) = (bucket as usize / 64, bucket % 64);
        let word = *self.bits.get(block)?;
        if word & (1 << bit) == 0 {
            return None;
        }
        Some(self.ranks[block] + (word & ((1 << bit) - 1)).count_ones())
    }
}

/// `hash % buckets`. Bucket counts are powers of two in practice, and a mask is much cheaper than a
/// 64-bit division (tens of cycles, twice a token).
#[inline]
fn bucket(hash: u64, buckets: u32) -> u32 {
    if buckets.is_power_of_two() {
        (hash & (buckets as u64 - 1)) as u32
    } else {
        (hash % buckets as u64) as u32
    }
}

pub(crate) const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

#[inline(always)]
pub(crate) fn fnv_step(hash: u64, byte: u8) -> u64 {
    (hash ^ byte as u64).wrapping_mul(0x0000_0100_0000_01b3)
}

/// FNV-1a of `bytes` continued from the state `hash`.
#[inline]
fn fnv_continue(mut hash: u64, bytes: &[u8]) -> u64 {
    for &b in bytes {
        hash = fnv_step(hash, b);
    }
    hash
}

/// 64-bit FNV-1a over the concatenation of `parts`: tiny, fast, and identical on every platform.
fn fnv1a(parts: &[&[u8]]) -> u64 {
    let mut hash = FNV_OFFSET;
    for part in parts {
        for &b in *part {
            hash = fnv_step(hash, b);
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

    /// The index finds each word at its id, and refuses a word given twice (even among many
    /// others, where probe chains are long) or an empty line.
    #[test]
    fn more_words_than_a_table_holds_are_refused_before_anything_is_made_for_them() {
        let lines = "\n".repeat(limits::MAX_TABLE_ROWS);
        let e = Vocabulary::from_lines(lines, 1, 0).unwrap_err().to_string();
        assert!(e.contains("polarity reads at most 4194304"), "{e}");
    }

    #[test]
    fn the_index_holds_each_word_once() {
        let words: Vec<String> = (0..5000).map(|i| format!("w{i}")).collect();
        let v = Vocabulary::from_lines(words.join("\n"), 4, 16).unwrap();
        assert_eq!(v.word_count(), 5000);
        for (i, w) in words.iter().enumerate() {
            assert_eq!(v.unigram_id(w), i as u32 + 1);
        }
        let twice = format!("{}\nw17", words.join("\n"));
        let e = Vocabulary::from_lines(twice, 4, 16).unwrap_err();
        assert!(
            e.to_string().contains("\"w17\" is in the vocabulary twice"),
            "{e}"
        );
        // Named by its start: a 32 MB word made a 32 MB message.
        let huge = "\u{1}".repeat(1 << 20);
        let e = Vocabulary::from_lines(format!("{huge}\n{huge}"), 4, 16).unwrap_err();
        assert!(e.to_string().len() < 400, "{} bytes", e.to_string().len());
        assert!(Vocabulary::from_lines("a\n\nb".into(), 4, 16).is_err());
        let empty = Vocabulary::from_lines(String::new(), 4, 16).unwrap();
        assert_eq!(empty.word_count(), 0);
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
        assert!(Vocabulary::new(vec!["a\nb".into()], 1, 0).is_err());
        assert!(Vocabulary::new(vec!["a".into()], 0, 0).is_err());
        for bad in ["a\na", "a\n", "\na", "a\n\nb"] {
            assert!(Vocabulary::from_lines(bad.into(), 1, 0).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn words_that_share_a_tag_on_a_chain_are_told_apart_by_their_bytes() {
        // Two words of one tag and one first slot: found by the tag alone, the second would read
        // as the first. Drawn from "w0", "w1", ... (36 bits to match: about 2^18 draws).
        let probe = WordIndex::with_capacity(2);
        let mut seen = std::collections::HashMap::new();
        let (a, b) = (0u64..)
            .find_map(|i| {
                let word = format!("w{i}");
                let hash = fnv1a(&[word.as_bytes()]);
                let key = ((hash >> 32) as u32, probe.first_slot(hash));
                seen.insert(key, word.clone()).map(|first| (first, word))
            })
            .unwrap();
        let vocab = Vocabulary::from_lines(format!("{a}\n{b}"), 1, 0).unwrap();
        assert!(!vocab.index.tags_tell);
        assert_eq!((vocab.unigram_id(&a), vocab.unigram_id(&b)), (1, 2));
        assert_eq!(vocab.encode(&format!("{b} {a}")), vec![2, 1]);
        // Words drawn without aim, and the shipped model's, are found by their tags alone.
        let plain: Vec<String> = (0..600).map(|i| format!("w{i}")).collect();
        assert!(
            Vocabulary::from_lines(plain.join("\n"), 1, 0)
                .unwrap()
                .index
                .tags_tell
        );
        let shipped = crate::Classifier::bundled().unwrap();
        assert!(shipped.model().vocab.index.tags_tell);
    }

    #[test]
    fn words_chosen_to_crowd_the_index_are_refused() {
        // 600 words whose first slot of a 2,048-slot index is below 16: one run of 600.
        let probe = WordIndex::with_capacity(600);
        let words: Vec<String> = (0u64..)
            .map(|i| format!("w{i}"))
            .filter(|w| probe.first_slot(fnv1a(&[w.as_bytes()])) < 16)
            .take(600)
            .collect();
        let err = Vocabulary::from_lines(words.join("\n"), 1, 0).unwrap_err();
        assert!(err.to_string().contains("crowd"), "{err}");
        // As many words drawn without aim load, and so do the shipped model's.
        let plain: Vec<String> = (0..600).map(|i| format!("w{i}")).collect();
        assert!(Vocabulary::from_lines(plain.join("\n"), 1, 0).is_ok());
        let shipped = crate::Classifier::bundled().unwrap();
        let run = shipped.model().vocab.index.longest_run();
        assert!(
            run < limits::MAX_WORD_INDEX_RUN / 8,
            "the shipped vocabulary's longest run is {run}"
        );
    }

    #[test]
    fn lines_and_words_build_the_same_vocabulary() {
        let words = ["good", "bad", "film", "été"].map(String::from).to_vec();
        let from_words = Vocabulary::new(words.clone(), 4, 16).unwrap();
        let from_lines = Vocabulary::from_lines(words.join("\n"), 4, 16).unwrap();
        assert_eq!(from_words, from_lines);
        assert_eq!(from_lines.word_count(), 4);
        assert_eq!(from_lines.words(), &words[..]);
        assert_eq!(from_lines.word_lines(), "good\nbad\nfilm\nété");
        for text in ["good film été", "bad unknown", ""] {
            assert_eq!(from_words.encode(text), from_lines.encode(text));
        }
        let empty = Vocabulary::from_lines(String::new(), 1, 0).unwrap();
        assert_eq!((empty.word_count(), empty.words().len()), (0, 0));
        assert_eq!(empty, Vocabulary::new(Vec::new(), 1, 0).unwrap());
    }

    #[test]
    fn spelling_reads_one_typo_as_the_known_word() {
        let words = ["great", "terrible", "film", "grit"]
            .map(String::from)
            .to_vec();
        let v = Vocabulary::new(words, 4, 64).unwrap();
        for (typo, word) in [
            ("graet", Some("great")),
            ("greatt", Some("great")),
            ("grat", Some("great")),
            ("terrble", Some("terrible")),
            ("terrihle", Some("terrible")),
            ("great", None),
            ("zzzzz", None),
            ("Great", None),
            ("fi", None),
        ] {
            assert_eq!(v.correct(typo), word, "{typo}");
        }
        let spelled = v.clone().with_scheme(Scheme::V2(Features {
            spelling: true,
            ..Features::default()
        }));
        assert_eq!(spelled.encode("graet film"), spelled.encode("great film"));
        assert_ne!(v.encode("graet film"), v.encode("great film"));
    }

    #[test]
    fn the_typo_filter_grows_with_the_vocabulary_and_misses_no_word() {
        // 32 kB up to 32,768 words (the shipped vocabulary's), then at least 8 bits a word: a fixed
        // filter filled up with millions of words, and every typo candidate probed the index.
        assert_eq!(bloom_len_log2(0), 12);
        assert_eq!(bloom_len_log2(24_394), 12);
        assert_eq!(bloom_len_log2(4_183_916), 19);
        assert_eq!(bloom_len_log2(usize::MAX), 24);
        let mut rng = crate::rng::Rng::new(7);
        let mut words: Vec<String> = (0..300_000)
            .map(|_| {
                (0..9)
                    .map(|_| (b'a' + rng.below(26) as u8) as char)
                    .collect()
            })
            .collect();
        words.extend(["great", "terrible"].map(String::from));
        words.sort();
        words.dedup();
        let v = Vocabulary::new(words.clone(), 4, 0).unwrap();
        assert_eq!(v.correct("graet"), Some("great"));
        assert_eq!(v.correct("terrble"), Some("terrible"));
        // No false negatives: every known word's two bits are set.
        let log2 = bloom_len_log2(words.len());
        assert_eq!(log2, 16);
        let bloom = v.bloom.get().expect("made by the first correction");
        assert_eq!(bloom.len(), 1 << log2);
        for w in &words {
            let (word, mask) = bloom_bits(fnv1a(&[w.as_bytes()]), log2);
            assert_eq!(bloom[word] & mask, mask, "{w}");
        }
    }

    #[test]
    fn hashing_is_stable_across_platforms() {
        // FNV-1a reference value for "a": keeps ids of shipped models from drifting.
        assert_eq!(fnv1a(&[b"a"]), 0xaf63_dc4c_8601_ec8c);
    }
}
