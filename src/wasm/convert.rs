//! Values between JavaScript and Rust for the facade: serde in (with the path of a wrong value)
//! and out (plain, JSON-compatible objects), the shapes results take on the wire, and errors as
//! JavaScript `Error`s. Whatever JavaScript passes is first read through catching calls, so that
//! a value that throws when read is a `TypeError`, never an exception inside the module.

use js_sys::{Array, ArrayBuffer, Reflect, Symbol, Uint8Array};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;

use crate::finetune::{self, FineTuneOptions, FineTuneReport};
use crate::{Error, Prediction};

pub(super) fn js_error(e: Error) -> js_sys::Error {
    match e {
        Error::TooLarge(_) | Error::OutOfMemory(_) | Error::OutOfRange(_) => {
            js_sys::RangeError::new(&e.to_string()).into()
        }
        _ => js_sys::Error::new(&e.to_string()),
    }
}

/// `TypeError`: "`what`, got `kind(value)`".
pub(super) fn type_error(what: &str, value: &JsValue) -> js_sys::Error {
    js_sys::TypeError::new(&format!("{what}, got {}", kind(value))).into()
}

/// What `value` is, for messages: `"null"`, `"an array"`, or its `typeof` (`"number"`).
fn kind(value: &JsValue) -> String {
    if value.is_null() {
        "null".to_string()
    } else if readable(value).is_err() {
        "an object that cannot be read (a revoked Proxy?)".to_string()
    } else if Array::is_array(value) {
        "an array".to_string()
    } else {
        value.js_typeof().as_string().unwrap_or_default()
    }
}

// Reading a value JavaScript passed can throw: a revoked `Proxy` (an Immer draft after its
// producer returned) throws on every read, a getter may throw. A JavaScript exception must never
// unwind through the module: it skips Rust's cleanup, so the object's borrow stays taken and the
// module's stack is not given back (thousands of such calls later, every call fails). So values
// are read here through catching calls (`Reflect`) before anything else touches them.

/// `Ok` unless `value` is an object that throws when read (its prototype is the first thing
/// `instanceof`, `Array.isArray` and serde ask for; a revoked proxy throws there).
fn readable(value: &JsValue) -> Result<(), JsValue> {
    if value.is_object() || value.is_function() {
        Reflect::get_prototype_of(value)?;
    }
    Ok(())
}

/// The `TypeError` for a value given to `what` that threw when read (`error`).
fn unreadable(what: &str, error: &JsValue) -> js_sys::Error {
    // A revoked proxy's error is a TypeError; its message is read through `Reflect` too.
    let reason = Reflect::get(error, &JsValue::from_str("message"))
        .ok()
        .and_then(|m| m.as_string())
        .or_else(|| error.as_string())
        .unwrap_or_else(|| "reading it threw".into());
    js_sys::TypeError::new(&format!(
        "{what}: the value given cannot be read ({reason})"
    ))
    .into()
}

/// `value` checked with [`readable`], or a `TypeError` naming `what` (`"fineTune() option"`).
pub(super) fn check_readable(what: &str, value: &JsValue) -> Result<(), js_sys::Error> {
    readable(value).map_err(|e| unreadable(what, &e))
}

/// The bytes of a `Uint8Array` or `ArrayBuffer` given to `what`, copied without a call that can
/// throw inside the module. What it is and how long is asked of the built-in getters themselves
/// (`Reflect.apply`), which answer only for a real one: a Proxy of a `Uint8Array` passed
/// `instanceof` and then threw inside the module at its `byteLength`, as did a subclass whose
/// getter threw, each call leaking some of the module's stack. A transferred (detached) buffer
/// reads as no bytes; a `Uint8Array` of another realm (an iframe's, a `vm` context's, as under
/// Jest) is read as one of this realm.
pub(super) fn bytes_arg(what: &str, value: &JsValue) -> Result<Vec<u8>, js_sys::Error> {
    if !value.is_object() {
        return Err(type_error(&format!("{what} expects a Uint8Array"), value));
    }
    check_readable(what, value)?;
    // Sized before the copy: a file of gigabytes is refused in words, not copied until the
    // module runs out of memory (and a copy that fits kept the module that large).
    let sized = |length: u32| crate::wire::check_size(length as usize).map_err(js_error);
    let empty = Uint8Array::new_with_length(0);
    let uint8 = Reflect::get_prototype_of(&empty).map(JsValue::from);
    let typed_array = uint8
        .clone()
        .and_then(|u| Reflect::get_prototype_of(&u).map(JsValue::from));
    if let (Ok(uint8), Ok(typed_array)) = (&uint8, &typed_array) {
        let tag = intrinsic(typed_array, &Symbol::to_string_tag().into(), value);
        if tag.as_string().as_deref() == Some("Uint8Array") {
            let length = intrinsic(typed_array, &"byteLength".into(), value);
            let length = length.as_f64().unwrap_or(0.0) as u32;
            sized(length)?;
            if length == 0 {
                return Ok(Vec::new());
            }
            // This realm's own Uint8Array is read as it is. Another (a subclass, such as Node's
            // Buffer, or another realm's) is first copied into one through its internal slots:
            // its `length` getter, which the copy reads, may be overridden.
            if Reflect::get_prototype_of(value).is_ok_and(|p| JsValue::from(p) == *uint8) {
                return Ok(value.unchecked_ref::<Uint8Array>().to_vec());
            }
            let made = Reflect::construct(&empty.constructor(), &Array::of1(value))
                .map_err(|e| unreadable(what, &e))?;
            return Ok(made.unchecked_into::<Uint8Array>().to_vec());
        }
    }
    let buffer = Reflect::get_prototype_of(&ArrayBuffer::new(0)).map(JsValue::from);
    let buffer = buffer.unwrap_or(JsValue::UNDEFINED);
    if let Some(length) = intrinsic(&buffer, &"byteLength".into(), value).as_f64() {
        sized(length as u32)?;
        return Ok(match length as u32 {
            0 => Vec::new(),
            _ => Uint8Array::new(value).to_vec(),
        });
    }
    // A Blob, File or Response holds bytes it gives only asynchronously.
    let has_bytes_to_read =
        Reflect::get(value, &JsValue::from_str("arrayBuffer")).is_ok_and(|f| f.is_function());
    if has_bytes_to_read {
        return Err(js_sys::TypeError::new(&format!(
            "{what} expects a Uint8Array, got {}: read a Blob, File or Response first \
             (new Uint8Array(await file.arrayBuffer()))",
            kind(value)
        ))
        .into());
    }
    Err(type_error(&format!("{what} expects a Uint8Array"), value))
}

/// What the built-in getter `key` of `prototype` answers for `value`, or `undefined` when it
/// throws (a value of another kind, or a Proxy, which has none of the slots it reads).
fn intrinsic(prototype: &JsValue, key: &JsValue, value: &JsValue) -> JsValue {
    let getter = prototype
        .dyn_ref::<js_sys::Object>()
        .and_then(|p| Reflect::get_own_property_descriptor(p, key).ok())
        .and_then(|d| Reflect::get(&d, &JsValue::from_str("get")).ok())
        .and_then(|g| g.dyn_into::<js_sys::Function>().ok());
    match getter {
        Some(getter) => Reflect::apply(&getter, value, &Array::new()).unwrap_or(JsValue::UNDEFINED),
        None => JsValue::UNDEFINED,
    }
}

/// The keys of the options object `value` given to `what` that `known` does not list, each as a
/// message ("unknown option \"epoch\" (did you mean \"epochs\"?)"); none for undefined or
/// null. An array is a `TypeError`: `fromPretrained(["spam", "ham"])` meant `{ labels: [...] }`,
/// and serde read an array as the options in their order; so is any other value not an object.
pub(super) fn unknown_options(
    what: &str,
    value: &JsValue,
    known: &[&str],
) -> Result<Vec<String>, js_sys::Error> {
    // First: `Array.isArray` of a revoked Proxy throws.
    check_readable(what, value)?;
    if value.is_undefined() || value.is_null() {
        return Ok(Vec::new());
    }
    if Array::is_array(value) || !value.is_object() {
        return Err(type_error(&format!("{what} must be an object"), value));
    }
    // A Map has no keys of its own: its options were all ignored, `escapeFormulae` included.
    if value.is_instance_of::<js_sys::Map>() {
        return Err(js_sys::TypeError::new(&format!(
            "{what} must be a plain object, not a Map (Object.fromEntries(map) makes one)"
        ))
        .into());
    }
    let keys = Reflect::own_keys(value).map_err(|e| unreadable(what, &e))?;
    let squash = |k: &str| k.to_lowercase().replace('_', "");
    let known_list = || format!("(known: {})", known.join(", "));
    Ok(keys
        .iter()
        .filter_map(|k| k.dyn_into::<js_sys::JsString>().ok())
        .filter_map(|k| {
            // A key longer than any option's name is named by its start and length: a key of
            // 100 million characters was copied into the module whole, and into the message.
            if k.length() > SHOWN_UNITS {
                let start = String::from(k.slice(0, SHOWN_UNITS));
                return Some(format!(
                    "unknown option {start:?}... ({} characters) {}",
                    k.length(),
                    known_list()
                ));
            }
            let k = String::from(k);
            if known.contains(&k.as_str()) {
                return None;
            }
            let near = known.iter().find(|n| {
                let (a, b) = (squash(&k), squash(n));
                a == b
                    || (a.len().abs_diff(b.len()) <= 2 && (a.starts_with(&b) || b.starts_with(&a)))
            });
            Some(match near {
                Some(n) => format!("unknown option \"{k}\" (did you mean \"{n}\"?)"),
                None => format!("unknown option \"{k}\" {}", known_list()),
            })
        })
        .collect())
}

/// [`unknown_options`] for an options object with no report to hold warnings: a `TypeError` that
/// names the first unknown key (a misspelt `escapeFormulae` left formulas live; a misspelt
/// `labels` made a positive / negative classifier).
pub(super) fn refuse_unknown_options(
    what: &str,
    value: &JsValue,
    known: &[&str],
) -> Result<(), js_sys::Error> {
    match unknown_options(what, value, known)?.first() {
        Some(unknown) => Err(js_sys::TypeError::new(&format!("{what}: {unknown}")).into()),
        None => Ok(()),
    }
}

/// `fineTune` options as `fineTune` and `checkFineTuneOptions` read them: the unknown keys' warnings
/// (or a `TypeError` for what is no options object), then the known fields (only those copied in).
pub(super) fn fine_tune_options_arg(
    options: &JsValue,
) -> Result<(Vec<String>, Option<FineTuneOptions>), js_sys::Error> {
    let ignored = unknown_options("fineTune() options", options, &fine_tune_options())?;
    let parsed = value_arg_of(
        "fineTune() option",
        options.clone(),
        SHOWN_UNITS,
        &FineTuneOptions::NAMES,
    )?;
    Ok((ignored, parsed))
}

/// The keys `fineTune` reads ([`FineTuneOptions::NAMES`] and `onProgress`).
pub(super) fn fine_tune_options() -> Vec<&'static str> {
    let mut names = FineTuneOptions::NAMES.to_vec();
    names.push("onProgress");
    names
}

/// The items of the array `value` given to `what` (`"classifyBatch()"`), each made a `T` by
/// `each` (given its index), read one at a time through catching calls. Nothing is reserved from
/// the array's `length` (a sparse array can claim four billion items): the first item `each`
/// refuses ends the reading. Not an array: a `TypeError` "`what` expects `expects`, got ...".
pub(super) fn array_items<T>(
    what: &str,
    expects: &str,
    value: &JsValue,
    mut each: impl FnMut(usize, JsValue) -> Result<T, js_sys::Error>,
) -> Result<Vec<T>, js_sys::Error> {
    let length = array_length(what, expects, value)?;
    let first = length.min(1024);
    crate::limits::check_memory(
        first * std::mem::size_of::<T>(),
        &format!("read {what}'s items"),
    )
    .map_err(js_error)?;
    let mut items = Vec::with_capacity(first);
    for i in 0..length {
        // Each item costs the module's memory however short (30 million empty texts took more
        // than its 4 GB): refused once that many are read, so an array of holes is still told
        // by its first item.
        if i == crate::limits::MAX_ROWS {
            return Err(js_sys::RangeError::new(&format!(
                "{what} got {length} items; polarity reads at most {i} in one call (split it)"
            ))
            .into());
        }
        let item = Reflect::get_u32(value, i as u32)
            .and_then(|item| readable(&item).map(|()| item))
            .map_err(|e| unreadable(&format!("{what} item {i}"), &e))?;
        let item = each(i, item)?;
        // The list doubles when full, and a doubling the module cannot make traps (toCsv of
        // half a million rows in a nearly full module did): asked first, as an error.
        if items.len() == items.capacity() {
            let grown = items
                .capacity()
                .max(1)
                .saturating_mul(2 * std::mem::size_of::<T>());
            crate::limits::check_memory(grown, &format!("read {what}'s items"))
                .map_err(js_error)?;
        }
        items.push(item);
    }
    Ok(items)
}

/// Refuses the texts of the array `items` (each item's text by `text`; `what` names them all, as
/// `"classifyBatch(): the batch"`) when together they are
/// longer than a file polarity reads ([`crate::limits::MAX_FILE_CHARS`]), before any is copied
/// into the module's memory, and reserves room for their copies ([`check_room_to_copy`]). What is
/// not an array, not readable or not a string is left to [`array_items`] and the caller's checks,
/// which say what is wrong with it, and ends the count.
pub(super) fn check_total_chars(
    what: &str,
    items: &JsValue,
    text: impl Fn(&JsValue) -> Option<JsValue>,
) -> Result<(), js_sys::Error> {
    // Readable first: `Array.isArray` throws on a revoked proxy, and a throw inside the module
    // broke it for good (array_items reads it the same way).
    if readable(items).is_err() || !Array::is_array(items) {
        return Ok(());
    }
    let length = Reflect::get(items, &JsValue::from_str("length"))
        .ok()
        .and_then(|n| n.as_f64())
        .unwrap_or(0.0);
    let (max, mut total) = (crate::limits::MAX_FILE_CHARS, 0usize);
    // Room for the copies is reserved only for texts that will be copied: one over the limit of
    // a text is refused before any is (a reservation for it grew the module by 400 MB first).
    let mut copied = true;
    // Past the most items a call reads, array_items refuses them.
    let walked = length.clamp(0.0, (crate::limits::MAX_ROWS + 1) as f64);
    for i in 0..walked as u32 {
        let item = match Reflect::get_u32(items, i) {
            Ok(item) if readable(&item).is_ok() => item,
            _ => return Ok(()),
        };
        // Up to the first item that is no text: reading stops there with its error, so the
        // texts before it are all that could be copied (a sparse array of 2^32 - 1 holes is not
        // walked through).
        let Some(s) = text(&item).and_then(|t| t.dyn_into::<js_sys::JsString>().ok()) else {
            return Ok(());
        };
        total += s.length() as usize;
        if total > max {
            return Err(too_long(what, total, max));
        }
        copied &= s.length() as usize <= crate::limits::MAX_TEXT_CHARS;
    }
    match copied {
        true => check_room_to_copy(total).map_err(js_error),
        false => Ok(()),
    }
}

/// The file name `value` given to `what` (`undefined` or `null`: none) as far as it is read: its
/// last [`SHOWN_UNITS`] characters, where its extension is. The whole name was copied into the
/// module and made lower case, whatever its length.
pub(super) fn file_name_end(what: &str, value: JsValue) -> Result<String, js_sys::Error> {
    match value.dyn_ref::<js_sys::JsString>() {
        Some(name) => {
            let length = name.length();
            Ok(String::from(
                name.slice(length.saturating_sub(SHOWN_UNITS), length),
            ))
        }
        None => Ok(value_arg::<String>(what, value)?.unwrap_or_default()),
    }
}

/// UTF-16 units past which a label is refused before it is copied into the module (32 labels of
/// 500 million characters trapped): far past any label, so that every label shorter than this
/// gets the error it always got, once read ([`finetune::check_labels`] says which rule it breaks
/// first, and counts characters).
const COPIED_LABEL_UNITS: u32 = 1 << 16;

/// Refuses a label of more than [`COPIED_LABEL_UNITS`] before it is copied into the module.
pub(super) fn refuse_huge_label(label: &js_sys::JsString) -> Result<(), crate::Error> {
    if label.length() > COPIED_LABEL_UNITS {
        return Err(crate::Error::InvalidInput(format!(
            "a label has at most {} characters; one has {} UTF-16 units",
            crate::limits::MAX_LABEL_CHARS,
            label.length()
        )));
    }
    Ok(())
}

/// The first characters of `label` (a label refused before it was copied), to name it by.
pub(super) fn label_start(label: &js_sys::JsString) -> String {
    String::from(label.slice(0, 40))
}

/// The `length` of the array `value` ([`array_items`]).
fn array_length(what: &str, expects: &str, value: &JsValue) -> Result<usize, js_sys::Error> {
    check_readable(what, value)?;
    if !Array::is_array(value) {
        return Err(type_error(&format!("{what} expects {expects}"), value));
    }
    let length =
        Reflect::get(value, &JsValue::from_str("length")).map_err(|e| unreadable(what, &e))?;
    // An array's length is a whole number below 2^32.
    Ok(length.as_f64().unwrap_or(0.0) as u32 as usize)
}

/// A value given to `what` as a `T` (an options object, an example, a number; `undefined` or
/// `null`: none): copied first by [`plain_copy`], which reads it through catching calls, then read
/// by serde ([`from_js`]), which then meets no getter and no proxy.
pub(super) fn value_arg<T: DeserializeOwned>(
    what: &str,
    value: JsValue,
) -> Result<Option<T>, js_sys::Error> {
    value_arg_of(what, value, SHOWN_UNITS, &[])
}

/// [`value_arg`] of a value whose fields' strings may be `max_units` long (an example's text): a
/// longer one is never copied into the module ([`plain_copy`]). Of an object, only the `fields`
/// `T` reads are copied (all when empty): what the call ignores (an unknown option, which is
/// warned about by name; an example's other fields) is not read, nor counted against
/// [`MAX_COPIED_ITEMS`].
pub(super) fn value_arg_of<T: DeserializeOwned>(
    what: &str,
    value: JsValue,
    max_units: u32,
    fields: &'static [&'static str],
) -> Result<Option<T>, js_sys::Error> {
    let mut copy = Copy {
        max_units,
        values_left: MAX_COPIED_ITEMS,
        fields,
        stand_ins: Vec::new(),
    };
    let plain = plain_copy(what, &value, 0, &mut copy)?;
    from_js(what, plain, &copy.stand_ins)
}

/// UTF-16 units of a string that an options object (none of whose fields is a string) or a file
/// name may give for a message whole: a longer one is said by its length, and never copied into
/// the module. serde quoted a wrong value whole: `{ epochs: "\x01".repeat(5e8) }` asked for 3 GB
/// ("\u{1}" for each character), and trapped.
pub(super) const SHOWN_UNITS: u32 = 32;
/// UTF-16 units of an object's key past which [`plain_copy`] leaves it out: no field has such a
/// name, and serde's message for an object of the wrong type quotes its keys.
const COPIED_KEY_UNITS: u32 = 256;

/// The most levels of arrays and objects [`plain_copy`] reads: far past the options and examples
/// the facade takes (two levels), short of a cycle.
const MAX_DEPTH: usize = 8;
/// The most items of an array [`plain_copy`] reads, and the most values it reads in all, at every
/// level together: far past the 32 labels of the largest array it is given; a sparse array may
/// claim four billion, and an array that holds one array 60,000 times (each of 60,000 strings)
/// is 3.6 billion values read one array at a time (it filled Node's heap, and the process ended).
const MAX_COPIED_ITEMS: u32 = 1 << 16;

// Catching forms of the calls that read or make a whole object or array at once: one call each,
// where a property at a time through `Reflect` took a dozen (converting 20,000 examples took 350
// ms).
#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(catch, js_namespace = Object, js_name = fromEntries)]
    fn object_from_entries(entries: &Array) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, js_namespace = Array, js_name = from)]
    fn array_from(value: &JsValue) -> Result<Array, JsValue>;
}

/// What [`plain_copy`] needs beside the value: how long a string may be, and the stand-ins it
/// put for values serde would have copied whole into its message.
struct Copy {
    max_units: u32,
    /// Values [`plain_copy`] may still read ([`MAX_COPIED_ITEMS`] in all).
    values_left: u32,
    /// The keys of the value itself that are copied (every key when empty).
    fields: &'static [&'static str],
    /// Each stand-in (a symbol of its own) and what it stands for ("a string of 500000000
    /// characters").
    stand_ins: Vec<(JsValue, String)>,
}

impl Copy {
    /// A symbol in place of a value serde would quote at length; `what` it was, for the message.
    fn stand_in(&mut self, what: String) -> JsValue {
        let symbol = JsValue::symbol(Some("polarity"));
        self.stand_ins.push((symbol.clone(), what));
        symbol
    }
}

/// `value` rebuilt of plain arrays, objects (their own enumerable string keys, as serde reads
/// them) and the primitives in them, every read through a call that catches. serde and
/// wasm-bindgen's messages read values through calls that do not: a revoked Proxy or a throwing
/// getter one level down ({ epochs: [revoked] }) threw inside the module, which kept the
/// classifier borrowed for good ("recursive use of an object") and, a thousand calls later, broke
/// the module ("memory access out of bounds"). A value that serde's message of a wrong type would
/// copy whole into the module (a string longer than `copy.max_units`, a String object of one, a
/// function or a symbol, whose names can be any length, a bigint of more than 30 digits) is put
/// as a stand-in, said by its size in the message; a key longer than any field's name is left out.
fn plain_copy(
    what: &str,
    value: &JsValue,
    depth: usize,
    copy: &mut Copy,
) -> Result<JsValue, js_sys::Error> {
    copy.values_left = copy.values_left.checked_sub(1).ok_or_else(|| {
        js_sys::Error::from(js_sys::RangeError::new(&format!(
            "{what}: more than {MAX_COPIED_ITEMS} values, counting those nested in its arrays \
             and objects; polarity reads at most that many here"
        )))
    })?;
    if value.is_function() {
        check_readable(what, value)?;
        return Ok(copy.stand_in("a function".into()));
    }
    // Only a value's own fields (an example's text) may be long: neither the value itself (an
    // object) nor anything nested in its fields is read as a text.
    let max_units = match depth {
        1 => copy.max_units,
        _ => copy.max_units.min(SHOWN_UNITS),
    };
    if let Some(s) = value.dyn_ref::<js_sys::JsString>() {
        if s.length() > max_units {
            return Ok(copy.stand_in(format!("a string of {} characters", s.length())));
        }
    }
    if value.is_symbol() {
        return Ok(copy.stand_in("a symbol".into()));
    }
    if value.is_bigint() {
        let bound = BIGINT_BOUND.with(JsValue::clone);
        let negative = -&bound;
        if value.gt(&bound) || value.lt(&negative) {
            return Ok(copy.stand_in("a bigint of more than 30 digits".into()));
        }
    }
    if !value.is_object() {
        return Ok(value.clone());
    }
    let prototype = Reflect::get_prototype_of(value).map_err(|e| unreadable(what, &e))?;
    // A String, Number or Boolean object is kept: serde names it ("got a String object"), and
    // its internal value is read without a getter.
    if let Some(inner) = boxed_primitive(value, &prototype) {
        return match inner.dyn_ref::<js_sys::JsString>() {
            Some(s) if s.length() > max_units => {
                Ok(copy.stand_in(format!("a String object of {} characters", s.length())))
            }
            _ => Ok(value.clone()),
        };
    }
    if depth == MAX_DEPTH {
        return Err(js_sys::TypeError::new(&format!(
            "{what}: nested more than {MAX_DEPTH} levels deep"
        ))
        .into());
    }
    let read = |result: Result<Array, JsValue>| result.map_err(|e| unreadable(what, &e));
    // The arrays read below are this function's own, made by Array.from and Object.entries:
    // reading them cannot throw.
    if Array::is_array(value) {
        let length = Reflect::get(value, &JsValue::from_str("length"))
            .map_err(|e| unreadable(what, &e))?
            .as_f64()
            .unwrap_or(0.0) as u32;
        if length > MAX_COPIED_ITEMS {
            return Err(js_sys::RangeError::new(&format!(
                "{what}: an array of {length} items; polarity reads at most {MAX_COPIED_ITEMS} here"
            ))
            .into());
        }
        let items = read(array_from(value))?;
        let made = Array::new_with_length(items.length());
        for (i, item) in items.iter().enumerate() {
            made.set(i as u32, plain_copy(what, &item, depth + 1, copy)?);
        }
        return Ok(made.into());
    }
    // Its own keys, and those of its prototypes short of Object.prototype (a class's getters):
    // serde read a struct's fields by name, inherited ones included, and an Object.entries copy
    // left `epochs` of `Object.create({ epochs: 1 })` out unsaid.
    let mut keys: Vec<JsValue> = read(Reflect::own_keys(value))?.iter().collect();
    let mut above: JsValue = prototype.into();
    for _ in 0..MAX_DEPTH {
        if above.is_null() || OBJECT_PROTOTYPE.with(|p| *p == above) {
            break;
        }
        let inherited = read(Reflect::own_keys(&above))?;
        keys.extend(inherited.iter().filter(|k| {
            k.dyn_ref::<js_sys::JsString>()
                .is_some_and(|k| k.length() > COPIED_KEY_UNITS || *k != "constructor")
        }));
        above = Reflect::get_prototype_of(&above)
            .map_err(|e| unreadable(what, &e))?
            .into();
    }
    let entries = Array::new();
    let fields = if depth == 0 { copy.fields } else { &[] };
    let short = |k: &JsValue| {
        k.dyn_ref::<js_sys::JsString>().is_some_and(|k| {
            k.length() <= COPIED_KEY_UNITS && (fields.is_empty() || fields.iter().any(|f| k == f))
        })
    };
    for key in keys.iter().filter(|k| short(k)) {
        let field = Reflect::get(value, key).map_err(|e| unreadable(what, &e))?;
        entries.push(&Array::of2(
            key,
            &plain_copy(what, &field, depth + 1, copy)?,
        ));
    }
    // Defined, not set: a key "__proto__" (JSON.parse makes one) stays a key, as serde saw it.
    object_from_entries(&entries).map_err(|e| unreadable(what, &e))
}

thread_local! {
    /// 10^30: a bigint past it in size is said as such, not quoted ([`plain_copy`]).
    static BIGINT_BOUND: JsValue = JsValue::bigint_from_str("1000000000000000000000000000000");
    /// Object.prototype, where the keys [`plain_copy`] reads stop.
    static OBJECT_PROTOTYPE: JsValue = Reflect::get_prototype_of(&js_sys::Object::new())
        .map(JsValue::from)
        .unwrap_or(JsValue::NULL);
    /// String.prototype, Number.prototype and Boolean.prototype, with their `valueOf`.
    static BOXES: Vec<(JsValue, js_sys::Function)> = ["String", "Number", "Boolean"]
        .iter()
        .filter_map(|name| {
            let prototype = Reflect::get(&js_sys::global(), &JsValue::from_str(name))
                .and_then(|c| Reflect::get(&c, &JsValue::from_str("prototype")))
                .ok()?;
            let value_of = Reflect::get(&prototype, &JsValue::from_str("valueOf")).ok()?;
            Some((prototype, value_of.dyn_into().ok()?))
        })
        .collect();
}

/// The value inside `value` (of `prototype`) if it is a String, Number or Boolean object, not a
/// Proxy of one: of the prototype, and its built-in `valueOf` answers for it. Only such a value is
/// asked (the ask throws for any other, and each exception caught takes a slot of wasm-bindgen's
/// table).
fn boxed_primitive(value: &JsValue, prototype: &js_sys::Object) -> Option<JsValue> {
    let prototype: &JsValue = prototype;
    BOXES.with(|boxes| {
        boxes
            .iter()
            .filter(|(own, _)| own == prototype)
            .find_map(|(_, value_of)| Reflect::apply(value_of, value, &Array::new()).ok())
    })
}

/// The value of `object`'s `key`, unless it is missing, `undefined` or `null` (or `object` is not
/// an object). Read through `Reflect`, so a getter that throws is a missing value here; the
/// object itself was read by [`value_arg`] first, which reported it.
pub(super) fn field(object: &JsValue, key: &str) -> Option<JsValue> {
    // Not asked of a primitive, where `Reflect.get` throws: every caught exception costs a slot
    // of wasm-bindgen's value table that is never given back.
    if !object.is_object() && !object.is_function() {
        return None;
    }
    Reflect::get(object, &JsValue::from_str(key))
        .ok()
        .filter(|v| !v.is_undefined() && !v.is_null())
}

/// The `onProgress` callback of fineTune `options`, if one is given: a `TypeError` unless it is a
/// function.
pub(super) fn on_progress_arg(
    options: &JsValue,
) -> Result<Option<js_sys::Function>, js_sys::Error> {
    match field(options, "onProgress") {
        None => Ok(None),
        Some(f) if f.is_function() => Ok(Some(f.unchecked_into())),
        Some(f) => Err(type_error(
            "fineTune() option onProgress must be a function",
            &f,
        )),
    }
}

/// What `fineTune` throws when `onProgress` returns a promise.
pub(super) const ASYNC_PROGRESS: &str = "fineTune() option onProgress returned a promise: it is \
     called synchronously as training goes, and what an async function throws would come after \
     the training; to stop it, throw from a plain function";

/// Whether `value` is a promise or another thenable (an object with a `then` function).
pub(super) fn is_thenable(value: &JsValue) -> bool {
    value.is_object()
        && Reflect::get(value, &JsValue::from_str("then")).is_ok_and(|then| then.is_function())
}

/// Handles the rejection of a thenable nobody will await (`onProgress`'s, refused): what its
/// function threw is not also an unhandled rejection, which ends a Node process.
pub(super) fn handle_rejection(thenable: &JsValue) {
    let ignore = Closure::once_into_js(|_: JsValue| {});
    if let Ok(then) = Reflect::get(thenable, &JsValue::from_str("then")) {
        // What it throws or rejects with was already refused: nothing to report twice.
        let _ = then
            .unchecked_into::<js_sys::Function>()
            .call2(thenable, &ignore, &ignore);
    }
}

/// `value` as a `T`; a wrong shape is a `TypeError` that says where (`{what} epochs: ...`).
/// Only for values already read through [`readable`] (primitives, or [`value_arg`]'s).
fn from_js<T: DeserializeOwned>(
    what: &str,
    value: JsValue,
    stand_ins: &[(JsValue, String)],
) -> Result<T, js_sys::Error> {
    let given = value.clone();
    serde_path_to_error::deserialize(serde_wasm_bindgen::Deserializer::from(value)).map_err(|e| {
        let path = e.path().to_string();
        let at = if path == "." {
            String::new()
        } else {
            format!(" {path}")
        };
        let mut message = plain(&e.inner().to_string());
        // serde reads null and undefined alike, as a "unit value": say which it was.
        if message.ends_with(", got undefined") && value_at(&given, e.path()).is_null() {
            message.truncate(message.len() - "undefined".len());
            message.push_str("null");
        }
        // A value put in place of a long one (plain_copy): said as what it was.
        let wrong = value_at(&given, e.path());
        if let Some((_, was)) = stand_ins.iter().find(|(s, _)| *s == wrong) {
            if let Some(start) = message.strip_suffix("a symbol") {
                message = format!("{start}{was}");
            }
        }
        js_sys::TypeError::new(&format!("{what}{at}: {message}")).into()
    })
}

/// The value at `path` inside `value` (already read once by the deserializer, so readable).
fn value_at(value: &JsValue, path: &serde_path_to_error::Path) -> JsValue {
    use serde_path_to_error::Segment;
    path.iter().fold(value.clone(), |v, segment| {
        let key = match segment {
            Segment::Seq { index } => JsValue::from(*index as f64),
            Segment::Map { key } => JsValue::from_str(key),
            Segment::Enum { .. } | Segment::Unknown => return JsValue::UNDEFINED,
        };
        Reflect::get(&v, &key).unwrap_or(JsValue::UNDEFINED)
    })
}

/// serde's "Error: invalid type: string \"3\", expected f64" as "must be a number, got string
/// \"3\"": the words of JavaScript, not of Rust ("struct FineTuneOptions", "floating point
/// `5.0`", "JsValue(3n)" and "missing field `text`" are serde's and wasm-bindgen's).
fn plain(message: &str) -> String {
    let message = message.strip_prefix("Error: ").unwrap_or(message);
    if let Some(field) = message
        .strip_prefix("missing field `")
        .and_then(|f| f.strip_suffix('`'))
    {
        return format!("must have a \"{field}\" field");
    }
    let Some((got, expected)) = message
        .strip_prefix("invalid type: ")
        .and_then(|rest| rest.rsplit_once(", expected "))
    else {
        return message.to_string();
    };
    let expected = match expected {
        "f64" | "f32" | "u32" | "u64" | "usize" | "i32" | "i64" => "a number",
        "a boolean" => "true or false",
        other if other.starts_with("struct ") || other == "a map" => "an object",
        "a sequence" => "an array",
        other => other,
    };
    format!("must be {expected}, got {}", plain_value(got))
}

/// A value as serde describes it, as JavaScript would: "floating point `5.0`" is number 5,
/// "JsValue(3n)" a bigint, "JsValue(String)" a String object.
fn plain_value(got: &str) -> String {
    let quoted = |prefix: &str| got.strip_prefix(prefix)?.strip_suffix('`');
    if let Some(n) = quoted("floating point `").or_else(|| quoted("integer `")) {
        return format!("number {}", n.strip_suffix(".0").unwrap_or(n));
    }
    if let Some(b) = quoted("boolean `") {
        return format!("boolean {b}");
    }
    match got
        .strip_prefix("JsValue(")
        .and_then(|v| v.strip_suffix(')'))
    {
        Some(v) if v.ends_with('n') && v[..v.len() - 1].parse::<i128>().is_ok() => {
            format!("bigint {v}")
        }
        // wasm-bindgen's debug form: "Symbol(s)", "Object({...})", "Function(name)", "String",
        // "[1, 2]" (an array of any length: said as one).
        Some(v) if v.starts_with('[') => "an array".into(),
        Some(v) => match v.split('(').next().unwrap_or(v) {
            "Symbol" => "a symbol".into(),
            "Object" => "an object".into(),
            "Function" => "a function".into(),
            "Array" => "an array".into(),
            name if name.starts_with(char::is_uppercase) => format!("a {name} object"),
            _ => v.to_string(),
        },
        None => match got {
            "unit value" => "undefined".into(),
            "sequence" => "an array".into(),
            "map" => "an object".into(),
            other => other.into(),
        },
    }
}

/// A plain object (or array) for `value`. Our results are numbers, strings and lists of them,
/// which always convert.
pub(super) fn to_js<T: Serialize + ?Sized>(value: &T) -> JsValue {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .unwrap_or(JsValue::UNDEFINED)
}

/// What is wrong with a value given as a text.
pub(super) enum NotText {
    /// Not a string: what it is (`"number"`, `"null"`, `"an array"`).
    Type(String),
    /// A string of this many UTF-16 code units, over the limit.
    Length(usize),
    /// No room in the module's memory for its copy.
    Memory(crate::Error),
}

/// UTF-16 code units of the texts from which a copy into the module first makes sure of its
/// room: each unit can be 3 bytes of UTF-8, and wasm-bindgen's copy of a text that is not ASCII
/// holds its first guess beside the grown one. A copy the allocator cannot make traps.
const CHECKED_COPY_UNITS: usize = 1 << 16;

/// Reserves room for copying `units` UTF-16 code units of text into the module.
pub(super) fn check_room_to_copy(units: usize) -> Result<(), crate::Error> {
    if units < CHECKED_COPY_UNITS {
        return Ok(());
    }
    crate::limits::check_memory(units.saturating_mul(4), "copy the text in")
}

/// The text `value` holds, checked against `max` UTF-16 code units before it is copied into the
/// module's memory.
pub(super) fn text_of(value: &JsValue, max: usize) -> Result<String, NotText> {
    match value.dyn_ref::<js_sys::JsString>() {
        Some(s) if s.length() as usize > max => Err(NotText::Length(s.length() as usize)),
        Some(s) => {
            check_room_to_copy(s.length() as usize).map_err(NotText::Memory)?;
            super::utf8::copy(s).ok_or_else(|| NotText::Type(kind(value)))
        }
        None => Err(NotText::Type(kind(value))),
    }
}

/// A text given to `method` (`classify`), or the error it gets: `TypeError` for a value that is
/// not a string, `RangeError` for one over [`crate::limits::MAX_TEXT_CHARS`].
pub(super) fn string_arg(method: &str, value: &JsValue) -> Result<String, js_sys::Error> {
    bounded_string_arg(method, value, crate::limits::MAX_TEXT_CHARS)
}

/// The content of a file (`parseExamples`, `parseTexts`): [`crate::limits::MAX_FILE_CHARS`].
pub(super) fn file_arg(method: &str, value: &JsValue) -> Result<String, js_sys::Error> {
    bounded_string_arg(method, value, crate::limits::MAX_FILE_CHARS)
}

fn bounded_string_arg(method: &str, value: &JsValue, max: usize) -> Result<String, js_sys::Error> {
    text_of(value, max).map_err(|e| match e {
        NotText::Type(got) => {
            js_sys::TypeError::new(&format!("{method}() expects a string, got {got}")).into()
        }
        NotText::Length(length) => too_long(&format!("{method}(): the text"), length, max),
        NotText::Memory(e) => js_error(e),
    })
}

/// The `RangeError` for `what` (`"classify(): the text"`) of `length` characters, over `max`.
pub(super) fn too_long(what: &str, length: usize, max: usize) -> js_sys::Error {
    js_sys::RangeError::new(&format!(
        "{what} has {length} characters; polarity reads at most {max} (split it)"
    ))
    .into()
}

/// The page's (or worker's, or Node's) `performance`, if it has one.
fn performance() -> Option<web_sys::Performance> {
    Reflect::get(&js_sys::global(), &JsValue::from_str("performance"))
        .ok()
        .and_then(|p| p.dyn_into::<web_sys::Performance>().ok())
}

/// Milliseconds from the `performance` clock.
pub(super) fn now() -> f64 {
    performance().map_or_else(js_sys::Date::now, |p| p.now())
}

/// A `performance.mark(name)` the first time this module marks `name` (the cold start, which
/// `make bench` reads), where there is a `performance` (a failure changes nothing). Marked at
/// every load, they piled up in the page's timeline: 4,002 after 2,000 classifiers.
pub(super) fn mark(name: &str) {
    thread_local! {
        static MARKED: std::cell::RefCell<Vec<String>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    let first = MARKED.with_borrow_mut(|marked| {
        let first = !marked.iter().any(|m| m == name);
        if first {
            marked.push(name.into());
        }
        first
    });
    if let Some(p) = performance().filter(|_| first) {
        let _ = p.mark(name);
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct PretrainedOptions {
    // `labels` is read by [`labels_arg`], which checks each name as JavaScript holds it.
    pub(super) seed: Option<f64>,
    // Option: `{ scopes: undefined }` is no scopes, as a missing key is.
    pub(super) scopes: Option<bool>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
pub(super) struct CsvOptions {
    // Option: `{ escapeFormulae: undefined }` is false, as a missing key is.
    pub(super) escape_formulae: Option<bool>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct TimedReport<'a> {
    #[serde(flatten)]
    pub(super) report: &'a FineTuneReport,
    pub(super) millis: f64,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct ExplainedToken<'a> {
    pub(super) text: &'a str,
    pub(super) start: usize,
    pub(super) end: usize,
    pub(super) weight: f32,
    pub(super) log_odds: f32,
}

#[derive(Serialize)]
pub(super) struct Explanation<'a> {
    #[serde(flatten)]
    pub(super) prediction: &'a Prediction,
    pub(super) tokens: Vec<ExplainedToken<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct ParsedExamples<'a> {
    pub(super) rows: Vec<LabelledRow<'a>>,
    pub(super) errors: &'a [String],
    pub(super) unknown_labels: &'a [String],
    pub(super) numbered: usize,
}

#[derive(Serialize)]
pub(super) struct LabelledRow<'a> {
    pub(super) text: &'a str,
    pub(super) label: &'a str,
}

/// Label names given by JavaScript to `what`, checked by `check` ([`finetune::check_new_labels`]
/// for a new classifier's). Each must be whole UTF-16: a lone surrogate would be read as U+FFFD,
/// and the label would not be the one given.
pub(super) fn labels_arg(
    what: &str,
    value: &JsValue,
    check: fn(&[String]) -> Result<(), crate::Error>,
) -> Result<Vec<String>, js_sys::Error> {
    let expects = "an array of label names";
    let count = array_length(what, expects, value)?;
    // The count first: a million names are not read one by one to be refused.
    finetune::check_label_count(count).map_err(js_error)?;
    let labels = array_items(what, expects, value, |i, item| {
        let Some(s) = item.dyn_ref::<js_sys::JsString>() else {
            return Err(type_error(
                &format!("{what}: label {} must be a string", i + 1),
                &item,
            ));
        };
        // Each refusal names the label by its place, last, as `check_labels` does: a page
        // points at its field by it.
        refuse_huge_label(s).map_err(|e| match e {
            crate::Error::InvalidInput(m) => {
                js_error(crate::Error::InvalidInput(format!("{m} (label {})", i + 1)))
            }
            e => js_error(e),
        })?;
        if !s.is_valid_utf16() {
            return Err(js_sys::TypeError::new(&format!(
                "{what}: a label holds half of a UTF-16 surrogate pair (label {})",
                i + 1
            ))
            .into());
        }
        Ok(String::from(s))
    })?;
    check(&labels).map_err(js_error)?;
    Ok(labels)
}
