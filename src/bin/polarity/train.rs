//! `polarity train`: the shipped model from its [`Recipe`], and optionally its model card.

use std::path::PathBuf;

use polarity::data::read_reviews;
use polarity::recipe::Recipe;
use polarity::{onnx, Error};

/// Every flag defaults to the shipped model's recipe.
#[derive(clap::Args)]
#[command(allow_negative_numbers = true)]
pub struct Args {
    /// Data folder holding imdb/ and embeddings/ [default: $POLARITY_DATA or ../shared/data]
    #[arg(long)]
    data: Option<PathBuf>,
    /// Pre-trained table, a folder under embeddings/.
    #[arg(long, default_value_t = Recipe::default().embedding)]
    embedding: String,
    #[arg(long, default_value_t = Recipe::default().dim)]
    dim: usize,
    #[arg(long, default_value_t = Recipe::default().min_count)]
    min_count: usize,
    #[arg(long, default_value_t = Recipe::default().extend_min_count)]
    extend_min_count: usize,
    /// Hash buckets for words not in the vocabulary (at least 1: every word needs a row).
    #[arg(long, default_value_t = Recipe::default().oov_buckets, value_parser = clap::value_parser!(u32).range(1..))]
    oov_buckets: u32,
    #[arg(long, default_value_t = Recipe::default().bigram_buckets)]
    bigram_buckets: u32,
    #[arg(long, default_value_t = Recipe::default().row_norm)]
    row_norm: f32,
    /// Keep the table's Zipf/SIF weighting (it is undone for minilm tables otherwise).
    #[arg(long)]
    keep_sif: bool,
    /// Random rows instead of the pre-trained ones (a baseline for what pre-training is worth).
    #[arg(long)]
    random_init: bool,
    #[arg(long, default_value_t = Recipe::default().training.epochs)]
    epochs: usize,
    #[arg(long, default_value_t = Recipe::default().training.learning_rate)]
    learning_rate: f32,
    #[arg(long, default_value_t = Recipe::default().training.batch_size)]
    batch_size: usize,
    #[arg(long, default_value_t = Recipe::default().training.token_dropout)]
    token_dropout: f32,
    #[arg(long, default_value_t = Recipe::default().training.weight_decay)]
    weight_decay: f32,
    #[arg(long, default_value_t = Recipe::default().training.embedding_weight_decay)]
    embedding_weight_decay: f32,
    #[arg(long, default_value_t = Recipe::default().training.patience)]
    patience: usize,
    #[arg(long, default_value_t = Recipe::default().seed)]
    seed: u64,
    /// Where to write the model.
    #[arg(long, default_value = "model/polarity.onnx")]
    out: PathBuf,
    /// Also measure IMDB test (the final, reported number) and write the model card here.
    #[arg(long)]
    card: Option<PathBuf>,
    /// After training, keep only this many bigram rows (the largest) and train on (0: keep all).
    #[arg(long, default_value_t = Recipe::default().keep_bigrams.unwrap_or(0))]
    keep_bigrams: usize,
    /// Write the pre-trained embedding exactly as imported (no new words, never trained on
    /// labels) with a fresh head, for fine-tuning from scratch: e.g. model/pretrained.onnx.
    #[arg(long)]
    pretrained_only: bool,
    /// Recipe knobs as name=value (tokenizer, negation, contrast, spelling, crops,
    /// quantization=int8, ...: see `Recipe::set`).
    #[arg(long = "set")]
    set: Vec<String>,
}

impl Args {
    fn recipe(&self) -> Result<Recipe, Error> {
        let base = Recipe::default();
        let mut recipe = Recipe {
            dim: self.dim,
            min_count: self.min_count,
            // The pre-trained table as imported: no words of its own.
            extend_min_count: if self.pretrained_only {
                usize::MAX
            } else {
                self.extend_min_count
            },
            oov_buckets: self.oov_buckets,
            bigram_buckets: self.bigram_buckets,
            keep_bigrams: (self.keep_bigrams > 0).then_some(self.keep_bigrams),
            undo_sif: !self.keep_sif && self.embedding.starts_with("minilm"),
            row_norm: self.row_norm,
            random_init: self.random_init,
            seed: self.seed,
            embedding: self.embedding.clone(),
            training: polarity::recipe::Options {
                epochs: self.epochs,
                learning_rate: self.learning_rate,
                batch_size: self.batch_size,
                token_dropout: self.token_dropout,
                weight_decay: self.weight_decay,
                embedding_weight_decay: self.embedding_weight_decay,
                patience: self.patience,
                seed: self.seed,
                ..base.training
            },
            ..base
        };
        for knob in &self.set {
            recipe.set(knob).map_err(Error::InvalidInput)?;
        }
        Ok(recipe)
    }
}

pub fn run(args: Args) -> Result<(), Error> {
    let data = super::data_dir(args.data.clone());
    run_in(args, &data).map_err(super::data_hint(&data))
}

fn run_in(args: Args, data: &std::path::Path) -> Result<(), Error> {
    let recipe = args.recipe()?;
    polarity::data::check_writable(&args.out)?;
    if args.card.is_some() && args.pretrained_only {
        return Err(Error::InvalidInput(
            "--card describes a trained model; --pretrained-only writes an untrained one".into(),
        ));
    }
    // The card's test set is read before anything is written: a missing file must not leave a
    // new model in place of the old one and no card.
    let test = match &args.card {
        Some(card) => {
            polarity::data::check_writable(card)?;
            polarity::data::check_distinct(&[&args.out, card])?;
            Some(read_reviews(&data.join("imdb/test.tsv.gz"))?)
        }
        None => None,
    };
    eprintln!("recipe: {}", recipe.describe());
    let prepared = recipe.prepare(data)?;
    let vocab = prepared.model.vocab();
    eprintln!(
        "vocabulary: {} words + {} oov + {} bigram buckets, dim {}; {} train / {} validation reviews",
        vocab.word_count(),
        vocab.oov_buckets(),
        vocab.bigram_buckets(),
        prepared.model.dim(),
        prepared.train.len(),
        prepared.validation.len()
    );
    if args.pretrained_only {
        return super::write_model(&onnx::export(&prepared.model), &args.out);
    }
    let steps = prepared.train.len().div_ceil(recipe.training.batch_size) as u64;
    let progress = super::bar(steps, "epoch 1");
    let trained = recipe.fit(prepared, &mut |p| {
        progress.set_length(p.steps as u64);
        progress.set_message(format!("epoch {}/{}", p.epoch, p.epochs));
        progress.set_position(p.step as u64);
        polarity::Flow::Continue(())
    })?;
    progress.finish_and_clear();
    let (_, float_valid, shipped_valid) = trained.validation;
    eprintln!(
        "epochs {} (kept {}), train accuracy {:.4}, validation accuracy {float_valid:.4} (float) {shipped_valid:.4} ({}), {:.0} s",
        trained.report.epochs,
        trained.report.best_epoch,
        trained.report.accuracy,
        trained.model.format().name(),
        trained.seconds
    );
    let card = match (&args.card, &test) {
        (Some(path), Some(test)) => {
            let command: Vec<String> = std::env::args().collect();
            Some((
                path,
                recipe.model_card(&trained, test, &command, &args.out)?,
            ))
        }
        _ => None,
    };
    let model = onnx::export(&trained.model);
    match card {
        // Both or neither: a failed write leaves the old model with its old card.
        Some((path, card)) => {
            polarity::data::write_files(&[(&args.out, &model), (path, card.as_bytes())])?;
            super::say_written(&model, &args.out);
            eprintln!("wrote {}", path.display());
            Ok(())
        }
        None => super::write_model(&model, &args.out),
    }
}
