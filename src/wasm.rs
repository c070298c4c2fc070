//! The JavaScript facade (wasm32 only): thin wasm-bindgen bindings over [`crate::Classifier`].
//!
//! Only conversion lives here: JS values in (checked, so a wrong type is a readable `Error`, never
//! a crash), plain JS objects out (`js_sys::Object`, no serde, to keep the wasm small). Every
//! failure reaches JavaScript as a thrown `Error` with a human message.

use js_sys::{Array, Object, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;

use crate::finetune::{FineTuneOptions, Label, Labelled};
use crate::text::utf16_spans;
use crate::train::Progress;
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

/** One labelled example for `fineTune`: a label name from `info().labels`, or 1 (first) / 0. */
export interface LabelledText {
  text: string;
  label: string | number;
}

/** Where fine-tuning is, reported after every batch. */
export interface FineTuneProgress {
  epoch: number;
  epochs: number;
  step: number;
  steps: number;
  /** Mean loss and accuracy over the epoch so far. */
  loss: number;
  accuracy: number;
}

/** Every option is optional; the defaults suit 20 to 500 examples. */
export interface FineTuneOptions {
  /** Passes over the examples (default 10; at most 1000). */
  epochs?: number;
  /** Adam's step size for the head (default 0.0075); the embedding's is 0.15 times that. */
  learningRate?: number;
  /** Examples per step (default 4). */
  batchSize?: number;
  /** Update the word embedding too (default true), not only the head. */
  trainEmbedding?: boolean;
  /** Shuffling seed (default 42): the same seed and examples give the same model. */
  seed?: number;
  /** Fraction of the examples held out to measure and early-stop on, 0 to 0.5 (default 0). */
  validationSplit?: number;
  onProgress?: (progress: FineTuneProgress) => void;
}

/** What fine-tuning did. */
export interface FineTuneReport {
  epochs: number;
  /** Loss and accuracy on the training examples, with the weights kept. */
  loss: number;
  accuracy: number;
  /** On the held-out part, or null without `validationSplit`. */
  validationAccuracy: number | null;
  millis: number;
  /** Options that were out of range and clamped. */
  warnings: string[];
}

/** Options of `Classifier.fromPretrained`. */
export interface PretrainedOptions {
  /** Two different label names; the first is what `score` measures. Default ["positive", "negative"]. */
  labels?: [string, string];
  seed?: number;
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

fn field(object: &JsValue, key: &str) -> JsValue {
    if object.is_object() {
        Reflect::get(object, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
    } else {
        JsValue::UNDEFINED
    }
}

/// An optional number option: absent is `None`; anything but a number is a TypeError.
fn number_option(options: &JsValue, key: &str) -> Result<Option<f64>, js_sys::Error> {
    let value = field(options, key);
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    value
        .as_f64()
        .map(Some)
        .ok_or_else(|| type_error(&format!("option {key} must be a number"), &value))
}

fn progress_object(p: &Progress) -> Object {
    let o = Object::new();
    set(&o, "epoch", p.epoch as f64);
    set(&o, "epochs", p.epochs as f64);
    set(&o, "step", p.step as f64);
    set(&o, "steps", p.steps as f64);
    set(&o, "loss", p.loss as f64);
    set(&o, "accuracy", p.accuracy as f64);
    o
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

    /// A new binary classifier: the bundled model's embedding with a fresh, untrained head and
    /// the given label names (`classify` then answers with them).
    #[wasm_bindgen(js_name = fromPretrained)]
    pub fn from_pretrained(
        #[wasm_bindgen(unchecked_param_type = "PretrainedOptions | undefined")] options: JsValue,
    ) -> Result<JsClassifier, js_sys::Error> {
        let labels = field(&options, "labels");
        let labels: [String; 2] = if labels.is_undefined() || labels.is_null() {
            ["positive".into(), "negative".into()]
        } else {
            let pair = labels
                .dyn_ref::<Array>()
                .filter(|a| a.length() == 2)
                .and_then(|a| Some([a.get(0).as_string()?, a.get(1).as_string()?]));
            pair.ok_or_else(|| {
                type_error("option labels must be an array of two strings", &labels)
            })?
        };
        let seed = match number_option(&options, "seed")? {
            None => 42,
            Some(v) if v.is_finite() && v >= 0.0 && v.fract() == 0.0 => v as u64,
            Some(v) => {
                return Err(js_sys::RangeError::new(&format!(
                    "option seed must be a whole number of at least 0, not {v}"
                ))
                .into())
            }
        };
        let base = Self::load(crate::BUNDLED_MODEL)?;
        base.inner
            .from_pretrained(labels, seed)
            .map(|inner| JsClassifier { inner })
            .map_err(js_error)
    }

    /// Trains on `[{ text, label }]`; the classifier changes only if training succeeds.
    #[wasm_bindgen(js_name = fineTune, unchecked_return_type = "FineTuneReport")]
    pub fn fine_tune(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "LabelledText[]")] examples: JsValue,
        #[wasm_bindgen(unchecked_param_type = "FineTuneOptions | undefined")] options: JsValue,
    ) -> Result<JsValue, js_sys::Error> {
        let started = js_sys::Date::now();
        let array = examples.dyn_ref::<Array>().ok_or_else(|| {
            type_error("fineTune() expects an array of { text, label }", &examples)
        })?;
        let mut labelled = Vec::with_capacity(array.length() as usize);
        for (i, item) in array.iter().enumerate() {
            let text = field(&item, "text").as_string().ok_or_else(|| {
                type_error(
                    &format!("example {i} needs a string text"),
                    &field(&item, "text"),
                )
            })?;
            let label = field(&item, "label");
            let label = match (label.as_string(), label.as_f64()) {
                (Some(name), _) => Label::Name(name),
                (None, Some(n)) => Label::Number(n),
                _ => {
                    return Err(type_error(
                        &format!("example {i} needs a label (a name, or 1 / 0)"),
                        &label,
                    ))
                }
            };
            labelled.push(Labelled { text, label });
        }
        let train_embedding = field(&options, "trainEmbedding");
        let request = FineTuneOptions {
            epochs: number_option(&options, "epochs")?,
            learning_rate: number_option(&options, "learningRate")?,
            batch_size: number_option(&options, "batchSize")?,
            train_embedding: if train_embedding.is_undefined() {
                None
            } else {
                Some(train_embedding.is_truthy())
            },
            seed: number_option(&options, "seed")?,
            validation_split: number_option(&options, "validationSplit")?,
            embedding_learning_rate_scale: None,
        };
        let on_progress = field(&options, "onProgress")
            .dyn_into::<js_sys::Function>()
            .ok();
        let report = self
            .inner
            .fine_tune_examples(&labelled, &request, &mut |p| {
                if let Some(f) = &on_progress {
                    // A throwing callback must not leave training half done: its error is dropped.
                    let _ = f.call1(&JsValue::NULL, &progress_object(p));
                }
            })
            .map_err(js_error)?;
        let o = Object::new();
        set(&o, "epochs", report.epochs as f64);
        set(&o, "loss", report.loss as f64);
        set(&o, "accuracy", report.accuracy as f64);
        set(
            &o,
            "validationAccuracy",
            report
                .validation_accuracy
                .map_or(JsValue::NULL, |a| (a as f64).into()),
        );
        set(&o, "millis", js_sys::Date::now() - started);
        let warnings: Array = report
            .warnings
            .iter()
            .map(|w| JsValue::from_str(w))
            .collect();
        set(&o, "warnings", warnings);
        Ok(o.into())
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
        set(&o, "vocabularySize", model.vocab.word_count() as f64);
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
