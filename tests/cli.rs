//! The `polarity` command line as a user meets it: files with comments, byte-order marks and bad
//! rows, models of more than two labels, nonsense options, outputs that cannot be written. Every
//! error names what is wrong (the file, its line, the option) and exits non-zero without a
//! backtrace; nothing a user gave is lost or silently left out. Small files are written here; no
//! data set is needed.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// A folder of its own for each test, removed when the test ends.
struct Scratch(PathBuf);

impl std::ops::Deref for Scratch {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn scratch(name: &str) -> Scratch {
    let dir = std::env::temp_dir().join(format!("polarity-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    Scratch(dir)
}

fn polarity(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_polarity"))
        .args(args)
        .current_dir(dir)
        .env("POLARITY_DATA", dir.join("no-data"))
        .output()
        .unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Runs, and expects failure (exit 1, no panic) with `message` in stderr.
fn fails(dir: &Path, args: &[&str], message: &str) {
    let out = polarity(dir, args);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
    assert!(
        err.contains(message),
        "{args:?}: expected {message:?} in {err:?}"
    );
    assert!(!err.contains("panicked"), "{args:?}: {err}");
}

/// Runs, and expects success; gives stderr.
fn succeeds(dir: &Path, args: &[&str]) -> String {
    let out = polarity(dir, args);
    let err = stderr(&out);
    assert!(out.status.success(), "{args:?}: {err}");
    err
}

#[test]
fn fine_tune_reads_every_row_the_page_would_and_names_a_bad_rows_line() {
    let dir = scratch("rows");
    // Texts that start with '#' are examples, not comments: they hold a label.
    std::fs::write(
        dir.join("hash.csv"),
        "text,label\ngreat stuff,a\n#1 film of the year,a\n#fail awful,b\nterrible,b\n",
    )
    .unwrap();
    let err = succeeds(
        &dir,
        &[
            "fine-tune",
            "--labels",
            "a,b",
            "--data",
            "hash.csv",
            "--out",
            "m.onnx",
            "--epochs",
            "2",
        ],
    );
    assert!(err.contains("fine-tuned on 4 examples"), "{err}");
    std::fs::write(dir.join("shift.csv"), "# one\n# two\na,good\nb\n").unwrap();
    fails(
        &dir,
        &[
            "fine-tune",
            "--labels",
            "a,b",
            "--data",
            "shift.csv",
            "--out",
            "m.onnx",
        ],
        "shift.csv: line 4: expected a label and a text",
    );
    std::fs::write(dir.join("empty.tsv"), "# c\n1\tgreat\n0\tbad\n\n1\t   \n").unwrap();
    fails(
        &dir,
        &["fine-tune", "--data", "empty.tsv", "--out", "m.onnx"],
        "empty.tsv: line 5: the text is empty",
    );
    // A byte-order mark (Notepad, Excel) is not part of the first label.
    std::fs::write(
        dir.join("bom.tsv"),
        "\u{feff}1\tgreat fun\n0\tdull and bad\n",
    )
    .unwrap();
    succeeds(
        &dir,
        &[
            "fine-tune",
            "--data",
            "bom.tsv",
            "--out",
            "m.onnx",
            "--epochs",
            "2",
        ],
    );
    succeeds(&dir, &["eval", "--model", "m.onnx", "--data", "bom.tsv"]);
    // Its own data or model as --out: refused, the file kept (the data became a model before).
    for (out, model) in [("bom.tsv", "m.onnx"), ("m.onnx", "m.onnx")] {
        fails(
            &dir,
            &[
                "fine-tune",
                "--model",
                model,
                "--data",
                "bom.tsv",
                "--out",
                out,
            ],
            "are the same file",
        );
    }
    assert!(std::fs::read_to_string(dir.join("bom.tsv"))
        .unwrap()
        .contains("great fun"));
}

#[test]
fn fine_tune_says_what_it_clamped_and_which_label_no_example_has() {
    let dir = scratch("warnings");
    std::fs::write(dir.join("ab.csv"), "a,good fun\nb,awful\na,great\n").unwrap();
    let err = succeeds(
        &dir,
        &[
            "fine-tune",
            "--labels",
            "a,b,c",
            "--data",
            "ab.csv",
            "--out",
            "m.onnx",
            "--epochs",
            "5000",
        ],
    );
    assert!(
        err.contains("warning: epochs 5000 was clamped to 1000"),
        "{err}"
    );
    assert!(
        err.contains("warning: no example is labelled \"c\""),
        "{err}"
    );
}

#[test]
fn a_model_of_three_labels_fine_tunes_on_its_names_and_eval_refuses_it() {
    let dir = scratch("three");
    let file =
        "praise\tgreat service\ncomplaint\tbroken on arrival\nquestion\twhen does it ship?\n";
    std::fs::write(dir.join("fb.tsv"), file).unwrap();
    succeeds(
        &dir,
        &[
            "fine-tune",
            "--labels",
            "praise,complaint,question",
            "--data",
            "fb.tsv",
            "--out",
            "x.onnx",
            "--epochs",
            "2",
        ],
    );
    // Without --labels, the file's labels are the model's names (1 / 0 are for two labels).
    succeeds(
        &dir,
        &[
            "fine-tune",
            "--model",
            "x.onnx",
            "--data",
            "fb.tsv",
            "--out",
            "y.onnx",
            "--epochs",
            "2",
        ],
    );
    std::fs::write(dir.join("bin.tsv"), "1\tgreat\n0\tawful\n0\tdull\n").unwrap();
    fails(
        &dir,
        &[
            "fine-tune",
            "--model",
            "x.onnx",
            "--data",
            "bin.tsv",
            "--out",
            "y.onnx",
        ],
        "line 1: unknown label \"1\"; use \"praise\", \"complaint\", \"question\" (and 2 more \
         rows); the file's other labels: 1,0",
    );
    fails(
        &dir,
        &["eval", "--model", "y.onnx", "--data", "bin.tsv"],
        "eval measures a model of two labels; this one has 3",
    );
    fails(
        &dir,
        &["report", "--model", "y.onnx"],
        "report measures a model of two labels",
    );
}

#[test]
fn nonsense_options_and_inputs_are_refused_before_any_work() {
    let dir = scratch("options");
    std::fs::write(dir.join("r.tsv"), "1\tgreat\n0\tawful\n").unwrap();
    // The training options are checked before the data is read (there is none here).
    fails(
        &dir,
        &["train", "--batch-size", "0", "--out", "t.onnx"],
        "batchSize must be between 1 and",
    );
    fails(
        &dir,
        &["train", "--row-norm", "NaN", "--out", "t.onnx"],
        "the row norm must be a number above 0",
    );
    let out = polarity(&dir, &["eval", "--data", "r.tsv", "--batch-size", "0"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    std::fs::write(dir.join("none.tsv"), "# nothing\n").unwrap();
    fails(
        &dir,
        &["eval", "--data", "none.tsv"],
        "none.tsv: no reviews to evaluate",
    );
    fails(
        &dir,
        &["eval", "--data", "r.tsv", "--model", "r.tsv"],
        "r.tsv: not a valid polarity model",
    );
    fails(
        &dir,
        &["fine-tune", "--data", "r.tsv", "--out", "."],
        "is a folder",
    );
    // A missing data folder says where polarity looked.
    fails(
        &dir,
        &["report"],
        "the data folder is --data, else $POLARITY_DATA",
    );
    let out = polarity(&dir, &["report", "--model", "missing.onnx"]);
    assert!(
        stderr(&out).contains("missing.onnx: No such file"),
        "{}",
        stderr(&out)
    );
    assert!(!stderr(&out).contains("data folder"), "{}", stderr(&out));
    fails(
        &dir,
        &[
            "train",
            "--pretrained-only",
            "--card",
            "c.md",
            "--out",
            "t.onnx",
        ],
        "--card describes a trained model",
    );
    fails(
        &dir,
        &["train", "--out", "m.onnx", "--card", "./m.onnx"],
        "m.onnx and ./m.onnx are the same file",
    );
}

#[test]
fn files_are_read_by_their_bytes_not_their_names() {
    let dir = scratch("bytes");
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut gz, b"1\tgreat fun\n0\tawful\n").unwrap();
    std::fs::write(dir.join("gzipped.tsv"), gz.finish().unwrap()).unwrap();
    let out = polarity(&dir, &["eval", "--data", "gzipped.tsv"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("reviews      2"));
    std::fs::write(dir.join("latin1.tsv"), b"1\tgreat\n0\tcaf\xe9 awful\n").unwrap();
    fails(
        &dir,
        &["eval", "--data", "latin1.tsv"],
        "latin1.tsv: line 2: not UTF-8 text",
    );
}

#[test]
fn explain_gives_the_verdict_of_classify_and_each_words_pull() {
    let dir = scratch("explain");
    let texts = ["I didn't like it.", "Not bad.", ""];
    let out = polarity(&dir, &[&["explain"][..], &texts[..]].concat());
    assert!(out.status.success(), "{}", stderr(&out));
    let stdout = String::from_utf8(out.stdout).unwrap();
    let blocks: Vec<&str> = stdout.split("\n\n").filter(|b| !b.is_empty()).collect();
    assert_eq!(blocks.len(), texts.len(), "{stdout:?}");
    let classified = polarity(&dir, &[&["classify"][..], &texts[..]].concat());
    assert!(classified.status.success(), "{}", stderr(&classified));
    let verdicts = String::from_utf8(classified.stdout).unwrap();
    // One line per text, or the zip below would compare fewer blocks than it seems to.
    assert_eq!(verdicts.lines().count(), texts.len(), "{verdicts:?}");
    for ((block, verdict), text) in blocks.iter().zip(verdicts.lines()).zip(texts) {
        let mut lines = block.lines();
        assert_eq!(lines.next(), Some(verdict), "{text:?}");
        let words: Vec<Vec<&str>> = lines.map(|l| l.split('\t').collect()).collect();
        assert_eq!(
            words.len(),
            text.split_whitespace().count(),
            "{text:?}: {block}"
        );
        for word in &words {
            let (log_odds, weight): (f32, f32) =
                (word[1].parse().unwrap(), word[2].parse().unwrap());
            assert!(
                weight == 0.0 || log_odds.signum() == weight.signum(),
                "{word:?}"
            );
        }
    }
    // "not" turns "bad" round: both pull towards positive.
    assert!(
        blocks[1].contains("not\t+") && blocks[1].contains("bad\t+"),
        "{}",
        blocks[1]
    );
    fails(
        &dir,
        &["explain", "fine", "--model", "missing.onnx"],
        "missing.onnx",
    );
}

#[test]
fn classify_names_a_stdin_line_that_is_not_utf8_and_output_folders_are_made() {
    let dir = scratch("stdin");
    let mut child = Command::new(env!("CARGO_BIN_EXE_polarity"))
        .arg("classify")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(child.stdin.as_mut().unwrap(), b"good\nbad\nok\xff\nfine\n").unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("<stdin>: line 3: not UTF-8 text"),
        "{}",
        stderr(&out)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 2);
    // Written to a stream as it is: /dev/stdout stays what it is.
    let out = polarity(&dir, &["convert", "--to", "int8", "--out", "/dev/stdout"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        out.stdout.len() > 100_000,
        "{} bytes on stdout",
        out.stdout.len()
    );
    succeeds(&dir, &["convert", "--to", "int8", "--out", "new/x8.onnx"]);
    assert!(dir.join("new/x8.onnx").is_file());
    assert!(!dir.join("new/x8.onnx.partial").exists());
}

#[test]
fn fine_tune_with_scopes_keeps_negation_and_asks_for_labels() {
    let dir = scratch("scopes");
    let mut rows = String::from("label,text\n");
    for (label, words) in [
        ("happy", ["good", "great", "lovely", "nice", "fine"]),
        ("unhappy", ["bad", "awful", "poor", "dull", "nasty"]),
    ] {
        for w in words {
            rows += &format!("{label},{w}\n{label},it was {w}\n{label},so {w}\n");
        }
    }
    std::fs::write(dir.join("mood.csv"), rows).unwrap();
    let tune = |scopes: bool, out: &str| {
        let mut args = vec![
            "fine-tune",
            "--labels",
            "happy,unhappy",
            "--data",
            "mood.csv",
            "--out",
            out,
            "--seed",
            "5",
        ];
        if scopes {
            args.push("--scopes");
        }
        succeeds(&dir, &args);
        let out = polarity(&dir, &["classify", "--model", out, "it was not good"]);
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    assert!(tune(true, "with.onnx").starts_with("unhappy\t"));
    assert!(tune(false, "without.onnx").starts_with("happy\t"));
    let out = polarity(
        &dir,
        &[
            "fine-tune",
            "--data",
            "mood.csv",
            "--out",
            "m.onnx",
            "--scopes",
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
}

#[test]
fn eval_reads_a_two_label_models_own_label_names() {
    let dir = scratch("eval-labels");
    let mut rows = String::new();
    for i in 0..20 {
        rows.push_str(&format!("1\twonderful, moving and great fun {i}\n"));
        rows.push_str(&format!("0\tawful, dull and a waste of time {i}\n"));
    }
    std::fs::write(dir.join("zo.tsv"), &rows).unwrap();
    std::fs::write(
        dir.join("sh.tsv"),
        rows.replace("1\t", "spam\t").replace("0\t", "ham\t"),
    )
    .unwrap();
    let accuracy = |out: &Output| -> f64 {
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        let line = text.lines().find(|l| l.starts_with("accuracy")).unwrap();
        line.split_whitespace()
            .nth(1)
            .unwrap()
            .trim_end_matches('%')
            .parse()
            .unwrap()
    };
    // Labels "0" and "1" mean what they say ("1" was read as the first label, "0": a model right
    // on every text scored 0%).
    for (labels, data) in [("0,1", "zo.tsv"), ("spam,ham", "sh.tsv")] {
        let tune = [
            "fine-tune",
            "--labels",
            labels,
            "--data",
            data,
            "--out",
            "m.onnx",
        ];
        succeeds(&dir, &[&tune[..], &["--epochs", "20"]].concat());
        let out = polarity(&dir, &["eval", "--model", "m.onnx", "--data", data]);
        assert!(out.status.success(), "{}", stderr(&out));
        assert!(
            accuracy(&out) > 90.0,
            "{labels}: {}",
            String::from_utf8_lossy(&out.stdout)
        );
        let first = labels.split(',').next().unwrap();
        assert!(String::from_utf8_lossy(&out.stdout).contains(&format!("predicted   {first:>8}")));
    }
}

#[test]
fn a_full_disk_a_closed_pipe_and_an_unwritable_output_are_said_not_panicked() {
    let dir = scratch("outputs");
    std::fs::write(
        dir.join("r.tsv"),
        "label\ttext\n1\tgreat fun\n0\tawful and dull\n",
    )
    .unwrap();
    // The header line is skipped, as the page's import skips it.
    assert!(succeeds(&dir, &["eval", "--data", "r.tsv"]).is_empty());
    // A full disk: eval panicked ("failed printing to stdout"), dump's lost lines ended in success.
    if Path::new("/dev/full").exists() {
        for args in [
            &["eval", "--data", "r.tsv"][..],
            &["dump", "--data", "r.tsv"][..],
            &["classify", "fine"][..],
        ] {
            let out = Command::new(env!("CARGO_BIN_EXE_polarity"))
                .args(args)
                .current_dir(&*dir)
                .stdout(std::fs::File::create("/dev/full").unwrap())
                .output()
                .unwrap();
            let err = stderr(&out);
            assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
            assert!(
                err.contains("<stdout>: No space left on device"),
                "{args:?}: {err}"
            );
        }
    }
    // A reader that closes the pipe early ends the command quietly.
    let mut child = Command::new(env!("CARGO_BIN_EXE_polarity"))
        .args(["eval", "--data", "r.tsv"])
        .current_dir(&*dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).is_empty(), "{}", stderr(&out));
    // dump reads labels as eval does: a model's names too.
    std::fs::write(
        dir.join("names.tsv"),
        "positive\tgreat fun\nnegative\tdull\n",
    )
    .unwrap();
    assert!(succeeds(&dir, &["dump", "--data", "names.tsv"]).is_empty());
    // An output that cannot be written is refused before the training, not after it.
    std::fs::write(dir.join("file"), "").unwrap();
    let out = polarity(
        &dir,
        &["fine-tune", "--data", "r.tsv", "--out", "file/m.onnx"],
    );
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(!err.contains("fine-tuned on"), "{err}");
    // Options are named as flags, the data's faults with its file.
    fails(
        &dir,
        &[
            "fine-tune",
            "--data",
            "r.tsv",
            "--out",
            "m.onnx",
            "--epochs",
            "0",
        ],
        "--epochs must be a whole number",
    );
    fails(
        &dir,
        &[
            "fine-tune",
            "--data",
            "r.tsv",
            "--out",
            "m.onnx",
            "--labels",
            "a",
        ],
        "--labels: a classifier has from 2 to 32 labels, not 1",
    );
    std::fs::write(dir.join("one.tsv"), "1\tgreat\n1\tfine\n").unwrap();
    fails(
        &dir,
        &["fine-tune", "--data", "one.tsv", "--out", "m.onnx"],
        "one.tsv: no example is labelled \"negative\"",
    );
    // 1 / 0 read for a model whose first label is not "positive": said.
    let tuned = [
        "fine-tune",
        "--labels",
        "negative,positive",
        "--data",
        "names.tsv",
        "--out",
        "np.onnx",
        "--epochs",
        "2",
    ];
    succeeds(&dir, &tuned);
    let err = succeeds(&dir, &["eval", "--model", "np.onnx", "--data", "r.tsv"]);
    assert!(
        err.contains("1 / 0 in r.tsv are read as negative / positive"),
        "{err}"
    );
}

#[test]
fn set_knobs_out_of_range_are_refused_when_read() {
    let dir = scratch("knobs");
    // Each once trained for minutes (or grew memory without end) before failing, or not at all.
    for (knob, message) in [
        (
            "crops=100000000",
            "--set crops: \"100000000\" is not a whole number from 0 to 16",
        ),
        (
            "distill=3",
            "--set distill: \"3\" is not a number from 0 to 1",
        ),
        (
            "negation_flip=inf",
            "--set negation_flip: \"inf\" is not a number",
        ),
        (
            "tokenizer=3",
            "--set tokenizer: \"3\" is not a whole number from 1 to 2",
        ),
    ] {
        fails(&dir, &["train", "--out", "t.onnx", "--set", knob], message);
    }
    fails(
        &dir,
        &[
            "train",
            "--out",
            "t.onnx",
            "--set",
            "teacher=1",
            "--set",
            "teacher_temperature=NaN",
        ],
        "--set teacher_temperature: \"NaN\" is not a number",
    );
}

#[test]
fn outputs_are_checked_without_leaving_folders_and_convert_keeps_its_input() {
    let dir = scratch("outputs");
    std::fs::write(dir.join("r.tsv"), "positive\tgreat\n").unwrap();
    // The data is missing: the folders the output would need are not left behind.
    fails(
        &dir,
        &["fine-tune", "--data", "nope.tsv", "--out", "new/sub/x.onnx"],
        "nope.tsv",
    );
    assert!(!dir.join("new").exists(), "a folder was made for nothing");
    // A file where a folder should be is named as such, not as "File exists".
    fails(
        &dir,
        &["fine-tune", "--data", "r.tsv", "--out", "r.tsv/x.onnx"],
        "r.tsv: is a file, not a folder",
    );
    // Converting is lossy: the file read is never the file written.
    succeeds(&dir, &["convert", "--to", "int8", "--out", "m8.onnx"]);
    let before = std::fs::read(dir.join("m8.onnx")).unwrap();
    fails(
        &dir,
        &[
            "convert",
            "--model",
            "m8.onnx",
            "--to",
            "int4",
            "--out",
            "./m8.onnx",
        ],
        "are the same file",
    );
    assert_eq!(std::fs::read(dir.join("m8.onnx")).unwrap(), before);
}

#[test]
fn a_text_too_long_to_classify_is_named_by_its_file_and_line() {
    let dir = scratch("long");
    let long = "a".repeat(polarity::limits::MAX_TEXT_BYTES + 1);
    std::fs::write(dir.join("big.tsv"), format!("1\tgood\n0\t{long}\n")).unwrap();
    fails(
        &dir,
        &["eval", "--data", "big.tsv"],
        "big.tsv: line 2: the text is",
    );
    fails(
        &dir,
        &["fine-tune", "--data", "big.tsv", "--out", "x.onnx"],
        "big.tsv: line 2: the text has",
    );
    let mut child = Command::new(env!("CARGO_BIN_EXE_polarity"))
        .arg("classify")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    // The reader stops at the line's limit: the rest may find the pipe closed.
    let _ = std::io::Write::write_all(&mut stdin, format!("good\n{long}\n").as_bytes());
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("<stdin>: line 2: the line is more than"),
        "{}",
        stderr(&out)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 1);
}

#[test]
fn training_on_too_few_reviews_for_a_validation_split_is_refused() {
    let dir = scratch("few");
    let table = dir.join("data/embeddings/minilm-words-64d");
    std::fs::create_dir_all(&table).unwrap();
    std::fs::create_dir_all(dir.join("data/imdb")).unwrap();
    std::fs::write(table.join("tokens.txt"), "good\nbad\n").unwrap();
    std::fs::write(table.join("embeddings.f32"), vec![0u8; 2 * 64 * 4]).unwrap();
    let reviews: String = (0..500)
        .map(|i| format!("{}\treview {i} was good or bad\n", i % 2))
        .collect();
    std::fs::write(dir.join("data/imdb/train.tsv.gz"), reviews).unwrap();
    // It trained on all 500 and early-stopped on nothing, and the card said 0% on validation.
    fails(
        &dir,
        &["train", "--data", "data", "--out", "t.onnx"],
        "500 reviews leave 500 for training and 0 for validation",
    );
    assert!(!dir.join("t.onnx").exists());
}

/// A data folder holding only an SMS spam collection of `n` spam and `n` ham messages, for
/// `fewshot --task sms`.
fn sms_data(dir: &Path, n: usize) -> PathBuf {
    let data = dir.join("data");
    std::fs::create_dir_all(data.join("sms-spam")).unwrap();
    let rows: String = (0..n)
        .map(|i| format!("spam\tWIN a free prize {i}, call now\nham\tsee you at lunch {i}\n"))
        .collect();
    std::fs::write(data.join("sms-spam/sms.tsv.gz"), rows).unwrap();
    data
}

#[test]
fn fewshot_refuses_what_cannot_run_before_any_output() {
    let dir = scratch("fewshot");
    let data = sms_data(&dir, 40);
    let data = data.to_str().unwrap();
    let sms = ["fewshot", "--data", data, "--task", "sms", "--seeds", "1"];
    // A sample smaller than the labels cannot hold one of each: it printed the table's header,
    // then failed at the fine-tune.
    for natural in [false, true] {
        let mut args = [&sms[..], &["--n", "4,1"]].concat();
        if natural {
            args.push("--natural");
        }
        let out = polarity(&dir, &args);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert!(
            err.contains("--n 1: a sample has from 2 texts (one of each of the task's 2 labels)"),
            "{err}"
        );
        assert!(out.stdout.is_empty() && !err.contains("start:"), "{err}");
    }
    let out = polarity(
        &dir,
        &[&sms[..], &["--n", "2", "--epochs", "2", "--json"]].concat(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("\"balanced_accuracy\""));
    // The bundled head is positive / negative: it cannot learn spam / ham.
    let out = polarity(&dir, &[&sms[..], &["--n", "4", "--keep-head"]].concat());
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains(
            "--keep-head needs a model labelled spam / ham; this one is labelled positive / negative"
        ),
        "{err}"
    );
    assert!(out.stdout.is_empty(), "{err}");
}

#[test]
fn fewshot_names_its_options_as_flags_and_documents_them() {
    let dir = scratch("fewshot-flags");
    // Named as flags, not as the JavaScript options, and before the data is read (there is none).
    for (flag, value, message) in [
        ("--epochs", "0", "--epochs must be a whole number"),
        (
            "--learning-rate",
            "2",
            "--learning-rate must be a number above 0",
        ),
        ("--batch-size", "0.5", "--batch-size must be a whole number"),
        ("--runs", "0", "--runs must be a whole number"),
        (
            "--embedding-lr-scale",
            "-1",
            "--embedding-lr-scale must be between 0 and 10, not -1",
        ),
    ] {
        fails(&dir, &["fewshot", flag, value], message);
    }
    let out = polarity(&dir, &["fewshot", "--help"]);
    let help = String::from_utf8_lossy(&out.stdout).into_owned();
    let lines: Vec<&str> = help.lines().collect();
    for (i, line) in lines.iter().enumerate() {
        if line.trim_start().starts_with("--") {
            let about = lines.get(i + 1).map_or("", |l| l.trim());
            assert!(
                !about.is_empty() && !about.starts_with("[default"),
                "{line} has no help"
            );
        }
    }
    assert!(help.contains("\"balanced_accuracy\""), "{help}");
}

#[test]
fn bench_reads_labels_as_eval_does_and_its_training_file_before_timing() {
    let dir = scratch("bench");
    std::fs::write(
        dir.join("names.tsv"),
        "positive\tgreat fun\nnegative\tdull\n",
    )
    .unwrap();
    let out = polarity(&dir, &["bench", "--data", "names.tsv", "--runs", "1"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("\"reviews\":2"));
    // Names of the model's labels in --train too, and a file it cannot learn from is named.
    std::fs::write(dir.join("one.tsv"), "positive\tgreat\n1\tfine\n").unwrap();
    fails(
        &dir,
        &[
            "bench",
            "--data",
            "names.tsv",
            "--runs",
            "1",
            "--train",
            "one.tsv",
        ],
        "one.tsv: no example is labelled \"negative\"",
    );
    std::fs::write(dir.join("sh.tsv"), "spam\tcall now\nham\tlunch?\n").unwrap();
    fails(
        &dir,
        &["bench", "--data", "names.tsv", "--train", "sh.tsv"],
        "sh.tsv: line 1: unknown label \"spam\"",
    );
    // --data is only timed: IMDB's 1 / 0 reviews time a model of three labels (read as eval
    // reads them, they were refused).
    std::fs::write(
        dir.join("fb.tsv"),
        "praise\tgreat\ncomplaint\tbroken\nquestion\twhen?\n",
    )
    .unwrap();
    succeeds(
        &dir,
        &[
            "fine-tune",
            "--labels",
            "praise,complaint,question",
            "--data",
            "fb.tsv",
            "--out",
            "three.onnx",
            "--epochs",
            "1",
        ],
    );
    std::fs::write(dir.join("imdb.tsv"), "1\tgreat fun\n0\tdull\n").unwrap();
    let out = polarity(
        &dir,
        &[
            "bench",
            "--model",
            "three.onnx",
            "--data",
            "imdb.tsv",
            "--runs",
            "1",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("\"reviews\":2"));
}

#[test]
fn dump_skips_comment_lines_as_eval_does() {
    let dir = scratch("dump-comments");
    std::fs::write(dir.join("c.tsv"), "1\tgood\n#note\tnot a review\n0\tbad\n").unwrap();
    let out = polarity(&dir, &["dump", "--data", "c.tsv"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 2);
    let out = polarity(&dir, &["eval", "--data", "c.tsv"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("reviews      2"));
}

#[test]
fn negative_numbers_reach_the_range_checks() {
    let dir = scratch("negative");
    std::fs::write(dir.join("ft.csv"), "1,good\n0,bad\n").unwrap();
    fails(
        &dir,
        &[
            "fine-tune",
            "--data",
            "ft.csv",
            "--out",
            "o.onnx",
            "--seed",
            "-1",
        ],
        "--seed must be a whole number from 0 to 2^53 - 1, not -1",
    );
    fails(
        &dir,
        &[
            "fine-tune",
            "--data",
            "ft.csv",
            "--out",
            "o.onnx",
            "--epochs",
            "-3",
        ],
        "--epochs must be a whole number of at least 1, not -3",
    );
}

#[test]
fn fine_tune_reads_a_file_that_is_not_utf8_as_the_page_does() {
    // Windows-1252, as Excel saves CSV (Kaggle's spam.csv): the page imports it, and so does
    // fine-tune (it refused the file the page took); eval, reading a data set, stays strict.
    let dir = scratch("ft-1252");
    std::fs::write(
        dir.join("cp.tsv"),
        b"1\tcaf\xe9 great \x80 5\n0\tawful caf\xe9\n",
    )
    .unwrap();
    let out = polarity(
        &dir,
        &[
            "fine-tune",
            "--data",
            "cp.tsv",
            "--out",
            "o.onnx",
            "--epochs",
            "1",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("cp.tsv: not UTF-8: read as Windows-1252"),
        "{}",
        stderr(&out)
    );
    assert!(stderr(&out).contains("1 epoch,"), "{}", stderr(&out));
    assert!(dir.join("o.onnx").exists());
    let (text, encoding) = polarity::data::read_import(&dir.join("cp.tsv")).unwrap();
    assert_eq!(encoding, Some("windows-1252"));
    assert_eq!(text, "1\tcafé great € 5\n0\tawful café\n");
    // UTF-16 with its byte-order mark (Excel's "Unicode Text"), as the page reads it.
    let utf16: Vec<u8> = [0xff, 0xfe]
        .into_iter()
        .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    std::fs::write(dir.join("u16.tsv"), utf16).unwrap();
    let (read, encoding) = polarity::data::read_import(&dir.join("u16.tsv")).unwrap();
    assert_eq!((read.as_str(), encoding), (text.as_str(), Some("UTF-16LE")));
    fails(
        &dir,
        &["eval", "--data", "cp.tsv"],
        "cp.tsv: line 1: not UTF-8 text",
    );
}

#[test]
fn fine_tune_counts_one_more_row_and_refuses_only_an_output_over_an_input() {
    let dir = scratch("ft-small");
    std::fs::write(dir.join("bad.csv"), "a,good\nc,bad\nd,dull\n").unwrap();
    fails(
        &dir,
        &[
            "fine-tune",
            "--labels",
            "a,b",
            "--data",
            "bad.csv",
            "--out",
            "o.onnx",
        ],
        "line 2: unknown label \"c\"; use \"a\" or \"b\" (or 1 / 0) (and 1 more row)",
    );
    std::fs::write(dir.join("ft.csv"), "1,good\n0,bad\n").unwrap();
    // Nothing is written over ft.csv: what is wrong is that it is no model.
    fails(
        &dir,
        &[
            "fine-tune",
            "--model",
            "ft.csv",
            "--data",
            "ft.csv",
            "--out",
            "o.onnx",
        ],
        "ft.csv: not a valid polarity model",
    );
}
