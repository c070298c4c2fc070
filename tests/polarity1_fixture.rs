//! Files made with "polarity-1" still load and score exactly as before: tests/fixtures/polarity-1.onnx
//! is the model shipped before polarity-2, and tests/fixtures/polarity-1-scores.tsv holds the
//! scores that build gave it (`polarity classify`, 4 decimals) on the handwritten reviews and the
//! negation suite.

#[path = "reference/polarity1.rs"]
mod polarity1;

use polarity::vocab::Scheme;
use polarity::Classifier;

const FIXTURE: &[u8] = include_bytes!("fixtures/polarity-1.onnx");

#[path = "support/fixture_texts.rs"]
mod fixture_texts;
use fixture_texts::fixture_texts as texts;

#[test]
fn the_polarity1_file_loads_as_polarity1() {
    let clf = Classifier::from_bytes(FIXTURE).unwrap();
    assert_eq!(clf.model().vocab().scheme(), Scheme::V1);
    // Written back, it is still a polarity-1 file.
    let again = Classifier::from_bytes(&clf.to_bytes()).unwrap();
    assert_eq!(again.model().vocab().scheme(), Scheme::V1);
}

#[test]
fn the_polarity1_file_uses_the_frozen_ids() {
    let clf = Classifier::from_bytes(FIXTURE).unwrap();
    let vocab = clf.model().vocab();
    let old = polarity1::Encoder::new(vocab);
    for text in texts() {
        assert_eq!(vocab.encode(&text), old.encode(&text), "{text:?}");
        let tract = clf.classify(&text).unwrap().score;
        let reference = clf.model().score(&old.encode(&text)).unwrap();
        assert!((tract - reference).abs() < 1e-5, "{text:?}");
    }
}

#[test]
fn the_polarity1_file_scores_as_before() {
    let clf = Classifier::from_bytes(FIXTURE).unwrap();
    let expected = std::fs::read_to_string("tests/fixtures/polarity-1-scores.tsv").unwrap();
    let texts = texts();
    let lines: Vec<&str> = expected.lines().collect();
    assert_eq!(lines.len(), texts.len());
    for (text, line) in texts.iter().zip(lines) {
        let (label, score) = line.split_once('\t').unwrap();
        let p = clf.classify(text).unwrap();
        assert_eq!(p.label, label, "{text:?}");
        assert_eq!(format!("{:.4}", p.score), score, "{text:?}");
    }
}

#[test]
fn explanations_of_polarity1_files_leave_one_token_out() {
    // Each weight is the score minus the score of the frozen encoder's ids without that token's
    // unigram and the bigrams it is part of, computed here from the ids alone.
    let clf = Classifier::from_bytes(FIXTURE).unwrap();
    let model = clf.model();
    let old = polarity1::Encoder::new(model.vocab());
    for text in texts().iter().take(60) {
        let e = clf.explain(text).unwrap();
        let tokens = polarity1::tokenize(text);
        assert_eq!(e.tokens.len(), tokens.len(), "{text:?}");
        let full = old.encode_tokens(&tokens);
        let score = model.score(&full).unwrap();
        for (i, token) in e.tokens.iter().enumerate() {
            let mut owned = vec![old.unigram_id(&tokens[i].text)];
            if i > 0 {
                owned.extend(old.bigram_id(&tokens[i - 1].text, &tokens[i].text));
            }
            if let Some(next) = tokens.get(i + 1) {
                owned.extend(old.bigram_id(&tokens[i].text, &next.text));
            }
            let mut rest = full.clone();
            for id in owned {
                let at = rest.iter().position(|&r| r == id).unwrap();
                rest.remove(at);
            }
            let expected = score - model.score(&rest).unwrap();
            assert!(
                (token.weight - expected).abs() < 1e-5,
                "{text:?} token {i}: {} vs {expected}",
                token.weight
            );
        }
    }
}
