//! How "polarity-2" reads text: the polarity-1 tokens, with URLs and @mentions as one token each,
//! clause and sentence boundaries, and the scope each token sits in (after a negator, after a
//! contrast word such as "but", inside a concession such as "although ...").
//!
//! Scopes become extra ids in [`crate::vocab`]: a token in a negation scope gets, besides its own
//! row, the row of the hashed pair (negation, token), so "not good" can read differently from
//! "good"; the same for contrast and concession. Those hashed rows share the bigram buckets (and
//! their pruning), so the table layout and the graph are those of polarity-1.
//!
//! Explanations leave one typed token out ([`scoped_roles`] with `skip`): a left-out "not" opens no
//! scope, so its weight includes what it did to the words after it.

use crate::text::{tokenize, Token};

/// The text of a URL token (`http://...`, `https://...`, `www....`).
pub const URL: &str = "<url>";
/// The text of an @mention token.
pub const USER: &str = "<user>";

/// The clause scope a token is read in (negation is tracked apart: see [`scoped_roles`]); `None` is
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
    /// Every unknown word with a digit in it (a phone number, a price, a code) gets the one row
    /// of [`NUMBER`]'s bucket: hashed apart, each lands on a row of its own, and a few dozen
    /// labelled texts teach none of them twice (bigrams and scopes still hash its text).
    /// Classifiers made by `fromPretrained` read this way.
    pub numbers: bool,
    /// A token in a scope is read as its own word's row once more, times the model's weight for
    /// that scope ([`crate::vocab::Vocabulary::scope_band`]), not as a hashed row of its own: so
    /// "not dreary" turns round even when no text in training said it, and scopes cost no rows.
    pub weighted: bool,
    /// A negator (not, never, no, n't, ...) makes no bigram with the token after it: that token
    /// is read by its negation scope alone, whatever IMDB's reviews made of the pair ("not bad"
    /// is mostly a lukewarm phrase there, and "no problems" a rare one).
    pub lone_negators: bool,
}

/// The text an unknown word with a digit is hashed as under [`Features::numbers`] (a byte no
/// token holds, so no word shares its bucket by name).
pub const NUMBER: &[u8] = b"\x1enumber";

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
        if self.numbers {
            names.push("numbers");
        }
        if self.weighted {
            names.push("weighted");
        }
        if self.lone_negators {
            names.push("lone-negators");
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
                "numbers" => f.numbers = true,
                "weighted" => f.weighted = true,
                "lone-negators" => f.lone_negators = true,
                other => {
                    return Err(format!(
                        "unknown scope feature {}",
                        crate::onnx::shown(other)
                    ))
                }
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
        let mut b = 0u8;
        if i > 0 {
            b = gap_break(text.as_bytes().get(previous_end..t.start).unwrap_or(&[]));
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

/// The boundary a gap between two tokens makes: `2` if it holds `.`, `!`, `?`, a newline, `<`
/// (tags are gaps) or `…`; else `1` if it holds `, ; : ( ) [ ] "`, `—` or `–`; else `0`.
///
/// Byte by byte: the three non-ASCII chars are `E2 80 xx` in UTF-8, and a gap is a whole `str`,
/// so a lead byte `E2` is followed by its own continuation bytes.
pub(crate) fn gap_break(gap: &[u8]) -> u8 {
    let mut b = 0;
    for (i, &byte) in gap.iter().enumerate() {
        // One table lookup a byte: most gaps are a space, which a chain of comparisons tested
        // against all fourteen bytes.
        match GAP_BYTE[usize::from(byte)] {
            0 => {}
            SENTENCE => return 2,
            CLAUSE => b = 1,
            _ if gap.get(i + 1) == Some(&0x80) => match gap.get(i + 2) {
                Some(0xa6) => return 2,
                Some(0x93 | 0x94) => b = 1,
                _ => {}
            },
            _ => {}
        }
    }
    b
}

/// [`gap_break`]'s bytes: [`SENTENCE`], [`CLAUSE`], [`LEAD_E2`] (the lead byte of `…`, `—` and
/// `–`), or 0.
const GAP_BYTE: [u8; 256] = {
    let mut table = [0u8; 256];
    let sentence = b".!?\n<";
    let clause = b",;:()[]\"";
    let mut i = 0;
    while i < sentence.len() {
        table[sentence[i] as usize] = SENTENCE;
        i += 1;
    }
    let mut i = 0;
    while i < clause.len() {
        table[clause[i] as usize] = CLAUSE;
        i += 1;
    }
    table[0xe2] = LEAD_E2;
    table
};
const SENTENCE: u8 = 1;
const CLAUSE: u8 = 2;
const LEAD_E2: u8 = 3;

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

pub(crate) fn cap_sentences(breaks: &mut [u8]) {
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

/// A URL or @mention: its byte span in the text and its token text ([`URL`] or [`USER`]).
pub(crate) type Link = (usize, usize, &'static str);

/// The URLs and @mentions of `text`, in order: each whitespace-separated chunk that, past leading
/// `( [ " '` and without trailing punctuation, starts with `http://`, `https://`, `www.` (any
/// case) or `@` and a letter, digit or `_`.
pub(crate) fn links(text: &str) -> Vec<Link> {
    let mut links = Vec::new();
    if !may_hold_link(text.as_bytes()) {
        return links;
    }
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
    links
}

/// False only when `text` holds no link: every link holds `@`, `://` or `www.` (any case). Most
/// texts hold none of them, and this costs far less than splitting the text into chunks.
fn may_hold_link(text: &[u8]) -> bool {
    let near = |i: usize| match text[i] {
        b'@' => true,
        b':' => text.get(i + 1..i + 3) == Some(b"//"),
        b'.' => i >= 3 && text[i - 3..i].eq_ignore_ascii_case(b"www"),
        _ => false,
    };
    // Eight bytes at a time (most blocks hold none of the three), then byte by byte in a block
    // that may: `(v - 0x01..) & !v & 0x80..` is non-zero exactly when some byte of `v` is zero.
    const ONES: u64 = 0x0101_0101_0101_0101;
    let zero_byte = |v: u64| v.wrapping_sub(ONES) & !v & (ONES << 7);
    let hit = |v: u64| {
        zero_byte(v ^ (ONES * u64::from(b'@')))
            | zero_byte(v ^ (ONES * u64::from(b':')))
            | zero_byte(v ^ (ONES * u64::from(b'.')))
    };
    let (blocks, rest) = text.as_chunks::<8>();
    for (i, block) in blocks.iter().enumerate() {
        if hit(u64::from_le_bytes(*block)) != 0 && (8 * i..8 * i + 8).any(near) {
            return true;
        }
    }
    (text.len() - rest.len()..text.len()).any(near)
}

/// Replaces the tokens of each whitespace-separated URL or @mention by one token.
fn merge_links(text: &str, tokens: Vec<Token>) -> Vec<Token> {
    let links = links(text);
    if links.is_empty() {
        return tokens;
    }
    let mut out: Vec<Token> = Vec::with_capacity(tokens.len());
    let mut cursor = LinkCursor::new(&links);
    for t in tokens {
        match cursor.place(t.start, t.end) {
            Place::Keep => out.push(t),
            Place::Open(kind) => out.push(Token {
                text: kind.to_string(),
                start: t.start,
                end: t.end,
            }),
            Place::Extend => {
                if let Some(last) = out.last_mut() {
                    last.end = t.end;
                }
            }
        }
    }
    out
}

/// What becomes of a token when links are merged ([`LinkCursor::place`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Place {
    /// Not in a link: the token stays.
    Keep,
    /// The first token of a link: replaced by one token of this text, spanning it so far.
    Open(&'static str),
    /// A later token of the same link: the link's token now ends where this one does.
    Extend,
}

/// Walks a text's links along its tokens (given in order) to merge each link's tokens into one.
pub(crate) struct LinkCursor<'a> {
    links: &'a [Link],
    /// The first link that does not end before the current token.
    next: usize,
    current: Option<Link>,
}

impl<'a> LinkCursor<'a> {
    pub(crate) fn new(links: &'a [Link]) -> Self {
        LinkCursor {
            links,
            next: 0,
            current: None,
        }
    }

    /// Where the next token, spanning `start..end`, goes.
    pub(crate) fn place(&mut self, start: usize, end: usize) -> Place {
        while self.links.get(self.next).is_some_and(|l| l.1 <= start) {
            self.next += 1;
        }
        match self.links.get(self.next) {
            Some(&link) if start >= link.0 && end <= link.1 => {
                if self.current == Some(link) {
                    Place::Extend
                } else {
                    self.current = Some(link);
                    Place::Open(link.2)
                }
            }
            _ => Place::Keep,
        }
    }
}

/// What a token does to the scopes ([`scoped_roles`]), from its text ([`role`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Role {
    Word,
    Negator,
    Contrast,
    Concession,
    /// `!` or `?`.
    Mark,
    /// "used", which "to" may follow to open a concession ("used to love it").
    Used,
    To,
}

/// The role of a token's text, tested in the order [`scoped_roles`] gives them precedence.
pub(crate) fn role(t: &[u8]) -> Role {
    let listed = match (t.first(), t.last()) {
        (Some(&first), Some(&last)) => {
            t.len() < 16
                && MAY_HAVE_ROLE[first as usize] & MAY_END_ROLE[last as usize] & (1 << t.len()) != 0
        }
        _ => false,
    };
    if !listed {
        // Only the "n't" words are not listed (no listed word ends so).
        return if t.ends_with(b"n't") {
            Role::Negator
        } else {
            Role::Word
        };
    }
    if is_contrast_bytes(t) {
        Role::Contrast
    } else if is_concession_bytes(t) {
        Role::Concession
    } else if t == b"to" {
        Role::To
    } else if is_negator_bytes(t) {
        Role::Negator
    } else if t == b"!" || t == b"?" {
        Role::Mark
    } else if t == b"used" {
        Role::Used
    } else {
        Role::Word
    }
}

/// Negators (besides any word ending in "n't").
const NEGATORS: [&[u8]; 28] = [
    b"not",
    b"no",
    b"never",
    b"cannot",
    b"hardly",
    b"barely",
    b"scarcely",
    b"nobody",
    b"nothing",
    b"none",
    b"neither",
    b"nor",
    b"nowhere",
    b"without",
    b"dont",
    b"didnt",
    b"doesnt",
    b"isnt",
    b"wasnt",
    b"cant",
    b"couldnt",
    b"wouldnt",
    b"shouldnt",
    b"arent",
    b"werent",
    b"havent",
    b"hasnt",
    b"aint",
];
const CONTRASTS: [&[u8]; 5] = [b"but", b"however", b"nevertheless", b"nonetheless", b"now"];
const CONCESSIONS: [&[u8]; 4] = [b"although", b"though", b"whereas", b"despite"];
/// The other words with a [`Role`].
const OTHERS: [&[u8]; 4] = [b"to", b"used", b"!", b"?"];

/// For each first byte, one bit per length (all under 16) of the words above that start with
/// it: one load tells most tokens they have no role, before any word is compared.
const MAY_HAVE_ROLE: [u16; 256] = role_lengths(false);
/// The same by last byte: with it, few words with a role's first byte and length ("would" for
/// "wasnt", "bad" for "but") are compared with the lists.
const MAY_END_ROLE: [u16; 256] = role_lengths(true);

/// For each first (or last) byte, one bit per length of the words with a role.
const fn role_lengths(by_last: bool) -> [u16; 256] {
    let lists: [&[&[u8]]; 4] = [&NEGATORS, &CONTRASTS, &CONCESSIONS, &OTHERS];
    let mut table = [0u16; 256];
    let mut l = 0;
    while l < lists.len() {
        let mut i = 0;
        while i < lists[l].len() {
            let word = lists[l][i];
            assert!(!word.is_empty() && word.len() < 16);
            let byte = if by_last {
                word[word.len() - 1]
            } else {
                word[0]
            };
            table[byte as usize] |= 1 << word.len();
            i += 1;
        }
        l += 1;
    }
    table
}

/// Is this token a negator?
pub fn is_negator(t: &str) -> bool {
    is_negator_bytes(t.as_bytes())
}

fn is_negator_bytes(t: &[u8]) -> bool {
    NEGATORS.contains(&t) || t.ends_with(b"n't")
}

fn is_contrast(t: &str) -> bool {
    is_contrast_bytes(t.as_bytes())
}

fn is_contrast_bytes(t: &[u8]) -> bool {
    CONTRASTS.contains(&t)
}

fn is_concession(t: &str) -> bool {
    is_concession_bytes(t.as_bytes())
}

fn is_concession_bytes(t: &[u8]) -> bool {
    CONCESSIONS.contains(&t)
}

/// The most tokens of an aside (see [`scoped_roles`]).
pub const MAX_ASIDE: usize = 3;

/// If a clause boundary comes before token `i` and another one within [`MAX_ASIDE`] tokens
/// (and no sentence boundary before it), the index of the token after that second boundary.
fn aside(breaks: &[u8], i: usize) -> Option<usize> {
    let j = (i + 1..breaks.len().min(i + MAX_ASIDE + 1)).find(|&j| breaks[j] >= 1)?;
    (breaks[j] == 1).then_some(j)
}

/// [`scoped_roles`] of tokens, as a list.
#[cfg(test)]
pub fn scoped(tokens: &[Token], breaks: &[u8], skip: Option<usize>) -> Vec<(bool, Option<Scope>)> {
    let roles: Vec<Role> = tokens.iter().map(|t| role(t.text.as_bytes())).collect();
    let mut out = Vec::with_capacity(tokens.len());
    scoped_roles(&roles, breaks, skip, |negated, clause| {
        out.push((negated, clause))
    });
    out
}

/// For each token (given its role), whether it was read in a negation scope (after a negator
/// such as not, never, no, n't, hardly, nobody, nothing, without, up to the end of the clause or
/// a contrast word; a second negator closes it: double negation), and its clause scope: `out`
/// gets each token's, in order. `skip` leaves one token out as if it had not been typed (the
/// punctuation around it stays): explanations weigh tokens so.
pub(crate) fn scoped_roles(
    roles: &[Role],
    breaks: &[u8],
    skip: Option<usize>,
    mut out: impl FnMut(bool, Option<Scope>),
) {
    let (mut negated, mut clause): (bool, Option<Scope>) = (false, None);
    let mut pending = 0u8;
    // The token after the clause boundary that closes an aside inside a negation scope.
    let mut aside_end: Option<usize> = None;
    for (i, &role) in roles.iter().enumerate() {
        pending = pending.max(breaks.get(i).copied().unwrap_or(0));
        if Some(i) == skip {
            out(false, None);
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
        let after_used = i
            .checked_sub(1)
            .filter(|&j| Some(j) != skip)
            .is_some_and(|j| roles[j] == Role::Used);
        match role {
            Role::Contrast => {
                negated = false;
                clause = Some(Scope::Contrast);
                out(false, None);
            }
            Role::Concession => {
                negated = false;
                clause = Some(Scope::Concession);
                out(false, None);
            }
            Role::To if after_used && boundary == 0 => {
                negated = false;
                clause = Some(Scope::Concession);
                out(false, None);
            }
            Role::Negator => {
                out(false, None);
                negated = !negated;
            }
            Role::Mark => out(false, None),
            Role::Word | Role::Used | Role::To => out(negated, clause),
        }
    }
}

/// For each token, whether it is read before a contrast: in its sentence, before but / however /
/// now (and the like), which the contrast then outweighs ("Dull start, but a great ending").
/// Every token there counts, a negator or an earlier "but" too: the whole clause weighs less.
/// Within the sentence only: reaching into the sentence before a "However, ..." measured no
/// better on validation, and explanations weigh a sentence at a time. `skip` leaves one token
/// out as [`scoped_roles`] does. Weighted scopes only ([`crate::vocab::Vocabulary::scope_band`]).
pub(crate) fn before_contrast(roles: &[Role], breaks: &[u8], skip: Option<usize>) -> Vec<bool> {
    let mut before = vec![false; roles.len()];
    let mut start = 0;
    for (i, &role) in roles.iter().enumerate() {
        if breaks.get(i).is_some_and(|&b| b >= 2) {
            start = i;
        }
        if role == Role::Contrast && Some(i) != skip {
            before[start..i].iter_mut().for_each(|b| *b = true);
        }
    }
    if let Some(s) = skip.filter(|&s| s < before.len()) {
        before[s] = false;
    }
    before
}

#[cfg(test)]
mod tests {
    use super::*;

    /// [`gap_break`] as its documentation states it, byte comparisons and no table.
    fn gap_break_by_comparisons(gap: &[u8]) -> u8 {
        let mut b = 0;
        for (i, &byte) in gap.iter().enumerate() {
            match byte {
                b'.' | b'!' | b'?' | b'\n' | b'<' => return 2,
                b',' | b';' | b':' | b'(' | b')' | b'[' | b']' | b'"' => b = 1,
                0xe2 if gap.get(i + 1) == Some(&0x80) => match gap.get(i + 2) {
                    Some(0xa6) => return 2,
                    Some(0x93 | 0x94) => b = 1,
                    _ => {}
                },
                _ => {}
            }
        }
        b
    }

    #[test]
    fn gap_break_table_says_what_the_comparisons_say() {
        for a in 0..=255u8 {
            assert_eq!(gap_break(&[a]), gap_break_by_comparisons(&[a]), "{a:#x}");
            for b in 0..=255u8 {
                assert_eq!(gap_break(&[a, b]), gap_break_by_comparisons(&[a, b]));
            }
        }
        let bytes = b" ,.!?<\n;:()[]\"'-\xe2\x80\x93\x94\xa6\x99a";
        for &a in bytes {
            for &b in bytes {
                for &c in bytes {
                    for &d in bytes {
                        let gap = [a, b, c, d];
                        assert_eq!(gap_break(&gap), gap_break_by_comparisons(&gap), "{gap:x?}");
                    }
                }
            }
        }
        assert_eq!(gap_break("\u{2026}".as_bytes()), 2);
        assert_eq!(gap_break(" \u{2014} ".as_bytes()), 1);
        assert_eq!(gap_break(" \u{2019} ".as_bytes()), 0);
    }

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
    fn what_comes_before_a_contrast_in_its_sentence() {
        let before = |text: &str, skip: Option<usize>| -> Vec<String> {
            let (tokens, breaks) = tokenize2(text);
            let roles: Vec<Role> = tokens.iter().map(|t| role(t.text.as_bytes())).collect();
            let flags = before_contrast(&roles, &breaks, skip);
            tokens
                .into_iter()
                .zip(flags)
                .filter(|(_, b)| *b)
                .map(|(t, _)| t.text)
                .collect()
        };
        assert_eq!(
            before("Fine. Dull start, but great ending", None),
            ["dull", "start"]
        );
        assert_eq!(before("Dull. However, great", None), Vec::<String>::new());
        assert_eq!(before("a but b but c", None), ["a", "but", "b"]);
        // Without "but" (as explanations weigh it), nothing is before a contrast.
        assert_eq!(before("dull but great", Some(1)), Vec::<String>::new());
        assert_eq!(before("dull but great", Some(0)), Vec::<String>::new());
        assert_eq!(before("very dull but great", Some(0)), ["dull"]);
        assert_eq!(before("", None), Vec::<String>::new());
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
    fn the_role_filter_lets_every_scope_word_by() {
        // The role of each word without the first-byte and length filter.
        let unfiltered = |t: &[u8]| {
            if is_contrast_bytes(t) {
                Role::Contrast
            } else if is_concession_bytes(t) {
                Role::Concession
            } else if t == b"to" {
                Role::To
            } else if is_negator_bytes(t) {
                Role::Negator
            } else if t == b"!" || t == b"?" {
                Role::Mark
            } else if t == b"used" {
                Role::Used
            } else {
                Role::Word
            }
        };
        let listed = NEGATORS
            .iter()
            .chain(&CONTRASTS)
            .chain(&CONCESSIONS)
            .chain(&OTHERS);
        let mut words: Vec<Vec<u8>> = Vec::new();
        for w in listed {
            words.push(w.to_vec());
            words.push([*w, b"s"].concat());
            words.push(w[1..].to_vec());
        }
        for w in [
            "", "n't", "don't", "won't", "the", "tox", "notable", "a", "!!", "used'n't",
        ] {
            words.push(w.as_bytes().to_vec());
        }
        words.push("nevertheless".repeat(2).into_bytes());
        for w in &words {
            assert_eq!(role(w), unfiltered(w), "{:?}", String::from_utf8_lossy(w));
        }
        assert_eq!(role(b"not"), Role::Negator);
        assert_eq!(role(b"however"), Role::Contrast);
    }

    #[test]
    fn the_link_prefilter_misses_no_link() {
        // Each trigger at every offset of an 8-byte block, and none.
        for pad in 0..20 {
            let pad = "x".repeat(pad);
            for (text, link) in [
                (format!("{pad}a www.b.c d"), true),
                (format!("{pad}a WwW.b.c d"), true),
                (format!("{pad}a HTTPS://b d"), true),
                (format!("{pad}a @b d"), true),
                (format!("{pad}a @b"), true),
                (format!("{pad} www.b"), true),
                (format!("{pad}a ww.b http:/ d"), false),
            ] {
                assert_eq!(may_hold_link(text.as_bytes()), link, "{text:?}");
                assert_eq!(!links(&text).is_empty(), link, "{text:?}");
            }
        }
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
