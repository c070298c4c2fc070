//! The model card (model/README.md), written by `polarity train --card` from what it measured.

use crate::model::{Model, HIDDEN};
use crate::recipe::Recipe;
use crate::train::{Options, Report};

/// Everything the card states, as measured by the training run.
pub struct Facts<'a> {
    pub recipe: &'a Recipe,
    pub options: &'a Options,
    pub embedding: &'a str,
    pub model: &'a Model,
    pub report: &'a Report,
    pub onnx_bytes: usize,
    pub gzip_bytes: usize,
    /// (reviews, float accuracy, accuracy as shipped)
    pub validation: (usize, f32, f32),
    /// (reviews, float accuracy, accuracy as shipped, run by tract)
    pub test: (usize, f32, f32),
    pub confusion: [[usize; 2]; 2],
    pub train_seconds: f64,
    /// The command line that made it, each argument as given.
    pub command: Vec<String>,
    /// The model file as `--out` named it.
    pub out: String,
}

/// Renders the card as Markdown.
pub fn render(f: &Facts) -> String {
    let r = f.recipe;
    let o = f.options;
    let m = f.model;
    let pct = |x: f32| format!("{:.2}%", x * 100.0);
    let command = reproduce(&f.command);
    let name = std::path::Path::new(&f.out)
        .file_name()
        .map_or(f.out.clone(), |n| n.to_string_lossy().into_owned());
    format!(
        r#"# Model card: {name}

Binary sentiment classifier for English movie reviews: P(positive) for a text.

| | |
| --- | --- |
| **IMDB test accuracy ({format}, run by tract)** | **{test_shipped}** ({test_n} reviews) |
| IMDB test accuracy (float weights) | {test_float} |
| quantization cost on test | {qcost:+.2} points |
| validation accuracy (float / {format}) | {val_float} / {val_shipped} ({val_n} reviews carved from IMDB train) |
| file | `{out}`, {bytes} bytes, {gz} bytes gzipped (level 9, flate2; `gzip -9` makes it a little smaller) |
| vocabulary | {words} words + {oov} out-of-vocabulary buckets + {kept} bigram rows (of {bigrams} hash buckets) + 1 padding row = {rows} rows |
| embedding | {rows} x {dim}, {format_long} |
| head | Dense({hidden}, relu) -> Dense(1, sigmoid), float; trained on {trained_on} reviews, which the file says (`polarity.trained_on`): fine-tuning it on a few dozen texts moves it less than a fresh head |
| training time | {secs:.0} s on this 2-core machine (one thread), epochs run {epochs}, kept epoch {best} |

Confusion on IMDB test (rows: actual, columns: predicted):

| | positive | negative |
| --- | --- | --- |
| positive | {tp} | {fn_} |
| negative | {fp} | {tn} |

## Reproduce

```sh
{command}
```

`--card` writes this file and is the only step that reads IMDB test (to report it); everything
that was tuned was tuned on the validation split of IMDB train. To re-measure the shipped file:
`cargo run --release --bin polarity -- eval --data ../shared/data/imdb/test.tsv.gz`.

## How it was made

- **Data**: IMDB Large Movie Review Dataset v1.0 train split ({reviews} reviews); {val_frac:.0}% held out
  for validation and early stopping as whole blocks of 100 neighbouring file ids (a movie's
  reviews are neighbours), so validation movies are unseen in training as in IMDB test. A random
  split overstated accuracy: a model chosen on one scored 91.4% on validation and 89.30% on test.
  Training reviews shuffled with seed {seed}. Andrew L. Maas, Raymond E. Daly, Peter
  T. Pham, Dan Huang, Andrew Y. Ng and Christopher Potts, "Learning Word Vectors for Sentiment
  Analysis", ACL 2011.
- **Pre-trained embedding**: `{embedding}` ({source}). The first {dim} columns (leading PCA components) of the words seen at
  least {min_count} times in the training split{sif}, scaled to mean row norm {norm}.
  Words of the training split missing from it and seen at least {ext} times get small random rows.
- **Tokenizer** (`{tokenizer}`): lowercase, tags such as `<br />` as spaces, inner apostrophes kept
  (`don't`), `!` and `?` as tokens; ids are the unigrams then FNV-1a-hashed bigrams of adjacent
  tokens. Combiner: sum of rows / sqrt(number of ids).{v2}
- **Sentence crops**: {crops}
- **Bigram pruning**: trained first with all {bigrams} bigram buckets, then only the {kept} rows with
  the largest norms were kept (a bigram in a dropped bucket gets no id) and training went on from
  there: a large hash space with few collisions, at the bytes of a small one.
- **Training**: binary cross-entropy, Adam (lazy for embedding rows), learning rate {lr}, batch
  {batch}, token dropout {dropout}, weight decay {wd} (head) and {ewd} (embedding), at most {max_epochs} epochs, early stopping
  with patience {patience} on validation loss, seed {seed}.
- **Quantization**: the whole table after training, {format_long} (`src/quantize.rs`).

## Choices, measured on the validation split (never on test)

Measured with polarity-1, before issue 12. Each row is `polarity train` with the defaults of the
time except what it names (validation accuracy, int8; about +-0.4 points between otherwise equal
runs):

| variant | validation | bytes after `gzip -9` |
| --- | --- | --- |
| this model (minilm-words-64d, first 12 columns) | 89.46% | 882,680 |
| `--embedding glove-twitter-25d-12k` | 88.46% | 713,447 |
| `--random-init` (same words, random rows: no pre-training) | 88.46% | 885,687 |
| `--keep-bigrams 28000` (batch 32, learning rate 0.001) | 88.21% | 769,015 |
| `--batch-size 32 --learning-rate 0.001` | 88.50% | 873,384 |
| `--batch-size 512 --learning-rate 0.004` | 89.04% | 889,931 |

Seed spread: the same recipe with `--seed 1`, `2`, `3` gives 88.38 / 88.75 / 88.04% on
validation and 89.48 / 89.20 / 89.14% on IMDB test (measured after the shipped seed-42 model was
fixed, to report the spread; nothing was chosen by it). Hashing trigrams into the same pruned
space as bigrams gave +0.1 point on validation over those three seeds: not kept.

Before pruning existed, on the random split: bigram buckets kept whole at 2^15 / 2^18 / 2^20
gave 89.6% / 90.3% / 90.9% at 0.84 / 3.7 / 9.3 MB gzipped; no bigrams 88.9% at 0.76 MB. Pruning
2^20 buckets to 36,000 rows gave 91.4% there at 0.86 MB, which is why it is in the recipe.

## Polarity-2 (issue 12): each direction, measured on validation

`polarity report --model FILE` measures a file on the validation split, the two short-sentence
dev sets (1,000 each, never trained on), the negation + contrast suite
(`tests/fixtures/negation.tsv`, 410 texts from `tests/make_negation_suite.py`) and the share of
sentence-set predictions that one typo or an appended URL flips. Seed 42 unless stated; each row
adds to the one above unless it says otherwise; the seed spread is about +-0.5 points on
validation and +-1 on each sentence set.

| variant | validation | IMDB sentences | Yelp sentences | suite | typo flips | URL flips |
| --- | --- | --- | --- | --- | --- | --- |
| polarity-1, the previous recipe (3 seeds: 42, 1, 2) | 88.86% | 85.2% | 80.2% | 42.3% | 10.3% | 13.2% |
| polarity-2 tokens (URLs and @mentions one silent token) | 89.00% | 84.8% | 79.7% | 43.2% | 10.6% | 0.0% |
| + 2 sentence crops (1-2 sentences) per review | 89.25% | 85.3% | 78.7% | 41.7% | 12.2% | 0.0% |
| + hashed negation-scope rows | 88.83% | 85.2% | 80.1% | 45.1% | 10.9% | 0.0% |
| + contrast rows too (not kept at this point) | 88.92% | 85.3% | 80.4% | 45.1% | 11.0% | 0.0% |
| negation rows without crops | 89.00% | 85.2% | 79.0% | 43.7% | 10.9% | 0.0% |
| crops + negation rows + spelling | 89.21% | 85.5% | 82.4% | 44.2% | 2.4% | 0.0% |
| + negated rows seeded (3,000 words, x-2) | 88.83% | 84.7% | 80.5% | 58.5% | 3.3% | 0.0% |
| same, 4 crops of 1 sentence | 87.79% | 85.1% | 79.7% | 62.0% | 2.6% | 0.0% |
| same, no crops | 88.62% | 84.5% | 79.2% | 59.3% | 3.1% | 0.0% |
| same, 1 crop | 89.04% | 86.4% | 79.0% | 56.6% | 3.6% | 0.0% |
| 2 crops, + contrast rows seeded (x1, although x-0.7) | 88.75% | 85.7% | 80.7% | 63.7% | 3.0% | 0.0% |
| negation x-3 | 88.38% | 85.6% | 79.9% | 69.5% | 2.8% | 0.0% |
| asides between commas keep the negation | 89.00% | 85.1% | 80.3% | 69.8% | 3.2% | 0.0% |
| contrast x2 | 89.00% | 85.0% | 79.9% | 70.7% | 3.1% | 0.0% |
| seeded words 1,500 (3 seeds) | 88.69% | 86.1% | 81.0% | 68.4% | 3.0% | 0.0% |
| same, `--dim 10 --keep-bigrams 30000` (3 seeds; 0.71 MB) | 88.36% | 86.0% | 78.5% | 67.4% | 3.0% | 0.0% |
| same, `--keep-bigrams 22000` (3 seeds; 0.71 MB) | 88.70% | 85.3% | 80.7% | 68.3% | 2.6% | 0.0% |
| scope ids in their own eighth of the buckets (3 seeds): the recipe before weighted scopes | 88.19% | 85.9% | 81.2% | 68.2% | 2.7% | 0.0% |
| same, `--keep-bigrams 36000` (3 seeds; 0.88 MB) | 88.43% | 85.6% | 80.8% | 67.6% | 2.9% | 0.0% |
| same, learning rate 0.001 (seed 42, shared buckets) | 88.29% | 83.8% | 80.4% | 71.5% | 3.3% | 0.0% |
| same, token dropout 0.35 (seed 42, shared buckets) | 88.83% | 85.6% | 80.2% | 68.1% | 2.9% | 0.0% |

Seeded scope rows are large, and while they shared buckets with bigrams some bigrams inherited
them ("everything was" scored 0.03 in one model), hence their own eighth of the buckets; on
validation the two are within the seed spread. `@name` appended flipped 4.6% with polarity-1
and 0% since; a neutral emoji appended flips nothing either way (emoji are not tokens).

## Weighted scopes: measured on validation and on the suite's dev twin

Seeded hashed rows read the suite's words well and others less so: the model before this one
got 68.5% of the suite but 56.8% of its dev twin (`tests/fixtures/negation-dev.tsv`, the same
templates with other sentiment words, nouns and subjects; `make_negation_suite.py --dev`). Read
as the word's own row times a fixed weight, a scope turns every word round, seen negated in
training or not. Means of seeds 42, 1 and 2, each file measured by `polarity report` (int4, run
by tract). The weights were chosen by the mean of the four dev columns (validation, both sentence
sets, dev twin); the suite only reports. The top three are within the seed spread of each other
(81.74 for -1.5 before a contrast, 81.73 reaching into the sentence before, 81.67 for -1), and
of them -1 is the one that leaves the clause before a contrast out (its words weigh 1 - 1 = 0)
rather than turning it round: at -1.5, "dull" in "The plot was dull, but the acting was
wonderful" pulled towards positive, which `tests/shipped_model.rs` caught. IMDB test, measured
after the choice to report the spread: 88.95% with seed 42 (shipped then), 89.08% and 89.02% with
seeds 1 and 2. Weighing the negators' own rows down scored higher on the dev columns (82.28 at -0.5,
against 81.67), all of it from the dev twin the weights are tuned on; the suite did not move and
validation fell 0.3 point, so it is not kept.

| variant | validation | IMDB sentences | Yelp sentences | dev twin | suite | typo flips |
| --- | --- | --- | --- | --- | --- | --- |
| hashed rows, seeded (the recipe before) | 88.53% | 86.1% | 81.2% | 58.9% | 68.1% | 2.9% (seed 42) |
| weighted: negation -1.5, contrast +1, concession -0.5 | 88.14% | 85.3% | 81.5% | 61.1% | 65.4% | 3.1% |
| negation -2 | 88.22% | 85.8% | 82.2% | 65.4% | 71.3% | 3.0% |
| negation -2.5 | 87.93% | 86.1% | 82.0% | 67.9% | 73.8% | 3.4% |
| negation -3 | 87.64% | 85.2% | 81.4% | 69.6% | 75.6% | 3.4% |
| negation -2.5, contrast +0.5 | 87.86% | 85.1% | 81.7% | 67.4% | 72.0% | 3.2% |
| negation -2.5, contrast +2 | 87.47% | 85.6% | 81.9% | 69.3% | 74.8% | 2.9% |
| negation -2.5, concession 0 | 87.89% | 85.4% | 81.9% | 67.2% | 72.8% | 3.2% |
| negation -2.5, contrast +1, concession -1 | 87.93% | 85.5% | 81.7% | 69.2% | 75.9% | 3.2% |
| + before a contrast (in its sentence) -0.5 | 88.19% | 85.4% | 81.8% | 70.7% | 75.7% | 3.1% |
| before a contrast -1 (the recipe before lone negators) | 88.40% | 85.7% | 81.1% | 71.5% | 77.4% | 3.2% |
| before a contrast -1.5 | 88.35% | 85.2% | 80.7% | 72.8% | 77.3% | 3.1% |
| before a contrast -2 | 87.73% | 85.4% | 80.7% | 72.8% | 75.9% | 3.4% |
| before a contrast -1, and in the sentence before a sentence-initial however / but | 88.22% | 85.4% | 81.6% | 71.7% | 77.8% | 3.3% |
| same, -1.5 | 88.01% | 85.1% | 80.9% | 72.4% | 78.9% | 3.4% |
| the recipe before lone negators, + negators' own rows times -0.5 (not kept) | 88.08% | 85.8% | 81.5% | 73.7% | 77.2% | 3.2% |
| same, times -1 (not kept) | 87.79% | 85.1% | 80.8% | 75.1% | 77.7% | 3.1% |
| **before a contrast -1, and no bigram of a negator and the token after it (lone negators): this recipe** | 88.10% | 85.6% | 82.2% | 72.0% | 78.7% | 3.2% |
| lone negators, negation -2 (not kept: dev mean 81.73) | 88.29% | 86.0% | 81.7% | 71.0% | 76.8% | 3.0% |
| lone negators, negation -3 (not kept: 81.55) | 87.43% | 84.8% | 82.4% | 71.5% | 78.5% | 3.2% |
| this recipe at learning rate 0.001 (not kept: 82.03, within the seeds' spread of 81.95, validation -0.3) | 87.81% | 85.2% | 82.0% | 73.1% | 80.6% | 3.1% |
| this recipe at learning rate 0.003 (not kept: 81.23) | 87.43% | 84.7% | 80.6% | 72.2% | 77.8% | 3.5% |
| this recipe keeping 10,000 bigram rows, file 300 KB gzipped (not kept: 81.85) | 88.00% | 85.1% | 82.2% | 72.1% | 79.7% | 3.4% |
| keeping 15,000 (not kept: 81.65) | 87.85% | 84.9% | 81.2% | 72.6% | 79.7% | 3.2% |
| keeping 40,000, 445 KB (not kept: 81.84) | 87.75% | 85.2% | 81.7% | 72.7% | 79.6% | 3.2% |
| keeping 60,000, 540 KB (not kept: 81.08) | 87.78% | 85.3% | 80.0% | 71.2% | 80.2% | 3.3% |

Lone negators: the bigram "not bad" had learned from IMDB, where it is mostly faint praise or
part of "not bad, but ...", a row that outweighed the negation scope, so "Not bad." read as
negative (0.47). Without a bigram for a negator and the token after it, that token is read by
its own row and its negated one alone: "Not bad." is positive again (0.73). Over the three seeds
the mean of the dev columns goes from 81.68 to 81.95 (validation -0.3 point, Yelp sentences +1.1,
dev twin +0.5), and the suite from 77.4% to 78.7%; IMDB test with seed 42 (shipped) 88.81%,
against 88.95% for the recipe before. Three more seeds (3, 4, 5), run after the choice, make the
dev mean a tie: over six seeds 81.46 with lone negators and 81.45 without (validation 88.05 and
88.16%, IMDB sentences 85.2 and 85.5%, Yelp 81.2 and 80.4%, dev twin 71.5 and 71.7%). It is kept
for "Not bad.", one of the issue's own examples, and the suite, which over six seeds it lifts
from 75.9% to 78.2% (seeds 3-5: 74.4% -> 77.7%): a choice made with the suite in view.
Crops of 1 to 3 sentences (`--set crop_sentences=3`) gave 82.59 on seeds 42, 1, 2 and 80.87 on
3, 4, 5 (81.73 over six, validation -0.3 point), not kept. Fine-tuning from it brought the first case of a fine-tuned
model whose rounded (int4) table undid what training learned (2 of the 200 flipped reviews of
`tests/imdb_flip.sh`); fine-tuning now trains the head on the rounded table when rounding costs
training texts (`fit_head_to_rounding` in `src/classifier.rs`).

Also tried, seed 42, in scratch code: the weights learned by gradient from -2, +1, -0.5 end at
-0.71, +0.51, -0.03 (IMDB reviews seldom negate a word they mean), and the suite falls to 49.5%
(dev twin 47.1%, validation 88.62%); weighted scopes beside the seeded hashed rows cost
validation 1.5 to 2 points (86.38%, and 86.96% with seed 1). The cost on validation (0.6 point
over three seeds) was not traced further; likely a part of it is negation in long reviews that a
clause-long scope misreads ("not only ... but", "no doubt it is great").
Bigrams read in the scope too (in scratch code, 2026-12-05: a bigram whose two tokens are both
negated also gets its row times the negation weight, so "didn't like it" turns "like it" round):
validation 85.96% and 86.29% with seeds 42 and 1, against 88.71% and 87.46% for this recipe; the
suite 77.8% and 80.2% (79.5%, 80.5%), the dev twin 73.2% and 68.8% (76.3%, 71.2%), `polarity
report`: not kept.

## Training data IMDB cannot give, and a teacher: measured on validation, not kept

IMDB labels whole reviews, so it cannot teach that "not boring" is praise. `--set negated=1`
adds, per review, one short sentence whose strongest sentiment word agrees with the review, once
as it is and once with not / never / hardly put before that word (label flipped);
`--set contrasts=1` adds "A, but B" (or "A. However, B", "Although A, B") with A from a review of
the other label, labelled as B. Sentiment words come from log-count ratios of the training split
(names, mostly capitalized, left out), not from a list. Seed 42; the shipped recipe at seed 42
gives 89.12% / 85.1% / 79.9% / 68.5%, and over seeds 42, 1, 2 88.53% / 86.1% / 81.2% / 68.1%.

| variant | validation | IMDB sentences | Yelp sentences | suite | typo flips |
| --- | --- | --- | --- | --- | --- |
| `--set negated=1` | 87.12% | 84.4% | 77.6% | 70.5% | 3.0% |
| `--set contrasts=1` | 88.00% | 84.9% | 79.0% | 69.8% | 3.2% |
| both | 86.17% | 84.1% | 76.6% | 73.9% | 3.3% |
| a negated word read by its negated row alone, not its own row plus it (3 seeds, not committed) | 87.73% | 85.8% | 80.9% | 72.8% | 2.7% |
| same, with `negated=1` (3 seeds, not committed) | 86.65% | 85.9% | 79.4% | 74.3% | 2.8% |
| `--set teacher=1`: half the label, half a cross-fitted teacher (NB-weighted logistic regression on word 1-3-grams, 90.6% on validation alone) | 88.54% | 85.8% | 80.0% | 65.9% | 2.9% |
| same, `--set distill_crops=0` (crops keep their review's label) | 88.92% | 85.1% | 80.6% | 68.3% | 2.9% |
| same, `--set distill=1` (whole reviews: the teacher alone) | 88.29% | 85.3% | 79.4% | 65.1% | 2.7% |
| `--keep-bigrams 0` (every bigram bucket kept, 7 MB; no scope rows seeded) | 89.50% | 85.2% | 80.0% | 44.4% | 2.4% |
| same, `--dim 24` | 89.79% | 85.4% | 79.2% | 45.4% | 2.9% |
| `--dim 16` (shipped pruning; 438,575 bytes gzipped) | 88.46% | 85.6% | 80.8% | 69.5% | 2.6% |
| `--dim 24` (shipped pruning; 578,646 bytes gzipped) | 87.83% | 84.9% | 78.2% | 65.9% | 3.0% |
| `--embedding-weight-decay 0.1` | 88.83% | 84.9% | 80.3% | 68.1% | 2.8% |
| `--min-count 0` (every pre-trained word keeps its row) | 88.46% | 83.5% | 79.6% | 69.3% | 3.8% |

The pairs do what they are for (the suite's negated negative words go from 63% to 81%, its
contrasts from 66% to 76%) but cost IMDB validation one to three points: a negated sentence
still holds the word's own row, and training on it pulls that row towards the other label. Read
alone, the negated row leaves the word's row be, and the cost falls to 0.8 points, still a loss.
The teacher, at 90.6% on validation (`cargo run --release --features cli --example teacher`),
does not lift the student: read by the teacher, a crop of a sentence or two has few n-grams and
a score near its bias, so crops lose what their labels taught; on whole reviews alone the student
stays within the seed spread. A student with every bigram bucket reaches 89.5%: the 12-wide bag of
words and pairs, not its labels, is what holds IMDB below 90.5%. Nor do graded labels from the
star ratings (`imdb-ratings/`, line for line the same reviews) lift it: each training text's
target a share of (stars - 1) / 9, the rest its label (scratch code, seed 42, against this
recipe's 88.71% / 85.5% / 82.5% / dev twin 76.3%): a share of 0.2 gave 88.33% / 84.0% / 81.9% /
75.1%, and 0.5 gave 86.29% / 83.7% / 78.1% / 77.6%. A 7-star review pulled towards 0.67 teaches
its words less, not more. Nor does keeping only the crops whose words (by the training split's
log-count ratios) lean the way of their review's label, redrawn up to 4 times: over seeds 42, 1
and 2, 87.51% / 81.8% / 78.3% / dev twin 62.8% (scratch code). Crops that agree with a word
list teach the list, and the negations and plot summaries the sentence sets hold are left out.
Nor do rows for the pre-trained words IMDB train never showed (26,267 of the 50,000), each
projected from its pre-trained vector by a ridge regression fitted on the 23,658 words the shipped
model has (scratch code, 2026-12-05, added to the shipped file, `polarity report`): all of them
gave 88.08% / 85.6% / 82.0% (shipped: 88.71% / 85.5% / 82.5%), the 5,000 most frequent 88.54% /
85.5% / 82.5%, and neither halving the rows nor a stronger ridge did better. What a trained row
holds beyond its pre-trained start is not a linear function of that start, so unseen words get
the start's part only, as `--min-count 0` gives them.
Nor does a start closer to a linear model (scratch code, 2026-12-06, seed 42): every row seeded
with its naive-Bayes log-count ratio between positive and negative training reviews (document
counts, smoothing 1 or 10) times 0.1 to 1 along one direction, and two hidden units and the output
set to read that direction, gave 84.08% to 86.96% on validation over four settings (against
88.71%): the seed already fits the training split (up to 98% of it along that direction), and
training stops after its first epoch from there. Nor does averaging the weights of three runs
(`--set runs=3`): 88.67% / 85.4% / 81.4%.

## Scopes for sentiment words only, and scoped bigrams: measured on validation, not kept

A negation turns every word of its clause round, "journey" and "at" as much as "bad". Turning only
a set of sentiment words, chosen from the training split and stored in the file, was measured
(means of seeds 42, 1 and 2; the recipe: 88.10% / 85.6% / 82.2% / 72.0%, dev mean 81.94, suite
78.7%). The set was either the words that sway the model most after the first training phase
(as the seeded scope rows chose them) or those with the largest log-count ratio between positive
and negative training reviews (seen in 20 or more).

| variant | validation | IMDB sentences | Yelp sentences | dev twin | suite | dev mean |
| --- | --- | --- | --- | --- | --- | --- |
| negation turns the 23,500 words (of 24,394) that sway most | 87.88% | 85.2% | 82.1% | 73.1% | 79.3% | 82.07 |
| same, 22,000 words | 88.21% | 85.2% | 81.3% | 72.0% | 79.9% | 81.67 |
| same, the 8,000 words of largest log-count ratio | 87.63% | 84.9% | 81.3% | 70.4% | 78.3% | 81.04 |
| same, 4,000 words | 87.34% | 84.0% | 80.1% | 68.1% | 77.2% | 79.86 |
| contrast, concession and before-a-contrast weights for the 18,000 that sway most | 88.00% | 85.8% | 81.7% | 73.3% | 79.6% | 82.17 |

A narrower negation costs in step with the words it leaves out: on IMDB "good", "like" and
"think" have log-count ratios near zero, so a set drawn from counts leaves them out, and the dev
twin's words must turn. The clause variant is +0.23 over three seeds and a tie over six (81.45
each, seeds 3, 4, 5 run after the choice). "not a bad journey at all ." reads negative in every
variant: "journey" alone reads 0.99, and any set drawn from training data holds it.

The other way, a bigram whose two tokens share a scope weighted as the tokens are ("not a great
movie" turning "a great" and "great movie" round too), lost validation accuracy at seed 42
(88.71% for the recipe): 85.83% with every weight, 85.96% with the negation's alone, 87.79% with
the contrast's alone. A bigram row is large and specific, and most bigrams in a long review's
negation scope are not negated in meaning. Nor does silencing them help: a bigram whose second
token is negated read once more at weight -1 (so that it adds nothing) gave 87.21% at seed 42,
dev twin 74.2% against 76.3% (for "I do not like it.", whose bigram "like it" is a positive pair).

## The int4 table: measured on validation

The same trained model (the recipe before weighted scopes, seed 42), its table stored in each way; `polarity report`
on the file, and the table's own bytes (codes, scales and levels) after `gzip -9`. Every int4
row has 16 levels times a scale per row, the scale at most the row's largest entry (rounded up
to the scale grid), so that the largest lands on +-1. The whole file went from 701,195 to
360,008 bytes after `gzip -9`.

| table | validation | IMDB sentences | Yelp sentences | suite | table, gzipped |
| --- | --- | --- | --- | --- | --- |
| float (not shipped) | 88.71% | | | | |
| int8, float16 scale per row (the model before) | 88.62% | 85.1% | 80.2% | 68.0% | 603,476 |
| int4 uniform levels, float16 scale | 88.58% | 85.1% | 80.1% | 67.6% | 321,100 |
| int4 NF4 levels (QLoRA's), float16 scale | 89.00% | 85.0% | 79.7% | 67.1% | 306,729 |
| int4 levels by Lloyd, one set, float16 scale | 88.83% | 84.9% | 79.8% | 68.3% | 314,555 |
| int4 levels by Lloyd, one set per dimension, float16 scale | 88.92% | 85.1% | 80.1% | 67.6% | 315,173 |
| same, one byte of log-scale per row (steps of 2^(1/16)) | 89.04% | 84.8% | 79.9% | 68.0% | 274,234 |
| NF4 levels, one byte of scale | 88.96% | 84.8% | 79.7% | 68.0% | 266,518 |
| NF4, one byte of scale, best of 5 scales below the largest entry | 88.88% | 85.4% | 79.6% | 68.0% | 255,081 |
| Lloyd per dimension, one byte, best of 9 scales | 88.79% | 85.4% | 79.9% | 68.0% | 261,026 |
| **Lloyd, one set, one byte, best of 9 scales: the format shipped since** | **89.12%** | **85.1%** | **79.9%** | **68.5%** | 261,309 |

One typo flipped 2.65% to 3.05% of the sentence-set predictions with each int4 table measured
(int8: 2.90%; this model: 2.90%). With `--seed 1` and `--seed 2` (checked after the choice, not
used for it), this model's int4 table against int8 of the same weights: validation 88.00 / 88.46%
against 88.00 / 88.42%, IMDB sentences 86.3 / 86.9% against 86.3 / 86.6%, Yelp sentences
81.5 / 82.1% against 81.8 / 81.7%, suite 71.0 / 64.9% against 71.5 / 64.6%.

The squared error of the table, against int8's: 354x with NF4 and the largest entry's scale,
268x with the best of 5 or 9 scales, 236x with Lloyd's levels, 235x with one set per dimension
(which also makes the codebook a property of each file): one set of levels, fitted once and
fixed in the format (`src/quantize.rs`), so that quantizing a loaded table gives it back and a
fine-tuned model is saved in the format it was loaded in. Fine-tuning the head for up to 3 more
epochs on the int4 table (embedding frozen; kept epoch 1) changed validation by -0.25 to +0.05
points and the sentence sets by -0.3 to 0: not kept. Few-shot from this model's embedding, validation
splits, against the int8 model: SMS spam F1 at N = 20 / 100 / 200 (30 seeds) 46.5% / 73.4% /
80.3% against 46.1% / 75.0% / 79.8%; 4-class ratings at N = 100 (10 seeds) 51.3% against 51.3%.

## model/pretrained.onnx: the starting point for few-shot fine-tuning

The general pre-trained embedding exactly as imported, never trained on IMDB labels: all 50,000
words of minilm-words-64d with all 64 columns, Zipf/SIF weighting kept as published, scaled to
mean row norm 1, int8 with one float16 scale per row, 512 out-of-vocabulary rows, no bigram
rows, and a fresh untrained head, read with polarity-2 (URLs, @mentions, typos; no scope rows
without bigram buckets). 3,752,278 bytes (3.26 MB gzipped). Made by

```sh
cargo run --release --bin polarity -- train --pretrained-only --keep-sif --dim 64 --min-count 0 --bigram-buckets 0 --keep-bigrams 0 --set quantization=int8 --set weighted=0 --set lone_negators=0 --out model/pretrained.onnx
```

(`weighted=0 lone_negators=0`: the file predates the recipe's weighted scopes. Run at 743359c,
the command gives it back but for one int8 value of its 3.2 million, one level apart, and its
checksum.)

It stays int8: an int4 one (1,726,509 bytes gzipped) gave 73.40% against 73.51% at N = 100
(IMDB validation, 12 seeds), within the spread, and the few-shot figures of the top-level README
were measured on this file.

The weighting is kept here although this model undoes it: with 100 labelled reviews it was worth
+1.9 points on validation (74.1% against 72.2%, 5 seeds), with 200 +1.1. A few dozen labels
cannot teach the head to look past the frequent words that undoing it makes large.

Its few-shot figures are in the top-level README (`polarity fewshot`).

## Limitations

English movie reviews are what it knows: other domains, sarcasm, negation over long spans and
mixed reviews are weaker. IMDB reviews are polarised (ratings <= 4 or >= 7); neutral text gets a
score near the middle but no "neutral" label. The vocabulary is lowercase English words.
"#,
        format = m.format().name(),
        format_long = m.format().describe(),
        test_shipped = pct(f.test.2),
        test_n = f.test.0,
        test_float = pct(f.test.1),
        qcost = (f.test.2 - f.test.1) * 100.0,
        val_float = pct(f.validation.1),
        val_shipped = pct(f.validation.2),
        val_n = f.validation.0,
        bytes = f.onnx_bytes,
        gz = f.gzip_bytes,
        words = m.vocab.words().len(),
        oov = m.vocab.oov_buckets(),
        bigrams = m.vocab.bigram_buckets(),
        kept = m.vocab.bigram_rows(),
        rows = m.vocab.rows(),
        dim = m.dim,
        hidden = HIDDEN,
        trained_on = m.trained_on(),
        secs = f.train_seconds,
        epochs = f.report.epochs,
        best = f.report.best_epoch,
        tp = f.confusion[0][0],
        fn_ = f.confusion[0][1],
        fp = f.confusion[1][0],
        tn = f.confusion[1][1],
        seed = r.seed,
        val_frac = r.validation_fraction * 100.0,
        out = f.out,
        reviews = thousands(m.trained_on() as usize + f.validation.0),
        embedding = f.embedding,
        source = source_of(f.embedding),
        min_count = r.min_count,
        sif = if r.undo_sif {
            ", Zipf/SIF weighting undone"
        } else {
            ""
        },
        norm = r.row_norm,
        ext = r.extend_min_count,
        lr = o.learning_rate,
        batch = o.batch_size,
        dropout = o.token_dropout,
        wd = o.weight_decay,
        ewd = o.embedding_weight_decay,
        max_epochs = o.epochs,
        patience = o.patience,
        tokenizer = r.scheme().name(),
        v2 = match r.scheme() {
            crate::vocab::Scheme::V1 => String::new(),
            crate::vocab::Scheme::V2(f) if f.weighted => format!(
                " polarity-2 (`src/scope.rs`) reads URLs and @mentions as one token \
                 that gets no id, and marks clause and sentence boundaries; with the features \
                 [{}], a token in a scope (negation: after not / never / no / n't / hardly / \
                 nobody / nothing / without ... to the end of the clause, a second negator \
                 closing it; contrast: after but / however / now to the end of the sentence; \
                 concession: inside although / used to, to the end of the clause; before a \
                 contrast: in its sentence, before but / however / now) is read as its word's row \
                 plus that row times the scope's weight: negation {:+}, contrast {:+}, concession \
                 {:+}, before a contrast {:+} (ids past the table, `row + band x rows`; the \
                 graph's Mod, Div, Gather and Mul). So \"not dreary\" reads as the opposite of \
                 \"dreary\" for every word, not only those training saw negated, and scopes take \
                 no rows of the table. The weights are fixed, not learned: learned on IMDB they \
                 fell to a weak flip (negation -0.7) and the suite to 50%.{}{}",
                f.names(),
                m.scope_weights[0],
                m.scope_weights[1],
                m.scope_weights[2],
                m.scope_weights[3],
                if f.lone_negators {
                    " With lone-negators, a negator makes no bigram with the token after it: \
                     that token is read by its negation scope alone (IMDB made the bigram \
                     \"not bad\" a lukewarm one)."
                } else {
                    ""
                },
                if f.spelling {
                    " With spelling, an unknown word one typo away from a known word (swap, \
                     insertion, deletion, replacement, tried in that order) is read as it."
                } else {
                    ""
                },
            ),
            crate::vocab::Scheme::V2(f) => format!(
                " polarity-2 (`src/scope.rs`) reads URLs and @mentions as one token \
                 that gets no id, and marks clause and sentence boundaries; with the features \
                 [{}], tokens in a scope (negation: after not / never / no / n't / hardly / nobody / nothing / \
                 without ... to the end of the clause, a second negator closing it; contrast: after \
                 but / however / now to the end of the sentence, inside although / used to to the \
                 end of the clause) also get the row of the hashed pair (scope, token), in the \
                 last eighth of the bigram hash space (bigrams use the first seven eighths) and \
                 pruned with the bigrams.{} Before pruning, the scope rows \
                 of the {} words that sway the model most are seeded from the word's own row \
                 (negated: {} times it, after but: {} times, inside although: {} times), so \
                 \"not good\" starts out as the opposite of \"good\"; training goes on from there.",
                f.names(),
                if f.spelling {
                    " With spelling, an unknown word one typo away from a known word (swap, \
                     insertion, deletion, replacement, tried in that order) is read as it."
                } else {
                    ""
                },
                r.negation_flips,
                -r.negation_flip,
                r.contrast_boost,
                -r.concession_damp,
            ),
        },
        crops = if r.crops == 0 {
            "none: whole reviews only.".to_string()
        } else {
            format!(
                "besides each whole training review, {} crops of 1 to {} consecutive sentences of \
                 it, with its label, so the model also learns to read a sentence or two.",
                r.crops, r.crop_sentences
            )
        },
    )
}

/// Where a pre-trained table of the data folder comes from, and its licence (as its MANIFEST
/// states them).
fn source_of(embedding: &str) -> &'static str {
    if embedding.starts_with("minilm-words") {
        // Broken as the card's paragraph is (it was written inline before).
        "word vectors distilled from all-MiniLM-L6-v2 with the\n  model2vec method; vectors \
         Apache-2.0, word list from wordfreq, CC BY-SA 4.0, crediting SUBTLEX\n  and wordfreq's \
         sources"
    } else if embedding.starts_with("glove") {
        "GloVe Twitter vectors (Pennington, Socher and Manning, 2014), restricted to common English \
         words; PDDL 1.0"
    } else {
        "a table of the data folder's embeddings/; its source and licence are in that folder"
    }
}

/// `n` with a comma every three digits: 25,000.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The command that makes the model again, pasteable in a POSIX shell: each argument quoted where
/// it needs it ("--out my model.onnx" came out as two), and the data folder named when it came
/// from `POLARITY_DATA` (the card said nothing of it, and the command read another folder).
fn reproduce(command: &[String]) -> String {
    let quote = |arg: &str| {
        let plain = !arg.is_empty()
            && arg
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_./=,:+@%".contains(c));
        if plain {
            arg.to_string()
        } else {
            format!("'{}'", arg.replace('\'', "'\\''"))
        }
    };
    let args: Vec<String> = command.iter().skip(1).map(|a| quote(a)).collect();
    let named = command
        .iter()
        .any(|a| a == "--data" || a.starts_with("--data="));
    let data = match std::env::var("POLARITY_DATA") {
        Ok(dir) if !named && !dir.is_empty() => format!("POLARITY_DATA={} ", quote(&dir)),
        _ => String::new(),
    };
    format!(
        "{data}cargo run --release --bin polarity -- {}",
        args.join(" ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_to_reproduce_is_pasteable() {
        let args: Vec<String> = [
            "target/release/polarity",
            "train",
            "--out",
            "my model.onnx",
            "--card",
            "it's.md",
        ]
        .map(String::from)
        .to_vec();
        let command = reproduce(&args);
        assert!(
            command.ends_with("-- train --out 'my model.onnx' --card 'it'\\''s.md'"),
            "{command}"
        );
    }

    #[test]
    fn counts_have_a_comma_every_three_digits() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(25_000), "25,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }
}
