//! The distillation teacher alone ([`polarity::teacher`]): trained on the recipe's training
//! split of IMDB train, measured on its validation split. Options from the environment: `N`
//! (longest n-gram, 3), `EPOCHS` (4), `LR` (0.2), `C` (0.1).
//!
//! `cargo run --release --features cli --example teacher [DATA]` (default `$POLARITY_DATA` or
//! `../shared/data`).

use std::path::PathBuf;

use polarity::recipe::{split, Recipe};
use polarity::teacher::{Teacher, TeacherOptions};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

fn main() -> Result<(), BoxError> {
    let data = std::env::args()
        .nth(1)
        .or_else(|| std::env::var("POLARITY_DATA").ok())
        .map_or_else(|| PathBuf::from("../shared/data"), PathBuf::from);
    let reviews = polarity::data::read_reviews(&data.join("imdb/train.tsv.gz"))?;
    let (train, validation) = split(reviews, &Recipe::default());
    let defaults = TeacherOptions::default();
    let option = |name: &str, default: f32| -> Result<f32, BoxError> {
        match std::env::var(name) {
            Ok(v) => Ok(v
                .parse()
                .map_err(|_| format!("{name}={v:?} is not a number"))?),
            Err(_) => Ok(default),
        }
    };
    let options = TeacherOptions {
        max_n: option("N", defaults.max_n as f32)? as usize,
        epochs: option("EPOCHS", defaults.epochs as f32)? as usize,
        learning_rate: option("LR", defaults.learning_rate)?,
        c: option("C", defaults.c)?,
        ..defaults
    };
    let started = std::time::Instant::now();
    let teacher = Teacher::train(&train, &options);
    let right = validation
        .iter()
        .filter(|r| (teacher.logit(&r.text) > 0.0) == r.positive)
        .count();
    println!(
        "{options:?}\nvalidation accuracy {:.2}% ({right} of {}), trained in {:.1} s",
        100.0 * right as f64 / validation.len() as f64,
        validation.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
