//! `polarity`: train the shipped model, evaluate a model on labelled reviews, fine-tune it,
//! classify and explain text, and time it all natively. One file per command; the work itself is in the
//! library (`polarity::recipe`, `polarity::eval`, `polarity::fewshot`), this binary only parses
//! arguments and prints.

mod bench;
mod classify;
mod convert;
mod dump;
mod eval;
mod explain;
mod fewshot;
mod fine_tune;
mod report;
mod train;

use std::path::{Path, PathBuf};

use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use polarity::{Classifier, Error};

#[derive(Parser)]
#[command(
    version,
    about = "Sentiment classification with a pre-trained embedding, int4, run by tract"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Train on IMDB train (with a validation split carved from it) and write the model.
    Train(train::Args),
    /// Accuracy, confusion matrix and speed of a model on a LABEL<TAB>TEXT file.
    Eval(eval::Args),
    /// Fine-tune a model on a CSV / TSV of labels and texts, read as the page imports it (the
    /// model's label names or those of --labels; 1 / 0 for two labels), and write it.
    FineTune(fine_tune::Args),
    /// Token ids and tract's score of each review, as JSON lines (to cross-check other engines).
    Dump(dump::Args),
    /// Few-shot transfer: fine-tune a model on N balanced IMDB-train reviews, several seeds,
    /// and measure accuracy on the validation split (or, with --test, on IMDB test).
    Fewshot(fewshot::Args),
    /// Native timings for `make bench`, as one JSON object: tokenizing alone, `classify` one review
    /// at a time (p50, p99), `classify_batch` throughput, fine-tuning speed; medians of runs.
    Bench(bench::Args),
    /// Short-text report: IMDB validation, sentence sets, negation suite, typo/URL/@name flips.
    Report(report::Args),
    /// Label and score of each TEXT, or of each line of stdin when there is none: LABEL<TAB>SCORE,
    /// as `classify` gives them in JavaScript. SCORE is P(first label) for a model of two labels
    /// (P(positive) for the shipped one: "negative 0.04" is a text read as 96% negative), and the
    /// label's own probability for more.
    Classify(classify::Args),
    /// Each word's pull on the verdict, left out one at a time: in log-odds and in probability,
    /// as `explain` gives them in JavaScript (`logOdds`, `weight`).
    Explain(explain::Args),
    /// The same model with its table stored as int8 or int4.
    Convert(convert::Args),
}

fn main() {
    let result = match Cli::parse().command {
        Command::Train(args) => train::run(args),
        Command::Eval(args) => eval::run(args),
        Command::FineTune(args) => fine_tune::run(args),
        Command::Dump(args) => dump::run(args),
        Command::Fewshot(args) => fewshot::run(args),
        Command::Bench(args) => bench::run(args),
        Command::Report(args) => report::run(args),
        Command::Classify(args) => classify::run(args),
        Command::Explain(args) => explain::run(args),
        Command::Convert(args) => convert::run(args),
    };
    match result {
        Ok(()) => {}
        // `polarity classify ... | head`: the reader has all it wants.
        Err(Error::Io { source, .. }) if source.kind() == std::io::ErrorKind::BrokenPipe => {}
        Err(e) => {
            eprintln!("polarity: {e}");
            std::process::exit(1);
        }
    }
}

/// A labelled file and the model to run on it: what `eval`, `dump` and `bench` read.
#[derive(clap::Args)]
struct Source {
    /// The labelled reviews (LABEL<TAB>TEXT, gzip or plain; LABEL a name of the model's labels, or
    /// 1 / 0 for the first / second of two; a first line `label<TAB>text` is skipped). `dump` and
    /// `bench` use only the texts, whatever their labels.
    #[arg(long)]
    data: PathBuf,
    /// The model (default: the bundled model/polarity.onnx).
    #[arg(long)]
    model: Option<PathBuf>,
}

/// Reads `path` as `eval` reads it: LABEL a name of the model's `labels` (1 / 0 for the first /
/// second of two as well, names first: a model of labels "0" and "1" means them as written), as
/// fine-tune reads its data. Gives the texts with their label's index, and whether a label was
/// read as 1 / 0.
fn read_source(path: &Path, labels: &[String]) -> Result<(Vec<(String, usize)>, bool), Error> {
    use polarity::finetune::{label_choices, label_index, Label};
    let numbers = std::cell::Cell::new(false);
    let index = |name: &str| {
        let i = label_index(labels, &Label::Name(name.to_string()));
        let number = matches!(name.trim(), "1" | "0") && !labels.iter().any(|l| l == name.trim());
        numbers.set(numbers.get() || (i.is_some() && number));
        i
    };
    let rows = polarity::data::read_labelled(path, &label_choices(labels), index)?;
    Ok((rows, numbers.get()))
}

/// The texts of a labelled file whatever their labels, for commands that use only the texts
/// (`dump`, `bench --data`: IMDB's 1 / 0 reviews for a model of four ratings). A header's line
/// ("label<TAB>text") and a comment's (`#...`, a label none of the model's `labels`) are skipped,
/// as `eval` skips them.
fn read_texts(path: &Path, labels: &[String]) -> Result<Vec<String>, Error> {
    use polarity::finetune::{label_index, Label, LABEL_HEADERS};
    let index = |name: &str| {
        let header = LABEL_HEADERS.contains(&name.trim().to_lowercase().as_str());
        let comment =
            name.starts_with('#') && label_index(labels, &Label::Name(name.to_string())).is_none();
        (!header && !comment).then_some(0)
    };
    let rows = polarity::data::read_labelled(path, "any", index)?;
    Ok(rows.into_iter().map(|(text, _)| text).collect())
}

/// The model at `path`, or the bundled one. A file that is no model is named in the error.
fn load(path: Option<&Path>) -> Result<Classifier, Error> {
    match path {
        Some(path) => Classifier::from_bytes(&polarity::data::read_file(path)?)
            .map_err(|e| Error::InvalidInput(format!("{}: {e}", path.display()))),
        None => Classifier::bundled(),
    }
}

/// Refuses a model of other than two labels for `command`, which reads 1 / 0 labels and counts
/// P(first label) >= 0.5 as the first.
fn check_two_labels(clf: &Classifier, command: &str) -> Result<(), Error> {
    match clf.labels() {
        [_, _] => Ok(()),
        labels => Err(Error::InvalidInput(format!(
            "{command} measures a model of two labels; this one has {} ({})",
            labels.len(),
            labels.join(", ")
        ))),
    }
}

/// Refuses fine-tuning `options` (before any work) with the option named by its flag: `flags`
/// pairs the library's name for it, as JavaScript spells it (`batchSize`), with the flag.
fn check_options(
    options: &polarity::finetune::FineTuneOptions,
    flags: &[(&str, &str)],
) -> Result<(), Error> {
    let Err(e) = options.resolve(usize::MAX, polarity::finetune::defaults::REFERENCE_IDS) else {
        return Ok(());
    };
    let message = e.to_string();
    let named = flags.iter().find_map(|(name, flag)| {
        let rest = message.strip_prefix(name)?;
        rest.starts_with(' ').then(|| format!("{flag}{rest}"))
    });
    Err(Error::InvalidInput(
        named.unwrap_or_else(|| format!("fine-tune options: {message}")),
    ))
}

/// The data folder: `--data`, else `POLARITY_DATA`, else `../shared/data`.
fn data_dir(data: Option<PathBuf>) -> PathBuf {
    data.unwrap_or_else(polarity::data::default_data_dir)
}

/// Writes `text` to stdout and flushes it: a failed write (a full disk) is an error that says so,
/// where `println!` panicked, and a reader that closed the pipe (`| head`) ends the command
/// quietly in `main`.
fn print_out(text: &str) -> Result<(), Error> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|source| Error::Io {
            path: "<stdout>".into(),
            source,
        })
}

/// A progress bar on stderr.
fn bar(len: u64, what: &str) -> ProgressBar {
    let bar = ProgressBar::new(len);
    bar.set_style(
        ProgressStyle::with_template("{msg:>12} [{bar:30}] {pos}/{len} {per_sec} eta {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_message(what.to_string());
    bar
}

/// Writes a model file and says how large it is.
fn write_model(clf_bytes: &[u8], out: &Path) -> Result<(), Error> {
    polarity::data::write_file(out, clf_bytes)?;
    say_written(clf_bytes, out);
    Ok(())
}

/// Says that the model `clf_bytes` was written to `out`, and how large it is.
fn say_written(clf_bytes: &[u8], out: &Path) {
    eprintln!(
        "wrote {} ({} bytes, {} gzipped at level 9)",
        out.display(),
        clf_bytes.len(),
        polarity::data::gzip_len(clf_bytes)
    );
}

/// For commands that read a data folder: a file missing from `data` says where the folder is
/// looked for. Other errors (a missing --model) are left as they are.
fn data_hint(data: &Path) -> impl Fn(Error) -> Error + '_ {
    move |e| match &e {
        Error::Io { path, source }
            if source.kind() == std::io::ErrorKind::NotFound && path.starts_with(data) =>
        {
            Error::InvalidInput(format!(
                "{e}\n(the data folder is --data, else $POLARITY_DATA, else ../shared/data)"
            ))
        }
        _ => e,
    }
}
