//! Times `Vocabulary::encode` (tokenize + ids) of the bundled model against a frozen copy of the
//! encoder it replaced (`tokenize` to `Token` strings, a SipHash `HashMap` of words, binary search of
//! the kept bigram buckets), and checks that both give the same ids.
//!
//! `cargo run --release --example encode_timing [IMDB.tsv.gz]`. With an IMDB file (default
//! `../shared/data/imdb/test.tsv.gz`, skipped if absent) every review is also compared id for id
//! and the whole file is timed. Timed in alternation so both see the same machine load; prints
//! medians and asserts only equality.

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use polarity::text::tokenize;
use polarity::vocab::Vocabulary;
use polarity::{data, onnx, BUNDLED_MODEL};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The encoder as it was before the fast path, kept here to time and check against.
struct OldEncoder<'a> {
    vocab: &'a Vocabulary,
    index: HashMap<String, u32>,
}

impl<'a> OldEncoder<'a> {
    fn new(vocab: &'a Vocabulary) -> Self {
        let index = vocab
            .words()
            .iter()
            .enumerate()
            .map(|(i, w)| (w.clone(), i as u32 + 1))
            .collect();
        OldEncoder { vocab, index }
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

    fn unigram_id(&self, token: &str) -> u32 {
        match self.index.get(token) {
            Some(&id) => id,
            None => {
                let first_oov = 1 + self.vocab.words().len() as u32;
                first_oov
                    + (Self::fnv1a(&[token.as_bytes()]) % self.vocab.oov_buckets() as u64) as u32
            }
        }
    }

    fn bigram_id(&self, a: &str, b: &str) -> Option<u32> {
        if self.vocab.bigram_buckets() == 0 {
            return None;
        }
        let hash = Self::fnv1a(&[a.as_bytes(), b"\x1f", b.as_bytes()]);
        let bucket = (hash % self.vocab.bigram_buckets() as u64) as u32;
        let row = match self.vocab.kept_bigrams() {
            Some(kept) => kept.binary_search(&bucket).ok()? as u32,
            None => bucket,
        };
        Some(self.vocab.first_bigram_id() + row)
    }

    fn encode(&self, text: &str) -> Vec<u32> {
        let tokens = tokenize(text);
        let mut ids = Vec::with_capacity(tokens.len() * 2);
        ids.extend(tokens.iter().map(|t| self.unigram_id(&t.text)));
        ids.extend(
            tokens
                .windows(2)
                .filter_map(|pair| self.bigram_id(&pair[0].text, &pair[1].text)),
        );
        ids
    }
}

/// Median times of `a` and `b`, run alternately `runs` times each.
fn race<A, B>(runs: usize, mut a: impl FnMut() -> A, mut b: impl FnMut() -> B) -> [Duration; 2] {
    let mut times = [Vec::new(), Vec::new()];
    for _ in 0..runs {
        let start = Instant::now();
        std::hint::black_box(a());
        times[0].push(start.elapsed());
        let start = Instant::now();
        std::hint::black_box(b());
        times[1].push(start.elapsed());
    }
    times.map(|mut t| {
        t.sort();
        t[t.len() / 2]
    })
}

fn ratio(before: Duration, after: Duration) -> f64 {
    before.as_secs_f64() / after.as_secs_f64()
}

fn main() -> Result<(), BoxError> {
    let (model, _) = onnx::import(BUNDLED_MODEL)?;
    let vocab = &model.vocab;
    let old = OldEncoder::new(vocab);

    let fixture = std::fs::read_to_string("tests/fixtures/reviews.tsv")?;
    let words: Vec<&str> = fixture
        .lines()
        .filter_map(|l| l.split_once('\t').map(|(_, text)| text))
        .flat_map(str::split_whitespace)
        .take(230)
        .collect();
    let review = words.join(" ");
    assert_eq!(vocab.encode(&review), old.encode(&review));

    let [new_t, old_t] = race(5000, || vocab.encode(&review), || old.encode(&review));
    let x = ratio(old_t, new_t);
    println!("encode, 230-word review: new {new_t:?}, old {old_t:?} (x{x:.2})");

    let path = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| data::default_data_dir().join("imdb/test.tsv.gz"));
    if !path.exists() {
        println!("{} not found: IMDB comparison skipped", path.display());
        return Ok(());
    }
    let reviews = data::read_reviews(&path)?;
    let mut ids = 0;
    for r in &reviews {
        let new_ids = vocab.encode(&r.text);
        assert_eq!(new_ids, old.encode(&r.text), "ids differ for {:?}", r.text);
        ids += new_ids.len();
    }
    println!("{} reviews, {ids} ids: identical", reviews.len());
    let each =
        |f: &dyn Fn(&str) -> Vec<u32>| reviews.iter().map(|r| f(&r.text).len()).sum::<usize>();
    let [new_t, old_t] = race(
        5,
        || each(&|t| vocab.encode(t)),
        || each(&|t| old.encode(t)),
    );
    let x = ratio(old_t, new_t);
    let per = |d: Duration| d / reviews.len() as u32;
    println!(
        "encode, whole file: new {new_t:?}, old {old_t:?} (x{x:.2}); per review new {:?}, old {:?}",
        per(new_t),
        per(old_t)
    );
    Ok(())
}
