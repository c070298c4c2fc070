//! The classifier applications use: one ONNX model, run by tract, with its vocabulary and labels.
//! Every method of [`Classifier`] is here: loading and saving, classifying and explaining,
//! fine-tuning and starting afresh from the pre-trained embedding.
//!
//! Scores come from the tract engine; explanations and training work on the same weights in plain
//! Rust ([`Model`]), which the tests hold equal to the engine.

use serde::Serialize;
use std::sync::{Arc, Mutex, PoisonError, Weak};

use crate::engine::{Engine, IDS_PER_RUN};
use crate::finetune::{
    balanced_weights, check_new_labels, defaults, resolve_examples, FineTuneOptions,
    FineTuneReport, Labelled,
};
use crate::limits;
use crate::model::{predicted, probabilities, Model};
use crate::onnx;
use crate::rng::Rng;
use crate::text::count_tokens;
use crate::train::{self, no_progress, Example, Flow, Options, Progress};
use crate::vocab::Scheme;
use crate::Error;
use tract_onnx::pb::ModelProto;

/// What a model says of a text. Two labels: the label, and `score` = P(first label). More: the
/// most probable label, its probability as `score`, and every label's in `scores`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Prediction {
    pub label: String,
    pub score: f32,
    /// Models with more than two labels: every label and its probability, most probable first
    /// (as transformers.js's text classification with `top_k: null` and MediaPipe's categories).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scores: Option<Vec<LabelScore>>,
}

/// One label's probability.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LabelScore {
    pub label: String,
    pub score: f32,
}

/// A token of the input and how much it pushed the score towards the first label (two labels) or
/// the predicted label (more).
#[derive(Clone, Debug, PartialEq)]
pub struct WeightedToken {
    pub text: String,
    /// Byte offsets into the input.
    pub start: usize,
    pub end: usize,
    /// Leave-one-out: score with the token minus score without it.
    pub weight: f32,
    /// Leave-one-out in log-odds: the explained label's log-odds with the token minus without
    /// it. Unlike `weight` it does not fade where the score nears 0 or 1, and a word pulling
    /// against the verdict weighs as much as one pulling with it ([`crate::Pull`]).
    pub log_odds: f32,
}

/// A prediction with each token's pull.
#[derive(Clone, Debug, PartialEq)]
pub struct Explanation {
    pub prediction: Prediction,
    pub tokens: Vec<WeightedToken>,
}

/// What a loaded model is.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ModelInfo {
    /// Words in the vocabulary.
    pub vocabulary_size: usize,
    /// Width of the word embedding.
    pub dimensions: usize,
    /// How the table is stored: "int4" (new models) or "int8" (files written before int4).
    pub quantization: &'static str,
    /// Size of the ONNX file.
    pub model_bytes: usize,
    /// `"verified"` when the file carried a checksum and it matched (for the bundled model, when
    /// the build's test checked it); `"none"` for files written before polarity wrote one (they
    /// load, unverified).
    pub checksum: &'static str,
    /// The labels, in the order of the head's outputs: with two, the score is P(first label).
    pub labels: Vec<String>,
    /// How many labelled texts its head was trained on, all trainings together (22,600 IMDB
    /// reviews for the bundled model); 0 for a fresh head, or a file that does not say.
    pub trained_on: u64,
}

/// A loaded model, ready to classify.
#[derive(Debug)]
pub struct Classifier {
    /// Shared by every classifier of the bundled model ([`Classifier::bundled_marked`]), and never
    /// changed in place: fine-tuning makes a new one.
    loaded: Arc<Loaded>,
}

/// A model with its plan, and what its file was.
#[derive(Debug)]
struct Loaded {
    model: Model,
    engine: Engine,
    model_bytes: usize,
    /// Whether the file carried a checksum (it is verified on loading).
    checksummed: bool,
}

impl Classifier {
    /// Loads a polarity ONNX file. Garbage, truncated or foreign bytes give an error.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, Error> {
        Self::from_bytes_marked(bytes, &mut |_| {})
    }

    /// [`Classifier::from_bytes`], calling `mark` after each step of a load ("polarity:file":
    /// decoded, checked and its vocabulary indexed; "polarity:engine": tract's plan built), for
    /// profiling a cold start.
    pub fn from_bytes_marked(bytes: &[u8], mark: &mut dyn FnMut(&str)) -> Result<Self, Error> {
        // What a file is not (a web page, a zip, too large, too many fields) is said before memory
        // is reserved for it: a 60 MB page named as a model grew the module to 986 MB for good.
        crate::wire::check(bytes)?;
        limits::check_memory(Self::memory_to_load(bytes.len()), "load this model")?;
        Self::load(bytes, onnx::import(bytes)?, mark)
    }

    /// The most memory loading a file of `bytes` holds at once: an int4 table's byte is two
    /// values, kept as `f32` once (the engine shares the model's), 8 bytes; the decoded file, the
    /// vocabulary's index, tract's plan and the rest fit in 2 more a byte and 1 MB. Measured
    /// (tests/memory.rs): 6.9 bytes per byte of the shipped file, 4.8 of a polarity-1 (int8) one
    /// (10.8 and 7.2 when the engine held a copy of the table); files made to be wide (64 and
    /// 256 values a row) or to be mostly words (a million of 1-5 letters) held 9.0 and 5.1. In
    /// wasm the module keeps what this reserves: at 16 bytes a byte, the first `new Classifier()`
    /// grew it to 11.8 MB.
    pub fn memory_to_load(bytes: usize) -> usize {
        bytes.saturating_mul(10).saturating_add(1 << 20)
    }

    /// The model bundled in this build ([`crate::BUNDLED_MODEL`]).
    pub fn bundled() -> Result<Self, Error> {
        Self::bundled_marked(&mut |_| {})
    }

    /// [`Classifier::bundled`] with the marks of [`Classifier::from_bytes_marked`].
    ///
    /// Classifiers of the bundled model share its weights and plan while any of them lives: a page
    /// that made a `new Classifier()` per call and never freed them filled the module's 4 GB with
    /// 753 copies of one model, and the next allocation trapped. A second one also starts without
    /// building anything (both marks at once).
    pub fn bundled_marked(mark: &mut dyn FnMut(&str)) -> Result<Self, Error> {
        static BUNDLED: Mutex<Weak<Loaded>> = Mutex::new(Weak::new());
        // Poisoned only by a panic while it was held, which leaves a `Weak` as valid as before.
        let mut bundled = BUNDLED.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(loaded) = bundled.upgrade() {
            mark("polarity:file");
            mark("polarity:engine");
            return Ok(Classifier { loaded });
        }
        let bytes = crate::BUNDLED_MODEL;
        limits::check_memory(Self::memory_to_load(bytes.len()), "load the bundled model")?;
        let classifier = Self::load(bytes, onnx::import_bundled(bytes)?, mark)?;
        *bundled = Arc::downgrade(&classifier.loaded);
        Ok(classifier)
    }

    fn load(
        bytes: &[u8],
        (model, proto): (Model, ModelProto),
        mark: &mut dyn FnMut(&str),
    ) -> Result<Self, Error> {
        mark("polarity:file");
        // The graph is rebuilt from the weights and metadata rather than taken from the file:
        // a crafted or damaged graph can then neither crash the engine nor disagree with the
        // plain-Rust model that explanations and training use.
        let engine = Engine::new(&model)?;
        mark("polarity:engine");
        Ok(Classifier {
            loaded: Arc::new(Loaded {
                model,
                engine,
                model_bytes: bytes.len(),
                checksummed: onnx::has_checksum(&proto),
            }),
        })
    }

    /// Wraps a model (its table goes through its format, as it would ship).
    pub fn from_model(model: &Model) -> Result<Self, Error> {
        Self::from_bytes(&onnx::export(model))
    }

    /// The model as one self-contained ONNX file.
    pub fn to_bytes(&self) -> Vec<u8> {
        onnx::export(&self.loaded.model)
    }

    pub fn model(&self) -> &Model {
        &self.loaded.model
    }

    /// Size of the ONNX file this classifier was loaded from.
    pub fn model_bytes(&self) -> usize {
        self.loaded.model_bytes
    }

    pub fn labels(&self) -> &[String] {
        &self.loaded.model.labels
    }

    pub fn info(&self) -> ModelInfo {
        ModelInfo {
            vocabulary_size: self.loaded.model.vocab.word_count(),
            dimensions: self.loaded.model.dim,
            quantization: self.loaded.model.format().name(),
            model_bytes: self.loaded.model_bytes,
            checksum: if self.loaded.checksummed {
                "verified"
            } else {
                "none"
            },
            labels: self.loaded.model.labels.clone(),
            trained_on: self.loaded.model.trained_on,
        }
    }

    /// Label and score of a text of any length up to [`limits::MAX_TEXT_BYTES`].
    pub fn classify(&self, text: &str) -> Result<Prediction, Error> {
        limits::check_text_size(text)?;
        Self::check_memory_to_read(&[text])?;
        Ok(self
            .score_ids(&[self.loaded.model.vocab.encode(text)])?
            .remove(0))
    }

    pub fn classify_batch<S: AsRef<str>>(&self, texts: &[S]) -> Result<Vec<Prediction>, Error> {
        for text in texts {
            limits::check_text_size(text.as_ref())?;
        }
        let large = Self::check_memory_to_read(texts)?;
        let mut batch = Vec::with_capacity(texts.len());
        for text in texts {
            let mut ids = self.loaded.model.vocab.encode(text.as_ref());
            // Held until the whole batch is scored: a large one without the room the encoder
            // left for more.
            if large {
                ids.shrink_to_fit();
            }
            batch.push(ids);
        }
        self.score_ids(&batch)
    }

    /// The most memory reading `texts` holds: one text encoded at a time
    /// ([`crate::vocab::memory_to_encode`], the largest), beside the ids of the others until
    /// they are all scored, 8 bytes per byte of text (5.5 measured, tests/memory.rs).
    pub fn memory_to_read<S: AsRef<str>>(texts: &[S]) -> usize {
        let total: usize = texts.iter().map(|t| t.as_ref().len()).sum();
        let (encoding, longest) = texts
            .iter()
            .map(|t| (crate::vocab::memory_to_encode(t.as_ref()), t.as_ref().len()))
            .max()
            .unwrap_or((0, 0));
        encoding
            .saturating_add(total.saturating_sub(longest).saturating_mul(8))
            .saturating_add(1 << 20)
    }

    /// Reserves [`Classifier::memory_to_read`] when the texts are 256 KB or more (and says so):
    /// under that, a reservation would cost every short text a large allocation, for little.
    fn check_memory_to_read<S: AsRef<str>>(texts: &[S]) -> Result<bool, Error> {
        let total: usize = texts.iter().map(|t| t.as_ref().len()).sum();
        if total < 1 << 18 {
            return Ok(false);
        }
        limits::check_memory(Self::memory_to_read(texts), "read texts this long")?;
        Ok(true)
    }

    /// Scores texts already encoded with this model's vocabulary.
    ///
    /// A text longer than one run of the engine is summed in plain Rust instead ([`Model`], which
    /// the tests hold equal to the engine): tract would gather all of its rows at once, a few
    /// hundred megabytes for a book.
    /// An id outside the model's table is an error, not a panic in the engine: ids made by
    /// another model's vocabulary are the likely mistake.
    pub fn score_ids(&self, batch: &[Vec<u32>]) -> Result<Vec<Prediction>, Error> {
        self.loaded.model.check_ids(batch.iter().flatten())?;
        let (long, short): (Vec<usize>, Vec<usize>) =
            (0..batch.len()).partition(|&i| batch[i].len() > IDS_PER_RUN);
        let k = self.loaded.engine.outputs();
        let mut outputs = vec![0f32; batch.len() * k];
        if !short.is_empty() {
            let ids: Vec<&[u32]> = short.iter().map(|&i| batch[i].as_slice()).collect();
            let values = self.loaded.engine.score_batch(&ids)?;
            for (&i, output) in short.iter().zip(values.chunks_exact(k)) {
                outputs[i * k..][..k].copy_from_slice(output);
            }
        }
        for i in long {
            outputs[i * k..][..k].copy_from_slice(&self.loaded.model.forward(&batch[i]).output);
        }
        Ok(outputs
            .chunks_exact(k)
            .map(|output| self.prediction(output))
            .collect())
    }

    /// The prediction and each token's leave-one-out weight.
    pub fn explain(&self, text: &str) -> Result<Explanation, Error> {
        limits::check_text_size(text)?;
        let count = count_tokens(text);
        if count > limits::MAX_EXPLAIN_TOKENS {
            return Err(Error::TooLarge(format!(
                "explain weighs at most {} words and marks; this text has {count} (classify reads \
                 it whole)",
                limits::MAX_EXPLAIN_TOKENS
            )));
        }
        let prediction = self.classify(text)?;
        let (tokens, _, weights) = self.loaded.model.explain_text(text);
        let v1 = self.loaded.model.vocab.scheme() == Scheme::V1;
        let tokens = tokens
            .into_iter()
            .zip(weights)
            .map(|(t, pull)| WeightedToken {
                // Polarity-2 may read a token as another word (a URL, a typo's word): show
                // what was typed, lowercased, as polarity-1 tokens always did.
                text: if v1 {
                    t.text
                } else {
                    text[t.start..t.end].to_lowercase().replace('\u{2019}', "'")
                },
                start: t.start,
                end: t.end,
                weight: pull.probability,
                log_odds: pull.log_odds,
            })
            .collect();
        Ok(Explanation { prediction, tokens })
    }

    /// Fine-tunes on labelled texts (labels as names or 1 / 0, options checked by
    /// [`crate::finetune`]). The classifier changes only when this succeeds.
    pub fn fine_tune_examples(
        &mut self,
        examples: &[Labelled],
        options: &FineTuneOptions,
        progress: &mut dyn FnMut(&Progress) -> Flow,
    ) -> Result<FineTuneReport, Error> {
        limits::check_memory(
            self.memory_to_fine_tune(examples),
            "fine-tune on these examples",
        )?;
        let resolved = resolve_examples(self.labels(), examples)?;
        let mut examples = resolved.examples;
        // The defaults follow the texts' length; a thousand of them, spread over the whole list,
        // tell it well enough (the first thousand of a file sorted by label were one label's).
        let step = examples.len().div_ceil(1000).max(1);
        let sample: Vec<usize> = examples
            .iter()
            .step_by(step)
            .map(|(text, _)| self.loaded.model.vocab.encode(text).len())
            .collect();
        let mean_ids = sample.iter().sum::<usize>() as f64 / sample.len().max(1) as f64;
        let balance = options.balance_labels.unwrap_or(true);
        let (options, split, mut warnings) = options.resolve(examples.len(), mean_ids)?;
        warnings.extend(resolved.warnings);
        warnings.extend(contradictions(&examples));
        Rng::new(options.seed ^ 0x5eed).shuffle(&mut examples);
        let n_valid = (examples.len() as f64 * split).round() as usize;
        let cut = if n_valid == 0 {
            0
        } else {
            // A text given twice (a file imported twice) is held out or trained on, never both:
            // held out and trained on, it measured nothing (99-100% held out against 87-94% on
            // texts never seen, SMS spam).
            let (runs, repeats) = group_alike_texts(&mut examples);
            if repeats > 0 {
                warnings.push(format!(
                    "{repeats} example{} repeat{} the text of another: each text was held out or \
                     trained on, never both",
                    if repeats == 1 { "" } else { "s" },
                    if repeats == 1 { "s" } else { "" }
                ));
            }
            hold_out_by_label(&mut examples, &runs, split, self.labels().len())
        };
        // Asked to hold some out, and none were: said, as a report without validation looks
        // like one that was never asked for.
        if split > 0.0 && cut == 0 {
            warnings.push(format!(
                "validationSplit {split} of {} examples holds none out: nothing was measured on \
                 held-out examples",
                examples.len()
            ));
        }
        // A handful held out measures little: of 20 SMS messages, the four held out read 50%
        // where a thousand others read 92%.
        if (1..defaults::MIN_HELD_OUT).contains(&cut) {
            warnings.push(format!(
                "only {cut} example{} held out: each moves the held-out accuracy by {} points, \
                 so it is a rough guide",
                if cut == 1 { " was" } else { "s were" },
                100 / cut
            ));
        }
        let train_part = examples.split_off(cut);
        // A handful of held-out examples is too noisy to choose an epoch by: it only measures.
        let stop_on = if examples.len() >= defaults::VALIDATION_TO_STOP_ON {
            &examples[..]
        } else {
            &[]
        };
        // Each label weighs as much as the others in the loss, however few its examples.
        let mut options = options;
        if balance {
            options.class_weights = balanced_weights(&train_part, self.labels().len());
        }
        let report = self.train_on(&train_part, stop_on, &options, progress)?;
        // A model that gives every example it learned from one label learned none of the others:
        // said, as learningRate 1 on 40 SMS messages ended calling each one spam without a word.
        let trained = self.confusion(&train_part);
        let given: Vec<usize> = (0..trained.len())
            .filter(|&c| trained.iter().any(|row| row[c] > 0))
            .collect();
        let labelled = trained
            .iter()
            .filter(|row| row.iter().any(|&n| n > 0))
            .count();
        if let ([only], true) = (given.as_slice(), labelled > 1) {
            warnings.push(format!(
                "the trained model gives every example it learned from the label {:?}: it learned \
                 nothing of the others (a smaller learningRate, or more examples, may help)",
                self.labels()[*only]
            ));
        }

        let confusion = (!examples.is_empty()).then(|| self.confusion(&examples));
        let validation_accuracy = confusion.as_ref().map(|m| {
            let right: u32 = (0..m.len()).map(|i| m[i][i]).sum();
            right as f32 / examples.len() as f32
        });
        Ok(FineTuneReport {
            epochs: report.epochs,
            runs: options.runs,
            loss: report.loss,
            accuracy: report.accuracy,
            validation_accuracy,
            confusion,
            warnings,
        })
    }

    /// The most memory fine-tuning on `examples` holds at once: copies of the model (the one
    /// trained, the best kept for early stopping, the mean of `runs`, the one rounded to its
    /// file's format) and Adam's two moments, 8 tables' worth at most (the new plan shares its
    /// model's table, and a copy made for training is made when first written); the texts, their
    /// ids and the rows they read, 8 bytes per byte of text (4 to 5 measured for texts of
    /// one-letter words, which make the most ids per byte); 1 KB per example. Measured
    /// (tests/memory.rs) on the shipped model with 3 new labels: 10.3 MB for 200 short examples,
    /// 50 MB for 20,000 of about 1,000 characters, 177 MB for 20,000 of 2,000 characters of
    /// "1 2 1 2 ..." trained 3 times (`runs`).
    pub fn memory_to_fine_tune(&self, examples: &[Labelled]) -> usize {
        let table = self.loaded.model.embedding.len().saturating_mul(4);
        let text: usize = examples.iter().map(|e| e.text.len()).sum();
        table
            .saturating_mul(8)
            .saturating_add(text.saturating_mul(8))
            .saturating_add(examples.len().saturating_mul(1 << 10))
            .saturating_add(1 << 20)
    }

    /// Rows: true label; columns: predicted label (the model as it now is).
    fn confusion(&self, examples: &[(String, usize)]) -> Vec<Vec<u32>> {
        let n = self.labels().len();
        let mut matrix = vec![vec![0u32; n]; n];
        for (text, label) in examples {
            let output = self
                .loaded
                .model
                .forward(&self.loaded.model.vocab.encode(text))
                .output;
            matrix[*label][predicted(&output)] += 1;
        }
        matrix
    }

    /// A new classifier with this one's embedding, a fresh untrained head and its own labels.
    /// Under polarity-2 every unknown number gets one row
    /// ([`crate::vocab::Vocabulary::with_numbers`]): a new task (spam, say) may hang on phone
    /// numbers and prices that the texts it learns from never repeat. SMS spam, spam F1 on
    /// validation and the unused pool (`polarity fewshot --task sms --with-unused`, 10 seeds):
    /// 50.4% -> 59.3% from 20 messages, 71.7% -> 76.1% from 100 (int4 table; with the int8 one
    /// 50.6% -> 59.9% and 74.4% -> 74.8%); 4-class ratings unchanged.
    ///
    /// And it reads no scopes ([`crate::vocab::Vocabulary::without_scopes`]): their fixed weights
    /// read sentiment (a negated word turned round), which new labels need not follow. With the
    /// scopes of the shipped model, a spam message's "don't miss" or "call now" turned its words
    /// round; same measure, 10 seeds: 52.3% -> 61.7% from 20 messages, 72.7% -> 83.5% from 100;
    /// 4-class ratings 49.2% -> 49.2%; short sentiment sentences (`--task sentences`), accuracy
    /// 78.7% -> 76.3% from 100: sentiment is what the shipped model itself is for.
    ///
    /// With `scopes`, it keeps this model's scopes (and their weights), for labels that follow
    /// sentiment (happy / unhappy, recommend / avoid): short sentiment sentences, same measure,
    /// 74.6% -> 75.9% from 20 and 76.3% -> 78.7% from 100 (`polarity fewshot --task sentences
    /// --n 20,100 --seeds 10`, without and with `--scopes`).
    pub fn from_pretrained(
        &self,
        labels: Vec<String>,
        seed: u64,
        scopes: bool,
    ) -> Result<Classifier, Error> {
        check_new_labels(&labels)?;
        // A copy of this model (its table shared until written), and then its file loaded.
        let copy = Self::memory_to_load(self.loaded.model_bytes);
        limits::check_memory(
            copy.saturating_add(Self::memory_to_load(self.loaded.model_bytes)),
            "make a new classifier",
        )?;
        let mut model: Model = self.loaded.model.clone();
        model.reset_head(labels, seed);
        model.vocab = model.vocab.with_numbers();
        if !scopes {
            model.vocab = model.vocab.without_scopes();
            // What a file without weighted scopes reads back.
            model.scope_weights = [0.0; crate::vocab::SCOPES];
        }
        Classifier::from_model(&model)
    }

    /// Trains on resolved texts (label indexes); the classifier changes only on success.
    fn train_on(
        &mut self,
        train: &[(String, usize)],
        validation: &[(String, usize)],
        options: &Options,
        progress: &mut dyn FnMut(&Progress) -> Flow,
    ) -> Result<train::Report, Error> {
        let encode = |set: &[(String, usize)]| -> Vec<Example> {
            set.iter()
                .map(|(text, label)| {
                    let mut ids = self.loaded.model.vocab.encode(text);
                    // Kept for the whole training: without the room the encoder left for more.
                    ids.shrink_to_fit();
                    Example {
                        ids,
                        label: *label,
                        target: None,
                    }
                })
                .collect()
        };
        let (train_set, validation_set) = (encode(train), encode(validation));
        let mut model = self.loaded.model.clone();
        let report = train::train(&mut model, &train_set, &validation_set, options, progress)?;
        // Ship-exact: what is kept is what the file computes, in the model's format, that of the
        // file it came from (int4 for the shipped model and the classifiers made from it). Saving
        // fine-tuned int4 models as int8 instead gained nothing (SMS spam F1 at N = 100,
        // validation, 10 seeds: 71.1% against 71.2%), so a model keeps its format.
        let mut model = fit_head_to_rounding(&model, &train_set, options)?;

        // Its head has now learned from these texts too (what the next training weighs).
        model.trained_on =
            (model.trained_on.saturating_add(train_set.len() as u64)).min(limits::MAX_TRAINED_ON);
        // Weighed as training weighed it, as progress showed it ("Done: loss" read on another
        // scale once labels were weighed alike).
        let (loss, accuracy) = train::weighted_evaluate(&model, &train_set, &options.class_weights);
        let report = train::Report {
            loss,
            accuracy,
            ..report
        };
        // Quantizing it again (for its size) is quick, no row needing a search, and changes nothing.
        let model_bytes = prost::Message::encoded_len(&onnx::to_proto(&model));
        *self = Classifier {
            loaded: Arc::new(Loaded {
                engine: Engine::new(&model)?,
                model,
                model_bytes,
                // What `to_bytes` now writes carries one.
                checksummed: true,
            }),
        };
        Ok(report)
    }

    /// The prediction for one text's head outputs.
    fn prediction(&self, output: &[f32]) -> Prediction {
        let labels = &self.loaded.model.labels;
        let label = labels[predicted(output)].clone();
        if output.len() == 1 {
            return Prediction {
                label,
                score: output[0],
                scores: None,
            };
        }
        let mut scores: Vec<LabelScore> = labels
            .iter()
            .zip(probabilities(output))
            .map(|(label, score)| LabelScore {
                label: label.clone(),
                score,
            })
            .collect();
        // Stable: equal probabilities keep the model's label order, as `predicted` does.
        scores.sort_by(|a, b| b.score.total_cmp(&a.score));
        Prediction {
            label,
            score: scores[0].score,
            scores: Some(scores),
        }
    }
}

/// The epochs of the head's pass on the rounded table ([`fit_head_to_rounding`]).
const ROUNDING_EPOCHS: usize = 3;

/// `trained` as its file computes it: its table rounded to its format. A text that the trained
/// weights only just got right can go the other way once rounded (two of 200 flipped IMDB
/// reviews did, with int4 rows). When the rounded model gets fewer training texts right, its head
/// alone is trained on for [`ROUNDING_EPOCHS`] on the rounded table, which stays as the file holds
/// it, at a tenth of the rate; that head is kept if it gets more of them right.
fn fit_head_to_rounding(
    trained: &Model,
    train: &[Example],
    options: &Options,
) -> Result<Model, Error> {
    let rounded = trained.round_trip_quantization();
    let right = |model: &Model| train::evaluate(model, train).1;
    let before = right(&rounded);
    if before >= right(trained) {
        return Ok(rounded);
    }
    let head_only = Options {
        epochs: ROUNDING_EPOCHS,
        learning_rate: options.learning_rate / 10.0,
        train_embedding: false,
        token_dropout: 0.0,
        patience: 0,
        runs: 1,
        ..options.clone()
    };
    // At the rate it always had: told what the model knew before, the prior would weigh these
    // texts against the model just trained on them (which agrees with them all) and slow it.
    let mut fitted = Model {
        trained_on: 0,
        ..rounded.clone()
    };
    train::train(&mut fitted, train, &[], &head_only, &mut no_progress)?;
    fitted.trained_on = rounded.trained_on;
    Ok(if right(&fitted) > before {
        fitted
    } else {
        rounded
    })
}

/// Puts the examples to hold out first, and says how many: of each label its share of `split` of
/// all examples (rounded as a whole, the remainders given to the largest fractions), whole
/// `runs` of one text at a time ([`group_alike_texts`] made them), in the shuffled order, never
/// more of a label than leaves one of it to train on, and never all of them. A share of all
/// examples, label blind, held out 0 to 3 spam messages of 4 from 20 SMS, and often none of a
/// label with few examples; a quota that was a label's whole count, or a run past it, held out
/// every spam message of 1 (or of 2 alike) and trained on ham alone.
fn hold_out_by_label(
    examples: &mut Vec<(String, usize)>,
    runs: &[(usize, usize)],
    split: f64,
    labels: usize,
) -> usize {
    let mut counts = vec![0usize; labels];
    for (_, label) in examples.iter() {
        counts[*label] += 1;
    }
    let exact: Vec<f64> = counts.iter().map(|&c| c as f64 * split).collect();
    let mut quota: Vec<usize> = exact.iter().map(|e| e.floor() as usize).collect();
    let total = (examples.len() as f64 * split).round() as usize;
    // The remainders, one by one, to the largest fractions still without one (the first label on
    // a tie): at most 32 labels, so no sort.
    let mut fraction: Vec<f64> = exact.iter().map(|e| e - e.floor()).collect();
    for _ in quota.iter().sum::<usize>()..total {
        let Some(l) = (0..labels).reduce(|a, b| if fraction[b] > fraction[a] { b } else { a })
        else {
            break;
        };
        quota[l] += 1;
        fraction[l] = -1.0;
    }
    for (quota, &count) in quota.iter_mut().zip(&counts) {
        *quota = (*quota).min(count.saturating_sub(1));
    }
    // A run is held out whole, when each of its labels stays within its quota (a text given
    // once as spam and once as ham is a run of two labels).
    let mut held = vec![0usize; labels];
    let mut in_run = vec![0usize; labels];
    let mut out: Vec<bool> = runs
        .iter()
        .map(|&(from, to)| {
            in_run.iter_mut().for_each(|n| *n = 0);
            for (_, label) in &examples[from..to] {
                in_run[*label] += 1;
            }
            let take = (0..labels).all(|l| held[l] + in_run[l] <= quota[l]);
            if take {
                (0..labels).for_each(|l| held[l] += in_run[l]);
            }
            take
        })
        .collect();
    // Something must be left to train on.
    if out.iter().all(|&o| o) {
        if let Some(last) = out.last_mut() {
            *last = false;
        }
    }
    let mut taken: Vec<Option<(String, usize)>> = examples.drain(..).map(Some).collect();
    let mut ordered = Vec::with_capacity(taken.len());
    for keep in [true, false] {
        for (&(from, to), &o) in runs.iter().zip(&out) {
            if o == keep {
                ordered.extend((from..to).filter_map(|i| taken[i].take()));
            }
        }
    }
    let cut = runs
        .iter()
        .zip(&out)
        .filter(|(_, &o)| o)
        .map(|(&(from, to), _)| to - from)
        .sum();
    *examples = ordered;
    cut
}

/// A warning when some text is given with two labels or more (alike but for case and spacing,
/// as [`group_alike_texts`] reads them): the model cannot agree with every one of its examples,
/// and nothing said so (a review found "hi mom" labelled both ways, and no warning).
fn contradictions(examples: &[(String, usize)]) -> Option<String> {
    use std::hash::{Hash, Hasher};
    // Hashes, not copies of the texts: a warning may miss a pair in 2^64, and memory stays small.
    let alike = |text: &str| {
        let mut h = std::hash::DefaultHasher::new();
        for word in text.split_whitespace() {
            word.chars()
                .flat_map(char::to_lowercase)
                .for_each(|c| c.hash(&mut h));
            ' '.hash(&mut h);
        }
        h.finish()
    };
    let mut labels: std::collections::HashMap<u64, (usize, bool)> =
        std::collections::HashMap::new();
    let mut first = None;
    for (text, label) in examples {
        let entry = labels.entry(alike(text)).or_insert((*label, false));
        if entry.0 != *label && !entry.1 {
            entry.1 = true;
            first.get_or_insert(text);
        }
    }
    let count = labels.values().filter(|(_, both)| *both).count();
    first.map(|text| {
        let shown: String = text.chars().take(40).collect();
        format!(
            "{count} text{} given with two labels or more (the first: {shown:?}): the model \
             cannot agree with every one of those examples",
            if count == 1 { " is" } else { "s are" }
        )
    })
}

/// Puts the examples of one text next to each other, where its first one is (the order otherwise
/// kept: with no text repeated, nothing moves), texts being alike but for case and spacing, which
/// the model does not read ("WINNER! Call now" and "winner!  call now " held out one and trained
/// on the other, and measured the model on what it had learned). Gives the runs (start, end) of
/// each text, and how many examples repeat an earlier one.
fn group_alike_texts(examples: &mut Vec<(String, usize)>) -> (Vec<(usize, usize)>, usize) {
    let alike = |text: &str| {
        text.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase()
    };
    let mut first: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    let groups: Vec<usize> = examples
        .iter()
        .enumerate()
        .map(|(i, (text, _))| *first.entry(alike(text)).or_insert(i))
        .collect();
    let repeats = examples.len() - first.len();
    let mut order: Vec<usize> = (0..examples.len()).collect();
    if repeats > 0 {
        order.sort_by_key(|&i| groups[i]); // stable: a text's examples keep their order
        let mut taken: Vec<Option<(String, usize)>> = examples.drain(..).map(Some).collect();
        examples.extend(order.iter().filter_map(|&i| taken[i].take()));
    }
    let mut runs = Vec::new();
    let mut start = 0;
    for i in 1..=order.len() {
        if i == order.len() || groups[order[i]] != groups[order[start]] {
            runs.push((start, i));
            start = i;
        }
    }
    (runs, repeats)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::tests::tiny_model;

    /// Random texts of `model`'s ids, each labelled as `reader` reads it.
    fn texts_read_by(model: &Model, reader: &Model) -> Vec<Example> {
        let mut rng = Rng::new(9);
        let rows = model.vocab.rows();
        (0..1000)
            .map(|_| {
                let ids: Vec<u32> = (0..1 + rng.below(6))
                    .map(|_| 1 + rng.below(rows - 1) as u32)
                    .collect();
                let label = predicted(&reader.forward(&ids).output);
                Example {
                    ids,
                    label,
                    target: None,
                }
            })
            .collect()
    }

    #[test]
    fn the_head_is_fitted_to_the_rounded_table_when_rounding_costs_texts() {
        let options = Options::default();
        // Teachers whose labels cost the trained model some texts once its table is rounded.
        for teacher in [1, 4, 6] {
            // Trained on texts labelled by another model, as fine-tuning trains.
            let mut trained = tiny_model(5).with_format(crate::quantize::Format::Int4);
            let examples = texts_read_by(&trained, &tiny_model(teacher));
            train::train(&mut trained, &examples, &[], &options, &mut no_progress).unwrap();
            let rounded = trained.round_trip_quantization();
            let right = |model: &Model| train::evaluate(model, &examples).1;
            assert!(right(&rounded) < right(&trained), "teacher {teacher}");
            let fitted = fit_head_to_rounding(&trained, &examples, &options).unwrap();
            assert_eq!(
                fitted.embedding, rounded.embedding,
                "the table is the file's"
            );
            assert!(
                right(&fitted) > right(&rounded),
                "teacher {teacher}: {} right after the fit, {} before",
                right(&fitted),
                right(&rounded)
            );
            // Labelled as the rounded model reads them: nothing to fit, kept as it is.
            let examples = texts_read_by(&trained, &rounded);
            let kept = fit_head_to_rounding(&trained, &examples, &options).unwrap();
            assert_eq!(kept, rounded);
        }
    }

    #[test]
    fn a_fine_tune_that_would_save_an_unloadable_file_fails_and_changes_nothing() {
        // Weights at the file's limit load; training pushed b2 past it, and the saved file was
        // refused ("initializer b2 holds a value over 1e6 in size").
        let fixture = include_bytes!("../tests/fixtures/polarity-2-int8.onnx");
        let mut model = Classifier::from_bytes(fixture).unwrap().model().clone();
        model.b1.fill(limits::MAX_WEIGHT);
        model.w2.fill(1e-7);
        model.b2.fill(-limits::MAX_WEIGHT);
        let mut clf = Classifier::from_model(&model).unwrap();
        let before = clf.to_bytes();
        assert!(Classifier::from_bytes(&before).is_ok());
        let examples: Vec<Labelled> = (0..8)
            .map(|i| Labelled {
                text: format!("text number {i} good bad film"),
                label: crate::finetune::Label::Name(clf.labels()[usize::from(i != 7)].clone()),
            })
            .collect();
        let options = FineTuneOptions {
            epochs: Some(20.0),
            learning_rate: Some(1.0),
            batch_size: Some(1.0),
            // Seven of one label to one: unweighed, they push b2 on past the limit.
            balance_labels: Some(false),
            ..FineTuneOptions::default()
        };
        let err = clf
            .fine_tune_examples(&examples, &options, &mut no_progress)
            .unwrap_err();
        assert!(matches!(err, Error::Diverged), "{err}");
        assert_eq!(clf.to_bytes(), before, "the classifier is as it was");
    }

    #[test]
    fn a_rare_label_is_learned_when_labels_weigh_alike() {
        // One spam message among eighteen: as labelled, its words barely move the head.
        let start = Classifier::from_bytes(crate::BUNDLED_MODEL).unwrap();
        let labels = vec!["spam".to_string(), "ham".to_string()];
        let spam = ["Congratulations, you won a cash prize: reply CLAIM to collect it"];
        let ham = [
            "see you at lunch tomorrow",
            "can you pick up milk on the way home",
            "running late, sorry",
            "what time is the game",
            "thanks for dinner last night",
            "call me when you land",
            "are we still on for friday",
            "the meeting moved to three",
            "happy birthday mate",
            "i left my keys at yours",
            "good luck with the exam",
            "the train is delayed again",
            "did you feed the cat",
            "lets watch a film tonight",
            "send me the photos please",
            "how was the trip",
            "ok see you soon",
            "dont forget mum's call",
        ];
        let examples: Vec<Labelled> = spam
            .iter()
            .map(|t| (t, 0))
            .chain(ham.iter().map(|t| (t, 1)))
            .map(|(t, l)| Labelled {
                text: t.to_string(),
                label: crate::finetune::Label::Name(labels[l].clone()),
            })
            .collect();
        let unseen = [
            "You won! Reply CLAIM for your prize",
            "A cash prize is yours to collect",
        ];
        let spam_score = |balance: bool| {
            let mut clf = start.from_pretrained(labels.clone(), 1, false).unwrap();
            let options = FineTuneOptions {
                balance_labels: Some(balance),
                ..FineTuneOptions::default()
            };
            clf.fine_tune_examples(&examples, &options, &mut no_progress)
                .unwrap();
            unseen
                .iter()
                .map(|t| clf.classify(t).unwrap().score)
                .sum::<f32>()
                / 2.0
        };
        let (weighed, as_labelled) = (spam_score(true), spam_score(false));
        assert!(weighed > 0.5, "weighed alike: spam {weighed}");
        assert!(as_labelled < 0.5, "as labelled: spam {as_labelled}");
    }

    #[test]
    fn the_reports_loss_is_weighed_as_training_weighed_it() {
        // "Done: loss" is read beside the losses progress showed, which are weighed: eight
        // positive texts and two negative ones weigh 10 / (2 x 8) and 10 / (2 x 2) each.
        let mut clf = Classifier::from_bytes(crate::BUNDLED_MODEL).unwrap();
        let texts = [
            ("great fun", 0),
            ("loved it", 0),
            ("superb", 0),
            ("wonderful", 0),
            ("brilliant acting", 0),
            ("a joy", 0),
            ("moving", 0),
            ("charming", 0),
            ("awful", 1),
            ("dull", 1),
        ];
        let labels = clf.labels().to_vec();
        let examples: Vec<Labelled> = texts
            .iter()
            .map(|&(text, l)| Labelled {
                text: text.to_string(),
                label: crate::finetune::Label::Name(labels[l].clone()),
            })
            .collect();
        let report = clf
            .fine_tune_examples(&examples, &FineTuneOptions::default(), &mut no_progress)
            .unwrap();
        let set: Vec<train::Example> = texts
            .iter()
            .map(|&(text, label)| train::Example {
                ids: clf.model().vocab().encode(text),
                label,
                target: None,
            })
            .collect();
        let weighed = train::weighted_evaluate(clf.model(), &set, &[0.625, 2.5]);
        let plain = train::evaluate(clf.model(), &set);
        assert!(
            (report.loss - weighed.0).abs() < 1e-6,
            "{} vs {weighed:?}",
            report.loss
        );
        assert!(
            (report.loss - plain.0).abs() > 1e-4,
            "{} vs {plain:?}",
            report.loss
        );
        assert_eq!(report.accuracy, plain.1);
    }

    #[test]
    fn a_training_that_gives_every_example_one_label_says_so() {
        let start = Classifier::from_bytes(crate::BUNDLED_MODEL).unwrap();
        let labels = vec![
            "praise".to_string(),
            "complaint".to_string(),
            "question".to_string(),
        ];
        let examples: Vec<Labelled> = include_str!("../tests/fixtures/feedback.tsv")
            .lines()
            .filter_map(|l| l.split_once('\t'))
            .map(|(label, text)| Labelled {
                text: text.to_string(),
                label: crate::finetune::Label::Name(label.to_string()),
            })
            .collect();
        let one_label = |rate: f64| {
            let mut clf = start.from_pretrained(labels.clone(), 1, false).unwrap();
            let options = FineTuneOptions {
                learning_rate: Some(rate),
                ..FineTuneOptions::default()
            };
            let report = clf
                .fine_tune_examples(&examples, &options, &mut no_progress)
                .unwrap();
            report
                .warnings
                .iter()
                .any(|w| w.contains("gives every example it learned from"))
        };
        assert!(one_label(1.0), "learningRate 1");
        assert!(!one_label(0.0075), "the default rate");
    }

    #[test]
    fn classify_batch_and_explain_agree() {
        let clf = Classifier::from_model(&tiny_model(31)).unwrap();
        let texts = ["good film!", "awful", "", "   "];
        let batch = clf.classify_batch(&texts).unwrap();
        for (text, p) in texts.iter().zip(&batch) {
            let one = clf.classify(text).unwrap();
            assert!((one.score - p.score).abs() < 1e-6);
            assert_eq!(one.label, p.label);
            let e = clf.explain(text).unwrap();
            assert!((e.prediction.score - p.score).abs() < 1e-6);
        }
        let e = clf.explain("good film!").unwrap();
        let spans: Vec<_> = e.tokens.iter().map(|t| (t.start, t.end)).collect();
        assert_eq!(spans, [(0, 4), (5, 9), (9, 10)]);
    }

    #[test]
    fn large_batches_are_split_and_keep_their_order() {
        let clf = Classifier::from_model(&tiny_model(34)).unwrap();
        // Lengths from 0 to ~1,200 tokens, shuffled: 180,000 tokens in all.
        let texts: Vec<String> = (0..300)
            .map(|i| {
                let words = ["good", "awful", "film", "plot"];
                let n = (i * 37) % 301 * 4;
                (0..n)
                    .map(|k| words[(k + i) % 4])
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect();
        let total: usize = texts.iter().map(|t| t.split(' ').count()).sum();
        assert!(total > 150_000);
        let batch = clf.classify_batch(&texts).unwrap();
        assert_eq!(batch.len(), texts.len());
        for (text, p) in texts.iter().zip(&batch) {
            let alone = clf.classify(text).unwrap();
            assert!((alone.score - p.score).abs() < 1e-6);
        }
        assert!(clf.classify_batch::<&str>(&[]).unwrap().is_empty());
    }

    #[test]
    fn ids_outside_the_table_are_an_error_not_a_panic() {
        let clf = Classifier::from_model(&tiny_model(35)).unwrap();
        let rows = clf.model().vocab.rows() as u32;
        assert!(clf.score_ids(&[vec![0, rows - 1]]).is_ok());
        // Short (the engine) and longer than one run (plain Rust) alike.
        for ids in [vec![1, rows], vec![0; IDS_PER_RUN + 1], vec![u32::MAX]] {
            let mut ids = ids;
            ids.push(rows);
            let err = clf.score_ids(&[vec![0], ids]).unwrap_err();
            assert!(matches!(err, Error::InvalidInput(_)), "{err}");
            assert!(err.to_string().contains(&format!("{rows} rows")), "{err}");
        }
        // The plain-Rust model, with scope bands (the bundled one): the same rule, no panic (an id
        // past the bands indexed past the scope weights).
        let bundled = Classifier::bundled().unwrap();
        let model = bundled.model();
        assert!(model.score(&[u32::MAX]).is_err());
        assert!(model.probabilities(&[1, u32::MAX]).is_err());
        let last = model.vocab().id_space() as u32 - 1;
        assert!(model.score(&[last]).is_ok());
        assert!(model.score(&[last + 1]).is_err());
    }

    #[test]
    fn padding_ids_count_for_nothing() {
        // The engine divided by the square root of every id, padding too; the file's graph and the
        // plain-Rust model count only the others.
        let clf = Classifier::bundled().unwrap();
        let ids = clf.model().vocab().encode("A fine, moving film.");
        let mut padded = ids.clone();
        padded.extend([0; 7]);
        let [a, b] =
            [&ids, &padded].map(|ids| clf.score_ids(std::slice::from_ref(ids)).unwrap()[0].score);
        assert!((a - b).abs() < 1e-6, "{a} vs {b}");
        assert!((a - clf.model().score(&padded).unwrap()).abs() < 1e-5);
    }

    #[test]
    fn a_text_longer_than_one_run_is_read_whole() {
        let clf = Classifier::bundled().unwrap();
        // Its end turns the verdict: read up to one run's worth of ids only, it is positive.
        let text = format!(
            "{}{}",
            "wonderful ".repeat(20_000),
            "awful dreadful ".repeat(40_000)
        );
        let ids = clf.model().vocab().encode(&text);
        assert!(ids.len() > 2 * IDS_PER_RUN, "{}", ids.len());
        assert_eq!(clf.classify(&text).unwrap().label, "negative");
        let head = ids[..IDS_PER_RUN].to_vec();
        let first_run = clf.score_ids(std::slice::from_ref(&head)).unwrap();
        assert_eq!(first_run[0].label, "positive");
        // At the boundary the two paths agree: one run's ids go through the engine, one padding
        // id more (which counts for nothing) through the plain-Rust sum.
        let mut past = head.clone();
        past.push(crate::vocab::PAD);
        let [engine, plain] =
            [&head, &past].map(|ids| clf.score_ids(std::slice::from_ref(ids)).unwrap()[0].score);
        assert!((engine - plain).abs() < 1e-5, "{engine} vs {plain}");
    }

    #[test]
    fn bytes_round_trip_keeps_predictions() {
        let clf = Classifier::from_model(&tiny_model(32)).unwrap();
        let again = Classifier::from_bytes(&clf.to_bytes()).unwrap();
        assert_eq!(clf.to_bytes(), again.to_bytes());
        for text in ["good", "bad film", "the the the"] {
            assert_eq!(clf.classify(text).unwrap(), again.classify(text).unwrap());
        }
    }

    #[test]
    fn a_tampered_graph_is_refused_not_run() {
        // polarity computes from the weights; a file whose graph says otherwise is refused, as
        // another engine would run that graph (onnx::check_graph).
        let model = tiny_model(33);
        let mut proto = onnx::to_proto(&model);
        if let Some(graph) = proto.graph.as_mut() {
            graph.node.truncate(3);
            graph.output.clear();
        }
        let e = Classifier::from_bytes(&prost::Message::encode_to_vec(&proto)).unwrap_err();
        assert!(e.to_string().contains("is not what polarity writes"), "{e}");
    }

    #[test]
    fn a_text_given_two_labels_is_said() {
        use crate::finetune::{Label, Labelled};
        let example = |text: &str, positive| Labelled {
            text: text.into(),
            label: Label::Number(if positive { 1.0 } else { 0.0 }),
        };
        let mut clf = Classifier::from_model(&tiny_model(34)).unwrap();
        let options = FineTuneOptions {
            epochs: Some(1.0),
            ..FineTuneOptions::default()
        };
        let twice = [
            example("great fun", true),
            example("awful", false),
            example("Hi  MOM", true),
            example("hi mom", false),
            example("great fun", true),
        ];
        let report = clf
            .fine_tune_examples(&twice, &options, &mut crate::train::no_progress)
            .unwrap();
        assert!(
            report.warnings.iter().any(|w| w
                .starts_with("1 text is given with two labels or more (the first: \"hi mom\")")),
            "{:?}",
            report.warnings
        );
        // The same text with one label, given twice, is no contradiction.
        let agreed = [twice[0].clone(), twice[1].clone(), twice[4].clone()];
        let report = clf
            .fine_tune_examples(&agreed, &options, &mut crate::train::no_progress)
            .unwrap();
        assert!(report.warnings.is_empty(), "{:?}", report.warnings);
    }

    #[test]
    fn garbage_bytes_are_an_error() {
        let err = Classifier::from_bytes(b"\x08\x01garbage").unwrap_err();
        assert!(
            err.to_string().contains("not a valid polarity model"),
            "{err}"
        );
    }

    #[test]
    fn taught_a_few_texts_the_shipped_model_keeps_more_of_what_it_knew_than_a_fresh_head_would() {
        use crate::finetune::{parse_examples, Label, Labelled};
        let read = |path: &str| {
            let labels = ["positive".to_string(), "negative".to_string()];
            let content = std::fs::read_to_string(path).unwrap();
            parse_examples(&content, &labels).unwrap().rows
        };
        // 40 negated sentences, as someone teaching it would write them (the suite's dev twin).
        let teach: Vec<Labelled> = read("tests/fixtures/negation-dev.tsv")
            .into_iter()
            .step_by(10)
            .take(40)
            .map(|(text, label)| Labelled {
                text,
                label: Label::Name(label),
            })
            .collect();
        // Measured on what it was not taught: the handwritten reviews and the suite itself.
        let held_out: Vec<(String, String)> = [
            read("tests/fixtures/reviews.tsv"),
            read("tests/fixtures/negation.tsv"),
        ]
        .concat();
        let accuracy = |clf: &Classifier| {
            let texts: Vec<&str> = held_out.iter().map(|(t, _)| t.as_str()).collect();
            let predictions = clf.classify_batch(&texts).unwrap();
            let right = held_out
                .iter()
                .zip(&predictions)
                .filter(|((_, label), p)| p.label == *label)
                .count();
            right as f32 / held_out.len() as f32
        };
        let shipped = Classifier::bundled().unwrap();
        assert_eq!(shipped.model().trained_on, 22_600);
        let mut knowing = Classifier::bundled().unwrap();
        // The same model, had its file not said what it was trained on: taught as a fresh head.
        let mut unknown = shipped.model().clone();
        unknown.trained_on = 0;
        let mut forgetful = Classifier::from_model(&unknown).unwrap();
        let options = FineTuneOptions::default();
        for clf in [&mut knowing, &mut forgetful] {
            let report = clf
                .fine_tune_examples(&teach, &options, &mut no_progress)
                .unwrap();
            assert_eq!(report.accuracy, 1.0, "every taught text is learned");
        }
        let (before, kept, fresh) = (accuracy(&shipped), accuracy(&knowing), accuracy(&forgetful));
        assert!(
            kept > fresh + 0.04,
            "{before} -> {kept}, as a fresh head {fresh}"
        );
        // What it now knows counts what it was taught, and its file says so.
        assert_eq!(knowing.model().trained_on, 22_640);
        let again = Classifier::from_bytes(&knowing.to_bytes()).unwrap();
        assert_eq!(again.model().trained_on, 22_640);
    }
}
