// How a prediction reads to a person, for the demo and <polarity-review> alike: the label and how
// sure the model is of it (the probability of that label, floored and at most 99%: 99.7% is not
// 100%, nor is a probability of a long text that float32 rounds to 1), or, when the two likeliest
// labels are close, that it is unsure and which way it leans.
// Two labels: `score` is P(first label); more: it is P(label), and `scores` has every label's.
export function verdict(prediction) {
  const p = prediction.scores ? prediction.score : Math.max(prediction.score, 1 - prediction.score);
  const label = shownLabel(prediction.label);
  if (isUnsure(prediction)) return `unsure, leaning ${label} (${leaningPercent(prediction)}%)`;
  return `${label} (${percent(p)}% confident)`;
}

/**
 * Whether `text` is blank as the package reads it: every character Unicode White_Space.
 * JavaScript's trim() keeps U+0085 (NEL), which the package reads as a space: such an example was
 * kept, then failed every Fine-tune ("the text is empty").
 */
export const isBlank = (text) => /^\p{White_Space}*$/u.test(text);

/**
 * Whether `prediction`, made by `clf`, read no word of its text (emoji, symbols, a link alone):
 * its score is then the score of "" to the bit, the model's lean with nothing to go on. One rule
 * for the demo and <polarity-review>: the demo went by explain's tokens, which hold a link with
 * no pull, and gave "https://example.com" a verdict where the element said it read nothing.
 */
export function readsNothing(clf, prediction) {
  return prediction.score === clf.classify("").score;
}

/** What a box says of a text it read no word of ("👍" showed "negative (50% confident)"). */
export function unreadVerdict(prediction) {
  return `No word it reads yet (it leans ${shownLabel(prediction.label)})`;
}

// Below this gap between the two likeliest labels' probabilities the page says "unsure" rather
// than give a verdict. Of the 2,000 dev sentences (../shared/data/sentences), the 12.8% that the
// shipped model scored between 0.4 and 0.6 it read right 64.7% of the time, the rest 86.8%: "I
// didn't like it." at 0.51 showed as a green "positive (50% confident)".
export const UNSURE_MARGIN = 0.2;

/** The probabilities of the two likeliest labels of `prediction`, the likeliest first. */
function twoLikeliest(prediction) {
  return prediction.scores
    ? prediction.scores.map((s) => s.score).sort((a, b) => b - a)
    : [prediction.score, 1 - prediction.score].sort((a, b) => b - a);
}

/** How far apart the probabilities of the two likeliest labels of `prediction` are (1: one label). */
export function margin(prediction) {
  const [first, second] = twoLikeliest(prediction);
  return second === undefined ? 1 : first - second;
}

/** Whether the two likeliest labels of `prediction` are closer than UNSURE_MARGIN. */
export function isUnsure(prediction) {
  return margin(prediction) < UNSURE_MARGIN;
}

// The leaning label's probability, with its tenth where the whole percent would hide the lean:
// "unsure, leaning positive (50%)" (0.5075) read as no lean at all, and a runner-up of the same
// whole percent as a tie. Floored like `percent`, so it never reads above the score list.
function leaningPercent(prediction) {
  const [first, second] = twoLikeliest(prediction);
  const whole = percent(first);
  return whole === 50 || whole === percent(second) ? (Math.floor(first * 1000) / 10).toFixed(1) : String(whole);
}

// Right-to-left scripts, whose labels are isolated from the text around them.
const RTL = /[\p{Script=Hebrew}\p{Script=Arabic}\p{Script=Syriac}\p{Script=Thaana}\p{Script=Nko}\p{Script=Samaritan}\p{Script=Mandaic}\p{Script=Adlam}\p{Script=Hanifi_Rohingya}]/u;

/**
 * A label as the page writes it inside a sentence: a label in a right-to-left script between
 * Unicode isolates (FSI ... PDI), or "unsure, leaning שלילי (55%)" showed as "unsure, leaning
 * (55%) שלילי" (the label can hold no bidi controls of its own: the package refuses them).
 * Other labels are left as they are.
 */
export function shownLabel(label) {
  return RTL.test(label) ? `\u2068${label}\u2069` : label;
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
