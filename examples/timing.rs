//! Native timings of the bundled model: cold start (bytes to a ready classifier) and one classify
//! of a 230-word review, by the crate's engine and, side by side, by what `Classifier` did before
//! it built the graph itself (tract-onnx parsing the graph rebuilt from the weights).
//!
//! `cargo run --release --example timing`. The two are timed in alternation, so both see the same
//! machine load. Prints medians; asserts nothing (timings vary by machine and load).

use std::time::{Duration, Instant};

use polarity::{onnx, Classifier, BUNDLED_MODEL};
use tract_onnx::prelude::*;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

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

/// The previous load path: import, rebuild the ONNX graph, parse and optimize it with tract-onnx.
fn tract_onnx_plan(bytes: &[u8]) -> Result<Arc<TypedRunnableModel>, BoxError> {
    let (model, _) = onnx::import(bytes)?;
    let rebuilt = onnx::export(&model);
    Ok(tract_onnx::onnx()
        .model_for_read(&mut &rebuilt[..])?
        .into_optimized()?
        .into_runnable()?)
}

fn ratio(before: Duration, after: Duration) -> f64 {
    before.as_secs_f64() / after.as_secs_f64()
}

fn main() -> Result<(), BoxError> {
    let fixture = std::fs::read_to_string("tests/fixtures/reviews.tsv")?;
    let words: Vec<&str> = fixture
        .lines()
        .filter_map(|l| l.split_once('\t').map(|(_, text)| text))
        .flat_map(str::split_whitespace)
        .take(230)
        .collect();
    let review = words.join(" ");

    let [new, old] = race(
        21,
        || Classifier::from_bytes(BUNDLED_MODEL).map(drop),
        || tract_onnx_plan(BUNDLED_MODEL).map(drop),
    );
    let x = ratio(old, new);
    println!("cold start: engine {new:?}, before {old:?} (x{x:.2})");

    let clf = Classifier::from_bytes(BUNDLED_MODEL)?;
    let plan = tract_onnx_plan(BUNDLED_MODEL)?;
    let ids = clf.model().vocab.encode(&review);
    let run_old = |ids: &[u32]| {
        let ids: Vec<i64> = ids.iter().map(|&id| id as i64).collect();
        let input = Tensor::from_shape(&[1, ids.len()], &ids)?;
        plan.run(tvec!(input.into_tvalue()))
    };
    let [new, old] = race(
        3000,
        || clf.classify(&review).map(|p| p.score),
        || run_old(&clf.model().vocab.encode(&review)),
    );
    let x = ratio(old, new);
    println!(
        "classify ({} words, {} ids): engine {new:?}, before {old:?} (x{x:.2})",
        words.len(),
        ids.len()
    );
    let [new, old] = race(
        3000,
        || clf.score_ids(std::slice::from_ref(&ids)),
        || run_old(&ids),
    );
    let x = ratio(old, new);
    println!("  of which the graph: engine {new:?}, before {old:?} (x{x:.2})");
    let [encode, reference] = race(
        3000,
        || clf.model().vocab.encode(&review),
        || clf.model().score(&ids),
    );
    println!("  tokenize + encode {encode:?}; plain-Rust Model::score on the ids {reference:?}");
    Ok(())
}
