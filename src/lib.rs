//! polarity: text classification that runs, and fine-tunes, in the browser: 2 to 32 labels of
//! one's own, and a bundled sentiment model (positive / negative).
//!
//! A pre-trained word embedding (rows looked up per token and combined with the sqrt-n combiner)
//! feeds a small dense head. The model ships as one ONNX file with an int4 table, run by tract.
//!
//! The layers, bottom up:
//! - [`text`]: the tokenizer; [`vocab`]: tokens to table rows;
//! - `model`: the network in plain Rust (reference forward pass, explanations), `quantize`: its
//!   table as files store it (int4, or int8 in older files); `train`: training; [`finetune`]: fine-tuning requests and their rules, checked;
//! - [`onnx`]: the model as one self-contained ONNX file, and back;
//! - `engine`: the same graph built from the weights in tract-core, and run;
//! - [`Classifier`]: what applications use: engine + model + labels;
//! - [`limits`]: every limit, in one place; [`texts`]: files of texts to classify, and results
//!   as CSV;
//! - `wasm` (wasm32 only): the JavaScript facade; with feature `cli` (native only): [`data`]
//!   files, the training [`recipe`], [`eval`]uation and [`fewshot`] experiments.
//!
//! The public API is this page: the modules above marked as links, and the re-exports below.
//!
//! ```
//! use polarity::Classifier;
//!
//! let clf = Classifier::bundled()?; // the shipped model, compiled in
//! let p = clf.classify("A wonderful film, I loved it.")?;
//! assert_eq!(p.label, "positive"); // `score` is P(positive)
//! let batch = clf.classify_batch(&["Dull.", "Great fun!"])?;
//! assert_eq!(batch[1].label, "positive");
//! // Each word's pull on the score, with its byte span in the text.
//! let why = clf.explain("Great cast, dull plot")?;
//! assert!(!why.tokens.is_empty());
//! // A model file, as `to_bytes` writes it, loads back scoring the same.
//! let again = Classifier::from_bytes(&clf.to_bytes())?;
//! assert_eq!(again.classify("Dull.")?.score, clf.classify("Dull.")?.score);
//! # Ok::<(), polarity::Error>(())
//! ```

#[cfg(feature = "cli")]
mod augment;
#[cfg(feature = "cli")]
mod card;
mod classifier;
#[cfg(feature = "cli")]
pub mod data;
mod engine;
#[cfg(feature = "cli")]
pub mod eval;
#[cfg(feature = "cli")]
pub mod fewshot;
pub mod finetune;
pub mod limits;
mod model;
pub mod onnx;
mod quantize;
#[cfg(feature = "cli")]
pub mod recipe;
mod rng;
mod scope;
#[cfg(feature = "cli")]
pub mod suites;
mod table;
#[cfg(feature = "cli")]
pub mod teacher;
pub mod text;
pub mod texts;
mod train;
pub mod vocab;
#[cfg(target_arch = "wasm32")]
pub mod wasm;
mod wire;

pub use classifier::{Classifier, Explanation, LabelScore, ModelInfo, Prediction, WeightedToken};
pub use model::{Model, Pull};
pub use quantize::Format;
pub use train::{no_progress, Flow, Progress, Report};

use std::fmt;

/// The shipped model (model/polarity.onnx), compiled in: the wasm needs no other asset.
pub static BUNDLED_MODEL: &[u8] = include_bytes!("../model/polarity.onnx");

/// Everything that can go wrong, with a message a person can act on and, where there is one, the
/// error that caused it ([`std::error::Error::source`]).
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The bytes are not protobuf at all: garbage, or a truncated file.
    Undecodable(prost::DecodeError),
    /// A readable ONNX file that is not a polarity model, or has a part missing or malformed.
    NotAModel(String),
    /// The model's parts do not fit together (sizes, duplicate words).
    InconsistentModel(String),
    /// The file's checksum does not match its contents: it was changed on its way here.
    Damaged(String),
    /// A text, file or value is larger than polarity reads ([`limits`]).
    TooLarge(String),
    /// The work needs more memory than the allocator can get ([`limits::check_memory`]): in wasm,
    /// more than the module's 4 GB, most often held by classifiers never freed.
    OutOfMemory(String),
    /// tract refused the graph, or failed to run it.
    Engine {
        context: &'static str,
        source: tract_onnx::prelude::TractError,
    },
    /// Bad input from the caller: examples, options, labels.
    InvalidInput(String),
    /// A number outside its range (a `fineTune` option, a count of labels): JavaScript's
    /// `RangeError`.
    OutOfRange(String),
    /// Training was stopped by its progress callback (the model is as it was).
    Stopped,
    /// Training made weights NaN, infinite or larger than a model file holds
    /// ([`limits::MAX_WEIGHT`]): the input was fine, the learning rate too high.
    Diverged,
    /// A file could not be read or written.
    Io {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    /// A line of a data file is not what its format says.
    BadData {
        path: std::path::PathBuf,
        line: usize,
        reason: String,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Undecodable(e) => write!(
                f,
                "not a valid polarity model: the bytes are not an ONNX protobuf ({e})"
            ),
            Error::NotAModel(m) => write!(f, "not a valid polarity model: {m}"),
            Error::InconsistentModel(m) => write!(f, "inconsistent model: {m}"),
            Error::Damaged(m) => write!(f, "the model file is damaged: {m}"),
            Error::TooLarge(m) | Error::OutOfMemory(m) => f.write_str(m),
            Error::Engine { context, source } => {
                write!(f, "inference engine error: {context}: {source:#}")
            }
            Error::InvalidInput(m) | Error::OutOfRange(m) => f.write_str(m),
            Error::Stopped => f.write_str("training was stopped by its progress callback"),
            Error::Diverged => f.write_str(
                "training diverged (weights became NaN, infinite or too large to save); try a \
                 smaller learningRate",
            ),
            Error::Io { path, source } => write!(f, "{}: {source}", path.display()),
            Error::BadData { path, line, reason } => {
                write!(f, "{}: line {line}: {reason}", path.display())
            }
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Undecodable(e) => Some(e),
            Error::Engine { source, .. } => Some(source.as_ref()),
            Error::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

impl Error {
    /// An [`Error::Engine`] for tract's `result`, saying what was being done.
    pub(crate) fn engine(
        context: &'static str,
    ) -> impl FnOnce(tract_onnx::prelude::TractError) -> Error {
        move |source| Error::Engine { context, source }
    }
}
