#!/usr/bin/env bash
# Checks the shipped model's IMDB test accuracy against the figure its model card states (0.1 point).
# usage: tests/imdb_accuracy.sh POLARITY_BINARY TEST.tsv.gz model/README.md
set -euo pipefail
bin=$1 data=$2 card=$3
stated=$(grep -m1 -E 'IMDB test accuracy \((int4|int8), run by tract\)' "$card" | grep -oE '[0-9]+\.[0-9]+%' | head -1 | tr -d %)
[ -n "$stated" ] || { echo "FAIL: no IMDB test accuracy found in $card"; echo "0 passed, 1 failed"; exit 1; }
measured=$("$bin" eval --model model/polarity.onnx --data "$data" | awk '/^accuracy/ {print $2}' | tr -d %)
echo "IMDB test accuracy of model/polarity.onnx: measured $measured%, model card states $stated%"
if awk -v m="$measured" -v s="$stated" 'BEGIN { d = m - s; if (d < 0) d = -d; exit !(d <= 0.1) }'; then
  echo "1 passed, 0 failed"
else
  echo "FAIL: differs by more than 0.1 point"; echo "0 passed, 1 failed"; exit 1
fi
