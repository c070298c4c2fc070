//! `polarity eval`: accuracy, confusion matrix and speed of a model on a labelled file.

use polarity::data::read_reviews;
use polarity::eval::evaluate;
use polarity::Error;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    source: super::Source,
    #[arg(long, default_value_t = 256)]
    batch_size: usize,
}

pub fn run(args: Args) -> Result<(), Error> {
    let clf = super::load(args.source.model.as_deref())?;
    let reviews = read_reviews(&args.source.data)?;
    let progress = super::bar(reviews.len() as u64, "classifying");
    let e = evaluate(&clf, &reviews, args.batch_size, &mut |done| {
        progress.set_position(done as u64)
    })?;
    progress.finish_and_clear();
    println!("{e}, batches of {}", args.batch_size);
    Ok(())
}
