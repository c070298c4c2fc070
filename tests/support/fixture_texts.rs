//! The texts the fixture-model tests score: the handwritten reviews, then the negation suite
//! (tests/fixtures/reviews.tsv and negation.tsv), in file order, as the recorded score files
//! list them.

pub fn fixture_texts() -> Vec<String> {
    ["reviews.tsv", "negation.tsv"]
        .iter()
        .flat_map(|f| {
            std::fs::read_to_string(format!("tests/fixtures/{f}"))
                .unwrap()
                .lines()
                .map(String::from)
                .collect::<Vec<_>>()
        })
        .filter_map(|l| l.split_once('\t').map(|(_, t)| t.to_string()))
        .collect()
}
