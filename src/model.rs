//! The network, in plain Rust: embedding bag (sqrt-n combiner) -> Dense(relu) -> Dense(sigmoid)
//! for two labels, or -> Dense(softmax) for three or more.
//!
//! This is the reference forward pass (what tract must agree with), the parameters that training
//! updates, and leave-one-out explanations. Weights are `f32` here; [`crate::quantize`] makes the
//! int4 (or, for models loaded from older files, int8) table that ships, and
//! [`Model::round_trip_quantization`] gives the `f32` model that the quantized one computes.

use crate::quantize::{quantize, Format, Quantized};
use crate::rng::Rng;
use crate::scope;
use crate::text::{tokenize, Token};
use crate::vocab::{Scheme, Vocabulary, PAD, SCOPES};
use crate::Error;

use std::sync::Arc;

/// Width of the hidden layer.
pub const HIDDEN: usize = 32;

/// A text classifier. With two labels the head has one sigmoid output, P(`labels[0]`); with more,
/// one softmax output per label.
#[derive(Clone, Debug, PartialEq)]
pub struct Model {
    pub(crate) vocab: Vocabulary,
    /// Two labels: `labels[0]` is what the score measures ("positive"), `labels[1]` its opposite.
    /// More: one class each, in the order of the head's outputs.
    pub(crate) labels: Vec<String>,
    pub(crate) dim: usize,
    /// Row-major `vocab.rows() x dim`; row [`PAD`] is zero.
    pub(crate) embedding: Embedding,
    /// Row-major `dim x HIDDEN`.
    pub(crate) w1: Vec<f32>,
    pub(crate) b1: Vec<f32>,
    /// Row-major `HIDDEN x outputs` ([`outputs`]).
    pub(crate) w2: Vec<f32>,
    pub(crate) b2: Vec<f32>,
    /// How its file stores the table: that of the file it was loaded from (so saving it again
    /// writes the same table), [`Format::Int4`] for a model made here.
    pub(crate) format: Format,
    /// With weighted scopes ([`crate::scope::Features::weighted`]): what a token read in each
    /// scope adds, times its word's row, on top of the row itself (negation, contrast,
    /// concession). Fixed by the recipe, not learned: IMDB reviews seldom say "not dreary", so
    /// trained on them the negation weight drifts to a weak flip that reads it as praise.
    pub(crate) scope_weights: [f32; SCOPES],
    /// How many labelled texts its head was trained on, all trainings together, as its file says
    /// (0: a fresh head, or a file that does not say). Training a model that knew much before
    /// moves it less ([`crate::train::prior`]).
    pub(crate) trained_on: u64,
}

/// The embedding table's floats, shared with the plan that runs them ([`crate::engine::Engine`])
/// rather than copied into it, and copied only when written to (training): a classifier holds one
/// table (2.25 MB for the shipped model), and the cold start skips a copy of it. Reads go through
/// `Deref`; writes through [`Embedding::to_mut`], taken once before a loop of them.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Embedding(Arc<Vec<f32>>);

impl Embedding {
    /// The floats to write to, copied first if a plan (or another model) shares them.
    pub(crate) fn to_mut(&mut self) -> &mut Vec<f32> {
        Arc::make_mut(&mut self.0)
    }

    /// The floats, shared: what a plan holds.
    pub(crate) fn shared(&self) -> Arc<Vec<f32>> {
        Arc::clone(&self.0)
    }
}

impl std::ops::Deref for Embedding {
    type Target = Vec<f32>;

    fn deref(&self) -> &Vec<f32> {
        &self.0
    }
}

impl From<Vec<f32>> for Embedding {
    fn from(floats: Vec<f32>) -> Self {
        Embedding(Arc::new(floats))
    }
}

/// Outputs of the head for `labels` labels: one sigmoid for two, one softmax each for more.
pub fn outputs(labels: usize) -> usize {
    if labels == 2 {
        1
    } else {
        labels
    }
}

/// What leaving one token out of a text changes in the explained output ([`Model::explain_text`]):
/// its probability and its log-odds, each with the token minus without it. Near a verdict of 0 or
/// 1 probabilities saturate: "Worst movie ever. Waste of time, awful acting and a dreadful plot."
/// (P(positive) 0.0003) gave every word a weight under 0.002 ("dreadful" -0.0004), and
/// "acting", pulling against the verdict, 1/18 of the strongest ("worst"): 1/5 in log-odds.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Pull {
    pub probability: f32,
    pub log_odds: f32,
}

/// What the model computes for one text, kept for the backward pass.
pub(crate) struct Activations {
    pub bag: Vec<f32>,
    pub hidden: Vec<f32>,
    /// The head's outputs: `[P(first label)]` for two labels, every label's probability for more.
    pub output: Vec<f32>,
    /// How many non-padding ids the bag summed.
    pub count: usize,
    /// What the bag's sum was divided by: sqrt of the ids summed, or under dropout
    /// ([`Model::forward_dropped`]) the kept ids over sqrt of the whole text's.
    pub norm: f32,
}

impl Model {
    /// A model with the given embedding table and a fresh head (Glorot-uniform, zero biases).
    #[cfg(any(feature = "cli", test))]
    pub(crate) fn new(
        vocab: Vocabulary,
        labels: Vec<String>,
        dim: usize,
        mut embedding: Vec<f32>,
        seed: u64,
    ) -> Result<Self, crate::Error> {
        if dim == 0 || embedding.len() != vocab.rows() * dim {
            return Err(crate::Error::InconsistentModel(format!(
                "an embedding of {} values does not fit {} rows of {dim}",
                embedding.len(),
                vocab.rows()
            )));
        }
        crate::finetune::check_new_labels(&labels)?;
        embedding[..dim].iter_mut().for_each(|x| *x = 0.0);
        let mut model = Model {
            vocab,
            labels: Vec::new(),
            dim,
            embedding: embedding.into(),
            w1: vec![0.0; dim * HIDDEN],
            b1: vec![0.0; HIDDEN],
            w2: Vec::new(),
            b2: Vec::new(),
            format: Format::default(),
            scope_weights: [0.0; SCOPES],
            trained_on: 0,
        };
        model.reset_head(labels, seed);
        Ok(model)
    }

    /// Its vocabulary: how texts become rows of the table.
    pub fn vocab(&self) -> &Vocabulary {
        &self.vocab
    }

    /// Its labels: with two, the score is P(first label); with more, one class each.
    pub fn labels(&self) -> &[String] {
        &self.labels
    }

    /// Outputs of its head: 1 (a sigmoid) for two labels, one per label for more.
    pub fn outputs(&self) -> usize {
        self.b2.len()
    }

    /// Width of the embedding.
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// The same model with every embedding row (but padding) replaced by random values of the
    /// table's scale: the baseline that shows what pre-training is worth.
    pub fn with_random_embedding(&self, seed: u64) -> Model {
        let mut rng = Rng::new(seed);
        let mean_square =
            self.embedding.iter().map(|x| x * x).sum::<f32>() / self.embedding.len().max(1) as f32;
        let limit = (3.0 * mean_square).sqrt();
        let mut embedding: Vec<f32> = self
            .embedding
            .iter()
            .map(|_| rng.symmetric(limit))
            .collect();
        embedding[..self.dim].iter_mut().for_each(|x| *x = 0.0);
        Model {
            embedding: embedding.into(),
            // Its head never saw this table.
            trained_on: 0,
            ..self.clone()
        }
    }

    /// Replaces the head by a freshly initialised one for `labels` (checked by the caller); the
    /// embedding stays.
    pub(crate) fn reset_head(&mut self, labels: Vec<String>, seed: u64) {
        let outputs = outputs(labels.len());
        self.labels = labels;
        let mut rng = Rng::new(seed);
        let limit1 = (6.0 / (self.dim + HIDDEN) as f32).sqrt();
        self.w1.iter_mut().for_each(|w| *w = rng.symmetric(limit1));
        let limit2 = (6.0 / (HIDDEN + outputs) as f32).sqrt();
        self.w2 = (0..HIDDEN * outputs)
            .map(|_| rng.symmetric(limit2))
            .collect();
        self.b1.iter_mut().for_each(|b| *b = 0.0);
        self.b2 = vec![0.0; outputs];
        self.trained_on = 0;
    }

    /// How many labelled texts its head was trained on, as far as known (0: a fresh head, or a
    /// file that does not say).
    pub fn trained_on(&self) -> u64 {
        self.trained_on
    }

    /// How its file stores the table.
    pub fn format(&self) -> Format {
        self.format
    }

    /// The same model, to be stored in `format` (its table unchanged until it is quantized).
    #[cfg(any(feature = "cli", test))]
    pub fn with_format(self, format: Format) -> Model {
        Model { format, ..self }
    }

    /// The table this model ships as, in its format.
    pub(crate) fn quantized_embedding(&self) -> Quantized {
        quantize(&self.embedding, self.dim, self.format)
    }

    /// The same model with its table passed through its format: what the shipped model computes.
    pub(crate) fn round_trip_quantization(&self) -> Model {
        Model {
            embedding: self.quantized_embedding().dequantize().into(),
            ..self.clone()
        }
    }

    /// P(`labels[0]`) for encoded ids (padding ignored). An id outside the table is an error
    /// ([`Model::check_ids`]).
    pub fn score(&self, ids: &[u32]) -> Result<f32, Error> {
        self.check_ids(ids.iter())?;
        Ok(self.forward(ids).output[0])
    }

    /// Every label's probability, in the order of [`Model::labels`]. An id outside the table is
    /// an error ([`Model::check_ids`]).
    pub fn probabilities(&self, ids: &[u32]) -> Result<Vec<f32>, Error> {
        self.check_ids(ids.iter())?;
        Ok(probabilities(&self.forward(ids).output))
    }

    /// Refuses an id outside this model's ids (its table's rows and their scope bands): ids made
    /// by another model's vocabulary are the likely mistake.
    pub fn check_ids<'a>(&self, mut ids: impl Iterator<Item = &'a u32>) -> Result<(), Error> {
        let space = self.vocab.id_space();
        match ids.find(|&&id| id as usize >= space) {
            Some(id) => Err(Error::InvalidInput(format!(
                "id {id} is outside this model's table of {} rows: were the texts encoded \
                 with another model's vocabulary?",
                self.vocab.rows()
            ))),
            None => Ok(()),
        }
    }

    /// P(`labels[0]`) for the text of one id of the table (a word's row alone, say).
    #[cfg(any(feature = "cli", test))]
    pub(crate) fn score_id(&self, id: u32) -> f32 {
        self.forward(&[id]).output[0]
    }

    /// Tokenizes, encodes and scores a text.
    pub fn score_text(&self, text: &str) -> f32 {
        // Its own vocabulary's ids: always in the table.
        self.forward(&self.vocab.encode(text)).output[0]
    }

    pub(crate) fn forward(&self, ids: &[u32]) -> Activations {
        self.forward_dropped(ids, None)
    }

    /// [`Model::forward`] on the ids that dropout kept of a text of `whole` ids. The kept ids'
    /// sum is divided by kept / sqrt(whole), not sqrt(kept): in expectation the bag is then the
    /// whole text's, as inverted dropout keeps a layer's scale. Divided by sqrt(kept), bags in
    /// training are sqrt(1 - p) times smaller than at inference, which pushes long texts
    /// towards whichever label the bags' shared direction favours.
    pub(crate) fn forward_dropped(&self, ids: &[u32], whole: Option<usize>) -> Activations {
        let mut bag = vec![0f32; self.dim];
        let mut count = 0;
        for &id in ids.iter().filter(|&&id| id != PAD) {
            let (row, weight) = self.row_weight(id);
            let row = &self.embedding[row * self.dim..][..self.dim];
            // Times 1.0 is exact: the table's own ids sum as they always did.
            bag.iter_mut().zip(row).for_each(|(b, r)| *b += weight * r);
            count += 1;
        }
        let norm = match whole {
            Some(whole) if count > 0 => count as f32 / (whole.max(count) as f32).sqrt(),
            _ => (count.max(1) as f32).sqrt(),
        };
        bag.iter_mut().for_each(|b| *b /= norm);
        let (hidden, output) = self.head(&bag);
        Activations {
            bag,
            hidden,
            output,
            count,
            norm,
        }
    }

    /// The row id reads and what the bag adds it times: 1 for the table's own ids, the scope's
    /// weight for a weighted scope's ([`Vocabulary::row_of`]).
    #[inline]
    pub(crate) fn row_weight(&self, id: u32) -> (usize, f32) {
        match self.vocab.row_of(id) {
            (row, 0) => (row, 1.0),
            (row, band) => (row, self.scope_weights[band - 1]),
        }
    }

    /// The bag's weight of each band of ids: 1 for the table's own, then each scope's
    /// ([`Model::scope_weights`]), as the engine and the ONNX graph take them.
    pub(crate) fn band_weights(&self) -> [f32; SCOPES + 1] {
        let mut weights = [1.0; SCOPES + 1];
        weights[1..].copy_from_slice(&self.scope_weights);
        weights
    }

    /// Dense(relu) -> Dense(sigmoid) (two labels) or Dense(softmax) (more) on a combined bag.
    fn head(&self, bag: &[f32]) -> (Vec<f32>, Vec<f32>) {
        let (hidden, mut logits) = self.head_logits(bag);
        if logits.len() == 1 {
            logits[0] = sigmoid(logits[0]);
        } else {
            softmax(&mut logits);
        }
        (hidden, logits)
    }

    /// [`Model::head`] before its sigmoid or softmax: the hidden layer and the logits.
    fn head_logits(&self, bag: &[f32]) -> (Vec<f32>, Vec<f32>) {
        let mut hidden = self.b1.clone();
        for (x, row) in bag.iter().zip(self.w1.chunks_exact(HIDDEN)) {
            hidden.iter_mut().zip(row).for_each(|(h, w)| *h += x * w);
        }
        hidden.iter_mut().for_each(|h| *h = h.max(0.0));
        let mut logits = self.b2.clone();
        let outputs = logits.len();
        for (h, row) in hidden.iter().zip(self.w2.chunks_exact(outputs)) {
            logits.iter_mut().zip(row).for_each(|(z, w)| *z += h * w);
        }
        (hidden, logits)
    }

    /// What leaving a token out of a text changes in output `k`: the text's logits `with`
    /// ([`Model::head_logits`]) against those of the bag without the token, `rest`.
    fn pull(&self, with: &[f32], rest: &[f32], k: usize) -> Pull {
        let without = self.head_logits(rest).1;
        let probability = |z: &[f32]| {
            let mut z = z.to_vec();
            if z.len() == 1 {
                sigmoid(z[0])
            } else {
                softmax(&mut z);
                z[k]
            }
        };
        Pull {
            log_odds: log_odds(with, k) - log_odds(&without, k),
            probability: probability(with) - probability(&without),
        }
    }

    /// The output explanations weigh: the first label's for two labels (weights > 0 pull towards
    /// it), the predicted label's for more.
    fn explained_output(&self, output: &[f32]) -> usize {
        if output.len() == 1 {
            0
        } else {
            argmax(output)
        }
    }

    /// [`Model::explain_text`] for a polarity-1 file: the leave-one-out weight of each token,
    /// the score minus the score without that token (its unigram and the bigrams it is part
    /// of). Positive weights push towards `labels[0]` (two labels) or the predicted label (more).
    fn explain_v1(&self, tokens: &[Token]) -> (f32, Vec<Pull>) {
        let ids = self.vocab.encode_tokens(tokens);
        let full = self.forward(&ids);
        let k = self.explained_output(&full.output);
        let with = self.head_logits(&full.bag).1;
        // The bigram id of each adjacent pair, where its bucket has a row (pruned ones do not).
        let pairs: Vec<Option<u32>> = tokens
            .windows(2)
            .map(|p| self.vocab.bigram_id(&p[0].text, &p[1].text))
            .collect();
        // Un-normalised sum, to take rows away from.
        let scale = (full.count.max(1) as f32).sqrt();
        let sum: Vec<f32> = full.bag.iter().map(|b| b * scale).collect();
        let mut weights = Vec::with_capacity(tokens.len());
        for (i, token) in tokens.iter().enumerate() {
            let mut owned = vec![self.vocab.unigram_id(&token.text)];
            owned.extend(i.checked_sub(1).and_then(|j| pairs[j]));
            owned.extend(pairs.get(i).copied().flatten());
            let mut rest = sum.clone();
            for &id in &owned {
                let row = &self.embedding[id as usize * self.dim..][..self.dim];
                rest.iter_mut().zip(row).for_each(|(s, r)| *s -= r);
            }
            let norm = (full.count.saturating_sub(owned.len()).max(1) as f32).sqrt();
            rest.iter_mut().for_each(|s| *s /= norm);
            weights.push(self.pull(&with, &rest, k));
        }
        (full.output[k], weights)
    }

    /// The tokens of `text` as this model's tokenizer reads them, the explained probability (the
    /// score for two labels, the predicted label's for more), and each token's leave-one-out
    /// [`Pull`]: that probability (and its log-odds) minus the same for the text without that
    /// token (its own ids, the bigrams it is part of and, under polarity-2, the scopes it opens:
    /// leaving out "not" in "not bad" also takes its negation off "bad").
    pub fn explain_text(&self, text: &str) -> (Vec<Token>, f32, Vec<Pull>) {
        let (tokens, breaks) = match self.vocab.scheme() {
            Scheme::V1 => {
                let tokens = tokenize(text);
                let (score, weights) = self.explain_v1(&tokens);
                return (tokens, score, weights);
            }
            Scheme::V2(_) => self.vocab.read(text),
        };
        let vocab = &self.vocab;
        let full = self.forward(&vocab.encode_scoped(&tokens, &breaks, None));
        let k = self.explained_output(&full.output);
        let with = self.head_logits(&full.bag).1;
        let scale = (full.count.max(1) as f32).sqrt();
        let sum: Vec<f32> = full.bag.iter().map(|b| b * scale).collect();
        let silent = |i: usize| scope::is_silent(&tokens[i].text);
        let mut weights = Vec::with_capacity(tokens.len());
        for range in scope::sentences(&breaks) {
            let (part, part_breaks) = (&tokens[range.clone()], &breaks[range.clone()]);
            let mut own: Vec<Vec<u32>> = vec![Vec::new(); part.len()];
            let read = vocab.scope_tokens(part);
            vocab.scope_ids_of(&read, part_breaks, None, &mut |j, id| own[j].push(id));
            // The sentence's scope ids read again without an opener, reused for each.
            let mut again: Vec<Vec<u32>> = vec![Vec::new(); part.len()];
            for i in range.clone() {
                if silent(i) {
                    weights.push(Pull::default());
                    continue;
                }
                let mut removed = vec![vocab.unigram_id(&tokens[i].text)];
                if i > 0 && !silent(i - 1) {
                    removed.extend(vocab.pair_id(&tokens[i - 1].text, &tokens[i].text));
                }
                if i + 1 < tokens.len() && !silent(i + 1) {
                    removed.extend(vocab.pair_id(&tokens[i].text, &tokens[i + 1].text));
                }
                let mut added = Vec::new();
                let previous = i.checked_sub(1).map(|j| tokens[j].text.as_str());
                if scope::opens_scope(&tokens[i].text, previous) {
                    // Its sentence read again without it: the scope ids of every token whose
                    // scopes change (only those: a sentence of "but"s took seconds otherwise).
                    again.iter_mut().for_each(Vec::clear);
                    vocab.scope_ids_of(&read, part_breaks, Some(i - range.start), &mut |j, id| {
                        again[j].push(id)
                    });
                    for (before, after) in own
                        .iter()
                        .zip(&again)
                        .filter(|(b, a)| (!b.is_empty() || !a.is_empty()) && b != a)
                    {
                        removed.extend(before);
                        added.extend(after);
                    }
                } else {
                    removed.extend(&own[i - range.start]);
                }
                let mut rest = sum.clone();
                for (&id, sign) in removed
                    .iter()
                    .map(|id| (id, -1.0))
                    .chain(added.iter().map(|id| (id, 1.0)))
                {
                    let (row, weight) = self.row_weight(id);
                    let row = &self.embedding[row * self.dim..][..self.dim];
                    rest.iter_mut()
                        .zip(row)
                        .for_each(|(s, r)| *s += sign * (weight * r));
                }
                let count = (full.count + added.len()).saturating_sub(removed.len());
                let norm = (count.max(1) as f32).sqrt();
                rest.iter_mut().for_each(|s| *s /= norm);
                weights.push(self.pull(&with, &rest, k));
            }
        }
        (tokens, full.output[k], weights)
    }

    /// The same model keeping only the `keep` bigram rows with the largest norms (the bigrams that
    /// training found worth a large row); texts lose only the bigrams whose rows were dropped.
    #[cfg(feature = "cli")]
    pub(crate) fn prune_bigrams(&self, keep: usize) -> Result<Model, crate::Error> {
        let dim = self.dim;
        let first = self.vocab.first_bigram_id() as usize;
        let buckets: Vec<u32> = match self.vocab.kept_bigrams() {
            Some(kept) => kept.to_vec(),
            None => (0..self.vocab.bigram_buckets()).collect(),
        };
        let row = |i: usize| &self.embedding[(first + i) * dim..][..dim];
        let norm = |i: usize| row(i).iter().map(|x| x * x).sum::<f32>();
        let mut order: Vec<usize> = (0..buckets.len()).collect();
        order.sort_by(|&a, &b| norm(b).total_cmp(&norm(a)).then(a.cmp(&b)));
        order.truncate(keep);
        order.sort_unstable();
        let vocab = self
            .vocab
            .clone()
            .with_kept_bigrams(order.iter().map(|&i| buckets[i]).collect())?;
        let mut embedding = self.embedding[..first * dim].to_vec();
        for &i in &order {
            embedding.extend_from_slice(row(i));
        }
        Ok(Model {
            vocab,
            embedding: embedding.into(),
            ..self.clone()
        })
    }

    /// Number of `f32` parameters.
    pub fn parameters(&self) -> usize {
        self.embedding.len() + self.w1.len() + self.b1.len() + self.w2.len() + self.b2.len()
    }
}

/// The log-odds of output `k` from the head's logits: the logit itself for a sigmoid, and
/// `log(p_k / (1 - p_k))` for a softmax, computed from the logits so that it does not round to
/// infinity where `p_k` rounds to 1.
fn log_odds(logits: &[f32], k: usize) -> f32 {
    if logits.len() == 1 {
        return logits[0];
    }
    let others = logits
        .iter()
        .enumerate()
        .filter(|&(j, _)| j != k)
        .map(|(_, &z)| z);
    let max = others.clone().fold(f32::NEG_INFINITY, f32::max);
    let sum: f32 = others.map(|z| (z - max).exp()).sum();
    logits[k] - (max + sum.ln())
}

pub(crate) fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

/// Logits to probabilities, in place (the largest subtracted first, so no `exp` overflows).
pub(crate) fn softmax(values: &mut [f32]) {
    let max = values.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    values.iter_mut().for_each(|v| *v = (*v - max).exp());
    let sum: f32 = values.iter().sum();
    values.iter_mut().for_each(|v| *v /= sum);
}

/// Every label's probability from a head's outputs: `[p, 1 - p]` from a sigmoid's one.
pub fn probabilities(output: &[f32]) -> Vec<f32> {
    match output {
        [p] => vec![*p, 1.0 - p],
        more => more.to_vec(),
    }
}

/// Index of the largest value (the first of equals); 0 for an empty slice.
pub fn argmax(values: &[f32]) -> usize {
    let mut best = 0;
    for (i, v) in values.iter().enumerate() {
        if *v > values[best] {
            best = i;
        }
    }
    best
}

/// The label a head's outputs predict: the first when P(first) >= 0.5 for two labels, else the
/// most probable.
pub fn predicted(output: &[f32]) -> usize {
    match output {
        [p] => usize::from(*p < 0.5),
        more => argmax(more),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::text::tokenize;

    /// A small model with random weights, for tests across the crate.
    pub fn tiny_model(seed: u64) -> Model {
        tiny_model_of(seed, 8)
    }

    /// [`tiny_model`] with `dim` dimensions.
    pub fn tiny_model_of(seed: u64, dim: usize) -> Model {
        let words = ["good", "great", "bad", "awful", "film", "the", "!"]
            .map(String::from)
            .to_vec();
        let vocab = Vocabulary::new(words, 8, 32).unwrap();
        let mut rng = Rng::new(seed);
        let table = (0..vocab.rows() * dim)
            .map(|_| rng.symmetric(1.0))
            .collect();
        let labels = vec!["positive".to_string(), "negative".to_string()];
        Model::new(vocab, labels, dim, table, seed).unwrap()
    }

    /// [`tiny_model`] under polarity-2 with weighted negation and contrast scopes.
    pub fn tiny_weighted_model(seed: u64) -> Model {
        let mut m = tiny_model(seed);
        let Scheme::V2(features) = crate::recipe::Recipe::default().scheme() else {
            unreachable!("the recipe is polarity-2")
        };
        let features = crate::scope::Features {
            weighted: true,
            ..features
        };
        m.vocab = m.vocab.clone().with_scheme(Scheme::V2(features));
        m.scope_weights = [-2.5, 1.0, -0.5, -0.5];
        m
    }

    #[test]
    fn a_weighted_scope_adds_its_words_row_times_the_weight() {
        let m = tiny_weighted_model(3);
        let rows = m.vocab.rows() as u32;
        let (bad, good) = (m.vocab.unigram_id("bad"), m.vocab.unigram_id("good"));
        let not = m.vocab.unigram_id("not");
        let ids = m.vocab.encode("not bad");
        // The recipe's lone negators: no bigram for "not bad" (tiny tables have one for it).
        assert!(m.vocab.bigram_id("not", "bad").is_some());
        assert_eq!(m.vocab.pair_id("not", "bad"), None);
        assert_eq!(ids, [not, bad, bad + rows]);
        assert_eq!(m.vocab.row_of(bad + rows), (bad as usize, 1));
        // Contrast is band 2, concession band 3, before a contrast band 4.
        assert!(m.vocab.encode("bad but good").contains(&(good + 2 * rows)));
        assert!(m
            .vocab
            .encode("although good, bad")
            .contains(&(good + 3 * rows)));
        assert!(m.vocab.encode("good but bad").contains(&(good + 4 * rows)));

        let row = |id: u32| &m.embedding[id as usize * m.dim..][..m.dim];
        let bag = m.forward(&ids).bag;
        let n = (ids.len() as f32).sqrt();
        for (k, &got) in bag.iter().enumerate() {
            let sum = row(not)[k] + row(bad)[k] - 2.5 * row(bad)[k];
            assert!((got - sum / n).abs() < 1e-6, "{got} vs {}", sum / n);
        }
    }

    /// [`tiny_model`] with a softmax head over three labels.
    pub fn tiny_model3(seed: u64) -> Model {
        let mut m = tiny_model(seed);
        let labels = ["good", "bad", "meh"].map(String::from).to_vec();
        m.reset_head(labels, seed);
        m
    }

    #[test]
    fn forward_by_hand() {
        let mut m = tiny_model(1);
        m.w1.iter_mut().for_each(|w| *w = 0.0);
        m.b1 = vec![1.0; HIDDEN];
        m.w2 = vec![0.5; HIDDEN];
        m.b2 = vec![-16.0];
        // relu(1) * 0.5 * 32 - 16 = 0 -> sigmoid 0.5, whatever the text.
        assert!((m.score_text("good film") - 0.5).abs() < 1e-6);
        assert!((m.score(&[]).unwrap() - 0.5).abs() < 1e-6);
    }

    #[test]
    fn padding_changes_nothing() {
        let m = tiny_model(2);
        let ids = m.vocab.encode("the great film!");
        let mut padded = ids.clone();
        padded.extend([PAD; 5]);
        assert_eq!(m.score(&ids).unwrap(), m.score(&padded).unwrap());
    }

    #[test]
    fn explain_matches_removing_the_token() {
        let m = tiny_model(3);
        let tokens = tokenize("good film but awful");
        let (score, weights) = m.explain_v1(&tokens);
        assert!((score - m.score_text("good film but awful")).abs() < 1e-6);
        // Without bigrams in play, leaving out "awful" (last token: unigram + one bigram).
        let ids = m.vocab.encode_tokens(&tokens);
        let n = tokens.len();
        let without: Vec<u32> = ids
            .iter()
            .enumerate()
            .filter(|&(j, _)| j != n - 1 && j != 2 * n - 2)
            .map(|(_, &id)| id)
            .collect();
        let without = m.score(&without).unwrap();
        assert!((weights[n - 1].probability - (score - without)).abs() < 1e-5);
        assert!((weights[n - 1].log_odds - (logit(score) - logit(without))).abs() < 1e-3);
    }

    #[test]
    fn pruning_bigrams_keeps_the_largest_rows() {
        let m = tiny_model(5);
        let all = m.prune_bigrams(usize::MAX).unwrap();
        for text in ["good film", "the awful film!", "great great bad"] {
            assert!((all.score_text(text) - m.score_text(text)).abs() < 1e-6);
        }
        let pruned = m.prune_bigrams(4).unwrap();
        assert_eq!(pruned.vocab.rows(), m.vocab.rows() - 32 + 4);
        assert_eq!(pruned.embedding.len(), pruned.vocab.rows() * m.dim);
        // Every kept row is at least as large as every dropped one.
        let first = m.vocab.first_bigram_id() as usize;
        let norm = |r: &[f32]| r.iter().map(|x| x * x).sum::<f32>();
        let kept = pruned.vocab.kept_bigrams().unwrap();
        let smallest_kept = kept
            .iter()
            .map(|&b| norm(&m.embedding[(first + b as usize) * 8..][..8]))
            .fold(f32::INFINITY, f32::min);
        for b in (0..32).filter(|b| !kept.contains(b)) {
            assert!(norm(&m.embedding[(first + b as usize) * 8..][..8]) <= smallest_kept);
        }
        // A text whose bigrams were all kept scores as before.
        let ids = m.vocab.encode("good film");
        let bucket = ids[2] - m.vocab.first_bigram_id();
        if kept.contains(&bucket) {
            assert!((pruned.score_text("good film") - m.score_text("good film")).abs() < 1e-6);
        }
    }

    #[test]
    fn explain_works_with_pruned_bigrams() {
        let m = tiny_model(6).prune_bigrams(3).unwrap();
        let text = "good film the awful film great bad the film good";
        let tokens = tokenize(text);
        let (score, weights) = m.explain_v1(&tokens);
        assert_eq!(weights.len(), tokens.len());
        assert!((score - m.score_text(text)).abs() < 1e-6);
        // Each weight is exactly the score minus the score of the ids without that token's.
        for (i, w) in weights.iter().enumerate() {
            let mut rest = tokens.clone();
            rest.remove(i);
            let mut ids: Vec<u32> = rest.iter().map(|t| m.vocab.unigram_id(&t.text)).collect();
            for (j, pair) in tokens.windows(2).enumerate() {
                if j + 1 != i && j != i {
                    ids.extend(m.vocab.bigram_id(&pair[0].text, &pair[1].text));
                }
            }
            let without = m.score(&ids).unwrap();
            assert!(
                (w.probability - (score - without)).abs() < 1e-5,
                "token {i}"
            );
            assert!(
                (w.log_odds - (logit(score) - logit(without))).abs() < 1e-3,
                "token {i}"
            );
        }
    }

    #[test]
    fn polarity2_explanations_leave_one_token_and_its_scopes_out() {
        use crate::scope::{tokenize2, Features};
        for weighted in [false, true] {
            let mut m = tiny_model(7);
            let features = Features {
                negation: true,
                contrast: true,
                spelling: true,
                numbers: true,
                weighted,
                lone_negators: weighted,
            };
            m.vocab = m.vocab.clone().with_scheme(Scheme::V2(features));
            m.scope_weights = [-2.5, 1.0, -1.0, -1.0];
            leaving_one_token_out_is_explained(&m);
            // Three labels: towards the predicted one, as a softmax.
            m.reset_head(vec!["a".into(), "b".into(), "c".into()], 3);
            leaving_one_token_out_is_explained(&m);
        }
        // Leaving "not" out of "not bad" also takes its negation off "bad".
        let mut m = tiny_model(7);
        m.vocab = m.vocab.clone().with_scheme(Scheme::V2(Features {
            negation: true,
            ..Features::default()
        }));
        let (tokens, breaks) = tokenize2("not bad");
        let full = m.vocab.encode_scoped(&tokens, &breaks, None);
        let without_not = m.vocab.encode_scoped(&tokens, &breaks, Some(0));
        assert_eq!(without_not, vec![m.vocab.unigram_id("bad")]);
        assert!(full.len() >= 2);
    }

    /// The log-odds of a probability, for tests (explanations compute theirs from the logits).
    fn logit(p: f32) -> f32 {
        (p / (1.0 - p)).ln()
    }

    /// Each explained weight is the score minus the score of the text read without that token.
    fn leaving_one_token_out_is_explained(m: &Model) {
        for text in [
            "the film was not, in my opinion, bad but great! see https://x.y/z @me",
            "not bad",
            "I used to love the film, now it is awful. Although good, bad",
            "but good but bad but not good, but awful although bad used to love not never bad",
            "",
        ] {
            let (tokens, score, weights) = m.explain_text(text);
            let (same, breaks) = m.vocab.read(text);
            assert_eq!(tokens, same);
            // The explained output: the first label's for two labels, the predicted one's for more.
            let output = m.forward(&m.vocab.encode(text)).output;
            let k = m.explained_output(&output);
            assert!((score - output[k]).abs() < 1e-6);
            for (i, w) in weights.iter().enumerate() {
                let ids = m.vocab.encode_scoped(&tokens, &breaks, Some(i));
                let without = m.forward(&ids).output[k];
                assert!(
                    (w.probability - (score - without)).abs() < 1e-5,
                    "{text:?} token {i}"
                );
                assert!(
                    (w.log_odds - (logit(score) - logit(without))).abs() < 1e-3,
                    "{text:?} token {i}"
                );
            }
        }
    }

    #[test]
    fn log_odds_of_a_softmax_output_stay_finite_where_its_probability_rounds_to_1() {
        let logits = [0.5f32, -1.0, 2.0];
        let mut p = logits.to_vec();
        softmax(&mut p);
        for (k, &p) in p.iter().enumerate() {
            assert!((log_odds(&logits, k) - logit(p)).abs() < 1e-5, "{k}");
        }
        // p[0] is 1.0 in f32: its log-odds from the probability would be infinite.
        let sure = [60.0f32, 0.0, 0.0];
        let mut p = sure.to_vec();
        softmax(&mut p);
        assert_eq!(p[0], 1.0);
        assert!((log_odds(&sure, 0) - (60.0 - 2f32.ln())).abs() < 1e-4);
        assert_eq!(log_odds(&[7.5], 0), 7.5);
    }

    #[test]
    fn rejects_a_table_of_the_wrong_size() {
        let m = tiny_model(4);
        assert!(Model::new(m.vocab.clone(), m.labels.clone(), 8, vec![0.0; 3], 0).is_err());
    }
}
