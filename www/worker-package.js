// The package as the page's workers load it (each worker has its own instance): `ready` settles
// once the wasm is fetched and compiled. Workers load when first used, and a fetch that fails
// then (the page went offline since it opened) is said in words, not as "Failed to fetch".
import init, { Classifier } from "./pkg/polarity.js";

export { Classifier };

export const ready = init().catch((err) => {
  throw new Error(`could not load the model from the site (is the page offline?): ${err?.message ?? err}`);
});
