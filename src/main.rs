//! `polarity`: train the shipped model, evaluate a model on labelled reviews, classify text.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};

use polarity::data::{default_data_dir, read_embeddings, read_reviews, Review};
use polarity::recipe::{self, Recipe};
use polarity::train::{self, Options};
use polarity::{onnx, Classifier};

#[derive(Parser)]
#[command(
    version,
    about = "Sentiment classification with a pre-trained embedding, int8, run by tract"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Train on IMDB train (with a validation split carved from it) and write the model.
    Train(TrainArgs),
    /// Accuracy, confusion matrix and speed of a model on a LABEL<TAB>TEXT file.
    Eval {
        /// The labelled file (gzip or plain).
        #[arg(long)]
        data: PathBuf,
        /// The model (default: the bundled model/polarity.onnx).
        #[arg(long)]
        model: Option<PathBuf>,
        #[arg(long, default_value_t = 256)]
        batch_size: usize,
    },
    /// Label and score of each TEXT, or of each line of stdin when there is none.
    Classify {
        texts: Vec<String>,
        #[arg(long)]
        model: Option<PathBuf>,
    },
}

#[derive(clap::Args)]
struct TrainArgs {
    /// Data folder holding imdb/ and embeddings/ [default: $POLARITY_DATA or ../shared/data]
    #[arg(long)]
    data: Option<PathBuf>,
    /// Pre-trained table, a folder under embeddings/.
    #[arg(long, default_value = "minilm-words-64d")]
    embedding: String,
    #[arg(long, default_value_t = Recipe::default().dim)]
    dim: usize,
    #[arg(long, default_value_t = Recipe::default().min_count)]
    min_count: usize,
    #[arg(long, default_value_t = Recipe::default().extend_min_count)]
    extend_min_count: usize,
    #[arg(long, default_value_t = Recipe::default().oov_buckets)]
    oov_buckets: u32,
    #[arg(long, default_value_t = Recipe::default().bigram_buckets)]
    bigram_buckets: u32,
    #[arg(long, default_value_t = Recipe::default().row_norm)]
    row_norm: f32,
    #[arg(long)]
    keep_sif: bool,
    #[arg(long, default_value_t = 30)]
    epochs: usize,
    #[arg(long, default_value_t = 0.002)]
    learning_rate: f32,
    #[arg(long, default_value_t = 32)]
    batch_size: usize,
    #[arg(long, default_value_t = 0.0)]
    token_dropout: f32,
    #[arg(long, default_value_t = 0.0)]
    weight_decay: f32,
    #[arg(long, default_value_t = 2)]
    patience: usize,
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Where to write the model.
    #[arg(long, default_value = "model/polarity.onnx")]
    out: PathBuf,
    /// Also measure IMDB test (the final, reported number) and write the model card here.
    #[arg(long)]
    card: Option<PathBuf>,
}

fn main() {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Train(args) => train_command(args),
        Command::Eval {
            data,
            model,
            batch_size,
        } => eval_command(&data, model.as_deref(), batch_size).map(|_| ()),
        Command::Classify { texts, model } => classify_command(texts, model.as_deref()),
    };
    if let Err(message) = result {
        eprintln!("polarity: {message}");
        std::process::exit(1);
    }
}

fn load(model: Option<&Path>) -> Result<Classifier, String> {
    let bytes = match model {
        Some(path) => {
            std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?
        }
        None => polarity::BUNDLED_MODEL.to_vec(),
    };
    Classifier::from_bytes(&bytes).map_err(|e| e.to_string())
}

fn bar(len: u64, what: &str) -> ProgressBar {
    let bar = ProgressBar::new(len);
    bar.set_style(
        ProgressStyle::with_template("{msg:>12} [{bar:30}] {pos}/{len} {per_sec} eta {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_message(what.to_string());
    bar
}

/// Accuracy and confusion matrix of `clf` on `reviews`, with throughput.
struct Evaluation {
    accuracy: f64,
    /// [[true positive, false negative], [false positive, true negative]]
    confusion: [[usize; 2]; 2],
    reviews_per_second: f64,
}

fn evaluate(clf: &Classifier, reviews: &[Review], batch_size: usize) -> Result<Evaluation, String> {
    let progress = bar(reviews.len() as u64, "classifying");
    let start = Instant::now();
    let mut confusion = [[0usize; 2]; 2];
    for chunk in reviews.chunks(batch_size.max(1)) {
        let texts: Vec<&str> = chunk.iter().map(|r| r.text.as_str()).collect();
        let predictions = clf.classify_batch(&texts).map_err(|e| e.to_string())?;
        for (review, p) in chunk.iter().zip(predictions) {
            let said_positive = p.score >= 0.5;
            confusion[usize::from(!review.positive)][usize::from(!said_positive)] += 1;
        }
        progress.inc(chunk.len() as u64);
    }
    let seconds = start.elapsed().as_secs_f64();
    progress.finish_and_clear();
    let correct = confusion[0][0] + confusion[1][1];
    Ok(Evaluation {
        accuracy: correct as f64 / reviews.len().max(1) as f64,
        confusion,
        reviews_per_second: reviews.len() as f64 / seconds.max(1e-9),
    })
}

fn eval_command(
    data: &Path,
    model: Option<&Path>,
    batch_size: usize,
) -> Result<Evaluation, String> {
    let clf = load(model)?;
    let reviews = read_reviews(data)?;
    let e = evaluate(&clf, &reviews, batch_size)?;
    println!("reviews      {}", reviews.len());
    println!("accuracy     {:.4}%", e.accuracy * 100.0);
    println!("confusion    actual \\ predicted   positive  negative");
    println!(
        "             positive            {:>8}  {:>8}",
        e.confusion[0][0], e.confusion[0][1]
    );
    println!(
        "             negative            {:>8}  {:>8}",
        e.confusion[1][0], e.confusion[1][1]
    );
    println!(
        "speed        {:.0} reviews/s (batches of {batch_size}, one thread)",
        e.reviews_per_second
    );
    Ok(e)
}

fn classify_command(texts: Vec<String>, model: Option<&Path>) -> Result<(), String> {
    let clf = load(model)?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut print = |text: &str| -> Result<(), String> {
        let p = clf.classify(text).map_err(|e| e.to_string())?;
        writeln!(out, "{}\t{:.4}", p.label, p.score).map_err(|e| e.to_string())
    };
    if texts.is_empty() {
        for line in std::io::stdin().lock().lines() {
            print(&line.map_err(|e| format!("reading stdin: {e}"))?)?;
        }
    } else {
        for text in &texts {
            print(text)?;
        }
    }
    Ok(())
}

fn train_command(args: TrainArgs) -> Result<(), String> {
    let started = Instant::now();
    let data = args.data.clone().unwrap_or_else(default_data_dir);
    let recipe = Recipe {
        dim: args.dim,
        min_count: args.min_count,
        extend_min_count: args.extend_min_count,
        oov_buckets: args.oov_buckets,
        bigram_buckets: args.bigram_buckets,
        undo_sif: !args.keep_sif && args.embedding.starts_with("minilm"),
        row_norm: args.row_norm,
        validation_fraction: 0.1,
        seed: args.seed,
    };
    let options = Options {
        epochs: args.epochs,
        learning_rate: args.learning_rate,
        batch_size: args.batch_size,
        train_embedding: true,
        embedding_learning_rate_scale: 1.0,
        token_dropout: args.token_dropout,
        weight_decay: args.weight_decay,
        patience: args.patience,
        seed: args.seed,
    };
    let pretrained = read_embeddings(&data.join("embeddings").join(&args.embedding))?;
    let reviews = read_reviews(&data.join("imdb/train.tsv.gz"))?;
    let (train_reviews, valid_reviews) = recipe::split(reviews, &recipe);
    let labels = ["positive".to_string(), "negative".to_string()];
    let mut model = recipe::initial_model(&pretrained, &train_reviews, &recipe, labels)
        .map_err(|e| e.to_string())?;
    eprintln!(
        "vocabulary: {} words + {} oov + {} bigram buckets, dim {}; {} train / {} validation reviews",
        model.vocab.words().len(),
        recipe.oov_buckets,
        recipe.bigram_buckets,
        recipe.dim,
        train_reviews.len(),
        valid_reviews.len()
    );
    let train_set = recipe::encode(&model, &train_reviews);
    let valid_set = recipe::encode(&model, &valid_reviews);

    let steps = train_set.len().div_ceil(options.batch_size) as u64;
    let progress = bar(steps, "epoch 1");
    let mut last_epoch = 1;
    let report = train::train(&mut model, &train_set, &valid_set, &options, &mut |p| {
        if p.epoch != last_epoch {
            progress.println(format!("epoch {last_epoch} done"));
            last_epoch = p.epoch;
            progress.reset();
        }
        progress.set_message(format!("epoch {}", p.epoch));
        progress.set_position(p.step as u64);
    })
    .map_err(|e| e.to_string())?;
    progress.finish_and_clear();
    let train_seconds = started.elapsed().as_secs_f64();
    let (_, float_valid) = train::evaluate(&model, &valid_set);
    let (_, int8_valid) = train::evaluate(&model.round_trip_quantization(), &valid_set);
    eprintln!(
        "epochs {} (kept {}), train accuracy {:.4}, validation accuracy {:.4} (float) {:.4} (int8), {:.0} s",
        report.epochs, report.best_epoch, report.accuracy, float_valid, int8_valid, train_seconds
    );

    let bytes = onnx::export(&model);
    if let Some(dir) = args.out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    std::fs::write(&args.out, &bytes)
        .map_err(|e| format!("cannot write {}: {e}", args.out.display()))?;
    eprintln!("wrote {} ({} bytes)", args.out.display(), bytes.len());

    if let Some(card) = &args.card {
        let test = read_reviews(&data.join("imdb/test.tsv.gz"))?;
        let test_set = recipe::encode(&model, &test);
        let (_, float_test) = train::evaluate(&model, &test_set);
        let clf = Classifier::from_bytes(&bytes).map_err(|e| e.to_string())?;
        let e = evaluate(&clf, &test, 256)?;
        eprintln!(
            "IMDB test: {:.4} (float), {:.4} (int8, tract)",
            float_test, e.accuracy
        );
        let facts = polarity::card::Facts {
            recipe: &recipe,
            options: &options,
            embedding: &args.embedding,
            model: &model,
            report: &report,
            onnx_bytes: bytes.len(),
            gzip_bytes: gzip_len(&bytes),
            validation: (valid_set.len(), float_valid, int8_valid),
            test: (test.len(), float_test, e.accuracy as f32),
            confusion: e.confusion,
            train_seconds,
            command: std::env::args().collect::<Vec<_>>().join(" "),
        };
        std::fs::write(card, polarity::card::render(&facts))
            .map_err(|e| format!("cannot write {}: {e}", card.display()))?;
        eprintln!("wrote {}", card.display());
    }
    Ok(())
}

fn gzip_len(bytes: &[u8]) -> usize {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    enc.write_all(bytes)
        .and_then(|_| enc.finish())
        .map_or(0, |v| v.len())
}
