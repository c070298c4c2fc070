// TF.js as an app that trains on the cpu backend ships it (bundled by bench/run.mjs with Vite):
// tfjs-core, the gradients training needs (tfjs-core's browser build leaves them out), the backend.
import "@tensorflow/tfjs-core/dist/register_all_gradients";
import "@tensorflow/tfjs-backend-cpu";

export * from "@tensorflow/tfjs-core";
