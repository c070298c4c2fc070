//! `polarity eval`: accuracy, confusion matrix and speed of a model on a labelled file.

use polarity::data::Review;
use polarity::eval::evaluate;
use polarity::Error;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    source: super::Source,
    /// Reviews classified together (`classify_batch`).
    #[arg(long, default_value_t = 256, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..))]
    batch_size: usize,
}

pub fn run(args: Args) -> Result<(), Error> {
    let clf = super::load(args.source.model.as_deref())?;
    super::check_two_labels(&clf, "eval")?;
    let labels = clf.labels().to_vec();
    let (rows, numbers) = super::read_source(&args.source.data, &labels)?;
    let reviews: Vec<Review> = rows
        .into_iter()
        .map(|(text, i)| Review {
            positive: i == 0,
            text,
        })
        .collect();
    if reviews.is_empty() {
        return Err(Error::InvalidInput(format!(
            "{}: no reviews to evaluate",
            args.source.data.display()
        )));
    }
    // 1 is the model's first label, whatever its name: said when that is not "positive", as a
    // model of labels (negative, positive) read IMDB's 1 = positive the other way round.
    if numbers && labels[0] != "positive" {
        eprintln!(
            "polarity: note: 1 / 0 in {} are read as {} / {} (1 = the model's first label)",
            args.source.data.display(),
            labels[0],
            labels[1]
        );
    }
    let progress = super::bar(reviews.len() as u64, "classifying");
    let e = evaluate(&clf, &reviews, args.batch_size, &mut |done| {
        progress.set_position(done as u64)
    })?;
    progress.finish_and_clear();
    super::print_out(&format!("{e}, batches of {}\n", args.batch_size))
}
