#!/usr/bin/env python3
"""Cross-checks polarity's ONNX files against the reference ONNX tooling.

For each model: `onnx.checker.check_model(full_check=True)` must accept it, and onnxruntime must
give the same P(positive) as tract (via `polarity dump`) within 1e-5 on every review, or for a
model of more than two labels every label's probability: the handwritten fixture always, plus a
fixed sample of IMDB test where the data is present. The models are model/*.onnx, one of them
fine-tuned by polarity, and a 3-label classifier taught from tests/fixtures/feedback.tsv.
Prints `N passed, N failed` and exits non-zero on any failure.
"""

import argparse
import gzip
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx
import onnxruntime as ort

TOLERANCE = 1e-5
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def dump(polarity, model, data):
    """Token ids and tract's score per review, from `polarity dump`."""
    out = subprocess.run(
        [polarity, "dump", "--model", model, "--data", data],
        check=True, capture_output=True, text=True,
    ).stdout
    rows = [json.loads(line) for line in out.splitlines() if line.strip()]
    if not rows:
        raise SystemExit(f"polarity dump gave no rows for {data}")
    return rows


def onnxruntime_scores(model, rows, batch=64):
    """onnxruntime's output per review: P(first label), or every label's probability."""
    session = ort.InferenceSession(model, providers=["CPUExecutionProvider"])
    output = session.get_outputs()[0].name
    scores = []
    for start in range(0, len(rows), batch):
        chunk = rows[start:start + batch]
        length = max(1, max(len(r["ids"]) for r in chunk))
        ids = np.zeros((len(chunk), length), dtype=np.int64)
        for i, r in enumerate(chunk):
            ids[i, :len(r["ids"])] = r["ids"]
        (out,) = session.run([output], {"ids": ids})
        scores.extend(out[:, 0].tolist() if output == "score" else out.tolist())
    return scores


def difference(row, theirs):
    """Largest |tract - onnxruntime| over what the model gives for one review (NaN if either is)."""
    if "probabilities" in row:
        # zip() would compare only the labels both give.
        if len(row["probabilities"]) != len(theirs):
            raise SystemExit(f"tract gives {len(row['probabilities'])} probabilities, onnxruntime {len(theirs)}")
        return float(np.max(np.abs(np.subtract(row["probabilities"], theirs))))
    return abs(row["score"] - theirs)


def count_reviews(path):
    """Reviews in a TSV of the kind checked here: its lines but for blank ones and # comments."""
    with open(path, encoding="utf-8") as f:
        return sum(1 for line in f if line.strip() and not line.startswith("#"))


def imdb_sample(data_dir, every=83):
    """Every 83rd IMDB test review (about 300, both labels), as a temporary TSV."""
    path = os.path.join(data_dir, "imdb", "test.tsv.gz")
    if not os.path.exists(path):
        return None
    with gzip.open(path, "rt", encoding="utf-8") as f:
        lines = [line for i, line in enumerate(f) if i % every == 0]
    tmp = tempfile.NamedTemporaryFile("w", suffix=".tsv", delete=False, encoding="utf-8")
    tmp.writelines(lines)
    tmp.close()
    return tmp.name


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--polarity", required=True, help="the polarity binary")
    parser.add_argument("--data", required=True, help="the data folder (make test passes it)")
    parser.add_argument("--model", action="append", help="ONNX files (default: model/*.onnx)")
    args = parser.parse_args()

    models = args.model or sorted(
        os.path.join(ROOT, "model", f) for f in os.listdir(os.path.join(ROOT, "model"))
        if f.endswith(".onnx")
    )
    fixture = os.path.join(ROOT, "tests", "fixtures", "reviews.tsv")
    datasets = [fixture]
    # A model fine-tuned by polarity itself: what toBytes() hands to other engines.
    tuned_dir = tempfile.mkdtemp()
    tuned = os.path.join(tuned_dir, "fine-tuned.onnx")
    subprocess.run(
        [args.polarity, "fine-tune", "--model", models[0], "--data", fixture, "--out", tuned, "--epochs", "5"],
        check=True, capture_output=True,
    )
    models.append(tuned)
    three = os.path.join(tuned_dir, "three-labels.onnx")
    subprocess.run(
        [args.polarity, "fine-tune", "--labels", "praise,complaint,question", "--data",
         os.path.join(ROOT, "tests", "fixtures", "feedback.tsv"), "--out", three, "--epochs", "20"],
        check=True, capture_output=True,
    )
    models.append(three)
    sample = imdb_sample(args.data)
    if sample:
        datasets.append(sample)
    else:
        print("!! SKIPPED the IMDB sample: no imdb/test.tsv.gz under", args.data,
              "(the handwritten fixture is still checked)")

    passed = failed = 0
    for model in models:
        name = os.path.relpath(model, ROOT)
        if model == tuned:
            name = f"{os.path.relpath(models[0], ROOT)} fine-tuned on the fixture"
        if model == three:
            name = "a 3-label classifier (praise / complaint / question)"

        try:
            onnx.checker.check_model(onnx.load(model), full_check=True)
            print(f"ok    onnx.checker accepts {name}")
            passed += 1
        except Exception as e:  # the checker's own exception types vary by version
            print(f"FAIL  onnx.checker rejects {name}: {e}")
            failed += 1
        for data in datasets:
            rows = dump(args.polarity, model, data)
            theirs = onnxruntime_scores(model, rows)
            label = "IMDB test sample" if data == sample else os.path.relpath(data, ROOT)
            # A review dropped by either side would go unchecked.
            reviews = count_reviews(data)
            if not len(rows) == len(theirs) == reviews:
                print(f"FAIL  {name} on {label}: {reviews} reviews, {len(rows)} from tract, {len(theirs)} from onnxruntime")
                failed += 1
                continue
            # np.max, not max(): a NaN anywhere is the result, and fails the comparison below.
            diff = np.max([difference(r, s) for r, s in zip(rows, theirs)])
            verdict = "ok  " if diff < TOLERANCE else "FAIL"
            print(f"{verdict}  {name} on {label}: {len(rows)} reviews, max |tract - onnxruntime| = {diff:.2e}")
            if diff < TOLERANCE:
                passed += 1
            else:
                failed += 1
    if sample:
        os.unlink(sample)
    os.unlink(tuned)
    os.unlink(three)
    os.rmdir(tuned_dir)
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
