//! Every limit polarity keeps, in one place: what a model file may declare, what a label may be,
//! how much text it reads, and the range of every fine-tuning option. Loading checks sizes against
//! these with checked arithmetic, so a crafted file gets an error that names the limit, never a
//! wrapped size (wasm32's `usize` is 32 bits) or an allocation that kills the module.

/// Rows of an embedding table (the shipped model has 46,907).
pub const MAX_TABLE_ROWS: usize = 1 << 22;
/// Width of an embedding table (the shipped model's is 12; the pre-trained one's 64).
pub const MAX_DIMENSIONS: usize = 1024;
/// Values in an embedding table: 64 Mi, 256 MB as `f32`.
pub const MAX_TABLE_VALUES: usize = 1 << 26;
/// Refuses a table of `rows` x `dim` beyond what a model file may hold ([`MAX_TABLE_ROWS`],
/// [`MAX_DIMENSIONS`], [`MAX_TABLE_VALUES`]): a file that declares one, and a training that would
/// make one (and write a file its own loader refuses). `what` begins the message.
pub fn check_table(rows: usize, dim: usize, what: &str) -> Result<(), crate::Error> {
    let values = rows.saturating_mul(dim);
    if rows > MAX_TABLE_ROWS || dim > MAX_DIMENSIONS || values > MAX_TABLE_VALUES {
        return Err(crate::Error::TooLarge(format!(
            "{what} {rows} x {dim} values; polarity reads at most {MAX_TABLE_ROWS} rows of \
             {MAX_DIMENSIONS} dimensions, {MAX_TABLE_VALUES} values in all"
        )));
    }
    Ok(())
}

/// Size of any weight, bias, table value (an int8 scale at most this / 127) or format constant in
/// a model file: trained ones are under 100. With every weight this small, the head's sums stay
/// far from `f32`'s overflow for any text.
pub const MAX_WEIGHT: f32 = 1e6;
/// Bytes of a model file: the largest table (as int8) and vocabulary with room to spare.
pub const MAX_MODEL_BYTES: usize = 3 << 26;
/// Protobuf fields of a model file (the shipped one holds a few hundred): the decoder builds a
/// value of each, and a two-byte field became a few hundred bytes of memory.
pub const MAX_MODEL_FIELDS: usize = 1 << 16;
/// Depth of a model file's nested messages (a polarity model's go 5 deep).
pub const MAX_MODEL_DEPTH: usize = 16;
/// The most occupied slots in a row of a `vocab::WordIndex`. At half load, words make runs of a few
/// dozen (the shipped vocabulary's longest is measured in a test; a run of 150 is about a one in
/// a million chance for the largest vocabulary polarity reads). A file whose words were chosen to
/// share slots (the hash is public) made every insert and every lookup walk one long run: 25 s
/// to load 4.7 MB.
pub const MAX_WORD_INDEX_RUN: usize = 512;
/// Bytes of the vocabulary's word list.
pub const MAX_VOCABULARY_BYTES: usize = 64 << 20;
/// Labels of a classifier (a softmax head has one output each).
pub const MAX_LABELS: usize = 32;
/// Characters of a label name.
pub const MAX_LABEL_CHARS: usize = 100;

/// UTF-16 code units (JavaScript's `text.length`) of a text to classify: 16 Mi, a few novels.
/// The facade checks it before the text is copied into the module's memory.
pub const MAX_TEXT_CHARS: usize = 1 << 24;
/// Fields of one row of a CSV / TSV file (`parseExamples`, `parseTexts`): a file of 64 million
/// commas took 8 GB as one row of as many fields.
pub const MAX_FIELDS: usize = 10_000;
/// UTF-16 code units of a file read by `parseExamples` / `parseTexts`: 128 Mi, about four times
/// the 25,000 IMDB test reviews (32.4 million).
pub const MAX_FILE_CHARS: usize = 1 << 27;
/// [`MAX_TEXT_CHARS`] in UTF-8 bytes, for Rust callers: a UTF-16 code unit is at most 3 of them.
pub const MAX_TEXT_BYTES: usize = 3 * MAX_TEXT_CHARS;
/// Rows of a file (`parseExamples`, `parseTexts`; the lines of a file of one text per line), and
/// texts, examples or rows in one call (`classifyBatch`, `fineTune`, `toCsv`): 8 Mi. Each costs a
/// hundred bytes or so of the module's memory however short: 33 million rows of "x,a" took more
/// than its 4 GB.
pub const MAX_ROWS: usize = 1 << 23;
/// Refuses a text past [`MAX_TEXT_BYTES`], for classify, explain and fine-tuning alike.
pub fn check_text_size(text: &str) -> Result<(), crate::Error> {
    if text.len() > MAX_TEXT_BYTES {
        return Err(crate::Error::TooLarge(format!(
            "the text is {} bytes; polarity reads at most {MAX_TEXT_BYTES} (split it)",
            text.len()
        )));
    }
    Ok(())
}

/// Refuses a text past [`MAX_TEXT_CHARS`] UTF-16 code units, as JavaScript counts its length: for
/// rows of a file read as the page reads it, which `classify` and `fineTune` take back from
/// JavaScript (checked in bytes, a row of 17 million ASCII characters passed the import, then
/// failed every Fine-tune).
pub fn check_text_chars(text: &str) -> Result<(), crate::Error> {
    // A UTF-8 byte is at most one code unit: most texts are not counted.
    if text.len() <= MAX_TEXT_CHARS {
        return Ok(());
    }
    let units = text.encode_utf16().count();
    if units > MAX_TEXT_CHARS {
        return Err(crate::Error::TooLarge(format!(
            "the text has {units} characters; polarity reads at most {MAX_TEXT_CHARS} (split it)"
        )));
    }
    Ok(())
}

/// Refuses work that needs more memory than the allocator can get, before any of it is done:
/// `bytes` (the most the work holds at once, as estimated by the work; tests/memory.rs measures it) are
/// asked for and given back at once, for the work to allocate from. In wasm an allocation that
/// fails traps: JavaScript gets `RuntimeError: unreachable`, and in Node the next
/// `new Classifier()` trapped too. A reservation that fails is this error instead, and nothing
/// changes. Natively the system overcommits, and it passes.
pub fn check_memory(bytes: usize, what: &str) -> Result<(), crate::Error> {
    let mut room: Vec<u8> = Vec::new();
    let reserved = room.try_reserve_exact(bytes);
    // Kept in sight of the optimizer, which may drop an allocation nothing reads.
    std::hint::black_box(&room);
    reserved.map_err(|_| {
        crate::Error::OutOfMemory(format!(
            "not enough memory to {what}: it needs about {} MB more than polarity can get (a \
             page's module has at most 4 GB); free() the classifiers no longer in use",
            bytes.div_ceil(1 << 20)
        ))
    })
}

/// Tokens `explain` weighs one by one (a short book); classify reads any text up to
/// [`MAX_TEXT_CHARS`].
pub const MAX_EXPLAIN_TOKENS: usize = 200_000;

/// More epochs are clamped to this, with a warning.
pub const MAX_EPOCHS: usize = 1000;
/// Larger batches are clamped to this, with a warning (and to the examples there are, without).
pub const MAX_BATCH_SIZE: usize = 100_000;
/// The learning rate is above 0 and at most this.
pub const MAX_LEARNING_RATE: f64 = 1.0;
pub const MAX_VALIDATION_SPLIT: f64 = 0.5;
pub const MAX_EMBEDDING_LEARNING_RATE_SCALE: f64 = 10.0;
/// Fine-tunes averaged into one (`runs`): each costs a whole fine-tune.
pub const MAX_RUNS: usize = 20;
/// 2^53 - 1: the largest whole number a JavaScript number holds exactly.
pub const MAX_SEED: f64 = 9_007_199_254_740_991.0;
/// The most texts a model's file says its head was trained on (2^53 - 1, as a JavaScript number
/// holds it); counts past it stay at it.
pub const MAX_TRAINED_ON: u64 = (1 << 53) - 1;
