//! Int8 quantization of the embedding table, one scale per row.
//!
//! Rows differ a lot in norm (frequent words, rare bigrams), so a per-row symmetric scale keeps
//! every row's error within half a step (1/254 of its largest entry); the dense head stays `f32`.
//! Scales are stored as `f16` (rounded up, so no entry clips): at 16 dimensions an `f32` scale
//! would cost a fifth of the table.

use tract_onnx::prelude::f16;

/// An embedding table stored as `i8` with one scale per row: value = `q * scale`. Every scale is
/// exactly representable as `f16`.
#[derive(Clone, Debug, PartialEq)]
pub struct QuantizedTable {
    pub rows: usize,
    pub dim: usize,
    pub values: Vec<i8>,
    pub scales: Vec<f32>,
}

/// Quantizes a row-major `rows x dim` table. `dim` must be non-zero.
pub fn quantize(table: &[f32], dim: usize) -> QuantizedTable {
    let rows = table.len() / dim;
    let mut values = Vec::with_capacity(table.len());
    let mut scales = Vec::with_capacity(rows);
    for row in table.chunks_exact(dim) {
        let max = row.iter().fold(0f32, |m, x| m.max(x.abs()));
        let scale = if max > 0.0 && max.is_finite() {
            f16_at_least(max / 127.0)
        } else {
            0.0
        };
        scales.push(scale);
        values.extend(row.iter().map(|&x| {
            if scale == 0.0 {
                0
            } else {
                (x / scale).round().clamp(-127.0, 127.0) as i8
            }
        }));
    }
    QuantizedTable {
        rows,
        dim,
        values,
        scales,
    }
}

/// The smallest `f16` value not below `x` (for `x` > 0; saturates at `f16::MAX`).
fn f16_at_least(x: f32) -> f32 {
    let mut h = f16::from_f32(x);
    if h.to_f32() < x && h < f16::MAX {
        h = f16::from_bits(h.to_bits() + 1);
    }
    h.to_f32()
}

impl QuantizedTable {
    /// The scales as `f16` bits, little-endian, as stored in the ONNX file.
    pub fn scale_bytes(&self) -> Vec<u8> {
        self.scales
            .iter()
            .flat_map(|&s| f16::from_f32(s).to_bits().to_le_bytes())
            .collect()
    }

    /// Scales from `f16` little-endian bytes (two per row).
    pub fn scales_from_bytes(bytes: &[u8]) -> Vec<f32> {
        bytes
            .chunks_exact(2)
            .map(|b| f16::from_bits(u16::from_le_bytes([b[0], b[1]])).to_f32())
            .collect()
    }

    /// The `f32` table these values stand for.
    pub fn dequantize(&self) -> Vec<f32> {
        dequantize_rows(&self.values, &self.scales, self.dim, |q| q)
    }
}

/// `q * scale` for each value of each `dim`-wide row of `values`, read through `to_i8` (so the
/// file's raw bytes need no intermediate `i8` copy). The output is reserved up front and filled
/// row by row: the first load in a browser runs this once, in V8's baseline compiler, where a
/// `flat_map(..).collect()` (no exact size, a capacity check per value) was several times slower.
pub fn dequantize_rows<T: Copy>(
    values: &[T],
    scales: &[f32],
    dim: usize,
    to_i8: impl Fn(T) -> i8,
) -> Vec<f32> {
    let mut table = Vec::with_capacity(values.len());
    for (row, &scale) in values.chunks_exact(dim.max(1)).zip(scales) {
        table.extend(row.iter().map(|&q| to_i8(q) as f32 * scale));
    }
    table
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;

    #[test]
    fn error_is_at_most_half_a_step_per_row() {
        let mut rng = Rng::new(3);
        let dim = 16;
        let table: Vec<f32> = (0..dim * 500)
            .map(|i| rng.symmetric(1.0) * (1 + i / dim % 7) as f32)
            .collect();
        let q = quantize(&table, dim);
        let back = q.dequantize();
        for (r, (orig, deq)) in table.chunks(dim).zip(back.chunks(dim)).enumerate() {
            let max = orig.iter().fold(0f32, |m, x| m.max(x.abs()));
            let step = q.scales[r];
            // f16 rounding costs at most one part in 1024 of the ideal step.
            assert!(step >= max / 127.0 && step <= max / 127.0 * (1.0 + 1.0 / 1024.0));
            for (a, b) in orig.iter().zip(deq) {
                assert!((a - b).abs() <= step * 0.5 + 1e-6, "row {r}: {a} vs {b}");
            }
        }
    }

    #[test]
    fn quantizing_twice_changes_nothing() {
        let mut rng = Rng::new(4);
        let table: Vec<f32> = (0..8 * 100).map(|_| rng.symmetric(3.0)).collect();
        let q = quantize(&table, 8);
        assert_eq!(quantize(&q.dequantize(), 8), q);
        assert_eq!(
            QuantizedTable::scales_from_bytes(&q.scale_bytes()),
            q.scales
        );
        let bytes: Vec<u8> = q.values.iter().map(|&v| v as u8).collect();
        assert_eq!(
            dequantize_rows(&bytes, &q.scales, 8, |b| b as i8),
            q.dequantize()
        );
    }

    #[test]
    fn zero_and_non_finite_rows_become_zero() {
        let q = quantize(&[0.0, 0.0, f32::NAN, 1.0], 2);
        assert_eq!(q.scales[0], 0.0);
        assert_eq!(q.values[..2], [0, 0]);
        assert!(q.dequantize().iter().all(|x| x.is_finite()));
    }
}
