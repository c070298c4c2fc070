//! The JavaScript facade (src/wasm/) tested in headless Chromium: `make test-wasm`.
//!
//! These call the exported `Classifier` the way JavaScript sees it (JsValue in, plain objects out)
//! with the bundled model: result shapes, UTF-16 offsets on emoji text, and thrown `Error`s.
#![cfg(target_arch = "wasm32")]

use js_sys::{Array, Reflect, Uint8Array};
use polarity::wasm::JsClassifier;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn get(o: &JsValue, key: &str) -> JsValue {
    Reflect::get(o, &JsValue::from_str(key)).expect("a plain object")
}

fn label_score(p: &JsValue) -> (String, f64) {
    let label = get(p, "label").as_string().expect("label is a string");
    let score = get(p, "score").as_f64().expect("score is a number");
    (label, score)
}

fn s(text: &str) -> JsValue {
    JsValue::from_str(text)
}

#[wasm_bindgen_test]
fn classify_returns_label_and_score() {
    let clf = JsClassifier::new().unwrap();
    let (good, good_score) = label_score(
        &clf.classify(s("A wonderful, moving film. I loved it!"))
            .unwrap(),
    );
    let (bad, bad_score) = label_score(
        &clf.classify(s("Awful, boring and stupid. A waste of time."))
            .unwrap(),
    );
    assert_eq!(good, "positive");
    assert_eq!(bad, "negative");
    assert!(good_score > 0.5 && good_score <= 1.0, "{good_score}");
    assert!((0.0..0.5).contains(&bad_score), "{bad_score}");
    for blank in ["", "   \n\t"] {
        let (label, score) = label_score(&clf.classify(s(blank)).unwrap());
        assert!(label == "positive" || label == "negative");
        assert!((0.0..=1.0).contains(&score));
    }
}

#[wasm_bindgen_test]
fn classify_batch_matches_classify_in_order() {
    let clf = JsClassifier::new().unwrap();
    let texts = ["great fun", "terrible plot", "", "ok"];
    let array: Array = texts.iter().map(|t| s(t)).collect();
    let batch = clf.classify_batch(array.into()).unwrap();
    assert_eq!(batch.length(), texts.len() as u32);
    for (i, text) in texts.iter().enumerate() {
        let (label, score) = label_score(&batch.get(i as u32));
        let (one_label, one_score) = label_score(&clf.classify(s(text)).unwrap());
        assert_eq!(label, one_label);
        assert!((score - one_score).abs() < 1e-6);
    }
}

#[wasm_bindgen_test]
fn explain_offsets_are_utf16_on_emoji_text() {
    let clf = JsClassifier::new().unwrap();
    let text = "😀😀 Brilliant acting, 👎🏽 dreadful script!";
    let js_text = s(text);
    let e = clf.explain(js_text.clone()).unwrap();
    let (label, score) = label_score(&e);
    let (l2, s2) = label_score(&clf.classify(js_text.clone()).unwrap());
    assert_eq!(label, l2);
    assert!((score - s2).abs() < 1e-6);
    let tokens: Array = get(&e, "tokens").dyn_into().unwrap();
    let js_string: js_sys::JsString = js_text.dyn_into().unwrap();
    let mut words = Vec::new();
    for t in tokens.iter() {
        let start = get(&t, "start").as_f64().unwrap() as u32;
        let end = get(&t, "end").as_f64().unwrap() as u32;
        let sliced = String::from(js_string.slice(start, end));
        assert_eq!(sliced.to_lowercase(), get(&t, "text").as_string().unwrap());
        let weight = get(&t, "weight").as_f64().unwrap();
        let log_odds = get(&t, "logOdds").as_f64().unwrap();
        assert!(weight.is_finite() && log_odds.is_finite());
        assert!(
            weight == 0.0 || weight.signum() == log_odds.signum(),
            "{sliced}"
        );
        words.push(sliced);
    }
    assert_eq!(words, ["Brilliant", "acting", "dreadful", "script", "!"]);
    let first = tokens.get(0);
    assert_eq!(get(&first, "start").as_f64(), Some(5.0));
}

#[wasm_bindgen_test]
fn info_describes_the_bundled_model() {
    let clf = JsClassifier::new().unwrap();
    let info = clf.info();
    assert!(get(&info, "vocabularySize").as_f64().unwrap() > 1000.0);
    assert!(get(&info, "dimensions").as_f64().unwrap() >= 1.0);
    assert_eq!(get(&info, "quantization").as_string().unwrap(), "int4");
    assert_eq!(
        get(&info, "modelBytes").as_f64().unwrap() as usize,
        polarity::BUNDLED_MODEL.len()
    );
    let labels: Array = get(&info, "labels").dyn_into().unwrap();
    assert_eq!(labels.get(0).as_string().unwrap(), "positive");
    assert_eq!(labels.get(1).as_string().unwrap(), "negative");
}

fn message(err: impl Into<JsValue>) -> String {
    let value: JsValue = err.into();
    assert!(
        value.is_instance_of::<js_sys::Error>(),
        "not an Error: {value:?}"
    );
    String::from(value.unchecked_into::<js_sys::Error>().message())
}

#[wasm_bindgen_test]
fn wrong_input_throws_readable_errors() {
    let clf = JsClassifier::new().unwrap();
    let m = message(clf.classify(JsValue::from_f64(42.0)).unwrap_err());
    assert!(
        m.contains("expects a string") && m.contains("number"),
        "{m}"
    );
    let m = message(clf.classify(JsValue::UNDEFINED).unwrap_err());
    assert!(m.contains("undefined"), "{m}");
    let m = message(clf.explain(JsValue::NULL).unwrap_err());
    assert!(m.contains("explain() expects a string"), "{m}");
    let m = message(clf.classify_batch(s("not an array")).unwrap_err());
    assert!(m.contains("array of strings"), "{m}");
    let mixed: Array = [s("fine"), JsValue::from_f64(1.0)].iter().collect();
    let m = message(clf.classify_batch(mixed.into()).unwrap_err());
    assert!(m.contains("item 1"), "{m}");
    let garbage = Uint8Array::from(&b"\x08\x01garbage"[..]);
    let m = message(JsClassifier::from_bytes(garbage.into()).err().unwrap());
    assert!(m.contains("not a valid polarity model"), "{m}");
    let m = message(JsClassifier::from_bytes(s("model.onnx")).err().unwrap());
    assert!(m.contains("Uint8Array"), "{m}");
}

#[wasm_bindgen_test]
fn to_bytes_and_from_bytes_round_trip() {
    let clf = JsClassifier::new().unwrap();
    let bytes = Uint8Array::from(clf.to_bytes().as_slice());
    let again = JsClassifier::from_bytes(bytes.into()).unwrap();
    for text in ["a joy to watch", "dull and lifeless", ""] {
        assert_eq!(
            label_score(&clf.classify(s(text)).unwrap()),
            label_score(&again.classify(s(text)).unwrap())
        );
    }
}

fn example(text: &str, label: JsValue) -> JsValue {
    let o = js_sys::Object::new();
    Reflect::set(&o, &s("text"), &s(text)).unwrap();
    Reflect::set(&o, &s("label"), &label).unwrap();
    o.into()
}

fn options(pairs: &[(&str, JsValue)]) -> JsValue {
    let o = js_sys::Object::new();
    for (k, v) in pairs {
        Reflect::set(&o, &s(k), v).unwrap();
    }
    o.into()
}

const PRAISE: [&str; 6] = [
    "A wonderful, moving film with a brilliant cast.",
    "I loved every minute, a true delight.",
    "Superb acting and a gorgeous score.",
    "Funny, warm and beautifully made.",
    "One of the best films of the year.",
    "A charming story, wonderfully told.",
];
const SCORN: [&str; 6] = [
    "Awful, boring and far too long.",
    "A dull, lifeless mess of a film.",
    "Terrible acting and a stupid plot.",
    "The worst film I have seen in years.",
    "Painfully bad dialogue, avoid it.",
    "Lazy, predictable and badly made.",
];

#[wasm_bindgen_test]
fn fine_tune_on_flipped_labels_flips_predictions_and_round_trips() {
    let mut clf = JsClassifier::new().unwrap();
    // Praise labelled negative (by name), scorn labelled positive (by number): it must learn that.
    let examples: Array = PRAISE
        .iter()
        .map(|t| example(t, s("negative")))
        .chain(SCORN.iter().map(|t| example(t, JsValue::from_f64(1.0))))
        .collect();
    let calls = std::rc::Rc::new(std::cell::Cell::new(0));
    let counter = calls.clone();
    let on_progress =
        wasm_bindgen::closure::Closure::<dyn FnMut(JsValue)>::new(move |p: JsValue| {
            assert!(get(&p, "loss").as_f64().unwrap().is_finite());
            counter.set(counter.get() + 1);
        });
    let opts = options(&[
        ("epochs", JsValue::from_f64(40.0)),
        ("learningRate", JsValue::from_f64(0.05)),
        ("onProgress", on_progress.as_ref().clone()),
    ]);
    let report = clf.fine_tune(examples.into(), opts).unwrap();
    assert_eq!(get(&report, "epochs").as_f64(), Some(40.0));
    assert!(get(&report, "accuracy").as_f64().unwrap() >= 0.9);
    assert!(get(&report, "validationAccuracy").is_null());
    assert!(get(&report, "millis").as_f64().unwrap() >= 0.0);
    assert!(calls.get() >= 40);
    for t in PRAISE {
        assert_eq!(
            label_score(&clf.classify(s(t)).unwrap()).0,
            "negative",
            "{t}"
        );
    }
    for t in SCORN {
        assert_eq!(
            label_score(&clf.classify(s(t)).unwrap()).0,
            "positive",
            "{t}"
        );
    }
    let again =
        JsClassifier::from_bytes(Uint8Array::from(clf.to_bytes().as_slice()).into()).unwrap();
    for t in PRAISE.iter().chain(&SCORN) {
        assert_eq!(
            label_score(&clf.classify(s(t)).unwrap()),
            label_score(&again.classify(s(t)).unwrap())
        );
    }
}

#[wasm_bindgen_test]
fn fine_tune_refuses_bad_input_and_keeps_the_model() {
    let mut clf = JsClassifier::new().unwrap();
    let before = clf.to_bytes();
    let good: Array = [
        example("great", s("positive")),
        example("awful", s("negative")),
    ]
    .iter()
    .collect();
    let m = message(
        clf.fine_tune(Array::new().into(), JsValue::UNDEFINED)
            .unwrap_err(),
    );
    assert!(m.contains("no examples"), "{m}");
    let one: Array = [example("great", s("positive"))].iter().collect();
    let m = message(clf.fine_tune(one.into(), JsValue::UNDEFINED).unwrap_err());
    assert!(m.contains("both labels"), "{m}");
    let unknown: Array = [example("great", s("spam")), example("bad", s("negative"))]
        .iter()
        .collect();
    let m = message(
        clf.fine_tune(unknown.into(), JsValue::UNDEFINED)
            .unwrap_err(),
    );
    assert!(m.contains("unknown label \"spam\""), "{m}");
    let nan = options(&[("epochs", JsValue::from_f64(f64::NAN))]);
    let m = message(clf.fine_tune(good.clone().into(), nan).unwrap_err());
    assert!(m.contains("epochs"), "{m}");
    let wrong_type = options(&[("learningRate", s("fast"))]);
    let m = message(clf.fine_tune(good.into(), wrong_type).unwrap_err());
    assert!(m.contains("learningRate"), "{m}");
    assert_eq!(clf.to_bytes(), before);
}

#[wasm_bindgen_test]
fn from_pretrained_answers_with_custom_labels() {
    let labels: Array = [s("spam"), s("not spam")].iter().collect();
    let fresh = JsClassifier::from_pretrained(options(&[("labels", labels.into())])).unwrap();
    let label = label_score(&fresh.classify(s("win a free prize now")).unwrap()).0;
    assert!(label == "spam" || label == "not spam", "{label}");
    let info = fresh.info();
    let got: Vec<String> = Array::from(&get(&info, "labels"))
        .iter()
        .map(|l| l.as_string().unwrap())
        .collect();
    assert_eq!(got, ["spam", "not spam"]);
    let same: Array = [s("a"), s("a")].iter().collect();
    assert!(JsClassifier::from_pretrained(options(&[("labels", same.into())])).is_err());
}

#[wasm_bindgen_test]
fn a_crafted_file_is_refused_and_the_module_stays_usable() {
    use prost::Message;
    // On wasm32, rows x (12 + 2^31) wraps around to the real table size: this trapped with
    // "memory access out of bounds" and killed every Classifier in the page. (Re-signed, so
    // that the size check, not the checksum, is what refuses it.) The int4 table's width comes
    // from the head's input, w1's rows.
    let crafted = |name: &str, change: &dyn Fn(&mut Vec<i64>)| -> String {
        let (_, mut proto) = polarity::onnx::import(polarity::BUNDLED_MODEL).unwrap();
        let graph = proto.graph.as_mut().unwrap();
        let table = graph
            .initializer
            .iter_mut()
            .find(|t| t.name == name)
            .unwrap();
        change(&mut table.dims);
        let sum = polarity::onnx::checksum(&proto);
        if let Some(p) = proto
            .metadata_props
            .iter_mut()
            .find(|p| p.key == "polarity.checksum")
        {
            p.value = sum;
        }
        let bytes = Uint8Array::from(&proto.encode_to_vec()[..]);
        message(JsClassifier::from_bytes(bytes.into()).err().unwrap())
    };
    let m = crafted("w1", &|dims| dims[0] += 1 << 31);
    assert!(m.contains("at most"), "{m}");
    // A size past 32 bits is said as the file gives it: it read 4294967295 (usize::MAX here).
    let m = crafted("embedding_int4", &|dims| dims[0] = 5_000_000_000);
    assert!(m.contains("declares a size of 5000000000"), "{m}");
    let clf = JsClassifier::new().unwrap();
    assert_eq!(
        label_score(&clf.classify(s("I loved it")).unwrap()).0,
        "positive"
    );
    let info = clf.info();
    assert_eq!(get(&info, "checksum").as_string().unwrap(), "verified");
}

#[wasm_bindgen_test]
fn a_text_past_the_limit_is_a_range_error_in_words() {
    let clf = JsClassifier::new().unwrap();
    let huge = JsValue::from_str(&"a".repeat(polarity::limits::MAX_TEXT_CHARS + 1));
    let err = clf.classify(huge).unwrap_err();
    assert!(JsValue::from(err.clone()).is_instance_of::<js_sys::RangeError>());
    assert!(message(err).contains("polarity reads at most"));
}
