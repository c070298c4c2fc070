//! The JavaScript facade (wasm32 only): thin wasm-bindgen bindings over [`crate::Classifier`]
//! and the rules of [`crate::finetune`].
//!
//! Only conversion lives here. Values come in through serde (serde-wasm-bindgen, with the path of
//! a wrong value: `fineTune() option learningRate: must be a number, got string "3"`), so a wrong
//! type is a readable `TypeError`, never a crash; results go out as plain objects (JSON-compatible: a missing value
//! is `null`). Every failure reaches JavaScript as a thrown `Error` with a human message.

mod convert;
mod utf8;

use js_sys::Array;
use wasm_bindgen::prelude::*;

use crate::finetune::{self, FineTuneLimits, Labelled};
use crate::text::utf16_spans;
use crate::Classifier as Inner;
use convert::*;

/// The room `toCsv` asks for before its first cell: more than a cell that is not checked on its
/// own (`convert::check_room_to_copy`) takes, 3 bytes a unit.
const CSV_FIRST_ROOM: usize = 1 << 19;

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &str = r#"
/**
 * What the model says of a text.
 *
 * Two labels (the bundled model, or `fromPretrained` with two): `label`, and `score` =
 * P(first label), so "positive" when score >= 0.5. More labels: the most probable `label`, its
 * probability as `score`, and every label's probability in `scores`, most probable first.
 */
export interface Prediction {
  /** One of `info().labels`: "positive" or "negative" for the bundled model. */
  label: string;
  /** Two labels: P(first label), between 0 and 1. More: P(label). */
  score: number;
  /** Models with three or more labels only: every label's probability, most probable first (they sum to 1). */
  scores?: LabelScore[];
}

/** One label's probability. */
export interface LabelScore {
  label: string;
  score: number;
}

/** One word of the input and how much it pushed the score. */
export interface ExplainedToken {
  /** The token as the model read it (lowercased). */
  text: string;
  /** UTF-16 offsets into the input: `input.slice(start, end)` is the word as typed. */
  start: number;
  end: number;
  /**
   * Signed leave-one-out contribution: the score with the word minus the score without it. Two
   * labels: towards the first label ("positive"). More: towards the predicted `label`.
   */
  weight: number;
  /**
   * The same contribution in log-odds: ln(p / (1 - p)) with the word minus without it. It does
   * not fade as the score nears 0 or 1, where `weight` does, and a word pulling against the
   * verdict weighs as much as one pulling with it: what the demo's highlights show.
   */
  logOdds: number;
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
  /** How the embedding table is stored: "int4" (the shipped model, and models made from it), or "int8" (files written before int4). */
  quantization: "int4" | "int8";
  /** Size of the ONNX model file in bytes. */
  modelBytes: number;
  /** The labels, in the model's order: [positive label, negative label] for the bundled model. */
  labels: string[];
  /** "verified": the file's checksum matched; "none": a file written before polarity wrote one. */
  checksum: "verified" | "none";
  /** How many labelled texts its head was trained on, all fine-tunes together (22,600 IMDB reviews for the bundled model): the more, the less a fine-tune on texts it agrees with moves it. 0 for a fresh head (`fromPretrained`) or a file that does not say. */
  trainedOn: number;
}

/** One labelled example for `fineTune`: a label name from `info().labels`; for two labels also 1 (first) / 0 (also as "1" / "0"). Names win: for labels named "0" and "1", 0 is the label "0". */
export interface LabelledText {
  text: string;
  label: string | number;
}

/** Where fine-tuning is, reported after every batch. */
export interface FineTuneProgress {
  /** 1-based, counting every run's epochs as one sequence (see `FineTuneOptions.runs`). */
  epoch: number;
  epochs: number;
  /** 1-based: which of the `runs` averaged fine-tunes is under way. */
  run: number;
  runs: number;
  step: number;
  steps: number;
  /** Mean loss and accuracy over the epoch so far. */
  loss: number;
  accuracy: number;
}

/** Every option is optional; the defaults suit 20 to 500 examples. */
export interface FineTuneOptions {
  /** Passes over the examples (at most 1000). Default: from the texts' length and number, 6 to 10 for reviews, up to 20 for short messages. */
  epochs?: number;
  /** Adam's step size for the head (default 0.0075); the embedding's is `embeddingLearningRateScale` times that. A model that learned from many texts before (`info().trainedOn`) and already labels most of these as given trains at down to a fifth of it, its weight decay pulling towards where it began. */
  learningRate?: number;
  /** Examples per step (default 4). */
  batchSize?: number;
  /** Update the word embedding too (default true), not only the head. */
  trainEmbedding?: boolean;
  /** Shuffling seed (default 42): the same seed and examples give the same model. */
  seed?: number;
  /**
   * Fraction of the examples held out to measure the result on, 0 to 0.5 (default 0), each
   * label its share (and always one of each left to train on), a text given twice (but for case
   * and spacing) on one side: the report then has `validationAccuracy` and `confusion`. With 50
   * or more held out, training also keeps the epoch that did best on them and stops early (the
   * figure is then a little flattering: the same examples chose the epoch).
   */
  validationSplit?: number;
  /**
   * The embedding's learning rate relative to the head's, 0 to 10. Default: 0.15 times
   * sqrt(330 / the examples' mean ids per text), at most 1: 0.15 for reviews, about 0.55 for text
   * messages, whose short bags would barely move at the reviews' rate.
   */
  embeddingLearningRateScale?: number;
  /**
   * Fine-tune this many times (1 to 20), each in its own order, and keep the average of their
   * weights. Default: 5 for short texts (under 100 ids on average: messages, sentences), whose
   * few words make one run hang on its order; 1 for reviews. Progress counts every run's epochs.
   */
  runs?: number;
  /**
   * Weigh each label alike in training, however few its examples (default true): when one label
   * has at least twice the examples of another, each example counts in inverse proportion to its
   * label's share. Messages labelled as they came (13% spam) then train a spam filter that
   * finds spam (SMS spam F1 at 100 examples: 58% unweighed, 69% weighed); set it false for
   * labels whose proportions the model should learn as they are.
   */
  balanceLabels?: boolean;
  /**
   * Called after every batch. Throwing from it stops the training: `fineTune` throws the same
   * value and the classifier is left as it was (the way to cancel from the thread that trains).
   * It is called synchronously: one that returns a promise (an `async` function) stops the
   * training at its first call with a `TypeError`.
   */
  onProgress?: (progress: FineTuneProgress) => void;
}

/** One option's default and range. */
export interface OptionRange {
  default: number;
  min: number;
  max: number;
}

/** How many labels a classifier has, and how long one may be (`Classifier.labelLimits()`). */
export interface LabelLimits {
  min: number;
  max: number;
  /** Characters in one label. */
  maxChars: number;
}

/** Every `fineTune` option's default and range (`Classifier.fineTuneLimits()`). */
export interface FineTuneLimits {
  epochs: OptionRange;
  /** Above `min`, at most `max`. */
  learningRate: OptionRange;
  batchSize: OptionRange;
  seed: OptionRange;
  validationSplit: OptionRange;
  /** The default is reviews' (330 ids); shorter texts get more, up to 1 (`FineTuneOptions`). */
  embeddingLearningRateScale: OptionRange;
  /** The default is short texts'; reviews get 1. */
  runs: OptionRange;
  /**
   * Held-out examples (`validationSplit`) under this many measure little: `fineTune` warns that
   * their accuracy is a rough guide.
   */
  minHeldOut: number;
}

/** Labelled rows read from a file by `Classifier.parseExamples`, and the rows skipped. */
export interface ParsedExamples {
  /** Labels as names: for two labels, 1 and 0 are read as the first and second label. */
  rows: { text: string; label: string }[];
  /** One message per skipped row, with its line number. */
  errors: string[];
  /**
   * The labels of skipped rows that are none of `labels`, each once, in the file's order: a file
   * written for other labels names them. Empty when none repeats (a column of texts or ids, not
   * labels) or when they are more than 32; a first row that reads as column names is not among
   * them.
   */
  unknownLabels: string[];
  /**
   * How many of `rows` had their label written as 1 or 0 (two labels: 1 is the first, 0 the
   * second), so that a page can say how it read them.
   */
  numbered: number;
}

/** What fine-tuning did. */
export interface FineTuneReport {
  /** Epochs run (by the run that ran most, when several were averaged). */
  epochs: number;
  /** Fine-tunes averaged into the result (see `FineTuneOptions.runs`). */
  runs: number;
  /**
   * Loss and accuracy on the training examples, with the weights kept; the loss weighs each label
   * as training did (`balanceLabels`), as `onProgress`'s does.
   */
  loss: number;
  accuracy: number;
  /** On the held-out part, or null without `validationSplit`. */
  validationAccuracy: number | null;
  /**
   * With `validationSplit` only: on the held-out examples, `confusion[i][j]` counts those labelled
   * `info().labels[i]` that the model now predicts as `info().labels[j]`.
   */
  confusion?: number[][];
  millis: number;
  /**
   * Options that were out of range and clamped, unknown options (ignored), labels that no example
   * had, texts given with two labels or more, and with a `validationSplit`, texts given more than
   * once (each held out or trained on, never both) or a split too small to hold any out.
   */
  warnings: string[];
}

/** The texts of a file, read by `Classifier.parseTexts` for classifying a file. */
export interface ParsedTexts {
  /** The file's columns to choose from (the header's names, or "Column 1"...); empty for one text per line. */
  columns: string[];
  /** The column the texts come from, or null for a file of one text per line. */
  column: number | null;
  /** Whether the first row named the columns. */
  header: boolean;
  texts: string[];
  /** Rows whose text was empty (or, one text per line, lines of spaces alone), left out; empty lines are not counted. */
  skipped: number;
}

/** Options of `Classifier.toCsv`. */
export interface CsvOptions {
  /**
   * Write a field that starts with `=`, `+`, `-`, `@`, a tab or a carriage return with a `'`
   * before it, so that a spreadsheet opening the file shows it as text instead of running it as a
   * formula (default false: fields are written as given). A plain number (`-1`, `+0.5`) is left
   * as it is.
   */
  escapeFormulae?: boolean;
}

/** Options of `Classifier.fromPretrained`. */
export interface PretrainedOptions {
  /**
   * From 2 to 32 different label names (default ["positive", "negative"]). With two, `score` is
   * P(first label); with more, the head is a softmax and predictions carry `scores`.
   */
  labels?: readonly string[];
  seed?: number;
  /**
   * Keep the bundled model's negation and contrast scopes ("not good" read as the opposite of
   * "good"; default false). For labels that follow sentiment (happy / unhappy, recommend /
   * avoid): on short sentiment sentences, 78.7% instead of 76.3% from 100 examples. Other tasks
   * (spam, topics) do better without: "don't miss" would turn a spam message's words round.
   */
  scopes?: boolean;
}
"#;

/// Run by `init()`: a panic (which should never happen) then shows as a readable console
/// message, from every entry point (the static ones, `parseExamples` and the rest, need no
/// Classifier).
#[wasm_bindgen(start)]
fn start() {
    console_error_panic_hook::set_once();
}

/// A text classifier. `new Classifier()` loads the sentiment model bundled in the wasm.
#[wasm_bindgen(js_name = Classifier)]
pub struct JsClassifier {
    inner: Inner,
}

#[wasm_bindgen(js_class = Classifier)]
impl JsClassifier {
    /// Loads the bundled model.
    #[wasm_bindgen(constructor)]
    pub fn new() -> Result<JsClassifier, js_sys::Error> {
        Self::load(Inner::bundled_marked)
    }

    /// Loads a model saved with `toBytes()` (a polarity ONNX file).
    #[wasm_bindgen(js_name = fromBytes)]
    pub fn from_bytes(
        #[wasm_bindgen(unchecked_param_type = "Uint8Array | ArrayBuffer")] bytes: JsValue,
    ) -> Result<JsClassifier, js_sys::Error> {
        check_readable("Classifier.fromBytes()", &bytes)?;
        let bytes = bytes_arg("Classifier.fromBytes()", &bytes)?;
        // A buffer sent to a worker with a transfer list is left empty here: said, as an empty
        // file would only say "empty".
        if bytes.is_empty() {
            return Err(js_sys::Error::new(
                "Classifier.fromBytes() got no bytes: an empty file, or a buffer given away \
                 (postMessage with a transfer list empties it)",
            ));
        }
        Self::load(|mark| Inner::from_bytes_marked(&bytes, mark))
    }

    /// `read` given a function that leaves performance marks of each step, for profiling a cold
    /// start (bench/page.js reads them).
    fn load(
        read: impl FnOnce(&mut dyn FnMut(&str)) -> Result<Inner, crate::Error>,
    ) -> Result<JsClassifier, js_sys::Error> {
        read(&mut mark)
            .map(|inner| JsClassifier { inner })
            .map_err(js_error)
    }

    /// A new classifier: the bundled model's embedding with a fresh, untrained head for the given
    /// label names (two: a sigmoid; more: a softmax); `classify` then answers with them.
    #[wasm_bindgen(js_name = fromPretrained)]
    pub fn from_pretrained(
        #[wasm_bindgen(unchecked_optional_param_type = "PretrainedOptions")] options: JsValue,
    ) -> Result<JsClassifier, js_sys::Error> {
        let what = "fromPretrained() options";
        refuse_unknown_options(what, &options, &["labels", "seed", "scopes"])?;
        let parsed: Option<PretrainedOptions> = value_arg(what, options.clone())?;
        let labels = match field(&options, "labels") {
            None => vec!["positive".into(), "negative".into()],
            Some(labels) => labels_arg(
                "fromPretrained() option labels",
                &labels,
                finetune::check_new_labels,
            )?,
        };
        let parsed = parsed.unwrap_or_default();
        let seed = finetune::seed(parsed.seed).map_err(js_error)?;
        let base = Self::new()?;
        base.inner
            .from_pretrained(labels, seed, parsed.scopes.unwrap_or(false))
            .map(|inner| JsClassifier { inner })
            .map_err(js_error)
    }

    /// Trains on `[{ text, label }]`; the classifier changes only if training succeeds. An
    /// `onProgress` that throws stops the training, and `fineTune` throws what it threw.
    #[wasm_bindgen(js_name = fineTune, unchecked_return_type = "FineTuneReport")]
    pub fn fine_tune(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "readonly LabelledText[]")] examples: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "FineTuneOptions")] options: JsValue,
    ) -> Result<JsValue, JsValue> {
        let started = now();
        // Checked before any text is copied into the module's memory: each as classify reads
        // them, and all together as much as a file `parseExamples` reads.
        let max = crate::limits::MAX_TEXT_CHARS;
        check_total_chars("fineTune(): the set of examples", &examples, |item| {
            js_sys::Reflect::get(item, &JsValue::from_str("text")).ok()
        })?;
        let labelled = array_items(
            "fineTune()",
            "an array of { text, label }",
            &examples,
            |i, item| {
                let what = format!("example {i}");
                let text = js_sys::Reflect::get(&item, &JsValue::from_str("text"));
                if let Some(text) = text
                    .ok()
                    .and_then(|t| t.dyn_into::<js_sys::JsString>().ok())
                {
                    let length = text.length() as usize;
                    if length > max {
                        return Err(too_long(&format!("fineTune(): {what}'s text"), length, max));
                    }
                }
                // A huge label names no label: refused before it is copied in, as any unknown
                // label is (by its first characters).
                let label = js_sys::Reflect::get(&item, &JsValue::from_str("label"));
                if let Some(label) = label
                    .ok()
                    .and_then(|l| l.dyn_into::<js_sys::JsString>().ok())
                    .filter(|l| refuse_huge_label(l).is_err())
                {
                    let unknown =
                        finetune::unknown_label(&label_start(&label), self.inner.labels());
                    return Err(js_sys::Error::new(&format!("{what}: {unknown}")));
                }
                // Its text may be as long as classify reads (checked above).
                match value_arg_of::<Labelled>(&what, item.clone(), max as u32, &["text", "label"])?
                {
                    Some(example) => Ok(example),
                    None => Err(type_error(
                        &format!("{what} must be {{ text, label }}"),
                        &item,
                    )),
                }
            },
        )?;
        let (ignored, parsed) = fine_tune_options_arg(&options)?;
        let on_progress = on_progress_arg(&options)?;
        // A callback that throws stops training, and fineTune throws what it threw (the way to
        // cancel a training from the thread that runs it); the classifier is left as it was.
        let mut thrown = None;
        let trained =
            self.inner
                .fine_tune_examples(&labelled, &parsed.unwrap_or_default(), &mut |p| {
                    match on_progress
                        .as_ref()
                        .map(|f| f.call1(&JsValue::NULL, &to_js(p)))
                    {
                        Some(Err(error)) => {
                            thrown = Some(error);
                            crate::Flow::Break(())
                        }
                        // An async callback's throw would come after training, as a rejection
                        // nobody awaits: refused at its first call, before anything changes.
                        Some(Ok(returned)) if is_thenable(&returned) => {
                            handle_rejection(&returned);
                            thrown = Some(js_sys::TypeError::new(ASYNC_PROGRESS).into());
                            crate::Flow::Break(())
                        }
                        _ => crate::Flow::Continue(()),
                    }
                });
        let mut report = match (trained, thrown) {
            (Err(crate::Error::Stopped), Some(error)) => return Err(error),
            (trained, _) => trained.map_err(js_error)?,
        };
        // Misspelt options are not an error (other keys were always ignored), but are said.
        report
            .warnings
            .extend(ignored.into_iter().map(|w| format!("{w} was ignored")));
        let millis = now() - started;
        Ok(to_js(&TimedReport {
            report: &report,
            millis,
        }))
    }

    /// The model as a polarity ONNX file, for `Classifier.fromBytes()`.
    #[wasm_bindgen(js_name = toBytes, unchecked_return_type = "Uint8Array & { buffer: ArrayBuffer }")]
    pub fn to_bytes(&self) -> Vec<u8> {
        self.inner.to_bytes()
    }

    /// `{ label, score }` (and `scores` with more than two labels) for one text; empty text is
    /// fine.
    #[wasm_bindgen(unchecked_return_type = "Prediction")]
    pub fn classify(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] text: JsValue,
    ) -> Result<JsValue, js_sys::Error> {
        let text = string_arg("classify", &text)?;
        Ok(to_js(&self.inner.classify(&text).map_err(js_error)?))
    }

    /// One `{ label, score }` per text, in order.
    #[wasm_bindgen(js_name = classifyBatch, unchecked_return_type = "Prediction[]")]
    pub fn classify_batch(
        &self,
        #[wasm_bindgen(unchecked_param_type = "readonly string[]")] texts: JsValue,
    ) -> Result<Array, js_sys::Error> {
        // Each text as classify takes it, and all of them as much as a file `parseTexts` reads:
        // a hundred texts at the limit asked for gigabytes.
        let max = crate::limits::MAX_TEXT_CHARS;
        check_total_chars("classifyBatch(): the batch", &texts, |item| {
            Some(item.clone())
        })?;
        let strings = array_items(
            "classifyBatch()",
            "an array of strings",
            &texts,
            |i, item| {
                text_of(&item, max).map_err(|e| match e {
                    NotText::Type(got) => js_sys::TypeError::new(&format!(
                        "classifyBatch() expects an array of strings; item {i} is {got}"
                    ))
                    .into(),
                    NotText::Length(length) => {
                        too_long(&format!("classifyBatch(): text {i}"), length, max)
                    }
                    NotText::Memory(e) => js_error(e),
                })
            },
        )?;
        let predictions = self.inner.classify_batch(&strings).map_err(js_error)?;
        Ok(predictions.iter().map(to_js).collect())
    }

    /// `{ label, score, tokens: [{ text, start, end, weight, logOdds }] }`; offsets are UTF-16 (JS
    /// string indices), weights are leave-one-out contributions to the first label's score (two
    /// labels) or the predicted label's (more), `logOdds` the same in log-odds.
    #[wasm_bindgen(unchecked_return_type = "Explanation")]
    pub fn explain(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] text: JsValue,
    ) -> Result<JsValue, js_sys::Error> {
        let text = string_arg("explain", &text)?;
        let e = self.inner.explain(&text).map_err(js_error)?;
        let bytes: Vec<(usize, usize)> = e.tokens.iter().map(|t| (t.start, t.end)).collect();
        let tokens = e
            .tokens
            .iter()
            .zip(utf16_spans(&text, &bytes))
            .map(|(t, (start, end))| ExplainedToken {
                text: &t.text,
                start,
                end,
                weight: t.weight,
                log_odds: t.log_odds,
            })
            .collect();
        Ok(to_js(&Explanation {
            prediction: &e.prediction,
            tokens,
        }))
    }

    /// `{ vocabularySize, dimensions, quantization, modelBytes, labels, checksum, trainedOn }`.
    #[wasm_bindgen(unchecked_return_type = "ModelInfo")]
    pub fn info(&self) -> JsValue {
        to_js(&self.inner.info())
    }

    /// How many labels a classifier has (`min` to `max`) and how long one may be (`maxChars`):
    /// the rule `checkLabels` applies, for a page to show.
    #[wasm_bindgen(js_name = labelLimits, unchecked_return_type = "LabelLimits")]
    pub fn label_limits() -> JsValue {
        to_js(&finetune::LABEL_LIMITS)
    }

    /// Every `fineTune` option's default and range.
    #[wasm_bindgen(js_name = fineTuneLimits, unchecked_return_type = "FineTuneLimits")]
    pub fn fine_tune_limits() -> JsValue {
        to_js(&FineTuneLimits::get())
    }

    /// Checks `fineTune` options without training: throws what `fineTune` would, and returns the
    /// warnings it would give (values that will be clamped).
    #[wasm_bindgen(js_name = checkFineTuneOptions, unchecked_return_type = "string[]")]
    pub fn check_fine_tune_options(
        #[wasm_bindgen(unchecked_optional_param_type = "FineTuneOptions")] options: JsValue,
    ) -> Result<JsValue, js_sys::Error> {
        let (ignored, parsed) = fine_tune_options_arg(&options)?;
        on_progress_arg(&options)?;
        let (_, _, mut warnings) = parsed
            .unwrap_or_default()
            .resolve(usize::MAX, crate::finetune::defaults::REFERENCE_IDS)
            .map_err(js_error)?;
        warnings.extend(ignored.into_iter().map(|w| format!("{w} is ignored")));
        Ok(to_js(&warnings))
    }

    /// Throws unless `labels` can name a new classifier's labels (as `fromPretrained` asks:
    /// 2 to 32 different, non-empty names of at most 100 characters, with no control characters,
    /// no spaces around them, no lone UTF-16 surrogates, no invisible or direction-changing
    /// characters).
    #[wasm_bindgen(js_name = checkLabels)]
    pub fn check_labels(
        #[wasm_bindgen(unchecked_param_type = "readonly string[]")] labels: JsValue,
    ) -> Result<(), js_sys::Error> {
        labels_arg("checkLabels()", &labels, finetune::check_new_labels).map(|_| ())
    }

    /// Reads a file of texts to classify: a CSV / TSV / `;` file's text column (`column`, 0-based,
    /// or the one its header names, or the longest), or one text per line. With the file's `name`,
    /// a `.txt` file's columns are separated by tabs only (its commas are prose). Throws for a
    /// file that is not text, or a column it does not have.
    #[wasm_bindgen(js_name = parseTexts, unchecked_return_type = "ParsedTexts")]
    pub fn parse_texts(
        #[wasm_bindgen(unchecked_param_type = "string")] content: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "number")] column: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "string")] name: JsValue,
    ) -> Result<JsValue, js_sys::Error> {
        let content = file_arg("parseTexts", &content)?;
        let name = file_name_end("parseTexts() name", name)?;
        let column: Option<f64> = value_arg("parseTexts() column", column)?;
        let column = match column {
            None => None,
            Some(c) if c >= 0.0 && c.fract() == 0.0 && c < 1e9 => Some(c as usize),
            Some(c) => {
                return Err(js_sys::RangeError::new(&format!(
                    "parseTexts() column must be a whole number from 0, not {c}"
                ))
                .into())
            }
        };
        crate::texts::parse_file_texts(&content, column, &name)
            .map(|t| to_js(&t))
            .map_err(js_error)
    }

    /// Rows of strings as CSV text (RFC 4180: quoted where needed), e.g. results to download.
    /// With `{ escapeFormulae: true }`, a field starting with `=`, `+`, `-`, `@`, a tab or a
    /// carriage return gets a leading `'`, so a spreadsheet shows it instead of running it.
    #[wasm_bindgen(js_name = toCsv)]
    pub fn to_csv(
        #[wasm_bindgen(unchecked_param_type = "readonly (readonly string[])[]")] rows: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CsvOptions")] options: JsValue,
    ) -> Result<String, js_sys::Error> {
        refuse_unknown_options("toCsv() options", &options, &["escapeFormulae"])?;
        let options: CsvOptions = value_arg("toCsv() options", options)?.unwrap_or_default();
        // As much text as a file polarity reads, counted before each cell is copied in.
        let (max, mut total) = (crate::limits::MAX_FILE_CHARS, 0usize);
        // Room, checked as the cells come in (before the first, then each time half the room
        // last found is used) and before the file is written: an allocation the module cannot
        // make traps, and half a million short cells in a nearly full module trapped
        // ("unreachable") where every other call said "not enough memory".
        let (mut copied, mut next_check) = (0usize, 0usize);
        let rows = array_items("toCsv()", "an array of rows", &rows, |i, row| {
            array_items(
                &format!("toCsv() row {i}"),
                "an array of strings",
                &row,
                |j, cell| {
                    let Some(s) = cell.dyn_ref::<js_sys::JsString>() else {
                        return Err(type_error(
                            &format!("toCsv() row {i}: cell {j} must be a string"),
                            &cell,
                        ));
                    };
                    // Copied as it is or not at all: a lone surrogate became U+FFFD unsaid.
                    if !s.is_valid_utf16() {
                        return Err(js_sys::TypeError::new(&format!(
                            "toCsv() row {i}: cell {j} holds half of a UTF-16 surrogate pair, \
                             which CSV text cannot hold"
                        ))
                        .into());
                    }
                    // The one character that makes a file binary to every reader, polarity's
                    // own included ("this file is not text"): written, the file read back gave
                    // nothing.
                    if s.includes("\0", 0) {
                        return Err(js_sys::TypeError::new(&format!(
                            "toCsv() row {i}: cell {j} holds a NUL character (U+0000), which \
                             makes a file binary, not text: remove it"
                        ))
                        .into());
                    }
                    total = total.saturating_add(s.length() as usize);
                    if total > max {
                        return Err(js_sys::RangeError::new(&format!(
                            "toCsv(): the cells hold more than {max} characters; polarity writes \
                             at most {max} (split the rows)"
                        ))
                        .into());
                    }
                    if copied >= next_check {
                        let room = copied.max(CSV_FIRST_ROOM);
                        crate::limits::check_memory(room, "copy the rows in").map_err(js_error)?;
                        next_check = copied + room / 2;
                    }
                    // A cell longer than the room covers is checked on its own.
                    check_room_to_copy(s.length() as usize).map_err(js_error)?;
                    let cell = String::from(s);
                    // Its bytes, and its string and slot in its row.
                    copied = copied.saturating_add(cell.len() + 32);
                    Ok(cell)
                },
            )
        })?;
        // The file is written into a buffer of its largest length, made once.
        crate::limits::check_memory(crate::texts::csv_len(&rows), "write the CSV")
            .map_err(js_error)?;
        Ok(crate::texts::to_csv(
            &rows,
            options.escape_formulae.unwrap_or(false),
        ))
    }

    /// Reads a CSV / TSV / `;` file of labels and texts (either order, quoted fields) for a
    /// classifier with `labels`: the rows, and a message for each row skipped. Throws for a file
    /// that is not text.
    #[wasm_bindgen(js_name = parseExamples, unchecked_return_type = "ParsedExamples")]
    pub fn parse_examples(
        #[wasm_bindgen(unchecked_param_type = "string")] content: JsValue,
        #[wasm_bindgen(unchecked_param_type = "readonly string[]")] labels: JsValue,
    ) -> Result<JsValue, js_sys::Error> {
        let content = file_arg("parseExamples", &content)?;
        let labels = labels_arg("parseExamples() labels", &labels, finetune::check_labels)?;
        let parsed = finetune::parse_examples(&content, &labels).map_err(js_error)?;
        let rows = parsed
            .rows
            .iter()
            .map(|(text, label)| LabelledRow { text, label })
            .collect();
        Ok(to_js(&ParsedExamples {
            rows,
            errors: &parsed.errors,
            unknown_labels: &parsed.unknown_labels,
            numbered: parsed.numbered,
        }))
    }
}
