//! Values between JavaScript and Rust for the facade: serde in (with the path of a wrong value)
//! and out (plain, JSON-compatible objects), the shapes results take on the wire, and errors as
//! JavaScript `Error`s.

use js_sys::{Array, Reflect};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;

use crate::finetune::{self, FineTuneReport};
use crate::{Error, Prediction};

pub(super) fn js_error(e: Error) -> js_sys::Error {
    match e {
        Error::TooLarge(_) => js_sys::RangeError::new(&e.to_string()).into(),
        _ => js_sys::Error::new(&e.to_string()),
    }
}

pub(super) fn type_error(what: &str, value: &JsValue) -> js_sys::Error {
    let got = if value.is_null() {
        "null".to_string()
    } else if Array::is_array(value) {
        "an array".to_string()
    } else {
        value.js_typeof().as_string().unwrap_or_default()
    };
    js_sys::TypeError::new(&format!("{what}, got {got}")).into()
}

/// `value` as a `T`; a wrong shape is a `TypeError` that says where (`{what} epochs: ...`).
pub(super) fn from_js<T: DeserializeOwned>(what: &str, value: JsValue) -> Result<T, js_sys::Error> {
    serde_path_to_error::deserialize(serde_wasm_bindgen::Deserializer::from(value)).map_err(|e| {
        let path = e.path().to_string();
        let at = if path == "." {
            String::new()
        } else {
            format!(" {path}")
        };
        js_sys::TypeError::new(&format!("{what}{at}: {}", e.inner())).into()
    })
}

/// A plain object (or array) for `value`. Our results are numbers, strings and lists of them,
/// which always convert.
pub(super) fn to_js<T: Serialize + ?Sized>(value: &T) -> JsValue {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .unwrap_or(JsValue::UNDEFINED)
}

pub(super) fn string_arg(method: &str, value: &JsValue) -> Result<String, js_sys::Error> {
    bounded_string_arg(method, value, crate::limits::MAX_TEXT_CHARS)
}

/// The content of a file (`parseExamples`, `parseTexts`): [`crate::limits::MAX_FILE_CHARS`].
pub(super) fn file_arg(method: &str, value: &JsValue) -> Result<String, js_sys::Error> {
    bounded_string_arg(method, value, crate::limits::MAX_FILE_CHARS)
}

fn bounded_string_arg(method: &str, value: &JsValue, max: usize) -> Result<String, js_sys::Error> {
    // Checked before the text is copied into the module's memory.
    if let Some(length) = value
        .dyn_ref::<js_sys::JsString>()
        .map(|s| s.length() as usize)
    {
        if length > max {
            return Err(js_sys::RangeError::new(&format!(
                "{method}(): the text has {length} characters; polarity reads at most {max} (split it)"
            ))
            .into());
        }
    }
    value
        .as_string()
        .ok_or_else(|| type_error(&format!("{method}() expects a string"), value))
}

/// The page's (or worker's, or Node's) `performance`, if it has one.
fn performance() -> Option<web_sys::Performance> {
    Reflect::get(&js_sys::global(), &JsValue::from_str("performance"))
        .ok()
        .and_then(|p| p.dyn_into::<web_sys::Performance>().ok())
}

/// Milliseconds from the `performance` clock.
pub(super) fn now() -> f64 {
    performance().map_or_else(js_sys::Date::now, |p| p.now())
}

/// A `performance.mark(name)`, where there is a `performance` (a failure changes nothing).
pub(super) fn mark(name: &str) {
    if let Some(p) = performance() {
        let _ = p.mark(name);
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct PretrainedOptions {
    pub(super) labels: Option<Vec<String>>,
    pub(super) seed: Option<f64>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct TimedReport<'a> {
    #[serde(flatten)]
    pub(super) report: &'a FineTuneReport,
    pub(super) millis: f64,
}

#[derive(Serialize)]
pub(super) struct ExplainedToken<'a> {
    pub(super) text: &'a str,
    pub(super) start: usize,
    pub(super) end: usize,
    pub(super) weight: f32,
}

#[derive(Serialize)]
pub(super) struct Explanation<'a> {
    #[serde(flatten)]
    pub(super) prediction: &'a Prediction,
    pub(super) tokens: Vec<ExplainedToken<'a>>,
}

#[derive(Serialize)]
pub(super) struct ParsedExamples<'a> {
    pub(super) rows: Vec<LabelledRow<'a>>,
    pub(super) errors: &'a [String],
}

#[derive(Serialize)]
pub(super) struct LabelledRow<'a> {
    pub(super) text: &'a str,
    pub(super) label: &'a str,
}

/// Label names given by JavaScript, checked.
pub(super) fn labels_arg(what: &str, value: JsValue) -> Result<Vec<String>, js_sys::Error> {
    let labels: Vec<String> = from_js(what, value)?;
    finetune::check_labels(&labels).map_err(js_error)?;
    Ok(labels)
}
