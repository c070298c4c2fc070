//! How the shipped model is made (native only): vocabulary from a pre-trained table and IMDB
//! train, training with a validation split carved from IMDB train, and the model card. Every
//! setting of the shipped model is a field of [`Recipe`], whose default is that model.

use std::collections::HashMap;
use std::path::Path;
use std::time::Instant;

use crate::augment::{counterfactuals, Augment};
use crate::card::{self, Facts};
use crate::classifier::Classifier;
use crate::data::{read_embeddings, read_reviews, Embeddings, Review};
use crate::eval::evaluate;
use crate::model::Model;
use crate::quantize::Format;
use crate::rng::Rng;
use crate::scope::{self, Features, Scope};
use crate::teacher::{self, TeacherOptions};
use crate::text::tokenize;
use crate::train::{self, Example, Flow};
use crate::vocab::{Scheme, Vocabulary, SCOPES};
use crate::{limits, Error};

pub use crate::train::{Options, Progress, Report};

/// The most texts `--set crops`, `negated` or `contrasts` make from each review: each is one more
/// copy of the training set in memory.
const MAX_COPIES: usize = 16;
/// The most sentences a crop may hold (`--set crop_sentences`).
const MAX_CROP_SENTENCES: usize = 1000;
/// The largest word n-gram of the teacher (`--set teacher_max_n`): its features per text grow
/// with it.
const MAX_TEACHER_N: usize = 8;
/// The largest weight, factor or temperature a `--set` knob takes (in either sign, where it has
/// one).
const MAX_FACTOR: f32 = 100.0;

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
    /// Tokenizer and id layout: 1 ("polarity-1", frozen) or 2 ("polarity-2", `crate::scope`).
    pub tokenizer: u8,
    /// Polarity-2: tokens in a negation scope get hashed rows of their own.
    pub negation: bool,
    /// Polarity-2: tokens after but / however / now, and inside although / used to, get hashed
    /// rows of their own.
    pub contrast: bool,
    /// Polarity-2: scopes read as weighted copies of the word's own row
    /// (`crate::scope::Features::weighted`), with these weights (negation, contrast,
    /// concession), in place of hashed rows and their seeding.
    pub weighted: bool,
    pub scope_weights: [f32; SCOPES],
    /// Polarity-2: no bigram of a negator and the token after it
    /// (`crate::scope::Features::lone_negators`).
    pub lone_negators: bool,
    /// Polarity-2 with negation: before bigram pruning, the negated rows of the words that sway
    /// the model most (this many) start as `-negation_flip` times the word's row, so a negated
    /// word starts out read as the opposite of the word; training goes on from there.
    pub negation_flips: usize,
    pub negation_flip: f32,
    /// Polarity-2 with contrast: the same words' rows after but / however start as
    /// `contrast_boost` times the word's (read more strongly), inside although / used to as
    /// `-concession_damp` times it (read more weakly).
    pub contrast_boost: f32,
    pub concession_damp: f32,
    /// Polarity-2: an unknown word one typo away from a known one is read as that word.
    pub spelling: bool,
    /// Sentence-sized crops of each training review added to the training set (with the
    /// review's label), so the model also learns to read one or two sentences.
    pub crops: usize,
    /// The most sentences a crop holds (1 to this many, drawn evenly).
    pub crop_sentences: usize,
    /// Counterfactual sentences beside the crops: negated pairs and contrasts
    /// (`crate::augment`).
    pub augment: Augment,
    /// Distillation ([`crate::teacher`]): train on a larger model's probabilities.
    pub teacher: Option<TeacherOptions>,
    /// The target of a training text: this share of the teacher's probability, the rest its
    /// review's label.
    pub distill: f32,
    /// Crops get the teacher's reading too (else only whole reviews do, crops keep their label).
    pub distill_crops: bool,
    /// The pre-trained table: a folder under `embeddings/` in the data folder.
    pub embedding: String,
    /// How the file stores the table (`crate::quantize`).
    pub quantization: Format,
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
            keep_bigrams: Some(22_000),
            undo_sif: true,
            row_norm: 1.0,
            validation_fraction: 0.1,
            random_init: false,
            seed: 42,
            tokenizer: 2,
            negation: true,
            contrast: true,
            spelling: true,
            weighted: true,
            scope_weights: [-2.5, 1.0, -1.0, -1.0],
            lone_negators: true,
            negation_flips: 1500,
            negation_flip: 3.0,
            contrast_boost: 2.0,
            concession_damp: 0.7,
            crops: 2,
            crop_sentences: 2,
            augment: Augment::default(),
            teacher: None,
            distill: 0.5,
            distill_crops: true,
            embedding: "minilm-words-64d".into(),
            quantization: Format::Int4,
            training: Options {
                epochs: 30,
                learning_rate: 0.002,
                batch_size: 256,
                train_embedding: true,
                embedding_learning_rate_scale: 1.0,
                token_dropout: 0.2,
                inverted_dropout: false,
                weight_decay: 0.0,
                embedding_weight_decay: 0.0,
                patience: 2,
                seed: 42,
                runs: 1,
                class_weights: Vec::new(),
            },
        }
    }
}

impl Recipe {
    /// Sets one knob from `name=value` (the command line's `--set`), e.g. `crops=2`.
    pub fn set(&mut self, assignment: &str) -> Result<(), String> {
        let (name, value) = assignment
            .split_once('=')
            .ok_or_else(|| format!("--set {assignment:?}: expected name=value"))?;
        let flag = |v: &str| match v {
            "1" | "true" | "yes" => Ok(true),
            "0" | "false" | "no" => Ok(false),
            _ => Err(format!("--set {name}: {value:?} is not true or false")),
        };
        // Every number is checked here, where the command line is read: a value out of range
        // used to train for minutes first (a NaN temperature ended as "training diverged"), or,
        // for a count of copies per review, to grow memory without end.
        let real = |lo: f32, hi: f32| -> Result<f32, String> {
            value
                .parse::<f32>()
                .ok()
                .filter(|v| (lo..=hi).contains(v))
                .ok_or_else(|| format!("--set {name}: {value:?} is not a number from {lo} to {hi}"))
        };
        let count = |lo: usize, hi: usize| -> Result<usize, String> {
            value
                .parse::<usize>()
                .ok()
                .filter(|v| (lo..=hi).contains(v))
                .ok_or_else(|| {
                    format!("--set {name}: {value:?} is not a whole number from {lo} to {hi}")
                })
        };
        match name {
            "tokenizer" => self.tokenizer = count(1, 2)? as u8,
            "negation" => self.negation = flag(value)?,
            "contrast" => self.contrast = flag(value)?,
            "spelling" => self.spelling = flag(value)?,
            "negation_flips" => self.negation_flips = count(0, limits::MAX_TABLE_ROWS)?,
            "weighted" => self.weighted = flag(value)?,
            "lone_negators" => self.lone_negators = flag(value)?,
            "negation_weight" | "contrast_weight" | "concession_weight" | "before_weight" => {
                let band = [
                    "negation_weight",
                    "contrast_weight",
                    "concession_weight",
                    "before_weight",
                ]
                .iter()
                .position(|n| *n == name)
                .unwrap_or(0);
                self.scope_weights[band] = real(-MAX_FACTOR, MAX_FACTOR)?;
            }
            "contrast_boost" => self.contrast_boost = real(-MAX_FACTOR, MAX_FACTOR)?,
            "concession_damp" => self.concession_damp = real(-MAX_FACTOR, MAX_FACTOR)?,
            "negation_flip" => self.negation_flip = real(-MAX_FACTOR, MAX_FACTOR)?,
            "crops" => self.crops = count(0, MAX_COPIES)?,
            "runs" => self.training.runs = count(1, limits::MAX_RUNS)?,
            "inverted_dropout" => self.training.inverted_dropout = flag(value)?,
            "crop_sentences" => self.crop_sentences = count(0, MAX_CROP_SENTENCES)?,
            "teacher" => {
                self.teacher = flag(value)?.then(|| TeacherOptions {
                    seed: self.seed,
                    ..TeacherOptions::default()
                })
            }
            "distill_crops" => self.distill_crops = flag(value)?,
            "distill" => self.distill = real(0.0, 1.0)?,
            "teacher_temperature" | "teacher_max_n" | "teacher_epochs" | "teacher_c" => {
                let t = self
                    .teacher
                    .as_mut()
                    .ok_or_else(|| format!("--set {name}: set teacher=1 first"))?;
                match name {
                    "teacher_temperature" => t.temperature = real(0.01, MAX_FACTOR)?,
                    "teacher_c" => t.c = real(1e-6, 1e6)?,
                    "teacher_max_n" => t.max_n = count(1, MAX_TEACHER_N)?,
                    _ => t.epochs = count(1, limits::MAX_EPOCHS)?,
                }
            }
            "negated" => self.augment.negated = count(0, MAX_COPIES)?,
            "contrasts" => self.augment.contrasts = count(0, MAX_COPIES)?,
            "augment_min_count" => self.augment.min_count = count(0, usize::MAX)?,
            "augment_max_tokens" => self.augment.max_tokens = count(1, usize::MAX)?,
            "augment_min_log_ratio" => self.augment.min_log_ratio = real(0.0, MAX_FACTOR)?,
            "quantization" => {
                self.quantization = Format::from_name(value)
                    .ok_or_else(|| format!("--set quantization: int4 or int8, not {value:?}"))?
            }
            _ => return Err(format!("--set: unknown knob {name:?}")),
        }
        Ok(())
    }

    /// The tokenizer and id layout of models made with this recipe.
    pub fn scheme(&self) -> Scheme {
        match self.tokenizer {
            1 => Scheme::V1,
            _ => Scheme::V2(Features {
                negation: self.negation,
                contrast: self.contrast,
                spelling: self.spelling,
                numbers: false,
                weighted: self.weighted,
                lone_negators: self.lone_negators,
            }),
        }
    }

    /// One line for logs and the model card.
    pub fn describe(&self) -> String {
        let scopes = if self.weighted && self.tokenizer == 2 {
            let [negated, contrast, concession, before] = self.scope_weights;
            format!(
                "scopes weighted (negation {negated:+}, contrast {contrast:+}, concession \
                 {concession:+}, before a contrast {before:+} times the word's row)"
            )
        } else {
            format!(
                "scope rows seeded for {} words (negation x{}, contrast x{}, concession x{})",
                self.negation_flips,
                -self.negation_flip,
                self.contrast_boost,
                -self.concession_damp,
            )
        };
        format!(
            "tokenizer {}, features [{}], {} sentence crops of 1-{} sentences per review, {scopes}, {}",
            self.scheme().name(),
            match self.scheme() {
                Scheme::V2(f) => f.names(),
                Scheme::V1 => String::new(),
            },
            self.crops,
            self.crop_sentences,
            self.quantization.name(),
        )
    }
}

/// The learned flip and the contrast weights (see [`Recipe::negation_flips`]): run on the
/// trained model before its bigram rows are pruned. Words are ranked by how far the model's
/// score of the word alone is from 0.5; each chosen word's negated row becomes its learned value
/// minus `negation_flip` times the word's row, and (with contrast) its row after "but" its
/// learned value plus `contrast_boost` times the word's, inside "although" minus
/// `concession_damp` times it. Training goes on from there and may undo any of it.
pub fn seed_scopes(model: &mut Model, recipe: &Recipe) {
    let features = match model.vocab.scheme() {
        // Weighted scopes have no rows of their own to seed.
        Scheme::V2(f) if recipe.negation_flips > 0 && !f.weighted => f,
        _ => return,
    };
    let dim = model.dim;
    let words = model.vocab.word_count();
    let mut sway: Vec<(f32, u32)> = (1..=words as u32)
        .map(|id| ((model.score_id(id) - 0.5).abs(), id))
        .collect();
    sway.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let chosen: Vec<u32> = sway
        .iter()
        .take(recipe.negation_flips)
        .map(|&(_, id)| id)
        .collect();
    for id in chosen {
        let word = model.vocab.words()[id as usize - 1].clone();
        let mut seeds = Vec::new();
        if features.negation {
            seeds.push((model.vocab.negated_id(&word), -recipe.negation_flip));
        }
        if features.contrast {
            seeds.push((
                model.vocab.clause_id(Scope::Contrast, &word),
                recipe.contrast_boost,
            ));
            seeds.push((
                model.vocab.clause_id(Scope::Concession, &word),
                -recipe.concession_damp,
            ));
        }
        let table = model.embedding.to_mut();
        for (row, factor) in seeds {
            if let Some(row) = row {
                for k in 0..dim {
                    let x = table[id as usize * dim + k];
                    table[row as usize * dim + k] += factor * x;
                }
            }
        }
    }
}

/// The training reviews, then [`Recipe::crops`] sentence-sized crops of each (labelled as their
/// review) and the counterfactual sentences of [`Recipe::augment`], in a shuffled order fixed by
/// the recipe's seed; each with the index in `train` of the review it comes from (`None` for a
/// counterfactual made of several).
pub fn with_crops(train: &[Review], recipe: &Recipe) -> Vec<(Review, Option<usize>)> {
    let mut out: Vec<(Review, Option<usize>)> = train
        .iter()
        .enumerate()
        .map(|(i, r)| (r.clone(), Some(i)))
        .collect();
    out.extend(
        counterfactuals(train, &recipe.augment, recipe.seed)
            .into_iter()
            .map(|r| (r, None)),
    );
    if recipe.crops == 0 || recipe.crop_sentences == 0 {
        if out.len() > train.len() {
            Rng::new(recipe.seed ^ 0x5eed).shuffle(&mut out);
        }
        return out;
    }
    let mut rng = Rng::new(recipe.seed ^ 0xc209);
    for (i, review) in train.iter().enumerate() {
        let sentences = split_sentences(&review.text);
        if sentences.len() < 2 {
            continue;
        }
        for _ in 0..recipe.crops {
            let len = 1 + rng.below(recipe.crop_sentences.min(sentences.len()));
            let start = rng.below(sentences.len() - len + 1);
            let text = sentences[start..start + len].join(" ");
            let crop = Review {
                positive: review.positive,
                text,
            };
            out.push((crop, Some(i)));
        }
    }
    Rng::new(recipe.seed ^ 0x5eed).shuffle(&mut out);
    out
}

/// Sentences of a review: split after runs of `.`, `!`, `?` followed by a space, and at tags
/// (`<br />`); pieces without a letter are dropped.
pub fn split_sentences(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut start = 0;
    let mut i = 0;
    fn push<'t>(piece: &'t str, out: &mut Vec<&'t str>) {
        let piece = piece.trim();
        if piece.chars().any(char::is_alphabetic) {
            out.push(piece);
        }
    }
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'<'
            && bytes
                .get(i + 1)
                .is_some_and(|c| c.is_ascii_alphabetic() || *c == b'/')
        {
            if let Some(len) = bytes[i..].iter().take(64).position(|&c| c == b'>') {
                push(&text[start..i], &mut out);
                i += len + 1;
                start = i;
                continue;
            }
        }
        if matches!(b, b'.' | b'!' | b'?') && bytes.get(i + 1).is_some_and(|c| *c == b' ') {
            push(&text[start..=i], &mut out);
            start = i + 1;
        }
        i += 1;
    }
    push(&text[start..], &mut out);
    out
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
    /// Validation reviews, and accuracy with float weights and as shipped (the table quantized).
    pub validation: (usize, f32, f32),
    pub seconds: f64,
}

impl Recipe {
    /// Reads the pre-trained table and IMDB train from `data`, splits off validation, and builds
    /// the vocabulary and the initial table.
    pub fn prepare(&self, data: &Path) -> Result<Prepared, Error> {
        // Options are checked before minutes of reading and building, not after them.
        self.training.validate()?;
        if !(self.row_norm.is_finite() && self.row_norm > 0.0) {
            return Err(Error::InvalidInput(
                "the row norm must be a number above 0".into(),
            ));
        }
        let dir = data.join("embeddings").join(&self.embedding);
        let pretrained = read_embeddings(&dir)?;
        check_embeddings(&pretrained, &dir)?;
        let path = data.join("imdb/train.tsv.gz");
        let reviews = read_reviews(&path)?;
        let count = reviews.len();
        let (train, validation) = split(reviews, self);
        // Early stopping and the card's figures need a validation split: blocks of neighbouring
        // reviews leave none in a file of a few hundred (it trained on, and reported 0%).
        if validation.is_empty() || train.is_empty() {
            return Err(Error::InvalidInput(format!(
                "{}: {count} reviews leave {} for training and {} for validation; the split \
                 takes blocks of {VALIDATION_BLOCK} neighbouring reviews of each label, so it \
                 needs a few thousand",
                path.display(),
                train.len(),
                validation.len()
            )));
        }
        let labels = vec!["positive".to_string(), "negative".to_string()];
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
        progress: &mut dyn FnMut(&Progress) -> Flow,
    ) -> Result<Trained, Error> {
        let started = Instant::now();
        let Prepared {
            mut model,
            train,
            validation,
        } = prepared;
        let reviews = train.len() as u64;
        // Sentence-sized crops beside the whole reviews, so short texts read well too.
        let sourced = with_crops(&train, self);
        let targets = self.teacher_targets(&train, &sourced);
        let train: Vec<Review> = sourced.into_iter().map(|(review, _)| review).collect();
        let phase = |model: &mut Model, progress: &mut dyn FnMut(&Progress) -> Flow| {
            self.fit_phase(model, &train, targets.as_deref(), &validation, progress)
        };
        let mut report = phase(&mut model, progress)?;
        if let Some(keep) = self.keep_bigrams {
            seed_scopes(&mut model, self);
            model = model.prune_bigrams(keep)?;
            report = phase(&mut model, progress)?;
        }
        // The labelled texts behind it: the reviews (their crops are parts of them).
        model.trained_on = reviews;
        let seconds = started.elapsed().as_secs_f64();
        let valid_set = encode(&model, &validation);
        let (_, float) = train::evaluate(&model, &valid_set);
        let (_, shipped) = train::evaluate(&model.round_trip_quantization(), &valid_set);
        Ok(Trained {
            model,
            report,
            validation: (valid_set.len(), float, shipped),
            seconds,
        })
    }

    /// With a teacher: each training text's target, P(positive), as [`Recipe::distill`] blends
    /// the cross-fitted teacher's probability with the review's label (`None` for texts made of
    /// several reviews: they keep their label).
    fn teacher_targets(
        &self,
        train: &[Review],
        sourced: &[(Review, Option<usize>)],
    ) -> Option<Vec<Option<f32>>> {
        let options = self.teacher.as_ref()?;
        let texts: Vec<(usize, &str)> = sourced
            .iter()
            .filter_map(|(r, source)| source.map(|s| (s, r.text.as_str())))
            .collect();
        let mut scores = teacher::cross_fitted(train, &texts, options).into_iter();
        let targets = sourced
            .iter()
            .map(|(review, source)| {
                let source = (*source)?;
                let teacher = scores.next();
                if !self.distill_crops && review.text != train[source].text {
                    return None;
                }
                let label = f32::from(u8::from(review.positive));
                let teacher = teacher.unwrap_or(label);
                Some(self.distill * teacher + (1.0 - self.distill) * label)
            })
            .collect();
        Some(targets)
    }

    fn fit_phase(
        &self,
        model: &mut Model,
        train_reviews: &[Review],
        targets: Option<&[Option<f32>]>,
        valid_reviews: &[Review],
        progress: &mut dyn FnMut(&Progress) -> Flow,
    ) -> Result<Report, Error> {
        let mut train_set = encode(model, train_reviews);
        if let Some(targets) = targets {
            for (example, target) in train_set.iter_mut().zip(targets) {
                example.target = *target;
            }
        }
        let valid_set = encode(model, valid_reviews);
        train::train(model, &train_set, &valid_set, &self.training, progress)
    }

    /// The model card of `trained`, measuring it on the `test` reviews (float, and quantized as
    /// run by tract). `command` is how it was made.
    pub fn model_card(
        &self,
        trained: &Trained,
        test: &[Review],
        command: &[String],
        out: &Path,
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
            command: command.to_vec(),
            out: out.display().to_string(),
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

/// Refuses a pre-trained table (read from the folder `dir`) that would make a model silently
/// wrong, or fail later without saying where: an empty word or a word twice in `tokens.txt` (said
/// by its line; the vocabulary said "entry 17", of its sorted words), and a value in
/// `embeddings.f32` that is not finite or is larger than a model holds ([`limits::MAX_WEIGHT`]):
/// one infinite value made the mean row norm infinite, and every pre-trained row zero.
fn check_embeddings(pretrained: &Embeddings, dir: &Path) -> Result<(), Error> {
    let tokens = dir.join("tokens.txt");
    let mut lines: HashMap<&str, usize> = HashMap::with_capacity(pretrained.words.len());
    for (i, word) in pretrained.words.iter().enumerate() {
        let bad = |reason: String| Error::BadData {
            path: tokens.clone(),
            line: i + 1,
            reason,
        };
        if word.is_empty() {
            return Err(bad("the word is empty (each line holds one word)".into()));
        }
        if let Some(first) = lines.insert(word, i + 1) {
            return Err(bad(format!(
                "the word {} is on line {first} too",
                crate::onnx::shown(word)
            )));
        }
    }
    let dim = pretrained.dim.max(1);
    for (i, row) in pretrained.vectors.chunks_exact(dim).enumerate() {
        if let Some(v) = row
            .iter()
            .find(|v| !(v.is_finite() && v.abs() <= limits::MAX_WEIGHT))
        {
            let word = pretrained.words.get(i).map_or("", String::as_str);
            return Err(Error::InvalidInput(format!(
                "{}: row {} ({}, line {} of tokens.txt) holds {v}: each value must be a finite \
                 number of size at most {}",
                dir.join("embeddings.f32").display(),
                i + 1,
                crate::onnx::shown(word),
                i + 1,
                limits::MAX_WEIGHT
            )));
        }
    }
    Ok(())
}

/// Builds the vocabulary and the initial table: pre-trained rows (first `dim` columns) for known
/// words, small random rows for frequent new words, zeros for hash buckets.
pub fn initial_model(
    pretrained: &Embeddings,
    train: &[Review],
    recipe: &Recipe,
    labels: Vec<String>,
) -> Result<Model, Error> {
    if recipe.dim == 0 || recipe.dim > pretrained.dim {
        return Err(Error::InvalidInput(format!(
            "dim must be between 1 and {} (the pre-trained table's width)",
            pretrained.dim
        )));
    }
    let mut counts: HashMap<String, usize> = HashMap::new();
    for review in train {
        let tokens = match recipe.scheme() {
            Scheme::V1 => tokenize(&review.text),
            Scheme::V2(_) => scope::tokenize2(&review.text).0,
        };
        for token in tokens.into_iter().filter(|t| !scope::is_silent(&t.text)) {
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
    let vocab = Vocabulary::new(words, recipe.oov_buckets, recipe.bigram_buckets)?
        .with_scheme(recipe.scheme());
    // Before the buckets' rows are made: a table the loader would refuse is not trained for
    // minutes and written (and 2^31 buckets aborted on the allocation).
    limits::check_table(
        vocab.rows(),
        recipe.dim,
        "the table of the words, --oov-buckets and --bigram-buckets would be",
    )?;
    table.resize(vocab.rows() * recipe.dim, 0.0); // hash buckets start at zero
    let mut model =
        Model::new(vocab, labels, recipe.dim, table, recipe.seed)?.with_format(recipe.quantization);
    if recipe.weighted {
        model.scope_weights = recipe.scope_weights;
    }
    Ok(model)
}

/// Encodes reviews for `crate::train`: label 0 is positive.
pub fn encode(model: &Model, reviews: &[Review]) -> Vec<Example> {
    reviews
        .iter()
        .map(|r| Example {
            ids: model.vocab.encode(&r.text),
            label: usize::from(!r.positive),
            target: None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_table_no_file_may_hold_is_refused_before_it_is_made() {
        let pretrained = Embeddings {
            words: vec!["good".into(), "bad".into()],
            dim: 4,
            vectors: vec![0.5; 8],
        };
        let recipe = |bigram_buckets| Recipe {
            dim: 4,
            bigram_buckets,
            ..Recipe::default()
        };
        let labels = || vec!["positive".to_string(), "negative".to_string()];
        assert!(initial_model(&pretrained, &[], &recipe(1 << 20), labels()).is_ok());
        // 2,000,000,000 buckets aborted on a 96 GB allocation; 2^22 wrote a file the loader refused.
        for buckets in [2_000_000_000, 1 << 22] {
            let e = initial_model(&pretrained, &[], &recipe(buckets), labels()).unwrap_err();
            assert!(matches!(e, Error::TooLarge(_)), "{e}");
            assert!(e.to_string().contains("--bigram-buckets"), "{e}");
        }
    }

    #[test]
    fn a_pretrained_table_that_is_not_finite_or_has_odd_words_is_refused_by_file_and_place() {
        let data = std::env::temp_dir().join(format!("polarity-embeddings-{}", std::process::id()));
        let dir = data.join("embeddings").join("e");
        std::fs::create_dir_all(&dir).unwrap();
        let recipe = Recipe {
            dim: 2,
            embedding: "e".into(),
            ..Recipe::default()
        };
        let prepare = |tokens: &str, values: &[f32]| {
            std::fs::write(dir.join("tokens.txt"), tokens).unwrap();
            let bytes: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
            std::fs::write(dir.join("embeddings.f32"), bytes).unwrap();
            match recipe.prepare(&data) {
                Ok(_) => panic!("prepared"),
                Err(e) => e.to_string(),
            }
        };
        // An infinite value made the mean row norm infinite, and every pre-trained row zero.
        for bad in [f32::INFINITY, f32::NAN, -f32::INFINITY] {
            let e = prepare("good\nbad\nfine\n", &[0.5, 0.5, 0.5, bad, 0.5, 0.5]);
            assert!(e.contains("embeddings.f32"), "{e}");
            assert!(e.contains("row 2 (\"bad\", line 2 of tokens.txt)"), "{e}");
        }
        // A word twice, or an empty one, is said with its file and line.
        let e = prepare("good\nbad\ngood\n", &[0.5; 6]);
        assert!(e.contains("tokens.txt: line 3: "), "{e}");
        assert!(e.contains("\"good\" is on line 1 too"), "{e}");
        let e = prepare("good\n\nbad\n", &[0.5; 6]);
        assert!(e.contains("tokens.txt: line 2: the word is empty"), "{e}");
        std::fs::remove_dir_all(&data).unwrap();
    }
}
