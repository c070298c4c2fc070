#!/usr/bin/env python3
"""TF-IDF unigram+bigram logistic regression on the samples `polarity fewshot --dump DIR` wrote.

For each `nN-seedS.tsv` in DIR: fit on it, measure on DIR/eval.tsv; prints one JSON line per
sample: {"n", "seed", "accuracy", "f1"} (f1 of --positive, the task's first label). This is the
baseline the custom-classifier table of `make bench` puts beside polarity, on the same samples.
"""

import argparse
import glob
import json
import os
import re

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score


def read(path):
    labels, texts = [], []
    with open(path, encoding="utf-8") as f:
        for line in f:
            label, _, text = line.rstrip("\n").partition("\t")
            labels.append(label)
            texts.append(text)
    return labels, texts


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("dir")
    parser.add_argument("--positive", help="the label whose F1 is reported")
    args = parser.parse_args()
    eval_labels, eval_texts = read(os.path.join(args.dir, "eval.tsv"))
    for path in sorted(glob.glob(os.path.join(args.dir, "n*-seed*.tsv"))):
        n, seed = map(int, re.search(r"n(\d+)-seed(\d+)", path).groups())
        labels, texts = read(path)
        vectorizer = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)
        model = LogisticRegression(max_iter=2000)
        model.fit(vectorizer.fit_transform(texts), labels)
        predicted = model.predict(vectorizer.transform(eval_texts))
        row = {"n": n, "seed": seed, "accuracy": accuracy_score(eval_labels, predicted)}
        if args.positive:
            row["f1"] = f1_score(eval_labels, predicted, pos_label=args.positive, average="binary")
        print(json.dumps(row))


if __name__ == "__main__":
    main()
