//! How "polarity-2" reads text: the polarity-1 tokens, with URLs and @mentions as one token each,
//! clause and sentence boundaries, and the scope each token sits in (after a negator, after a
//! contrast word such as "but", inside a concession such as "although ...").
//!
//! Scopes become extra ids in [`crate::vocab`]: a token in a negation scope gets, besides its own
//! row, the row of the hashed pair (negation, token), so "not good" can read differently from
//! "good"; the same for contrast and concession. Those hashed rows share the bigram buckets (and
//! their pruning), so the table layout and the graph are those of polarity-1.
//!
//! Explanations leave one typed token out ([`scoped`] with `skip`): a left-out "not" opens no
//! scope, so its weight includes what it did to the words after it.

use crate::text::{tokenize, Token};

/// The text of a URL token (`http://...`, `https://...`, `www....`).
pub const URL: &str = "<url>";
/// The text of an @mention token.
pub const USER: &str = "<user>";

/// The clause scope a token is read in (negation is tracked apart: see [`scoped`]); `None` is
/// plain.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// After but / however / though (as a contrast) / nevertheless / now, up to the sentence end.
    Contrast,
    /// After although / even though / used to, up to the end of the clause.
    Concession,
}

/// Which scopes a vocabulary marks with extra ids.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Features {
    pub negation: bool,
    pub contrast: bool,
    /// An unknown word one typo away from a known one is read as that word.
    pub spelling: bool,
}

impl Features {
    /// The metadata form: space-separated names.
    pub fn names(&self) -> String {
        let mut names = Vec::new();
        if self.negation {
            names.push("negation");
        }
        if self.contrast {
            names.push("contrast");
        }
        if self.spelling {
            names.push("spelling");
        }
        names.join(" ")
    }

    pub fn from_names(names: &str) -> Result<Self, String> {
        let mut f = Features::default();
        for name in names.split_whitespace() {
            match name {
                "negation" => f.negation = true,
                "contrast" => f.contrast = true,
                "spelling" => f.spelling = true,
                other => return Err(format!("unknown scope feature {other:?}")),
            }
        }
        Ok(f)
    }
}

/// Tokens of `text` as polarity-2 reads them, and for each whether a clause boundary (`1`) or a
/// sentence boundary (`2`) comes before it (`0`: none).
pub fn tokenize2(text: &str) -> (Vec<Token>, Vec<u8>) {
    let tokens = merge_links(text, tokenize(text));
    let mut breaks = Vec::with_capacity(tokens.len());
    let mut previous_end = 0;
    for (i, t) in tokens.iter().enumerate() {
        let gap = &text[previous_end..t.start];
        let mut b = 0u8;
        if i > 0 {
            for c in gap.chars() {
                b = b.max(match c {
                    '.' | '!' | '?' | '\n' | '<' | '…' => 2,
                    ',' | ';' | ':' | '(' | ')' | '[' | ']' | '"' | '—' | '–' => 1,
                    _ => 0,
                });
            }
            // "!" and "?" are tokens of their own: they end a sentence.
            if is_mark(&tokens[i - 1].text) {
                b = 2;
            }
        }
        breaks.push(b);
        previous_end = t.end;
    }
    cap_sentences(&mut breaks);
    (tokens, breaks)
}

/// Boundaries of tokens without their text: only `!` and `?` end sentences.
pub fn mark_breaks(tokens: &[Token]) -> Vec<u8> {
    let mut breaks: Vec<u8> = (0..tokens.len())
        .map(|i| u8::from(i > 0 && is_mark(&tokens[i - 1].text)) * 2)
        .collect();
    cap_sentences(&mut breaks);
    breaks
}

/// The most tokens a sentence holds: a longer run gets a sentence boundary every this many
/// tokens, so that the scope of a token never depends on more than this many others (and
/// explanations stay linear in the length of the text).
pub const MAX_SENTENCE: usize = 200;

fn cap_sentences(breaks: &mut [u8]) {
    let mut since = 0;
    for b in breaks.iter_mut() {
        if *b >= 2 || since == MAX_SENTENCE {
            *b = 2;
            since = 0;
        }
        since += 1;
    }
}

/// Sentences as token ranges (split where a boundary of `2` comes before a token).
pub fn sentences(breaks: &[u8]) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, &b) in breaks.iter().enumerate() {
        if b >= 2 && i > start {
            out.push(start..i);
            start = i;
        }
    }
    if start < breaks.len() {
        out.push(start..breaks.len());
    }
    out
}

/// Does leaving this token out change the scope of others? (Only then must an explanation read
/// its sentence again.)
pub fn opens_scope(t: &str, previous: Option<&str>) -> bool {
    is_negator(t)
        || is_contrast(t)
        || is_concession(t)
        || t == "used"
        || (t == "to" && previous == Some("used"))
}

/// Tokens that get no id at all (URLs, @mentions): appending one changes no score.
pub fn is_silent(t: &str) -> bool {
    t == URL || t == USER
}

fn is_mark(t: &str) -> bool {
    t == "!" || t == "?"
}

/// Replaces the tokens of each whitespace-separated URL or @mention by one token.
fn merge_links(text: &str, tokens: Vec<Token>) -> Vec<Token> {
    let mut links: Vec<(usize, usize, &str)> = Vec::new();
    let mut chunks = Vec::new();
    let mut start = None;
    for (at, c) in text.char_indices() {
        match (c.is_whitespace(), start) {
            (true, Some(s)) => {
                chunks.push((s, at));
                start = None;
            }
            (false, None) => start = Some(at),
            _ => {}
        }
    }
    if let Some(s) = start {
        chunks.push((s, text.len()));
    }
    for (start, end) in chunks {
        let chunk = &text[start..end];
        let lead = chunk.len() - chunk.trim_start_matches(['(', '[', '"', '\'']).len();
        let body = &chunk[lead..];
        let body = body.trim_end_matches(|c: char| !(c.is_alphanumeric() || c == '/' || c == '_'));
        let lower = body
            .get(..8.min(body.len()))
            .unwrap_or("")
            .to_ascii_lowercase();
        let kind = if lower.starts_with("http://")
            || lower.starts_with("https://")
            || lower.starts_with("www.")
        {
            URL
        } else if body.len() > 1
            && body.starts_with('@')
            && body[1..].starts_with(|c: char| c.is_alphanumeric() || c == '_')
        {
            USER
        } else {
            continue;
        };
        links.push((start + lead, start + lead + body.len(), kind));
    }
    if links.is_empty() {
        return tokens;
    }
    let mut out: Vec<Token> = Vec::with_capacity(tokens.len());
    let mut link = links.iter().peekable();
    let mut current: Option<(usize, usize, &str)> = None;
    for t in tokens {
        while let Some(&&(_, end, _)) = link.peek() {
            if end <= t.start {
                link.next();
            } else {
                break;
            }
        }
        match link.peek() {
            Some(&&(start, end, kind)) if t.start >= start && t.end <= end => {
                if current == Some((start, end, kind)) {
                    if let Some(last) = out.last_mut() {
                        last.end = t.end;
                    }
                } else {
                    current = Some((start, end, kind));
                    out.push(Token {
                        text: kind.to_string(),
                        start: t.start,
                        end: t.end,
                    });
                }
            }
            _ => out.push(t),
        }
    }
    out
}

/// Is this token a negator?
pub fn is_negator(t: &str) -> bool {
    matches!(
        t,
        "not"
            | "no"
            | "never"
            | "cannot"
            | "hardly"
            | "barely"
            | "scarcely"
            | "nobody"
            | "nothing"
            | "none"
            | "neither"
            | "nor"
            | "nowhere"
            | "without"
            | "dont"
            | "didnt"
            | "doesnt"
            | "isnt"
            | "wasnt"
            | "cant"
            | "couldnt"
            | "wouldnt"
            | "shouldnt"
            | "arent"
            | "werent"
            | "havent"
            | "hasnt"
            | "aint"
    ) || t.ends_with("n't")
}

fn is_contrast(t: &str) -> bool {
    matches!(
        t,
        "but" | "however" | "nevertheless" | "nonetheless" | "now"
    )
}

fn is_concession(t: &str) -> bool {
    matches!(t, "although" | "though" | "whereas" | "despite")
}

/// The most tokens of an aside (see [`scoped`]).
pub const MAX_ASIDE: usize = 3;

/// If a clause boundary comes before token `i` and another one within [`MAX_ASIDE`] tokens
/// (and no sentence boundary before it), the index of the token after that second boundary.
fn aside(breaks: &[u8], i: usize) -> Option<usize> {
    let j = (i + 1..breaks.len().min(i + MAX_ASIDE + 1)).find(|&j| breaks[j] >= 1)?;
    (breaks[j] == 1).then_some(j)
}

/// For each token, whether it was read in a negation scope (after a negator such as not, never,
/// no, n't, hardly, nobody, nothing, without, up to the end of the clause or a contrast word; a
/// second negator closes it: double negation), and its clause scope. `skip` leaves one token out as if it had not been typed (the punctuation around it
/// stays): explanations weigh tokens so.
pub fn scoped(tokens: &[Token], breaks: &[u8], skip: Option<usize>) -> Vec<(bool, Option<Scope>)> {
    let mut out = Vec::with_capacity(tokens.len());
    let (mut negated, mut clause): (bool, Option<Scope>) = (false, None);
    let mut pending = 0u8;
    // The token after the clause boundary that closes an aside inside a negation scope.
    let mut aside_end: Option<usize> = None;
    for (i, t) in tokens.iter().enumerate() {
        pending = pending.max(breaks.get(i).copied().unwrap_or(0));
        if Some(i) == skip {
            out.push((false, None));
            continue;
        }
        let boundary = pending;
        if pending == 1 && negated && aside_end == Some(i) {
            // The end of the aside: the negation goes on.
            aside_end = None;
        } else if pending == 1 && negated && aside_end.is_none() && aside(breaks, i).is_some() {
            // "not, in my opinion, bad", "didn't find it, to be honest, funny": an aside of at
            // most MAX_ASIDE tokens between two commas does not end the negation.
            aside_end = aside(breaks, i);
        } else if pending >= 1 {
            negated = false;
            aside_end = None;
            if clause == Some(Scope::Concession) || pending >= 2 {
                clause = None;
            }
        }
        pending = 0;
        let text = t.text.as_str();
        let previous = i
            .checked_sub(1)
            .filter(|&j| Some(j) != skip)
            .map(|j| tokens[j].text.as_str());
        if is_contrast(text) {
            negated = false;
            clause = Some(Scope::Contrast);
            out.push((false, None));
            continue;
        }
        if is_concession(text) || (text == "to" && previous == Some("used") && boundary == 0) {
            negated = false;
            clause = Some(Scope::Concession);
            out.push((false, None));
            continue;
        }
        if is_negator(text) {
            out.push((false, None));
            negated = !negated;
            continue;
        }
        if is_mark(text) {
            out.push((false, None));
            continue;
        }
        out.push((negated, clause));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Vec<(String, bool, Option<Scope>)> {
        let (tokens, breaks) = tokenize2(text);
        let s = scoped(&tokens, &breaks, None);
        tokens
            .into_iter()
            .zip(s)
            .map(|(t, (n, c))| (t.text, n, c))
            .collect()
    }

    fn negated(text: &str) -> Vec<String> {
        read(text)
            .into_iter()
            .filter(|x| x.1)
            .map(|x| x.0)
            .collect()
    }

    #[test]
    fn negation_runs_to_the_end_of_the_clause() {
        assert_eq!(negated("It was not very good, but fun"), ["very", "good"]);
        assert_eq!(negated("I didn't like it. Great cast"), ["like", "it"]);
        assert_eq!(negated("not without charm"), Vec::<String>::new());
        assert_eq!(negated("never bad!! good"), ["bad"]);
        assert_eq!(negated("no good but bad"), ["good"]);
        assert_eq!(
            negated("It was not, in my opinion, bad. Good"),
            ["in", "my", "opinion", "bad"]
        );
        assert_eq!(negated("not good, bad"), ["good"]);
        assert_eq!(
            negated("I didn't find it, to be honest, funny, but fine"),
            ["find", "it", "to", "be", "honest", "funny"]
        );
        assert_eq!(negated("not good, the plot was dull, fine"), ["good"]);
    }

    #[test]
    fn contrast_and_concession() {
        let r = read("Dull start but great ending. Fine");
        assert_eq!(r[3].2, Some(Scope::Contrast));
        assert_eq!(r[5].2, None);
        let r = read("Although slow, it works");
        assert_eq!(r[1].2, Some(Scope::Concession));
        assert_eq!(r[3].2, None);
        let r = read("I used to love it now I hate it");
        assert_eq!(r[3].2, Some(Scope::Concession));
        assert_eq!(r[6].2, Some(Scope::Contrast));
    }

    #[test]
    fn skipping_a_negator_removes_its_scope() {
        let (tokens, breaks) = tokenize2("not bad at all");
        let full = scoped(&tokens, &breaks, None);
        assert!(full[1].0);
        let without = scoped(&tokens, &breaks, Some(0));
        assert!(!without[1].0 && without[0] == (false, None));
    }

    #[test]
    fn links_and_mentions_are_one_token() {
        let text = "Great film https://t.co/abc?x=1 thanks @some_one!";
        let (tokens, _) = tokenize2(text);
        let words: Vec<&str> = tokens.iter().map(|t| t.text.as_str()).collect();
        assert_eq!(words, ["great", "film", URL, "thanks", USER, "!"]);
        for t in &tokens {
            assert!(text.is_char_boundary(t.start) && t.start < t.end);
        }
        assert_eq!(
            &text[tokens[2].start..tokens[2].end],
            "https://t.co/abc?x=1"
        );
        let (tokens, _) = tokenize2("see (www.example.com) and @ alone");
        let words: Vec<&str> = tokens.iter().map(|t| t.text.as_str()).collect();
        assert_eq!(words, ["see", URL, "and", "alone"]);
    }
}
