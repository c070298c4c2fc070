//! `polarity dump`: each review's token ids and tract's score (and, for a model of more than two
//! labels, every label's probability in the model's order), as JSON lines, so that other engines
//! (onnxruntime, onnxruntime-web, TF.js) can be checked against the same ids.

use std::io::Write;

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
    #[serde(skip_serializing_if = "Option::is_none")]
    probabilities: Option<Vec<f32>>,
}

pub fn run(args: Args) -> Result<(), Error> {
    let clf = super::load(args.source.model.as_deref())?;
    let labels = clf.labels();
    let ids: Vec<Vec<u32>> = super::read_texts(&args.source.data, labels)?
        .iter()
        .map(|text| clf.model().vocab().encode(text))
        .collect();
    if ids.is_empty() {
        return Err(Error::InvalidInput(format!(
            "{}: no reviews to dump",
            args.source.data.display()
        )));
    }
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    for (ids, p) in ids.iter().zip(clf.score_ids(&ids)?) {
        let probabilities = p.scores.as_ref().map(|scores| {
            labels
                .iter()
                .map(|l| {
                    scores
                        .iter()
                        .find(|s| s.label == *l)
                        .map_or(0.0, |s| s.score)
                })
                .collect()
        });
        let line = serde_json::to_string(&Line {
            ids,
            score: p.score,
            probabilities,
        })
        .map_err(|e| Error::InvalidInput(e.to_string()))?;
        writeln!(out, "{line}").map_err(stdout_error)?;
    }
    // Flushed here: a BufWriter dropped with its last lines unwritten loses the error (a full
    // disk ended in success, with nothing written).
    out.flush().map_err(stdout_error)
}

fn stdout_error(source: std::io::Error) -> Error {
    Error::Io {
        path: "<stdout>".into(),
        source,
    }
}
