#!/usr/bin/env bash
# Fine-tunes the shipped model, with default options, on 200 IMDB-train reviews whose labels are
# flipped, and checks that it then predicts the flipped label for every one of them, read back from
# the .onnx file it wrote (so the bytes round trip is part of the check).
# usage: tests/imdb_flip.sh POLARITY_BINARY TRAIN.tsv.gz
set -euo pipefail
bin=$1 data=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Every 125th review: 100 positive and 100 negative (the file lists positives first).
gzip -dc "$data" | awk -F'\t' 'BEGIN { OFS = "\t" } NR % 125 == 1 { $1 = 1 - $1; print }' > "$tmp/flipped.tsv"
[ "$(wc -l < "$tmp/flipped.tsv")" -eq 200 ] || { echo "FAIL: expected 200 reviews"; echo "0 passed, 1 failed"; exit 1; }
before=$("$bin" eval --data "$tmp/flipped.tsv" | awk '/^accuracy/ {print $2}')
"$bin" fine-tune --data "$tmp/flipped.tsv" --out "$tmp/flipped.onnx"
after=$("$bin" eval --model "$tmp/flipped.onnx" --data "$tmp/flipped.tsv" | awk '/^accuracy/ {print $2}')
echo "agreement with the flipped labels of 200 IMDB-train reviews: $before before, $after after fine-tuning"
if [ "$after" = "100.0000%" ]; then
  echo "1 passed, 0 failed"
else
  echo "FAIL: not every prediction followed its flipped label"; echo "0 passed, 1 failed"; exit 1
fi
