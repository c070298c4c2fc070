//! A look at a model file's protobuf fields before it is decoded. The decoder (prost) makes a
//! value of every field it knows, and a field can be two bytes: a 10 MB file of empty
//! initializers took 1.5 GB and 5 s to decode, before any of polarity's checks ran. This walk
//! counts the fields of every message the decoder would build (it knows ONNX's message fields,
//! as tract's `pb` module declares them), without building any, and refuses a file with more
//! than a polarity model ever holds.

use crate::limits;
use crate::Error;

/// The ONNX messages the decoder builds, as far as their fields hold other messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Message {
    Model,
    Graph,
    Node,
    Attribute,
    Tensor,
    Sparse,
    ValueInfo,
    Type,
    TypeTensor,
    Shape,
    Annotation,
    Training,
    Function,
    /// No field holds a message (key-value entries, opset ids, dimensions, segments).
    Leaf,
}

impl Message {
    /// The message field `field` of this message holds, if it holds one.
    fn child(self, field: u64) -> Option<Message> {
        use Message::*;
        Some(match (self, field) {
            (Model, 7) => Graph,
            (Model, 8 | 14) => Leaf,
            (Model, 20) => Training,
            (Model, 25) => Function,
            (Graph, 1) => Node,
            (Graph, 5) => Tensor,
            (Graph, 15) => Sparse,
            (Graph, 11..=13) => ValueInfo,
            (Graph, 14) => Annotation,
            (Node, 5) => Attribute,
            (Attribute, 5 | 10) => Tensor,
            (Attribute, 6 | 11) => Graph,
            (Attribute, 22 | 23) => Sparse,
            (Attribute, 15) => Type,
            (Tensor, 3 | 13) => Leaf,
            (Sparse, 1 | 2) => Tensor,
            (ValueInfo, 2) => Type,
            (Type, 1) => TypeTensor,
            (TypeTensor, 2) => Shape,
            (Shape, 1) => Leaf,
            (Annotation, 2) => Leaf,
            (Training, 1 | 2) => Graph,
            (Training, 3 | 4) => Leaf,
            (Function, 7) => Node,
            (Function, 9) => Leaf,
            _ => return None,
        })
    }

    /// Whether `field` holds packed varints, which the decoder widens to 8 bytes each.
    fn packed_varints(self, field: u64) -> bool {
        matches!(
            (self, field),
            (Message::Tensor, 1 | 5 | 7 | 11) | (Message::Attribute, 8) | (Message::Sparse, 3)
        )
    }
}

/// Refuses a model file of `len` bytes past [`limits::MAX_MODEL_BYTES`] (the facade asks before
/// it copies a file into the module's memory).
pub fn check_size(len: usize) -> Result<(), Error> {
    if len > limits::MAX_MODEL_BYTES {
        return Err(Error::TooLarge(format!(
            "the file is {len} bytes; polarity reads models of at most {}",
            limits::MAX_MODEL_BYTES
        )));
    }
    Ok(())
}

/// Refuses `bytes` when they are larger than a model polarity reads, nest deeper than
/// [`limits::MAX_MODEL_DEPTH`], or hold more than [`limits::MAX_MODEL_FIELDS`] fields (packed varints count one
/// a byte). Bytes that are not protobuf at all are left to the decoder, which says so.
pub fn check(bytes: &[u8]) -> Result<(), Error> {
    check_size(bytes.len())?;
    if let Some(kind) = other_kind(bytes) {
        return Err(Error::NotAModel(format!(
            "the file is {kind}, not an ONNX file"
        )));
    }
    let mut fields = 0usize;
    match walk(bytes, Message::Model, 0, &mut fields) {
        Err(Refused::TooMany) => Err(Error::TooLarge(format!(
            "the file holds more than {} protobuf fields; a polarity model holds a few hundred",
            limits::MAX_MODEL_FIELDS
        ))),
        Err(Refused::TooDeep) => Err(Error::NotAModel(format!(
            "its messages nest more than {} deep",
            limits::MAX_MODEL_DEPTH
        ))),
        // The decoder skips a group it does not know and reads on: the count must not stop there.
        Err(Refused::Group) => Err(Error::NotAModel(
            "it holds a protobuf group, which no ONNX file does".into(),
        )),
        // Not protobuf: the decoder gives its own error.
        Err(Refused::Malformed) | Ok(()) => Ok(()),
    }
}

/// What a file given for a model often is instead, by its first bytes: none of them can start an
/// ONNX file (each would be a group or no field at all), and each has its own remedy. A host
/// that answers a missing file with a page gave "it holds a protobuf group".
fn other_kind(bytes: &[u8]) -> Option<&'static str> {
    let text = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let text = &text[text.iter().take_while(|b| b.is_ascii_whitespace()).count()..];
    Some(match bytes {
        [] => "empty",
        [0x1f, 0x8b, ..] => "gzip-compressed (decompress it first)",
        [b'P', b'K', 3, 4, ..] => "a zip archive (the model is the .onnx file inside)",
        [0, b'a', b's', b'm', ..] => "a WebAssembly module",
        _ => match text.first() {
            // A page or XML: an address that was wrong, answered with an error page.
            Some(b'<') => "a web page or XML (was the address right?)",
            Some(b'{' | b'[') => "JSON",
            _ => return None,
        },
    })
}

enum Refused {
    TooMany,
    TooDeep,
    /// Wire types 3 and 4 (a group's start and end): ONNX has none.
    Group,
    /// What the decoder refuses too (a varint or a field cut short, wire types 6 and 7).
    Malformed,
}

fn walk(
    mut bytes: &[u8],
    message: Message,
    depth: usize,
    fields: &mut usize,
) -> Result<(), Refused> {
    if depth > limits::MAX_MODEL_DEPTH {
        return Err(Refused::TooDeep);
    }
    while !bytes.is_empty() {
        let tag = varint(&mut bytes)?;
        let (field, wire_type) = (tag >> 3, tag & 7);
        *fields += 1;
        match wire_type {
            0 => {
                varint(&mut bytes)?;
            }
            1 => bytes = bytes.get(8..).ok_or(Refused::Malformed)?,
            5 => bytes = bytes.get(4..).ok_or(Refused::Malformed)?,
            2 => {
                let len = usize::try_from(varint(&mut bytes)?).map_err(|_| Refused::Malformed)?;
                let payload = bytes.get(..len).ok_or(Refused::Malformed)?;
                bytes = &bytes[len..];
                if let Some(child) = message.child(field) {
                    walk(payload, child, depth + 1, fields)?;
                } else if message.packed_varints(field) {
                    *fields += payload.len();
                }
            }
            3 | 4 => return Err(Refused::Group),
            _ => return Err(Refused::Malformed),
        }
        if *fields > limits::MAX_MODEL_FIELDS {
            return Err(Refused::TooMany);
        }
    }
    Ok(())
}

fn varint(bytes: &mut &[u8]) -> Result<u64, Refused> {
    let mut value = 0u64;
    for (i, &b) in bytes.iter().enumerate().take(10) {
        value |= u64::from(b & 0x7f) << (7 * i);
        if b & 0x80 == 0 {
            *bytes = &bytes[i + 1..];
            return Ok(value);
        }
    }
    Err(Refused::Malformed)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `field` as a length-delimited field holding `payload`.
    fn delimited(field: u8, payload: &[u8]) -> Vec<u8> {
        let mut out = vec![field << 3 | 2];
        let mut len = payload.len();
        loop {
            let byte = (len & 0x7f) as u8;
            len >>= 7;
            if len == 0 {
                out.push(byte);
                break;
            }
            out.push(byte | 0x80);
        }
        out.extend_from_slice(payload);
        out
    }

    #[test]
    fn the_shipped_models_hold_few_fields() {
        for bytes in [
            crate::BUNDLED_MODEL,
            &include_bytes!("../model/pretrained.onnx")[..],
            &include_bytes!("../tests/fixtures/polarity-1.onnx")[..],
        ] {
            let mut fields = 0;
            assert!(walk(bytes, Message::Model, 0, &mut fields).is_ok());
            assert!(fields < limits::MAX_MODEL_FIELDS / 10, "{fields}");
            check(bytes).unwrap();
        }
    }

    #[test]
    fn many_tiny_messages_are_refused_before_decoding() {
        // A graph of a million empty initializers (two bytes each): 1.5 GB to decode before.
        let graph: Vec<u8> = [0x2a, 0x00].repeat(1 << 20);
        let file = delimited(7, &graph);
        let err = check(&file).unwrap_err();
        assert!(err.to_string().contains("protobuf fields"), "{err}");
        // Packed dims count one a byte.
        let tensor = delimited(1, &[1u8; 100_000]);
        let file = delimited(7, &delimited(5, &tensor));
        assert!(check(&file).is_err());
        // Graphs inside attributes inside nodes inside graphs...
        let mut nested = Vec::new();
        for _ in 0..20 {
            nested = delimited(1, &delimited(5, &delimited(6, &nested)));
        }
        let err = check(&delimited(7, &nested)).unwrap_err();
        assert!(err.to_string().contains("nest"), "{err}");
        // Not protobuf: left to the decoder.
        assert!(check(&[0xff; 4]).is_ok());
        // An empty group (field 99) first, which the decoder skips: the count went no further.
        let mut file = vec![0x9b, 0x06, 0x9c, 0x06];
        file.extend(delimited(7, &graph));
        let err = check(&file).unwrap_err();
        assert!(err.to_string().contains("protobuf group"), "{err}");
    }

    #[test]
    fn files_that_are_something_else_are_named() {
        let kind = |bytes: &[u8]| check(bytes).unwrap_err().to_string();
        let page = b"\xef\xbb\xbf\n  <!DOCTYPE html><html><body>Not found</body></html>";
        assert_eq!(
            kind(page),
            "not a valid polarity model: the file is a web page or XML (was the address right?), \
             not an ONNX file"
        );
        assert!(kind(b"").contains("the file is empty"));
        assert!(kind(b"{\"error\": 404}").contains("is JSON"));
        assert!(kind(&[0x1f, 0x8b, 8, 0]).contains("gzip-compressed"));
        assert!(kind(b"PK\x03\x04rest").contains("zip archive"));
        assert!(kind(b"\0asm\x01\0\0\0").contains("WebAssembly"));
        // polarity's own files start otherwise.
        for bytes in [
            crate::BUNDLED_MODEL,
            &include_bytes!("../model/pretrained.onnx")[..],
        ] {
            assert_eq!(other_kind(bytes), None);
        }
    }
}
