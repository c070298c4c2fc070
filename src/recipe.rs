//! How the shipped model is made (native only): vocabulary from a pre-trained table and IMDB
//! train, training with a validation split carved from IMDB train, and the model card.

use std::collections::HashMap;

use crate::data::{Embeddings, Review};
use crate::model::Model;
use crate::rng::Rng;
use crate::text::tokenize;
use crate::train::Example;
use crate::vocab::Vocabulary;
use crate::Error;

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
    /// Divide out the Zipf/SIF weighting the minilm tables were stored with.
    pub undo_sif: bool,
    /// Scale the table so that its mean row norm is this.
    pub row_norm: f32,
    pub validation_fraction: f32,
    pub seed: u64,
}

impl Default for Recipe {
    fn default() -> Self {
        Recipe {
            dim: 16,
            min_count: 2,
            extend_min_count: 20,
            oov_buckets: 512,
            bigram_buckets: 1 << 16,
            undo_sif: true,
            row_norm: 1.0,
            validation_fraction: 0.1,
            seed: 42,
        }
    }
}

/// Shuffles the reviews with the recipe's seed and splits off the validation part.
pub fn split(mut reviews: Vec<Review>, recipe: &Recipe) -> (Vec<Review>, Vec<Review>) {
    Rng::new(recipe.seed).shuffle(&mut reviews);
    let n_valid = (reviews.len() as f32 * recipe.validation_fraction).round() as usize;
    let train = reviews.split_off(n_valid.min(reviews.len()));
    (train, reviews)
}

/// Builds the vocabulary and the initial table: pre-trained rows (first `dim` columns) for known
/// words, small random rows for frequent new words, zeros for hash buckets.
pub fn initial_model(
    pretrained: &Embeddings,
    train: &[Review],
    recipe: &Recipe,
    labels: [String; 2],
) -> Result<Model, Error> {
    if recipe.dim == 0 || recipe.dim > pretrained.dim {
        return Err(Error::Input(format!(
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
    let limit = 0.1 * recipe.row_norm / (recipe.dim as f32).sqrt();
    for (word, _) in extra {
        words.push(word.clone());
        rows.extend((0..recipe.dim).map(|_| rng.symmetric(limit)));
    }

    let vocab = Vocabulary::new(words, recipe.oov_buckets, recipe.bigram_buckets)?;
    let mut table = vec![0f32; recipe.dim]; // padding
    table.extend(rows);
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
