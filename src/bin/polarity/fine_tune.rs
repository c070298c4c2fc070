//! `polarity fine-tune`: fine-tune a model on a labelled file, as `fineTune` does in the page; with
//! `--labels`, a new classifier for those labels first, as `Classifier.fromPretrained` makes.

use std::path::PathBuf;
use std::time::Instant;

use polarity::data::{check_writable, read_import};
use polarity::finetune::{parse_examples, FineTuneOptions};
use polarity::finetune::{Label, Labelled};
use polarity::{no_progress, Error};

#[derive(clap::Args)]
#[command(allow_negative_numbers = true)]
pub struct Args {
    /// The model to start from (default: the bundled model/polarity.onnx).
    #[arg(long)]
    model: Option<PathBuf>,
    /// The labelled texts: CSV, TSV or `;`-separated, the label and the text in either order;
    /// UTF-8, UTF-16 with its byte-order mark, or Windows-1252 for a file that is neither (as the
    /// page reads an import).
    #[arg(long)]
    data: PathBuf,
    /// The fine-tuned model to write (its folder is made if missing); checked before training.
    #[arg(long)]
    out: PathBuf,
    /// Epochs (default: chosen by the texts' length, as `fineTune` chooses them); more than 1000
    /// is clamped to 1000, with a warning.
    #[arg(long)]
    epochs: Option<f64>,
    /// A whole number from 0 to 2^53 - 1 (default 42): the same seed, the same model.
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
    // the same way. The data and the model are only read: one file as both is no model, said so.
    polarity::data::check_distinct(&[&args.data, &args.out])?;
    if let Some(model) = &args.model {
        polarity::data::check_distinct(&[model, &args.out])?;
    }
    let options = FineTuneOptions {
        epochs: args.epochs,
        seed: args.seed,
        ..FineTuneOptions::default()
    };
    // The options first, named as flags: checked before the model and the data are read.
    let flag = |e: Error| Error::InvalidInput(format!("--{e}"));
    let seed = polarity::finetune::seed(args.seed).map_err(flag)?;
    options
        .resolve(usize::MAX, polarity::finetune::defaults::REFERENCE_IDS)
        .map_err(flag)?;
    let mut clf = super::load(args.model.as_deref())?;
    if let Some(labels) = args.labels {
        clf = clf
            .from_pretrained(labels, seed, args.scopes)
            .map_err(|e| Error::InvalidInput(format!("--labels: {e}")))?;
    }
    // Read as the page reads an import (comment lines included): every row must count.
    let in_data = |e: Error| match e {
        Error::InvalidInput(m) | Error::TooLarge(m) => {
            Error::InvalidInput(format!("{}: {m}", args.data.display()))
        }
        e => e,
    };
    let (text, encoding) = read_import(&args.data)?;
    match encoding {
        Some("windows-1252") => eprintln!(
            "polarity: note: {}: not UTF-8: read as Windows-1252 (as Excel saves CSV files), as \
             the page reads it",
            args.data.display()
        ),
        Some(other) => eprintln!(
            "polarity: note: {}: read as {other} (its byte-order mark says so), as the page reads it",
            args.data.display()
        ),
        None => {}
    }
    let parsed = parse_examples(&text, clf.labels()).map_err(in_data)?;
    if let Some(first) = parsed.errors.first() {
        let more = match parsed.errors.len() - 1 {
            0 => String::new(),
            1 => " (and 1 more row)".to_string(),
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
    let started = Instant::now();
    // What is wrong now is the data's ("no example is labelled ..."): named with its file.
    let report = clf
        .fine_tune_examples(&examples, &options, &mut no_progress)
        .map_err(in_data)?;
    for warning in &report.warnings {
        eprintln!("polarity: warning: {warning}");
    }
    eprintln!(
        "fine-tuned on {} examples: {} epoch{}, accuracy {:.4}, {:.0} ms",
        examples.len(),
        report.epochs,
        if report.epochs == 1 { "" } else { "s" },
        report.accuracy,
        started.elapsed().as_secs_f64() * 1000.0
    );
    super::write_model(&clf.to_bytes(), &args.out)
}
