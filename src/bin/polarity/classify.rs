//! `polarity classify`: label and score of each text given, or of each line of stdin.

use std::io::{BufRead, Write};
use std::path::PathBuf;

use polarity::Error;

#[derive(clap::Args)]
pub struct Args {
    /// Texts to classify, one result line each (none: each line of stdin, an empty one included).
    texts: Vec<String>,
    /// The model (default: the bundled model/polarity.onnx).
    #[arg(long)]
    model: Option<PathBuf>,
}

pub fn run(args: Args) -> Result<(), Error> {
    let clf = super::load(args.model.as_deref())?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let stdin = PathBuf::from("<stdin>");
    let mut print = |text: &str| -> Result<(), Error> {
        let p = clf.classify(text)?;
        writeln!(out, "{}\t{:.4}", p.label, p.score).map_err(|source| Error::Io {
            path: PathBuf::from("<stdout>"),
            source,
        })
    };
    if args.texts.is_empty() {
        // Lines as bytes, so that one that is not UTF-8 is named by its number.
        for (n, line) in std::io::stdin().lock().split(b'\n').enumerate() {
            let line = line.map_err(|source| Error::Io {
                path: stdin.clone(),
                source,
            })?;
            let line = String::from_utf8(line).map_err(|_| Error::BadData {
                path: stdin.clone(),
                line: n + 1,
                reason: "not UTF-8 text".into(),
            })?;
            print(line.strip_suffix('\r').unwrap_or(&line))?;
        }
    } else {
        for text in &args.texts {
            print(text)?;
        }
    }
    Ok(())
}
