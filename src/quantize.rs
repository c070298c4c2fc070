//! Int8 quantization of the embedding table, one scale per row.
//!
//! Rows differ a lot in norm (frequent words, rare bigrams), so a per-row symmetric scale keeps
//! every row's relative error at most 1/254 of its largest entry; the dense head stays `f32`.

/// An embedding table stored as `i8` with one `f32` scale per row: value = `q * scale`.
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
            max / 127.0
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

impl QuantizedTable {
    /// The `f32` table these values stand for.
    pub fn dequantize(&self) -> Vec<f32> {
        self.values
            .chunks_exact(self.dim)
            .zip(&self.scales)
            .flat_map(|(row, &scale)| row.iter().map(move |&q| q as f32 * scale))
            .collect()
    }
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
            let step = max / 127.0;
            for (a, b) in orig.iter().zip(deq) {
                assert!((a - b).abs() <= step * 0.5 + 1e-6, "row {r}: {a} vs {b}");
            }
            // The largest entry is exact up to f32 rounding.
            assert!(orig
                .iter()
                .zip(deq)
                .any(|(a, b)| a.abs() == max && (a - b).abs() <= max * 1e-6));
        }
    }

    #[test]
    fn zero_and_non_finite_rows_become_zero() {
        let q = quantize(&[0.0, 0.0, f32::NAN, 1.0], 2);
        assert_eq!(q.scales[0], 0.0);
        assert_eq!(q.values[..2], [0, 0]);
        assert!(q.dequantize().iter().all(|x| x.is_finite()));
    }
}
