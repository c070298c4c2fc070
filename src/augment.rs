//! Counterfactual sentences for training (native only): IMDB labels whole reviews, so it cannot
//! teach that "not boring" is praise ("not" is a negative word there, and "not boring" is rare),
//! nor that the clause after "but" gives the verdict. From the training reviews alone, this makes
//! short texts that can:
//!
//! - **negated pairs**: a sentence whose strongest sentiment word agrees with its review's label,
//!   once as it is (that label) and once with a negator put before that word (the other label);
//! - **contrasts**: a sentence of the other label, then "but" (or "however", or "although" before
//!   it) and a sentence of this review's label: the text gets the label of the second.
//!
//! Sentiment words come from the training split itself (log-count ratios between positive and
//! negative reviews), not from a list: the rules name only negators and contrast words.

use std::collections::HashMap;

use crate::data::Review;
use crate::recipe::split_sentences;
use crate::rng::Rng;
use crate::scope;
use crate::text::{tokenize, Token};

/// How the counterfactual sentences are made ([`crate::recipe::Recipe`] holds one).
#[derive(Clone, Debug, PartialEq)]
pub struct Augment {
    /// Negated pairs made from each review (0 makes none).
    pub negated: usize,
    /// Contrast texts made from each review (0 makes none).
    pub contrasts: usize,
    /// A word is a sentiment word when it appears this often in training reviews...
    pub min_count: usize,
    /// ...and its log-ratio of positive to negative review counts is at least this far from 0.
    pub min_log_ratio: f32,
    /// Sentences longer than this many tokens are not used.
    pub max_tokens: usize,
}

impl Default for Augment {
    fn default() -> Self {
        Augment {
            negated: 0,
            contrasts: 0,
            min_count: 30,
            min_log_ratio: 1.0,
            max_tokens: 25,
        }
    }
}

/// Words whose review counts lean one way: `true` for positive.
pub struct SentimentWords {
    lean: HashMap<String, (bool, f32)>,
}

impl SentimentWords {
    /// From the training reviews: each word counted once per review, and only where no negator
    /// comes in the three tokens before it ("no redeeming" says nothing of "redeeming"). Words
    /// that are mostly capitalized are names, not sentiment, and are left out.
    pub fn from_reviews(reviews: &[Review], augment: &Augment) -> Self {
        let mut counts: HashMap<String, [u32; 2]> = HashMap::new();
        let mut capitalized: HashMap<String, [u32; 2]> = HashMap::new();
        let mut seen = std::collections::HashSet::new();
        let (mut positives, mut negatives) = (0u32, 0u32);
        for review in reviews {
            if review.positive {
                positives += 1;
            } else {
                negatives += 1;
            }
            seen.clear();
            let tokens = tokenize(&review.text);
            for (i, token) in tokens.iter().enumerate() {
                let upper = review.text[token.start..].starts_with(char::is_uppercase);
                capitalized.entry(token.text.clone()).or_default()[usize::from(upper)] += 1;
                let negated = tokens[i.saturating_sub(3)..i]
                    .iter()
                    .any(|t| scope::is_negator(&t.text));
                if !negated && seen.insert(token.text.clone()) {
                    counts.entry(token.text.clone()).or_default()[usize::from(!review.positive)] +=
                        1;
                }
            }
        }
        let is_name = |word: &str| {
            capitalized
                .get(word)
                .is_some_and(|[lower, upper]| upper > lower)
        };
        let (p, n) = (positives.max(1) as f32, negatives.max(1) as f32);
        let lean = counts
            .into_iter()
            .filter(|(word, [pos, neg])| {
                (pos + neg) as usize >= augment.min_count
                    && word.chars().all(|c| c.is_alphabetic())
                    && !scope::opens_scope(word, None)
                    && !is_name(word)
            })
            .filter_map(|(word, [pos, neg])| {
                let ratio = ((pos as f32 + 1.0) / p / ((neg as f32 + 1.0) / n)).ln();
                (ratio.abs() >= augment.min_log_ratio).then_some((word, (ratio > 0.0, ratio.abs())))
            })
            .collect();
        SentimentWords { lean }
    }

    /// The strongest sentiment word of `tokens` that leans towards `positive`, if any.
    fn strongest(&self, tokens: &[Token], positive: bool) -> Option<usize> {
        let mut best: Option<(usize, f32)> = None;
        for (i, t) in tokens.iter().enumerate() {
            if let Some(&(lean, strength)) = self.lean.get(&t.text) {
                if lean == positive && best.is_none_or(|(_, s)| strength > s) {
                    best = Some((i, strength));
                }
            }
        }
        best.map(|(i, _)| i)
    }
}

/// A sentence that can be used: short, no word that opens a scope (so that what is added is
/// the only negator or contrast), and a sentiment word that agrees with its review.
struct Usable<'t> {
    text: &'t str,
    /// Byte offset of its strongest agreeing sentiment word.
    word_at: usize,
}

fn usable<'t>(review: &'t Review, words: &SentimentWords, augment: &Augment) -> Vec<Usable<'t>> {
    split_sentences(&review.text)
        .into_iter()
        .filter_map(|text| {
            let tokens = tokenize(text);
            if tokens.len() < 3 || tokens.len() > augment.max_tokens {
                return None;
            }
            let mut previous = None;
            for t in &tokens {
                if scope::opens_scope(&t.text, previous) {
                    return None;
                }
                previous = Some(t.text.as_str());
            }
            let i = words.strongest(&tokens, review.positive)?;
            Some(Usable {
                text,
                word_at: tokens[i].start,
            })
        })
        .collect()
}

/// The negators put before a sentiment word (any of them opens a negation scope).
const NEGATORS: [&str; 4] = ["not", "not", "never", "hardly"];

/// The counterfactual texts made from `train` (labelled), in a order fixed by `seed`.
pub fn counterfactuals(train: &[Review], augment: &Augment, seed: u64) -> Vec<Review> {
    let mut out = Vec::new();
    if augment.negated == 0 && augment.contrasts == 0 {
        return out;
    }
    let words = SentimentWords::from_reviews(train, augment);
    let sentences: Vec<Vec<Usable>> = train.iter().map(|r| usable(r, &words, augment)).collect();
    // Reviews with a usable sentence, by label: where the other half of a contrast comes from.
    let mut by_label: [Vec<usize>; 2] = [Vec::new(), Vec::new()];
    for (i, s) in sentences.iter().enumerate() {
        if !s.is_empty() {
            by_label[usize::from(train[i].positive)].push(i);
        }
    }
    let mut rng = Rng::new(seed ^ 0xa11e);

    for (review, usable) in train.iter().zip(&sentences) {
        if usable.is_empty() {
            continue;
        }
        for _ in 0..augment.negated {
            let s = &usable[rng.below(usable.len())];
            let negator = NEGATORS[rng.below(NEGATORS.len())];
            let negated = format!("{}{negator} {}", &s.text[..s.word_at], &s.text[s.word_at..]);
            out.push(Review {
                positive: review.positive,
                text: s.text.to_string(),
            });
            out.push(Review {
                positive: !review.positive,
                text: negated,
            });
        }
        let others = &by_label[usize::from(!review.positive)];
        for _ in 0..augment.contrasts {
            if others.is_empty() {
                break;
            }
            let last = usable[rng.below(usable.len())].text;
            let other = &sentences[others[rng.below(others.len())]];
            let first = other[rng.below(other.len())].text;
            out.push(Review {
                positive: review.positive,
                text: contrast(first, last, rng.below(3)),
            });
        }
    }
    out
}

/// "first, but last", "first. However, last" or "Although first, last".
fn contrast(first: &str, last: &str, how: usize) -> String {
    let bare = first.trim_end_matches(['.', '!', '?', ' ']);
    let lower = |s: &str| {
        let mut chars = s.chars();
        match chars.next() {
            Some(c) => c.to_lowercase().chain(chars).collect::<String>(),
            None => String::new(),
        }
    };
    match how {
        0 => format!("{bare}, but {}", lower(last)),
        1 => format!("{bare}. However, {}", lower(last)),
        _ => format!("Although {}, {}", lower(bare), lower(last)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn review(positive: bool, text: &str) -> Review {
        Review {
            positive,
            text: text.into(),
        }
    }

    /// Reviews where "superb" only comes in positive ones and "dreadful" in negative ones.
    fn reviews() -> Vec<Review> {
        let mut out = Vec::new();
        for i in 0..40 {
            out.push(review(
                true,
                &format!("The film {i} was superb. It runs long."),
            ));
            out.push(review(
                false,
                &format!("The film {i} was dreadful. It runs long."),
            ));
        }
        out
    }

    #[test]
    fn sentiment_words_come_from_the_counts() {
        let words = SentimentWords::from_reviews(&reviews(), &Augment::default());
        assert_eq!(words.lean.get("superb").map(|l| l.0), Some(true));
        assert_eq!(words.lean.get("dreadful").map(|l| l.0), Some(false));
        assert!(!words.lean.contains_key("film"), "in both kinds of review");
    }

    #[test]
    fn a_negated_pair_flips_the_label_and_puts_the_negator_before_the_word() {
        let augment = Augment {
            negated: 1,
            ..Augment::default()
        };
        let out = counterfactuals(&reviews(), &augment, 1);
        assert_eq!(out.len(), 160);
        for pair in out.chunks(2) {
            assert_ne!(pair[0].positive, pair[1].positive);
            let word = if pair[0].positive {
                "superb"
            } else {
                "dreadful"
            };
            assert!(
                pair[0].text.ends_with(&format!("was {word}.")),
                "{}",
                pair[0].text
            );
            let negated = ["not", "never", "hardly"]
                .iter()
                .any(|n| pair[1].text.ends_with(&format!("was {n} {word}.")));
            assert!(negated, "{}", pair[1].text);
        }
    }

    #[test]
    fn a_contrast_takes_the_label_of_its_last_clause() {
        let augment = Augment {
            contrasts: 3,
            ..Augment::default()
        };
        for r in counterfactuals(&reviews(), &augment, 2) {
            let last = r.text.rsplit([',', '.']).find(|s| !s.trim().is_empty());
            let last = last.unwrap_or_default();
            assert_eq!(last.contains("superb"), r.positive, "{}", r.text);
            assert!(
                r.text.contains(", but ")
                    || r.text.contains(". However, ")
                    || r.text.starts_with("Although "),
                "{}",
                r.text
            );
        }
    }
}
