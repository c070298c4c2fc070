//! The shipped model (model/polarity.onnx, bundled into the crate): it loads, answers sensibly on
//! handwritten reviews it never saw, agrees with its plain-Rust reference, and survives hostile text.

use polarity::data::read_reviews;
use polarity::{no_progress, Classifier, BUNDLED_MODEL};

fn shipped() -> Classifier {
    Classifier::from_bytes(BUNDLED_MODEL).expect("the bundled model loads")
}

#[test]
fn classifies_handwritten_reviews() {
    let clf = shipped();
    let reviews = read_reviews("tests/fixtures/reviews.tsv".as_ref()).unwrap();
    assert!(reviews.len() >= 50);
    let texts: Vec<&str> = reviews.iter().map(|r| r.text.as_str()).collect();
    let predictions = clf.classify_batch(&texts).unwrap();
    let correct = reviews
        .iter()
        .zip(&predictions)
        .filter(|(r, p)| r.positive == (p.label == "positive"))
        .count();
    let accuracy = correct as f64 / reviews.len() as f64;
    assert!(
        accuracy >= 0.9,
        "accuracy on the handwritten fixture: {accuracy}"
    );
}

#[test]
fn engine_agrees_with_the_reference_forward_pass() {
    let clf = shipped();
    let reviews = read_reviews("tests/fixtures/reviews.tsv".as_ref()).unwrap();
    for review in &reviews {
        let tract = clf.classify(&review.text).unwrap().score;
        let reference = clf.model().score_text(&review.text);
        assert!((tract - reference).abs() < 1e-5, "{tract} vs {reference}");
    }
}

#[test]
fn hostile_text_gets_an_answer() {
    let clf = shipped();
    let long = "a wonderful film ".repeat(60_000);
    for text in [
        "",
        "   \n\t",
        "\0",
        "😀😀😀",
        "这部电影很好看",
        "فيلم رائع",
        "<br /><br",
        long.as_str(),
    ] {
        let p = clf.classify(text).unwrap();
        assert!((0.0..=1.0).contains(&p.score), "{text:.20}: {}", p.score);
        assert!(p.label == "positive" || p.label == "negative");
        let e = clf.explain(text).unwrap();
        assert!((e.prediction.score - p.score).abs() < 1e-6);
        assert!(e.tokens.iter().all(|t| t.weight.is_finite()));
    }
    assert_eq!(
        clf.labels(),
        &["positive".to_string(), "negative".to_string()]
    );
}

#[test]
fn explanations_point_at_the_words_that_matter() {
    let clf = shipped();
    let text = "The plot was dull, but the acting was wonderful and brilliant.";
    let e = clf.explain(text).unwrap();
    let weight = |w: &str| {
        e.tokens
            .iter()
            .find(|t| t.text == w)
            .map(|t| t.weight)
            .unwrap()
    };
    assert!(weight("wonderful") > 0.0);
    assert!(weight("dull") < 0.0);
    for t in &e.tokens {
        assert_eq!(text[t.start..t.end].to_lowercase(), t.text);
    }
}

#[test]
fn fine_tuning_on_flipped_labels_flips_every_prediction() {
    use polarity::finetune::{FineTuneOptions, Label, Labelled};
    let mut clf = shipped();
    let reviews = read_reviews("tests/fixtures/reviews.tsv".as_ref()).unwrap();
    // Every label the wrong way round, default options: the model must really learn them.
    let flipped: Vec<Labelled> = reviews
        .iter()
        .map(|r| Labelled {
            text: r.text.clone(),
            label: Label::Number(if r.positive { 0.0 } else { 1.0 }),
        })
        .collect();
    let report = clf
        .fine_tune_examples(&flipped, &FineTuneOptions::default(), &mut no_progress)
        .unwrap();
    let texts: Vec<&str> = reviews.iter().map(|r| r.text.as_str()).collect();
    let predictions = clf.classify_batch(&texts).unwrap();
    let flipped_now = reviews
        .iter()
        .zip(&predictions)
        .filter(|(r, p)| (p.label == "positive") != r.positive)
        .count();
    // Before, it got at least 90% right (`classifies_handwritten_reviews`); now all follow the
    // flipped labels (50 of 50 here; the IMDB check flips all of 200). One is let go, for a
    // review near the line on another CPU's kernels.
    assert!(
        flipped_now + 1 >= reviews.len(),
        "{flipped_now} of {} flipped; {report:?}",
        reviews.len()
    );
    assert!((report.accuracy - flipped_now as f32 / reviews.len() as f32).abs() < 0.03);
    // The fine-tuned model survives its own bytes exactly.
    let again = Classifier::from_bytes(&clf.to_bytes()).unwrap();
    assert_eq!(again.classify_batch(&texts).unwrap(), predictions);
}

#[test]
fn explain_gives_not_its_negation() {
    // Leave-one-out over typed tokens: leaving "not" out also lifts its negation of "bad".
    let clf = shipped();
    let text = "The film was not, in my opinion, bad.";
    let e = clf.explain(text).unwrap();
    let vocab = clf.model().vocab();
    let (tokens, breaks) = vocab.read(text);
    let i = tokens.iter().position(|t| t.text == "not").unwrap();
    let without = clf
        .model()
        .score(&vocab.encode_scoped(&tokens, &breaks, Some(i)))
        .unwrap();
    assert!((e.tokens[i].weight - (e.prediction.score - without)).abs() < 1e-4);
    // The negated "bad" reads differently from a plain one.
    let plain = vocab.encode_scoped(&tokens, &breaks, Some(i)).len();
    assert!(vocab.encode(text).len() > plain + 1);
}

#[test]
fn appended_urls_and_mentions_change_nothing() {
    let clf = shipped();
    for text in ["Dreadful acting.", "A lovely little film!"] {
        let score = clf.classify(text).unwrap().score;
        for tail in [" https://example.com/r/1", " @someone", " www.x.org"] {
            let with = clf.classify(&format!("{text}{tail}")).unwrap().score;
            assert_eq!(score, with, "{text}{tail}");
        }
    }
}

/// The first decimal number (0.NN) in `s`, if any.
fn first_score(s: &str) -> Option<f32> {
    let at = s.find("0.")?;
    let digits = s[at + 2..].bytes().take_while(u8::is_ascii_digit).count();
    s[at..at + 2 + digits].parse().ok()
}

/// Texts and the scores the READMEs print for them: each `classify("...")` with a score on its
/// line, and the "now" column of README.md's table of the first things people type.
fn documented_scores() -> Vec<(String, f32, &'static str)> {
    let mut out = Vec::new();
    for file in ["README.md", "npm/README.md"] {
        let text = std::fs::read_to_string(file).unwrap();
        for line in text.lines() {
            let Some(at) = line.find("classify(\"") else {
                continue;
            };
            let rest = &line[at + 10..];
            let Some(end) = rest.find("\")") else {
                continue;
            };
            let shown = &rest[end..];
            if shown.contains("score: 0.") || shown.contains("// positive, 0.") {
                out.push((rest[..end].to_string(), first_score(shown).unwrap(), file));
            }
        }
        let Some(table) = text.find("| text | polarity-1 | before | now |") else {
            continue;
        };
        for row in text[table..].lines().skip(2) {
            let cells: Vec<&str> = row.split('|').map(str::trim).collect();
            if !row.starts_with('|') || cells.len() < 3 {
                break;
            }
            let now = cells[cells.len() - 2];
            out.push((cells[1].to_string(), first_score(now).unwrap(), file));
        }
    }
    out
}

#[test]
fn the_readmes_print_the_scores_the_model_gives() {
    let clf = shipped();
    let documented = documented_scores();
    assert!(documented.len() >= 8, "found only {documented:?}");
    for (text, shown, file) in documented {
        let score = clf.classify(&text).unwrap().score;
        assert!(
            (score - shown).abs() <= 0.005 + 1e-4,
            "{file} shows {shown} for {text:?}; the model gives {score:.4}"
        );
    }
}
