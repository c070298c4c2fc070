//! Fine-tuning as applications ask for it, and every rule about it, written once: what a label
//! means, which options are valid and their limits, what a labelled-text file says. The wasm
//! facade hands these to the page (`Classifier.fineTuneLimits`, `checkLabels`, `parseExamples`),
//! so JavaScript holds no copy of a rule. Everything is checked here, in plain Rust, before
//! `crate::train` runs, so bad input gives an error that says what is wrong and never NaN weights
//! or a half-trained model.

use serde::{Deserialize, Serialize};

use crate::train::Options;
use crate::Error;

/// A label as a caller gives it: one of the model's label names, or (two labels) 1 for the first
/// and 0 for the second.
#[derive(Clone, Debug, PartialEq)]
pub enum Label {
    Name(String),
    Number(f64),
}

impl<'de> Deserialize<'de> for Label {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Label;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a label name, or 1 / 0")
            }
            fn visit_str<E>(self, v: &str) -> Result<Label, E> {
                Ok(Label::Name(v.to_string()))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Label, E> {
                Ok(Label::Number(v))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Label, E> {
                Ok(Label::Number(v as f64))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Label, E> {
                Ok(Label::Number(v as f64))
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

/// One labelled text.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct Labelled {
    pub text: String,
    pub label: Label,
}

/// Fine-tuning options; `None` takes the default, which suits 20 to 500 examples. Read from
/// JavaScript with their camelCase names ([`FineTuneOptions::NAMES`]); other keys are ignored,
/// with a warning in the report.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct FineTuneOptions {
    pub epochs: Option<f64>,
    pub learning_rate: Option<f64>,
    pub batch_size: Option<f64>,
    pub train_embedding: Option<bool>,
    pub seed: Option<f64>,
    /// Fraction of the examples held out to measure (and early-stop on).
    pub validation_split: Option<f64>,
    /// Learning rate of the embedding relative to the head's.
    pub embedding_learning_rate_scale: Option<f64>,
    /// Fine-tunes averaged into one ([`defaults::runs`]).
    pub runs: Option<f64>,
    /// Weigh each label alike in the loss, whatever its share of the examples (default true;
    /// [`balanced_weights`]).
    pub balance_labels: Option<bool>,
}

impl FineTuneOptions {
    /// The options' names as JavaScript gives them (a test holds them to the fields).
    pub const NAMES: [&'static str; 9] = [
        "epochs",
        "learningRate",
        "batchSize",
        "trainEmbedding",
        "seed",
        "validationSplit",
        "embeddingLearningRateScale",
        "runs",
        "balanceLabels",
    ];
}

/// Defaults, measured with `polarity fewshot` on validation data carved from IMDB train (N = 100
/// reviews, 144 samples: small batches at a low rate gained a point over batches of 16 at 0.015,
/// and did not lose at N = 20 to 500; README.md, "Few-shot transfer", has the runs), then on SMS
/// spam and IMDB ratings in four classes with a fresh head (issue #14).
pub mod defaults {
    /// For texts as long as a review ([`REFERENCE_IDS`]); shorter texts get more ([`epochs`]).
    pub const EPOCHS: usize = 10;
    pub const LEARNING_RATE: f32 = 0.0075;
    pub const BATCH_SIZE: usize = 4;
    pub const SEED: u64 = 42;
    pub const VALIDATION_SPLIT: f64 = 0.0;
    /// The embedding moves this much slower than the head for texts as long as a review: a few
    /// dozen labels must not wash out what pre-training put there. Shorter texts get a larger
    /// scale ([`embedding_learning_rate_scale`]).
    pub const EMBEDDING_LEARNING_RATE_SCALE: f32 = 0.15;
    /// Held-out examples needed before they choose the epoch to keep (and stop early): fewer
    /// only measure the result. Four held out of 19 picked epoch 1 of 60 (33% accuracy, against
    /// 100% trained through), on tests/js/custom.test.mjs's three topics.
    pub const VALIDATION_TO_STOP_ON: usize = 50;
    /// Held-out examples under this many get a warning that their accuracy is a rough guide:
    /// each moves it by 100 / n points (of 20 SMS messages, the four held out read 50% where a
    /// thousand others read 92%). A page holds out only enough examples to give this many.
    pub const MIN_HELD_OUT: usize = 20;
    /// Decoupled weight decay of the head and of the embedding rows a batch touches, for texts
    /// as long as a review: it keeps a fresh head from growing overconfident on a few dozen
    /// texts (SMS spam, N = 100: spam F1 +2 to +3 points; IMDB and ratings within half a point).
    /// Shorter texts get more ([`weight_decay`]).
    pub const WEIGHT_DECAY: f32 = 0.2;
    /// The most weight decay, for the shortest texts.
    pub const MAX_WEIGHT_DECAY: f32 = 0.4;

    /// Weight decay for texts of `mean_ids` ids: [`WEIGHT_DECAY`] for reviews, growing as
    /// sqrt(REFERENCE_IDS / n) to [`MAX_WEIGHT_DECAY`] for short messages, whose few ids a text
    /// each carry more of its evidence and so grow overconfident sooner (validation, 10 seeds,
    /// SMS spam N = 100, spam F1: 70.9 at 0.2, 73.9 at 0.4, 73.4 at 0.6, 71.2 at 0.8; 0.4 for
    /// reviews cost 4-class ratings at N = 500 1.2 points, so reviews keep 0.2).
    pub fn weight_decay(mean_ids: f64) -> f32 {
        let decay = f64::from(WEIGHT_DECAY) * (REFERENCE_IDS / mean_ids.max(1.0)).sqrt();
        (decay as f32).clamp(WEIGHT_DECAY, MAX_WEIGHT_DECAY)
    }
    /// Mean ids (unigrams, bigrams, scope ids) of an IMDB review as the bundled model reads it,
    /// about 330; an SMS message has about 24.
    pub const REFERENCE_IDS: f64 = 330.0;

    /// The embedding's learning-rate scale for texts of `mean_ids` ids. Adam moves every touched
    /// row by about the same step whatever its gradient, so a bag of n ids (summed over
    /// sqrt(n)) moves about sqrt(n) times one row's step: a short text's bag barely moves at the
    /// rate that suits reviews. Scaling by sqrt(REFERENCE_IDS / n) evens that out (SMS spam,
    /// N = 100, spam F1: 56.6 at 0.15, 73.0 with this, weight decay and [`epochs`]), capped at
    /// the head's rate.
    pub fn embedding_learning_rate_scale(mean_ids: f64) -> f32 {
        let scale =
            f64::from(EMBEDDING_LEARNING_RATE_SCALE) * (REFERENCE_IDS / mean_ids.max(1.0)).sqrt();
        scale.min(1.0) as f32
    }

    /// Texts of fewer ids than this on average are short (messages, sentences): they get
    /// [`SHORT_RUNS`] runs and [`SHORT_TOKEN_DROPOUT`]. An SMS message has about 24 ids, a
    /// review about 330.
    pub const SHORT_IDS: f64 = 100.0;
    /// Runs averaged for short texts ([`runs`]).
    pub const SHORT_RUNS: usize = 5;
    /// Token dropout for short texts, inverted ([`crate::train::Options::inverted_dropout`]).
    pub const SHORT_TOKEN_DROPOUT: f32 = 0.2;

    /// Fine-tunes averaged into one, for texts of `mean_ids` ids: [`SHORT_RUNS`] for short
    /// texts, 1 for reviews. A few dozen short texts give each run's weights to the order it saw
    /// them in, and a text it calls wrongly is often one the next run calls rightly; the mean
    /// of five (with dropout, which makes the runs differ more) keeps what they share. SMS spam
    /// on validation and the unused pool (`polarity fewshot --task sms --with-unused`, 10
    /// seeds), spam F1 at N = 100: 76.1% alone, 76.1% with dropout, 79.0% averaging five, 82.3%
    /// both (accuracy 93.8% -> 95.9%); N = 20: 59.3% -> 62.5%. Reviews lost with either (IMDB
    /// from pretrained.onnx, N = 100, validation, 12 seeds: 73.4% -> 72.8% with both; 4-class
    /// ratings 51.2% -> 50.6%), so they keep one run.
    pub fn runs(mean_ids: f64) -> usize {
        if mean_ids < SHORT_IDS {
            SHORT_RUNS
        } else {
            1
        }
    }

    /// Token dropout for texts of `mean_ids` ids: [`SHORT_TOKEN_DROPOUT`] for short texts, none
    /// for reviews (IMDB from pretrained.onnx, N = 100: 73.4% -> 72.7% at 0.2; ratings 51.2% ->
    /// 49.3%).
    pub fn token_dropout(mean_ids: f64) -> f32 {
        if mean_ids < SHORT_IDS {
            SHORT_TOKEN_DROPOUT
        } else {
            0.0
        }
    }

    /// Fewest epochs, for long texts and enough examples (see [`epochs`]).
    pub const MIN_EPOCHS: usize = 6;
    /// Steps of training the epochs of a few examples add up to, at least (up to [`EPOCHS`]).
    pub const MIN_STEPS: usize = 100;

    /// Epochs for texts of `mean_ids` ids and `steps` steps an epoch: up to 20 for short
    /// messages, which give each row few updates an epoch (SMS spam, N = 100: 20 epochs 76 vs
    /// 10 epochs 71 spam F1), fewer for long texts, which overfit sooner: 6 for reviews once
    /// there are enough examples that 6 epochs make [`MIN_STEPS`] steps (validation, 10 seeds,
    /// N = 100: IMDB 4-class ratings 49.4% at 10 epochs, 51.4% at 6; IMDB from pretrained.onnx
    /// 73.6% and 73.4%), and up to [`EPOCHS`] for a few examples (N = 20 and 50 lost 0.9 points
    /// at 6).
    pub fn epochs(mean_ids: f64, steps: usize) -> usize {
        let by_length = EPOCHS as f64 * (100.0 / mean_ids.max(1.0)).sqrt();
        let by_steps = MIN_STEPS.div_ceil(steps.max(1)).clamp(MIN_EPOCHS, EPOCHS);
        by_length
            .clamp(by_steps as f64, 2.0 * EPOCHS as f64)
            .round() as usize
    }
}

/// The range of every option, for fine-tuning and for training the shipped model alike.
pub use crate::limits;

/// One option's default and range, as the page shows them.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Range {
    pub default: f64,
    pub min: f64,
    pub max: f64,
}

/// How many labels a classifier has, and how long a label may be ([`check_labels`]'s rule), for a
/// page to show.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LabelLimits {
    pub min: usize,
    pub max: usize,
    /// Characters in one label.
    pub max_chars: usize,
}

pub const LABEL_LIMITS: LabelLimits = LabelLimits {
    min: 2,
    max: limits::MAX_LABELS,
    max_chars: limits::MAX_LABEL_CHARS,
};

/// Every option's default and range ([`defaults`], [`limits`]), for a page to show and check.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FineTuneLimits {
    pub epochs: Range,
    /// Above `min` (0), at most `max`.
    pub learning_rate: Range,
    pub batch_size: Range,
    pub seed: Range,
    pub validation_split: Range,
    pub embedding_learning_rate_scale: Range,
    /// The default is short texts'; reviews get 1 ([`defaults::runs`]).
    pub runs: Range,
    /// [`defaults::MIN_HELD_OUT`]: fewer held-out examples get a warning.
    pub min_held_out: usize,
}

impl FineTuneLimits {
    pub fn get() -> Self {
        let range = |default: f64, min: f64, max: f64| Range { default, min, max };
        // An `f32` default as the decimal it was written as (0.0075, not 0.007499999832...).
        let decimal = |v: f32| v.to_string().parse().unwrap_or(f64::from(v));
        FineTuneLimits {
            epochs: range(defaults::EPOCHS as f64, 1.0, limits::MAX_EPOCHS as f64),
            learning_rate: range(
                decimal(defaults::LEARNING_RATE),
                0.0,
                limits::MAX_LEARNING_RATE,
            ),
            batch_size: range(
                defaults::BATCH_SIZE as f64,
                1.0,
                limits::MAX_BATCH_SIZE as f64,
            ),
            seed: range(defaults::SEED as f64, 0.0, limits::MAX_SEED),
            validation_split: range(
                defaults::VALIDATION_SPLIT,
                0.0,
                limits::MAX_VALIDATION_SPLIT,
            ),
            embedding_learning_rate_scale: range(
                decimal(defaults::EMBEDDING_LEARNING_RATE_SCALE),
                0.0,
                limits::MAX_EMBEDDING_LEARNING_RATE_SCALE,
            ),
            runs: range(defaults::SHORT_RUNS as f64, 1.0, limits::MAX_RUNS as f64),
            min_held_out: defaults::MIN_HELD_OUT,
        }
    }
}

/// What fine-tuning did.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FineTuneReport {
    /// Epochs run (by the run that ran most, when several were averaged).
    pub epochs: usize,
    /// Fine-tunes averaged into the result ([`defaults::runs`]).
    pub runs: usize,
    pub loss: f32,
    pub accuracy: f32,
    pub validation_accuracy: Option<f32>,
    /// With held-out examples (`validationSplit`): how many of each label (rows, in the model's
    /// label order) were predicted as each label (columns).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confusion: Option<Vec<Vec<u32>>>,
    /// Options that were out of range and clamped, labels no example had, texts given with two
    /// labels or more, with a `validationSplit` texts given more than once (held out or trained
    /// on, never both) or a split that held none out, and (from JavaScript) options it does not
    /// know.
    pub warnings: Vec<String>,
}

impl FineTuneOptions {
    /// The training options these stand for, the validation split, and warnings for clamped
    /// values. `mean_ids` is the mean number of ids of the examples' texts: the defaults of the
    /// epochs and the embedding's rate depend on it ([`defaults::epochs`]).
    pub fn resolve(
        &self,
        examples: usize,
        mean_ids: f64,
    ) -> Result<(Options, f64, Vec<String>), Error> {
        let mut warnings = Vec::new();
        let batch_size = clamped(
            "batchSize",
            self.batch_size,
            defaults::BATCH_SIZE,
            limits::MAX_BATCH_SIZE,
            &mut warnings,
        )?;
        // A batch larger than the examples is all of them: nothing to warn about.
        let batch_size = batch_size.min(examples.max(1));
        let steps = examples.div_ceil(batch_size);
        let epochs = clamped(
            "epochs",
            self.epochs,
            defaults::epochs(mean_ids, steps),
            limits::MAX_EPOCHS,
            &mut warnings,
        )?;
        let learning_rate = match self.learning_rate {
            None => defaults::LEARNING_RATE,
            // Above 0 as training holds it (32 bits): 1e-300 became 0, refused in other words.
            Some(v) if v.is_finite() && v as f32 > 0.0 && v <= limits::MAX_LEARNING_RATE => {
                v as f32
            }
            Some(v) => {
                let tiny = v > 0.0 && v as f32 == 0.0;
                return Err(Error::OutOfRange(format!(
                    "learningRate must be a number above 0 and at most {}, not {}{}",
                    limits::MAX_LEARNING_RATE,
                    js_number(v),
                    if tiny { " (0 as a 32-bit number)" } else { "" }
                )));
            }
        };
        let split = in_range(
            "validationSplit",
            self.validation_split,
            defaults::VALIDATION_SPLIT,
            limits::MAX_VALIDATION_SPLIT,
        )?;
        let runs = whole("runs", self.runs, defaults::runs(mean_ids))?;
        if runs > limits::MAX_RUNS {
            return Err(Error::OutOfRange(format!(
                "runs must be a whole number from 1 to {}, not {runs}",
                limits::MAX_RUNS
            )));
        }
        let embedding_scale = in_range(
            "embeddingLearningRateScale",
            self.embedding_learning_rate_scale,
            defaults::embedding_learning_rate_scale(mean_ids).into(),
            limits::MAX_EMBEDDING_LEARNING_RATE_SCALE,
        )? as f32;
        let options = Options {
            epochs,
            learning_rate,
            batch_size,
            train_embedding: self.train_embedding.unwrap_or(true),
            embedding_learning_rate_scale: embedding_scale,
            token_dropout: defaults::token_dropout(mean_ids),
            inverted_dropout: true,
            weight_decay: defaults::weight_decay(mean_ids),
            embedding_weight_decay: defaults::weight_decay(mean_ids),
            patience: if split > 0.0 { 5 } else { 0 },
            seed: seed(self.seed)?,
            runs,
            class_weights: Vec::new(),
        };
        options.validate()?;
        Ok((options, split, warnings))
    }
}

/// [`whole`], clamped to `max` with a warning that gives the value as it was written.
fn clamped(
    name: &str,
    value: Option<f64>,
    default: usize,
    max: usize,
    warnings: &mut Vec<String>,
) -> Result<usize, Error> {
    let n = whole(name, value, default)?;
    if n <= max {
        return Ok(n);
    }
    let given = value.map_or_else(|| n.to_string(), js_number);
    warnings.push(format!("{name} {given} was clamped to {max}"));
    Ok(max)
}

/// A whole number of at least 1 (not yet clamped), or `default`.
fn whole(name: &str, value: Option<f64>, default: usize) -> Result<usize, Error> {
    match value {
        None => Ok(default),
        // `as` saturates: 1e300 becomes usize::MAX, and is clamped by the caller.
        Some(v) if v.is_finite() && v >= 1.0 && v.fract() == 0.0 => Ok(v as usize),
        Some(v) => Err(Error::OutOfRange(format!(
            "{name} must be a whole number of at least 1, not {}",
            js_number(v)
        ))),
    }
}

fn in_range(name: &str, value: Option<f64>, default: f64, max: f64) -> Result<f64, Error> {
    match value {
        None => Ok(default),
        Some(v) if (0.0..=max).contains(&v) => Ok(v),
        Some(v) => Err(Error::OutOfRange(format!(
            "{name} must be between 0 and {max}, not {}",
            js_number(v)
        ))),
    }
}

/// `v` as JavaScript writes it: `Infinity` and `NaN` (not Rust's `inf`), and `1e+300` rather than
/// 301 digits.
pub fn js_number(v: f64) -> String {
    if v.is_infinite() {
        return if v > 0.0 { "Infinity" } else { "-Infinity" }.into();
    }
    let a = v.abs();
    if a != 0.0 && !(1e-6..1e21).contains(&a) {
        let e = format!("{v:e}");
        return match e.split_once('e') {
            Some((m, x)) if !x.starts_with('-') => format!("{m}e+{x}"),
            _ => e,
        };
    }
    format!("{v}")
}

/// A seed as JavaScript gives it: a whole number from 0 to 2^53 - 1, or the default.
pub fn seed(value: Option<f64>) -> Result<u64, Error> {
    match value {
        None => Ok(defaults::SEED),
        Some(v) if v.is_finite() && v >= 0.0 && v.fract() == 0.0 && v <= limits::MAX_SEED => {
            Ok(v as u64)
        }
        Some(v) => Err(Error::OutOfRange(format!(
            "seed must be a whole number from 0 to 2^53 - 1, not {}",
            js_number(v)
        ))),
    }
}

/// Checks a classifier's label names: from 2 to [`limits::MAX_LABELS`], all different, non-empty,
/// each at most [`limits::MAX_LABEL_CHARS`] characters with no control characters (line breaks,
/// tabs).
pub fn check_labels(labels: &[String]) -> Result<(), Error> {
    check_label_count(labels.len())?;
    // Which label, by its place, as for a duplicate: a page can point at the field.
    for (i, label) in labels.iter().enumerate() {
        check_label_name(label).map_err(|e| match e {
            Error::InvalidInput(m) => Error::InvalidInput(format!("{m} (label {})", i + 1)),
            e => e,
        })?;
    }
    if let Some((i, l)) = labels
        .iter()
        .enumerate()
        .find(|(i, l)| labels[..*i].contains(l))
    {
        return Err(Error::InvalidInput(format!(
            "labels must be different: {:?} is given twice (label {})",
            l.chars().take(40).collect::<String>(),
            i + 1
        )));
    }
    Ok(())
}

/// The rules for one label's name: not empty, no line break, tab or other control character, at
/// most [`limits::MAX_LABEL_CHARS`] characters.
pub fn check_label_name(label: &str) -> Result<(), Error> {
    if label.trim().is_empty() {
        return Err(Error::InvalidInput("a label cannot be empty".into()));
    }
    if label.chars().any(char::is_control) {
        return Err(Error::InvalidInput(
            "a label cannot contain a line break, a tab or another control character".into(),
        ));
    }
    let chars = label.chars().count();
    if chars > limits::MAX_LABEL_CHARS {
        return Err(Error::InvalidInput(format!(
            "a label has at most {} characters; one has {chars}",
            limits::MAX_LABEL_CHARS
        )));
    }
    Ok(())
}

/// An invisible or direction-changing character: with one, two labels look alike, or a label reads
/// backwards ("pos\u{202e}" was taken). Joiners are not: emoji sequences and scripts use them.
fn hides(c: char) -> bool {
    matches!(
        c,
        '\u{00ad}' | '\u{061c}' | '\u{200b}' | '\u{200e}' | '\u{200f}' | '\u{feff}'
    ) || ('\u{202a}'..='\u{202e}').contains(&c)
        || ('\u{2060}'..='\u{2064}').contains(&c)
        || ('\u{2066}'..='\u{2069}').contains(&c)
}

/// Refuses labels of which one holds an invisible or direction-changing character (`hides`):
/// new labels, and those of a model file, whose verdict a page shows by its label's name
/// ("positive" and "\u{202e}evitisop\u{202c}" both showed as "positive").
pub fn check_visible_labels(labels: &[String]) -> Result<(), Error> {
    if let Some((i, c)) = labels
        .iter()
        .enumerate()
        .find_map(|(i, l)| l.chars().find(|&c| hides(c)).map(|c| (i, c)))
    {
        return Err(Error::InvalidInput(format!(
            "a label cannot hold an invisible or direction-changing character (U+{:04X} in label \
             {}): two labels could look the same",
            u32::from(c),
            i + 1
        )));
    }
    Ok(())
}

/// Checks the label names of a new classifier: [`check_labels`], [`check_visible_labels`], and
/// none begins or ends with a space, since files name labels trimmed ([`parse_examples`]): a label
/// "spam " could never be matched there. (Files saved with such a label still load.)
pub fn check_new_labels(labels: &[String]) -> Result<(), Error> {
    check_labels(labels)?;
    check_visible_labels(labels)?;
    match labels
        .iter()
        .enumerate()
        .find(|(_, l)| l.trim() != l.as_str())
    {
        Some((i, l)) => Err(Error::InvalidInput(format!(
            "a label cannot begin or end with a space: {:?} (label {})",
            l.chars().take(40).collect::<String>(),
            i + 1
        ))),
        None => Ok(()),
    }
}

/// Checks how many labels a classifier is given: from 2 to [`limits::MAX_LABELS`].
pub fn check_label_count(count: usize) -> Result<(), Error> {
    let LabelLimits { min, max, .. } = LABEL_LIMITS;
    if (min..=max).contains(&count) {
        Ok(())
    } else {
        Err(Error::InvalidInput(format!(
            "a classifier has from {min} to {max} labels, not {count}"
        )))
    }
}

/// Which of `labels` `label` means: a name's index, or else the one label it names but for case
/// ("Spam" for "spam": a file written by hand mixes them, and each spelling was a label of its
/// own or a row refused); for a two-label model also 1 (or "1") for the first and 0 (or "0") for
/// the second, as the first version of the API took them; for more labels a number names the
/// label written as that number ("3"). Names win: labels "0" / "1" mean what they say. `None` if
/// it is none of them, or names two labels but for case.
pub fn label_index(labels: &[String], label: &Label) -> Option<usize> {
    if let Some(i) = exact_label_index(labels, label) {
        return Some(i);
    }
    let Label::Name(name) = label else {
        return None;
    };
    let folded = name.to_lowercase();
    let mut alike = labels
        .iter()
        .enumerate()
        .filter(|(_, l)| folds_to(l, &folded));
    match (alike.next(), alike.next()) {
        (Some((i, _)), None) => Some(i),
        _ => None,
    }
}

/// Whether `label` in lower case is `folded` (already in lower case). The first characters are
/// compared first, which tells most labels apart without making a lower-case copy of each (of 32
/// labels of 100 characters, for each row of a file: 330,000 rows took 30 s). `to_lowercase`
/// folds a first character as `char::to_lowercase` does (only a final sigma differs, and it
/// follows a letter).
fn folds_to(label: &str, folded: &str) -> bool {
    let mut rest = folded.chars();
    let first = label.chars().next().into_iter();
    first
        .flat_map(char::to_lowercase)
        .all(|c| rest.next() == Some(c))
        && label.to_lowercase() == folded
}

/// [`label_index`] with names as written, case and all.
fn exact_label_index(labels: &[String], label: &Label) -> Option<usize> {
    let name = match label {
        Label::Name(name) => name.clone(),
        Label::Number(n) if n.is_finite() && n.fract() == 0.0 => format!("{n}"),
        Label::Number(_) => return None,
    };
    if let Some(i) = labels.iter().position(|l| *l == name) {
        return Some(i);
    }
    match (labels.len(), name.as_str()) {
        (2, "1") => Some(0),
        (2, "0") => Some(1),
        _ => None,
    }
}

/// How a caller may write the labels of `labels`, for messages.
pub fn label_choices(labels: &[String]) -> String {
    let names: Vec<String> = labels.iter().map(|l| format!("{l:?}")).collect();
    if labels.len() == 2 {
        format!("{} (or 1 / 0)", names.join(" or "))
    } else {
        names.join(", ")
    }
}

/// The message for a label that is none of `labels` (given as written, its first 40 characters).
pub fn unknown_label(given: &str, labels: &[String]) -> String {
    let folded = given.to_lowercase();
    let alike: Vec<String> = labels
        .iter()
        .filter(|l| folds_to(l, &folded))
        .map(|l| format!("{l:?}"))
        .collect();
    let given: String = given.chars().take(40).collect();
    if alike.len() > 1 {
        return format!(
            "label {given:?} is {} but for case: write it as one of them",
            alike.join(" and ")
        );
    }
    format!("unknown label {given:?}; use {}", label_choices(labels))
}

/// Bytes past which a message of [`unknown_label`]'s is given whole once a file: the labels it
/// lists are then named at that line only.
const LONG_LABEL_MESSAGE: usize = 300;

/// The messages of a file's rows whose label is none of the classifier's ([`unknown_label`]'s),
/// each kept short: a message that lists labels at length (past [`LONG_LABEL_MESSAGE`]) is given
/// whole at the first line that needs it, and later lines name that line. Listed on every line,
/// 32 labels of 100 characters made each skipped row's message 13 KB, and 330,000 rows of "x,a"
/// (1.3 MB) asked for more than the module's 4 GB.
#[derive(Default)]
struct UnknownLabels {
    /// The line whose message lists every label, if it was long.
    all: Option<usize>,
    /// Labels as given, folded to lower case, that are several labels but for case, and the line
    /// whose (long) message named those.
    alike: Vec<(String, usize)>,
}

impl UnknownLabels {
    fn message(&mut self, line: usize, given: &str, labels: &[String]) -> String {
        let folded = given.to_lowercase();
        let alike = labels.iter().filter(|l| folds_to(l, &folded)).count() > 1;
        let shown: String = given.chars().take(40).collect();
        let listed = match alike {
            true => self
                .alike
                .iter()
                .find(|(f, _)| *f == folded)
                .map(|(_, l)| *l),
            false => self.all,
        };
        match (listed, alike) {
            (Some(first), true) => {
                return format!(
                    "line {line}: label {shown:?} is more than one label but for case (listed at \
                     line {first}): write it as one of them"
                )
            }
            (Some(first), false) => {
                return format!(
                    "line {line}: unknown label {shown:?}; use one of the labels listed at line \
                     {first}"
                )
            }
            (None, _) => {}
        }
        let message = unknown_label(given, labels);
        if message.len() > LONG_LABEL_MESSAGE {
            match alike {
                // At most one entry for each label that has others but for case: 16.
                true => self.alike.push((folded, line)),
                false => self.all = Some(line),
            }
        }
        format!("line {line}: {message}")
    }
}

/// Each label's weight in the loss so that every label present weighs alike: `n / (k x count)`
/// for `n` examples of `k` labels present (1 for a label without any; all 1 when balanced), as
/// scikit-learn's `class_weight="balanced"`. Measured with `polarity fewshot --task sms
/// --natural --with-unused` (validation, 20 samples each, drawn as messages come: 13% spam):
/// spam F1 at N = 20 / 40 / 100 / 200 went from 33.5 / 53.4 / 58.2 / 58.3% to 44.4 / 60.8 /
/// 69.3 / 74.3%, and accuracy at N = 40 to 200 from 92.2-93.1% to 92.6-95.1% (90.1% -> 89.7% at
/// N = 20); balanced samples train exactly as before. Moving the bias to balanced priors after
/// training instead cost accuracy at N = 20 (81.3%).
pub fn balanced_weights(examples: &[(String, usize)], labels: usize) -> Vec<f32> {
    let mut counts = vec![0usize; labels];
    examples.iter().for_each(|(_, l)| counts[*l] += 1);
    let present = counts.iter().filter(|&&c| c > 0).count();
    let most = counts.iter().copied().max().unwrap_or(0);
    let fewest = counts.iter().copied().filter(|&c| c > 0).min().unwrap_or(0);
    if most < 2 * fewest {
        return vec![1.0; labels];
    }
    counts
        .iter()
        .map(|&c| match c {
            0 => 1.0,
            c => examples.len() as f32 / (present * c) as f32,
        })
        .collect()
}

/// Below this many examples, a label with a fifth or less of another's is warned about.
const FEW_OF_A_LABEL: usize = 5;

/// Texts with their labels resolved to indexes of `labels`, and a warning for each label no
/// example has.
pub struct Resolved {
    pub examples: Vec<(String, usize)>,
    pub warnings: Vec<String>,
}

/// Resolves labels and checks texts. A two-label model needs examples of both; one with more
/// needs examples of at least two, and a label without any is warned about (the model will
/// rarely predict it).
pub fn resolve_examples(labels: &[String], examples: &[Labelled]) -> Result<Resolved, Error> {
    if examples.is_empty() {
        return Err(Error::InvalidInput(
            "there are no examples to learn from".into(),
        ));
    }
    let mut resolved = Vec::with_capacity(examples.len());
    let mut counts = vec![0usize; labels.len()];
    for (i, ex) in examples.iter().enumerate() {
        let Some(index) = label_index(labels, &ex.label) else {
            let given = match &ex.label {
                Label::Name(name) => name.clone(),
                Label::Number(n) => n.to_string(),
            };
            return Err(Error::InvalidInput(format!(
                "example {i}: {}",
                unknown_label(&given, labels)
            )));
        };
        if ex.text.trim().is_empty() {
            return Err(Error::InvalidInput(format!(
                "example {i}: the text is empty"
            )));
        }
        // As classify refuses it: a text trained on is read as one classified.
        limits::check_text_size(&ex.text).map_err(|e| match e {
            Error::TooLarge(m) => Error::TooLarge(format!("example {i}: {m}")),
            e => e,
        })?;
        counts[index] += 1;
        resolved.push((ex.text.clone(), index));
    }
    let missing: Vec<&String> = labels
        .iter()
        .zip(&counts)
        .filter(|(_, &n)| n == 0)
        .map(|(l, _)| l)
        .collect();
    if labels.len() == 2 {
        if let Some(label) = missing.first() {
            return Err(Error::InvalidInput(format!(
                "no example is labelled {label:?}: fine-tuning needs examples of both labels"
            )));
        }
    } else if counts.iter().filter(|&&n| n > 0).count() < 2 {
        return Err(Error::InvalidInput(
            "every example has the same label: fine-tuning needs examples of at least two labels"
                .into(),
        ));
    }
    let mut warnings: Vec<String> = missing
        .iter()
        .map(|l| format!("no example is labelled {l:?}: it will rarely be predicted"))
        .collect();
    // One spam message among twenty was often not learned at all (SMS spam, 2 samples in 5).
    let most = counts.iter().copied().max().unwrap_or(0);
    for (label, &n) in labels.iter().zip(&counts) {
        if (1..FEW_OF_A_LABEL).contains(&n) && n * 5 <= most {
            warnings.push(format!(
                "only {n} example{} labelled {label:?}, against {most} of another label: label \
                 a few more of it for it to be learned",
                if n == 1 { " is" } else { "s are" }
            ));
        }
    }
    Ok(Resolved {
        examples: resolved,
        warnings,
    })
}

/// Labelled texts read from a file, and what was wrong with the rows that were skipped.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ParsedExamples {
    /// `(text, label name)`: 1 and 0 are read as the first and second label's names.
    pub rows: Vec<(String, String)>,
    /// One message per skipped row, with its 1-based line number.
    pub errors: Vec<String>,
    /// The labels of skipped rows that are none of the classifier's, each once, in the order
    /// the file first has them: what a file written for other labels names, so that a page can
    /// offer to start a classifier with them. Empty when none repeats or when they are more than
    /// [`limits::MAX_LABELS`]: that column holds texts or ids, not labels. A first row that reads
    /// as column names is not among them.
    pub unknown_labels: Vec<String>,
    /// Rows whose label was written as 1 or 0 and read as the first or second label: which of
    /// them is "1" is the label order's, so a page says how it read them (a 0 / 1 spam file
    /// imported for labels "ham", "spam" reads its spam as ham).
    pub numbered: usize,
}

/// Column names that mark a first row as a header, and which column is which.
pub const LABEL_HEADERS: [&str; 4] = ["label", "sentiment", "class", "category"];
pub const TEXT_HEADERS: [&str; 6] = [
    "text", "review", "message", "sentence", "comment", "content",
];

/// Reads labelled texts from a spreadsheet export: CSV, TSV or `;`-separated
/// (`crate::table`: quoted fields may hold separators, quotes and line breaks), the label and
/// the text in either order. A first row naming the columns (`label` / `sentiment` / `class`,
/// `text` / `review` / `message` ...) says which is which; without one, the column that holds
/// labels is found from the rows. Labels are `labels`' names (or 1 / 0, [`label_index`]). A row
/// without the file's separator is read as comma-separated; a row that starts with `#` and holds
/// no label is a comment, skipped. A file that is not text (it holds NUL bytes, or is
/// mostly bytes that are not UTF-8) is refused as a whole.
pub fn parse_examples(content: &str, labels: &[String]) -> Result<ParsedExamples, Error> {
    let content = &*file_text(content);
    check_is_text(content)?;
    let separator = crate::table::separator(content);
    let is_label = |field: &str| {
        let name = Label::Name(field.trim().to_string());
        label_index(labels, &name).is_some()
    };
    // A line that starts or ends with a label field is a row: a quote opened in a text before it
    // is a stray one, not a field running on (it merged three rows of the SMS spam collection).
    // The line a quoted text closes on ends in its own row's label when the label comes last.
    // Written exactly, case and all: a line of a quoted text may well start with "Positive,".
    let exactly = |field: &str| {
        let name = Label::Name(field.trim().to_string());
        exact_label_index(labels, &name).is_some()
    };
    let starts_row = |line: &str, closes: bool| {
        let mut fields = line.split(char::from(separator));
        match (fields.next(), fields.next_back()) {
            (Some(first), Some(last)) => exactly(first) || (!closes && exactly(last)),
            _ => false,
        }
    };
    let mut rows = crate::table::rows_where(content, separator, starts_row)?;
    rows.retain(|r| r.fields.iter().any(|f| !f.trim().is_empty()));
    // Empty columns at the end (Kaggle's spam.csv: "v1,v2,,," and "ham,Go until...,,,") are no
    // part of the text: joined to it, they ended every text in ",,,".
    for row in &mut rows {
        while row.fields.len() > 2 && row.fields.last().is_some_and(|f| f.trim().is_empty()) {
            row.fields.pop();
        }
    }
    // Comment lines, as in the command line's files: a row that starts with '#' and holds no
    // label (so no example is ever taken for one), as the file's separator reads it: read again
    // at its commas, "# labels: positive,negative" held one.
    rows.retain(|r| {
        let comment = r
            .fields
            .first()
            .is_some_and(|f| f.trim_start().starts_with('#'))
            && !r.fields.iter().any(|f| is_label(f));
        !comment
    });
    // Each row's own separator: the file's, or a comma for a row read again with one.
    let mut separators = vec![separator; rows.len()];
    for (row, separator) in rows.iter_mut().zip(&mut separators) {
        if row.fields.len() == 1 && *separator != b',' && row.fields[0].contains(',') {
            let again = crate::table::rows(&row.fields[0], b',')?;
            if let Some(first) = again.into_iter().next() {
                row.fields = first.fields;
                *separator = b',';
            }
        }
    }
    let named =
        |names: &[&str], field: &String| names.contains(&field.trim().to_lowercase().as_str());
    // Which column holds the label: the header's, else the first or the last, whichever holds
    // labels in more rows (the first when they tie).
    let header = rows.first().and_then(|first| {
        let label = first.fields.iter().position(|f| named(&LABEL_HEADERS, f))?;
        let text = first.fields.iter().position(|f| named(&TEXT_HEADERS, f));
        Some((label, text, first.fields.len()))
    });
    let columns = match header {
        Some((label, text, width)) => {
            rows.remove(0);
            separators.remove(0);
            Columns::Named { label, text, width }
        }
        None => {
            let first = rows.iter().filter(|r| is_label(&r.fields[0])).count();
            let last = rows
                .iter()
                .filter(|r| r.fields.len() > 1 && is_label(&r.fields[r.fields.len() - 1]))
                .count();
            // No row has one of the labels (a file written for others): the labels are the end
            // column with fewer different values, texts rarely repeat.
            let label_last = if first == 0 && last == 0 {
                distinct(&rows, |f| f.last()) < distinct(&rows, |f| f.first())
            } else {
                last > first
            };
            if label_last {
                Columns::LabelLast
            } else {
                Columns::LabelFirst
            }
        }
    };
    let mut parsed = ParsedExamples::default();
    // Unknown labels and how many rows have each; whether the first row's is one of them.
    let mut unknown: Vec<(String, usize)> = Vec::new();
    let mut header_like = false;
    let mut unknown_messages = UnknownLabels::default();
    for (i, (row, separator)) in rows.into_iter().zip(separators).enumerate() {
        let first_row = i == 0;
        let glue = char::from(separator).to_string();
        let f = &row.fields;
        let line = row.line;
        if f.len() < 2 {
            parsed.errors.push(format!(
                "line {line}: expected a label and a text, separated by a tab, a comma or a \
                 semicolon"
            ));
            continue;
        }
        let (name, text) = match columns {
            Columns::LabelFirst => (f[0].clone(), f[1..].join(&glue)),
            Columns::LabelLast => (f[f.len() - 1].clone(), f[..f.len() - 1].join(&glue)),
            Columns::Named { label, text, width } => {
                // More fields than the header names: an unquoted text with the separator in it.
                let extra = f.len().saturating_sub(width);
                let label = if text.is_some_and(|t| t < label) {
                    label + extra
                } else {
                    label
                };
                let text = match text {
                    Some(t) => f
                        .get(t..=t + extra)
                        .map(|s| s.join(&glue))
                        .unwrap_or_default(),
                    None => (0..f.len())
                        .filter(|&i| i != label)
                        .map(|i| f[i].as_str())
                        .collect::<Vec<_>>()
                        .join(&glue),
                };
                (f.get(label).cloned().unwrap_or_default(), text)
            }
        };
        let (name, text) = (name.trim(), text.trim());
        match label_index(labels, &Label::Name(name.to_string())) {
            None => {
                parsed
                    .errors
                    .push(unknown_messages.message(line, name, labels));
                // Once, whatever its case: the spelling first met names it (as label_index reads
                // the others to it).
                let folded = name.to_lowercase();
                match unknown.iter().position(|(l, _)| l.to_lowercase() == folded) {
                    Some(i) => unknown[i].1 += 1,
                    // Room for one more than a classifier has, and a header: "more than
                    // MAX_LABELS" is then told after the header is gone.
                    None if !name.is_empty() && unknown.len() <= limits::MAX_LABELS + 1 => {
                        unknown.push((name.to_string(), 1));
                        // Column names are identifiers ("v2", "message_text"), not numbers;
                        // texts rarely are one.
                        let identifier = |f: &str| {
                            !f.is_empty() && f.chars().all(|c| c.is_alphanumeric() || c == '_')
                        };
                        let number = name.parse::<f64>().is_ok();
                        header_like |= first_row && identifier(text) && !number;
                    }
                    None => {}
                }
            }
            Some(_) if text.is_empty() => parsed
                .errors
                .push(format!("line {line}: the text is empty")),
            // Said with its line here, not later as "example i" of the rows kept.
            Some(index) => match limits::check_text_chars(text) {
                Err(e) => parsed.errors.push(format!("line {line}: {e}")),
                Ok(()) => {
                    let numbered = labels.len() == 2
                        && (name == "1" || name == "0")
                        && labels.iter().all(|l| l != name);
                    parsed.numbered += usize::from(numbered);
                    parsed.rows.push((text.to_string(), labels[index].clone()))
                }
            },
        }
    }
    // A first row of two words, whose "label" no other row has while every other label repeats,
    // is a header this reader does not know (Kaggle's "v1,v2"), not a label.
    if header_like
        && unknown[0].1 == 1
        && unknown[1..].iter().all(|(_, n)| *n > 1)
        && unknown.len() > 1
    {
        unknown.remove(0);
    }
    // Labels label more than one row each, mostly: a column of values that never repeat (texts,
    // ids) is no labels to offer.
    let repeats = unknown.iter().any(|(_, n)| *n > 1);
    // Each one a name a label may have (read trimmed): a column of 121-character values was
    // offered, and `fromPretrained` then refused it.
    let names = unknown
        .iter()
        .all(|(name, _)| check_label_name(name).is_ok() && !name.chars().any(hides));
    if repeats && names && unknown.len() <= limits::MAX_LABELS {
        parsed.unknown_labels = unknown.into_iter().map(|(name, _)| name).collect();
    }
    Ok(parsed)
}

/// How many different values (trimmed) the `field` of rows of two fields or more has.
fn distinct(rows: &[crate::table::Row], field: impl Fn(&[String]) -> Option<&String>) -> usize {
    let values: std::collections::HashSet<&str> = rows
        .iter()
        .filter(|r| r.fields.len() > 1)
        .filter_map(|r| field(&r.fields))
        .map(|f| f.trim())
        .collect();
    values.len()
}

/// `content` without the byte-order mark a file saved by Notepad or Excel starts with: the page's
/// decoding (www/read-text.js, `TextDecoder`) drops it, Node's `readFileSync(path, "utf8")` keeps
/// it (and the first label or header then matched nothing).
pub(crate) fn without_bom(content: &str) -> &str {
    content.strip_prefix('\u{feff}').unwrap_or(content)
}

/// A file's text as every reader takes it: without its byte-order mark ([`without_bom`]), and,
/// in a file whose lines end in a lone "\r" (Excel for Mac's "CSV (Macintosh)": no "\n" at all),
/// with "\n" line ends. Read as it was, such a file was one line: one text, or one row holding
/// all the others. A stray "\r" in a file of "\n" lines is left in its text, as editors show it.
pub(crate) fn file_text(content: &str) -> std::borrow::Cow<'_, str> {
    let content = without_bom(content);
    if content.contains('\r') && !content.contains('\n') {
        content.replace('\r', "\n").into()
    } else {
        content.into()
    }
}

/// Refuses a file that is not text: it holds NUL bytes, or more than 1% of its characters are
/// U+FFFD (bytes that are not UTF-8, as a lossy decoding in Rust or Node gives them; the page
/// reads such a file as Windows-1252 instead).
pub(crate) fn check_is_text(content: &str) -> Result<(), Error> {
    // In u64: a usize is 32 bits in wasm, and 43 million of them times 100 wrapped round.
    let undecodable = content.chars().filter(|&c| c == '\u{fffd}').count() as u64;
    let chars = content.chars().count() as u64;
    if content.contains('\0') || undecodable * 100 > chars.max(1) {
        return Err(Error::InvalidInput(
            "this file is not text (a CSV, TSV or text file): nothing was read from it".into(),
        ));
    }
    Ok(())
}

/// Where a file's label and text are.
#[derive(Clone, Copy)]
enum Columns {
    LabelFirst,
    LabelLast,
    Named {
        label: usize,
        text: Option<usize>,
        /// Columns the header names.
        width: usize,
    },
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::tests::tiny_model;
    use crate::train::no_progress;
    use crate::vocab::Vocabulary;
    use crate::Classifier;

    #[test]
    fn numbers_in_messages_are_written_as_javascript_writes_them() {
        let cases = [
            (f64::INFINITY, "Infinity"),
            (f64::NEG_INFINITY, "-Infinity"),
            (f64::NAN, "NaN"),
            (1e300, "1e+300"),
            (-2.5e-7, "-2.5e-7"),
            (0.0, "0"),
            (1.5, "1.5"),
            (100.0, "100"),
        ];
        for (v, written) in cases {
            assert_eq!(js_number(v), written);
        }
        let options = |epochs| FineTuneOptions {
            epochs: Some(epochs),
            ..FineTuneOptions::default()
        };
        let e = options(f64::INFINITY).resolve(10, 10.0).unwrap_err();
        assert!(matches!(e, Error::OutOfRange(_)), "{e:?}");
        assert!(e.to_string().ends_with("not Infinity"), "{e}");
        let (_, _, warnings) = options(1e300).resolve(10, 10.0).unwrap();
        assert!(
            warnings
                .iter()
                .any(|w| w == "epochs 1e+300 was clamped to 1000"),
            "{:?}",
            warnings
        );
    }

    fn labelled(text: &str, label: Label) -> Labelled {
        Labelled {
            text: text.into(),
            label,
        }
    }

    fn examples() -> Vec<Labelled> {
        let mut out = Vec::new();
        for i in 0..20 {
            out.push(labelled(
                &format!("good great film {i}"),
                Label::Name("positive".into()),
            ));
            out.push(labelled(&format!("bad awful film {i}"), Label::Number(0.0)));
        }
        out
    }

    #[test]
    fn learns_from_names_and_numbers() {
        let mut clf = Classifier::from_model(&tiny_model(41)).unwrap();
        let report = clf
            .fine_tune_examples(&examples(), &FineTuneOptions::default(), &mut no_progress)
            .unwrap();
        assert!(report.accuracy >= 0.95, "{report:?}");
        assert_eq!(clf.classify("good great").unwrap().label, "positive");
        assert_eq!(clf.classify("bad awful").unwrap().label, "negative");
        // What it learned survives the trip through its ONNX bytes, exactly.
        let again = Classifier::from_bytes(&clf.to_bytes()).unwrap();
        for text in ["good great", "bad awful", "film", ""] {
            assert_eq!(again.classify(text).unwrap(), clf.classify(text).unwrap());
        }
        assert_eq!(again.model_bytes(), clf.model_bytes());
    }

    #[test]
    fn bad_examples_say_what_is_wrong_and_change_nothing() {
        let mut clf = Classifier::from_model(&tiny_model(42)).unwrap();
        let before = clf.to_bytes();
        let run = |clf: &mut Classifier, ex: &[Labelled], o: &FineTuneOptions| {
            clf.fine_tune_examples(ex, o, &mut no_progress)
                .unwrap_err()
                .to_string()
        };
        let none = FineTuneOptions::default();
        assert!(run(&mut clf, &[], &none).contains("no examples"));
        let one_label: Vec<Labelled> = (0..5)
            .map(|_| labelled("good", Label::Number(1.0)))
            .collect();
        assert!(run(&mut clf, &one_label, &none).contains("both labels"));
        let mut bad = examples();
        bad[3].label = Label::Name("spam".into());
        assert!(run(&mut clf, &bad, &none).contains("example 3: unknown label \"spam\""));
        let mut bad = examples();
        bad[4].label = Label::Number(2.0);
        assert!(run(&mut clf, &bad, &none).contains("example 4"));
        let mut bad = examples();
        bad[5].text = "  ".into();
        assert!(run(&mut clf, &bad, &none).contains("example 5: the text is empty"));
        for (o, what) in [
            (
                FineTuneOptions {
                    epochs: Some(f64::NAN),
                    ..none.clone()
                },
                "epochs",
            ),
            (
                FineTuneOptions {
                    epochs: Some(-1.0),
                    ..none.clone()
                },
                "epochs",
            ),
            (
                FineTuneOptions {
                    learning_rate: Some(f64::INFINITY),
                    ..none.clone()
                },
                "learningRate",
            ),
            (
                FineTuneOptions {
                    learning_rate: Some(0.0),
                    ..none.clone()
                },
                "learningRate",
            ),
            (
                FineTuneOptions {
                    learning_rate: Some(1e-300),
                    ..none.clone()
                },
                "learningRate must be a number above 0 and at most 1, not 1e-300 (0 as a 32-bit",
            ),
            (
                FineTuneOptions {
                    batch_size: Some(0.5),
                    ..none.clone()
                },
                "batchSize",
            ),
            (
                FineTuneOptions {
                    seed: Some(-3.0),
                    ..none.clone()
                },
                "seed",
            ),
            (
                FineTuneOptions {
                    validation_split: Some(0.9),
                    ..none.clone()
                },
                "validationSplit",
            ),
        ] {
            assert!(run(&mut clf, &examples(), &o).contains(what), "{what}");
        }
        assert_eq!(clf.to_bytes(), before);
    }

    #[test]
    fn huge_values_are_clamped_with_a_warning() {
        let options = FineTuneOptions {
            epochs: Some(1e12),
            batch_size: Some(1e9),
            ..FineTuneOptions::default()
        };
        let (resolved, _, warnings) = options.resolve(40, defaults::REFERENCE_IDS).unwrap();
        assert_eq!(resolved.epochs, limits::MAX_EPOCHS);
        assert_eq!(resolved.batch_size, 40);
        // As written, not as saturated to a machine integer.
        assert_eq!(
            warnings,
            [
                "batchSize 1000000000 was clamped to 100000",
                "epochs 1000000000000 was clamped to 1000"
            ]
        );
        // The same warnings without examples to cap the batch (checkFineTuneOptions).
        let (checked, _, again) = options
            .resolve(usize::MAX, defaults::REFERENCE_IDS)
            .unwrap();
        assert_eq!(
            (checked.batch_size, again),
            (limits::MAX_BATCH_SIZE, warnings)
        );
    }

    #[test]
    fn validation_split_reports_validation_accuracy() {
        let mut clf = Classifier::from_model(&tiny_model(43)).unwrap();
        let options = FineTuneOptions {
            validation_split: Some(0.25),
            ..FineTuneOptions::default()
        };
        let report = clf
            .fine_tune_examples(&examples(), &options, &mut no_progress)
            .unwrap();
        // Measured on the held-out examples: what the confusion matrix of them counts right.
        let confusion = report.confusion.as_ref().expect("a confusion matrix");
        let right: u32 = (0..confusion.len()).map(|i| confusion[i][i]).sum();
        let all: u32 = confusion.iter().flatten().sum();
        assert_eq!(all as usize, examples().len() / 4, "{confusion:?}");
        let accuracy = report.validation_accuracy.expect("a validation accuracy");
        assert!(
            (accuracy - right as f32 / all as f32).abs() < 1e-6,
            "{report:?}"
        );
        assert!(!report
            .warnings
            .iter()
            .any(|w| w.contains("validationSplit")));
        // Too few examples for the split to hold any out: said, not left to look unasked.
        let four = &examples()[..4];
        let options = FineTuneOptions {
            validation_split: Some(0.1),
            ..FineTuneOptions::default()
        };
        let report = clf
            .fine_tune_examples(four, &options, &mut no_progress)
            .unwrap();
        assert_eq!(report.validation_accuracy, None);
        assert!(
            report.warnings.contains(
                &"validationSplit 0.1 of 4 examples holds none out: nothing was measured on \
                  held-out examples"
                    .to_string()
            ),
            "{:?}",
            report.warnings
        );
    }

    #[test]
    fn each_label_has_its_share_of_the_held_out_examples() {
        // 45 of one label, 5 of the other: a fifth is 9 and 1, whatever the shuffle.
        let mut few: Vec<Labelled> = (0..45)
            .map(|i| labelled(&format!("good great film {i}"), Label::Number(1.0)))
            .collect();
        few.extend((0..5).map(|i| labelled(&format!("bad awful film {i}"), Label::Number(0.0))));
        for seed in 0..8 {
            let mut clf = Classifier::from_model(&tiny_model(45)).unwrap();
            let options = FineTuneOptions {
                validation_split: Some(0.2),
                seed: Some(f64::from(seed)),
                epochs: Some(2.0),
                ..FineTuneOptions::default()
            };
            let report = clf
                .fine_tune_examples(&few, &options, &mut no_progress)
                .unwrap();
            let rows: Vec<u32> = report
                .confusion
                .unwrap()
                .iter()
                .map(|row| row.iter().sum())
                .collect();
            assert_eq!(rows, [9, 1], "seed {seed}");
        }
    }

    #[test]
    fn the_option_names_are_the_fields() {
        // No `..Default::default()`: a field added fails to compile here until it is named.
        let all = FineTuneOptions {
            epochs: Some(1.0),
            learning_rate: Some(1.0),
            batch_size: Some(1.0),
            train_embedding: Some(true),
            seed: Some(1.0),
            validation_split: Some(0.1),
            embedding_learning_rate_scale: Some(1.0),
            runs: Some(1.0),
            balance_labels: Some(true),
        };
        let value = serde_json::to_value(&all).unwrap();
        let mut fields: Vec<&str> = value
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let mut names = FineTuneOptions::NAMES.to_vec();
        fields.sort_unstable();
        names.sort_unstable();
        assert_eq!(fields, names);
    }

    #[test]
    fn every_label_keeps_an_example_to_train_on() {
        // 1 spam and 3 ham, half held out: the spam message's quota was 1, its whole count. And
        // 2 spam alike and 8 ham, 0.3 held out: the pair went out together, past a quota of 1.
        let spam = |text: &str| labelled(text, Label::Number(1.0));
        let ham = |i: usize| labelled(&format!("fine see you at {i}"), Label::Number(0.0));
        let one: Vec<Labelled> = std::iter::once(spam("win a free prize now"))
            .chain((0..3).map(ham))
            .collect();
        let pair: Vec<Labelled> = [spam("win a free prize now"), spam("WIN a free  prize now ")]
            .into_iter()
            .chain((0..8).map(ham))
            .collect();
        // And one spam text given again as ham: a run of two labels, held out by its first's
        // quota, took the only spam message with it.
        let mixed: Vec<Labelled> = [
            spam("WIN a prize now"),
            labelled("win a prize now", Label::Number(0.0)),
        ]
        .into_iter()
        .chain((0..8).map(ham))
        .collect();
        for (examples, split) in [(one, 0.5), (pair, 0.3), (mixed, 0.3)] {
            let spam = examples
                .iter()
                .filter(|e| e.label == Label::Number(1.0))
                .count() as u32;
            for seed in 0..8 {
                let mut clf = Classifier::from_model(&tiny_model(46)).unwrap();
                let options = FineTuneOptions {
                    validation_split: Some(split),
                    seed: Some(f64::from(seed)),
                    epochs: Some(2.0),
                    ..FineTuneOptions::default()
                };
                let report = clf
                    .fine_tune_examples(&examples, &options, &mut no_progress)
                    .unwrap();
                let confusion = report.confusion.unwrap();
                // None of one, none of two alike (a pair is held out whole or not at all).
                let spam_held: u32 = confusion[0].iter().sum();
                assert!(
                    spam_held == 0 || spam_held < spam - 1,
                    "seed {seed}: {confusion:?}"
                );
                assert!(confusion[1].iter().sum::<u32>() > 0, "seed {seed}");
            }
        }
    }

    #[test]
    fn a_text_given_more_than_once_is_held_out_or_trained_on_never_both() {
        // Every example three times over, as a file imported three times, twice with another case
        // or spacing, which the model does not read.
        let thrice: Vec<Labelled> = examples()
            .into_iter()
            .flat_map(|e| {
                let upper = labelled(&e.text.to_uppercase(), e.label.clone());
                let spaced = labelled(&format!("  {} ", e.text), e.label.clone());
                [e, upper, spaced]
            })
            .collect();
        for seed in 0..8 {
            let mut clf = Classifier::from_model(&tiny_model(43)).unwrap();
            // 0.29 of 120 is 35 examples, no whole number of texts: a cut inside a text.
            let options = FineTuneOptions {
                validation_split: Some(0.29),
                seed: Some(f64::from(seed)),
                ..FineTuneOptions::default()
            };
            let report = clf
                .fine_tune_examples(&thrice, &options, &mut no_progress)
                .unwrap();
            let held_out: u32 = report.confusion.unwrap().iter().flatten().sum();
            // Whole texts, three examples each, and some left to train on.
            assert_eq!(held_out % 3, 0, "seed {seed}: {held_out} held out");
            assert!(held_out > 0 && (held_out as usize) < thrice.len());
            let repeats = thrice.len() - thrice.len() / 3;
            let warning = format!(
                "{repeats} examples repeat the text of another: each text was held out or \
                 trained on, never both"
            );
            assert!(report.warnings.contains(&warning), "{:?}", report.warnings);
        }
        // No text repeated: no warning.
        let mut clf = Classifier::from_model(&tiny_model(43)).unwrap();
        let options = FineTuneOptions {
            validation_split: Some(0.3),
            ..FineTuneOptions::default()
        };
        let report = clf
            .fine_tune_examples(&examples(), &options, &mut no_progress)
            .unwrap();
        assert!(!report.warnings.iter().any(|w| w.contains("repeat")));
    }

    #[test]
    fn from_pretrained_has_new_labels_and_a_fresh_head() {
        let clf = Classifier::from_model(&tiny_model(44)).unwrap();
        let labels = vec!["spam".to_string(), "not spam".to_string()];
        let fresh = clf.from_pretrained(labels.clone(), 7, false).unwrap();
        assert_eq!(fresh.labels(), &labels[..]);
        assert_eq!(fresh.model().embedding, clf.model().embedding);
        assert_ne!(fresh.model().w1, clf.model().w1);
        let label = fresh.classify("anything").unwrap().label;
        assert!(labels.contains(&label));
        assert!(clf
            .from_pretrained(vec!["a".into(), "a".into()], 1, false)
            .is_err());
        assert!(clf
            .from_pretrained(vec!["".into(), "b".into()], 1, false)
            .is_err());
        let three = clf
            .from_pretrained(vec!["a".into(), "b".into(), "c".into()], 1, false)
            .unwrap();
        assert_eq!(three.model().outputs(), 3);
        assert_eq!(three.model().embedding, clf.model().embedding);
    }

    #[test]
    fn from_pretrained_reads_unknown_numbers_as_one_and_no_scopes_and_its_file_says_so() {
        let bundled = Classifier::from_bytes(crate::BUNDLED_MODEL).unwrap();
        let fresh = bundled
            .from_pretrained(vec!["spam".into(), "ham".into()], 3, false)
            .unwrap();
        let vocab = fresh.model().vocab();
        let expected = bundled.model().vocab().clone().with_numbers();
        assert_eq!(vocab, &expected.clone().without_scopes());
        // "miss" gets no negated id (one past the table's rows).
        let text = "don't miss this";
        let past_the_table =
            |v: &Vocabulary| v.encode(text).iter().any(|&id| id as usize >= v.rows());
        assert!(past_the_table(&expected));
        assert!(!past_the_table(vocab));
        assert_ne!(vocab, bundled.model().vocab());
        assert_eq!(vocab.unigram_id("08001234567"), vocab.unigram_id("87121"));
        let back = Classifier::from_bytes(&fresh.to_bytes()).unwrap();
        assert_eq!(back.model().vocab(), vocab);
        assert_eq!(back.model(), fresh.model());
        assert_eq!(
            back.classify("Call 08001234567 to claim").unwrap(),
            fresh.classify("Call 08001234567 to claim").unwrap()
        );
    }

    #[test]
    fn from_pretrained_with_scopes_keeps_them_and_its_file_says_so() {
        let bundled = Classifier::from_bytes(crate::BUNDLED_MODEL).unwrap();
        let fresh = bundled
            .from_pretrained(vec!["happy".into(), "unhappy".into()], 3, true)
            .unwrap();
        let expected = bundled.model().vocab().clone().with_numbers();
        assert_eq!(fresh.model().vocab(), &expected);
        assert_eq!(fresh.model().scope_weights, bundled.model().scope_weights);
        assert_ne!(fresh.model().scope_weights, [0.0; crate::vocab::SCOPES]);
        // "not good" reads "good" negated, as the bundled model does.
        let vocab = fresh.model().vocab();
        assert_eq!(
            vocab.encode("not good"),
            bundled.model().vocab().encode("not good")
        );
        let back = Classifier::from_bytes(&fresh.to_bytes()).unwrap();
        assert_eq!(back.model(), fresh.model());
        assert_eq!(
            back.classify("I did not like it").unwrap(),
            fresh.classify("I did not like it").unwrap()
        );
    }

    #[test]
    fn a_classifier_with_scopes_reads_a_negated_word_turned_round_from_few_examples() {
        let bundled = Classifier::from_bytes(crate::BUNDLED_MODEL).unwrap();
        let words = [
            ("happy", ["good", "great", "lovely", "nice", "fine"]),
            ("unhappy", ["bad", "awful", "poor", "dull", "nasty"]),
        ];
        let examples: Vec<Labelled> = words
            .iter()
            .flat_map(|(label, ws)| {
                ws.iter().flat_map(move |w| {
                    [w.to_string(), format!("it was {w}"), format!("so {w}")]
                        .map(|text| labelled(&text, Label::Name(label.to_string())))
                })
            })
            .collect();
        let taught = |scopes: bool| {
            let mut clf = bundled
                .from_pretrained(vec!["happy".into(), "unhappy".into()], 5, scopes)
                .unwrap();
            let options = FineTuneOptions {
                seed: Some(5.0),
                ..FineTuneOptions::default()
            };
            clf.fine_tune_examples(&examples, &options, &mut no_progress)
                .unwrap();
            clf
        };
        // Neither "not" nor these sentences were in the examples.
        let with = taught(true);
        assert_eq!(with.classify("it was not good").unwrap().label, "unhappy");
        assert_eq!(with.classify("it was not bad").unwrap().label, "happy");
        let without = taught(false);
        assert_eq!(without.classify("it was not good").unwrap().label, "happy");
    }

    fn names() -> Vec<String> {
        vec!["positive".to_string(), "negative".to_string()]
    }

    /// Rows labelled 1 / 0 are counted, so that a page can say which label each number became:
    /// which is "1" is the label order's (a 0 / 1 spam file read for "ham", "spam" turns its
    /// spam into ham). Names, and labels that are themselves "1" / "0", are not numbers.
    #[test]
    fn rows_labelled_by_number_are_counted() {
        let ham_spam = ["ham", "spam"].map(String::from);
        let file = "label\ttext\n1\tWIN a prize\n0\tLunch?\nspam\tFree entry\nHAM\tok\n";
        let parsed = parse_examples(file, &ham_spam).unwrap();
        assert_eq!(parsed.numbered, 2);
        assert_eq!(
            parsed.rows[0],
            ("WIN a prize".to_string(), "ham".to_string())
        );
        let zero_one = ["0", "1"].map(String::from);
        assert_eq!(
            parse_examples("1\tyes\n0\tno\n", &zero_one)
                .unwrap()
                .numbered,
            0
        );
        let three = ["a", "b", "c"].map(String::from);
        assert_eq!(parse_examples("a\tx\nb\ty\n", &three).unwrap().numbered, 0);
    }

    #[test]
    fn a_label_is_a_name_or_one_or_zero() {
        let labels = names();
        let index = |l: Label| label_index(&labels, &l);
        assert_eq!(index(Label::Name("positive".into())), Some(0));
        assert_eq!(index(Label::Name("negative".into())), Some(1));
        assert_eq!(index(Label::Number(1.0)), Some(0));
        assert_eq!(index(Label::Name("0".into())), Some(1));
        assert_eq!(index(Label::Number(0.5)), None);
        // A name but for case is that label, unless it is two labels' but for case.
        assert_eq!(index(Label::Name("Positive".into())), Some(0));
        let cased = ["Spam", "spam", "ham"].map(String::from);
        assert_eq!(label_index(&cased, &Label::Name("spam".into())), Some(1));
        assert_eq!(label_index(&cased, &Label::Name("SPAM".into())), None);
        assert_eq!(label_index(&cased, &Label::Name("HAM".into())), Some(2));
        // Names win over numbers: labels "0" / "1" mean what they say.
        let swapped = ["0".to_string(), "1".to_string()];
        assert_eq!(label_index(&swapped, &Label::Name("1".into())), Some(1));
        // With more labels, a number is the label of that name, and 1 / 0 mean nothing else.
        let stars: Vec<String> = ["1-2", "3", "9-10"].map(String::from).to_vec();
        assert_eq!(label_index(&stars, &Label::Number(3.0)), Some(1));
        assert_eq!(label_index(&stars, &Label::Number(1.0)), None);
        assert_eq!(label_index(&stars, &Label::Name("9-10".into())), Some(2));
    }

    #[test]
    fn three_labels_learn_warn_and_report_a_confusion_matrix() {
        let base = crate::model::tests::tiny_model(45);
        let mut clf = Classifier::from_model(&base)
            .unwrap()
            .from_pretrained(["up", "down", "flat"].map(String::from).to_vec(), 3, false)
            .unwrap();
        let mut examples = Vec::new();
        for i in 0..30 {
            examples.push(labelled(
                &format!("good great {i}"),
                Label::Name("up".into()),
            ));
            examples.push(labelled(
                &format!("bad awful {i}"),
                Label::Name("down".into()),
            ));
        }
        let options = FineTuneOptions {
            validation_split: Some(0.25),
            epochs: Some(30.0),
            ..FineTuneOptions::default()
        };
        let report = clf
            .fine_tune_examples(&examples, &options, &mut no_progress)
            .unwrap();
        assert_eq!(report.warnings.len(), 2, "{report:?}");
        assert!(report.warnings[0].contains("\"flat\""));
        // 15 held out: each is 6 points of their accuracy.
        assert_eq!(
            report.warnings[1],
            "only 15 examples were held out: each moves the held-out accuracy by 6 points, so it \
             is a rough guide"
        );
        let confusion = report.confusion.unwrap();
        assert_eq!(confusion.len(), 3);
        assert_eq!(confusion.iter().flatten().sum::<u32>(), 15);
        assert_eq!(confusion[2].iter().sum::<u32>(), 0);
        assert_eq!(clf.classify("good great").unwrap().label, "up");
        let p = clf.classify("bad awful").unwrap();
        assert_eq!(p.label, "down");
        let scores = p.scores.unwrap();
        assert_eq!(scores.len(), 3);
        assert_eq!(scores[0].label, "down");
        assert!((scores.iter().map(|s| s.score).sum::<f32>() - 1.0).abs() < 1e-5);
        // Every example of one label: refused.
        let same: Vec<Labelled> = (0..4)
            .map(|i| labelled(&format!("good {i}"), Label::Name("up".into())))
            .collect();
        let err = clf
            .fine_tune_examples(&same, &options, &mut no_progress)
            .unwrap_err();
        assert!(err.to_string().contains("at least two labels"), "{err}");
    }

    fn parse(content: &str) -> (Vec<(String, String)>, Vec<String>) {
        let parsed = parse_examples(content, &names()).unwrap();
        (parsed.rows, parsed.errors)
    }

    #[test]
    fn skipped_rows_of_long_labels_keep_their_messages_short() {
        // 32 labels of 100 four-byte characters: each skipped row's message listed them all, 13
        // KB, and 330,000 rows of "x,a" (1.3 MB) asked for more than the module's 4 GB.
        let labels: Vec<String> = (0..32)
            .map(|i| format!("{i:02}{}", "\u{1d538}".repeat(98)))
            .collect();
        let rows = 2000;
        let content = "x,a\n".repeat(rows) + &"y,b\n".repeat(rows);
        let parsed = parse_examples(&content, &labels).unwrap();
        // One message a skipped line, as the page counts them.
        assert_eq!(parsed.errors.len(), 2 * rows);
        // The labels are listed once (the first line that needs them), and later lines say where.
        assert!(
            parsed.errors[0].starts_with("line 1: unknown label"),
            "{}",
            parsed.errors[0]
        );
        assert!(parsed.errors[0].contains(&format!("{:?}", labels[31])));
        assert_eq!(
            parsed.errors[1],
            "line 2: unknown label \"x\"; use one of the labels listed at line 1"
        );
        assert_eq!(
            parsed.errors[rows],
            format!(
                "line {}: unknown label \"y\"; use one of the labels listed at line 1",
                rows + 1
            )
        );
        let bytes: usize = parsed.errors.iter().map(String::len).sum();
        assert!(
            bytes < parsed.errors[0].len() + 80 * 2 * rows,
            "{bytes} bytes of messages"
        );
        // A label that is several labels but for case: they are named once too.
        let given = "x".repeat(100);
        let alike: Vec<String> = (0..4)
            .map(|i| {
                let mut l = given.clone();
                l.replace_range(i..=i, "X");
                l
            })
            .collect();
        let parsed = parse_examples(&format!("{given},a\n").repeat(3), &alike).unwrap();
        assert_eq!(parsed.errors.len(), 3);
        assert!(
            parsed.errors[0].contains(&format!("{:?}", alike[3])),
            "{}",
            parsed.errors[0]
        );
        assert_eq!(
            parsed.errors[2],
            format!(
                "line 3: label {:?} is more than one label but for case (listed at line 1): \
                 write it as one of them",
                "x".repeat(40)
            )
        );
        // Short lists are given whole on every line, as before.
        let (_, errors) = parse("maybe\tNot sure.\nmaybe\tNo.\n");
        assert_eq!(
            errors[1],
            "line 2: unknown label \"maybe\"; use \"positive\" or \"negative\" (or 1 / 0)"
        );
    }

    #[test]
    fn a_row_longer_than_classify_reads_is_refused_by_its_line() {
        // Counted as JavaScript counts: 17 million ASCII characters are 17 million code units
        // (under the byte limit, past the character one); they passed the import, then failed
        // every Fine-tune.
        let long = "great ".repeat(limits::MAX_TEXT_CHARS / 6 + 1);
        let (rows, errors) = parse(&format!("positive\tfine\npositive\t{long}\n"));
        assert_eq!(rows.len(), 1);
        assert!(
            errors[0].starts_with(
                "line 2: the text has 16777217 characters; polarity reads at most 16777216"
            ),
            "{errors:?}"
        );
    }

    #[test]
    fn a_file_for_other_labels_names_them() {
        let unknown = |content: &str| {
            let parsed = parse_examples(content, &names()).unwrap();
            assert!(parsed.rows.is_empty(), "{:?}", parsed.rows);
            parsed.unknown_labels
        };
        let file = "ham\tSee you at 5\nspam\tWin a prize\nham\tCall me\n";
        assert_eq!(unknown(file), ["ham", "spam"]);
        // Texts first, no header: the labels are the column with fewer different values, and
        // the messages name them, not the texts.
        let file = "Win a prize now,spam\nSee you at 5,ham\nCall me later,ham\n";
        assert_eq!(unknown(file), ["spam", "ham"]);
        let parsed = parse_examples(file, &names()).unwrap();
        assert!(parsed.errors[0].starts_with("line 1: unknown label \"spam\""));
        // A header this reader does not know is no label (Kaggle's spam.csv).
        let file =
            "v1,v2,,,\nham,Go until jurong,,,\nspam,Free entry,,,\nham,Ok lar,,,\nspam,Win,,,\n";
        assert_eq!(unknown(file), ["ham", "spam"]);
        // Two rows of one word each: no header, both labels (for a classifier of three).
        let three = ["a", "b", "c"].map(String::from);
        let parsed = parse_examples("1\tgreat\n0\tawful\n1\tfine\n", &three).unwrap();
        assert_eq!(parsed.unknown_labels, ["1", "0"]);
        // A first row whose text is no column name is a row, its label one of the file's.
        let file = "urgent\tCall!\nlater\tLunch at 1\nlater\tNext week\n";
        assert_eq!(unknown(file), ["urgent", "later"]);
        // Values that never repeat are no labels (texts in both columns).
        assert_eq!(
            unknown("Win a prize now,Call me\nSee you at 5,Lunch?\n"),
            Vec::<String>::new()
        );
        // A header and one label more than a classifier has: none offered, not 32 of them.
        let over: String = std::iter::once("v1\tv2\n".to_string())
            .chain(
                (0..=limits::MAX_LABELS)
                    .flat_map(|i| [format!("tag{i}\ta {i}\n"), format!("tag{i}\tb {i}\n")]),
            )
            .collect();
        assert_eq!(unknown(&over), Vec::<String>::new());
        // Values no label may be (over 100 characters): no labels to offer.
        let long = format!("{0}\tgood film\n{0}\tbad film\n", "x".repeat(121));
        assert_eq!(unknown(&long), Vec::<String>::new());
        // More than a classifier can have: that column holds no labels.
        let many: String = (0..40).map(|i| format!("tag{i}\ttext {i}\n")).collect();
        assert_eq!(unknown(&many), Vec::<String>::new());
        // One label whatever its case: named once, as first written.
        let file = "Spam\tWin\nham\tLunch?\nspam\tFree\nHam\tOk\nSPAM\tPrize\n";
        assert_eq!(unknown(file), ["Spam", "ham"]);
        // Rows with the classifier's labels are read; the others' labels are still named.
        let parsed =
            parse_examples("positive\tfine\nneutral\tok\nneutral\tso-so\n", &names()).unwrap();
        assert_eq!(parsed.rows.len(), 1);
        assert_eq!(parsed.unknown_labels, ["neutral"]);
        // A label two labels have but for case is said to be so, not unknown.
        let cased = ["Positive", "positive"].map(String::from);
        let parsed = parse_examples("POSITIVE\tfine\nPositive\tgood\n", &cased).unwrap();
        assert_eq!(
            parsed.errors,
            ["line 1: label \"POSITIVE\" is \"Positive\" and \"positive\" but for case: write it as one of them"]
        );
    }

    #[test]
    fn a_quoted_text_line_that_starts_with_a_label_but_for_case_stays_in_its_text() {
        let (rows, errors) =
            parse("positive,\"I expected it to be bad.\nPositive, though, on the whole: fun\"\n");
        assert_eq!(errors, Vec::<String>::new());
        assert_eq!(
            rows,
            [(
                "I expected it to be bad.\nPositive, though, on the whole: fun".to_string(),
                "positive".to_string()
            )]
        );
        // A comment line read at its commas holds a label: still a comment.
        let (rows, errors) = parse("# labels: positive,negative\npositive\tfine\n");
        assert_eq!(errors, Vec::<String>::new());
        assert_eq!(rows.len(), 1);
    }

    #[test]
    fn a_byte_order_mark_is_not_part_of_the_first_row() {
        let (rows, errors) = parse("\u{feff}label,text\npositive,fine\n");
        assert_eq!(errors, Vec::<String>::new());
        assert_eq!(rows, vec![("fine".to_string(), "positive".to_string())]);
        let texts = crate::texts::parse_texts("\u{feff}text,id\nfine,1\n", None).unwrap();
        assert!(texts.header);
        assert_eq!(texts.texts, ["fine"]);
    }

    #[test]
    fn lines_ending_in_a_lone_carriage_return_are_lines() {
        // Excel for Mac's "CSV (Macintosh)": each reader read such a file as one line.
        let (rows, errors) = parse("positive\tfine\rmaybe\tunsure\rnegative\t\"dull,\r slow\"\r");
        assert_eq!(
            rows,
            vec![
                ("fine".into(), "positive".into()),
                ("dull,\n slow".into(), "negative".into())
            ]
        );
        assert_eq!(
            errors,
            ["line 2: unknown label \"maybe\"; use \"positive\" or \"negative\" (or 1 / 0)"]
        );
        let texts = crate::texts::parse_texts("Great film\rAwful film\r\rOk\r", None).unwrap();
        assert_eq!(texts.texts, ["Great film", "Awful film", "Ok"]);
        // Windows line ends are left as they are read, and so is a stray CR in a file of lines.
        assert!(matches!(
            file_text("a\r\nb\r\n"),
            std::borrow::Cow::Borrowed(_)
        ));
        let texts = crate::texts::parse_texts("One\nTwo with a stray\rCR\n", None).unwrap();
        assert_eq!(texts.texts, ["One", "Two with a stray\rCR"]);
    }

    #[test]
    fn empty_columns_at_the_end_are_no_part_of_the_text() {
        let (read, errors) =
            parse("v1,v2,,,\npositive,Go until jurong,,,\nnegative,\"See you, later\",,\n");
        assert_eq!(
            errors,
            ["line 1: unknown label \"v1\"; use \"positive\" or \"negative\" (or 1 / 0)"]
        );
        assert_eq!(
            read,
            rows(&[
                ("Go until jurong", "positive"),
                ("See you, later", "negative")
            ])
        );
        // A header with them, and a text with the separator in it, unquoted.
        let (read, _) = parse("label,text,,\npositive,Hello, world,,\ntext,label\n");
        assert_eq!(read, rows(&[("Hello, world", "positive")]));
        // The label last, before an empty column.
        let (read, errors) = parse("Great fun,positive,\nDull,negative,\n");
        assert_eq!(errors, Vec::<String>::new());
        assert_eq!(
            read,
            rows(&[("Great fun", "positive"), ("Dull", "negative")])
        );
    }

    #[test]
    fn a_text_that_opens_with_a_quote_does_not_swallow_the_rows_after_it() {
        // As lines 5082-5084 of the SMS spam collection: a quote opens one text, another text
        // two lines on ends with one. Read as one quoted field, three rows made one, silently.
        let content = "positive\t\"Keep it up\nnegative\tDull, call me\npositive\t\"HI THERE\"\n";
        let (read, errors) = parse(content);
        assert_eq!(errors, Vec::<String>::new());
        assert_eq!(
            read,
            rows(&[
                ("\"Keep it up", "positive"),
                ("Dull, call me", "negative"),
                ("HI THERE", "positive"),
            ])
        );
        // A quoted text over lines that are no rows is still one text.
        let (read, _) = parse("label,text\npositive,\"Great,\nreally\nfun\"\nnegative,Dull\n");
        assert_eq!(
            read,
            rows(&[("Great,\nreally\nfun", "positive"), ("Dull", "negative")])
        );
    }

    fn rows(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(t, l)| (t.to_string(), l.to_string()))
            .collect()
    }

    #[test]
    fn files_read_as_a_spreadsheet_user_expects() {
        // The demo's own export and hand-written TSV, with a header, a bad label and a row that
        // uses a comma where the file uses tabs.
        let (got, errors) = parse(
            "label\ttext\r\npositive\t  Great fun.  \n\nmaybe\tNot sure.\r\n1\t\"Say \"\"hi\"\"\"\n\
             0,Boring, slow.\nnegative\t\nno separator here\n",
        );
        assert_eq!(
            got,
            rows(&[
                ("Great fun.", "positive"),
                ("Say \"hi\"", "positive"),
                ("Boring, slow.", "negative"),
            ])
        );
        assert_eq!(
            errors,
            [
                "line 4: unknown label \"maybe\"; use \"positive\" or \"negative\" (or 1 / 0)",
                "line 7: the text is empty",
                "line 8: expected a label and a text, separated by a tab, a comma or a semicolon",
            ]
        );
        // A label as long as a text is named by its start, in every reader's message alike.
        let long = "x".repeat(5000);
        let (_, errors) = parse(&format!("positive\tfine\n{long}\tthe text\n"));
        assert_eq!(
            errors,
            [format!("line 2: {}", unknown_label(&long, &names()))]
        );
        assert!(errors[0].len() < 120, "{}", errors[0]);
        // A spreadsheet's CSV: text first, quoted fields with commas, quotes and line breaks.
        let (got, errors) = parse(
            "Review,Sentiment\n\"Loved it, truly\",positive\n\"Said \"\"meh\"\"\nthen left\",0\n",
        );
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(
            got,
            rows(&[
                ("Loved it, truly", "positive"),
                ("Said \"meh\"\nthen left", "negative")
            ])
        );
        // Semicolons (European spreadsheets), no header, the label last.
        let (got, _) = parse("Great film; loved it;1\nAwful;0\n");
        assert_eq!(
            got,
            rows(&[("Great film; loved it", "positive"), ("Awful", "negative")])
        );
        // Extra columns are left alone when the header names the two.
        let (got, _) = parse("id,text,label,source\n7,Fine film,1,web\n");
        assert_eq!(got, rows(&[("Fine film", "positive")]));
    }

    #[test]
    fn one_odd_line_does_not_spoil_a_file() {
        // Comment lines, as the command line's files have (this repository's fixture).
        let fixture = include_str!("../tests/fixtures/feedback.tsv");
        let labels = ["praise", "complaint", "question"].map(String::from);
        let parsed = parse_examples(fixture, &labels).unwrap();
        assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
        let examples = fixture.lines().filter(|l| !l.starts_with('#')).count();
        assert_eq!(parsed.rows.len(), examples);
        // A first text with more semicolons than commas does not make the file `;`-separated.
        let (got, errors) = parse("positive,Great acting; superb; fun\nnegative,Awful\n");
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(
            got,
            rows(&[
                ("Great acting; superb; fun", "positive"),
                ("Awful", "negative")
            ])
        );
        // A quote that never closes is a character of its text, not the rest of the file.
        let (got, errors) = parse("1\t\"great film\n0\tawful\n1\tnice\n");
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(
            got,
            rows(&[
                ("\"great film", "positive"),
                ("awful", "negative"),
                ("nice", "positive")
            ])
        );
        // A '#' text with its label is an example, not a comment.
        let (got, _) = parse("#1 film of the year,positive\n");
        assert_eq!(got, rows(&[("#1 film of the year", "positive")]));
    }

    #[test]
    fn a_file_that_is_not_text_is_refused_whole() {
        let png = "\u{fffd}PNG\r\n\u{1a}\n\0\0\0\rIHDR";
        assert!(parse_examples(png, &names())
            .unwrap_err()
            .to_string()
            .contains("not text"));
    }

    #[test]
    fn labels_weigh_alike_when_one_has_twice_another() {
        let of = |labels: &[usize]| -> Vec<(String, usize)> {
            labels.iter().map(|&l| (format!("t{l}"), l)).collect()
        };
        // Balanced, or less than twice: every weight 1.
        assert_eq!(balanced_weights(&of(&[0, 1, 0, 1]), 2), [1.0, 1.0]);
        assert_eq!(balanced_weights(&of(&[0, 0, 0, 1, 1]), 2), [1.0, 1.0]);
        // One of spam (0) to four of ham: n / (labels x count), so each label's total is n / 2.
        assert_eq!(balanced_weights(&of(&[0, 1, 1, 1, 1]), 2), [2.5, 0.625]);
        // A label without examples weighs 1 and does not count among those present.
        assert_eq!(
            balanced_weights(&of(&[0, 0, 0, 0, 2]), 3),
            [0.625, 1.0, 2.5]
        );
        // A label of few examples against many is warned about; of enough, or near as many, not.
        let labels = ["spam".to_string(), "ham".to_string()];
        let examples = |spam: usize, ham: usize| -> Vec<Labelled> {
            (0..spam + ham)
                .map(|i| Labelled {
                    text: format!("message {i}"),
                    label: Label::Name(labels[usize::from(i >= spam)].clone()),
                })
                .collect()
        };
        let warned = |spam, ham| {
            resolve_examples(&labels, &examples(spam, ham))
                .unwrap()
                .warnings
        };
        let w = warned(1, 19);
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(
            w[0].starts_with("only 1 example is labelled \"spam\", against 19"),
            "{w:?}"
        );
        assert!(warned(4, 20)[0].starts_with("only 4 examples are labelled"));
        assert!(warned(5, 40).is_empty());
        assert!(warned(4, 19).is_empty());
        assert!(warned(2, 2).is_empty());
    }

    #[test]
    fn labels_are_different_names_on_one_line() {
        let many = |n: usize| (0..n).map(|i| format!("label {i}")).collect::<Vec<_>>();
        assert!(check_labels(&many(limits::MAX_LABELS)).is_ok());
        assert!(check_labels(&many(limits::MAX_LABELS + 1)).is_err());
        assert!(check_labels(&["a", "b", "a"].map(String::from)).is_err());
        let check = |a: &str, b: &str| check_labels(&[a.to_string(), b.to_string()]);
        assert!(check("spam", "ham").is_ok());
        assert!(check("spam", "spam").is_err());
        assert!(check(" ", "ham").is_err());
        assert!(check("sp\nam", "ham").is_err());
        assert!(check("spam\t", "ham").is_err());
        // Each refusal of one label names it by its place, so a page can point at its field.
        for (a, b, place) in [(" ", "ham", 1), ("spam", "h\nam", 2), ("spam", "spam", 2)] {
            let err = check(a, b).unwrap_err().to_string();
            assert!(err.ends_with(&format!("(label {place})")), "{err}");
        }
        assert!(check(&"x".repeat(limits::MAX_LABEL_CHARS), "ham").is_ok());
        assert!(check(&"x".repeat(limits::MAX_LABEL_CHARS + 1), "ham").is_err());
        assert!(check_labels(&["a".to_string()]).is_err());
        // A new classifier's labels have no spaces around them (a file's are read trimmed); a
        // file saved with one still loads.
        let new = |a: &str, b: &str| check_new_labels(&[a.to_string(), b.to_string()]);
        assert!(new("spam", "not spam").is_ok());
        let err = new("spam ", "ham").unwrap_err().to_string();
        assert!(err.contains("cannot begin or end with a space"), "{err}");
        assert!(new("spam", " ham").is_err());
        assert!(check("spam ", "ham").is_ok());
        // Nor characters that hide (a review took "a" and "a\u{200b}", and "pos\u{202e}").
        let err = new("a", "a\u{200b}").unwrap_err().to_string();
        assert!(
            err.contains("invisible or direction-changing character (U+200B in label 2)"),
            "{err}"
        );
        assert!(new("pos\u{202e}", "neg").is_err());
        // Joiners are part of emoji and of scripts.
        assert!(new(
            "\u{1f469}\u{200d}\u{1f4bb}",
            "\u{0915}\u{094d}\u{200c}\u{0937}"
        )
        .is_ok());
        // A file saved with one still loads.
        assert!(check("a", "a\u{200b}").is_ok());
    }

    #[test]
    fn seeds_are_whole_numbers_javascript_holds_exactly() {
        assert_eq!(seed(None).unwrap(), defaults::SEED);
        assert_eq!(seed(Some(7.0)).unwrap(), 7);
        assert_eq!(seed(Some(limits::MAX_SEED)).unwrap(), (1 << 53) - 1);
        for bad in [-1.0, 0.5, f64::NAN, 2f64.powi(64)] {
            assert!(seed(Some(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_limits_are_the_ones_resolve_keeps() {
        let l = FineTuneLimits::get();
        let at = |epochs: f64| FineTuneOptions {
            epochs: Some(epochs),
            ..FineTuneOptions::default()
        };
        assert_eq!(
            at(l.epochs.max)
                .resolve(10, defaults::REFERENCE_IDS)
                .unwrap()
                .2
                .len(),
            0
        );
        assert_eq!(
            at(l.epochs.max + 1.0)
                .resolve(10, defaults::REFERENCE_IDS)
                .unwrap()
                .2
                .len(),
            1
        );
        assert!(at(l.epochs.min - 1.0)
            .resolve(10, defaults::REFERENCE_IDS)
            .is_err());
        let (options, _, _) = FineTuneOptions::default()
            .resolve(10, defaults::REFERENCE_IDS)
            .unwrap();
        assert_eq!(options.epochs as f64, l.epochs.default);
        // The limits give the defaults as the decimals they were written as, which round to them.
        assert_eq!(l.learning_rate.default, 0.0075);
        assert_eq!(options.learning_rate, l.learning_rate.default as f32);
        assert_eq!(
            options.embedding_learning_rate_scale,
            l.embedding_learning_rate_scale.default as f32
        );
        let split = |v: f64| FineTuneOptions {
            validation_split: Some(v),
            ..FineTuneOptions::default()
        };
        assert!(split(l.validation_split.max)
            .resolve(10, defaults::REFERENCE_IDS)
            .is_ok());
        assert!(split(l.validation_split.max + 0.01)
            .resolve(10, defaults::REFERENCE_IDS)
            .is_err());
    }

    #[test]
    fn short_texts_get_more_epochs_and_a_faster_embedding() {
        let (short, _, _) = FineTuneOptions::default().resolve(100, 24.0).unwrap();
        assert_eq!(short.epochs, 20);
        let scale = short.embedding_learning_rate_scale;
        assert!((0.5..0.6).contains(&scale), "{scale}");
        assert_eq!(short.weight_decay, defaults::MAX_WEIGHT_DECAY);
        let (long, _, _) = FineTuneOptions::default()
            .resolve(100, defaults::REFERENCE_IDS)
            .unwrap();
        assert_eq!(long.weight_decay, defaults::WEIGHT_DECAY);
        // Short texts average five runs with dropout; reviews train once, without.
        assert_eq!((short.runs, short.token_dropout), (5, 0.2));
        assert!(short.inverted_dropout);
        assert_eq!((long.runs, long.token_dropout), (1, 0.0));
        let runs = |v: f64| {
            let options = FineTuneOptions {
                runs: Some(v),
                ..FineTuneOptions::default()
            };
            options.resolve(100, 24.0).map(|(o, _, _)| o.runs)
        };
        assert_eq!(runs(1.0).unwrap(), 1);
        assert_eq!(runs(limits::MAX_RUNS as f64).unwrap(), limits::MAX_RUNS);
        for bad in [0.0, 2.5, -1.0, f64::NAN, limits::MAX_RUNS as f64 + 1.0] {
            let err = runs(bad).unwrap_err().to_string();
            assert!(err.contains("runs"), "{bad}: {err}");
        }
        // Tiny texts: capped at the head's rate, twice the epochs.
        let (tiny, _, _) = FineTuneOptions::default().resolve(100, 1.0).unwrap();
        assert_eq!((tiny.epochs, tiny.embedding_learning_rate_scale), (20, 1.0));
        // Long texts: fewer epochs once there are examples enough for MIN_STEPS steps.
        let epochs_for = |n| {
            FineTuneOptions::default()
                .resolve(n, defaults::REFERENCE_IDS)
                .unwrap()
                .0
                .epochs
        };
        assert_eq!(epochs_for(20), defaults::EPOCHS);
        assert_eq!(epochs_for(50), 8);
        assert_eq!(epochs_for(100), defaults::MIN_EPOCHS);
        assert_eq!(epochs_for(10_000), defaults::MIN_EPOCHS);
        // Given options win.
        let given = FineTuneOptions {
            epochs: Some(3.0),
            embedding_learning_rate_scale: Some(0.1),
            ..FineTuneOptions::default()
        };
        let (given, _, _) = given.resolve(100, 24.0).unwrap();
        assert_eq!(
            (given.epochs, given.embedding_learning_rate_scale),
            (3, 0.1)
        );
    }
}
