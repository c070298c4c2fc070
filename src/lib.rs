//! polarity: positive / negative text classification that runs, and fine-tunes, in the browser.
//!
//! A pre-trained word embedding (rows looked up per token and combined with the sqrt-n combiner)
//! feeds a small dense head. The model ships as one ONNX file with an int8 table, run by tract.
//!
//! The layers, bottom up:
//! - [`text`]: the tokenizer; [`vocab`]: tokens to table rows;
//! - [`model`]: the network in plain Rust (reference forward pass, explanations);
//!   [`quantize`]: its int8 table; [`train`]: training; [`finetune`]: fine-tuning requests checked;
//! - [`onnx`]: the model as one self-contained ONNX file, and back;
//! - [`engine`]: the same graph built from the weights in tract-core, and run;
//! - [`classifier`]: what applications use: engine + model + labels;
//! - `wasm` (wasm32 only): the JavaScript facade; `data` and the `polarity` binary (feature `cli`):
//!   IMDB and embedding files, native only.

#[cfg(feature = "cli")]
pub mod card;
pub mod classifier;
#[cfg(feature = "cli")]
pub mod data;
pub mod engine;
pub mod finetune;
pub mod model;
pub mod onnx;
pub mod quantize;
#[cfg(feature = "cli")]
pub mod recipe;
pub mod rng;
pub mod scope;
#[cfg(feature = "cli")]
pub mod suites;
pub mod text;
pub mod train;
pub mod vocab;
#[cfg(target_arch = "wasm32")]
pub mod wasm;

pub use classifier::{Classifier, Explanation, Prediction};
pub use model::Model;

/// The shipped model (model/polarity.onnx), compiled in: the wasm needs no other asset.
pub static BUNDLED_MODEL: &[u8] = include_bytes!("../model/polarity.onnx");

/// Everything that can go wrong, with a message a person can act on.
#[derive(Debug)]
pub enum Error {
    /// The model bytes are not a polarity model (garbage, truncated, or another ONNX file).
    Format(String),
    /// The model is inconsistent (sizes that do not fit, duplicate words).
    Model(String),
    /// The engine (tract) refused the model or failed to run it.
    Engine(String),
    /// Bad input from the caller (training examples, options).
    Input(String),
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Format(m) => write!(f, "not a valid polarity model: {m}"),
            Error::Model(m) => write!(f, "inconsistent model: {m}"),
            Error::Engine(m) => write!(f, "inference engine error: {m}"),
            Error::Input(m) => write!(f, "{m}"),
        }
    }
}

impl std::error::Error for Error {}
