//! The ONNX model run by tract: parsed and optimized once, then run on batches of token ids.

use tract_onnx::pb::ModelProto;
use tract_onnx::prelude::*;

use crate::Error;

/// An optimized tract plan for a polarity ONNX graph.
#[derive(Debug)]
pub struct Engine {
    plan: Arc<TypedRunnableModel>,
}

impl Engine {
    /// Parses, types and optimizes the graph. Errors (never panics) on graphs tract refuses.
    pub fn new(proto: &ModelProto) -> Result<Self, Error> {
        let plan = tract_onnx::onnx()
            .model_for_proto_model(proto)
            .and_then(|m| m.into_optimized())
            .and_then(|m| m.into_runnable())
            .map_err(|e| Error::Engine(format!("{e:#}")))?;
        Ok(Engine { plan })
    }

    /// Scores texts given as id lists (one per text), padding them to a common length.
    pub fn score_batch(&self, batch: &[Vec<u32>]) -> Result<Vec<f32>, Error> {
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
        let outputs = self
            .plan
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::tests::tiny_model;
    use crate::onnx::to_proto;

    #[test]
    fn tract_equals_the_reference_forward_pass() {
        let model = tiny_model(11);
        let engine = Engine::new(&to_proto(&model)).unwrap();
        let reference = model.round_trip_quantization();
        let texts = [
            "good film",
            "the awful, awful film!",
            "",
            "unknown words only here",
            "great great great great great great great great great great bad",
        ];
        let batch: Vec<Vec<u32>> = texts.iter().map(|t| model.vocab.encode(t)).collect();
        let scores = engine.score_batch(&batch).unwrap();
        assert_eq!(scores.len(), texts.len());
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
}
