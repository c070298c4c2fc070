//! Fine-tuning as applications ask for it: labelled texts whose labels are names or 1 / 0, and
//! options that may be missing, NaN or out of range. Everything is checked here, in plain Rust,
//! before [`crate::train`] runs, so bad input gives an error that says what is wrong and never
//! NaN weights or a half-trained model.

use crate::classifier::Classifier;
use crate::model::Model;
use crate::rng::Rng;
use crate::train::{Options, Progress};
use crate::Error;

/// A label as a caller gives it: one of the model's label names, or 1 (first label) / 0.
#[derive(Clone, Debug, PartialEq)]
pub enum Label {
    Name(String),
    Number(f64),
}

/// One labelled text.
#[derive(Clone, Debug, PartialEq)]
pub struct Labelled {
    pub text: String,
    pub label: Label,
}

/// Fine-tuning options; `None` takes the default, which suits 20 to 500 examples.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FineTuneOptions {
    pub epochs: Option<f64>,
    pub learning_rate: Option<f64>,
    pub batch_size: Option<f64>,
    pub train_embedding: Option<bool>,
    pub seed: Option<f64>,
    /// Fraction of the examples held out to measure (and early-stop on), 0 to 0.5.
    pub validation_split: Option<f64>,
    /// Learning rate of the embedding relative to the head's, 0 to 10.
    pub embedding_learning_rate_scale: Option<f64>,
}

/// Defaults, measured with `polarity fewshot` on validation data carved from IMDB train (N = 100
/// reviews, 144 samples: small batches at a low rate gained a point over batches of 16 at 0.015,
/// and did not lose at N = 20 to 500; README.md, "Few-shot transfer", has the runs).
pub mod defaults {
    pub const EPOCHS: usize = 10;
    pub const LEARNING_RATE: f32 = 0.0075;
    pub const BATCH_SIZE: usize = 4;
    pub const SEED: u64 = 42;
    pub const VALIDATION_SPLIT: f64 = 0.0;
    /// The embedding moves this much slower than the head: a few dozen labels must not wash out
    /// what pre-training put there.
    pub const EMBEDDING_LEARNING_RATE_SCALE: f32 = 0.15;
    pub const MAX_EPOCHS: usize = 1000;
}

/// What fine-tuning did.
#[derive(Clone, Debug, PartialEq)]
pub struct FineTuneReport {
    pub epochs: usize,
    pub loss: f32,
    pub accuracy: f32,
    pub validation_accuracy: Option<f32>,
    /// Options that were out of range and clamped.
    pub warnings: Vec<String>,
}

impl FineTuneOptions {
    /// The training options these stand for, with warnings for clamped values.
    pub fn resolve(&self, examples: usize) -> Result<(Options, f64, Vec<String>), Error> {
        let mut warnings = Vec::new();
        let whole = |name: &str,
                     value: Option<f64>,
                     default: usize,
                     max: usize,
                     warnings: &mut Vec<String>| {
            let Some(v) = value else { return Ok(default) };
            if !v.is_finite() || v < 1.0 || v.fract() != 0.0 {
                return Err(Error::Input(format!(
                    "{name} must be a whole number of at least 1, not {v}"
                )));
            }
            if v > max as f64 {
                warnings.push(format!("{name} {v} was clamped to {max}"));
                return Ok(max);
            }
            Ok(v as usize)
        };
        let epochs = whole(
            "epochs",
            self.epochs,
            defaults::EPOCHS,
            defaults::MAX_EPOCHS,
            &mut warnings,
        )?;
        let batch_size = whole(
            "batchSize",
            self.batch_size,
            defaults::BATCH_SIZE,
            examples.max(1),
            &mut Vec::new(),
        )?;
        let learning_rate = match self.learning_rate {
            None => defaults::LEARNING_RATE,
            Some(v) if v.is_finite() && v > 0.0 && v <= 1.0 => v as f32,
            Some(v) => {
                return Err(Error::Input(format!(
                    "learningRate must be a number above 0 and at most 1, not {v}"
                )))
            }
        };
        let seed = match self.seed {
            None => defaults::SEED,
            Some(v)
                if v.is_finite()
                    && v >= 0.0
                    && v.fract() == 0.0
                    && v <= 9_007_199_254_740_991.0 =>
            {
                v as u64
            }
            Some(v) => {
                return Err(Error::Input(format!(
                    "seed must be a whole number of at least 0, not {v}"
                )))
            }
        };
        let split = match self.validation_split {
            None => defaults::VALIDATION_SPLIT,
            Some(v) if (0.0..=0.5).contains(&v) => v,
            Some(v) => {
                return Err(Error::Input(format!(
                    "validationSplit must be between 0 and 0.5, not {v}"
                )))
            }
        };
        let embedding_scale = match self.embedding_learning_rate_scale {
            None => defaults::EMBEDDING_LEARNING_RATE_SCALE,
            Some(v) if (0.0..=10.0).contains(&v) => v as f32,
            Some(v) => {
                return Err(Error::Input(format!(
                    "the embedding learning-rate scale must be between 0 and 10, not {v}"
                )))
            }
        };
        let options = Options {
            epochs,
            learning_rate,
            batch_size,
            train_embedding: self.train_embedding.unwrap_or(true),
            embedding_learning_rate_scale: embedding_scale,
            token_dropout: 0.0,
            weight_decay: 0.0,
            embedding_weight_decay: 0.0,
            patience: if split > 0.0 { 5 } else { 0 },
            seed,
        };
        Ok((options, split, warnings))
    }
}

/// Resolves labels and checks texts: `true` = the model's first label.
pub fn resolve_examples(
    labels: &[String; 2],
    examples: &[Labelled],
) -> Result<Vec<(String, bool)>, Error> {
    if examples.is_empty() {
        return Err(Error::Input("there are no examples to learn from".into()));
    }
    let mut resolved = Vec::with_capacity(examples.len());
    for (i, ex) in examples.iter().enumerate() {
        let first = match &ex.label {
            Label::Name(name) if *name == labels[0] => true,
            Label::Name(name) if *name == labels[1] => false,
            Label::Number(n) if *n == 1.0 => true,
            Label::Number(n) if *n == 0.0 => false,
            other => {
                let given = match other {
                    Label::Name(name) => format!("{name:?}"),
                    Label::Number(n) => n.to_string(),
                };
                return Err(Error::Input(format!(
                    "example {i}: unknown label {given}; use {:?} or {:?} (or 1 / 0)",
                    labels[0], labels[1]
                )));
            }
        };
        if ex.text.trim().is_empty() {
            return Err(Error::Input(format!("example {i}: the text is empty")));
        }
        resolved.push((ex.text.clone(), first));
    }
    for (value, label) in [(true, &labels[0]), (false, &labels[1])] {
        if resolved.iter().all(|(_, first)| *first != value) {
            return Err(Error::Input(format!(
                "no example is labelled {label:?}: fine-tuning needs examples of both labels"
            )));
        }
    }
    Ok(resolved)
}

impl Classifier {
    /// Fine-tunes on labelled texts. The classifier changes only when this succeeds.
    pub fn fine_tune_examples(
        &mut self,
        examples: &[Labelled],
        options: &FineTuneOptions,
        progress: &mut dyn FnMut(&Progress),
    ) -> Result<FineTuneReport, Error> {
        let mut resolved = resolve_examples(self.labels(), examples)?;
        let (options, split, warnings) = options.resolve(resolved.len())?;
        Rng::new(options.seed ^ 0x5eed).shuffle(&mut resolved);
        let n_valid = (resolved.len() as f64 * split).round() as usize;
        let train_part = resolved.split_off(n_valid.min(resolved.len().saturating_sub(1)));
        let report = self.fine_tune(&train_part, &resolved, &options, progress)?;
        Ok(FineTuneReport {
            epochs: report.epochs,
            loss: report.loss,
            accuracy: report.accuracy,
            validation_accuracy: report.validation_accuracy,
            warnings,
        })
    }

    /// A new classifier with this one's embedding, a fresh untrained head and its own labels.
    pub fn from_pretrained(&self, labels: [String; 2], seed: u64) -> Result<Classifier, Error> {
        if labels[0].trim().is_empty() || labels[1].trim().is_empty() || labels[0] == labels[1] {
            return Err(Error::Input(
                "labels must be two different, non-empty names".into(),
            ));
        }
        if labels.iter().any(|l| l.contains('\n')) {
            return Err(Error::Input("a label cannot contain a line break".into()));
        }
        let mut model: Model = self.model().clone();
        model.labels = labels;
        model.reset_head(seed);
        Classifier::from_model(&model)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::tests::tiny_model;

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
            .fine_tune_examples(&examples(), &FineTuneOptions::default(), &mut |_| {})
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
            clf.fine_tune_examples(ex, o, &mut |_| {})
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
        let (resolved, _, warnings) = options.resolve(40).unwrap();
        assert_eq!(resolved.epochs, defaults::MAX_EPOCHS);
        assert_eq!(resolved.batch_size, 40);
        assert_eq!(warnings.len(), 1);
    }

    #[test]
    fn validation_split_reports_validation_accuracy() {
        let mut clf = Classifier::from_model(&tiny_model(43)).unwrap();
        let options = FineTuneOptions {
            validation_split: Some(0.25),
            ..FineTuneOptions::default()
        };
        let report = clf
            .fine_tune_examples(&examples(), &options, &mut |_| {})
            .unwrap();
        assert!(report.validation_accuracy.is_some());
    }

    #[test]
    fn from_pretrained_has_new_labels_and_a_fresh_head() {
        let clf = Classifier::from_model(&tiny_model(44)).unwrap();
        let labels = ["spam".to_string(), "not spam".to_string()];
        let fresh = clf.from_pretrained(labels.clone(), 7).unwrap();
        assert_eq!(fresh.labels(), &labels);
        assert_eq!(fresh.model().embedding, clf.model().embedding);
        assert_ne!(fresh.model().w1, clf.model().w1);
        let label = fresh.classify("anything").unwrap().label;
        assert!(labels.contains(&label));
        assert!(clf.from_pretrained(["a".into(), "a".into()], 1).is_err());
        assert!(clf.from_pretrained(["".into(), "b".into()], 1).is_err());
    }
}
