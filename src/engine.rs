//! The model's graph, built from its weights with tract-core operators, optimized once, then run on
//! batches of token ids.
//!
//! The graph is the one [`crate::onnx::to_proto`] writes to the ONNX file, operator for operator,
//! but wired directly in tract-core: going through `tract_onnx::onnx()` would link its whole
//! operator registry and inference layer into the wasm (most of its code) only to parse a graph
//! this crate has just written. A test holds the two equal.

use tract_onnx::tract_core::internal::*;
use tract_onnx::tract_core::ops::array::Gather;
use tract_onnx::tract_core::ops::binary::TypedBinOp;
use tract_onnx::tract_core::ops::cast::cast;
use tract_onnx::tract_core::ops::einsum::EinSum;
use tract_onnx::tract_core::ops::logic::comp_ne;
use tract_onnx::tract_core::ops::math;
use tract_onnx::tract_core::ops::nn::{sigmoid, Reduce, Reducer};

use crate::model::{Model, HIDDEN};
use crate::Error;

/// An optimized tract plan for a polarity model.
#[derive(Debug)]
pub struct Engine {
    plan: Arc<TypedRunnableModel>,
}

impl Engine {
    /// Builds, types and optimizes the graph of `model` (its table quantized to int8, as it
    /// ships). Errors (never panics) if tract refuses it.
    pub fn new(model: &Model) -> Result<Self, Error> {
        let plan = graph(model)
            .and_then(|m| m.into_optimized())
            .and_then(|m| m.into_runnable())
            .map_err(|e| Error::Engine(format!("building the graph: {e:#}")))?;
        Ok(Engine { plan })
    }

    /// Scores texts given as id lists (one per text), padding them to a common length.
    pub fn score_batch(&self, batch: &[Vec<u32>]) -> Result<Vec<f32>, Error> {
        run(&self.plan, batch)
    }
}

/// Runs a plan of the polarity graph on id lists (one per text), padded to a common length.
fn run(plan: &Arc<TypedRunnableModel>, batch: &[Vec<u32>]) -> Result<Vec<f32>, Error> {
    if batch.is_empty() {
        return Ok(Vec::new());
    }
    // A zero-length axis is legal ONNX but needlessly odd for every engine: pad to 1.
    let length = batch.iter().map(Vec::len).max().unwrap_or(0).max(1);
    let mut ids = vec![0i64; batch.len() * length];
    for (row, text) in ids.chunks_exact_mut(length).zip(batch) {
        row.iter_mut()
            .zip(text)
            .for_each(|(slot, &id)| *slot = id as i64);
    }
    let input = Tensor::from_shape(&[batch.len(), length], &ids)
        .map_err(|e| Error::Engine(format!("{e:#}")))?;
    let outputs = plan
        .run(tvec!(input.into_tvalue()))
        .map_err(|e| Error::Engine(format!("{e:#}")))?;
    let scores = outputs
        .first()
        .ok_or_else(|| Error::Engine("the graph gave no output".into()))?
        .try_as_plain_ram()
        .and_then(|view| view.as_slice::<f32>().map(<[f32]>::to_vec))
        .map_err(|e| Error::Engine(format!("{e:#}")))?;
    // Callers index the scores by text: one each, or an error.
    if scores.len() != batch.len() {
        return Err(Error::Engine(format!(
            "the graph gave {} scores for {} texts",
            scores.len(),
            batch.len()
        )));
    }
    Ok(scores)
}

/// The graph of [`crate::onnx::to_proto`], in tract-core operators: `ids` (int64, `B x L`, 0 =
/// padding) to `score` (float, `B x 1`). `B` and `L` are symbols, so one plan serves every batch.
fn graph(model: &Model) -> TractResult<TypedModel> {
    let table = model.quantized_embedding();
    let (rows, dim) = (table.rows, table.dim);
    let mut g = TypedModel::default();
    let (b, l) = (g.sym("B"), g.sym("L"));
    let ids = g.add_source("ids", i64::fact([b.to_dim(), l.to_dim()]))?;
    let embedding = g.add_const(
        "embedding",
        tensor1(&table.values).into_shape(&[rows, dim])?,
    )?;
    // The file stores the scales as f16; they are f16 values, so f32 holds them exactly and the
    // graph saves the cast.
    let scales = g.add_const("scales", tensor1(&table.scales))?;
    let w1 = g.add_const("w1", tensor1(&model.w1).into_shape(&[dim, HIDDEN])?)?;
    let b1 = g.add_const("b1", tensor1(&model.b1).into_shape(&[1, HIDDEN])?)?;
    let w2 = g.add_const("w2", tensor1(&model.w2).into_shape(&[HIDDEN, 1])?)?;
    let b2 = g.add_const("b2", tensor2(&[[model.b2]]))?;
    let pad = g.add_const("pad", tensor2(&[[0i64]]))?;
    let one = g.add_const("one", tensor2(&[[1f32]]))?;
    let zero = g.add_const("zero", tensor2(&[[0f32]]))?;

    // The bag: int8 rows gathered, then scaled by their row's scale.
    let rows_q = g.wire_node("rows_q", Gather::new(0), &[embedding, ids])?;
    let rows_i = g.wire_node("rows_i", cast(f32::datum_type()), &rows_q)?;
    let row_scales = g.wire_node("row_scales", Gather::new(0), &[scales, ids])?;
    let row_scales3 = g.wire_node("row_scales3", AxisOp::Add(2), &row_scales)?;
    let rows = g.wire_node("rows", math::mul(), &[rows_i[0], row_scales3[0]])?;
    let sum = g.wire_node("sum", Reduce::new(tvec![1], Reducer::Sum), &rows)?;
    let sum = g.wire_node("sum_rm", AxisOp::Rm(1), &sum)?;
    // The sqrt-n combiner: n counts the non-padding ids, at least 1.
    let is_token = g.wire_node("is_token", TypedBinOp(comp_ne(), None), &[ids, pad])?;
    let mask = g.wire_node("token_mask", cast(f32::datum_type()), &is_token)?;
    let count = g.wire_node("count", Reduce::new(tvec![1], Reducer::Sum), &mask)?;
    let count1 = g.wire_node("count1", math::max(), &[count[0], one])?;
    let norm = g.wire_node("norm", math::sqrt(), &count1)?;
    let bag = g.wire_node("bag", math::div(), &[sum[0], norm[0]])?;
    // The head.
    let z1 = g.wire_node("z1", matmul()?, &[bag[0], w1])?;
    let a1 = g.wire_node("a1", math::add(), &[z1[0], b1])?;
    let hidden = g.wire_node("hidden", math::max(), &[a1[0], zero])?;
    let z2 = g.wire_node("z2", matmul()?, &[hidden[0], w2])?;
    let logit = g.wire_node("logit", math::add(), &[z2[0], b2])?;
    let score = g.wire_node("score", sigmoid(), &logit)?;
    g.select_output_outlets(&score)?;
    Ok(g)
}

/// `B x K` times `K x N`, as tract-onnx translates ONNX MatMul.
fn matmul() -> TractResult<EinSum> {
    Ok(EinSum::new("mk,kn->mn".parse()?, f32::datum_type()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::tests::tiny_model;
    use crate::onnx::{export, import};
    use tract_onnx::prelude::{Framework, InferenceModelExt};

    const TEXTS: [&str; 5] = [
        "good film",
        "the awful, awful film!",
        "",
        "unknown words only here",
        "great great great great great great great great great great bad",
    ];

    #[test]
    fn tract_equals_the_reference_forward_pass() {
        let model = tiny_model(11);
        let engine = Engine::new(&model).unwrap();
        let reference = model.round_trip_quantization();
        let batch: Vec<Vec<u32>> = TEXTS.iter().map(|t| model.vocab.encode(t)).collect();
        let scores = engine.score_batch(&batch).unwrap();
        assert_eq!(scores.len(), TEXTS.len());
        for (ids, score) in batch.iter().zip(&scores) {
            let expected = reference.score(ids);
            assert!((score - expected).abs() < 1e-6, "{score} vs {expected}");
        }
        // Alone or in a batch (different padding), the same answer.
        for (ids, score) in batch.iter().zip(&scores) {
            let alone = engine.score_batch(std::slice::from_ref(ids)).unwrap()[0];
            assert!((alone - score).abs() < 1e-6);
        }
        assert!(engine.score_batch(&[]).unwrap().is_empty());
    }

    /// tract-onnx running the ONNX file itself: what other tract users of the file get.
    fn onnx_plan(bytes: &[u8]) -> Arc<TypedRunnableModel> {
        tract_onnx::onnx()
            .model_for_read(&mut &bytes[..])
            .and_then(|m| m.into_optimized())
            .and_then(|m| m.into_runnable())
            .unwrap()
    }

    fn assert_same_scores(file: &[u8], engine: &Engine, batch: &[Vec<u32>]) {
        let plan = onnx_plan(file);
        let from_file = run(&plan, batch).unwrap();
        let built = engine.score_batch(batch).unwrap();
        for (a, b) in from_file.iter().zip(&built) {
            assert!((a - b).abs() < 1e-6, "file {a} vs built {b}");
        }
        for ids in batch {
            let a = run(&plan, std::slice::from_ref(ids)).unwrap()[0];
            let b = engine.score_batch(std::slice::from_ref(ids)).unwrap()[0];
            assert!((a - b).abs() < 1e-6, "file {a} vs built {b}");
        }
    }

    #[test]
    fn the_built_graph_equals_tract_onnx_on_the_exported_file() {
        let model = tiny_model(12);
        let batch: Vec<Vec<u32>> = TEXTS.iter().map(|t| model.vocab.encode(t)).collect();
        assert_same_scores(&export(&model), &Engine::new(&model).unwrap(), &batch);
    }

    #[test]
    fn the_built_graph_equals_tract_onnx_on_the_shipped_file() {
        let (model, _) = import(crate::BUNDLED_MODEL).unwrap();
        let reviews = std::fs::read_to_string("tests/fixtures/reviews.tsv").unwrap();
        let mut batch: Vec<Vec<u32>> = reviews.lines().map(|t| model.vocab.encode(t)).collect();
        batch.extend(TEXTS.iter().map(|t| model.vocab.encode(t)));
        assert_same_scores(crate::BUNDLED_MODEL, &Engine::new(&model).unwrap(), &batch);
    }
}
