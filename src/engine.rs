//! The model's graph, built from its weights with tract-core operators and optimized into two plans
//! (one text at a time, built at load; runs of many texts, built when first needed), then run on
//! token ids.
//!
//! The graph computes what the ONNX file's graph ([`crate::onnx::to_proto`]) does, wired directly
//! in tract-core: going through tract-onnx would link its whole operator registry and inference
//! layer into the wasm (most of its code) only to parse a graph this crate has just written. Tests
//! hold the two equal on the exported and the shipped file.

use tract_onnx::tract_core::internal::*;
use tract_onnx::tract_core::ops::binary::TypedBinOp;
use tract_onnx::tract_core::ops::einsum::einsum_matmul::{optimized_mat_mul, EinSumMatMul};
use tract_onnx::tract_core::ops::einsum::EinSum;
use tract_onnx::tract_core::ops::konst::Const;
use tract_onnx::tract_core::ops::math;
use tract_onnx::tract_core::ops::nn::sigmoid;

use std::sync::{Mutex, MutexGuard, OnceLock, TryLockError};

use crate::model::{softmax, Model, HIDDEN};
use crate::vocab::PAD;
use crate::Error;

/// Optimized tract plans for a polarity model: one for a text alone, one for runs of many.
#[derive(Debug)]
pub struct Engine {
    /// The plan of one text (`classify`): its width a constant 1, where the plan of many
    /// resolves a symbol in every op of every run (1.2-1.7 us of the 8-10 us that scoring an
    /// empty text costs in Node, 0.94-0.95x the time of a review one at a time). In wasm both
    /// plans run the same kernels, and a text scores the same to the bit alone or in a batch
    /// (tests/js/npm.test.mjs compares them exactly); natively tract may pick another kernel for
    /// one row, which sums in another order (3e-8 apart on AVX-512), so there a text's score in
    /// a batch can differ that much with the texts it runs beside.
    one: Runner,
    /// The plan of runs of many texts, built on the first such run: a page that only calls
    /// `classify` never builds it, and the cold start builds one plan, not two.
    many: OnceLock<Runner>,
    weights: Weights,
    /// Values per text: 1 (P(first label)) for two labels, one per label for more.
    outputs: usize,
}

impl Engine {
    /// Builds, types and optimizes the graph of `model`, which runs its table as it is: give it a
    /// model as shipped ([`Model::round_trip_quantization`], or imported from a file) to compute
    /// what the file does. Errors (never panics) if tract refuses it.
    pub fn new(model: &Model) -> Result<Self, Error> {
        #[cfg(target_arch = "wasm32")]
        constructors::run_once();
        let weights = Weights::of(model);
        Ok(Engine {
            one: Runner::new(&weights, Width::One)?,
            many: OnceLock::new(),
            weights,
            outputs: model.outputs(),
        })
    }

    /// Scores texts given as id lists (one per text), in their order: [`Engine::outputs`] values
    /// per text, one after the other (P(first label) for a two-label model, every label's
    /// probability for one with more).
    ///
    /// Texts run together, a few dozen per run: tract's fixed cost per run (one plan, a dozen
    /// ops) is most of the time for one text. They are grouped by length so that little padding
    /// is summed, and a run holds at most [`IDS_PER_RUN`] slots (or one longer text alone, which
    /// `Classifier` sums in plain Rust instead), so memory stays bounded whatever the batch.
    pub fn score_batch<T: AsRef<[u32]>>(&self, batch: &[T]) -> Result<Vec<f32>, Error> {
        let batch: Vec<&[u32]> = batch.iter().map(AsRef::as_ref).collect();
        let mut order: Vec<usize> = (0..batch.len()).collect();
        order.sort_by_key(|&i| batch[i].len());
        let k = self.outputs;
        let mut scores = vec![0f32; batch.len() * k];
        let mut rest = &order[..];
        while !rest.is_empty() {
            // Sorted by length: the last text of a run is its longest.
            let mut take = 1;
            while take < rest.len() && (take + 1) * batch[rest[take]].len().max(1) <= IDS_PER_RUN {
                take += 1;
            }
            let (run, tail) = rest.split_at(take);
            let texts: Vec<&[u32]> = run.iter().map(|&i| batch[i]).collect();
            let runner = match take {
                1 => &self.one,
                _ => self.many()?,
            };
            let values = runner.score(&texts, k)?;
            for (&i, output) in run.iter().zip(values.chunks_exact(k)) {
                scores[i * k..][..k].copy_from_slice(output);
            }
            rest = tail;
        }
        Ok(scores)
    }

    /// The plan of many texts, built the first time it is asked for.
    fn many(&self) -> Result<&Runner, Error> {
        if let Some(runner) = self.many.get() {
            return Ok(runner);
        }
        let runner = Runner::new(&self.weights, Width::Many)?;
        Ok(self.many.get_or_init(|| runner))
    }

    /// Values per text that [`Engine::score_batch`] gives.
    pub fn outputs(&self) -> usize {
        self.outputs
    }
}

/// A plan and the run state its runs share.
#[derive(Debug)]
struct Runner {
    plan: Arc<TypedRunnableModel>,
    /// One run state shared by every run, as tract's `spawn` makes it (a run that finds it held
    /// makes its own): `plan.run` would make one per run (an op state per node, a value slot per
    /// node, the constants' values, a session) and drop it after, most of the fixed cost of
    /// scoring one short text.
    state: Mutex<TypedSimpleState>,
}

impl Runner {
    fn new(weights: &Weights, width: Width) -> Result<Runner, Error> {
        let plan = planned(weights, width).and_then(|m| m.into_runnable());
        let state = plan
            .as_ref()
            .map_err(|e| anyhow!("{e}"))
            .and_then(|p| p.spawn());
        match (plan, state) {
            (Ok(plan), Ok(state)) => Ok(Runner {
                plan,
                state: Mutex::new(state),
            }),
            (Err(e), _) | (_, Err(e)) => Err(Error::engine("building the graph")(e)),
        }
    }

    /// [`score_run`] in the shared run state, or in one of its own if that is held.
    fn score(&self, texts: &[&[u32]], outputs: usize) -> Result<Vec<f32>, Error> {
        let spawn = || {
            self.plan
                .spawn()
                .map_err(Error::engine("building the graph"))
        };
        let mut guard: Option<MutexGuard<TypedSimpleState>> = None;
        let mut own: Option<TypedSimpleState> = None;
        let state: &mut TypedSimpleState = match self.state.try_lock() {
            Ok(state) => guard.insert(state),
            // A run panicked while holding it (none should): start again from a new state.
            Err(TryLockError::Poisoned(poisoned)) => {
                let state = guard.insert(poisoned.into_inner());
                **state = spawn()?;
                state
            }
            // Held by a run on another thread, or, in wasm (one thread, no unwinding), by a
            // call that trapped: a state of this run's own. Waiting for it never ended there.
            Err(TryLockError::WouldBlock) => own.insert(spawn()?),
        };
        score_run(state, texts, outputs)
    }
}

/// The most id slots (texts x longest text) one run of the graph reads: 32,768 ids, padding
/// included, 256 KB as int64.
pub const IDS_PER_RUN: usize = 1 << 15;

/// Runs a plan of [`graph`] (its run state) on a few texts' ids: time-major `L x B` ids, zero-padded, and each
/// text's `sqrt(max(1, n))`. Gives `outputs` values per text.
fn score_run(
    state: &mut TypedSimpleState,
    texts: &[&[u32]],
    outputs: usize,
) -> Result<Vec<f32>, Error> {
    let width = texts.len();
    // A zero-length axis is legal but needlessly odd for an engine: at least one (padding) slot.
    let length = texts.iter().map(|t| t.len()).max().unwrap_or(0).max(1);
    let mut ids = vec![0i64; length * width];
    for (column, text) in texts.iter().enumerate() {
        for (position, &id) in text.iter().enumerate() {
            ids[position * width + column] = i64::from(id);
        }
    }
    // As the file's graph computes it: the count of ids other than padding as f32, at least 1,
    // square-rooted.
    let norms: Vec<f32> = texts
        .iter()
        .map(|t| {
            (t.iter().filter(|&&id| id != PAD).count() as f32)
                .max(1.0)
                .sqrt()
        })
        .collect();
    let inputs = Tensor::from_shape(&[length, width], &ids)
        .and_then(|ids| Ok((ids, Tensor::from_shape(&[width, 1], &norms)?)))
        .map_err(Error::engine("preparing the input"))?;
    let plan_outputs = state.run(tvec!(inputs.0.into_tvalue(), inputs.1.into_tvalue()));
    let plan_outputs = match plan_outputs {
        Ok(outputs) => outputs,
        Err(e) => {
            // A run that failed part-way leaves its values and symbols; the next starts clean.
            state
                .reset_turn()
                .map_err(Error::engine("resetting the run"))?;
            return Err(Error::engine("running the graph")(e));
        }
    };
    let mut scores = plan_outputs
        .first()
        .ok_or_else(|| anyhow!("no output"))
        .and_then(|out| out.try_as_plain_ram())
        .and_then(|view| view.as_slice::<f32>().map(<[f32]>::to_vec))
        .and_then(|scores| {
            ensure!(
                scores.len() == width * outputs,
                "{} scores for {width} texts of {outputs}",
                scores.len()
            );
            Ok(scores)
        })
        .map_err(Error::engine("reading the scores"))?;
    if outputs > 1 {
        scores.chunks_exact_mut(outputs).for_each(softmax);
    }
    Ok(scores)
}

/// The graph of [`crate::onnx::to_proto`] in tract-core operators: `ids` (int64, `L x B`,
/// 0 = padding) and `norm` (float, `B x 1`) to `score` (float, `B x 1`), or to the logits
/// (`B x labels`) of a model with more than two labels. `L` is a symbol, so one plan serves
/// every length, and so is `B` in a plan of [`Width::Many`] (1 in one of [`Width::One`]).
///
/// Five differences from the file's graph, same results. The bag (the file's Gather, ReduceSum
/// and Div) is one operator, [`Bag`]. The softmax of a model with more labels
/// is taken in Rust on the plan's logits ([`score_run`]): a handful of values per text, not worth
/// another operator's code in the wasm. The ids are time-major, `L x B`, as the bag reads them
/// (the file's are `B x L`). Each text's `sqrt(n)` comes in computed (as
/// the file computes it) rather than counted from the padding in seven more ops. And the rows are
/// summed from the model's table, which holds the products the file's graph makes from its
/// quantized rows and their scales (`q * scale` for int8, `level * scale` for int4, in `f32`, bit
/// for bit, for a model as shipped): no cast, lookup nor product per token, and no second
/// quantization at load.
fn graph(weights: &Weights, width: Width) -> TractResult<TypedModel> {
    let Weights {
        bag,
        w1,
        b1,
        w2,
        b2,
    } = weights;
    let (dim, k) = (bag.dim, b2.len());
    let mut g = TypedModel::default();
    let length = g.sym("L").to_dim();
    let width = match width {
        Width::One => 1.to_dim(),
        Width::Many => g.sym("B").to_dim(),
    };
    let ids = g.add_source("ids", i64::fact([length, width.clone()]))?;
    let norm = g.add_source("norm", f32::fact([width.clone(), 1.to_dim()]))?;
    let w1 = g.add_const("w1", tensor1(w1).into_shape(&[dim, HIDDEN])?)?;
    let b1 = g.add_const("b1", tensor1(b1).into_shape(&[1, HIDDEN])?)?;
    let w2 = g.add_const("w2", tensor1(w2).into_shape(&[HIDDEN, k])?)?;
    let b2 = g.add_const("b2", tensor1(b2).into_shape(&[1, k])?)?;
    let zero = g.add_const("zero", tensor2(&[[0f32]]))?;

    // The bag: the rows of the ids, summed over the text, over sqrt(n).
    let bag = g.wire_node("bag", bag.clone(), &[ids, norm])?;
    // The head. Each product is wired as the matrix product tract's codegen would find in the
    // einsum (`m`, `k` and `n` its axes, as `matmul` names them), which saves a rewrite at load,
    // in an op of this crate's own ([`Product`]), which keeps tract's rules for it out of the wasm.
    let matmul = matmul()?;
    let product = |k: usize, n: usize| {
        Product(EinSumMatMul {
            op: matmul.clone(),
            m_axis: 'm',
            k_axis: 'k',
            n_axis: 'n',
            m: width.clone(),
            k: k.to_dim(),
            n: n.to_dim(),
        })
    };
    let z1 = g.wire_node("z1", product(dim, HIDDEN), &[bag[0], w1])?;
    let a1 = g.wire_node("a1", math::add(), &[z1[0], b1])?;
    let hidden = g.wire_node("hidden", math::max(), &[a1[0], zero])?;
    let z2 = g.wire_node("z2", product(HIDDEN, k), &[hidden[0], w2])?;
    let logit = g.wire_node("logit", math::add(), &[z2[0], b2])?;
    if k == 1 {
        let score = g.wire_node("score", sigmoid(), &logit)?;
        g.select_output_outlets(&score)?;
    } else {
        g.select_output_outlets(&logit)?;
    }
    Ok(g)
}

/// The bag of each text: its rows of the table summed, over its `sqrt(n)`. Time-major `ids`
/// (`L x B`) and `norm` (`B x 1`) to `B x dim`: what the file's Gather,
/// ReduceSum and Div compute, in the same order (each text's rows added from its first id to its
/// last padding, then one division). In one operator, the `L x B x dim` rows are never made:
/// tract's Gather copied them a row at a time (a tenth of classify in the browser) for its Reduce
/// to read them again. An id outside the table is an error, not a panic.
///
/// With weighted scopes, ids go on past the table in `bands - 1` more bands: id `row + band *
/// rows` adds row `row` times `weights[band]` (the file's graph: Mod, Div and a Gather of the
/// weights, then Mul).
///
/// The table (`rows x dim`) is the model's own ([`crate::model::Embedding`]), held by the op: as
/// an input of the plan it was a copy, and as a constant of the graph the optimizer would walk
/// its megabytes. The op is hashed and compared by which table it holds, not by its floats.
#[derive(Clone)]
struct Bag {
    table: Arc<Vec<f32>>,
    dim: usize,
    /// 1, or one more per scope with weighted scopes ([`crate::vocab::Vocabulary::id_space`]).
    bands: usize,
    /// Each band's weight, as `f32` bits (an op is hashed and compared); band 0's is 1.
    weights: [u32; crate::vocab::SCOPES + 1],
}

impl Bag {
    fn key(
        &self,
    ) -> (
        *const Vec<f32>,
        usize,
        usize,
        [u32; crate::vocab::SCOPES + 1],
    ) {
        (Arc::as_ptr(&self.table), self.dim, self.bands, self.weights)
    }
}

impl std::fmt::Debug for Bag {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Bag")
            .field("table", &format_args!("{} floats", self.table.len()))
            .field("dim", &self.dim)
            .field("bands", &self.bands)
            .field("weights", &self.weights)
            .finish()
    }
}

impl std::hash::Hash for Bag {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.key().hash(state);
    }
}

impl PartialEq for Bag {
    fn eq(&self, other: &Bag) -> bool {
        self.key() == other.key()
    }
}

impl Eq for Bag {}

impl Op for Bag {
    fn name(&self) -> StaticName {
        "Bag".into()
    }

    op_as_typed_op!();
}

impl EvalOp for Bag {
    op_out_of_plan!();

    fn eval(&self, _: &EvalContext, inputs: TVec<TValue>) -> TractResult<TVec<TValue>> {
        let (ids, norm) = args_2!(inputs);
        let &[_, width] = ids.shape() else {
            bail!("Bag takes 2-D ids");
        };
        let (table, dim) = (&self.table[..], self.dim);
        let rows = table.len() / dim.max(1);
        let ids = ids.try_as_plain_ram()?;
        let ids = ids.as_slice::<i64>()?;
        let norm = norm.try_as_plain_ram()?;
        let norm = norm.as_slice::<f32>()?;
        ensure!(
            norm.len() == width,
            "{} norms for {width} texts",
            norm.len()
        );
        let mut sums = vec![0f32; width * dim];
        if width > 0 && dim > 0 {
            let bag = Rows {
                table,
                rows,
                ids_in_bands: rows.saturating_mul(self.bands.min(self.weights.len())),
                weights: &self.weights,
            };
            // Rows of the shipped width as arrays: the compiler unrolls each row's additions
            // where a slice of run-time length loops.
            match dim {
                #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
                12 => {
                    // Text by text (a column of the time-major ids), its sum in registers, its
                    // padding skipped: adding a zero row changes no sum (one of -0.0 would turn
                    // +0.0, which no score can tell). So a text's sum is the same to the bit
                    // alone or in a batch, whatever it runs beside.
                    match sums.as_chunks_mut::<12>().0 {
                        // One text (`classify`): no padding, but an empty text's one slot.
                        [sum] => bag.add_text12(ids.iter().copied(), sum)?,
                        sums => {
                            for (column, sum) in sums.iter_mut().enumerate() {
                                let text = ids.iter().skip(column).step_by(width).copied();
                                bag.add_text12(text.filter(|&id| id != i64::from(PAD)), sum)?;
                            }
                        }
                    }
                }
                #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
                12 => bag.add_arrays::<12>(ids, width, &mut sums)?,
                _ => bag.add(dim, ids, width, &mut sums)?,
            }
            for (sum, &n) in sums.chunks_exact_mut(dim).zip(norm) {
                sum.iter_mut().for_each(|s| *s /= n);
            }
        }
        Ok(tvec!(
            Tensor::from_shape(&[width, dim], &sums)?.into_tvalue()
        ))
    }
}

/// The rows [`Bag`] adds: `table` (`rows` x dim), each id's band weight past the table.
struct Rows<'t> {
    table: &'t [f32],
    rows: usize,
    ids_in_bands: usize,
    weights: &'t [u32],
}

impl Rows<'_> {
    /// The row and band weight (`None`: band 0, added as it is) of `id`, or the error for an id
    /// outside every band.
    #[inline]
    fn place(&self, id: i64) -> TractResult<(usize, Option<f32>)> {
        let id = usize::try_from(id)
            .ok()
            .filter(|&id| id < self.ids_in_bands)
            .ok_or_else(|| anyhow!("id {id} is outside the table's {} rows", self.rows))?;
        if id < self.rows {
            return Ok((id, None));
        }
        let weight = self.weights.get(id / self.rows).copied().unwrap_or(0);
        Ok((id % self.rows, Some(f32::from_bits(weight))))
    }

    /// Adds each text's rows (time-major `ids`, `width` texts) into its `dim` sums.
    fn add(&self, dim: usize, ids: &[i64], width: usize, sums: &mut [f32]) -> TractResult<()> {
        for position in ids.chunks_exact(width) {
            for (&id, sum) in position.iter().zip(sums.chunks_exact_mut(dim)) {
                let (row, weight) = self.place(id)?;
                let row = self
                    .table
                    .get(row * dim..(row + 1) * dim)
                    .unwrap_or_default();
                add_row(sum, row, weight);
            }
        }
        Ok(())
    }

    /// [`Rows::add`] for rows of `D` floats.
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    fn add_arrays<const D: usize>(
        &self,
        ids: &[i64],
        width: usize,
        sums: &mut [f32],
    ) -> TractResult<()> {
        let (table, sums) = (self.table.as_chunks::<D>().0, sums.as_chunks_mut::<D>().0);
        for position in ids.chunks_exact(width) {
            for (&id, sum) in position.iter().zip(sums.iter_mut()) {
                let (row, weight) = self.place(id)?;
                let row = table.get(row).unwrap_or(&[0.0; D]);
                add_row(sum, row, weight);
            }
        }
        Ok(())
    }
}

impl Rows<'_> {
    /// [`Rows::add_arrays`] for the ids of one text, rows of 12 floats, in WebAssembly SIMD:
    /// the sum stays in three 4-lane registers over every id. LLVM leaves the arrays' version
    /// as 12 scalar loads, adds and stores an id in wasm. The same adds, lane by lane, in the
    /// same order: the same sums to the bit.
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    fn add_text12(&self, ids: impl Iterator<Item = i64>, sum: &mut [f32; 12]) -> TractResult<()> {
        use core::arch::wasm32::{f32x4_add, f32x4_extract_lane, f32x4_mul, f32x4_splat, v128};
        let table = self.table.as_chunks::<12>().0;
        let mut lanes = [f32x4_splat(0.0); 3];
        for id in ids {
            let (row, weight) = self.place(id)?;
            let row = table.get(row).unwrap_or(&[0.0; 12]);
            for (lane, r) in lanes.iter_mut().zip(row.as_chunks::<4>().0) {
                // One 16-byte load: built from four floats, it was four loads of one lane each.
                // SAFETY: `r` is a `&[f32; 4]`, 16 readable bytes, and `v128_load` asks no
                // alignment.
                let r = unsafe { core::arch::wasm32::v128_load(r.as_ptr().cast::<v128>()) };
                let r = match weight {
                    None => r,
                    Some(w) => f32x4_mul(f32x4_splat(w), r),
                };
                *lane = f32x4_add(*lane, r);
            }
        }
        for (out, lane) in sum.as_chunks_mut::<4>().0.iter_mut().zip(lanes) {
            *out = [
                f32x4_extract_lane::<0>(lane),
                f32x4_extract_lane::<1>(lane),
                f32x4_extract_lane::<2>(lane),
                f32x4_extract_lane::<3>(lane),
            ];
        }
        Ok(())
    }
}

/// `sum += weight * row`, or `sum += row` for band 0: the file's graph multiplies only past the
/// table, and the sums stay those of its operators to the bit.
#[inline(always)]
fn add_row(sum: &mut [f32], row: &[f32], weight: Option<f32>) {
    match weight {
        None => sum.iter_mut().zip(row).for_each(|(s, &v)| *s += v),
        Some(w) => sum.iter_mut().zip(row).for_each(|(s, &v)| *s += w * v),
    }
}

impl TypedOp for Bag {
    fn output_facts(&self, inputs: &[&TypedFact]) -> TractResult<TVec<TypedFact>> {
        let ids = &inputs[0].shape;
        ensure!(ids.rank() == 2);
        Ok(tvec!(f32::fact([ids[1].clone(), self.dim.to_dim()])))
    }

    as_op!();
}

/// How many texts a plan runs at once.
#[derive(Clone, Copy, Debug)]
enum Width {
    One,
    Many,
}

/// What a plan is built from: the bag (which shares the model's table) and the head's weights,
/// kept by the engine to build its plan of many texts when it first needs it.
#[derive(Clone, Debug)]
struct Weights {
    bag: Bag,
    w1: Vec<f32>,
    b1: Vec<f32>,
    w2: Vec<f32>,
    b2: Vec<f32>,
}

impl Weights {
    fn of(model: &Model) -> Weights {
        let dim = model.dim;
        let rows = model.embedding.len() / dim.max(1);
        Weights {
            bag: Bag {
                table: model.embedding.shared(),
                dim,
                bands: model.vocab.id_space() / rows.max(1),
                weights: model.band_weights().map(f32::to_bits),
            },
            w1: model.w1.clone(),
            b1: model.b1.clone(),
            w2: model.w2.clone(),
            b2: model.b2.clone(),
        }
    }
}

/// A matrix product until [`codegen`] makes it a packed kernel: tract's [`EinSumMatMul`] as data,
/// with the part of its codegen this graph takes (the operands swapped when tract would, then
/// its kernel, [`optimized_mat_mul`]). Wired as tract's own op, the product made the wasm carry
/// every rule of it and of the einsum inside it, and what those rules build (reductions, slices,
/// concatenations, casts, RMS norms): their code is reached through the ops' trait tables
/// whether or not a rule ever runs, and none does for this graph. Tests hold the plan node for
/// node to what tract's passes make of the einsums.
#[derive(Clone, Debug, Hash, PartialEq, Eq)]
struct Product(EinSumMatMul);

impl Product {
    /// Whether tract's codegen puts the second operand first (for the kernel's long side): the
    /// rule of `EinSumMatMul::codegen` for operands that are plain tensors, as here.
    fn swapped(&self) -> bool {
        let Product(p) = self;
        p.m != p.n
            && match (p.m.as_i64(), p.n.as_i64()) {
                (Some(m), Some(n)) => m < n,
                (None, Some(n)) => n >= 8,
                (Some(_), _) => false,
                _ => (p.n.clone() - &p.m).prove_positive_or_zero(),
            }
    }
}

impl Op for Product {
    fn name(&self) -> StaticName {
        "Product".into()
    }

    op_as_typed_op!();
}

impl EvalOp for Product {
    op_out_of_plan!();

    fn eval(&self, _: &EvalContext, _: TVec<TValue>) -> TractResult<TVec<TValue>> {
        // Nothing runs it: `codegen` replaces it, and its input from the bag is never constant.
        bail!("a Product runs only as the kernel codegen makes of it")
    }
}

impl TypedOp for Product {
    fn output_facts(&self, inputs: &[&TypedFact]) -> TractResult<TVec<TypedFact>> {
        self.0.output_facts(inputs)
    }

    fn codegen(
        &self,
        model: &TypedModel,
        node: &TypedNode,
    ) -> TractResult<Option<TypedModelPatch>> {
        ensure!(
            node.inputs.len() == 2,
            "a product of {} inputs",
            node.inputs.len()
        );
        if self.swapped() {
            let Product(mut p) = self.clone();
            p.op.axes
                .iter_all_axes_mut()
                .for_each(|axis| axis.inputs.swap(0, 1));
            std::mem::swap(&mut p.m_axis, &mut p.n_axis);
            std::mem::swap(&mut p.m, &mut p.n);
            let inputs = [node.inputs[1], node.inputs[0]];
            return TypedModelPatch::replace_single_op(model, node, &inputs, Product(p)).map(Some);
        }
        optimized_mat_mul(model, node, &self.0)
    }

    as_op!();
}

/// The graph of `weights` for `width` texts at a time, ready to run ([`codegen`]).
fn planned(weights: &Weights, width: Width) -> TractResult<TypedModel> {
    let mut g = graph(weights, width)?;
    codegen(&mut g)?;
    Ok(g)
}

/// What tract's optimizer would make of this graph, without running it: each node's codegen (the
/// two matrix products become packed kernels), constants folded (the weights packed once), then
/// each node's fusion (bias and relu into the kernels). The optimizer's passes try dozens of other
/// rules on every node, none of which applies to this graph, and in the browser each is code V8
/// compiles on its first call, during the cold start: this plan is built 20-25 ms sooner there
/// (paired fresh contexts, new Classifier() 105 against 130 ms) and runs as fast (29.4 against
/// 30.5 µs natively, same scores to the bit).
///
/// Nor does it take steps it does not need: the bias and relu are left as they are for the first
/// kernel to fuse (their own codegen made the bias a vector op of its own where the vector width
/// divides the hidden width, as in wasm, which no kernel fuses: two more ops per run), the
/// products are wired as matrix products ([`graph`]) rather than found among einsums, and
/// constants are folded without an optimizer session. In fresh Chromium contexts the plan is built
/// in 0.68-0.77x the time (medians of 25 paired cold starts: 41.5 -> 26.7 ms), and it scores the
/// 5,004 texts of a Node check to the bit as the plan before.
fn codegen(model: &mut TypedModel) -> TractResult<()> {
    rewrite(model, &|model, node| match node.op_is::<TypedBinOp>() {
        true => Ok(None),
        false => node.op.codegen(model, node),
    })?;
    rewrite(model, &fold_constants)?;
    rewrite(model, &|model, node| node.op.fuse(model, node))
}

/// Replaces a node whose inputs are all constants with the constants it computes (here: the
/// weights packed for the kernels, once). What `TypedModel::prop_consts` does for this graph,
/// without the optimizer session it runs in, code the cold start would otherwise compile.
fn fold_constants(model: &TypedModel, node: &TypedNode) -> TractResult<Option<TypedModelPatch>> {
    if node.inputs.is_empty() {
        return Ok(None);
    }
    let inputs: Option<TVec<TValue>> = model
        .node_input_facts(node.id)?
        .iter()
        .map(|fact| fact.konst.clone().map(|k| k.into_tvalue()))
        .collect();
    let Some(outputs) = inputs
        .map(|i| node.op.eval_out_of_plan(i))
        .transpose()?
        .flatten()
    else {
        return Ok(None);
    };
    let mut patch = TypedModelPatch::default();
    for (slot, value) in outputs.into_iter().enumerate() {
        let outlet = OutletId::new(node.id, slot);
        let exotic = model.outlet_fact(outlet)?.exotic_fact.clone();
        let konst = Const::new_with_opt_exotic_fact(value.into_arc_tensor(), exotic)?;
        let wire = patch.wire_node(format!("{}.{slot}", node.name), konst, &[])?;
        patch.shunt_outside(model, outlet, wire[0])?;
    }
    Ok(Some(patch))
}

/// Applies `rule`'s patches one at a time until no node gets one.
fn rewrite(
    model: &mut TypedModel,
    rule: &dyn Fn(&TypedModel, &TypedNode) -> TractResult<Option<TypedModelPatch>>,
) -> TractResult<()> {
    loop {
        let mut patch = None;
        for id in model.eval_order()? {
            if let Some(p) = rule(model, &model.nodes[id])? {
                patch = Some(p);
                break;
            }
        }
        match patch {
            Some(p) => p.apply(model)?,
            None => return Ok(()),
        }
    }
}

/// `M x K` times `K x N`, as tract-onnx translates ONNX MatMul (an einsum, which tract's codegen
/// recognizes as a matrix product: [`graph`] wires that product directly).
fn matmul() -> TractResult<EinSum> {
    Ok(EinSum::new(
        AxesMapping::for_numpy_matmul(2, false, false, false)?,
        f32::datum_type(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::tests::{tiny_model, tiny_model3, tiny_model_of, tiny_weighted_model};
    use crate::onnx::{export, import};
    use crate::quantize::Format;
    use tract_onnx::prelude::{Framework, InferenceModelExt};

    const TEXTS: [&str; 5] = [
        "good film",
        "the awful, awful film!",
        "",
        "unknown words only here",
        "great great great great great great great great great great bad",
    ];

    /// The graph as tract-onnx translates ONNX MatMul: each product a plain EinSum, for tract's
    /// own passes to recognize.
    fn graph_with_einsums(model: &Model, width: Width) -> TypedModel {
        let mut graph = graph(&Weights::of(model), width).unwrap();
        for node in &mut graph.nodes {
            if let Some(product) = node.op_as::<Product>().map(|p| p.0.op.clone()) {
                node.op = Box::new(product);
            }
        }
        graph
    }

    /// The nodes a run evaluates, ops and their parameters (kernels, fused bias and relu, packed
    /// weights), in any order.
    fn described(graph: &TypedModel) -> Vec<String> {
        let mut nodes: Vec<String> = (graph.eval_order().unwrap().iter())
            .map(|&id| format!("{} {:?}", graph.nodes[id].name, graph.nodes[id].op))
            .collect();
        nodes.sort();
        nodes
    }

    /// The plan is the optimizer's, without the optimizer: the products run as packed kernels
    /// with bias and relu fused, and nothing is left for a pass to rewrite. Node for node, it is
    /// what tract's own passes make of the graph as tract-onnx translates it (every node's
    /// codegen but the binary ops', `prop_consts`, every node's fusion), on any host.
    #[test]
    fn the_plan_is_what_the_optimizer_makes() {
        // Nine labels: the plan of many texts puts the head's second product the other way
        // round (`Product::swapped`), as tract's codegen does for 8 outputs or more.
        let mut nine = tiny_model(7);
        nine.reset_head((1..=9).map(|i| format!("label {i}")).collect(), 7);
        let models = [tiny_model(11), tiny_model_of(3, 4), tiny_model3(5), nine];
        for (model, width) in models
            .iter()
            .flat_map(|m| [(m, Width::One), (m, Width::Many)])
        {
            let ours = planned(&Weights::of(model), width).unwrap();
            let names: Vec<String> = ours.nodes.iter().map(|n| n.op.name().to_string()).collect();
            assert_eq!(
                names.iter().filter(|n| *n == "OptMatMul").count(),
                2,
                "{names:?}"
            );
            // Bias and relu inside the first kernel, on every host: tract's own codegen makes the
            // bias a vector op of its own where the vector width divides the hidden width (wasm,
            // AVX2, ARM), which the kernel then cannot fuse.
            assert!(
                !names.iter().any(|n| n == "EinSum"
                    || n == "Max"
                    || n == "Add"
                    || n.ends_with("Unicast")
                    || n.ends_with("ByScalar")),
                "{names:?}"
            );

            let mut by_tract = graph_with_einsums(model, width);
            let codegen_but_binary =
                |model: &TypedModel, node: &TypedNode| match node.op_is::<TypedBinOp>() {
                    true => Ok(None),
                    false => node.op.codegen(model, node),
                };
            rewrite(&mut by_tract, &codegen_but_binary).unwrap();
            by_tract.prop_consts().unwrap();
            rewrite(&mut by_tract, &|model, node| node.op.fuse(model, node)).unwrap();
            assert_eq!(described(&ours), described(&by_tract));

            let mut optimized = graph_with_einsums(model, width);
            optimized.optimize().unwrap();
            let theirs: Vec<String> = optimized
                .nodes
                .iter()
                .map(|n| n.op.name().to_string())
                .collect();
            let kernels =
                |names: &[String]| names.iter().filter(|n| n.starts_with("OptMatMul")).count();
            assert_eq!(kernels(&names), kernels(&theirs), "{names:?} vs {theirs:?}");
        }
    }

    #[test]
    fn tract_equals_the_reference_forward_pass() {
        for model in [tiny_model(11), tiny_weighted_model(11)] {
            tract_equals_the_reference_on(&model.round_trip_quantization());
        }
    }

    fn tract_equals_the_reference_on(reference: &Model) {
        let engine = Engine::new(reference).unwrap();
        let model = reference;
        let mut texts = TEXTS.to_vec();
        texts.extend([
            "not bad, but great",
            "although good, the film was never awful",
        ]);
        let batch: Vec<Vec<u32>> = texts.iter().map(|t| model.vocab.encode(t)).collect();
        let scores = engine.score_batch(&batch).unwrap();
        assert_eq!(scores.len(), texts.len());
        for (ids, score) in batch.iter().zip(&scores) {
            let expected = reference.score(ids).unwrap();
            assert!((score - expected).abs() < 1e-6, "{score} vs {expected}");
        }
        // Alone or in a batch (different padding), the same answer.
        for (ids, score) in batch.iter().zip(&scores) {
            let alone = engine.score_batch(std::slice::from_ref(ids)).unwrap()[0];
            assert!((alone - score).abs() < 1e-6);
        }
        assert!(engine.score_batch::<Vec<u32>>(&[]).unwrap().is_empty());
    }

    /// The engine on its own (below the Classifier's check) errs on ids outside the table.
    #[test]
    fn ids_outside_the_table_are_an_error_in_the_bag() {
        let model = tiny_model(11).round_trip_quantization();
        let engine = Engine::new(&model).unwrap();
        let rows = model.vocab.rows() as u32;
        assert!(engine.score_batch(&[vec![1, rows - 1]]).is_ok());
        let before = engine.score_batch(&[vec![3, 4, 5], vec![1]]).unwrap();
        let e = engine.score_batch(&[vec![1], vec![2, rows]]).unwrap_err();
        assert!(format!("{e:#}").contains("outside the table"), "{e:#}");
        // The run state left by the failed run is reset: the same scores for other shapes.
        assert_eq!(
            engine.score_batch(&[vec![3, 4, 5], vec![1]]).unwrap(),
            before
        );
        assert_eq!(
            engine.score_batch(&[vec![1]]).unwrap(),
            Engine::new(&model)
                .unwrap()
                .score_batch(&[vec![1]])
                .unwrap()
        );
        // So is that of the plan of one text.
        let alone = engine.score_batch(&[vec![3, 4, 5]]).unwrap();
        let e = engine.score_batch(&[vec![rows, 2]]).unwrap_err();
        assert!(format!("{e:#}").contains("outside the table"), "{e:#}");
        assert_eq!(engine.score_batch(&[vec![3, 4, 5]]).unwrap(), alone);
        // With weighted scopes, a band of ids past the rows per scope, and no more.
        let model = tiny_weighted_model(11).round_trip_quantization();
        let engine = Engine::new(&model).unwrap();
        let end = (crate::vocab::SCOPES as u32 + 1) * rows;
        assert!(engine.score_batch(&[vec![1, rows, end - 1]]).is_ok());
        let e = engine.score_batch(&[vec![end]]).unwrap_err();
        assert!(format!("{e:#}").contains("outside the table"), "{e:#}");
    }

    /// tract-onnx running the ONNX file itself: what other tract users of the file get.
    fn onnx_plan(bytes: &[u8]) -> Arc<TypedRunnableModel> {
        tract_onnx::onnx()
            .model_for_read(&mut &bytes[..])
            .and_then(|m| m.into_optimized())
            .and_then(|m| m.into_runnable())
            .unwrap()
    }

    /// The file's graph on a batch, padded to its longest text (at least 1).
    fn run_file(plan: &Arc<TypedRunnableModel>, batch: &[Vec<u32>]) -> Vec<f32> {
        let length = batch.iter().map(Vec::len).max().unwrap_or(0).max(1);
        let mut ids = vec![0i64; batch.len() * length];
        for (row, text) in ids.chunks_exact_mut(length).zip(batch) {
            for (slot, &id) in row.iter_mut().zip(text) {
                *slot = id as i64;
            }
        }
        let input = Tensor::from_shape(&[batch.len(), length], &ids).unwrap();
        let outputs = plan.run(tvec!(input.into_tvalue())).unwrap();
        let scores = outputs[0].try_as_plain_ram().unwrap();
        scores.as_slice::<f32>().unwrap().to_vec()
    }

    fn assert_same_scores(file: &[u8], engine: &Engine, batch: &[Vec<u32>]) {
        let plan = onnx_plan(file);
        let from_file = run_file(&plan, batch);
        let built = engine.score_batch(batch).unwrap();
        assert_eq!(from_file.len(), built.len());
        for (a, b) in from_file.iter().zip(&built) {
            assert!((a - b).abs() < 1e-6, "file {a} vs built {b}");
        }
        for ids in batch {
            let a = run_file(&plan, std::slice::from_ref(ids));
            let b = engine.score_batch(std::slice::from_ref(ids)).unwrap();
            for (a, b) in a.iter().zip(&b) {
                assert!((a - b).abs() < 1e-6, "file {a} vs built {b}");
            }
        }
    }

    #[test]
    fn the_built_graph_equals_tract_onnx_on_the_exported_file() {
        // Both table formats, and an odd width (an int4 row's last low nibble is padding).
        for format in [Format::Int4, Format::Int8] {
            for dim in [8, 5] {
                let file = export(&tiny_model_of(12, dim).with_format(format));
                let (model, _) = import(&file).unwrap();
                assert_eq!(model.format(), format);
                let batch: Vec<Vec<u32>> = TEXTS.iter().map(|t| model.vocab.encode(t)).collect();
                assert_same_scores(&file, &Engine::new(&model).unwrap(), &batch);
            }
            // Weighted scopes: the file's Mod, Div, Gather and Mul, against the bag's bands.
            {
                let file = export(&tiny_weighted_model(12).with_format(format));
                let (model, _) = import(&file).unwrap();
                assert_eq!(model.format(), format);
                let texts = [
                    "not bad",
                    "good but awful, not great!",
                    "although bad, good",
                ];
                let batch: Vec<Vec<u32>> = texts.iter().map(|t| model.vocab.encode(t)).collect();
                assert!(batch
                    .iter()
                    .flatten()
                    .any(|&id| id as usize >= model.vocab.rows()));
                assert_same_scores(&file, &Engine::new(&model).unwrap(), &batch);
            }
        }
    }

    #[test]
    fn a_three_label_graph_equals_tract_onnx_and_the_reference() {
        let file = export(&crate::model::tests::tiny_model3(13));
        let (model, _) = import(&file).unwrap();
        let batch: Vec<Vec<u32>> = TEXTS.iter().map(|t| model.vocab.encode(t)).collect();
        let engine = Engine::new(&model).unwrap();
        assert_same_scores(&file, &engine, &batch);
        let scores = engine.score_batch(&batch).unwrap();
        for (ids, p) in batch.iter().zip(scores.chunks_exact(3)) {
            let expected = model.probabilities(ids).unwrap();
            for (a, b) in p.iter().zip(&expected) {
                assert!((a - b).abs() < 1e-6, "{p:?} vs {expected:?}");
            }
        }
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

/// tract registers kernels and operators from static constructors (the `inventory` crate). On
/// wasm32 nothing runs them by itself: wasm-ld then treats the module as "command-style" and wraps
/// every export in a call to them, so each `classify` from JavaScript re-ran dozens of
/// registrations (about 30 µs a call in Chromium and Node). Calling them once, here on the only
/// way into tract, removes those wrappers and serves Rust callers on wasm32 as well.
#[cfg(target_arch = "wasm32")]
mod constructors {
    unsafe extern "C" {
        /// Made by the linker: runs the static constructors.
        fn __wasm_call_ctors();
    }

    pub fn run_once() {
        static DONE: std::sync::Once = std::sync::Once::new();
        // SAFETY: the linker's constructor function, run once before tract is first used; the
        // constructors only register statics (they do not call back into this crate).
        DONE.call_once(|| unsafe { __wasm_call_ctors() });
    }
}
