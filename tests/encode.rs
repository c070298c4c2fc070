//! The fast tokenizer and encoder give exactly the ids of "polarity-1" as first written
//! (tests/reference/polarity1.rs): shipped models depend on every id staying put.

#[path = "reference/polarity1.rs"]
mod polarity1;

use polarity::text::tokenize;
use polarity::vocab::Scheme;
use polarity::vocab::Vocabulary;
use polarity::{onnx, BUNDLED_MODEL};

/// Texts chosen to hit every branch of the tokenizer, and lowercasing that changes byte length.
fn hostile_texts() -> Vec<String> {
    let mut texts: Vec<String> = [
        "",
        " ",
        " \t\n\r ",
        "\0\0abc\0",
        "😀😡👍🏽 🇫🇷 good😀bad",
        "这部电影很好看 映画は最高 영화 좋아요",
        "הסרט היה נהדר فيلم رائع ١٢٣",
        "ÉCOLE École école ÀÉÎÕÜ ǅ ǈ",
        "İstanbul İİİ KELVİN Kİ ẞ ß ΣΑΣ Σ ς ﬁ ŉ",
        "ǅİẞ",
        "'''",
        "a'",
        "'a",
        "a'b' 'c'd' e''f g'’h don’t it's film's teachers' pomp",
        "x'İ y'😀 z'<br>w z' a",
        "!!! ??? !?!? a!b?c !! ! ! ?? ?",
        "!<br>! ?<i>? wow!!!<br />!!",
        "Wow!!! Really?",
        "bad.<br /><br />Really<i>bad</i>",
        "a<a href=\"x\">b 3 < 5 and good <br never closed good <",
        "<",
        ">>><<</",
        "<b<i>x</i> </ > <1> <é> <B>BOLD</B>",
        "MiXeD CaSe WORDS 123 4th 3.14 1,000,000 0xFF",
        "good\u{2019}s \u{2019}quote\u{2019} it\u{2019}\u{2019}s",
        "tab\tsep,comma;semi:colon-dash_under/slash\\back",
        "NBSP\u{a0}here\u{2003}em\u{200b}zero\u{feff}bom",
        "combining e\u{301}t\u{301}e\u{301} ÅNGSTRÖM",
        "Ⅻ ⅻ ① ²³ ½ ٣ ۴ ߁",
        "fullwidth ＡＢＣ ａｂｃ １２３",
        "cyrillic ПРИВЕТ Привет мир greek ΑΒΓ αβγ",
    ]
    .map(String::from)
    .to_vec();
    texts.push("a".repeat(5000));
    texts.push("Supercalifragilistic".repeat(200));
    texts.push("<".repeat(1000));
    texts.push("<b".repeat(1000));
    texts.push(format!("<{}>", "a".repeat(300)));
    texts.push(format!("<{}> after", "a".repeat(254)));
    texts.push(format!("<{}> after", "a".repeat(255)));
    texts.push("a great film! ".repeat(2000));
    texts.push("İ".repeat(300));
    texts
}

/// Random texts glued from pieces that stress the tokenizer's edges (tiny LCG: reproducible).
fn random_texts(count: usize) -> Vec<String> {
    const PIECES: &[&str] = &[
        "good", "FILM", "Bad", "the", "don't", "it’s", "'", "’", "!", "?", " ", "  ", "\n", ",",
        ".", "<br />", "<", ">", "</i>", "<b", "é", "É", "İ", "ß", "ẞ", "Σ", "😀", "日本", "ﬁ",
        "0", "42", "a", "Z", "\t", "-", "\u{a0}", "\u{301}",
    ];
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 33) as usize
    };
    (0..count)
        .map(|_| {
            let len = next() % 40;
            (0..len).map(|_| PIECES[next() % PIECES.len()]).collect()
        })
        .collect()
}

fn fixture_texts() -> Vec<String> {
    include_str!("fixtures/reviews.tsv")
        .lines()
        .filter_map(|l| l.split_once('\t').map(|(_, text)| text.to_string()))
        .collect()
}

fn all_texts() -> Vec<String> {
    let mut texts = hostile_texts();
    texts.extend(fixture_texts());
    texts.extend(random_texts(5000));
    texts
}

/// Vocabularies that exercise each id path: the last polarity-1 model shipped
/// (tests/fixtures/polarity-1.onnx, pruned bigrams), the bundled model's words and buckets read
/// as polarity-1, every bigram kept,
/// no bigrams, bucket counts that are not powers of two, no words, words with non-ASCII text.
fn vocabularies() -> Vec<Vocabulary> {
    let (model, _) = onnx::import(include_bytes!("fixtures/polarity-1.onnx")).expect("it loads");
    let shipped = model.vocab().clone();
    assert_eq!(shipped.scheme(), Scheme::V1);
    let (bundled, _) = onnx::import(BUNDLED_MODEL).expect("the bundled model loads");
    let bundled = bundled.vocab().clone().with_scheme(Scheme::V1);
    let words: Vec<String> = [
        "good", "bad", "film", "don't", "it's", "!", "?", "é", "école", "i̇", "日本", "ß", "σ", "a",
    ]
    .map(String::from)
    .to_vec();
    let small = |oov, bigrams| Vocabulary::new(words.clone(), oov, bigrams).expect("valid");
    let pruned_odd = small(7, 1000)
        .with_kept_bigrams((0..1000).filter(|b| b % 3 == 0).collect())
        .expect("valid");
    let huge_space = small(512, 1 << 30)
        .with_kept_bigrams(vec![5, 1 << 20, (1 << 30) - 1])
        .expect("valid");
    vec![
        shipped,
        bundled,
        small(4, 16),
        small(3, 0),
        small(5, 1 << 20),
        pruned_odd,
        huge_space,
        Vocabulary::new(Vec::new(), 1, 3).expect("valid"),
    ]
}

#[test]
fn tokenize_matches_the_reference() {
    for text in all_texts() {
        let new: Vec<_> = tokenize(&text)
            .into_iter()
            .map(|t| (t.text, t.start, t.end))
            .collect();
        let old: Vec<_> = polarity1::tokenize(&text)
            .into_iter()
            .map(|t| (t.text, t.start, t.end))
            .collect();
        assert_eq!(new, old, "tokens differ for {text:?}");
    }
}

#[test]
fn encode_matches_the_reference_and_encode_tokens() {
    let texts = all_texts();
    for vocab in vocabularies() {
        let old = polarity1::Encoder::new(&vocab);
        for text in &texts {
            let ids = vocab.encode(text);
            assert_eq!(ids, old.encode(text), "ids differ for {text:?}");
            assert_eq!(ids, vocab.encode_tokens(&tokenize(text)), "{text:?}");
        }
    }
}

#[test]
fn unigram_and_bigram_ids_match_the_reference() {
    for vocab in vocabularies() {
        let old = polarity1::Encoder::new(&vocab);
        let mut tokens: Vec<String> = vocab.words().iter().take(3000).cloned().collect();
        tokens.extend(["", "zzzz", "Good", "i̇", "!", "don't"].map(String::from));
        for pair in tokens.windows(2) {
            assert_eq!(vocab.unigram_id(&pair[0]), old.unigram_id(&pair[0]));
            assert_eq!(
                vocab.bigram_id(&pair[0], &pair[1]),
                old.bigram_id(&pair[0], &pair[1])
            );
        }
    }
}
