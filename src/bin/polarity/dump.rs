//! `polarity dump`: each review's token ids and tract's score, as JSON lines, so that other
//! engines (onnxruntime, onnxruntime-web, TF.js) can be checked against the same ids.

use std::io::Write;

use polarity::data::read_reviews;
use polarity::Error;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    source: super::Source,
}

#[derive(serde::Serialize)]
struct Line<'a> {
    ids: &'a [u32],
    score: f32,
}

pub fn run(args: Args) -> Result<(), Error> {
    let clf = super::load(args.source.model.as_deref())?;
    let ids: Vec<Vec<u32>> = read_reviews(&args.source.data)?
        .iter()
        .map(|r| clf.model().vocab().encode(&r.text))
        .collect();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    for (ids, p) in ids.iter().zip(clf.score_ids(&ids)?) {
        let line = serde_json::to_string(&Line {
            ids,
            score: p.score,
        })
        .map_err(|e| Error::InvalidInput(e.to_string()))?;
        writeln!(out, "{line}").map_err(|source| Error::Io {
            path: "<stdout>".into(),
            source,
        })?;
    }
    Ok(())
}
