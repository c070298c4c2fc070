//! The embedding table as a model file stores it: one rule per format, in this file only. The
//! dense head stays `f32` in every format.
//!
//! - **int4** (what `polarity train` writes since the int4 change): each value is one of 16 fixed
//!   levels ([`LEVELS`]) times its row's scale, and each row's scale is one byte ([`scale_of`]:
//!   0 is a zero row, 1-255 steps of 2^(1/16) on a fixed grid). Two values share a byte: byte `j`
//!   of a row holds dimension `j` in its high nibble and dimension `j + ceil(dim / 2)` in its low
//!   one (0 past the last dimension of an odd width). 12 dimensions take 7 bytes a row.
//! - **int8** (every file written before): each value is `q * scale` with `q` in -127..=127 and one
//!   `f16` scale per row, rounded up so that no entry clips. 12 dimensions take 14 bytes a row.
//!
//! Rows differ a lot in norm (frequent words, rare bigrams), hence a scale per row. A model keeps
//! the format of the file it came from ([`Format`]), and quantizing a table that already is one
//! of a format's tables gives that same table back, so saving a loaded model writes what it read.

use tract_onnx::prelude::f16;

/// How a model's embedding table is stored in its file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Format {
    /// `i8` values, one `f16` scale per row: every file written before int4.
    Int8,
    /// 4-bit codes into `LEVELS`, one scale byte per row: what new models are written in.
    #[default]
    Int4,
}

impl Format {
    /// Its name, as `Classifier.info().quantization` gives it: "int8" or "int4".
    pub fn name(self) -> &'static str {
        match self {
            Format::Int8 => "int8",
            Format::Int4 => "int4",
        }
    }

    /// The format of a name given to [`Format::name`], if any.
    pub fn from_name(name: &str) -> Option<Format> {
        [Format::Int8, Format::Int4]
            .into_iter()
            .find(|f| f.name() == name)
    }

    /// One line for the model card.
    pub fn describe(self) -> &'static str {
        match self {
            Format::Int8 => "int8 with one float16 scale per row",
            Format::Int4 => {
                "int4 (16 fixed levels, two values a byte) with one byte of log-scale per row"
            }
        }
    }
}

/// A table quantized in one of the [`Format`]s.
#[derive(Clone, Debug, PartialEq)]
pub enum Quantized {
    Int8(QuantizedTable),
    Int4(Int4Table),
}

/// Quantizes a row-major `rows x dim` table (`dim` non-zero) in `format`.
pub fn quantize(table: &[f32], dim: usize, format: Format) -> Quantized {
    match format {
        Format::Int8 => Quantized::Int8(quantize8(table, dim)),
        Format::Int4 => Quantized::Int4(quantize4(table, dim)),
    }
}

impl Quantized {
    /// The `f32` table these values stand for.
    pub fn dequantize(&self) -> Vec<f32> {
        match self {
            Quantized::Int8(t) => t.dequantize(),
            Quantized::Int4(t) => t.dequantize(),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// int4

/// The 16 levels of an int4 value, in units of its row's scale: -1 and 1 at the ends, the 14
/// between them fitted once by Lloyd's algorithm (k-means in one dimension) to the entries of the
/// shipped 46,907 x 12 table divided by their row's scale, with the scales chosen as
/// [`quantize4`] chooses them. Measured on the validation split, this codebook cut the squared
/// error of the table by 12% against the NF4 levels of QLoRA, and one codebook per dimension
/// gained nothing more (0.6%). A constant of the format: every int4 file holds exactly these.
pub const LEVELS: [f32; 16] = [
    -1.0, -0.756, -0.573, -0.429, -0.307, -0.201, -0.103, -0.012, 0.077, 0.165, 0.256, 0.354,
    0.469, 0.604, 0.778, 1.0,
];

/// Scale byte `b` (1-255) stands for 2^((b - SCALE_BIAS) / 16): from 5.2e-4 to 30.7. The rows of
/// the shipped table reach from 0.0084 to 4.8, those of model/pretrained.onnx from 0.00048 to 0.8.
const SCALE_BIAS: i32 = 176;

/// Scales tried below the smallest one that holds a row's largest entry: a smaller scale clips
/// that entry to +-1 but places the others more finely, and the one with the least squared
/// error wins (8 steps: a quarter less error than always taking the first).
const SCALE_SEARCH: u8 = 8;

/// The scale that scale byte `code` stands for: 0 for 0 (a zero row), else
/// 2^((code - 176) / 16), exactly (a power of two times one of 16 constants), so every build
/// and every engine reading the file's table of them agrees to the bit.
pub fn scale_of(code: u8) -> f32 {
    /// 2^(i / 16), i = 0..16.
    const STEPS: [f32; 16] = [
        1.0,
        1.044_273_8,
        1.090_507_7,
        1.138_788_6,
        1.189_207_1,
        1.241_857_8,
        1.296_839_6,
        1.354_255_5,
        std::f32::consts::SQRT_2,
        1.476_826_1,
        1.542_210_8,
        1.610_490_3,
        1.681_792_8,
        1.756_252_2,
        1.834_008_1,
        1.915_206_6,
    ];
    if code == 0 {
        return 0.0;
    }
    let j = i32::from(code) - SCALE_BIAS;
    // 2^floor(j / 16) as f32 bits: exponents -11 to 4, all normal.
    let power = f32::from_bits(((127 + j.div_euclid(16)) as u32) << 23);
    STEPS[j.rem_euclid(16) as usize] * power
}

/// [`scale_of`] every byte: what an int4 file's `scale_table` initializer holds.
pub fn scale_table() -> [f32; 256] {
    std::array::from_fn(|b| scale_of(b as u8))
}

/// The bytes of a zero row: level 8 (0.077) in both nibbles, times scale 0.
const ZERO_ROW: u8 = 0x88;

/// Bytes per row of an int4 table of `dim` dimensions.
pub fn int4_width(dim: usize) -> usize {
    dim.div_ceil(2)
}

/// An int4 table: codes packed two a byte (see the module), one scale byte per row.
#[derive(Clone, Debug, PartialEq)]
pub struct Int4Table {
    pub rows: usize,
    pub dim: usize,
    /// `rows x int4_width(dim)` bytes.
    pub packed: Vec<u8>,
    /// One [`scale_of`] byte per row.
    pub scales: Vec<u8>,
}

/// Halfway between neighbouring levels: the level nearest `u` is the number of these below it.
const MIDPOINTS: [f32; 15] = {
    let mut m = [0f32; 15];
    let mut i = 0;
    while i < 15 {
        m[i] = (LEVELS[i] + LEVELS[i + 1]) / 2.0;
        i += 1;
    }
    m
};

/// For each of 128 equal slices of [-1, 1), the midpoints below it (less a margin for
/// rounding): where [`nearest_level`]'s count starts. A slice and its margin (0.017) are
/// narrower than any gap between midpoints (0.088), so at most one more lies below `u`.
const BELOW: [u8; 128] = {
    let mut below = [0u8; 128];
    let mut b = 0;
    while b < 128 {
        let lower = -1.0 + b as f32 / 64.0 - 1.0 / 1024.0;
        let mut n = 0;
        while n < 15 && MIDPOINTS[n] < lower {
            n += 1;
        }
        below[b] = n as u8;
        b += 1;
    }
    below
};

/// The level nearest `u` (the lower of two at the same distance): the number of
/// [`MIDPOINTS`] below `u`, counted from its slice's [`BELOW`]. Quantizing a table calls this
/// for every value and scale tried, so it is a table lookup rather than a search.
fn nearest_level(u: f32) -> u8 {
    /// The midpoints, and one past them that nothing is above.
    const NEXT: [f32; 16] = {
        let mut next = [f32::INFINITY; 16];
        let mut i = 0;
        while i < 15 {
            next[i] = MIDPOINTS[i];
            i += 1;
        }
        next
    };
    // `as` saturates: below -1 (and NaN) to slice 0, past 1 to the last.
    let slice = (((u + 1.0) * 64.0) as usize).min(127);
    let n = BELOW[slice];
    n + u8::from(NEXT[usize::from(n)] < u)
}

/// Quantizes a row-major `rows x dim` table (`dim` non-zero) to int4. A row with a non-finite
/// value, or all zeros, becomes a zero row.
///
/// Each row's scale is the grid's smallest that holds its largest entry at +-1, or one of the
/// [`SCALE_SEARCH`] below it (clipping that entry to +-1), whichever leaves the least squared
/// error; each value then takes its nearest level. So a row's largest entry always lands on -1
/// or 1 (no inner level is within 0.9 of them), and quantizing a dequantized table gives it back.
pub fn quantize4(table: &[f32], dim: usize) -> Int4Table {
    let rows = table.len() / dim;
    let width = int4_width(dim);
    let grid = scale_table();
    let mut packed = vec![0u8; rows * width];
    let mut scales = vec![0u8; rows];
    let mut codes = vec![0u8; dim];
    for (r, row) in table.chunks_exact(dim).enumerate() {
        let max = row.iter().fold(0f32, |m, x| m.max(x.abs()));
        let out = &mut packed[r * width..][..width];
        // (`f32::max` passes NaN over: `max` is never NaN.)
        if max == 0.0 || row.iter().any(|x| !x.is_finite()) {
            // A zero row: scale 0, and the codes of a positive level, so that it reads as +0.
            out.fill(ZERO_ROW);
            continue;
        }
        // The smallest scale >= max (grid[1..] ascends), or the largest.
        let top = (1 + grid[1..].partition_point(|&s| s < max)).min(255) as u8;
        let error = |code: u8| {
            let s = grid[code as usize];
            row.iter()
                .map(|&x| {
                    let d = x - LEVELS[nearest_level(x / s) as usize] * s;
                    d * d
                })
                .sum::<f32>()
        };
        let mut best = (error(top), top);
        // A row that is exact at that scale (a loaded or re-saved table's, but for the rows that
        // fine-tuning moved) needs no search.
        let lowest = if best.0 == 0.0 {
            top
        } else {
            top.saturating_sub(SCALE_SEARCH).max(1)
        };
        for code in (lowest..top).rev() {
            let e = error(code);
            if e < best.0 {
                best = (e, code);
            }
        }
        let s = grid[best.1 as usize];
        scales[r] = best.1;
        for (c, &x) in codes.iter_mut().zip(row) {
            *c = nearest_level(x / s);
        }
        for (j, byte) in out.iter_mut().enumerate() {
            *byte = codes[j] << 4 | codes.get(j + width).copied().unwrap_or(0);
        }
    }
    Int4Table {
        rows,
        dim,
        packed,
        scales,
    }
}

/// The first row of an int4 table (as a file stores it) that [`quantize4`] would not write back as
/// it is: a row above the smallest scale none of whose values is at -1 or 1 (codes 0 and 15). Read back
/// and saved again, such a row takes a smaller scale and its values move, so a model saved
/// without a change would score differently from the one loaded.
pub fn loose_row4(packed: &[u8], scales: &[u8], dim: usize) -> Option<usize> {
    let width = int4_width(dim);
    // Plain loops: a load runs this once, in V8's baseline compiler (see `dequantize_rows`).
    for (r, (bytes, &code)) in packed.chunks_exact(width.max(1)).zip(scales).enumerate() {
        // Scale 1, the smallest, also holds rows too small to reach -1 or 1 at it.
        if code <= 1 {
            continue;
        }
        let mut edge = false;
        for (j, &b) in bytes.iter().enumerate() {
            let high = b >> 4;
            // The low nibble of byte j is value j + width, or padding past `dim`.
            let low = if j + width < dim { b & 15 } else { 7 };
            if high == 0 || high == 15 || low == 0 || low == 15 {
                edge = true;
                break;
            }
        }
        if !edge {
            return Some(r);
        }
    }
    None
}

impl Int4Table {
    /// The `f32` table these values stand for.
    pub fn dequantize(&self) -> Vec<f32> {
        dequantize4(&self.packed, &self.scales, self.dim)
    }
}

/// The `f32` table of int4 bytes as a file stores them: `LEVELS[code] * scale_of(byte)` for each
/// value, in one `f32` product (what the ONNX graph computes). `packed` holds
/// `scales.len() x int4_width(dim)` bytes (the caller has checked).
pub fn dequantize4(packed: &[u8], scales: &[u8], dim: usize) -> Vec<f32> {
    let width = int4_width(dim);
    let grid = scale_table();
    // Written once, row by row, not zeroed first: the table is most of a cold start's memory.
    let mut table = Vec::with_capacity(scales.len() * dim);
    for (bytes, &code) in packed.chunks_exact(width.max(1)).zip(scales) {
        let s = grid[code as usize];
        // A row's first `width` values are its bytes' high halves, the rest their low halves.
        table.extend(bytes.iter().map(|&b| LEVELS[usize::from(b >> 4)] * s));
        table.extend(
            bytes[..dim - width]
                .iter()
                .map(|&b| LEVELS[usize::from(b & 15)] * s),
        );
    }
    table.resize(scales.len() * dim, 0.0);
    table
}

// ---------------------------------------------------------------------------------------------
// int8

/// An embedding table stored as `i8` with one scale per row: value = `q * scale`. Every scale is
/// exactly representable as `f16`.
#[derive(Clone, Debug, PartialEq)]
pub struct QuantizedTable {
    pub rows: usize,
    pub dim: usize,
    pub values: Vec<i8>,
    pub scales: Vec<f32>,
}

/// Quantizes a row-major `rows x dim` table to int8. `dim` must be non-zero.
pub fn quantize8(table: &[f32], dim: usize) -> QuantizedTable {
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
                return 0;
            }
            // The largest entry rounds away from zero, so that read back it asks for this very
            // scale: with a subnormal scale (a row under 7.8e-3) the next one down is much
            // smaller, and an entry rounded down could choose it, moving the whole row.
            let q = x / scale;
            let q = if x.abs() == max {
                q.abs().ceil().copysign(q)
            } else {
                q.round()
            };
            q.clamp(-127.0, 127.0) as i8
        }));
    }
    QuantizedTable {
        rows,
        dim,
        values,
        scales,
    }
}

/// The largest int8 scale a file may hold: the largest `f16` at most `MAX_WEIGHT / 127`, so that
/// each table value is at most [`int8_table_limit`].
pub fn int8_scale_limit() -> f32 {
    let x = crate::limits::MAX_WEIGHT / 127.0;
    let h = f16::from_f32(x);
    let h = if h.to_f32() > x {
        f16::from_bits(h.to_bits() - 1)
    } else {
        h
    };
    h.to_f32()
}

/// The largest table value a model may hold: 127 x [`int8_scale_limit`] (999,744), under
/// `MAX_WEIGHT`. A table within it is saved as int8 at a scale within the limit, which loads.
pub fn int8_table_limit() -> f32 {
    127.0 * int8_scale_limit()
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

/// The first row of an int8 table that [`quantize8`] would not write back as it is: a row whose
/// largest value asks for another scale than its own (see [`loose_row4`]), that is any row
/// without -127 or 127 at a normal `f16` scale. Rows at a subnormal scale (values under 8e-3) are
/// let be: polarity wrote them rounded to the nearest step before 2026-12-04, below their scale
/// at times, and saved again they move by less than 1e-5.
pub fn loose_row8(values: &[u8], scales: &[f32], dim: usize) -> Option<usize> {
    // Plain loops: a load runs this once, in V8's baseline compiler (see `dequantize_rows`).
    for (r, (row, &scale)) in values.chunks_exact(dim.max(1)).zip(scales).enumerate() {
        if scale < f16::MIN_POSITIVE.to_f32() {
            continue;
        }
        let mut largest = 0u8;
        for &b in row {
            largest = largest.max((b as i8).unsigned_abs());
            if largest == 127 {
                break; // the most there is (-128 is refused before)
            }
        }
        // As `quantize8` reads the row back: its largest value, then the scale that asks for.
        let max = f32::from(largest) * scale;
        if max != 0.0 && f16_at_least(max / 127.0) != scale {
            return Some(r);
        }
    }
    None
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
    fn what_quantizing_writes_is_never_a_loose_row() {
        // Rows of every size, down to the subnormal f16 scales of int8, and zero rows.
        let mut rng = Rng::new(11);
        let dim = 7;
        let table: Vec<f32> = (0..dim * 3000)
            .map(|i| {
                let size = 10f32.powi(-((i / dim % 9) as i32)) * 3.0;
                if i / dim % 13 == 0 {
                    0.0
                } else {
                    rng.symmetric(size)
                }
            })
            .collect();
        let q8 = quantize8(&table, dim);
        let bytes: Vec<u8> = q8.values.iter().map(|&v| v as u8).collect();
        assert_eq!(loose_row8(&bytes, &q8.scales, dim), None);
        let q4 = quantize4(&table, dim);
        assert_eq!(loose_row4(&q4.packed, &q4.scales, dim), None);
        // And what they mean: read back and quantized again, the same bytes.
        assert_eq!(quantize8(&q8.dequantize(), dim), q8);
        assert_eq!(quantize4(&q4.dequantize(), dim).packed, q4.packed);
        // A row moved one step in from its edge is loose, and found (row 1: values up to 0.3).
        let mut moved = bytes.clone();
        let row = dim..2 * dim;
        for b in &mut moved[row.clone()] {
            *b = (*b as i8).clamp(-126, 126) as u8;
        }
        let has_edge = bytes[row].iter().any(|&b| (b as i8).unsigned_abs() == 127);
        assert!(
            has_edge && q8.scales[1] > 6.2e-5,
            "row 1 must be a normal row to move"
        );
        assert_eq!(loose_row8(&moved, &q8.scales, dim), Some(1));
        let mut packed = q4.packed.clone();
        let width = int4_width(dim);
        assert!(q4.scales[1] > 1);
        for b in &mut packed[width..2 * width] {
            let nudge = |c: u8| c.clamp(1, 14);
            *b = nudge(*b >> 4) << 4 | nudge(*b & 15);
        }
        assert_eq!(loose_row4(&packed, &q4.scales, dim), Some(1));
        // A subnormal scale's row as polarity wrote it before 2026-12-04 (the largest value
        // rounded to the nearest step, 95 of scale 4 x 2^-24) loads.
        let old = [95u8, 0, 0, 0, 0, 0, 0];
        assert_eq!(loose_row8(&old, &[4.0 * 2f32.powi(-24)], dim), None);
    }

    #[test]
    fn a_table_within_the_limit_is_saved_at_a_scale_that_loads() {
        assert_eq!(int8_scale_limit(), 7872.0);
        assert!(int8_table_limit() <= crate::limits::MAX_WEIGHT);
        // The largest value training keeps, and values just under it, ask for a scale in bounds.
        for max in [int8_table_limit(), 999_700.0, 999_000.0, 1.0] {
            let q = quantize8(&[max, -max / 3.0], 2);
            assert!(q.scales[0] <= int8_scale_limit(), "{max}: {}", q.scales[0]);
        }
    }

    #[test]
    fn error_is_at_most_half_a_step_per_row() {
        let mut rng = Rng::new(3);
        let dim = 16;
        let table: Vec<f32> = (0..dim * 500)
            .map(|i| rng.symmetric(1.0) * (1 + i / dim % 7) as f32)
            .collect();
        let q = quantize8(&table, dim);
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
        let q = quantize8(&table, 8);
        assert_eq!(quantize8(&q.dequantize(), 8), q);
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

    /// Rows small enough for a subnormal `f16` scale (under 6.1e-5, a row under 7.8e-3), where
    /// neighbouring scales differ by much more than one part in 254: the largest entry rounded
    /// down would make the next save choose a smaller scale and move every entry of the row.
    #[test]
    fn quantizing_twice_changes_nothing_for_tiny_rows() {
        let mut rng = Rng::new(5);
        let dim = 8;
        let table: Vec<f32> = (0..dim * 2_000)
            .map(|i| rng.symmetric(1.0) * 1e-7 * 1.005f32.powi((i / dim) as i32))
            .collect();
        let q = quantize8(&table, dim);
        assert!(q.scales.iter().any(|&s| s > 0.0 && s < 6.1e-5));
        let again = quantize8(&q.dequantize(), dim);
        let moved: Vec<usize> = (0..q.rows)
            .filter(|&r| {
                let row = r * dim..(r + 1) * dim;
                again.scales[r] != q.scales[r] || again.values[row.clone()] != q.values[row]
            })
            .collect();
        assert!(
            moved.is_empty(),
            "{} rows moved, first {:?}",
            moved.len(),
            moved.first()
        );
        let back = q.dequantize();
        for (r, (orig, deq)) in table.chunks(dim).zip(back.chunks(dim)).enumerate() {
            for (a, b) in orig.iter().zip(deq) {
                assert!((a - b).abs() <= q.scales[r], "row {r}: {a} vs {b}");
            }
        }
    }

    #[test]
    fn zero_and_non_finite_rows_become_zero() {
        let q = quantize8(&[0.0, 0.0, f32::NAN, 1.0], 2);
        assert_eq!(q.scales[0], 0.0);
        assert_eq!(q.values[..2], [0, 0]);
        assert!(q.dequantize().iter().all(|x| x.is_finite()));
    }

    /// Rows of every size the grid holds, and a few past its ends.
    fn varied_table(dim: usize, rows: usize, seed: u64) -> Vec<f32> {
        let mut rng = Rng::new(seed);
        (0..rows * dim)
            .map(|i| {
                let size = [1e-5, 3e-4, 0.01, 0.3, 1.0, 4.0, 25.0, 100.0][i / dim % 8];
                rng.symmetric(1.0) * size
            })
            .collect()
    }

    #[test]
    fn the_scale_grid_is_exact_and_ascending() {
        let grid = scale_table();
        assert_eq!(grid[0], 0.0);
        assert_eq!(grid[SCALE_BIAS as usize], 1.0);
        assert_eq!(grid[SCALE_BIAS as usize + 16], 2.0);
        assert_eq!(grid[SCALE_BIAS as usize - 16], 0.5);
        for b in 1..256 {
            let exact = 2f64.powf((b as f64 - SCALE_BIAS as f64) / 16.0);
            assert!((grid[b] as f64 / exact - 1.0).abs() < 1e-7, "{b}");
            assert!(grid[b] > grid[b - 1]);
        }
        assert!(grid[1] < 5.3e-4 && grid[255] > 30.0);
    }

    #[test]
    fn levels_are_sorted_and_only_the_ends_are_near_one() {
        assert!(LEVELS.windows(2).all(|w| w[0] < w[1]));
        assert_eq!((LEVELS[0], LEVELS[15]), (-1.0, 1.0));
        // The largest entry of a row (at least 2^(-1/16) of its scale) always lands on +-1.
        assert!(LEVELS[1..15].iter().all(|l| l.abs() < 0.9));
        for (i, &l) in LEVELS.iter().enumerate() {
            assert_eq!(nearest_level(l), i as u8);
        }
        assert_eq!(nearest_level(f32::INFINITY), 15);
        assert_eq!(nearest_level(-7.0), 0);
        // The lookup counts exactly the midpoints below, at and around every one of them too.
        let mut rng = Rng::new(5);
        let mut values: Vec<f32> = (0..100_000).map(|_| rng.symmetric(1.3)).collect();
        for m in MIDPOINTS {
            values.extend([m, m.next_down(), m.next_up()]);
        }
        for b in 0..=128 {
            let edge = -1.0 + b as f32 / 64.0;
            values.extend([edge, edge.next_down(), edge.next_up()]);
        }
        for u in values {
            let count = MIDPOINTS.iter().filter(|&&m| m < u).count() as u8;
            assert_eq!(nearest_level(u), count, "{u}");
        }
    }

    #[test]
    fn int4_error_is_within_half_the_widest_gap_of_each_row() {
        for dim in [12, 7, 1, 64] {
            let table = varied_table(dim, 400, dim as u64);
            let q = quantize4(&table, dim);
            assert_eq!(q.packed.len(), 400 * int4_width(dim));
            let back = q.dequantize();
            let widest = LEVELS.windows(2).map(|w| w[1] - w[0]).fold(0f32, f32::max);
            for (r, (orig, deq)) in table.chunks(dim).zip(back.chunks(dim)).enumerate() {
                let max = orig.iter().fold(0f32, |m, x| m.max(x.abs()));
                let s = scale_of(q.scales[r]);
                if max > scale_of(255) {
                    continue; // past the grid: clipped
                }
                // The chosen scale is within the search below the one that holds the largest entry.
                assert!(s <= max * 2f32.powf(1.0 / 16.0) * 1.000_001 || q.scales[r] == 1);
                assert!(
                    s >= max * 2f32.powf(-(SCALE_SEARCH as f32 + 1.0) / 16.0) || q.scales[r] == 1
                );
                for (a, b) in orig.iter().zip(deq) {
                    // Within the grid, an entry past the scale is clipped by at most the search.
                    let limit = (widest / 2.0 * s).max(a.abs() - s) + 1e-6 * max;
                    assert!((a - b).abs() <= limit, "dim {dim} row {r}: {a} vs {b}");
                }
            }
        }
    }

    #[test]
    fn int4_quantizing_twice_changes_nothing() {
        for dim in [12, 7, 2, 64] {
            let table = varied_table(dim, 800, 40 + dim as u64);
            let q = quantize4(&table, dim);
            let again = quantize4(&q.dequantize(), dim);
            assert_eq!(again, q, "dim {dim}");
            assert_eq!(dequantize4(&q.packed, &q.scales, dim), q.dequantize());
            // The format itself, value by value: the first `width` codes in the high nibbles,
            // the rest in the low ones, each level times its row's scale.
            let width = int4_width(dim);
            let table = dequantize4(&q.packed, &q.scales, dim);
            for (r, row) in table.chunks_exact(dim).enumerate() {
                let scale = scale_table()[usize::from(q.scales[r])];
                for (j, &v) in row.iter().enumerate() {
                    let b = q.packed[r * width + j % width];
                    let code = if j < width { b >> 4 } else { b & 15 };
                    assert_eq!(v.to_bits(), (LEVELS[usize::from(code)] * scale).to_bits());
                }
            }
        }
    }

    #[test]
    fn int4_zero_and_non_finite_rows_become_plus_zero() {
        let q = quantize4(&[0.0, 0.0, 0.0, f32::NAN, 1.0, 2.0, -1.0, 0.5, 0.25], 3);
        assert_eq!(q.scales[..2], [0, 0]);
        let back = q.dequantize();
        assert!(back[..6].iter().all(|x| *x == 0.0 && x.is_sign_positive()));
        assert_eq!(
            back[6..],
            [-1.0, 0.5, 0.25].map(|x| {
                let s = scale_of(q.scales[2]);
                LEVELS[nearest_level(x / s) as usize] * s
            })
        );
        assert_eq!(
            quantize(&[2.0, -2.0], 2, Format::Int4).dequantize(),
            [2.0, -2.0]
        );
    }

    #[test]
    fn int4_codes_are_packed_high_then_low() {
        // dim 5: byte j holds dimensions j (high nibble) and j + 3 (low), the last low nibble 0.
        let row = [1.0, -1.0, 0.0, 0.469, -0.307];
        let q = quantize4(&row, 5);
        assert_eq!(q.scales, [SCALE_BIAS as u8]); // scale 1
        assert_eq!(q.packed, [0xfc, 0x04, 0x70]);
        assert_eq!(q.dequantize(), [1.0, -1.0, -0.012, 0.469, -0.307]);
    }

    #[test]
    fn formats_have_names() {
        for f in [Format::Int8, Format::Int4] {
            assert_eq!(Format::from_name(f.name()), Some(f));
        }
        assert_eq!(Format::default(), Format::Int4);
        assert_eq!(Format::from_name("int2"), None);
    }
}
