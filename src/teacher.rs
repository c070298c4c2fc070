//! A larger model that the shipped one can learn from (native only): distillation, as issue 12
//! suggests. The teacher is NB-weighted logistic regression on hashed word 1- to 3-grams
//! (NBSVM, Wang and Manning 2012, in its logistic form): far too large to ship (millions of
//! weights), and stronger on IMDB than a 12-wide embedding bag (90.6% on the validation split,
//! against the shipped model's 89.1%; `cargo run --release --features cli --example teacher`).
//!
//! With `--set teacher=1` the student trains on a blend of the teacher's probability and the
//! label. Each text is scored by a teacher that did not train on its review ([`cross_fitted`]):
//! a teacher's score of its own training reviews is near certain and teaches nothing a label
//! does not. Measured, it does not lift the student (model card): not kept.

use crate::data::Review;
use crate::rng::Rng;
use crate::text::tokenize;

/// How a teacher is made.
#[derive(Clone, Debug, PartialEq)]
pub struct TeacherOptions {
    /// Longest n-gram of words.
    pub max_n: usize,
    /// Hash buckets for the n-grams (a power of two).
    pub buckets: usize,
    /// Smoothing of the naive-Bayes counts.
    pub alpha: f32,
    pub epochs: usize,
    pub learning_rate: f32,
    /// Inverse strength of the L2 penalty, as liblinear's C (smaller is stronger).
    pub c: f32,
    /// Teachers trained, each without one part of the reviews ([`cross_fitted`]).
    pub folds: usize,
    /// The teacher's logits are divided by this before the sigmoid (softer targets above 1).
    pub temperature: f32,
    pub seed: u64,
}

impl Default for TeacherOptions {
    fn default() -> Self {
        TeacherOptions {
            max_n: 3,
            buckets: 1 << 22,
            alpha: 1.0,
            epochs: 4,
            learning_rate: 0.2,
            c: 0.1,
            folds: 5,
            temperature: 1.0,
            seed: 42,
        }
    }
}

/// NB-weighted logistic regression on binary n-gram features.
pub struct Teacher {
    /// Log-count ratio of each bucket (positive over negative reviews).
    ratio: Vec<f32>,
    weights: Vec<f32>,
    bias: f32,
    mask: u64,
    max_n: usize,
}

/// The distinct n-gram buckets of `text` (1 to `max_n` words), sorted.
fn features(text: &str, max_n: usize, mask: u64) -> Vec<u32> {
    let hashes: Vec<u64> = tokenize(text)
        .iter()
        .map(|t| {
            t.text.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
                (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
            })
        })
        .collect();
    let mut out = Vec::with_capacity(hashes.len() * max_n);
    for i in 0..hashes.len() {
        let mut h = 0u64;
        for (n, word) in hashes[i..].iter().take(max_n).enumerate() {
            h = (h ^ word)
                .wrapping_mul(0x9e37_79b9_7f4a_7c15)
                .rotate_left(23)
                .wrapping_add(n as u64);
            out.push((h & mask) as u32);
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

impl Teacher {
    pub fn train(reviews: &[Review], options: &TeacherOptions) -> Teacher {
        let buckets = options.buckets.next_power_of_two();
        let mask = buckets as u64 - 1;
        let docs: Vec<(Vec<u32>, bool)> = reviews
            .iter()
            .map(|r| (features(&r.text, options.max_n, mask), r.positive))
            .collect();
        let mut counts = [vec![0f32; buckets], vec![0f32; buckets]];
        for (features, positive) in &docs {
            for &f in features {
                counts[usize::from(*positive)][f as usize] += 1.0;
            }
        }
        let total = |c: &[f32]| c.iter().sum::<f32>() + options.alpha * buckets as f32;
        let (neg_total, pos_total) = (total(&counts[0]), total(&counts[1]));
        let ratio: Vec<f32> = counts[1]
            .iter()
            .zip(&counts[0])
            .map(|(p, q)| {
                ((p + options.alpha) / pos_total).ln() - ((q + options.alpha) / neg_total).ln()
            })
            .collect();
        let mut teacher = Teacher {
            ratio,
            weights: vec![0.0; buckets],
            bias: 0.0,
            mask,
            max_n: options.max_n,
        };
        // Logistic regression on the features r_f (binary, times their ratio), L2 as in
        // liblinear's C: lambda = 1 / (C n) per example. The decay is kept as one factor of all
        // weights (`shrink`), so that a step costs the example's features only.
        let n = docs.len().max(1) as f32;
        let lambda = 1.0 / (options.c.max(1e-9) * n);
        let mut shrink = 1.0f32;
        let mut order: Vec<usize> = (0..docs.len()).collect();
        let mut rng = Rng::new(options.seed);
        let steps = (options.epochs * docs.len()).max(1) as f32;
        let mut step = 0f32;
        for _ in 0..options.epochs {
            rng.shuffle(&mut order);
            for &i in &order {
                let (features, positive) = &docs[i];
                let lr = options.learning_rate * (1.0 - step / steps).max(0.05);
                step += 1.0;
                let z = teacher.bias
                    + shrink
                        * features
                            .iter()
                            .map(|&f| teacher.weights[f as usize] * teacher.ratio[f as usize])
                            .sum::<f32>();
                let g = sigmoid(z) - f32::from(u8::from(*positive));
                teacher.bias -= lr * g;
                shrink *= 1.0 - lr * lambda;
                for &f in features {
                    teacher.weights[f as usize] -= lr * g * teacher.ratio[f as usize] / shrink;
                }
                if shrink < 1e-3 {
                    teacher.weights.iter_mut().for_each(|w| *w *= shrink);
                    shrink = 1.0;
                }
            }
        }
        teacher.weights.iter_mut().for_each(|w| *w *= shrink);
        teacher
    }

    fn logit_of(&self, features: &[u32]) -> f32 {
        self.bias
            + features
                .iter()
                .map(|&f| self.weights[f as usize] * self.ratio[f as usize])
                .sum::<f32>()
    }

    /// The teacher's logit for P(positive) of `text`.
    pub fn logit(&self, text: &str) -> f32 {
        self.logit_of(&features(text, self.max_n, self.mask))
    }
}

fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

/// P(positive) of each text, by a teacher trained on the reviews of every fold but the text's
/// own: `texts` are (source review index into `reviews`, text). Folds are review indices mod
/// `options.folds`, so the caller's shuffle decides them.
pub fn cross_fitted(
    reviews: &[Review],
    texts: &[(usize, &str)],
    options: &TeacherOptions,
) -> Vec<f32> {
    let folds = options.folds.max(2);
    let mut out = vec![0.5; texts.len()];
    for fold in 0..folds {
        let trained: Vec<Review> = reviews
            .iter()
            .enumerate()
            .filter(|(i, _)| i % folds != fold)
            .map(|(_, r)| r.clone())
            .collect();
        let teacher = Teacher::train(&trained, options);
        for (slot, &(source, text)) in out.iter_mut().zip(texts) {
            if source % folds == fold {
                *slot = sigmoid(teacher.logit(text) / options.temperature);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reviews() -> Vec<Review> {
        let mut rng = Rng::new(3);
        let good = ["superb", "moving", "delightful", "not bad at all"];
        let bad = ["dreadful", "tedious", "clumsy", "not good at all"];
        (0..400)
            .map(|i| {
                let positive = i % 2 == 0;
                let words = if positive { good } else { bad };
                let text = format!(
                    "the film {} was {} and the cast {}",
                    rng.below(50),
                    words[rng.below(4)],
                    words[rng.below(4)]
                );
                Review { positive, text }
            })
            .collect()
    }

    #[test]
    fn a_teacher_learns_its_reviews_and_reads_trigrams() {
        let options = TeacherOptions {
            buckets: 1 << 16,
            ..TeacherOptions::default()
        };
        let teacher = Teacher::train(&reviews(), &options);
        assert!(teacher.logit("it was superb") > 0.0);
        assert!(teacher.logit("it was dreadful") < 0.0);
        assert!(teacher.logit("not bad at all") > teacher.logit("not good at all"));
    }

    #[test]
    fn cross_fitted_scores_come_from_teachers_that_did_not_see_the_text() {
        let mut reviews = reviews();
        // A review whose label contradicts its words: its own fold's teacher never saw it, so it
        // is read by its words.
        reviews[7] = Review {
            positive: true,
            text: "the film was dreadful and the cast tedious".into(),
        };
        let options = TeacherOptions {
            buckets: 1 << 16,
            ..TeacherOptions::default()
        };
        let texts: Vec<(usize, &str)> = reviews
            .iter()
            .enumerate()
            .map(|(i, r)| (i, r.text.as_str()))
            .collect();
        let p = cross_fitted(&reviews, &texts, &options);
        assert!(p[7] < 0.5, "{}", p[7]);
        let right = reviews
            .iter()
            .zip(&p)
            .filter(|(r, &p)| r.positive == (p > 0.5))
            .count();
        assert!(right >= 390, "{right} of 400");
    }
}
