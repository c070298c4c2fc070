//! The JavaScript facade (wasm32 only): thin wasm-bindgen bindings over [`crate::Classifier`].
