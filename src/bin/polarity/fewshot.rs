//! `polarity fewshot`: few-shot transfer from a starting model, over several samples, on IMDB or a
//! custom-label task (SMS spam, IMDB ratings in four classes).

use std::fmt::Write as _;
use std::path::PathBuf;

use polarity::fewshot::{self, draw, Head, Task};
use polarity::finetune::FineTuneOptions;
use polarity::{Classifier, Error};

#[derive(Clone, Copy, clap::ValueEnum)]
enum TaskName {
    Imdb,
    Sms,
    Ratings4,
    Sentences,
}

#[derive(clap::Args)]
#[command(allow_negative_numbers = true)]
pub struct Args {
    /// The model to start from (default: the bundled one, as `Classifier.fromPretrained`), e.g.
    /// model/pretrained.onnx.
    #[arg(long)]
    model: Option<PathBuf>,
    /// Data folder holding the task's texts (imdb/, sms-spam/, imdb-ratings/, sentences/)
    /// [default: $POLARITY_DATA or ../shared/data]
    #[arg(long)]
    data: Option<PathBuf>,
    /// What to learn: IMDB sentiment, SMS spam / ham, IMDB star ratings in 4 classes, or the
    /// short sentiment sentences (dev data: validation only).
    #[arg(long, value_enum, default_value = "imdb")]
    task: TaskName,
    /// Numbers of labelled texts, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "20,50,100,200,500")]
    n: Vec<usize>,
    /// Samples of each N, drawn with seeds 0, 1, ...
    #[arg(long, default_value_t = 3, value_parser = clap::builder::RangedU64ValueParser::<u64>::new().range(1..))]
    seeds: u64,
    /// Measure on the task's test split (for the reported figures) instead of validation.
    #[arg(long)]
    test: bool,
    /// Also measure each sample on the pool's texts it did not draw (training data, never
    /// test): a larger validation set for a small corpus such as SMS spam.
    #[arg(long)]
    with_unused: bool,
    /// Draw each sample in the pool's proportions, as texts come (SMS: 13% spam), each label at
    /// least once, instead of as many of each label as can be.
    #[arg(long)]
    natural: bool,
    /// Train without weighing each label alike (`balanceLabels: false`).
    #[arg(long)]
    no_balance: bool,
    /// Replace the embedding by random rows of the same scale (the baseline).
    #[arg(long)]
    random_embedding: bool,
    /// Epochs of each fine-tune (`epochs`; default: chosen by the texts' length, as `fineTune`
    /// chooses them).
    #[arg(long)]
    epochs: Option<f64>,
    /// The head's learning rate (`learningRate`; default: fineTune's).
    #[arg(long)]
    learning_rate: Option<f64>,
    /// Examples per step (`batchSize`; default: fineTune's).
    #[arg(long)]
    batch_size: Option<f64>,
    /// Train the head alone, the embedding kept as it is (`trainEmbedding: false`).
    #[arg(long)]
    freeze_embedding: bool,
    /// The embedding's learning rate as a share of the head's
    /// (`embeddingLearningRateScale`; default: chosen by the texts' length).
    #[arg(long)]
    embedding_lr_scale: Option<f64>,
    /// Fine-tunes averaged into one (default: 5 for short texts, 1 for reviews).
    #[arg(long)]
    runs: Option<f64>,
    /// Fine-tune the head stored in the file (as `Classifier.fromBytes` + `fineTune` does)
    /// instead of a fresh head drawn per seed.
    #[arg(long)]
    keep_head: bool,
    /// With a fresh head, keep the model's negation and contrast scopes (as
    /// `Classifier.fromPretrained({ scopes: true })`).
    #[arg(long, conflicts_with = "keep_head")]
    scopes: bool,
    /// Also write each sample and the evaluation texts as `label<TAB>text` files into this
    /// folder (`n<N>-seed<S>.tsv`, `eval.tsv`), for baselines run on the same samples
    /// (tools/tfidf_baseline.py).
    #[arg(long)]
    dump: Option<PathBuf>,
    /// Print one JSON object per sample ({"n", "seed", "accuracy", "f1", "best_cutoff_f1",
    /// "balanced_accuracy", "millis"}) instead of the table, for `make bench`.
    #[arg(long)]
    json: bool,
}

pub fn run(args: Args) -> Result<(), Error> {
    let options = FineTuneOptions {
        epochs: args.epochs,
        learning_rate: args.learning_rate,
        batch_size: args.batch_size,
        train_embedding: Some(!args.freeze_embedding),
        embedding_learning_rate_scale: args.embedding_lr_scale,
        runs: args.runs,
        balance_labels: Some(!args.no_balance),
        ..FineTuneOptions::default()
    };
    // Checked before the data is read, and named as flags, not at the first fine-tune.
    super::check_options(
        &options,
        &[
            ("epochs", "--epochs"),
            ("learningRate", "--learning-rate"),
            ("batchSize", "--batch-size"),
            ("embeddingLearningRateScale", "--embedding-lr-scale"),
            ("runs", "--runs"),
        ],
    )?;
    let data = super::data_dir(args.data.clone());
    let mut start = super::load(args.model.as_deref())?;
    if args.random_embedding {
        start = Classifier::from_model(&start.model().with_random_embedding(0xbad))?;
    }
    let task = match args.task {
        TaskName::Imdb => Task::imdb(&data, args.test),
        TaskName::Sms => Task::sms(&data, args.test),
        TaskName::Ratings4 => Task::ratings4(&data, args.test),
        TaskName::Sentences if args.test => {
            return Err(Error::InvalidInput(
                "the sentence sets are dev data: they have no test split".into(),
            ))
        }
        TaskName::Sentences => Task::sentences(&data),
    };
    let mut task = task.map_err(super::data_hint(&data))?;
    task.measure_unused |= args.with_unused;
    task.natural = args.natural;
    // A sample holds one text of each label at least: fine-tuning needs them.
    let fewest = task.labels.len();
    if let Some(n) = args.n.iter().find(|&&n| n < fewest || n > task.pool.len()) {
        return Err(Error::InvalidInput(format!(
            "--n {n}: a sample has from {fewest} texts (one of each of the task's {fewest} \
             labels) to {} (the task's pool)",
            task.pool.len()
        )));
    }
    // The kept head must be the task's, in its order (the F1 at the best cut-off reads the
    // score of the first label): else it failed at the first fine-tune, after the table's header.
    if args.keep_head && start.labels() != task.labels.as_slice() {
        return Err(Error::InvalidInput(format!(
            "--keep-head needs a model labelled {}; this one is labelled {}",
            task.labels.join(" / "),
            start.labels().join(" / ")
        )));
    }
    let head = if args.keep_head {
        Head::Kept
    } else {
        Head::Fresh {
            scopes: args.scopes,
        }
    };
    let on = if args.test { "test" } else { "validation" };
    let model = args
        .model
        .as_ref()
        .map_or("the bundled model".to_string(), |m| m.display().to_string());
    eprintln!(
        "start: {model}; task: {}; labels: {}; evaluated on its {on} split ({} texts){}",
        task.name,
        task.labels.join(" / "),
        task.eval.len(),
        if task.measure_unused {
            " and the pool's texts each sample did not draw"
        } else {
            ""
        }
    );
    if let Some(dir) = &args.dump {
        dump(dir, &task, &args.n, args.seeds)?;
    }
    let binary = task.labels.len() == 2;
    if args.json {
        for &n in &args.n {
            let samples = fewshot::run(&start, &task, n, args.seeds, head, &options)?;
            for (seed, s) in samples.iter().enumerate() {
                super::print_out(&format!(
                    "{}\n",
                    serde_json::json!({"n": n, "seed": seed, "accuracy": s.accuracy, "f1": s.f1, "best_cutoff_f1": s.best_cutoff_f1, "balanced_accuracy": s.balanced_accuracy, "millis": s.millis})
                ))?;
            }
        }
        return Ok(());
    }
    super::print_out(&format!(
        "n\taccuracy mean (min-max)\tbalanced accuracy{}\tms per fine-tune (median)\n",
        if binary {
            format!(
                "\t{0} F1 mean (min-max)\t{0} F1 at the best cut-off (an oracle)",
                task.labels[0]
            )
        } else {
            String::new()
        }
    ))?;
    for &n in &args.n {
        let samples = fewshot::run(&start, &task, n, args.seeds, head, &options)?;
        let mut millis: Vec<f64> = samples.iter().map(|s| s.millis).collect();
        millis.sort_by(f64::total_cmp);
        let median = millis.get(millis.len() / 2).copied().unwrap_or(0.0);
        let mut line = format!(
            "{n}\t{}\t{}",
            spread(samples.iter().map(|s| s.accuracy * 100.0)),
            spread(samples.iter().map(|s| s.balanced_accuracy * 100.0))
        );
        if binary {
            let _ = write!(line, "\t{}", spread(samples.iter().map(|s| s.f1 * 100.0)));
            let best = samples.iter().filter_map(|s| s.best_cutoff_f1);
            let _ = write!(line, "\t{}", spread(best.map(|f| f * 100.0)));
        }
        super::print_out(&format!("{line}\t{median:.0}\n"))?;
    }
    Ok(())
}

/// `mean% (min-max)`.
fn spread(values: impl Iterator<Item = f64>) -> String {
    let values: Vec<f64> = values.collect();
    let mean = values.iter().sum::<f64>() / values.len().max(1) as f64;
    let min = values.iter().copied().fold(f64::INFINITY, f64::min);
    let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    format!("{mean:.2}% ({min:.1}-{max:.1})")
}

fn dump(dir: &std::path::Path, task: &Task, ns: &[usize], seeds: u64) -> Result<(), Error> {
    let tsv = |rows: &[(String, usize)]| -> Vec<u8> {
        let mut out = String::new();
        for (text, label) in rows {
            let _ = writeln!(out, "{}\t{}", task.labels[*label], text.replace('\t', " "));
        }
        out.into_bytes()
    };
    polarity::data::write_file(&dir.join("eval.tsv"), &tsv(&task.eval))?;
    for &n in ns {
        for seed in 0..seeds {
            let sample = draw(&task.pool, task.labels.len(), n, seed);
            polarity::data::write_file(&dir.join(format!("n{n}-seed{seed}.tsv")), &tsv(&sample))?;
        }
    }
    Ok(())
}
