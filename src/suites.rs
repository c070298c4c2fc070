//! Measuring a model beyond IMDB reviews (native only): the short-sentence dev sets, the
//! negation and contrast suite (tests/fixtures/negation.tsv, made by
//! tests/make_negation_suite.py) and its dev twin (the same templates with other words, to tune
//! on, so that the suite only reports), and robustness: how many predictions on the sentence sets one
//! typo, or an appended URL, @name or emoji flips. `polarity report` prints [`report`].

use std::fmt::Write;
use std::path::Path;

use crate::data::{read_reviews, Review};
use crate::recipe::{self, Recipe};
use crate::rng::Rng;
use crate::{Classifier, Error};

/// The negation and contrast suite: `LABEL<TAB>TEXT` lines, 1 = positive.
pub const NEGATION_SUITE: &str = include_str!("../tests/fixtures/negation.tsv");

/// The suite's dev twin (`make_negation_suite.py --dev`): the same templates, another seed, and
/// sentiment words, nouns and subjects the suite does not hold. Choices are made on it.
pub const NEGATION_DEV: &str = include_str!("../tests/fixtures/negation-dev.tsv");

/// The suite as reviews.
pub fn negation_suite() -> Vec<Review> {
    labelled_lines(NEGATION_SUITE)
}

/// The dev twin as reviews.
pub fn negation_dev() -> Vec<Review> {
    labelled_lines(NEGATION_DEV)
}

fn labelled_lines(lines: &str) -> Vec<Review> {
    lines
        .lines()
        .filter_map(|line| {
            let (label, text) = line.split_once('\t')?;
            Some(Review {
                positive: label == "1",
                text: text.to_string(),
            })
        })
        .collect()
}

/// Share of `reviews` whose predicted label is right.
pub fn accuracy(clf: &Classifier, reviews: &[Review]) -> Result<f64, Error> {
    let texts: Vec<&str> = reviews.iter().map(|r| r.text.as_str()).collect();
    let predictions = clf.classify_batch(&texts)?;
    let right = reviews
        .iter()
        .zip(&predictions)
        .filter(|(r, p)| r.positive == (p.score >= 0.5))
        .count();
    Ok(right as f64 / reviews.len().max(1) as f64)
}

/// The ways [`flip_rate`] changes a text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Perturbation {
    /// One typo in one word of at least 4 letters: two letters swapped, one dropped, one
    /// doubled, or one replaced.
    Typo,
    /// `" https://example.com/..."` appended.
    Url,
    /// " @name" appended.
    Mention,
    /// A neutral emoji appended.
    Emoji,
}

impl Perturbation {
    pub const ALL: [Perturbation; 4] = [
        Perturbation::Typo,
        Perturbation::Url,
        Perturbation::Mention,
        Perturbation::Emoji,
    ];

    pub fn name(&self) -> &'static str {
        match self {
            Perturbation::Typo => "one typo",
            Perturbation::Url => "URL appended",
            Perturbation::Mention => "@name appended",
            Perturbation::Emoji => "emoji appended",
        }
    }

    /// `text` changed this way; the `n`-th text of a set gets the same change every time.
    pub fn apply(&self, text: &str, n: u64) -> String {
        let mut rng = Rng::new(0x7e57 ^ n.wrapping_mul(0x9e37_79b9));
        match self {
            Perturbation::Typo => typo(text, &mut rng),
            Perturbation::Url => {
                let url = [
                    "https://example.com/review/",
                    "http://bit.ly/",
                    "www.site.org/p/",
                ][rng.below(3)];
                format!("{text} {url}{}", 1000 + rng.below(9000))
            }
            Perturbation::Mention => {
                let name = ["@moviefan", "@jane_doe", "@foodie", "@critic"][rng.below(4)];
                format!("{text} {name}{}", rng.below(100))
            }
            Perturbation::Emoji => {
                let emoji = ["🎬", "🍿", "📽️", "🍽️", "☕"][rng.below(5)];
                format!("{text} {emoji}")
            }
        }
    }
}

/// One typo in one word of at least four ASCII letters (the text unchanged when it has none).
fn typo(text: &str, rng: &mut Rng) -> String {
    let mut words: Vec<(usize, usize)> = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices().chain([(text.len(), ' ')]) {
        match (c.is_ascii_alphabetic(), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                if i - s >= 4 {
                    words.push((s, i));
                }
                start = None;
            }
            _ => {}
        }
    }
    if words.is_empty() {
        return text.to_string();
    }
    let (s, e) = words[rng.below(words.len())];
    let mut w: Vec<u8> = text[s..e].bytes().collect();
    let at = 1 + rng.below(w.len() - 2);
    match rng.below(4) {
        0 => w.swap(at, at + 1),
        1 => {
            w.remove(at);
        }
        2 => w.insert(at, w[at]),
        _ => {
            let mut c = b'a' + rng.below(26) as u8;
            if c == w[at].to_ascii_lowercase() {
                c = if c == b'z' { b'a' } else { c + 1 };
            }
            w[at] = c;
        }
    }
    format!(
        "{}{}{}",
        &text[..s],
        String::from_utf8_lossy(&w),
        &text[e..]
    )
}

/// Share of `reviews` whose predicted label changes under `how`.
pub fn flip_rate(clf: &Classifier, reviews: &[Review], how: Perturbation) -> Result<f64, Error> {
    let texts: Vec<&str> = reviews.iter().map(|r| r.text.as_str()).collect();
    let changed: Vec<String> = texts
        .iter()
        .enumerate()
        .map(|(n, t)| how.apply(t, n as u64))
        .collect();
    let before = clf.classify_batch(&texts)?;
    let after = clf.classify_batch(&changed)?;
    let flipped = before
        .iter()
        .zip(&after)
        .filter(|(a, b)| (a.score >= 0.5) != (b.score >= 0.5))
        .count();
    Ok(flipped as f64 / reviews.len().max(1) as f64)
}

/// Everything above for one model, as a Markdown table: IMDB validation split (as
/// [`recipe::split`] carves it), the sentence sets, the suite, the flip rates, and IMDB test
/// when `test` (the final reported number only).
pub fn report(clf: &Classifier, data: &Path, test: bool) -> Result<String, Error> {
    let pct = |x: f64| format!("{:.2}%", x * 100.0);
    let mut out = String::from("| measure | value |\n| --- | --- |\n");
    let mut row = |name: &str, value: String| {
        let _ = writeln!(out, "| {name} | {value} |");
    };
    let (_, valid) = recipe::split(
        read_reviews(&data.join("imdb/train.tsv.gz"))?,
        &Recipe::default(),
    );
    row("IMDB validation split", pct(accuracy(clf, &valid)?));
    if test {
        let reviews = read_reviews(&data.join("imdb/test.tsv.gz"))?;
        row("IMDB test", pct(accuracy(clf, &reviews)?));
    }
    let sets = [
        ("IMDB sentences", "sentences/imdb-sentences.tsv.gz"),
        ("Yelp sentences", "sentences/yelp-sentences.tsv.gz"),
    ];
    let mut both = Vec::new();
    for (name, path) in sets {
        let reviews = read_reviews(&data.join(path))?;
        row(name, pct(accuracy(clf, &reviews)?));
        both.extend(reviews);
    }
    row(
        "negation + contrast dev suite (other words)",
        pct(accuracy(clf, &negation_dev())?),
    );
    row(
        "negation + contrast suite",
        pct(accuracy(clf, &negation_suite())?),
    );
    for how in Perturbation::ALL {
        row(
            &format!("flipped by {} (both sentence sets)", how.name()),
            pct(flip_rate(clf, &both, how)?),
        );
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn perturbations_are_deterministic_and_small() {
        let text = "The food was wonderful and the staff friendly.";
        for how in Perturbation::ALL {
            assert_eq!(how.apply(text, 3), how.apply(text, 3));
            assert_ne!(how.apply(text, 3), text);
        }
        let t = Perturbation::Typo.apply(text, 5);
        assert!((t.len() as i64 - text.len() as i64).abs() <= 1, "{t}");
        assert_eq!(Perturbation::Typo.apply("a an é", 1), "a an é");
    }

    #[test]
    fn the_suite_is_balanced_and_large() {
        for suite in [negation_suite(), negation_dev()] {
            assert!(suite.len() >= 300);
            let positive = suite.iter().filter(|r| r.positive).count();
            assert!(positive * 3 >= suite.len() && positive * 3 <= 2 * suite.len());
        }
    }

    #[test]
    fn the_dev_suite_shares_no_text_with_the_suite() {
        let suite: std::collections::HashSet<String> =
            negation_suite().into_iter().map(|r| r.text).collect();
        assert!(negation_dev().iter().all(|r| !suite.contains(&r.text)));
    }
}
