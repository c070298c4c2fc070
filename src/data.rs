//! Reading the data sets (native only): IMDB-style `LABEL<TAB>TEXT` files, gzipped or not, and
//! pre-trained embedding folders (`tokens.txt` + little-endian `embeddings.f32`); writing files
//! so that a failed write leaves the previous file as it was.

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

/// The file at `path`, decompressed if it is gzip (by its first bytes, whatever its name).
fn open(path: &Path) -> Result<Box<dyn Read>, Error> {
    let mut file = BufReader::new(File::open(path).map_err(io_error(path))?);
    let gzip = file
        .fill_buf()
        .map_err(io_error(path))?
        .starts_with(&[0x1f, 0x8b]);
    Ok(if gzip {
        Box::new(MultiGzDecoder::new(file))
    } else {
        Box::new(file)
    })
}

/// The text of the file at `path` (gzip or plain), without a byte-order mark; bytes that are not
/// UTF-8 are an error naming their line.
pub fn read_text(path: &Path) -> Result<String, Error> {
    let mut bytes = Vec::new();
    open(path)?
        .read_to_end(&mut bytes)
        .map_err(io_error(path))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        Error::BadData {
            path: path.to_path_buf(),
            line: valid.iter().filter(|&&b| b == b'\n').count() + 1,
            reason: "not UTF-8 text (save the file as UTF-8)".into(),
        }
    })?;
    Ok(match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_string(),
        None => text,
    })
}

/// Reads `LABEL<TAB>TEXT` lines; LABEL is 1 (positive) or 0 (negative). Empty lines and lines
/// starting with `#` are skipped.
pub fn read_reviews(path: &Path) -> Result<Vec<Review>, Error> {
    let rows = read_labelled(path, "1 (positive) or 0 (negative)", |label| match label {
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
/// maps to `None` is an error that says the file's labels are `expected`). Empty lines and lines
/// starting with `#` are skipped.
pub fn read_labelled(
    path: &Path,
    expected: &str,
    label: impl Fn(&str) -> Option<usize>,
) -> Result<Vec<(String, usize)>, Error> {
    let mut rows = Vec::new();
    for (n, line) in read_text(path)?.lines().enumerate() {
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
        let index = label(name)
            .ok_or_else(|| bad(format!("unknown label {name:?}; the labels are {expected}")))?;
        // An example needs a text: said here, with its line, not later by its index.
        if text.trim().is_empty() {
            return Err(bad("the text is empty".into()));
        }
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

/// Writes `bytes` to `path`, creating its folder. The bytes go to a file beside it first, renamed
/// over `path` once written whole: a full disk or a failed write leaves the previous file as it
/// was (writing in place emptied it first). See [`write_files`].
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    write_files(&[(path, bytes)])
}

/// Writes each `(path, bytes)` as [`write_file`] does, all or none: every file is written beside
/// its target first, and only when all are written whole do they replace their targets (a model
/// and its card never describe each other wrongly after a failed write). A link is written
/// through to its file, which keeps its permissions; a device or pipe (`/dev/stdout`) is written
/// as it is.
pub fn write_files(files: &[(&Path, &[u8])]) -> Result<(), Error> {
    let mut staged: Vec<(PathBuf, PathBuf)> = Vec::new();
    let unstage = |staged: &[(PathBuf, PathBuf)]| {
        for (partial, _) in staged {
            let _ = std::fs::remove_file(partial);
        }
    };
    for &(path, bytes) in files {
        match stage(path, bytes) {
            Ok(Some(pair)) => staged.push(pair),
            Ok(None) => {}
            Err(e) => {
                unstage(&staged);
                return Err(e);
            }
        }
    }
    for (i, (partial, target)) in staged.iter().enumerate() {
        if let Err(source) = std::fs::rename(partial, target) {
            unstage(&staged[i..]);
            return Err(Error::Io {
                path: target.clone(),
                source,
            });
        }
    }
    Ok(())
}

/// Writes `bytes` beside `path`'s file: `(the written file, the file it is to replace)`. A path
/// that is not a regular file (a device, a pipe) is written at once: `None`.
fn stage(path: &Path, bytes: &[u8]) -> Result<Option<(PathBuf, PathBuf)>, Error> {
    check_writable(path)?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(io_error(dir))?;
    }
    // Through a link to the file it names; an existing file's permissions are kept.
    let target = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let existing = std::fs::metadata(&target).ok();
    if existing.as_ref().is_some_and(|m| !m.is_file()) {
        return std::fs::write(&target, bytes)
            .map(|()| None)
            .map_err(io_error(path));
    }
    let mut partial = target.as_os_str().to_owned();
    partial.push(".partial");
    let partial = PathBuf::from(partial);
    let written = File::create(&partial).and_then(|mut f| {
        f.write_all(bytes)?;
        if let Some(m) = &existing {
            f.set_permissions(m.permissions())?;
        }
        f.sync_all()
    });
    match written {
        Ok(()) => Ok(Some((partial, target))),
        Err(source) => {
            let _ = std::fs::remove_file(&partial);
            Err(Error::Io {
                path: path.to_path_buf(),
                source,
            })
        }
    }
}

/// Refuses an output `path` that is a folder: checked before a command's work, not after it.
pub fn check_writable(path: &Path) -> Result<(), Error> {
    if path.is_dir() {
        return Err(Error::InvalidInput(format!(
            "{}: is a folder; give the path of a file to write",
            path.display()
        )));
    }
    Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_write_leaves_the_previous_file_as_it_was() {
        let dir = std::env::temp_dir().join(format!("polarity-write-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("model.onnx");
        write_file(&path, b"first").unwrap();
        write_file(&path, b"second").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"second");
        // The file beside it cannot be made (a folder has its name): the write fails whole.
        std::fs::create_dir(dir.join("model.onnx.partial")).unwrap();
        assert!(write_file(&path, b"third").is_err());
        assert_eq!(std::fs::read(&path).unwrap(), b"second");
        assert!(write_file(&dir, b"x")
            .unwrap_err()
            .to_string()
            .contains("is a folder"));
        // All or none: the second file cannot be written, so the first keeps its old bytes.
        let card = dir.join("card.md");
        write_file(&card, b"old card").unwrap();
        std::fs::create_dir(dir.join("card.md.partial")).unwrap();
        std::fs::remove_dir(dir.join("model.onnx.partial")).unwrap();
        assert!(write_files(&[(&path, b"new model"), (&card, b"new card")]).is_err());
        assert_eq!(std::fs::read(&path).unwrap(), b"second");
        assert!(!dir.join("model.onnx.partial").exists());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn a_link_is_written_through_and_its_file_keeps_its_permissions() {
        use std::os::unix::fs::PermissionsExt;
        let dir = std::env::temp_dir().join(format!("polarity-link-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let real = dir.join("real.onnx");
        std::fs::write(&real, b"old").unwrap();
        std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o640)).unwrap();
        let link = dir.join("link.onnx");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        write_file(&link, b"new").unwrap();
        assert!(std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(std::fs::read(&real).unwrap(), b"new");
        let mode = std::fs::metadata(&real).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o640);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
