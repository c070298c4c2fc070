//! The JavaScript facade (wasm32 only): thin wasm-bindgen bindings over [`crate::Classifier`].
//!
//! Only conversion lives here: JS values in (checked, so a wrong type is a readable `Error`, never
//! a crash), plain JS objects out (`js_sys::Object`, no serde, to keep the wasm small). Every
//! failure reaches JavaScript as a thrown `Error` with a human message.

use js_sys::{Array, Object, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;

use crate::text::utf16_spans;
use crate::{Classifier as Inner, Error, Prediction};

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &str = r#"
/** A label and the probability that the text is positive. */
export interface Prediction {
  /** "positive" or "negative" (the model's labels; see `info().labels`). */
  label: string;
  /** P(positive), between 0 and 1; `label` is "positive" when score >= 0.5. */
  score: number;
}

/** One word of the input and how much it pushed the score. */
export interface ExplainedToken {
  /** The token as the model read it (lowercased). */
  text: string;
  /** UTF-16 offsets into the input: `input.slice(start, end)` is the word as typed. */
  start: number;
  end: number;
  /** Signed contribution to the positive score (score with the word minus score without it). */
  weight: number;
}

/** A prediction with each token's contribution. */
export interface Explanation extends Prediction {
  tokens: ExplainedToken[];
}

/** What the loaded model is. */
export interface ModelInfo {
  /** Number of words in the vocabulary. */
  vocabularySize: number;
  /** Width of the word embedding. */
  dimensions: number;
  /** How the embedding table is stored, e.g. "int8". */
  quantization: string;
  /** Size of the ONNX model file in bytes. */
  modelBytes: number;
  /** [positive label, negative label]. */
  labels: string[];
}
"#;

fn js_error(e: Error) -> js_sys::Error {
    js_sys::Error::new(&e.to_string())
}

fn type_error(what: &str, value: &JsValue) -> js_sys::Error {
    let got = if value.is_null() {
        "null".to_string()
    } else if Array::is_array(value) {
        "an array".to_string()
    } else {
        value.js_typeof().as_string().unwrap_or_default()
    };
    js_sys::TypeError::new(&format!("{what}, got {got}")).into()
}

fn set(target: &Object, key: &str, value: impl Into<JsValue>) {
    // Setting a property on a fresh plain object cannot fail.
    let _ = Reflect::set(target, &JsValue::from_str(key), &value.into());
}

fn prediction_object(p: &Prediction) -> Object {
    let o = Object::new();
    set(&o, "label", p.label.as_str());
    set(&o, "score", p.score as f64);
    o
}

fn string_arg(method: &str, value: &JsValue) -> Result<String, js_sys::Error> {
    value
        .as_string()
        .ok_or_else(|| type_error(&format!("{method}() expects a string"), value))
}

/// A sentiment classifier. `new Classifier()` loads the model bundled in the wasm.
#[wasm_bindgen(js_name = Classifier)]
pub struct JsClassifier {
    inner: Inner,
}

#[wasm_bindgen(js_class = Classifier)]
impl JsClassifier {
    /// Loads the bundled model.
    #[wasm_bindgen(constructor)]
    pub fn new() -> Result<JsClassifier, js_sys::Error> {
        Self::load(crate::BUNDLED_MODEL)
    }

    /// Loads a model saved with `toBytes()` (a polarity ONNX file).
    #[wasm_bindgen(js_name = fromBytes)]
    pub fn from_bytes(
        #[wasm_bindgen(unchecked_param_type = "Uint8Array")] bytes: JsValue,
    ) -> Result<JsClassifier, js_sys::Error> {
        let bytes = if let Some(b) = bytes.dyn_ref::<Uint8Array>() {
            b.to_vec()
        } else if let Some(b) = bytes.dyn_ref::<js_sys::ArrayBuffer>() {
            Uint8Array::new(b).to_vec()
        } else {
            return Err(type_error(
                "Classifier.fromBytes() expects a Uint8Array",
                &bytes,
            ));
        };
        Self::load(&bytes)
    }

    fn load(bytes: &[u8]) -> Result<JsClassifier, js_sys::Error> {
        // Every other entry point needs a Classifier, so this covers them all: a panic (which
        // should never happen) then shows as a readable console message.
        console_error_panic_hook::set_once();
        Inner::from_bytes(bytes)
            .map(|inner| JsClassifier { inner })
            .map_err(js_error)
    }

    /// The model as a polarity ONNX file, for `Classifier.fromBytes()`.
    #[wasm_bindgen(js_name = toBytes)]
    pub fn to_bytes(&self) -> Vec<u8> {
        self.inner.to_bytes()
    }

    /// `{ label, score }` for one text; empty text is fine.
    #[wasm_bindgen(unchecked_return_type = "Prediction")]
    pub fn classify(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] text: JsValue,
    ) -> Result<JsValue, js_sys::Error> {
        let text = string_arg("classify", &text)?;
        let p = self.inner.classify(&text).map_err(js_error)?;
        Ok(prediction_object(&p).into())
    }

    /// One `{ label, score }` per text, in order.
    #[wasm_bindgen(js_name = classifyBatch, unchecked_return_type = "Prediction[]")]
    pub fn classify_batch(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string[]")] texts: JsValue,
    ) -> Result<Array, js_sys::Error> {
        let array = texts
            .dyn_ref::<Array>()
            .ok_or_else(|| type_error("classifyBatch() expects an array of strings", &texts))?;
        let mut strings = Vec::with_capacity(array.length() as usize);
        for (i, item) in array.iter().enumerate() {
            let s = item.as_string().ok_or_else(|| {
                type_error(
                    &format!("classifyBatch() expects an array of strings; item {i} is not one"),
                    &item,
                )
            })?;
            strings.push(s);
        }
        let predictions = self.inner.classify_batch(&strings).map_err(js_error)?;
        Ok(predictions.iter().map(prediction_object).collect())
    }

    /// `{ label, score, tokens: [{ text, start, end, weight }] }`; offsets are UTF-16 (JS string
    /// indices), weights are leave-one-out contributions to the positive score.
    #[wasm_bindgen(unchecked_return_type = "Explanation")]
    pub fn explain(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] text: JsValue,
    ) -> Result<JsValue, js_sys::Error> {
        let text = string_arg("explain", &text)?;
        let e = self.inner.explain(&text).map_err(js_error)?;
        let bytes: Vec<(usize, usize)> = e.tokens.iter().map(|t| (t.start, t.end)).collect();
        let tokens: Array = e
            .tokens
            .iter()
            .zip(utf16_spans(&text, &bytes))
            .map(|(t, (start, end))| {
                let o = Object::new();
                set(&o, "text", t.text.as_str());
                set(&o, "start", start as f64);
                set(&o, "end", end as f64);
                set(&o, "weight", t.weight as f64);
                o
            })
            .collect();
        let o = prediction_object(&e.prediction);
        set(&o, "tokens", tokens);
        Ok(o.into())
    }

    /// `{ vocabularySize, dimensions, quantization, modelBytes, labels }`.
    #[wasm_bindgen(unchecked_return_type = "ModelInfo")]
    pub fn info(&self) -> JsValue {
        let model = self.inner.model();
        let o = Object::new();
        set(&o, "vocabularySize", model.vocab.words().len() as f64);
        set(&o, "dimensions", model.dim as f64);
        set(&o, "quantization", "int8");
        set(&o, "modelBytes", self.inner.model_bytes() as f64);
        let labels: Array = self
            .inner
            .labels()
            .iter()
            .map(|l| JsValue::from_str(l))
            .collect();
        set(&o, "labels", labels);
        o.into()
    }
}
