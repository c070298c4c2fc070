//! `polarity classify`: label and score of each text given, or of each line of stdin.

use std::io::{BufRead, Read, Write};
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
        let io = |source| Error::Io {
            path: stdin.clone(),
            source,
        };
        let bad = |line: usize, reason: String| Error::BadData {
            path: stdin.clone(),
            line,
            reason,
        };
        // A line is read up to one byte past the longest text (and its line end): a line of
        // gigabytes is refused by its number, not held.
        let max = polarity::limits::MAX_TEXT_BYTES;
        let mut input = std::io::stdin().lock();
        let mut line = Vec::new();
        for n in 1.. {
            line.clear();
            let read = (&mut input)
                .take(max as u64 + 3)
                .read_until(b'\n', &mut line)
                .map_err(io)?;
            if read == 0 {
                break;
            }
            let text = line.strip_suffix(b"\n").unwrap_or(&line);
            let text = text.strip_suffix(b"\r").unwrap_or(text);
            if text.len() > max {
                return Err(bad(
                    n,
                    format!("the line is more than {max} bytes; polarity reads at most that"),
                ));
            }
            // Lines as bytes, so that one that is not UTF-8 is named by its number.
            let text = std::str::from_utf8(text).map_err(|_| bad(n, "not UTF-8 text".into()))?;
            print(text)?;
        }
    } else {
        for text in &args.texts {
            print(text)?;
        }
    }
    Ok(())
}
