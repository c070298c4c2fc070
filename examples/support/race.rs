//! Shared by the timing examples: two closures run in alternation (so both see the same machine
//! load) and their medians compared, and the 230-word review they time.

use std::time::{Duration, Instant};

/// Median times of `a` and `b`, run alternately `runs` times each.
pub fn race<A, B>(
    runs: usize,
    mut a: impl FnMut() -> A,
    mut b: impl FnMut() -> B,
) -> [Duration; 2] {
    let mut times = [Vec::new(), Vec::new()];
    for _ in 0..runs {
        let start = Instant::now();
        std::hint::black_box(a());
        times[0].push(start.elapsed());
        let start = Instant::now();
        std::hint::black_box(b());
        times[1].push(start.elapsed());
    }
    times.map(|mut t| {
        t.sort();
        t[t.len() / 2]
    })
}

/// How many times faster `after` is than `before`.
pub fn ratio(before: Duration, after: Duration) -> f64 {
    before.as_secs_f64() / after.as_secs_f64()
}

/// A 230-word review (IMDB's mean length), made of the handwritten fixture's words.
pub fn review_of_230_words() -> std::io::Result<String> {
    let fixture = std::fs::read_to_string("tests/fixtures/reviews.tsv")?;
    let words: Vec<&str> = fixture
        .lines()
        .filter_map(|l| l.split_once('\t').map(|(_, text)| text))
        .flat_map(str::split_whitespace)
        .take(230)
        .collect();
    Ok(words.join(" "))
}
