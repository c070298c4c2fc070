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

/// The text of a file to import as the page's import reads it (www/read-text.js): UTF-16 when it
/// starts with UTF-16's byte-order mark (Excel's "Unicode Text"), else UTF-8, or, for a file that
/// is not, Windows-1252, as spreadsheets on Windows save "CSV" (Kaggle's spam.csv among them);
/// with the encoding's name when it was not UTF-8, for the caller to say so.
pub fn read_import(path: &Path) -> Result<(String, Option<&'static str>), Error> {
    let bytes = read_at_most(open(path)?, path, MAX_TEXT_FILE_BYTES, "once decompressed")?;
    if let Some((encoding, bom)) = encoding_rs::Encoding::for_bom(&bytes) {
        if encoding != encoding_rs::UTF_8 {
            let (text, malformed) = encoding.decode_without_bom_handling(&bytes[bom..]);
            if !malformed {
                return Ok((text.into_owned(), Some(encoding.name())));
            }
        }
    }
    match String::from_utf8(bytes) {
        Ok(text) => Ok((strip_bom(text), None)),
        Err(e) => {
            let windows_1252 = encoding_rs::WINDOWS_1252;
            let (text, _) = windows_1252.decode_without_bom_handling(e.as_bytes());
            Ok((text.into_owned(), Some(windows_1252.name())))
        }
    }
}

fn strip_bom(text: String) -> String {
    match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_string(),
        None => text,
    }
}

/// The text of the file at `path` (gzip or plain), without a byte-order mark; bytes that are not
/// UTF-8 are an error naming their line.
pub fn read_text(path: &Path) -> Result<String, Error> {
    let bytes = read_at_most(open(path)?, path, MAX_TEXT_FILE_BYTES, "once decompressed")?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        Error::BadData {
            path: path.to_path_buf(),
            line: valid.iter().filter(|&&b| b == b'\n').count() + 1,
            reason: "not UTF-8 text (save the file as UTF-8)".into(),
        }
    })?;
    Ok(strip_bom(text))
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
/// starting with `#` are skipped, but for a line whose label starts with `#` ("#bug"); so is a
/// first line that names the columns (`label<TAB>text`), as the page's import reads one.
pub fn read_labelled(
    path: &Path,
    expected: &str,
    label: impl Fn(&str) -> Option<usize>,
) -> Result<Vec<(String, usize)>, Error> {
    // Spaces around a label are no part of it, as the page's import reads them: " 1" was refused
    // while "POSITIVE" was read.
    let label = |name: &str| label(name.trim());
    let mut rows = Vec::new();
    let text = read_text(path)?;
    for (n, line) in crate::finetune::file_text(&text).lines().enumerate() {
        let comment = || match line.split_once('\t') {
            Some((name, _)) => label(name).is_none(),
            None => true,
        };
        let header = || {
            let named =
                |names: &[&str], field: &str| names.contains(&field.trim().to_lowercase().as_str());
            line.split_once('\t').is_some_and(|(name, text)| {
                label(name).is_none()
                    && named(&crate::finetune::LABEL_HEADERS, name)
                    && named(&crate::finetune::TEXT_HEADERS, text)
            })
        };
        if line.is_empty() || (line.starts_with('#') && comment()) || (n == 0 && header()) {
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
        let index = label(name).ok_or_else(|| {
            let name: String = name.chars().take(40).collect();
            bad(format!("unknown label {name:?}; the labels are {expected}"))
        })?;
        // An example needs a text: said here, with its line, not later by its index.
        if text.trim().is_empty() {
            return Err(bad("the text is empty".into()));
        }
        // So is a text too long to classify: `eval`, `dump` and `bench` alike.
        crate::limits::check_text_size(text).map_err(|e| bad(e.to_string()))?;
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
    // Both bounded as a model's table and vocabulary are: no table polarity can use is larger.
    let open = |path: &Path| File::open(path).map_err(io_error(path));
    let text = read_at_most(
        open(&tokens)?,
        &tokens,
        crate::limits::MAX_VOCABULARY_BYTES,
        "",
    )?;
    let text = String::from_utf8(text).map_err(|_| Error::BadData {
        path: tokens.clone(),
        line: 0,
        reason: "not UTF-8 text".into(),
    })?;
    let words: Vec<String> = text.lines().map(String::from).collect();
    let path = dir.join("embeddings.f32");
    let bytes = read_at_most(open(&path)?, &path, 4 * crate::limits::MAX_TABLE_VALUES, "")?;
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

/// Writes `bytes` to `path`, creating its folder. The bytes go to a new file beside it first,
/// renamed over `path` once written whole: a full disk or a failed write leaves the previous file
/// as it was (writing in place emptied it first). See [`write_files`].
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    write_files(&[(path, bytes)])
}

/// Writes each `(path, bytes)` as [`write_file`] does: every file is written beside its target
/// first, and only when all are written whole do they replace their targets, so that a model and
/// its card are both new or both old after a full disk. A link is written through to the file it
/// names (made if missing), which keeps its permissions; a device or the process's own stream
/// (`/dev/stdout`, `/proc/self/fd/1`) is written as it is. A target that cannot be replaced (a file
/// of another user in a shared folder) is written in place, as before; if that fails after an
/// earlier file was replaced, the earlier one stays new. Two paths naming one file are refused.
pub fn write_files(files: &[(&Path, &[u8])]) -> Result<(), Error> {
    let paths: Vec<&Path> = files.iter().map(|(p, _)| *p).collect();
    check_distinct(&paths)?;
    let mut staged: Vec<Staged> = Vec::new();
    for &(path, bytes) in files {
        match stage(path, bytes) {
            Ok(Some(s)) => staged.push(s),
            Ok(None) => {}
            Err(e) => {
                staged.iter().for_each(Staged::discard);
                return Err(e);
            }
        }
    }
    for (i, s) in staged.iter().enumerate() {
        if let Err(e) = s.commit() {
            staged[i + 1..].iter().for_each(Staged::discard);
            return Err(e);
        }
    }
    Ok(())
}

/// Refuses `paths` of which two name the same file (`--out m --card m`, or a link to it): the
/// second would replace the first. Checked before a command's work.
pub fn check_distinct(paths: &[&Path]) -> Result<(), Error> {
    let targets: Vec<PathBuf> = paths.iter().map(|p| target(p)).collect();
    for (i, a) in targets.iter().enumerate() {
        if let Some(j) = targets[..i].iter().position(|b| b == a) {
            return Err(Error::InvalidInput(format!(
                "{} and {} are the same file",
                paths[j].display(),
                paths[i].display()
            )));
        }
    }
    Ok(())
}

/// The file `path` names: through links, a link to a file not made yet included.
fn target(path: &Path) -> PathBuf {
    if let Ok(resolved) = std::fs::canonicalize(path) {
        return resolved;
    }
    match std::fs::read_link(path) {
        Ok(to) => path.parent().unwrap_or(Path::new("")).join(to),
        Err(_) => std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf()),
    }
}

/// A file written beside its target, to be renamed over it.
struct Staged<'a> {
    partial: PathBuf,
    target: PathBuf,
    path: &'a Path,
    bytes: &'a [u8],
}

impl Staged<'_> {
    /// Puts the written file in place; a target that cannot be replaced is written in place.
    fn commit(&self) -> Result<(), Error> {
        if std::fs::rename(&self.partial, &self.target).is_ok() {
            return Ok(());
        }
        self.discard();
        std::fs::write(&self.target, self.bytes).map_err(io_error(self.path))
    }

    fn discard(&self) {
        let _ = std::fs::remove_file(&self.partial);
    }
}

/// Writes `bytes` beside the file `path` names, under a name no other file has (never through a
/// link planted there). A device or stream is written at once: `None`.
fn stage<'a>(path: &'a Path, bytes: &'a [u8]) -> Result<Option<Staged<'a>>, Error> {
    check_not_folder(path)?;
    // A device or stream is opened as it is and added to (`/dev/stdout` redirected with `>>`
    // resolves to the log file itself, which must be neither replaced nor emptied).
    let direct = || {
        std::fs::OpenOptions::new()
            .append(true)
            .open(path)
            .and_then(|mut f| f.write_all(bytes))
            .map(|()| None)
            .map_err(io_error(path))
    };
    if path.starts_with("/dev") || path.starts_with("/proc") {
        return direct();
    }
    let target = target(path);
    let existing = std::fs::metadata(&target).ok();
    if existing.as_ref().is_some_and(|m| !m.is_file()) {
        return direct();
    }
    let dir = target.parent().unwrap_or(Path::new(""));
    if !dir.as_os_str().is_empty() {
        check_folders(dir)?;
        std::fs::create_dir_all(dir).map_err(io_error(dir))?;
    }
    static WRITES: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let name = target.file_name().unwrap_or_default().to_string_lossy();
    let n = WRITES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let partial = dir.join(format!(".{name}.{}-{n}.partial", std::process::id()));
    let staged = Staged {
        partial,
        target,
        path,
        bytes,
    };
    let io = |source| Error::Io {
        path: path.to_path_buf(),
        source,
    };
    // Not discarded if it cannot be made: a file of that name is someone else's.
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&staged.partial)
        .map_err(io)?;
    let written = file.write_all(bytes).and_then(|()| {
        if let Some(m) = &existing {
            file.set_permissions(m.permissions())?;
        }
        file.sync_all()
    });
    match written {
        Ok(()) => Ok(Some(staged)),
        Err(source) => {
            staged.discard();
            Err(io(source))
        }
    }
}

/// Refuses an output `path` that is a folder, or beside which no file can be made (a read-only
/// folder; its folder is made if missing, as writing would): checked before a command's work,
/// not after it (a fine-tune ran to its end, then said "Permission denied").
pub fn check_writable(path: &Path) -> Result<(), Error> {
    check_not_folder(path)?;
    // A device, a stream or a named pipe is not opened to ask: an empty write ends a pipe's
    // reader before the real one comes.
    let metadata = std::fs::metadata(target(path));
    let special = metadata.as_ref().is_ok_and(|m| !m.is_file());
    let system = path.starts_with("/dev") || path.starts_with("/proc");
    if special || (system && metadata.is_ok()) {
        return Ok(());
    }
    // Folders still missing are made only when the file is written: a command that then fails
    // on its input leaves none behind. So the file is tried in the nearest folder that exists.
    let target = target(path);
    let dir = target.parent().unwrap_or(Path::new(""));
    let existing = check_folders(dir)?;
    if existing == dir {
        if let Some(staged) = stage(path, &[])? {
            staged.discard();
        }
        return Ok(());
    }
    let probe = existing.join(format!(".polarity-probe.{}", std::process::id()));
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&probe)
        .map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })?;
    let _ = std::fs::remove_file(&probe);
    Ok(())
}

/// The nearest of `dir` and its ancestors that exists, refused when it is a file: "small.tsv is
/// a file" for `--out small.tsv/x.onnx`, where making the folder said "File exists" of the path.
fn check_folders(dir: &Path) -> Result<&Path, Error> {
    let mut existing = dir;
    while !existing.as_os_str().is_empty() && std::fs::metadata(existing).is_err() {
        existing = existing.parent().unwrap_or(Path::new(""));
    }
    if existing.as_os_str().is_empty() {
        return Ok(Path::new("."));
    }
    if !existing.is_dir() {
        return Err(Error::InvalidInput(format!(
            "{}: is a file, not a folder, so nothing can be written inside it",
            existing.display()
        )));
    }
    Ok(existing)
}

/// Refuses an output `path` that is a folder.
fn check_not_folder(path: &Path) -> Result<(), Error> {
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
    let file = File::open(path).map_err(io_error(path))?;
    read_at_most(file, path, crate::limits::MAX_MODEL_BYTES, "")
}

/// The bytes of a labelled or CSV file polarity reads, decompressed: those of a file of
/// [`crate::limits::MAX_FILE_CHARS`] UTF-16 code units at most (384 MiB). A 4 MB gzip of zeros
/// used to take a gigabyte before its first line was read.
pub const MAX_TEXT_FILE_BYTES: usize = 3 * crate::limits::MAX_FILE_CHARS;

/// All of `reader` (the file at `path`), refused once past `max` bytes, before it is all held.
fn read_at_most(reader: impl Read, path: &Path, max: usize, how: &str) -> Result<Vec<u8>, Error> {
    let mut bytes = Vec::new();
    reader
        .take(max as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(io_error(path))?;
    if bytes.len() > max {
        let how = if how.is_empty() {
            String::new()
        } else {
            format!(" {how}")
        };
        return Err(Error::TooLarge(format!(
            "{}: more than {max} bytes{how}; polarity reads at most that (split it)",
            path.display()
        )));
    }
    Ok(bytes)
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
    fn a_reader_past_its_limit_is_refused_before_it_is_all_held() {
        let path = Path::new("f.gz");
        let read = |n: usize| read_at_most(&vec![b'x'; n][..], path, 10, "once decompressed");
        assert_eq!(read(10).unwrap().len(), 10);
        let e = read(11).unwrap_err().to_string();
        assert!(
            e.contains("f.gz: more than 10 bytes once decompressed"),
            "{e}"
        );
        // A reader without end is read only to one byte past the limit.
        let e = read_at_most(std::io::repeat(0), path, 1 << 20, "").unwrap_err();
        assert!(e.to_string().contains("more than 1048576 bytes"), "{e}");
    }

    #[test]
    fn labelled_lines_end_in_any_line_end_and_labels_may_start_with_a_hash() {
        let dir = std::env::temp_dir().join(format!("polarity-lines-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("rows.tsv");
        let label = |name: &str| ["#bug", "ok"].iter().position(|l| *l == name);
        // Lone CRs (Excel for Mac); a comment, a '#' label.
        std::fs::write(&path, "# rows\r#bug\tit crashed\rok\tfine\r").unwrap();
        let rows = read_labelled(&path, "#bug or ok", label).unwrap();
        let texts: Vec<&str> = rows.iter().map(|(t, _)| t.as_str()).collect();
        assert_eq!(texts, ["it crashed", "fine"]);
        assert_eq!(rows[0].1, 0);
        // CRLF and LF in one file.
        std::fs::write(&path, "ok\tgood\r\n\n#bug\tagain\n").unwrap();
        let rows = read_labelled(&path, "#bug or ok", label).unwrap();
        let texts: Vec<&str> = rows.iter().map(|(t, _)| t.as_str()).collect();
        assert_eq!(texts, ["good", "again"]);
        // Line numbers count each line end once.
        std::fs::write(&path, "ok\tfine\rok\tgood\rnope\tbad\r").unwrap();
        let err = read_labelled(&path, "#bug or ok", label).unwrap_err();
        assert!(err.to_string().contains("line 3"), "{err}");
        // Spaces around a label are no part of it.
        std::fs::write(&path, " ok\tfine\nok \tgood\n").unwrap();
        assert_eq!(read_labelled(&path, "#bug or ok", label).unwrap().len(), 2);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_failed_write_leaves_the_previous_files_as_they_were() {
        let dir = std::env::temp_dir().join(format!("polarity-write-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("model.onnx");
        write_file(&path, b"first").unwrap();
        write_file(&path, b"second").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"second");
        assert!(write_file(&dir, b"x")
            .unwrap_err()
            .to_string()
            .contains("is a folder"));
        // All or none: the second file cannot be written (its folder would be a file), so the
        // first keeps its old bytes, and nothing is left beside it.
        let blocked = dir.join("not-a-folder");
        std::fs::write(&blocked, b"").unwrap();
        let card = blocked.join("card.md");
        assert!(write_files(&[(&path, b"new model"), (&card, b"new card")]).is_err());
        assert_eq!(std::fs::read(&path).unwrap(), b"second");
        let mut names: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, ["model.onnx", "not-a-folder"]);
        // One file named twice is refused before anything is written.
        let err = write_files(&[(&path, b"a"), (&dir.join("./model.onnx"), b"b")]).unwrap_err();
        assert!(err.to_string().contains("are the same file"), "{err}");
        assert_eq!(std::fs::read(&path).unwrap(), b"second");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn links_are_written_through_even_to_a_file_not_made_yet() {
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
        // A link to a file not made yet: the file is made, the link stays.
        let dangling = dir.join("dangling.onnx");
        std::os::unix::fs::symlink("later.onnx", &dangling).unwrap();
        write_file(&dangling, b"made").unwrap();
        assert!(std::fs::symlink_metadata(&dangling)
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(std::fs::read(dir.join("later.onnx")).unwrap(), b"made");
        assert!(
            write_files(&[(&link, b"x"), (&real, b"y")]).is_err(),
            "one file, two names"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
