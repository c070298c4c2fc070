//! `polarity fine-tune`: fine-tune a model on a labelled file, as `fineTune` does in the page; with
//! `--labels`, a new classifier for those labels first, as `Classifier.fromPretrained` makes.

use std::path::PathBuf;
use std::time::Instant;

use polarity::data::{read_file, read_reviews};
use polarity::finetune::{parse_examples, FineTuneOptions, Label, Labelled};
use polarity::Error;

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
    /// labels (as `Classifier.fromPretrained`), and read --data as a CSV / TSV of label names and
    /// texts (as the page imports). Without it, --data is `1|0<TAB>text` for the model's labels.
    #[arg(long, value_delimiter = ',')]
    labels: Option<Vec<String>>,
}

pub fn run(args: Args) -> Result<(), Error> {
    let mut clf = super::load(args.model.as_deref())?;
    let examples: Vec<Labelled> = match args.labels {
        Some(labels) => {
            clf = clf.from_pretrained(labels, polarity::finetune::seed(args.seed)?)?;
            let bytes = read_file(&args.data)?;
            let content = String::from_utf8_lossy(&bytes);
            // Comment lines, as in the test fixtures.
            let content: String = content
                .lines()
                .filter(|l| !l.starts_with('#'))
                .map(|l| format!("{l}\n"))
                .collect();
            let parsed = parse_examples(&content, clf.labels())?;
            if let Some(first) = parsed.errors.first() {
                return Err(Error::InvalidInput(format!(
                    "{}: {first}",
                    args.data.display()
                )));
            }
            parsed
                .rows
                .into_iter()
                .map(|(text, label)| Labelled {
                    text,
                    label: Label::Name(label),
                })
                .collect()
        }
        None => read_reviews(&args.data)?
            .into_iter()
            .map(|r| Labelled {
                text: r.text,
                label: Label::Number(if r.positive { 1.0 } else { 0.0 }),
            })
            .collect(),
    };
    let options = FineTuneOptions {
        epochs: args.epochs,
        seed: args.seed,
        ..FineTuneOptions::default()
    };
    let started = Instant::now();
    let report = clf.fine_tune_examples(&examples, &options, &mut |_| {})?;
    eprintln!(
        "fine-tuned on {} examples: {} epochs, accuracy {:.4}, {:.0} ms",
        examples.len(),
        report.epochs,
        report.accuracy,
        started.elapsed().as_secs_f64() * 1000.0
    );
    polarity::data::write_file(&args.out, &clf.to_bytes())
}
