//! `polarity fine-tune`: fine-tune a model on a labelled file, as `fineTune` does in the page.

use std::path::PathBuf;
use std::time::Instant;

use polarity::data::read_reviews;
use polarity::finetune::{FineTuneOptions, Label, Labelled};
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
}

pub fn run(args: Args) -> Result<(), Error> {
    let mut clf = super::load(args.model.as_deref())?;
    let examples: Vec<Labelled> = read_reviews(&args.data)?
        .into_iter()
        .map(|r| Labelled {
            text: r.text,
            label: Label::Number(if r.positive { 1.0 } else { 0.0 }),
        })
        .collect();
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
