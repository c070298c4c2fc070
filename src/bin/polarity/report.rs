//! `polarity report`: how a model reads short texts, in one table: IMDB validation, the sentence
//! sets, the negation and contrast suite, and how often a typo, URL, @name or emoji flips a
//! prediction (`polarity::suites`).

use std::path::PathBuf;

use polarity::Error;

#[derive(clap::Args)]
pub struct Args {
    /// The model (default: the bundled model/polarity.onnx).
    #[arg(long)]
    model: Option<PathBuf>,
    /// The data folder (default: $POLARITY_DATA, else ../shared/data).
    #[arg(long)]
    data: Option<PathBuf>,
    /// Also IMDB test (the final, reported number only).
    #[arg(long)]
    test: bool,
}

pub fn run(args: Args) -> Result<(), Error> {
    let clf = super::load(args.model.as_deref())?;
    super::check_two_labels(&clf, "report")?;
    let data = super::data_dir(args.data);
    let report =
        polarity::suites::report(&clf, &data, args.test).map_err(super::data_hint(&data))?;
    super::print_out(&report.to_string())
}
