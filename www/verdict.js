// How a prediction reads to a person, for the demo and <polarity-review> alike: the label and how
// sure the model is of it (the probability of that label, floored and at most 99%: 99.7% is not
// 100%, nor is a probability of a long text that float32 rounds to 1), or, when the two likeliest
// labels are close, that it is unsure and which way it leans.
// Two labels: `score` is P(first label); more: it is P(label), and `scores` has every label's.
export function verdict(prediction) {
  const p = prediction.scores ? prediction.score : Math.max(prediction.score, 1 - prediction.score);
  if (isUnsure(prediction)) return `unsure, leaning ${prediction.label} (${percent(p)}%)`;
  return `${prediction.label} (${percent(p)}% confident)`;
}

// Below this gap between the two likeliest labels' probabilities the page says "unsure" rather
// than give a verdict. Of the 2,000 dev sentences (../shared/data/sentences), the 12.8% that the
// shipped model scored between 0.4 and 0.6 it read right 64.7% of the time, the rest 86.8%: "I
// didn't like it." at 0.51 showed as a green "positive (50% confident)".
export const UNSURE_MARGIN = 0.2;

/** Whether the two likeliest labels of `prediction` are closer than UNSURE_MARGIN. */
export function isUnsure(prediction) {
  const [first, second] = prediction.scores
    ? prediction.scores.map((s) => s.score).sort((a, b) => b - a)
    : [prediction.score, 1 - prediction.score].sort((a, b) => b - a);
  return second !== undefined && first - second < UNSURE_MARGIN;
}

/** A probability as the page writes it, the verdict and every label's score alike (one rounding:
 * "60% confident" sat above "question: 61%"). */
export function percent(p) {
  return Math.min(Math.floor(p * 100), 99);
}

// The most characters a review box holds, in the demo and <polarity-review> alike: a textarea
// holding millions takes the browser seconds to lay out, which no page can slice, and the element
// classifies on the main thread (5 million characters took a third of a second of it). A longer
// paste is kept out of the box: the demo reads it in a worker, the element says it is too long.
export const BOX_LIMIT = 200_000;

// How long a person pauses before a screen reader hears the verdict: read out on every keystroke,
// a sentence typed was dozens of announcements, each cut short by the next.
const PAUSE_MS = 1000;

// How long the live region keeps what it said: long enough for a screen reader to have read it,
// then emptied, or reading through the page gave the verdict twice (the status, then this).
const HEARD_MS = 5000;

/**
 * `say(text)` writes `text` into `region` (a visually hidden live region) once no other call has
 * come for PAUSE_MS, and only if it is not what it said last; HEARD_MS later the region is emptied.
 * What it said is remembered past that: the same verdict again (a letter typed and taken back) is
 * not read out again, the visible one still shows it. The visible verdict, updated on every edit,
 * is not a live region.
 */
export function announcer(region) {
  let timer = 0;
  let clearing = 0;
  let said = "";
  return (text) => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      if (text === said) return;
      clearTimeout(clearing);
      region.textContent = said = text;
      if (text) {
        clearing = setTimeout(() => {
          region.textContent = "";
        }, HEARD_MS);
      }
    }, PAUSE_MS);
  };
}

/** Every label's probability, most probable first, for a model of any number of labels. */
export function allScores(prediction, labels) {
  if (prediction.scores) return prediction.scores;
  const [first, second] = labels;
  const both = [
    { label: first, score: prediction.score },
    { label: second, score: 1 - prediction.score },
  ];
  return prediction.score >= 0.5 ? both : both.reverse();
}
