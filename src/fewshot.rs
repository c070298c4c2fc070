//! Few-shot transfer experiments (native only): fine-tune a starting model on N balanced
//! labelled reviews, for several samples, and measure each result on held-out reviews. This is
//! how `fineTune`'s defaults were chosen (README.md, "Few-shot transfer").

use std::time::Instant;

use crate::classifier::Classifier;
use crate::data::Review;
use crate::finetune::{FineTuneOptions, Label, Labelled};
use crate::rng::Rng;
use crate::Error;

/// One fine-tuned sample: accuracy on the evaluation reviews, and how long fine-tuning took.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Sample {
    pub accuracy: f64,
    pub millis: f64,
}

/// How each sample starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Head {
    /// A fresh head drawn with the sample's seed (as `Classifier.fromPretrained`).
    Fresh,
    /// The head stored in the file (as `Classifier.fromBytes` + `fineTune`).
    Kept,
}

/// Fine-tunes `start` on `n` reviews drawn from `pool` (half of each label) for seeds
/// `0..seeds`, measuring each on `eval`. `options.seed` is set to the sample's seed.
pub fn run(
    start: &Classifier,
    pool: &[Review],
    eval: &[Review],
    n: usize,
    seeds: u64,
    head: Head,
    options: &FineTuneOptions,
) -> Result<Vec<Sample>, Error> {
    let (positives, negatives): (Vec<&Review>, Vec<&Review>) =
        pool.iter().partition(|r| r.positive);
    let eval_texts: Vec<&str> = eval.iter().map(|r| r.text.as_str()).collect();
    let mut samples = Vec::new();
    for seed in 0..seeds {
        let mut rng = Rng::new(1000 + seed);
        let mut pick = |group: &[&Review], k: usize| -> Vec<Labelled> {
            let mut idx: Vec<usize> = (0..group.len()).collect();
            rng.shuffle(&mut idx);
            idx[..k.min(idx.len())]
                .iter()
                .map(|&i| Labelled {
                    text: group[i].text.clone(),
                    label: Label::Number(f64::from(u8::from(group[i].positive))),
                })
                .collect()
        };
        let mut examples = pick(&positives, n / 2);
        examples.extend(pick(&negatives, n - n / 2));
        let mut clf = match head {
            Head::Kept => Classifier::from_model(start.model())?,
            Head::Fresh => start.from_pretrained(start.labels().clone(), seed)?,
        };
        let options = FineTuneOptions {
            seed: Some(seed as f64),
            ..options.clone()
        };
        let started = Instant::now();
        clf.fine_tune_examples(&examples, &options, &mut |_| {})?;
        let millis = started.elapsed().as_secs_f64() * 1000.0;
        let predictions = clf.classify_batch(&eval_texts)?;
        let correct = eval
            .iter()
            .zip(&predictions)
            .filter(|(r, p)| r.positive == (p.score >= 0.5))
            .count();
        samples.push(Sample {
            accuracy: correct as f64 / eval.len().max(1) as f64,
            millis,
        });
    }
    Ok(samples)
}
