//! The JavaScript facade (src/wasm.rs) tested in headless Chromium: `make test-wasm`.
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
        assert!(get(&t, "weight").as_f64().unwrap().is_finite());
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
    assert_eq!(get(&info, "quantization").as_string().unwrap(), "int8");
    assert_eq!(
        get(&info, "modelBytes").as_f64().unwrap() as usize,
        polarity::BUNDLED_MODEL.len()
    );
    let labels: Array = get(&info, "labels").dyn_into().unwrap();
    assert_eq!(labels.get(0).as_string().unwrap(), "positive");
    assert_eq!(labels.get(1).as_string().unwrap(), "negative");
}

fn message(err: js_sys::Error) -> String {
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
