//! Copying a JavaScript string into the module's memory as UTF-8, for texts of any length.
//!
//! `JsValue::as_string` (wasm-bindgen's glue) copies a string's leading ASCII one character at a
//! time in JavaScript, and only hands the rest to `TextEncoder.encodeInto`. For a review of a
//! thousand characters, that loop was 8% of `classify` (a Node CPU profile). Here a text of
//! [`LONG`] code units or more goes to `encodeInto` whole, into a reused buffer, and is copied
//! out in one call. The result is the same string: both paths end in `encodeInto`, which writes
//! a lone surrogate as U+FFFD.

use std::cell::RefCell;

use js_sys::{JsString, Uint8Array};
use wasm_bindgen::prelude::*;

/// Texts shorter than this (UTF-16 code units) go by `as_string`: a few calls across the
/// boundary cost more than its loop over so few characters.
const LONG: usize = 256;

/// The largest buffer kept between calls (bytes); a longer text gets one of its own.
const KEPT: usize = 1 << 18;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = TextEncoder)]
    type Encoder;

    #[wasm_bindgen(constructor, js_class = "TextEncoder")]
    fn new() -> Encoder;

    #[wasm_bindgen(method, catch, js_class = "TextEncoder", js_name = encodeInto)]
    fn encode_into(
        this: &Encoder,
        source: &JsString,
        destination: &Uint8Array,
    ) -> Result<Encoded, JsValue>;

    /// A `Uint8Array` made by a constructor whose failure (the JavaScript heap refusing tens of
    /// MB) comes back as an error: thrown through this module, it left the classifier that called
    /// it borrowed for good ("recursive use of an object" from every `fineTune` after it).
    #[wasm_bindgen(js_name = Uint8Array, extends = Uint8Array)]
    type Buffer;

    #[wasm_bindgen(constructor, catch, js_class = "Uint8Array")]
    fn new(length: u32) -> Result<Buffer, JsValue>;

    type Encoded;

    #[wasm_bindgen(method, getter)]
    fn written(this: &Encoded) -> f64;
}

thread_local! {
    static ENCODER: (Encoder, RefCell<Option<Uint8Array>>) =
        (Encoder::new(), RefCell::new(None));
}

/// `text` as a Rust `String`, as `JsValue::as_string` would give it.
pub(super) fn copy(text: &JsString) -> Option<String> {
    let units = text.length() as usize;
    if units < LONG {
        return text.as_string();
    }
    encode(text, units).or_else(|| text.as_string())
}

fn encode(text: &JsString, units: usize) -> Option<String> {
    // A UTF-16 code unit is at most 3 bytes of UTF-8 (a pair of them, 4).
    let room = units.checked_mul(3)?;
    ENCODER.with(|(encoder, kept)| {
        // Taken out while JavaScript runs, and every call that can throw caught: a failure
        // falls back to `as_string` ([`copy`]).
        let buffer = match kept.take() {
            Some(b) if b.length() as usize >= room => b,
            _ => Buffer::new(u32::try_from(room.max(KEPT)).ok()?)
                .ok()?
                .into(),
        };
        let written = encoder.encode_into(text, &buffer).ok()?.written() as u64;
        let written = u32::try_from(written)
            .ok()
            .filter(|&w| w <= buffer.length())?;
        let mut bytes = vec![0; written as usize];
        // The same length on both sides, as `copy_to` asks.
        buffer.subarray(0, written).copy_to(&mut bytes);
        if buffer.length() as usize <= KEPT {
            kept.replace(Some(buffer));
        }
        String::from_utf8(bytes).ok()
    })
}
