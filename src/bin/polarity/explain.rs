//! `polarity explain`: each text's verdict, then each word's leave-one-out pull, as `explain`
//! gives them in JavaScript.

use std::io::Write;
use std::path::PathBuf;

use polarity::Error;

#[derive(clap::Args)]
pub struct Args {
    /// Texts to explain: for each, LABEL<TAB>SCORE, then a line per word, WORD<TAB>LOG_ODDS<TAB>WEIGHT
    /// (its pull in log-odds, then in probability, towards the first label for two labels and
    /// the predicted one for more), and a blank line.
    #[arg(required = true)]
    texts: Vec<String>,
    /// The model (default: the bundled model/polarity.onnx).
    #[arg(long)]
    model: Option<PathBuf>,
}

pub fn run(args: Args) -> Result<(), Error> {
    let clf = super::load(args.model.as_deref())?;
    let mut out = std::io::stdout().lock();
    for text in &args.texts {
        let e = clf.explain(text)?;
        let mut lines = format!("{}\t{:.4}\n", e.prediction.label, e.prediction.score);
        for t in &e.tokens {
            lines += &format!("{}\t{:+.3}\t{:+.4}\n", t.text, t.log_odds, t.weight);
        }
        writeln!(out, "{lines}").map_err(|source| Error::Io {
            path: PathBuf::from("<stdout>"),
            source,
        })?;
    }
    Ok(())
}
