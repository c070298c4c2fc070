//! The model as one self-contained ONNX file, and back.
//!
//! The graph takes `ids` (int64, `batch x length`, 0 = padding) and gives `score` (float,
//! `batch x 1`) = P(first label) for a two-label model, or `probabilities` (float,
//! `batch x labels`, a softmax) for one with more labels. The embedding is an int8 initializer with one float scale per
//! row (`f16`), gathered before it is dequantized so it stays int8 in memory. The vocabulary, bucket counts,
//! labels and tokenizer version travel in `metadata_props`, so the file is the whole model.
//!
//! A checksum of the weights and metadata (`polarity.checksum`, 64-bit FNV-1a) is written with them, and
//! a file whose checksum does not match is refused as damaged; files written before it existed
//! load without one ([`has_checksum`]). Every size the file declares is checked against
//! [`crate::limits`] with checked arithmetic before anything is allocated.
//!
//! Only standard opset-13 operators are used, so onnxruntime and `onnx.checker` accept the file as
//! well as tract does. Protobuf types come from `tract_onnx::pb`, encoded with prost.

use prost::Message;
use tract_onnx::pb::{
    attribute_proto::AttributeType, tensor_proto::DataType, tensor_shape_proto::dimension,
    tensor_shape_proto::Dimension, type_proto, AttributeProto, GraphProto, ModelProto, NodeProto,
    OperatorSetIdProto, StringStringEntryProto, TensorProto, TensorShapeProto, TypeProto,
    ValueInfoProto,
};

use crate::finetune::check_labels;
use crate::limits;
use crate::model::{outputs, Model, HIDDEN};
use crate::quantize::{dequantize_rows, QuantizedTable};
use crate::scope::Features;
use crate::vocab::{fnv_step, Scheme, Vocabulary, FNV_OFFSET};
use crate::Error;

/// Name of the graph input: token ids, `batch x length`, int64.
pub const INPUT: &str = "ids";
/// Name of the graph output of a two-label model: P(first label), `batch x 1`, float.
pub const OUTPUT: &str = "score";
/// Name of the graph output of a model with more labels: each label's probability,
/// `batch x labels`, float.
pub const OUTPUT_PROBABILITIES: &str = "probabilities";
/// The tokenizer and id layout new models are made with; files naming [`TOKENIZER_V1`] load and
/// score exactly as before, a file naming any other cannot be used.
pub const TOKENIZER: &str = "polarity-2";
/// The first tokenizer and id layout (frozen, see tests/reference/polarity1.rs).
pub const TOKENIZER_V1: &str = "polarity-1";
const OPSET: i64 = 13;

mod key {
    pub const TOKENIZER: &str = "polarity.tokenizer";
    pub const LABELS: &str = "polarity.labels";
    pub const VOCABULARY: &str = "polarity.vocabulary";
    pub const OOV_BUCKETS: &str = "polarity.oov_buckets";
    pub const BIGRAM_BUCKETS: &str = "polarity.bigram_buckets";
    /// Kept bigram buckets as ascending gaps (first bucket, then differences), one per line.
    pub const BIGRAM_KEPT: &str = "polarity.bigram_kept";
    /// Polarity-2 only: the scopes that get ids of their own ("negation contrast").
    pub const SCOPES: &str = "polarity.scopes";
    /// `fnv1a64:` and 16 hex digits: [`super::checksum`] of the file's weights and other metadata.
    pub const CHECKSUM: &str = "polarity.checksum";
    pub const ALL: [&str; 8] = [
        TOKENIZER,
        SCOPES,
        LABELS,
        VOCABULARY,
        OOV_BUCKETS,
        BIGRAM_BUCKETS,
        BIGRAM_KEPT,
        CHECKSUM,
    ];
}

/// A 64-bit FNV-1a hash (the vocabulary's: no code of its own in the wasm) of what a model is made
/// of: every initializer (name, type, dims, bytes) and every
/// metadata entry but the checksum itself, each list in name order. The graph's nodes are left
/// out: [`crate::engine`] rebuilds the graph from the weights, whatever the file's nodes say.
pub fn checksum(proto: &ModelProto) -> String {
    struct Fnv(u64);
    impl Fnv {
        fn update(&mut self, bytes: &[u8]) {
            self.0 = bytes.iter().fold(self.0, |h, &b| fnv_step(h, b));
        }
    }
    let mut sum = Fnv(FNV_OFFSET);
    if let Some(graph) = &proto.graph {
        let mut tensors: Vec<&TensorProto> = graph.initializer.iter().collect();
        tensors.sort_by(|a, b| a.name.cmp(&b.name));
        for t in tensors {
            sum.update(t.name.as_bytes());
            sum.update(&[0]);
            sum.update(&t.data_type.to_le_bytes());
            sum.update(&(t.dims.len() as u64).to_le_bytes());
            t.dims.iter().for_each(|d| sum.update(&d.to_le_bytes()));
            sum.update(&(t.raw_data.len() as u64).to_le_bytes());
            sum.update(&t.raw_data);
        }
    }
    let mut entries: Vec<&StringStringEntryProto> = proto
        .metadata_props
        .iter()
        .filter(|p| p.key != key::CHECKSUM)
        .collect();
    entries.sort_by(|a, b| a.key.cmp(&b.key));
    for p in entries {
        sum.update(p.key.as_bytes());
        sum.update(&[0]);
        sum.update(&(p.value.len() as u64).to_le_bytes());
        sum.update(p.value.as_bytes());
    }
    format!("fnv1a64:{:016x}", sum.0)
}

/// Whether a file carries a checksum (files written before polarity had one do not).
pub fn has_checksum(proto: &ModelProto) -> bool {
    proto.metadata_props.iter().any(|p| p.key == key::CHECKSUM)
}

/// Encodes `model` (its table quantized to int8) as ONNX bytes.
pub fn export(model: &Model) -> Vec<u8> {
    to_proto(model).encode_to_vec()
}

/// The ONNX protobuf of `model`; [`crate::engine`] builds the same graph in tract-core.
pub fn to_proto(model: &Model) -> ModelProto {
    let table = model.quantized_embedding();
    let (rows, dim) = (table.rows as i64, table.dim as i64);
    let h = HIDDEN as i64;
    let k = model.outputs() as i64;
    let initializer = vec![
        tensor(
            "embedding",
            &[rows, dim],
            DataType::Int8,
            table.values.iter().map(|&v| v as u8).collect(),
        ),
        tensor("scales", &[rows], DataType::Float16, table.scale_bytes()),
        tensor("w1", &[dim, h], DataType::Float, f32_bytes(&model.w1)),
        tensor("b1", &[h], DataType::Float, f32_bytes(&model.b1)),
        tensor("w2", &[h, k], DataType::Float, f32_bytes(&model.w2)),
        tensor("b2", &[k], DataType::Float, f32_bytes(&model.b2)),
        tensor("pad", &[], DataType::Int64, 0i64.to_le_bytes().to_vec()),
        tensor("one", &[], DataType::Float, f32_bytes(&[1.0])),
        tensor("axis1", &[1], DataType::Int64, 1i64.to_le_bytes().to_vec()),
        tensor("axis2", &[1], DataType::Int64, 2i64.to_le_bytes().to_vec()),
    ];
    let float = DataType::Float as i64;
    let (output, last) = if k == 1 {
        (OUTPUT, op("Sigmoid", &["logit"], OUTPUT, vec![]))
    } else {
        let softmax = op(
            "Softmax",
            &["logit"],
            OUTPUT_PROBABILITIES,
            vec![int_attr("axis", -1)],
        );
        (OUTPUT_PROBABILITIES, softmax)
    };
    let mut node = vec![
        // The bag: int8 rows gathered, then scaled by their row's scale.
        op(
            "Gather",
            &["embedding", INPUT],
            "rows_q",
            vec![int_attr("axis", 0)],
        ),
        op("Cast", &["rows_q"], "rows_i", vec![int_attr("to", float)]),
        op(
            "Gather",
            &["scales", INPUT],
            "row_scales_f16",
            vec![int_attr("axis", 0)],
        ),
        op(
            "Cast",
            &["row_scales_f16"],
            "row_scales",
            vec![int_attr("to", float)],
        ),
        op("Unsqueeze", &["row_scales", "axis2"], "row_scales3", vec![]),
        op("Mul", &["rows_i", "row_scales3"], "rows", vec![]),
        op(
            "ReduceSum",
            &["rows", "axis1"],
            "sum",
            vec![int_attr("keepdims", 0)],
        ),
        // The sqrt-n combiner: n counts the non-padding ids, at least 1.
        op("Equal", &[INPUT, "pad"], "is_pad", vec![]),
        op("Not", &["is_pad"], "is_token", vec![]),
        op(
            "Cast",
            &["is_token"],
            "token_mask",
            vec![int_attr("to", float)],
        ),
        op(
            "ReduceSum",
            &["token_mask", "axis1"],
            "count",
            vec![int_attr("keepdims", 1)],
        ),
        op("Max", &["count", "one"], "count1", vec![]),
        op("Sqrt", &["count1"], "norm", vec![]),
        op("Div", &["sum", "norm"], "bag", vec![]),
        // The head.
        op("MatMul", &["bag", "w1"], "z1", vec![]),
        op("Add", &["z1", "b1"], "a1", vec![]),
        op("Relu", &["a1"], "hidden", vec![]),
        op("MatMul", &["hidden", "w2"], "z2", vec![]),
        op("Add", &["z2", "b2"], "logit", vec![]),
    ];
    node.push(last);
    let width = k.to_string();
    let graph = GraphProto {
        name: "polarity".into(),
        node,
        initializer,
        input: vec![value_info(INPUT, DataType::Int64, &["batch", "length"])],
        output: vec![value_info(output, DataType::Float, &["batch", &width])],
        ..Default::default()
    };
    let vocab = &model.vocab;
    let mut metadata = vec![
        (key::TOKENIZER, vocab.scheme().name().to_string()),
        (key::LABELS, model.labels.join("\n")),
        (key::OOV_BUCKETS, vocab.oov_buckets().to_string()),
        (key::BIGRAM_BUCKETS, vocab.bigram_buckets().to_string()),
        (key::VOCABULARY, vocab.word_lines().to_string()),
    ];
    if let Scheme::V2(features) = vocab.scheme() {
        metadata.push((key::SCOPES, features.names()));
    }
    if let Some(kept) = vocab.kept_bigrams() {
        let mut previous = 0;
        let gaps: Vec<String> = kept
            .iter()
            .map(|&b| {
                let gap = b - previous;
                previous = b;
                gap.to_string()
            })
            .collect();
        metadata.push((key::BIGRAM_KEPT, gaps.join("\n")));
    }
    let mut proto = ModelProto {
        ir_version: 8,
        opset_import: vec![OperatorSetIdProto {
            domain: String::new(),
            version: OPSET,
        }],
        producer_name: "polarity".into(),
        producer_version: env!("CARGO_PKG_VERSION").into(),
        doc_string: if k == 1 {
            format!(
                "Binary text classifier: P({}) from token ids. Tokenize with polarity ({}).",
                model.labels[0],
                vocab.scheme().name()
            )
        } else {
            format!(
                "Text classifier: P(label) for {} labels from token ids. Tokenize with polarity ({}).",
                k,
                vocab.scheme().name()
            )
        },
        graph: Some(graph),
        metadata_props: metadata
            .into_iter()
            .map(|(key, value)| StringStringEntryProto {
                key: key.into(),
                value,
            })
            .collect(),
        ..Default::default()
    };
    let sum = checksum(&proto);
    proto.metadata_props.push(StringStringEntryProto {
        key: key::CHECKSUM.into(),
        value: sum,
    });
    proto
}

/// Decodes ONNX bytes written by [`export`] into a model (its table dequantized to `f32`).
pub fn import(bytes: &[u8]) -> Result<(Model, ModelProto), Error> {
    let proto = ModelProto::decode(bytes).map_err(Error::Undecodable)?;
    let model = from_proto(&proto)?;
    Ok((model, proto))
}

fn from_proto(proto: &ModelProto) -> Result<Model, Error> {
    // Unknown keys are refused, so that damage to a key's name (the checksum's above all) cannot
    // pass for a file written without it.
    if let Some(p) = proto
        .metadata_props
        .iter()
        .find(|p| !key::ALL.contains(&p.key.as_str()))
    {
        let name: String = p.key.chars().take(40).collect();
        return Err(Error::NotAModel(format!("unknown metadata {name:?}")));
    }
    if let Some(stored) = proto.metadata_props.iter().find(|p| p.key == key::CHECKSUM) {
        let computed = checksum(proto);
        if stored.value != computed {
            return Err(Error::Damaged(format!(
                "its checksum does not match its contents ({} stored, {computed} computed)",
                stored.value.chars().take(24).collect::<String>()
            )));
        }
    }
    let meta = |k: &str| {
        proto
            .metadata_props
            .iter()
            .find(|p| p.key == k)
            .map(|p| p.value.as_str())
            .ok_or_else(|| Error::NotAModel(format!("the ONNX file has no {k:?} metadata")))
    };
    let tokenizer = meta(key::TOKENIZER)?;
    let scheme = match tokenizer {
        TOKENIZER_V1 => Scheme::V1,
        TOKENIZER => Scheme::V2(
            Features::from_names(meta(key::SCOPES).unwrap_or(""))
                .map_err(|e| Error::NotAModel(format!("metadata {:?}: {e}", key::SCOPES)))?,
        ),
        _ => {
            return Err(Error::NotAModel(format!(
                "the model needs tokenizer {tokenizer:?}; this build reads {TOKENIZER_V1:?} and {TOKENIZER:?}"
            )))
        }
    };
    let labels: Vec<String> = meta(key::LABELS)?.split('\n').map(String::from).collect();
    if let Err(e) = check_labels(&labels) {
        return Err(Error::NotAModel(format!("its labels: {e}")));
    }
    let k = outputs(labels.len());
    let number = |k: &str| {
        meta(k)?
            .parse::<u32>()
            .map_err(|_| Error::NotAModel(format!("metadata {k:?} is not a number")))
    };
    let words = meta(key::VOCABULARY)?;
    if words.len() > limits::MAX_VOCABULARY_BYTES {
        return Err(Error::TooLarge(format!(
            "the vocabulary is {} bytes; polarity reads at most {}",
            words.len(),
            limits::MAX_VOCABULARY_BYTES
        )));
    }
    let mut vocab = Vocabulary::from_lines(
        words.to_string(),
        number(key::OOV_BUCKETS)?,
        number(key::BIGRAM_BUCKETS)?,
    )?;
    if let Some(p) = proto
        .metadata_props
        .iter()
        .find(|p| p.key == key::BIGRAM_KEPT)
    {
        let mut bucket = 0u32;
        let mut kept = Vec::new();
        for gap in p.value.split('\n').filter(|g| !g.is_empty()) {
            let gap: u32 = gap
                .parse()
                .map_err(|_| Error::NotAModel("kept bigram buckets are not numbers".into()))?;
            bucket = bucket
                .checked_add(gap)
                .ok_or_else(|| Error::NotAModel("kept bigram buckets overflow".into()))?;
            kept.push(bucket);
        }
        vocab = vocab.with_kept_bigrams(kept)?;
    }
    let vocab = vocab.with_scheme(scheme);
    let graph = proto
        .graph
        .as_ref()
        .ok_or_else(|| Error::NotAModel("the ONNX file has no graph".into()))?;
    let init = |name: &str| {
        graph
            .initializer
            .iter()
            .find(|t| t.name == name)
            .ok_or_else(|| Error::NotAModel(format!("the graph has no {name:?} initializer")))
    };
    let table = init("embedding")?;
    let (rows, dim) = match table.dims[..] {
        [r, d] if r > 0 && d > 0 => (
            usize::try_from(r).unwrap_or(usize::MAX),
            usize::try_from(d).unwrap_or(usize::MAX),
        ),
        _ => return Err(Error::NotAModel("the embedding is not a 2-d table".into())),
    };
    if rows > limits::MAX_TABLE_ROWS || dim > limits::MAX_DIMENSIONS {
        return Err(Error::TooLarge(format!(
            "the embedding declares {rows} x {dim} values; polarity reads at most {} rows of {} \
             dimensions",
            limits::MAX_TABLE_ROWS,
            limits::MAX_DIMENSIONS
        )));
    }
    let cells = rows
        .checked_mul(dim)
        .filter(|&n| n <= limits::MAX_TABLE_VALUES)
        .ok_or_else(|| {
            Error::TooLarge(format!(
                "the embedding declares {rows} x {dim} values; polarity reads at most {}",
                limits::MAX_TABLE_VALUES
            ))
        })?;
    if rows != vocab.rows() {
        return Err(Error::NotAModel(format!(
            "the embedding has {rows} rows but the vocabulary needs {}",
            vocab.rows()
        )));
    }
    let values = bytes_of(table, DataType::Int8, cells)?;
    let scales =
        QuantizedTable::scales_from_bytes(bytes_of(init("scales")?, DataType::Float16, rows)?);
    if scales.iter().any(|s| !s.is_finite() || *s < 0.0) {
        return Err(Error::NotAModel(
            "the embedding scales must be finite and non-negative".into(),
        ));
    }
    Ok(Model {
        vocab,
        labels,
        dim,
        // Straight from the file's bytes: no intermediate int8 table to build and drop.
        embedding: dequantize_rows(values, &scales, dim, |b| b as i8),
        w1: floats(init("w1")?, dim * HIDDEN)?,
        b1: floats(init("b1")?, HIDDEN)?,
        w2: floats(init("w2")?, HIDDEN * k)?,
        b2: floats(init("b2")?, k)?,
    })
}

fn bytes_of(t: &TensorProto, ty: DataType, len: usize) -> Result<&[u8], Error> {
    let width = match ty {
        DataType::Float => 4,
        DataType::Float16 => 2,
        _ => 1,
    };
    if t.data_type != ty as i32 || Some(t.raw_data.len()) != len.checked_mul(width) {
        return Err(Error::NotAModel(format!(
            "initializer {:?} should hold {len} values of {ty:?} as raw data",
            t.name
        )));
    }
    Ok(&t.raw_data)
}

fn floats(t: &TensorProto, len: usize) -> Result<Vec<f32>, Error> {
    let values: Vec<f32> = bytes_of(t, DataType::Float, len)?
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect();
    if values.iter().any(|x| !x.is_finite()) {
        return Err(Error::NotAModel(format!(
            "initializer {:?} holds NaN or infinity",
            t.name
        )));
    }
    Ok(values)
}

fn f32_bytes(values: &[f32]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_le_bytes()).collect()
}

fn tensor(name: &str, dims: &[i64], ty: DataType, raw_data: Vec<u8>) -> TensorProto {
    TensorProto {
        name: name.into(),
        dims: dims.to_vec(),
        data_type: ty as i32,
        raw_data,
        ..Default::default()
    }
}

fn op(op_type: &str, inputs: &[&str], output: &str, attribute: Vec<AttributeProto>) -> NodeProto {
    NodeProto {
        name: output.into(),
        op_type: op_type.into(),
        input: inputs.iter().map(|s| s.to_string()).collect(),
        output: vec![output.into()],
        attribute,
        ..Default::default()
    }
}

fn int_attr(name: &str, i: i64) -> AttributeProto {
    AttributeProto {
        name: name.into(),
        r#type: AttributeType::Int as i32,
        i,
        ..Default::default()
    }
}

fn value_info(name: &str, ty: DataType, dims: &[&str]) -> ValueInfoProto {
    let dim = dims
        .iter()
        .map(|d| Dimension {
            value: Some(match d.parse::<i64>() {
                Ok(n) => dimension::Value::DimValue(n),
                Err(_) => dimension::Value::DimParam(d.to_string()),
            }),
            ..Default::default()
        })
        .collect();
    ValueInfoProto {
        name: name.into(),
        r#type: Some(TypeProto {
            value: Some(type_proto::Value::TensorType(type_proto::Tensor {
                elem_type: ty as i32,
                shape: Some(TensorShapeProto { dim }),
            })),
            ..Default::default()
        }),
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::tests::tiny_model;

    #[test]
    fn export_then_import_gives_the_quantized_model() {
        let model = tiny_model(5);
        let (back, _) = import(&export(&model)).unwrap();
        assert_eq!(back, model.round_trip_quantization());
    }

    #[test]
    fn a_three_label_model_round_trips() {
        let model = crate::model::tests::tiny_model3(9);
        let (back, proto) = import(&export(&model)).unwrap();
        assert_eq!(back, model.round_trip_quantization());
        assert_eq!(back.labels(), ["good", "bad", "meh"]);
        let graph = proto.graph.unwrap();
        assert_eq!(graph.output[0].name, OUTPUT_PROBABILITIES);
        assert_eq!(graph.node.last().unwrap().op_type, "Softmax");
    }

    #[test]
    fn pruned_bigrams_survive_the_round_trip() {
        let model = tiny_model(8).prune_bigrams(5).unwrap();
        let (back, _) = import(&export(&model)).unwrap();
        assert_eq!(back, model.round_trip_quantization());
        assert_eq!(back.vocab.kept_bigrams().map(<[u32]>::len), Some(5));
    }

    #[test]
    fn garbage_and_truncated_bytes_are_errors() {
        let bytes = export(&tiny_model(6));
        for bad in [
            &b""[..],
            b"hello, world",
            &bytes[..bytes.len() / 2],
            &bytes[..bytes.len() - 1],
        ] {
            let err = import(bad).unwrap_err();
            assert!(!err.to_string().is_empty());
        }
        let mut flipped = bytes.clone();
        for b in flipped.iter_mut().step_by(97) {
            *b ^= 0xa5;
        }
        let _ = import(&flipped); // an error or a model: never a panic
    }

    #[test]
    fn foreign_onnx_is_refused_with_a_reason() {
        let mut proto = to_proto(&tiny_model(7));
        // A foreign file has neither the vocabulary nor a checksum.
        proto
            .metadata_props
            .retain(|p| p.key != key::VOCABULARY && p.key != key::CHECKSUM);
        let err = import(&proto.encode_to_vec()).unwrap_err().to_string();
        assert!(err.contains("polarity.vocabulary"), "{err}");
    }
}
