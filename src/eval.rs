//! Measuring a classifier on labelled reviews (native only): accuracy, confusion matrix, speed.

use std::time::Instant;

use crate::classifier::Classifier;
use crate::data::Review;
use crate::Error;

/// How a classifier did on a set of labelled reviews.
#[derive(Clone, Debug, PartialEq)]
pub struct Evaluation {
    pub reviews: usize,
    pub accuracy: f64,
    /// `[[true positive, false negative], [false positive, true negative]]`
    pub confusion: [[usize; 2]; 2],
    pub reviews_per_second: f64,
    /// The classifier's two labels, "positive" and "negative" for a sentiment model.
    pub labels: [String; 2],
}

/// Classifies `reviews` in batches of `batch_size`, telling `progress` how many are done after
/// each batch.
pub fn evaluate(
    clf: &Classifier,
    reviews: &[Review],
    batch_size: usize,
    progress: &mut dyn FnMut(usize),
) -> Result<Evaluation, Error> {
    let start = Instant::now();
    let mut confusion = [[0usize; 2]; 2];
    let mut done = 0;
    for chunk in reviews.chunks(batch_size.max(1)) {
        let texts: Vec<&str> = chunk.iter().map(|r| r.text.as_str()).collect();
        for (review, p) in chunk.iter().zip(clf.classify_batch(&texts)?) {
            let said_positive = p.score >= 0.5;
            confusion[usize::from(!review.positive)][usize::from(!said_positive)] += 1;
        }
        done += chunk.len();
        progress(done);
    }
    let seconds = start.elapsed().as_secs_f64();
    Ok(Evaluation {
        reviews: reviews.len(),
        accuracy: (confusion[0][0] + confusion[1][1]) as f64 / reviews.len().max(1) as f64,
        confusion,
        reviews_per_second: reviews.len() as f64 / seconds.max(1e-9),
        labels: [0, 1].map(|i| clf.labels().get(i).cloned().unwrap_or_default()),
    })
}

impl std::fmt::Display for Evaluation {
    /// The report `polarity eval` prints.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let [[tp, fn_], [fp, tn]] = self.confusion;
        let [a, b] = &self.labels;
        // Columns as wide as the labels, at least 8 (the sentiment model's table as it was).
        let w = a.chars().count().max(b.chars().count()).max(8);
        writeln!(f, "reviews      {}", self.reviews)?;
        writeln!(f, "accuracy     {:.4}%", self.accuracy * 100.0)?;
        writeln!(f, "confusion    actual \\ predicted   {a:>w$}  {b:>w$}")?;
        writeln!(f, "             {a:<19} {tp:>w$}  {fn_:>w$}")?;
        writeln!(f, "             {b:<19} {fp:>w$}  {tn:>w$}")?;
        write!(
            f,
            "speed        {:.0} reviews/s (one thread)",
            self.reviews_per_second
        )
    }
}
