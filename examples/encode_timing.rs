//! Times `Vocabulary::encode` (tokenize + ids) of the bundled model against the frozen copy of the
//! encoder it replaced (tests/reference/polarity1.rs: a `String` per token, a SipHash `HashMap` of
//! words, binary search of the kept bigram buckets), and checks that both give the same ids.
//!
//! `cargo run --release --example encode_timing [IMDB.tsv.gz]`. With an IMDB file (default
//! `../shared/data/imdb/test.tsv.gz`, skipped if absent) every review is also compared id for id
//! and the whole file is timed. Timed in alternation so both see the same machine load; prints
//! medians and asserts only equality.

use std::path::PathBuf;
use std::time::Duration;

use polarity::vocab::Vocabulary;
use polarity::{data, onnx, Classifier};

#[path = "../tests/reference/polarity1.rs"]
mod polarity1;

#[path = "support/race.rs"]
mod race;
use race::{race, ratio, review_of_230_words};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

fn main() -> Result<(), BoxError> {
    // The polarity-1 encoder: the frozen copy reads as polarity-1 did (the bundled model is
    // polarity-2).
    let (model, _) = onnx::import(include_bytes!("../tests/fixtures/polarity-1.onnx"))?;
    let vocab = model.vocab();
    let old = polarity1::Encoder::new(vocab);

    let review = review_of_230_words()?;
    assert_eq!(vocab.encode(&review), old.encode(&review));

    let [new_t, old_t] = race(5000, || vocab.encode(&review), || old.encode(&review));
    let x = ratio(old_t, new_t);
    println!("encode, 230-word review: new {new_t:?}, old {old_t:?} (x{x:.2})");

    // The same polarity-1 model both ways: its ids only fit its own table.
    let clf = Classifier::from_bytes(include_bytes!("../tests/fixtures/polarity-1.onnx"))?;
    let [new_t, old_t] = race(
        3000,
        || clf.classify(&review).map(|p| p.score),
        || clf.score_ids(&[old.encode(&review)]).map(|p| p[0].score),
    );
    let x = ratio(old_t, new_t);
    println!("classify, 230-word review: new {new_t:?}, old {old_t:?} (x{x:.2})");

    // Load cost: the vocabulary with its word table and bigram bitmap, against the old word map.
    let kept = vocab.kept_bigrams().map(<[u32]>::to_vec);
    let build = || -> Result<Vocabulary, polarity::Error> {
        let v = Vocabulary::new(
            vocab.words().to_vec(),
            vocab.oov_buckets(),
            vocab.bigram_buckets(),
        )?;
        match &kept {
            Some(k) => v.with_kept_bigrams(k.clone()),
            None => Ok(v),
        }
    };
    let [alone, with_map] = race(
        21,
        || build().map(|v| v.unigram_id("x")),
        || build().map(|v| polarity1::Encoder::new(&v).unigram_id("x")),
    );
    println!(
        "vocabulary build (words cloned, word table, bigram bitmap): {alone:?}; \
         plus the old SipHash word map: {with_map:?}"
    );

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
