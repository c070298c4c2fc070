//! `polarity bench`: native timings for `make bench` (its ceiling row), as one JSON object:
//! tokenizing alone, `classify` one review at a time (p50, p99), `classify_batch` throughput and
//! fine-tuning speed, each the median of several runs.

use std::path::PathBuf;
use std::time::Instant;

use polarity::finetune::{resolve_examples, FineTuneOptions, Label, Labelled};
use polarity::{no_progress, Error};
use serde::Serialize;

#[derive(clap::Args)]
#[command(allow_negative_numbers = true)]
pub struct Args {
    #[command(flatten)]
    source: super::Source,
    /// Labelled reviews to fine-tune on, read as --data is (skipped when absent).
    #[arg(long)]
    train: Option<PathBuf>,
    /// Runs of each measurement; the medians are printed.
    #[arg(long, default_value_t = 5, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..))]
    runs: usize,
    #[arg(long, default_value_t = 256, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..))]
    batch_size: usize,
    #[arg(long, default_value_t = 10.0)]
    epochs: f64,
    #[arg(long, default_value_t = 16.0)]
    train_batch_size: f64,
    #[arg(long, default_value_t = 0.01)]
    learning_rate: f64,
}

/// What `make bench` reads (bench/run.mjs); times in microseconds, medians over `runs`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Timings {
    reviews: usize,
    runs: usize,
    typical_reviews: usize,
    tokenize_micros: Option<f64>,
    one_at_a_time_per_second: Option<f64>,
    p50_micros: Option<f64>,
    p99_micros: Option<f64>,
    p50_typical_micros: Option<f64>,
    batch_per_second: Option<f64>,
    batch_size: usize,
    fine_tune_examples: usize,
    fine_tune_epochs: usize,
    fine_tune_per_second: Option<f64>,
    peak_rss_bytes: Option<f64>,
}

fn median(mut values: Vec<f64>) -> Option<f64> {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied()
}

/// The value at quantile `q` of sorted `values` (nearest rank).
fn quantile(sorted: &[f64], q: f64) -> f64 {
    sorted[((sorted.len() as f64 * q).ceil() as usize).clamp(1, sorted.len()) - 1]
}

pub fn run(args: Args) -> Result<(), Error> {
    let options = FineTuneOptions {
        epochs: Some(args.epochs),
        learning_rate: Some(args.learning_rate),
        batch_size: Some(args.train_batch_size),
        train_embedding: Some(true),
        ..FineTuneOptions::default()
    };
    // Checked before minutes of timing, not after them.
    super::check_options(
        &options,
        &[
            ("epochs", "--epochs"),
            ("learningRate", "--learning-rate"),
            ("batchSize", "--train-batch-size"),
        ],
    )?;
    let clf = super::load(args.source.model.as_deref())?;
    let labels = clf.labels().to_vec();
    // Only the texts are timed: any label is read, as dump reads them.
    let reviews = super::read_texts(&args.source.data, &labels)?;
    if reviews.is_empty() {
        return Err(Error::InvalidInput(format!(
            "{}: no reviews to time",
            args.source.data.display()
        )));
    }
    // Read and checked before minutes of timing, as the options are: a file the model cannot
    // learn from failed only after them.
    let examples: Vec<Labelled> = match &args.train {
        Some(path) => {
            let (rows, _) = super::read_source(path, &labels)?;
            let examples: Vec<Labelled> = rows
                .into_iter()
                .map(|(text, i)| Labelled {
                    text,
                    label: Label::Name(labels[i].clone()),
                })
                .collect();
            resolve_examples(&labels, &examples)
                .map_err(|e| Error::InvalidInput(format!("{}: {e}", path.display())))?;
            examples
        }
        None => Vec::new(),
    };
    let texts: Vec<&str> = reviews.iter().map(String::as_str).collect();
    // Reviews of about the mean IMDB length (230 words) for the latency budget.
    let typical: Vec<usize> = (0..texts.len())
        .filter(|&i| (200..=260).contains(&texts[i].split_whitespace().count()))
        .collect();
    let n = texts.len() as f64;
    let runs = args.runs.max(1);
    let (mut tokenize, mut one, mut batch) = (Vec::new(), Vec::new(), Vec::new());
    let (mut p50, mut p99, mut p50_typical) = (Vec::new(), Vec::new(), Vec::new());
    // One untimed pass first, so every timed run sees warm caches.
    clf.classify_batch(&texts)?;
    for _ in 0..runs {
        let started = Instant::now();
        let vocab = clf.model().vocab();
        let ids: usize = texts.iter().map(|t| vocab.encode(t).len()).sum();
        tokenize.push(started.elapsed().as_secs_f64() * 1e6 / n);
        std::hint::black_box(ids);

        let mut micros = Vec::with_capacity(texts.len());
        let started = Instant::now();
        for text in &texts {
            let call = Instant::now();
            std::hint::black_box(clf.classify(text)?);
            micros.push(call.elapsed().as_secs_f64() * 1e6);
        }
        one.push(n / started.elapsed().as_secs_f64());
        let mut typical_micros: Vec<f64> = typical.iter().map(|&i| micros[i]).collect();
        typical_micros.sort_by(f64::total_cmp);
        micros.sort_by(f64::total_cmp);
        if !micros.is_empty() {
            p50.push(quantile(&micros, 0.5));
            p99.push(quantile(&micros, 0.99));
        }
        if !typical_micros.is_empty() {
            p50_typical.push(quantile(&typical_micros, 0.5));
        }

        let started = Instant::now();
        for chunk in texts.chunks(args.batch_size.max(1)) {
            std::hint::black_box(clf.classify_batch(chunk)?);
        }
        batch.push(n / started.elapsed().as_secs_f64());
    }
    let (mut fine_tune, mut epochs_run) = (Vec::new(), 0);
    if !examples.is_empty() {
        for _ in 0..runs {
            let mut tuned = super::load(args.source.model.as_deref())?;
            let started = Instant::now();
            let report = tuned.fine_tune_examples(&examples, &options, &mut no_progress)?;
            epochs_run = report.epochs;
            fine_tune
                .push((examples.len() * report.epochs) as f64 / started.elapsed().as_secs_f64());
        }
    }
    let timings = Timings {
        reviews: texts.len(),
        runs,
        typical_reviews: typical.len(),
        tokenize_micros: median(tokenize),
        one_at_a_time_per_second: median(one),
        p50_micros: median(p50),
        p99_micros: median(p99),
        p50_typical_micros: median(p50_typical),
        batch_per_second: median(batch),
        batch_size: args.batch_size,
        fine_tune_examples: examples.len(),
        fine_tune_epochs: epochs_run,
        fine_tune_per_second: median(fine_tune),
        peak_rss_bytes: peak_resident_bytes(),
    };
    let json = serde_json::to_string(&timings).map_err(|e| Error::InvalidInput(e.to_string()))?;
    super::print_out(&format!("{json}\n"))
}

/// Peak resident memory of this process (Linux; `None` elsewhere).
fn peak_resident_bytes() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kib = status.lines().find_map(|l| l.strip_prefix("VmHWM:"))?;
    let kib: f64 = kib.trim().trim_end_matches("kB").trim().parse().ok()?;
    Some(kib * 1024.0)
}
