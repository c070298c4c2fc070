//! `polarity classify`: label and score of each text given, or of each line of stdin.

use std::io::{BufRead, Write};
use std::path::PathBuf;

use polarity::Error;

#[derive(clap::Args)]
pub struct Args {
    texts: Vec<String>,
    #[arg(long)]
    model: Option<PathBuf>,
}

pub fn run(args: Args) -> Result<(), Error> {
    let clf = super::load(args.model.as_deref())?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let stdin = PathBuf::from("<stdin>");
    let stdout_path = PathBuf::from("<stdout>");
    let mut print = |text: &str| -> Result<(), Error> {
        let p = clf.classify(text)?;
        writeln!(out, "{}\t{:.4}", p.label, p.score).map_err(|source| Error::Io {
            path: stdout_path.clone(),
            source,
        })
    };
    if args.texts.is_empty() {
        for line in std::io::stdin().lock().lines() {
            print(&line.map_err(|source| Error::Io {
                path: stdin.clone(),
                source,
            })?)?;
        }
    } else {
        for text in &args.texts {
            print(text)?;
        }
    }
    Ok(())
}
