//! Native timings of the bundled model: cold start (bytes to a ready classifier) and one classify
//! of a 230-word review, by the crate's engine and, side by side, by what `Classifier` did before
//! it built the graph itself (tract-onnx parsing the graph rebuilt from the weights).
//!
//! `cargo run --release --example timing`. The two are timed in alternation, so both see the same
//! machine load. Prints medians; asserts nothing (timings vary by machine and load).

use polarity::{onnx, Classifier, BUNDLED_MODEL};
use tract_onnx::prelude::*;

#[path = "support/race.rs"]
mod race;
use race::{race, ratio, review_of_230_words};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The previous load path: import, rebuild the ONNX graph, parse and optimize it with tract-onnx.
fn tract_onnx_plan(bytes: &[u8]) -> Result<Arc<TypedRunnableModel>, BoxError> {
    let (model, _) = onnx::import(bytes)?;
    let rebuilt = onnx::export(&model);
    Ok(tract_onnx::onnx()
        .model_for_read(&mut &rebuilt[..])?
        .into_optimized()?
        .into_runnable()?)
}

fn main() -> Result<(), BoxError> {
    let review = review_of_230_words()?;

    let [new, old] = race(
        21,
        || Classifier::from_bytes(BUNDLED_MODEL).map(drop),
        || tract_onnx_plan(BUNDLED_MODEL).map(drop),
    );
    let x = ratio(old, new);
    println!("cold start: engine {new:?}, before {old:?} (x{x:.2})");

    let clf = Classifier::from_bytes(BUNDLED_MODEL)?;
    let plan = tract_onnx_plan(BUNDLED_MODEL)?;
    let ids = clf.model().vocab().encode(&review);
    let run_old = |ids: &[u32]| {
        let ids: Vec<i64> = ids.iter().map(|&id| id as i64).collect();
        let input = Tensor::from_shape(&[1, ids.len()], &ids)?;
        plan.run(tvec!(input.into_tvalue()))
    };
    let [new, old] = race(
        3000,
        || clf.classify(&review).map(|p| p.score),
        || run_old(&clf.model().vocab().encode(&review)),
    );
    let x = ratio(old, new);
    println!(
        "classify ({} words, {} ids): engine {new:?}, before {old:?} (x{x:.2})",
        review.split_whitespace().count(),
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
        || clf.model().vocab().encode(&review),
        || clf.model().score(&ids),
    );
    println!("  tokenize + encode {encode:?}; plain-Rust Model::score on the ids {reference:?}");
    Ok(())
}
