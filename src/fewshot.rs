//! Few-shot transfer experiments (native only): fine-tune a starting model on N labelled texts,
//! as many of each label as can be, for several samples, and measure each result on held-out
//! texts. This is how `fineTune`'s defaults were chosen (README.md, "Few-shot transfer"), on IMDB
//! reviews and on custom-label tasks (SMS spam, IMDB star ratings in four classes).

use std::path::Path;
use std::time::Instant;

use crate::classifier::Classifier;
use crate::data::{read_labelled, read_reviews};
use crate::finetune::{FineTuneOptions, Label, Labelled};
use crate::recipe::{split, Recipe};
use crate::rng::Rng;
use crate::train::no_progress;
use crate::Error;

/// Texts with the index of their label.
pub type Texts = Vec<(String, usize)>;

/// A classification task: its labels, the texts samples are drawn from, the texts they are
/// measured on.
pub struct Task {
    pub name: &'static str,
    pub labels: Vec<String>,
    pub pool: Texts,
    pub eval: Texts,
    /// Also measure each sample on the pool's texts it did not draw: training data, never
    /// test, so a validation set several times larger (SMS spam: 722 messages, 72 of them spam,
    /// alone; 3,512 with the unused pool).
    pub measure_unused: bool,
    /// Samples drawn in the pool's proportions ([`draw_natural`]), not balanced ([`draw`]).
    pub natural: bool,
}

impl Task {
    /// IMDB positive / negative: the pool is IMDB train less a validation split, measured on
    /// that split or (`test`) on IMDB test.
    pub fn imdb(data: &Path, test: bool) -> Result<Task, Error> {
        let texts = |reviews: Vec<crate::data::Review>| -> Texts {
            reviews
                .into_iter()
                .map(|r| (r.text, usize::from(!r.positive)))
                .collect()
        };
        let reviews = read_reviews(&data.join("imdb/train.tsv.gz"))?;
        let (pool, valid) = split(reviews, &Recipe::default());
        let eval = if test {
            texts(read_reviews(&data.join("imdb/test.tsv.gz"))?)
        } else {
            texts(valid)
        };
        Ok(Task {
            name: "IMDB",
            labels: vec!["positive".into(), "negative".into()],
            pool: texts(pool),
            eval,
            measure_unused: false,
            natural: false,
        })
    }

    /// SMS spam / ham. The corpus has no split: its distinct texts, shuffled once with a fixed
    /// seed, give 30% test; the rest is the pool, less a fifth for validation.
    pub fn sms(data: &Path, test: bool) -> Result<Task, Error> {
        let labels = vec!["spam".to_string(), "ham".to_string()];
        let rows = read_labelled(&data.join("sms-spam/sms.tsv.gz"), "spam or ham", |l| {
            labels.iter().position(|x| x == l)
        })?;
        let mut seen = std::collections::HashSet::new();
        let mut rows: Texts = rows
            .into_iter()
            .filter(|(t, _)| seen.insert(t.clone()))
            .collect();
        Rng::new(0x5e5).shuffle(&mut rows);
        let test_part = rows.split_off(rows.len() - rows.len() * 3 / 10);
        let valid_part = rows.split_off(rows.len() - rows.len() / 5);
        Ok(Task {
            name: "SMS spam",
            labels,
            pool: rows,
            eval: if test { test_part } else { valid_part },
            measure_unused: false,
            natural: false,
        })
    }

    /// Short sentiment sentences (both sentence sets, IMDB and Yelp, 2,000 in all): a two-label
    /// task of short texts that, unlike SMS spam, is balanced. No split: each sample is
    /// measured on the sentences it did not draw. They are the dev set of what people type, so
    /// this is for choosing fine-tuning's defaults, never for a reported figure.
    pub fn sentences(data: &Path) -> Result<Task, Error> {
        let mut pool = Vec::new();
        for set in ["imdb", "yelp"] {
            let path = data.join(format!("sentences/{set}-sentences.tsv.gz"));
            pool.extend(read_labelled(&path, "1 or 0", |label| match label {
                "1" => Some(0),
                "0" => Some(1),
                _ => None,
            })?);
        }
        Ok(Task {
            name: "sentences",
            labels: vec!["positive".into(), "negative".into()],
            pool,
            eval: Vec::new(),
            measure_unused: true,
            natural: false,
        })
    }

    /// IMDB star ratings in four classes (1-2, 3-4, 7-8, 9-10): pool and validation from
    /// imdb-ratings train as IMDB's, test from imdb-ratings test.
    pub fn ratings4(data: &Path, test: bool) -> Result<Task, Error> {
        let labels: Vec<String> = ["1-2", "3-4", "7-8", "9-10"].map(String::from).to_vec();
        const STARS: &str = "1-4 or 7-10 stars";
        let class = |rating: &str| match rating {
            "1" | "2" => Some(0),
            "3" | "4" => Some(1),
            "7" | "8" => Some(2),
            "9" | "10" => Some(3),
            _ => None,
        };
        let train = read_labelled(&data.join("imdb-ratings/train.tsv.gz"), STARS, class)?;
        // The validation split of IMDB's: blocks of neighbouring reviews, by sentiment.
        let as_reviews = train
            .iter()
            .enumerate()
            .map(|(i, (_, c))| crate::data::Review {
                positive: *c >= 2,
                text: i.to_string(),
            })
            .collect();
        let (pool_ids, valid_ids) = split(as_reviews, &Recipe::default());
        let pick = |ids: Vec<crate::data::Review>| -> Texts {
            ids.iter()
                .filter_map(|r| r.text.parse::<usize>().ok())
                .map(|i| train[i].clone())
                .collect()
        };
        let eval = if test {
            read_labelled(&data.join("imdb-ratings/test.tsv.gz"), STARS, class)?
        } else {
            pick(valid_ids)
        };
        Ok(Task {
            name: "IMDB ratings, 4 classes",
            labels,
            pool: pick(pool_ids),
            eval,
            measure_unused: false,
            natural: false,
        })
    }
}

/// One fine-tuned sample on the evaluation texts.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Sample {
    pub accuracy: f64,
    /// F1 of the first label (spam, positive, ...).
    pub f1: f64,
    /// Two labels: the first label's F1 at the cut-off on its probability that is best for the
    /// evaluation texts themselves. An oracle, not a result: beside `f1` it tells how well the
    /// texts are ranked from where the 0.5 cut-off falls.
    pub best_cutoff_f1: Option<f64>,
    /// The mean of each label's recall (balanced accuracy): what a skewed evaluation set's
    /// accuracy hides about its rarer labels.
    pub balanced_accuracy: f64,
    /// How long fine-tuning took.
    pub millis: f64,
}

/// How each sample starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Head {
    /// A fresh head drawn with the sample's seed (as `Classifier.fromPretrained`), keeping the
    /// model's scopes or not.
    Fresh { scopes: bool },
    /// The head stored in the file (as `Classifier.fromBytes` + `fineTune`).
    Kept,
}

/// The `n` texts of sample `seed`: `n / labels` of each label (the first labels one more when it
/// does not divide), or all of a label that has fewer.
pub fn draw(pool: &[(String, usize)], labels: usize, n: usize, seed: u64) -> Texts {
    let mut rng = Rng::new(1000 + seed);
    let mut sample = Vec::with_capacity(n);
    for label in 0..labels {
        let mut group: Vec<&(String, usize)> = pool.iter().filter(|(_, l)| *l == label).collect();
        rng.shuffle(&mut group);
        let k = n / labels + usize::from(label < n % labels);
        sample.extend(group.into_iter().take(k).cloned());
    }
    sample
}

/// The `n` texts of sample `seed` drawn as they come, in the pool's proportions (SMS: 13% spam),
/// as a person labels messages in the order they arrive; each label at least once (a fine-tune
/// needs them), in place of a text of the most common label.
pub fn draw_natural(pool: &[(String, usize)], labels: usize, n: usize, seed: u64) -> Texts {
    let mut order: Vec<usize> = (0..pool.len()).collect();
    Rng::new(2000 + seed).shuffle(&mut order);
    let mut sample: Texts = order.iter().take(n).map(|&i| pool[i].clone()).collect();
    for label in 0..labels {
        if sample.iter().any(|(_, l)| *l == label) {
            continue;
        }
        let Some(&extra) = order[n.min(order.len())..]
            .iter()
            .find(|&&i| pool[i].1 == label)
        else {
            continue;
        };
        let mut counts = vec![0usize; labels];
        sample.iter().for_each(|(_, l)| counts[*l] += 1);
        let most = (0..labels).max_by_key(|&l| counts[l]).unwrap_or(0);
        if let Some(at) = sample.iter().rposition(|(_, l)| *l == most) {
            sample[at] = pool[extra].clone();
        }
    }
    sample
}

/// Fine-tunes `start` on samples of `n` texts of `task` for seeds `0..seeds`, measuring each on
/// `task.eval`. `options.seed` is set to the sample's seed.
pub fn run(
    start: &Classifier,
    task: &Task,
    n: usize,
    seeds: u64,
    head: Head,
    options: &FineTuneOptions,
) -> Result<Vec<Sample>, Error> {
    let mut samples = Vec::new();
    for seed in 0..seeds {
        let drawn = match task.natural {
            true => draw_natural(&task.pool, task.labels.len(), n, seed),
            false => draw(&task.pool, task.labels.len(), n, seed),
        };
        let mut eval: Vec<&(String, usize)> = task.eval.iter().collect();
        if task.measure_unused {
            let used: std::collections::HashSet<&str> =
                drawn.iter().map(|(t, _)| t.as_str()).collect();
            eval.extend(task.pool.iter().filter(|(t, _)| !used.contains(t.as_str())));
        }
        let eval_texts: Vec<&str> = eval.iter().map(|(t, _)| t.as_str()).collect();
        let examples: Vec<Labelled> = drawn
            .into_iter()
            .map(|(text, label)| Labelled {
                text,
                label: Label::Name(task.labels[label].clone()),
            })
            .collect();
        let mut clf = match head {
            Head::Kept => Classifier::from_model(start.model())?,
            Head::Fresh { scopes } => start.from_pretrained(task.labels.clone(), seed, scopes)?,
        };
        let options = FineTuneOptions {
            seed: Some(seed as f64),
            ..options.clone()
        };
        let started = Instant::now();
        clf.fine_tune_examples(&examples, &options, &mut no_progress)?;
        let millis = started.elapsed().as_secs_f64() * 1000.0;
        let predictions = clf.classify_batch(&eval_texts)?;
        let predicted: Vec<usize> = predictions
            .iter()
            .map(|p| task.labels.iter().position(|l| *l == p.label).unwrap_or(0))
            .collect();
        let truth: Vec<usize> = eval.iter().map(|(_, l)| *l).collect();
        let (accuracy, f1) = accuracy_and_f1(&truth, &predicted);
        // A two-label prediction's score is the first label's probability.
        let best_cutoff_f1 = (task.labels.len() == 2).then(|| {
            let first: Vec<f32> = predictions.iter().map(|p| p.score).collect();
            best_cutoff_f1(&truth, &first)
        });
        samples.push(Sample {
            accuracy,
            f1,
            balanced_accuracy: balanced_accuracy(&truth, &predicted, task.labels.len()),
            best_cutoff_f1,
            millis,
        });
    }
    Ok(samples)
}

/// The best F1 of label 0 over every cut-off on `scores` (its probability): each text scoring at
/// least the cut-off is called label 0.
pub fn best_cutoff_f1(truth: &[usize], scores: &[f32]) -> f64 {
    let mut order: Vec<usize> = (0..truth.len()).collect();
    order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]));
    let positives = truth.iter().filter(|&&t| t == 0).count() as f64;
    let (mut tp, mut called, mut best) = (0.0, 0.0, 0f64);
    for (k, &i) in order.iter().enumerate() {
        tp += f64::from(u8::from(truth[i] == 0));
        called += 1.0;
        // Only between distinct scores can a cut-off fall.
        if order.get(k + 1).is_some_and(|&j| scores[j] == scores[i]) {
            continue;
        }
        best = best.max(2.0 * tp / (called + positives));
    }
    best
}

/// Accuracy, and F1 of label 0.
pub fn accuracy_and_f1(truth: &[usize], predicted: &[usize]) -> (f64, f64) {
    let pairs = || truth.iter().zip(predicted);
    let correct = pairs().filter(|(t, p)| t == p).count();
    let tp = pairs().filter(|(t, p)| **t == 0 && **p == 0).count() as f64;
    let fp = pairs().filter(|(t, p)| **t != 0 && **p == 0).count() as f64;
    let fn_ = pairs().filter(|(t, p)| **t == 0 && **p != 0).count() as f64;
    let f1 = if tp == 0.0 {
        0.0
    } else {
        2.0 * tp / (2.0 * tp + fp + fn_)
    };
    (correct as f64 / truth.len().max(1) as f64, f1)
}

/// The mean over labels present in `truth` of the share of their texts predicted as them.
pub fn balanced_accuracy(truth: &[usize], predicted: &[usize], labels: usize) -> f64 {
    let recalls: Vec<f64> = (0..labels)
        .filter_map(|label| {
            let of = truth.iter().zip(predicted).filter(|(t, _)| **t == label);
            let (n, right) = of.fold((0usize, 0usize), |(n, r), (_, p)| {
                (n + 1, r + usize::from(*p == label))
            });
            (n > 0).then(|| right as f64 / n as f64)
        })
        .collect();
    recalls.iter().sum::<f64>() / recalls.len().max(1) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_are_balanced_and_f1_is_of_the_first_label() {
        let pool: Texts = (0..90).map(|i| (format!("t{i}"), i % 3)).collect();
        let s = draw(&pool, 3, 10, 1);
        assert_eq!(s.len(), 10);
        let count = |l| s.iter().filter(|(_, x)| *x == l).count();
        assert_eq!((count(0), count(1), count(2)), (4, 3, 3));
        assert_ne!(draw(&pool, 3, 10, 2), s);
        // 2 true positives, 1 false positive, 1 false negative: F1 = 4 / 6.
        let (acc, f1) = accuracy_and_f1(&[0, 0, 0, 1, 1], &[0, 0, 1, 0, 1]);
        assert!((acc - 0.6).abs() < 1e-12 && (f1 - 4.0 / 6.0).abs() < 1e-12);
        // Ranked 0, 0, 1, 0, 1: the best cut-off calls the top four label 0 (F1 6/7), not the
        // top two (F1 4/5) nor all five (F1 6/8); tied scores move together.
        let f = best_cutoff_f1(&[0, 0, 1, 0, 1], &[0.9, 0.8, 0.6, 0.4, 0.1]);
        assert!((f - 6.0 / 7.0).abs() < 1e-12, "{f}");
        let tied = best_cutoff_f1(&[0, 1], &[0.5, 0.5]);
        assert!((tied - 2.0 / 3.0).abs() < 1e-12, "{tied}");
    }
}
