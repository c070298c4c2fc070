//! How the shipped model is made (native only): vocabulary from a pre-trained table and IMDB
//! train, training with a validation split carved from IMDB train, and the model card. Every
//! setting of the shipped model is a field of [`Recipe`], whose default is that model.

use std::collections::HashMap;
use std::path::Path;
use std::time::Instant;

use crate::card::{self, Facts};
use crate::classifier::Classifier;
use crate::data::{read_embeddings, read_reviews, Embeddings, Review};
use crate::eval::evaluate;
use crate::model::Model;
use crate::rng::Rng;
use crate::text::tokenize;
use crate::train::{self, Example};
use crate::vocab::Vocabulary;
use crate::Error;

pub use crate::train::{Options, Progress, Report};

/// The choices that make a model, all recorded in the model card.
#[derive(Clone, Debug)]
pub struct Recipe {
    /// Columns of the pre-trained table kept (the leading, highest-variance PCA components).
    pub dim: usize,
    /// Pre-trained words kept only if seen this often in the training split (0 keeps all).
    pub min_count: usize,
    /// Words of the training split missing from the pre-trained table, added when this frequent.
    pub extend_min_count: usize,
    pub oov_buckets: u32,
    pub bigram_buckets: u32,
    /// After a first training phase keep only this many bigram rows (the largest), then train on.
    pub keep_bigrams: Option<usize>,
    /// Divide out the Zipf/SIF weighting the minilm tables were stored with.
    pub undo_sif: bool,
    /// Scale the table so that its mean row norm is this.
    pub row_norm: f32,
    pub validation_fraction: f32,
    /// Replace the pre-trained rows by random ones of the same scale (a baseline).
    pub random_init: bool,
    pub seed: u64,
    /// The pre-trained table: a folder under `embeddings/` in the data folder.
    pub embedding: String,
    /// How the model is trained on IMDB train (each phase, with early stopping on validation).
    pub training: Options,
}

impl Default for Recipe {
    fn default() -> Self {
        Recipe {
            dim: 12,
            min_count: 5,
            extend_min_count: 20,
            oov_buckets: 512,
            bigram_buckets: 1 << 20,
            keep_bigrams: Some(36_000),
            undo_sif: true,
            row_norm: 1.0,
            validation_fraction: 0.1,
            random_init: false,
            seed: 42,
            embedding: "minilm-words-64d".into(),
            training: Options {
                epochs: 30,
                learning_rate: 0.002,
                batch_size: 256,
                train_embedding: true,
                embedding_learning_rate_scale: 1.0,
                token_dropout: 0.2,
                weight_decay: 0.0,
                embedding_weight_decay: 0.0,
                patience: 2,
                seed: 42,
            },
        }
    }
}

/// The model before training, and the reviews it will be trained and validated on.
pub struct Prepared {
    pub model: Model,
    pub train: Vec<Review>,
    pub validation: Vec<Review>,
}

/// A trained model and what was measured while making it.
pub struct Trained {
    pub model: Model,
    pub report: Report,
    /// Validation reviews, and accuracy with float and with int8 weights.
    pub validation: (usize, f32, f32),
    pub seconds: f64,
}

impl Recipe {
    /// Reads the pre-trained table and IMDB train from `data`, splits off validation, and builds
    /// the vocabulary and the initial table.
    pub fn prepare(&self, data: &Path) -> Result<Prepared, Error> {
        let pretrained = read_embeddings(&data.join("embeddings").join(&self.embedding))?;
        let reviews = read_reviews(&data.join("imdb/train.tsv.gz"))?;
        let (train, validation) = split(reviews, self);
        let labels = ["positive".to_string(), "negative".to_string()];
        let model = initial_model(&pretrained, &train, self, labels)?;
        Ok(Prepared {
            model,
            train,
            validation,
        })
    }

    /// Trains the prepared model: a first phase, then, with [`Recipe::keep_bigrams`], a second
    /// one on the bigram rows the first made large. `progress` hears every batch of both.
    pub fn fit(
        &self,
        prepared: Prepared,
        progress: &mut dyn FnMut(&Progress),
    ) -> Result<Trained, Error> {
        let started = Instant::now();
        let Prepared {
            mut model,
            train,
            validation,
        } = prepared;
        let mut report = self.fit_phase(&mut model, &train, &validation, progress)?;
        if let Some(keep) = self.keep_bigrams {
            model = model.prune_bigrams(keep)?;
            report = self.fit_phase(&mut model, &train, &validation, progress)?;
        }
        let seconds = started.elapsed().as_secs_f64();
        let valid_set = encode(&model, &validation);
        let (_, float) = train::evaluate(&model, &valid_set);
        let (_, int8) = train::evaluate(&model.round_trip_quantization(), &valid_set);
        Ok(Trained {
            model,
            report,
            validation: (valid_set.len(), float, int8),
            seconds,
        })
    }

    fn fit_phase(
        &self,
        model: &mut Model,
        train_reviews: &[Review],
        valid_reviews: &[Review],
        progress: &mut dyn FnMut(&Progress),
    ) -> Result<Report, Error> {
        let train_set = encode(model, train_reviews);
        let valid_set = encode(model, valid_reviews);
        train::train(model, &train_set, &valid_set, &self.training, progress)
    }

    /// The model card of `trained`, measuring it on the `test` reviews (float, and int8 as run
    /// by tract). `command` is how it was made.
    pub fn model_card(
        &self,
        trained: &Trained,
        test: &[Review],
        command: &str,
    ) -> Result<String, Error> {
        let bytes = crate::onnx::export(&trained.model);
        let (_, float_test) = train::evaluate(&trained.model, &encode(&trained.model, test));
        let shipped = evaluate(&Classifier::from_bytes(&bytes)?, test, 256, &mut |_| {})?;
        Ok(card::render(&Facts {
            recipe: self,
            options: &self.training,
            embedding: &self.embedding,
            model: &trained.model,
            report: &trained.report,
            onnx_bytes: bytes.len(),
            gzip_bytes: crate::data::gzip_len(&bytes),
            validation: trained.validation,
            test: (test.len(), float_test, shipped.accuracy as f32),
            confusion: shipped.confusion,
            train_seconds: trained.seconds,
            command: command.to_string(),
        }))
    }
}

/// Splits off the validation part, then shuffles the training part with the recipe's seed.
///
/// IMDB files list each label's reviews by file id, and a movie's reviews have neighbouring ids.
/// A random split puts reviews of the same movies on both sides (names and titles leak, and
/// validation overstated test accuracy by two points here). So validation takes whole blocks of
/// [`VALIDATION_BLOCK`] neighbouring reviews, spread evenly over each label's file order: its
/// movies are nearly all unseen in training, as in IMDB test, yet there are many of them.
pub fn split(reviews: Vec<Review>, recipe: &Recipe) -> (Vec<Review>, Vec<Review>) {
    let every = (1.0 / recipe.validation_fraction.max(1e-6))
        .round()
        .max(1.0) as usize;
    let (mut train, mut valid) = (Vec::new(), Vec::new());
    for positive in [true, false] {
        let group = reviews.iter().filter(|r| r.positive == positive);
        for (i, review) in group.enumerate() {
            let block = i / VALIDATION_BLOCK;
            if recipe.validation_fraction > 0.0 && block % every == every / 2 {
                valid.push(review.clone());
            } else {
                train.push(review.clone());
            }
        }
    }
    Rng::new(recipe.seed).shuffle(&mut train);
    (train, valid)
}

/// Neighbouring reviews kept together by [`split`]: a few movies' worth.
pub const VALIDATION_BLOCK: usize = 100;

/// Builds the vocabulary and the initial table: pre-trained rows (first `dim` columns) for known
/// words, small random rows for frequent new words, zeros for hash buckets.
pub fn initial_model(
    pretrained: &Embeddings,
    train: &[Review],
    recipe: &Recipe,
    labels: [String; 2],
) -> Result<Model, Error> {
    if recipe.dim == 0 || recipe.dim > pretrained.dim {
        return Err(Error::InvalidInput(format!(
            "dim must be between 1 and {} (the pre-trained table's width)",
            pretrained.dim
        )));
    }
    let mut counts: HashMap<String, usize> = HashMap::new();
    for review in train {
        for token in tokenize(&review.text) {
            *counts.entry(token.text).or_default() += 1;
        }
    }
    let count = |w: &str| counts.get(w).copied().unwrap_or(0);

    let mut words = Vec::new();
    let mut rows: Vec<f32> = Vec::new();
    let n = pretrained.words.len();
    let harmonic: f64 = (2..=n + 1).map(|j| 1.0 / j as f64).sum();
    for (i, word) in pretrained.words.iter().enumerate() {
        if recipe.min_count > 0 && count(word) < recipe.min_count {
            continue;
        }
        let row = &pretrained.vectors[i * pretrained.dim..][..recipe.dim];
        let weight = if recipe.undo_sif {
            // As stated in the table's README: row i was multiplied by 1e-4 / (1e-4 + p_i).
            let p = (1.0 / (i + 2) as f64) / harmonic;
            (1e-4 / (1e-4 + p)) as f32
        } else {
            1.0
        };
        words.push(word.clone());
        rows.extend(row.iter().map(|x| x / weight));
    }
    let known: std::collections::HashSet<&str> = words.iter().map(String::as_str).collect();
    let mut extra: Vec<(&String, usize)> = counts
        .iter()
        .filter(|(w, &c)| c >= recipe.extend_min_count && !known.contains(w.as_str()))
        .map(|(w, &c)| (w, c))
        .collect();
    extra.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));

    // Scale pre-trained rows to the wanted mean norm; new words start small and random.
    let known_rows = words.len();
    let mean_norm = rows
        .chunks_exact(recipe.dim)
        .map(|r| r.iter().map(|x| x * x).sum::<f32>().sqrt())
        .sum::<f32>()
        / known_rows.max(1) as f32;
    let factor = if mean_norm > 0.0 {
        recipe.row_norm / mean_norm
    } else {
        1.0
    };
    rows.iter_mut().for_each(|x| *x *= factor);
    let mut rng = Rng::new(recipe.seed ^ 0xe7);
    if recipe.random_init {
        // The baseline that shows what pre-training is worth: same words, same scale, no knowledge.
        let limit = recipe.row_norm * (3.0 / recipe.dim as f32).sqrt();
        rows.iter_mut().for_each(|x| *x = rng.symmetric(limit));
    }
    let limit = 0.1 * recipe.row_norm / (recipe.dim as f32).sqrt();
    for (word, _) in extra {
        words.push(word.clone());
        rows.extend((0..recipe.dim).map(|_| rng.symmetric(limit)));
    }

    // Alphabetical rows: the word list inside the ONNX file gzips a quarter smaller.
    let mut order: Vec<usize> = (0..words.len()).collect();
    order.sort_by(|&a, &b| words[a].cmp(&words[b]));
    let mut table = vec![0f32; recipe.dim]; // padding
    for &i in &order {
        table.extend_from_slice(&rows[i * recipe.dim..][..recipe.dim]);
    }
    let words = order.into_iter().map(|i| words[i].clone()).collect();
    let vocab = Vocabulary::new(words, recipe.oov_buckets, recipe.bigram_buckets)?;
    table.resize(vocab.rows() * recipe.dim, 0.0); // hash buckets start at zero
    Model::new(vocab, labels, recipe.dim, table, recipe.seed)
}

/// Encodes reviews for [`crate::train`]; `target` 1.0 = positive.
pub fn encode(model: &Model, reviews: &[Review]) -> Vec<Example> {
    reviews
        .iter()
        .map(|r| Example {
            ids: model.vocab.encode(&r.text),
            target: if r.positive { 1.0 } else { 0.0 },
        })
        .collect()
}
