//! Reading the data sets (native only): IMDB-style `LABEL<TAB>TEXT` files, gzipped or not, and
//! pre-trained embedding folders (`tokens.txt` + little-endian `embeddings.f32`).

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use flate2::read::MultiGzDecoder;

/// Where the data lives: `POLARITY_DATA`, else `../shared/data`.
pub fn default_data_dir() -> PathBuf {
    std::env::var_os("POLARITY_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("../shared/data"))
}

/// A labelled text: `positive` is label 1.
#[derive(Clone, Debug)]
pub struct Review {
    pub positive: bool,
    pub text: String,
}

fn open(path: &Path) -> Result<Box<dyn Read>, String> {
    let file = File::open(path).map_err(|e| format!("cannot open {}: {e}", path.display()))?;
    Ok(if path.extension().is_some_and(|e| e == "gz") {
        Box::new(MultiGzDecoder::new(file))
    } else {
        Box::new(file)
    })
}

/// Reads `LABEL<TAB>TEXT` lines; LABEL is 1 (positive) or 0 (negative). Empty lines and lines
/// starting with `#` are skipped.
pub fn read_reviews(path: &Path) -> Result<Vec<Review>, String> {
    let mut reviews = Vec::new();
    for (n, line) in BufReader::new(open(path)?).lines().enumerate() {
        let line = line.map_err(|e| format!("{}: line {}: {e}", path.display(), n + 1))?;
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (label, text) = line
            .split_once('\t')
            .ok_or_else(|| format!("{}: line {}: no tab after the label", path.display(), n + 1))?;
        let positive = match label {
            "1" => true,
            "0" => false,
            other => {
                return Err(format!(
                    "{}: line {}: label {other:?} is neither 1 nor 0",
                    path.display(),
                    n + 1
                ))
            }
        };
        reviews.push(Review {
            positive,
            text: text.to_string(),
        });
    }
    Ok(reviews)
}

/// A pre-trained table: `words[i]` owns row `i` of `vectors` (`dim` columns).
pub struct Embeddings {
    pub words: Vec<String>,
    pub dim: usize,
    pub vectors: Vec<f32>,
}

/// Reads an embedding folder.
pub fn read_embeddings(dir: &Path) -> Result<Embeddings, String> {
    let tokens = dir.join("tokens.txt");
    let text = std::fs::read_to_string(&tokens)
        .map_err(|e| format!("cannot read {}: {e}", tokens.display()))?;
    let words: Vec<String> = text.lines().map(String::from).collect();
    let path = dir.join("embeddings.f32");
    let bytes = std::fs::read(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    if words.is_empty() || bytes.len() % (4 * words.len()) != 0 {
        return Err(format!(
            "{}: {} bytes do not make {} rows of float32",
            path.display(),
            bytes.len(),
            words.len()
        ));
    }
    let dim = bytes.len() / 4 / words.len();
    let vectors = bytes
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect();
    Ok(Embeddings {
        words,
        dim,
        vectors,
    })
}
