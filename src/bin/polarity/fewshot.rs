//! `polarity fewshot`: few-shot transfer from a starting model, over several samples.

use std::path::PathBuf;

use polarity::data::read_reviews;
use polarity::fewshot::{self, Head};
use polarity::finetune::FineTuneOptions;
use polarity::recipe::{split, Recipe};
use polarity::{Classifier, Error};

#[derive(clap::Args)]
pub struct Args {
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

pub fn run(args: Args) -> Result<(), Error> {
    let data = super::data_dir(args.data.clone());
    let mut start = super::load(Some(&args.model))?;
    if args.random_embedding {
        start = Classifier::from_model(&start.model().with_random_embedding(0xbad))?;
    }
    let reviews = read_reviews(&data.join("imdb/train.tsv.gz"))?;
    let (pool, valid) = split(reviews, &Recipe::default());
    let eval = if args.test {
        read_reviews(&data.join("imdb/test.tsv.gz"))?
    } else {
        valid
    };
    let options = FineTuneOptions {
        epochs: args.epochs,
        learning_rate: args.learning_rate,
        batch_size: args.batch_size,
        train_embedding: Some(!args.freeze_embedding),
        embedding_learning_rate_scale: args.embedding_lr_scale,
        ..FineTuneOptions::default()
    };
    let head = if args.keep_head {
        Head::Kept
    } else {
        Head::Fresh
    };
    let on = if args.test {
        "IMDB test"
    } else {
        "validation split of IMDB train"
    };
    println!(
        "start: {}; evaluated on {on} ({} reviews)",
        args.model.display(),
        eval.len()
    );
    println!("n\tmean\tmin\tmax\tms per fine-tune (median)");
    for &n in &args.n {
        let samples = fewshot::run(&start, &pool, &eval, n, args.seeds, head, &options)?;
        let accuracies: Vec<f64> = samples.iter().map(|s| s.accuracy * 100.0).collect();
        let mut millis: Vec<f64> = samples.iter().map(|s| s.millis).collect();
        millis.sort_by(f64::total_cmp);
        let mean = accuracies.iter().sum::<f64>() / accuracies.len().max(1) as f64;
        let min = accuracies.iter().copied().fold(f64::INFINITY, f64::min);
        let max = accuracies.iter().copied().fold(0.0, f64::max);
        let median = millis.get(millis.len() / 2).copied().unwrap_or(0.0);
        println!("{n}\t{mean:.2}%\t{min:.2}%\t{max:.2}%\t{median:.0}");
    }
    Ok(())
}
