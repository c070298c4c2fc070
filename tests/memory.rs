//! The memory a load, a new classifier or a fine-tune holds at once, measured by a counting
//! allocator, against what the work reserves before it starts ([`polarity::limits::check_memory`]):
//! an estimate under the measure would let the work trap in wasm where it should have been an
//! error. And classifiers of the bundled model share it: thousands of them cost one.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use polarity::finetune::{FineTuneOptions, Labelled};
use polarity::{no_progress, Classifier, BUNDLED_MODEL};

/// Counts the bytes allocated now, and the most since [`measure`] last started, but for
/// [`polarity::limits::check_memory`]'s reservation (which would otherwise be the peak): a block
/// of bytes (alignment 1) of a megabyte or more, freed before any other allocation is made.
struct Counting;

static NOW: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);
/// The last allocation that may be a reservation (address, size), not yet counted in [`PEAK`].
static PENDING: Mutex<(usize, usize)> = Mutex::new((0, 0));
/// One measure at a time: the test harness runs tests on threads of one process.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

fn may_be_a_reservation(layout: &Layout) -> bool {
    layout.align() == 1 && layout.size() >= 1 << 20
}

/// Counts the allocation made: at once, or once another follows it if it may be a reservation.
fn allocated(ptr: *mut u8, layout: &Layout) {
    let mut pending = PENDING.lock().unwrap_or_else(|e| e.into_inner());
    let now = NOW.fetch_add(layout.size(), Ordering::SeqCst) + layout.size();
    if pending.1 > 0 {
        PEAK.fetch_max(now - layout.size(), Ordering::SeqCst);
    }
    *pending = (0, 0);
    if may_be_a_reservation(layout) {
        *pending = (ptr as usize, layout.size());
    } else {
        PEAK.fetch_max(now, Ordering::SeqCst);
    }
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let ptr = System.alloc(layout);
        allocated(ptr, &layout);
        ptr
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let ptr = System.alloc_zeroed(layout);
        allocated(ptr, &layout);
        ptr
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        let mut pending = PENDING.lock().unwrap_or_else(|e| e.into_inner());
        if pending.1 > 0 && pending.0 != ptr as usize {
            PEAK.fetch_max(NOW.load(Ordering::SeqCst), Ordering::SeqCst);
        }
        *pending = (0, 0);
        NOW.fetch_sub(layout.size(), Ordering::SeqCst);
        System.dealloc(ptr, layout)
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new: usize) -> *mut u8 {
        let mut pending = PENDING.lock().unwrap_or_else(|e| e.into_inner());
        if pending.1 > 0 {
            PEAK.fetch_max(NOW.load(Ordering::SeqCst), Ordering::SeqCst);
        }
        *pending = (0, 0);
        if new > layout.size() {
            let now = NOW.fetch_add(new - layout.size(), Ordering::SeqCst) + new - layout.size();
            PEAK.fetch_max(now, Ordering::SeqCst);
        } else {
            NOW.fetch_sub(layout.size() - new, Ordering::SeqCst);
        }
        System.realloc(ptr, layout, new)
    }
}

/// Counts a pending allocation in the peak.
fn settle() {
    let mut pending = PENDING.lock().unwrap_or_else(|e| e.into_inner());
    if pending.1 > 0 {
        PEAK.fetch_max(NOW.load(Ordering::SeqCst), Ordering::SeqCst);
    }
    *pending = (0, 0);
}

#[global_allocator]
static COUNTING: Counting = Counting;

/// What `work` gives, the most bytes it held at once beyond those held before, and those it
/// still holds after.
fn measure<T>(work: impl FnOnce() -> T) -> (T, usize, isize) {
    let start = NOW.load(Ordering::SeqCst);
    PEAK.store(start, Ordering::SeqCst);
    let given = work();
    settle();
    let peak = PEAK.load(Ordering::SeqCst) - start;
    let kept = NOW.load(Ordering::SeqCst) as isize - start as isize;
    (given, peak, kept)
}

fn examples(n: usize, words: usize, word: &str, labels: &[&str]) -> Vec<Labelled> {
    let filler = format!("{word} ").repeat(words);
    (0..n)
        .map(|i| {
            serde_json::from_value(serde_json::json!({
                "text": format!("text {i} was good or bad {filler}"),
                "label": labels[i % labels.len()],
            }))
            .unwrap()
        })
        .collect()
}

fn options(json: serde_json::Value) -> FineTuneOptions {
    serde_json::from_value(json).unwrap()
}

#[test]
fn loading_and_training_hold_no_more_than_they_reserve() {
    let _one = ONE_AT_A_TIME.lock().unwrap();
    let files = [
        ("the shipped model", BUNDLED_MODEL.to_vec()),
        (
            "a polarity-1 file (int8)",
            std::fs::read("tests/fixtures/polarity-1.onnx").unwrap(),
        ),
        (
            "a small int8 file",
            std::fs::read("tests/fixtures/polarity-2-int8.onnx").unwrap(),
        ),
    ];
    for (name, bytes) in files {
        let (loaded, peak, _) = measure(|| Classifier::from_bytes(&bytes).unwrap());
        let reserved = Classifier::memory_to_load(bytes.len());
        eprintln!("{name}: load holds {peak} bytes at most, reserves {reserved}");
        assert!(peak <= reserved, "{name}: load holds {peak} > {reserved}");

        // A new classifier: a copy of the model and its file loaded, checked by the load too.
        let labels = ["a", "b", "c"];
        let (fresh, peak, _) = measure(|| {
            loaded
                .from_pretrained(labels.iter().map(|l| l.to_string()).collect(), 1, false)
                .unwrap()
        });
        let reserved = 2 * Classifier::memory_to_load(bytes.len());
        eprintln!("  a new classifier holds {peak} at most, reserves {reserved}");
        assert!(
            peak <= reserved,
            "{name}: from_pretrained holds {peak} > {reserved}"
        );

        // Short words are the most ids per byte of text ("a b a b ...": one word, one bigram and
        // more every two bytes), and `runs` keep the runs' mean beside the run.
        for (set, options) in [
            (
                examples(200, 0, "", &labels),
                options(serde_json::json!({})),
            ),
            (
                examples(2_000, 200, "fine", &labels),
                options(serde_json::json!({"epochs": 2})),
            ),
            (
                examples(300, 20, "fine", &labels),
                options(serde_json::json!({"epochs": 2, "runs": 3})),
            ),
            (
                examples(20_000, 200, "fine", &labels),
                options(serde_json::json!({"epochs": 1, "validationSplit": 0.2})),
            ),
            (
                examples(20_000, 500, "a b", &labels),
                options(serde_json::json!({"epochs": 1})),
            ),
            (
                examples(20_000, 500, "1 2", &labels),
                options(serde_json::json!({"epochs": 1, "runs": 3, "validationSplit": 0.2})),
            ),
            (
                examples(20_000, 1000, "a", &labels),
                options(serde_json::json!({"epochs": 1, "runs": 2})),
            ),
            (
                examples(20_000, 50, "!!!!!!!!!!!!!!!!!!!", &labels),
                options(serde_json::json!({"epochs": 1, "runs": 3, "validationSplit": 0.2})),
            ),
        ] {
            let mut trained = Classifier::from_bytes(&fresh.to_bytes()).unwrap();
            let reserved = trained.memory_to_fine_tune(&set);
            let (report, peak, _) =
                measure(|| trained.fine_tune_examples(&set, &options, &mut no_progress));
            report.unwrap();
            let text: usize = set.iter().map(|e| e.text.len()).sum();
            eprintln!(
                "  fine-tuning on {} examples ({text} bytes) holds {peak} at most, reserves \
                 {reserved}",
                set.len()
            );
            assert!(
                peak <= reserved,
                "{name}: fine-tune holds {peak} > {reserved}"
            );
        }
    }
}

#[test]
fn classifiers_of_the_bundled_model_share_it() {
    let _one = ONE_AT_A_TIME.lock().unwrap();
    let (first, _, one) = measure(|| Classifier::bundled().unwrap());
    let (many, _, all) = measure(|| {
        (0..1000)
            .map(|_| Classifier::bundled().unwrap())
            .collect::<Vec<_>>()
    });
    eprintln!("one bundled classifier keeps {one} bytes; 1000 more keep {all}");
    assert!(one > 1 << 20, "{one}");
    assert!(
        all < 1 << 20,
        "1000 classifiers of the bundled model keep {all} bytes"
    );
    let text = "Not bad at all, a film I would see again.";
    assert_eq!(
        many[999].classify(text).unwrap(),
        first.classify(text).unwrap()
    );
    // Freed, and made again.
    drop((first, many));
    let (again, _, kept) = measure(|| Classifier::bundled().unwrap());
    assert!(kept > 1 << 20, "{kept}");
    assert_eq!(again.info(), Classifier::bundled().unwrap().info());
}

#[test]
fn a_reservation_that_cannot_be_made_is_an_error_in_words() {
    let _one = ONE_AT_A_TIME.lock().unwrap();
    let error = polarity::limits::check_memory(usize::MAX, "do this").unwrap_err();
    assert!(
        matches!(error, polarity::Error::OutOfMemory(_)),
        "{error:?}"
    );
    assert!(
        error
            .to_string()
            .starts_with("not enough memory to do this"),
        "{error}"
    );
    assert!(polarity::limits::check_memory(1 << 20, "do this").is_ok());
}

#[test]
fn reading_long_texts_holds_no_more_than_it_reserves() {
    let _one = ONE_AT_A_TIME.lock().unwrap();
    let clf = Classifier::bundled().unwrap();
    // A token every 1.5 bytes ("!? "), every 2 ("a b "), and a review's sentence.
    for unit in ["!? ", "a b ", "A dull film with a great cast. "] {
        let text = unit.repeat((1 << 24) / unit.len());
        let (_, peak, _) = measure(|| clf.classify(&text).unwrap());
        let reserved = Classifier::memory_to_read(&[&text]);
        eprintln!(
            "classify of {unit:?} x {}: holds {peak} at most, reserves {reserved}",
            text.len()
        );
        assert!(
            peak <= reserved,
            "{unit:?}: classify holds {peak} > {reserved}"
        );
        let batch: Vec<&str> = text
            .as_bytes()
            .chunks(unit.len() * 300)
            .map(|c| std::str::from_utf8(c).unwrap())
            .collect();
        let (_, peak, _) = measure(|| clf.classify_batch(&batch).unwrap());
        let reserved = Classifier::memory_to_read(&batch);
        eprintln!(
            "  in a batch of {}: holds {peak} at most, reserves {reserved}",
            batch.len()
        );
        assert!(
            peak <= reserved,
            "{unit:?}: classify_batch holds {peak} > {reserved}"
        );
    }
}
