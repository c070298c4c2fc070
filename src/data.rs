//! Reading the data sets (native only): IMDB-style `LABEL<TAB>TEXT` files, gzipped or not, and
//! pre-trained embedding folders (`tokens.txt` + little-endian `embeddings.f32`).

use std::fs::File;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};

use flate2::read::MultiGzDecoder;

use crate::Error;

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: path.to_path_buf(),
        source,
    }
}

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

fn open(path: &Path) -> Result<Box<dyn Read>, Error> {
    let file = File::open(path).map_err(io_error(path))?;
    Ok(if path.extension().is_some_and(|e| e == "gz") {
        Box::new(MultiGzDecoder::new(file))
    } else {
        Box::new(file)
    })
}

/// Reads `LABEL<TAB>TEXT` lines; LABEL is 1 (positive) or 0 (negative). Empty lines and lines
/// starting with `#` are skipped.
pub fn read_reviews(path: &Path) -> Result<Vec<Review>, Error> {
    let rows = read_labelled(path, |label| match label {
        "1" => Some(0),
        "0" => Some(1),
        _ => None,
    })?;
    Ok(rows
        .into_iter()
        .map(|(text, label)| Review {
            positive: label == 0,
            text,
        })
        .collect())
}

/// Reads `LABEL<TAB>TEXT` lines whose LABEL `label` maps to a label index (a line whose label it
/// maps to `None` is an error). Empty lines and lines starting with `#` are skipped.
pub fn read_labelled(
    path: &Path,
    label: impl Fn(&str) -> Option<usize>,
) -> Result<Vec<(String, usize)>, Error> {
    let mut rows = Vec::new();
    for (n, line) in BufReader::new(open(path)?).lines().enumerate() {
        let line = line.map_err(io_error(path))?;
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let bad = |reason: String| Error::BadData {
            path: path.to_path_buf(),
            line: n + 1,
            reason,
        };
        let (name, text) = line
            .split_once('\t')
            .ok_or_else(|| bad("no tab after the label".into()))?;
        let index = label(name).ok_or_else(|| bad(format!("unknown label {name:?}")))?;
        rows.push((text.to_string(), index));
    }
    Ok(rows)
}

/// A pre-trained table: `words[i]` owns row `i` of `vectors` (`dim` columns).
pub struct Embeddings {
    pub words: Vec<String>,
    pub dim: usize,
    pub vectors: Vec<f32>,
}

/// Reads an embedding folder.
pub fn read_embeddings(dir: &Path) -> Result<Embeddings, Error> {
    let tokens = dir.join("tokens.txt");
    let text = std::fs::read_to_string(&tokens).map_err(io_error(&tokens))?;
    let words: Vec<String> = text.lines().map(String::from).collect();
    let path = dir.join("embeddings.f32");
    let bytes = std::fs::read(&path).map_err(io_error(&path))?;
    if words.is_empty() || bytes.len() % (4 * words.len()) != 0 {
        return Err(Error::BadData {
            line: 0,
            reason: format!(
                "{} bytes do not make {} rows of float32",
                bytes.len(),
                words.len()
            ),
            path,
        });
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

/// Writes `bytes` to `path`, creating its folder.
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(io_error(dir))?;
    }
    std::fs::write(path, bytes).map_err(io_error(path))
}

/// Reads a whole file.
pub fn read_file(path: &Path) -> Result<Vec<u8>, Error> {
    std::fs::read(path).map_err(io_error(path))
}

/// Size of `bytes` after gzip at level 9 (what a web server sends).
pub fn gzip_len(bytes: &[u8]) -> usize {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    enc.write_all(bytes)
        .and_then(|_| enc.finish())
        .map_or(0, |v| v.len())
}
