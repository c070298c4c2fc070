//! `polarity fine-tune`: fine-tune a model on a labelled file, as `fineTune` does in the page; with
//! `--labels`, a new classifier for those labels first, as `Classifier.fromPretrained` makes.

use std::path::PathBuf;
use std::time::Instant;

use polarity::data::{check_writable, read_text};
use polarity::finetune::{parse_examples, FineTuneOptions};
use polarity::finetune::{Label, Labelled};
use polarity::{no_progress, Error};

#[derive(clap::Args)]
pub struct Args {
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
    /// Label names, comma-separated: start from the model's embedding with a fresh head for these
    /// labels (as `Classifier.fromPretrained`). Without it, the model's own labels. --data is a
    /// CSV / TSV of labels and texts, read as the page imports it: label names, or 1 / 0 for two
    /// labels (1 = the first).
    #[arg(long, value_delimiter = ',')]
    labels: Option<Vec<String>>,
    /// With --labels, keep the model's negation and contrast scopes (as
    /// `Classifier.fromPretrained({ scopes: true })`): for labels that follow sentiment.
    #[arg(long, requires = "labels")]
    scopes: bool,
}

pub fn run(args: Args) -> Result<(), Error> {
    check_writable(&args.out)?;
    // `--out` over its own data or model would lose them: train's --out and --card are held apart
    // the same way.
    let mut inputs = vec![args.data.as_path(), args.out.as_path()];
    inputs.extend(args.model.as_deref());
    polarity::data::check_distinct(&inputs)?;
    let mut clf = super::load(args.model.as_deref())?;
    if let Some(labels) = args.labels {
        clf = clf.from_pretrained(labels, polarity::finetune::seed(args.seed)?, args.scopes)?;
    }
    // Read as the page reads an import (comment lines included): every row must count.
    let parsed = parse_examples(&read_text(&args.data)?, clf.labels())?;
    if let Some(first) = parsed.errors.first() {
        let more = match parsed.errors.len() - 1 {
            0 => String::new(),
            n => format!(" (and {n} more rows)"),
        };
        // A file written for other labels: what to give --labels instead.
        let more = match parsed.unknown_labels.as_slice() {
            [] => more,
            names => format!("{more}; the file's other labels: {}", names.join(",")),
        };
        return Err(Error::InvalidInput(format!(
            "{}: {first}{more}",
            args.data.display()
        )));
    }
    let examples: Vec<Labelled> = parsed
        .rows
        .into_iter()
        .map(|(text, label)| Labelled {
            text,
            label: Label::Name(label),
        })
        .collect();
    if examples.is_empty() {
        return Err(Error::InvalidInput(format!(
            "{}: no labelled rows in it to learn from",
            args.data.display()
        )));
    }
    let options = FineTuneOptions {
        epochs: args.epochs,
        seed: args.seed,
        ..FineTuneOptions::default()
    };
    let started = Instant::now();
    let report = clf.fine_tune_examples(&examples, &options, &mut no_progress)?;
    for warning in &report.warnings {
        eprintln!("polarity: warning: {warning}");
    }
    eprintln!(
        "fine-tuned on {} examples: {} epochs, accuracy {:.4}, {:.0} ms",
        examples.len(),
        report.epochs,
        report.accuracy,
        started.elapsed().as_secs_f64() * 1000.0
    );
    super::write_model(&clf.to_bytes(), &args.out)
}
