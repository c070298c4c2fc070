//! `polarity`: train the shipped model, evaluate a model on labelled reviews, classify text, and
//! time it all natively (`bench`, the ceiling row of `make bench`).

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
    /// Fine-tune a model on a LABEL<TAB>TEXT file (1 = the model's first label) and write it.
    FineTune {
        #[arg(long)]
        model: Option<PathBuf>,
        #[arg(long)]
        data: PathBuf,
        #[arg(long)]
        out: PathBuf,
        #[arg(long)]
        epochs: Option<f64>,
        #[arg(long)]
        seed: Option<f64>,
    },
    /// Token ids and tract's score of each review, as JSON lines (to cross-check other engines).
    Dump {
        #[arg(long)]
        data: PathBuf,
        #[arg(long)]
        model: Option<PathBuf>,
    },
    /// Few-shot transfer: fine-tune a model on N balanced IMDB-train reviews, several seeds,
    /// and measure accuracy on the validation split (or, with --test, on IMDB test).
    Fewshot(FewshotArgs),
    /// Native timings for `make bench`, as one JSON object: tokenizing alone, `classify` one review
    /// at a time (p50, p99), `classify_batch` throughput, fine-tuning speed; medians of runs.
    Bench(BenchArgs),
    /// Short-text report: IMDB validation, sentence sets, negation suite, typo/URL/@name flips.
    Report {
        #[arg(long)]
        model: Option<PathBuf>,
        #[arg(long)]
        data: Option<PathBuf>,
        /// Also IMDB test (the final, reported number only).
        #[arg(long)]
        test: bool,
    },
    /// Label and score of each TEXT, or of each line of stdin when there is none.
    Classify {
        texts: Vec<String>,
        #[arg(long)]
        model: Option<PathBuf>,
    },
}

#[derive(clap::Args)]
struct FewshotArgs {
    /// The model to start from, e.g. model/pretrained.onnx.
    #[arg(long)]
    model: PathBuf,
    #[arg(long)]
    data: Option<PathBuf>,
    /// Numbers of labelled reviews, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "20,50,100,200,500")]
    n: Vec<usize>,
    #[arg(long, default_value_t = 3)]
    seeds: u64,
    /// Measure on IMDB test (for the reported figures) instead of the validation split.
    #[arg(long)]
    test: bool,
    /// Replace the embedding by random rows of the same scale (the baseline).
    #[arg(long)]
    random_embedding: bool,
    #[arg(long)]
    epochs: Option<f64>,
    #[arg(long)]
    learning_rate: Option<f64>,
    #[arg(long)]
    batch_size: Option<f64>,
    #[arg(long)]
    freeze_embedding: bool,
    #[arg(long)]
    embedding_lr_scale: Option<f64>,
    /// Fine-tune the head stored in the file (as `Classifier.fromBytes` + `fineTune` does)
    /// instead of a fresh head drawn per seed.
    #[arg(long)]
    keep_head: bool,
}

#[derive(clap::Args)]
struct BenchArgs {
    /// The reviews to classify (LABEL<TAB>TEXT, gzip or plain).
    #[arg(long)]
    data: PathBuf,
    /// Labelled reviews to fine-tune on (skipped when absent).
    #[arg(long)]
    train: Option<PathBuf>,
    #[arg(long)]
    model: Option<PathBuf>,
    /// Runs of each measurement; the medians are printed.
    #[arg(long, default_value_t = 5)]
    runs: usize,
    #[arg(long, default_value_t = 256)]
    batch_size: usize,
    #[arg(long, default_value_t = 10.0)]
    epochs: f64,
    #[arg(long, default_value_t = 16.0)]
    train_batch_size: f64,
    #[arg(long, default_value_t = 0.01)]
    learning_rate: f64,
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
    /// Random rows instead of the pre-trained ones (a baseline for what pre-training is worth).
    #[arg(long)]
    random_init: bool,
    #[arg(long, default_value_t = 30)]
    epochs: usize,
    #[arg(long, default_value_t = 0.002)]
    learning_rate: f32,
    #[arg(long, default_value_t = 256)]
    batch_size: usize,
    #[arg(long, default_value_t = 0.2)]
    token_dropout: f32,
    #[arg(long, default_value_t = 0.0)]
    weight_decay: f32,
    #[arg(long, default_value_t = 0.0)]
    embedding_weight_decay: f32,
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
    /// After training, keep only this many bigram rows (the largest) and train on (0: keep all).
    #[arg(long, default_value_t = Recipe::default().keep_bigrams.unwrap_or(0))]
    keep_bigrams: usize,
    /// Write the pre-trained embedding exactly as imported (no new words, never trained on
    /// labels) with a fresh head, for fine-tuning from scratch: e.g. model/pretrained.onnx.
    #[arg(long)]
    pretrained_only: bool,
    /// Recipe knobs as name=value (tokenizer, negation, contrast, spelling, crops, ...: see
    /// `Recipe::set`).
    #[arg(long = "set")]
    set: Vec<String>,
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
        Command::Fewshot(args) => fewshot_command(args),
        Command::FineTune {
            model,
            data,
            out,
            epochs,
            seed,
        } => fine_tune_command(model.as_deref(), &data, &out, epochs, seed),
        Command::Dump { data, model } => dump_command(&data, model.as_deref()),
        Command::Bench(args) => bench_command(&args),
        Command::Classify { texts, model } => classify_command(texts, model.as_deref()),
        Command::Report { model, data, test } => load(model.as_deref()).and_then(|clf| {
            let data = data.unwrap_or_else(default_data_dir);
            polarity::suites::report(&clf, &data, test).map(|r| print!("{r}"))
        }),
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

fn fewshot_command(args: FewshotArgs) -> Result<(), String> {
    use polarity::finetune::{FineTuneOptions, Label, Labelled};
    let data = args.data.clone().unwrap_or_else(default_data_dir);
    let mut base = load(Some(&args.model))?;
    if args.random_embedding {
        let mut model = base.model().clone();
        let mut rng = polarity::rng::Rng::new(0xbad);
        let std = (model.embedding.iter().map(|x| x * x).sum::<f32>()
            / model.embedding.len() as f32)
            .sqrt();
        let limit = std * 3f32.sqrt();
        model
            .embedding
            .iter_mut()
            .for_each(|x| *x = rng.symmetric(limit));
        model.embedding[..model.dim]
            .iter_mut()
            .for_each(|x| *x = 0.0);
        base = Classifier::from_model(&model).map_err(|e| e.to_string())?;
    }
    let reviews = read_reviews(&data.join("imdb/train.tsv.gz"))?;
    let (pool, valid) = recipe::split(reviews, &Recipe::default());
    let eval_set = if args.test {
        read_reviews(&data.join("imdb/test.tsv.gz"))?
    } else {
        valid
    };
    let eval_texts: Vec<&str> = eval_set.iter().map(|r| r.text.as_str()).collect();
    let (positives, negatives): (Vec<&Review>, Vec<&Review>) =
        pool.iter().partition(|r| r.positive);
    println!(
        "start: {}; evaluated on {} ({} reviews)",
        args.model.display(),
        if args.test {
            "IMDB test"
        } else {
            "validation split of IMDB train"
        },
        eval_set.len()
    );
    println!("n\tmean\tmin\tmax\tms per fine-tune (median)");
    for &n in &args.n {
        let (mut accuracies, mut millis) = (Vec::new(), Vec::new());
        for seed in 0..args.seeds {
            let mut rng = polarity::rng::Rng::new(1000 + seed);
            let mut pick = |group: &[&Review], k: usize| -> Vec<Labelled> {
                let mut idx: Vec<usize> = (0..group.len()).collect();
                rng.shuffle(&mut idx);
                idx[..k.min(idx.len())]
                    .iter()
                    .map(|&i| Labelled {
                        text: group[i].text.clone(),
                        label: Label::Number(f64::from(u8::from(group[i].positive))),
                    })
                    .collect()
            };
            let mut examples = pick(&positives, n / 2);
            examples.extend(pick(&negatives, n - n / 2));
            let options = FineTuneOptions {
                epochs: args.epochs,
                learning_rate: args.learning_rate,
                batch_size: args.batch_size,
                train_embedding: Some(!args.freeze_embedding),
                seed: Some(seed as f64),
                validation_split: None,
                embedding_learning_rate_scale: args.embedding_lr_scale,
            };
            let mut clf = if args.keep_head {
                Classifier::from_model(base.model()).map_err(|e| e.to_string())?
            } else {
                base.from_pretrained(base.labels().clone(), seed)
                    .map_err(|e| e.to_string())?
            };
            let started = Instant::now();
            clf.fine_tune_examples(&examples, &options, &mut |_| {})
                .map_err(|e| e.to_string())?;
            millis.push(started.elapsed().as_secs_f64() * 1000.0);
            let predictions = clf.classify_batch(&eval_texts).map_err(|e| e.to_string())?;
            let correct = eval_set
                .iter()
                .zip(&predictions)
                .filter(|(r, p)| r.positive == (p.score >= 0.5))
                .count();
            accuracies.push(correct as f64 / eval_set.len() as f64);
        }
        millis.sort_by(f64::total_cmp);
        let mean = accuracies.iter().sum::<f64>() / accuracies.len() as f64;
        let min = accuracies.iter().copied().fold(f64::INFINITY, f64::min);
        let max = accuracies.iter().copied().fold(0.0, f64::max);
        println!(
            "{n}\t{:.2}%\t{:.2}%\t{:.2}%\t{:.0}",
            mean * 100.0,
            min * 100.0,
            max * 100.0,
            millis[millis.len() / 2]
        );
    }
    Ok(())
}

fn fine_tune_command(
    model: Option<&Path>,
    data: &Path,
    out: &Path,
    epochs: Option<f64>,
    seed: Option<f64>,
) -> Result<(), String> {
    use polarity::finetune::{FineTuneOptions, Label, Labelled};
    let mut clf = load(model)?;
    let examples: Vec<Labelled> = read_reviews(data)?
        .into_iter()
        .map(|r| Labelled {
            text: r.text,
            label: Label::Number(if r.positive { 1.0 } else { 0.0 }),
        })
        .collect();
    let options = FineTuneOptions {
        epochs,
        seed,
        ..FineTuneOptions::default()
    };
    let started = Instant::now();
    let report = clf
        .fine_tune_examples(&examples, &options, &mut |_| {})
        .map_err(|e| e.to_string())?;
    eprintln!(
        "fine-tuned on {} examples: {} epochs, accuracy {:.4}, {:.0} ms",
        examples.len(),
        report.epochs,
        report.accuracy,
        started.elapsed().as_secs_f64() * 1000.0
    );
    std::fs::write(out, clf.to_bytes()).map_err(|e| format!("cannot write {}: {e}", out.display()))
}

fn dump_command(data: &Path, model: Option<&Path>) -> Result<(), String> {
    let clf = load(model)?;
    let reviews = read_reviews(data)?;
    let ids: Vec<Vec<u32>> = reviews
        .iter()
        .map(|r| clf.model().vocab.encode(&r.text))
        .collect();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    for (ids, p) in ids
        .iter()
        .zip(clf.score_ids(&ids).map_err(|e| e.to_string())?)
    {
        let list: Vec<String> = ids.iter().map(u32::to_string).collect();
        writeln!(
            out,
            "{{\"ids\":[{}],\"score\":{:?}}}",
            list.join(","),
            p.score
        )
        .map_err(|e| e.to_string())?;
    }
    Ok(())
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// The value at quantile `q` of sorted `values` (nearest rank).
fn quantile(sorted: &[f64], q: f64) -> f64 {
    sorted[((sorted.len() as f64 * q).ceil() as usize).clamp(1, sorted.len()) - 1]
}

fn bench_command(args: &BenchArgs) -> Result<(), String> {
    use polarity::finetune::{FineTuneOptions, Label, Labelled};
    let clf = load(args.model.as_deref())?;
    let reviews = read_reviews(&args.data)?;
    let texts: Vec<&str> = reviews.iter().map(|r| r.text.as_str()).collect();
    // Reviews of about the mean IMDB length (230 words) for the latency budget.
    let typical: Vec<usize> = (0..texts.len())
        .filter(|&i| (200..=260).contains(&texts[i].split_whitespace().count()))
        .collect();
    let n = texts.len() as f64;
    let runs = args.runs.max(1);
    let (mut tokenize, mut one, mut batch) = (Vec::new(), Vec::new(), Vec::new());
    let (mut p50, mut p99, mut p50_typical) = (Vec::new(), Vec::new(), Vec::new());
    // One untimed pass first, so every timed run sees warm caches.
    clf.classify_batch(&texts).map_err(|e| e.to_string())?;
    for _ in 0..runs {
        let started = Instant::now();
        let ids: usize = texts
            .iter()
            .map(|t| clf.model().vocab.encode(t).len())
            .sum();
        tokenize.push(started.elapsed().as_secs_f64() * 1e6 / n);
        std::hint::black_box(ids);

        let mut micros = Vec::with_capacity(texts.len());
        let started = Instant::now();
        for text in &texts {
            let call = Instant::now();
            std::hint::black_box(clf.classify(text).map_err(|e| e.to_string())?);
            micros.push(call.elapsed().as_secs_f64() * 1e6);
        }
        one.push(n / started.elapsed().as_secs_f64());
        let mut typical_micros: Vec<f64> = typical.iter().map(|&i| micros[i]).collect();
        typical_micros.sort_by(f64::total_cmp);
        micros.sort_by(f64::total_cmp);
        p50.push(quantile(&micros, 0.5));
        p99.push(quantile(&micros, 0.99));
        if !typical_micros.is_empty() {
            p50_typical.push(quantile(&typical_micros, 0.5));
        }

        let started = Instant::now();
        for chunk in texts.chunks(args.batch_size.max(1)) {
            std::hint::black_box(clf.classify_batch(chunk).map_err(|e| e.to_string())?);
        }
        batch.push(n / started.elapsed().as_secs_f64());
    }
    let mut fine_tune = Vec::new();
    let mut epochs_run = 0;
    let examples: Vec<Labelled> = match &args.train {
        Some(path) => read_reviews(path)?
            .into_iter()
            .map(|r| Labelled {
                text: r.text,
                label: Label::Number(f64::from(u8::from(r.positive))),
            })
            .collect(),
        None => Vec::new(),
    };
    if !examples.is_empty() {
        let options = FineTuneOptions {
            epochs: Some(args.epochs),
            learning_rate: Some(args.learning_rate),
            batch_size: Some(args.train_batch_size),
            train_embedding: Some(true),
            ..FineTuneOptions::default()
        };
        for _ in 0..runs {
            let mut tuned = load(args.model.as_deref())?;
            let started = Instant::now();
            let report = tuned
                .fine_tune_examples(&examples, &options, &mut |_| {})
                .map_err(|e| e.to_string())?;
            let seconds = started.elapsed().as_secs_f64();
            epochs_run = report.epochs;
            fine_tune.push((examples.len() * report.epochs) as f64 / seconds);
        }
    }
    // Peak resident memory of this process (Linux; null elsewhere).
    let peak_kib = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        });
    let or_null = |v: Vec<f64>| {
        if v.is_empty() {
            "null".to_string()
        } else {
            format!("{:.3}", median(v))
        }
    };
    println!(
        "{{\"reviews\":{},\"runs\":{runs},\"typicalReviews\":{},\"tokenizeMicros\":{},\
         \"oneAtATimePerSecond\":{},\"p50Micros\":{},\"p99Micros\":{},\"p50TypicalMicros\":{},\
         \"batchPerSecond\":{},\"batchSize\":{},\"fineTuneExamples\":{},\"fineTuneEpochs\":{epochs_run},\
         \"fineTunePerSecond\":{},\"peakRssBytes\":{}}}",
        texts.len(),
        typical.len(),
        or_null(tokenize),
        or_null(one),
        or_null(p50),
        or_null(p99),
        or_null(p50_typical),
        or_null(batch),
        args.batch_size,
        examples.len(),
        or_null(fine_tune),
        peak_kib.map_or("null".to_string(), |k| format!("{}", k * 1024.0)),
    );
    Ok(())
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
    let mut recipe = Recipe {
        dim: args.dim,
        min_count: args.min_count,
        // The pre-trained table as imported: no words of its own.
        extend_min_count: if args.pretrained_only {
            usize::MAX
        } else {
            args.extend_min_count
        },
        oov_buckets: args.oov_buckets,
        bigram_buckets: args.bigram_buckets,
        keep_bigrams: (args.keep_bigrams > 0).then_some(args.keep_bigrams),
        undo_sif: !args.keep_sif && args.embedding.starts_with("minilm"),
        row_norm: args.row_norm,
        validation_fraction: 0.1,
        random_init: args.random_init,
        seed: args.seed,
        ..Recipe::default()
    };
    for knob in &args.set {
        recipe.set(knob)?;
    }
    eprintln!("recipe: {}", recipe.describe());
    let options = Options {
        epochs: args.epochs,
        learning_rate: args.learning_rate,
        batch_size: args.batch_size,
        train_embedding: true,
        embedding_learning_rate_scale: 1.0,
        token_dropout: args.token_dropout,
        weight_decay: args.weight_decay,
        embedding_weight_decay: args.embedding_weight_decay,
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
    if args.pretrained_only {
        return write_model(&model, &args.out);
    }
    let train_reviews = recipe::with_crops(&train_reviews, &recipe);
    let (train_set, valid_set, report) = fit(&mut model, &train_reviews, &valid_reviews, &options)?;
    let (train_set, valid_set, report) = match recipe.keep_bigrams {
        Some(keep) => {
            // Second phase: keep the bigram rows training made large, then train on without the rest.
            recipe::seed_scopes(&mut model, &recipe);
            model = model.prune_bigrams(keep).map_err(|e| e.to_string())?;
            eprintln!("kept {keep} bigram rows; training on");
            fit(&mut model, &train_reviews, &valid_reviews, &options)?
        }
        None => (train_set, valid_set, report),
    };
    drop(train_set);
    let train_seconds = started.elapsed().as_secs_f64();
    let (_, float_valid) = train::evaluate(&model, &valid_set);
    let (_, int8_valid) = train::evaluate(&model.round_trip_quantization(), &valid_set);
    eprintln!(
        "epochs {} (kept {}), train accuracy {:.4}, validation accuracy {:.4} (float) {:.4} (int8), {:.0} s",
        report.epochs, report.best_epoch, report.accuracy, float_valid, int8_valid, train_seconds
    );
    write_model(&model, &args.out)?;
    let bytes = onnx::export(&model);

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

/// Trains `model` with a progress bar; returns the encoded sets and the report.
fn fit(
    model: &mut polarity::Model,
    train_reviews: &[Review],
    valid_reviews: &[Review],
    options: &Options,
) -> Result<(Vec<train::Example>, Vec<train::Example>, train::Report), String> {
    let train_set = recipe::encode(model, train_reviews);
    let valid_set = recipe::encode(model, valid_reviews);
    let steps = train_set.len().div_ceil(options.batch_size) as u64;
    let progress = bar(steps, "epoch 1");
    let report = train::train(model, &train_set, &valid_set, options, &mut |p| {
        progress.set_message(format!("epoch {}/{}", p.epoch, p.epochs));
        progress.set_position(p.step as u64);
    })
    .map_err(|e| e.to_string())?;
    progress.finish_and_clear();
    Ok((train_set, valid_set, report))
}

fn write_model(model: &polarity::Model, out: &Path) -> Result<(), String> {
    let bytes = onnx::export(model);
    if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    std::fs::write(out, &bytes).map_err(|e| format!("cannot write {}: {e}", out.display()))?;
    eprintln!(
        "wrote {} ({} bytes, {} after gzip -9)",
        out.display(),
        bytes.len(),
        gzip_len(&bytes)
    );
    Ok(())
}

fn gzip_len(bytes: &[u8]) -> usize {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    enc.write_all(bytes)
        .and_then(|_| enc.finish())
        .map_or(0, |v| v.len())
}
