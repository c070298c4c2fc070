// TF.js as an app that trains on the wasm backend ships it (bundled by bench/run.mjs with Vite):
// tfjs-core, the gradients training needs (tfjs-core's browser build leaves them out), the backend.
import "@tensorflow/tfjs-core/dist/register_all_gradients";

export * from "@tensorflow/tfjs-core";
export { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
