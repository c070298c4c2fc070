// How a prediction reads to a person, for the demo and <polarity-review> alike: the label and how
// sure the model is of it (the probability of that label, floored, so 99.7% never shows as 100%).
export function verdict(prediction) {
  const sure = Math.floor(Math.max(prediction.score, 1 - prediction.score) * 100);
  return `${prediction.label} (${sure}% confident)`;
}
