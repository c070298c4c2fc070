//! Files whose table is int8 (every file polarity wrote before int4) load, score and are written
//! back exactly as before. tests/fixtures/polarity-2-int8.onnx is a small polarity-2 model
//! written by the last int8 build (14a0eee), and tests/fixtures/polarity-2-int8-scores.tsv the
//! scores that build gave it (`polarity classify`, 4 decimals) on the handwritten reviews and
//! the negation suite. Made with that build by
//!
//! ```sh
//! polarity train --pretrained-only --dim 8 --min-count 1000 --oov-buckets 16 --bigram-buckets 512 --keep-bigrams 0 --out small.onnx
//! polarity fine-tune --model small.onnx --data tests/fixtures/reviews.tsv --out tests/fixtures/polarity-2-int8.onnx --epochs 20 --seed 3
//! ```
//!
//! (tests/polarity1_fixture.rs holds the polarity-1 model, int8 too, to its scores.)

use polarity::finetune::{FineTuneOptions, Label, Labelled};
use polarity::{no_progress, Classifier, Format};

const FIXTURE: &[u8] = include_bytes!("fixtures/polarity-2-int8.onnx");

#[path = "support/fixture_texts.rs"]
mod fixture_texts;
use fixture_texts::fixture_texts as texts;

#[test]
fn an_int8_file_loads_as_int8_and_scores_as_before() {
    let clf = Classifier::from_bytes(FIXTURE).unwrap();
    let info = clf.info();
    assert_eq!(info.quantization, "int8");
    assert_eq!(info.checksum, "verified");
    assert_eq!(clf.model().format(), Format::Int8);
    let expected = std::fs::read_to_string("tests/fixtures/polarity-2-int8-scores.tsv").unwrap();
    let texts = texts();
    let lines: Vec<&str> = expected.lines().collect();
    assert_eq!(lines.len(), texts.len());
    let predictions = clf.classify_batch(&texts).unwrap();
    for ((text, line), p) in texts.iter().zip(lines).zip(&predictions) {
        let (label, score) = line.split_once('\t').unwrap();
        assert_eq!(p.label, label, "{text:?}");
        assert_eq!(format!("{:.4}", p.score), score, "{text:?}");
        // The engine and the plain-Rust reference read the same int8 table.
        let reference = clf.model().score_text(text);
        assert!((p.score - reference).abs() < 1e-5, "{text:?}");
    }
}

#[test]
fn an_int8_file_is_written_back_byte_for_byte() {
    let clf = Classifier::from_bytes(FIXTURE).unwrap();
    assert_eq!(clf.to_bytes(), FIXTURE);
}

#[test]
fn a_fine_tuned_int8_model_stays_int8() {
    let mut clf = Classifier::from_bytes(FIXTURE).unwrap();
    let examples: Vec<Labelled> = [("a dull, boring mess", 0.0), ("a lovely, moving film", 1.0)]
        .iter()
        .cycle()
        .take(20)
        .map(|(text, label)| Labelled {
            text: text.to_string(),
            label: Label::Number(*label),
        })
        .collect();
    clf.fine_tune_examples(&examples, &FineTuneOptions::default(), &mut no_progress)
        .unwrap();
    assert_eq!(clf.info().quantization, "int8");
    let texts = texts();
    let again = Classifier::from_bytes(&clf.to_bytes()).unwrap();
    assert_eq!(again.info().quantization, "int8");
    assert_eq!(
        again.classify_batch(&texts).unwrap(),
        clf.classify_batch(&texts).unwrap()
    );
    // A new classifier from its embedding keeps the format too.
    let fresh = clf
        .from_pretrained(vec!["a".into(), "b".into()], 1, false)
        .unwrap();
    assert_eq!(fresh.info().quantization, "int8");
}

/// `polarity convert`: the shipped int4 model stored as int8 scores as the int4 file does (the
/// int8 grid is much finer than int4's levels), and converted back to int4 finds the same codes.
/// A row read in a contrast scope counts twice, so its int8 error does too: 1e-2 on a score.
#[test]
fn converting_the_table_between_int4_and_int8_keeps_the_scores() {
    let shipped = Classifier::from_bytes(include_bytes!("../model/polarity.onnx")).unwrap();
    assert_eq!(shipped.model().format(), Format::Int4);
    let convert = |clf: &Classifier, format: Format| {
        let model = clf.model().clone().with_format(format);
        Classifier::from_bytes(&polarity::onnx::export(&model)).unwrap()
    };
    let int8 = convert(&shipped, Format::Int8);
    assert_eq!(int8.info().quantization, "int8");
    let back = convert(&int8, Format::Int4);
    assert_eq!(back.info().quantization, "int4");
    let texts = texts();
    let original = shipped.classify_batch(&texts).unwrap();
    for (converted, tolerance) in [(&int8, 1e-2), (&back, 1e-5)] {
        let scores = converted.classify_batch(&texts).unwrap();
        for ((text, a), b) in texts.iter().zip(&original).zip(&scores) {
            assert!(
                (a.score - b.score).abs() < tolerance,
                "{text:?}: {} vs {}",
                a.score,
                b.score
            );
        }
    }
}
