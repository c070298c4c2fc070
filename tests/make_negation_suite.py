#!/usr/bin/env python3
"""Writes tests/fixtures/negation.tsv: labelled short texts (LABEL<TAB>TEXT, 1 = positive) that
need negation scope or clause contrast to be read right.

Deterministic (fixed seed): run `python3 tests/make_negation_suite.py` from the repository root to
make the same file again. Every negator the polarity-2 scope rules name appears (not, never, no,
n't, hardly, nobody, nothing, without), with neutral words between negator and sentiment word,
contrast (but / however / although), "used to ... now ...", and double negation. The sentiment
words are many and varied: the rules name none of them.

With `--dev` it writes tests/fixtures/negation-dev.tsv instead: the same templates, another seed,
and other sentiment words, nouns and subjects (none shared with the suite). Choices are tuned on
the dev file; the suite itself only reports.
"""

import random
import sys

DEV = "--dev" in sys.argv[1:]
random.seed(13 if DEV else 12)

POS = ["good", "great", "wonderful", "enjoyable", "brilliant", "charming", "delightful",
       "engaging", "memorable", "funny", "moving", "impressive", "entertaining", "tasty",
       "fresh", "friendly", "excellent", "lovely", "clever", "satisfying", "superb", "pleasant"]
NEG = ["bad", "awful", "boring", "dull", "terrible", "bland", "tedious", "disappointing",
       "mediocre", "stale", "rude", "forgettable", "clumsy", "pointless", "lame", "horrible",
       "annoying", "sloppy", "weak", "poor", "greasy", "unpleasant"]
POS_NOUN = ["charm", "heart", "humor", "flavor", "warmth", "talent", "wit", "suspense", "style"]
NEG_NOUN = ["flaws", "problems", "complaints", "mistakes", "issues", "regrets", "faults"]
SUBJ = ["the movie", "the film", "the food", "the service", "this place", "the acting",
        "the plot", "the ending", "the meal", "the show", "the story", "the staff"]
FILLER = ["", "really ", "at all ", ", in my opinion, ", ", to be honest, ", "quite ", "very ",
          "particularly ", "even remotely "]
VERBS_POS = ["loved", "enjoyed", "liked", "adored", "recommend"]
VERBS_NEG = ["hated", "disliked", "regretted", "despised"]
if DEV:
    POS = ["nice", "fun", "beautiful", "fantastic", "amazing", "awesome", "terrific", "solid",
           "smart", "touching", "gripping", "hilarious", "stunning", "delicious", "warm",
           "helpful", "polished", "fascinating", "perfect", "inspiring", "gorgeous", "sweet"]
    NEG = ["ugly", "dreadful", "stupid", "silly", "cheap", "slow", "messy", "painful", "awkward",
           "predictable", "cold", "bitter", "shallow", "overcooked", "confusing", "frustrating",
           "noisy", "lazy", "unfunny", "dirty", "clunky", "soggy"]
    POS_NOUN = ["soul", "energy", "spark", "taste", "depth", "joy", "grace", "flair", "magic"]
    NEG_NOUN = ["errors", "glitches", "hiccups", "drawbacks", "weaknesses", "annoyances", "gripes"]
    SUBJ = ["the series", "the cast", "the soundtrack", "the dessert", "the waiter", "the hotel",
            "the episode", "the script", "the direction", "the pizza", "the room", "the book"]


def cap(s):
    return s[0].upper() + s[1:]


def pick(xs):
    return random.choice(xs)


def negated(word_list, label):
    """Templates where a negator turns the sentiment word around; label is the text's label."""
    s, w = pick(SUBJ), pick(word_list)
    f = pick(FILLER)
    return label, pick([
        f"{cap(s)} was not {f}{w}.",
        f"{cap(s)} was not, in my opinion, {w}.",
        f"{cap(s)} wasn't {f}{w}.",
        f"{cap(s)} isn't {f}{w} at all.",
        f"I don't think {s} was {w}.",
        f"I didn't find {s} {f}{w}.",
        f"{cap(s)} was never {f}{w}.",
        f"{cap(s)} is hardly {w}.",
        f"Nobody would call {s} {w}.",
        f"Nothing about {s} was {w}.",
        f"{cap(s)} did not seem {f}{w} to me.",
        f"I would never say {s} was {w}.",
        f"{cap(s)} can't be described as {w}.",
        f"It was not what I would call {w}.",
    ])


def noun_negated(nouns, label):
    s, n = pick(SUBJ), pick(nouns)
    return label, pick([
        f"{cap(s)} had no {n}.",
        f"There was no {n} in {s}.",
        f"{cap(s)} was completely without {n}.",
        f"I found no real {n} in {s}.",
        f"{cap(s)} came without any {n}.",
    ])


def contrast():
    s1, s2 = random.sample(SUBJ, 2)
    label = random.randint(0, 1)
    first = pick(NEG if label else POS)
    last = pick(POS if label else NEG)
    return label, pick([
        f"{cap(s1)} was {first}, but {s2} was {last}.",
        f"{cap(s1)} seemed {first} at first, but overall it was {last}.",
        f"{cap(s1)} was {first}. However, {s2} was {last}.",
        f"Although {s1} was {first}, {s2} was {last}.",
        f"Though {s1} was {first}, it was {last} in the end.",
        f"{cap(s1)} was {first}; however, the whole thing was {last}.",
    ])


def used_to():
    label = random.randint(0, 1)
    s = pick(SUBJ)
    if label:
        return 1, pick([
            f"I used to think {s} was {pick(NEG)}, now I find it {pick(POS)}.",
            f"I used to hate {s}, but now I {pick(['love', 'enjoy', 'like'])} it.",
            f"{cap(s)} used to be {pick(NEG)}, now it is {pick(POS)}.",
        ])
    return 0, pick([
        f"I used to think {s} was {pick(POS)}, now I find it {pick(NEG)}.",
        f"I used to {pick(['love', 'enjoy', 'like'])} {s}, but now it is {pick(NEG)}.",
        f"{cap(s)} used to be {pick(POS)}, now it is {pick(NEG)}.",
    ])


def double_negation():
    s = pick(SUBJ)
    label = random.randint(0, 1)
    if label:
        return 1, pick([
            f"{cap(s)} was not without {pick(POS_NOUN)}.",
            f"I can't say {s} was not {pick(POS)}.",
            f"{cap(s)} was never not {pick(POS)}.",
            f"It is not that {s} had no {pick(POS_NOUN)}; it had plenty and it was {pick(POS)}.",
        ])
    return 0, pick([
        f"{cap(s)} was not without {pick(NEG_NOUN)}, and it was {pick(NEG)}.",
        f"I can't say {s} was not {pick(NEG)}.",
        f"{cap(s)} was never not {pick(NEG)}.",
    ])


def verbs():
    s = pick(SUBJ)
    if random.randint(0, 1):
        return 0, pick([f"I did not {v} {s}." for v in ["love", "enjoy", "like", "recommend"]]
                       + [f"I never {pick(VERBS_POS)} {s}, not even a little."])
    return 1, pick([f"I did not {v} {s} at all; it was {pick(POS)}." for v in ["hate", "mind"]]
                   + [f"I never {pick(VERBS_NEG)} {s}.", f"Nobody {pick(VERBS_NEG)} {s}."])


rows = set()
makers = [
    (lambda: negated(POS, 0), 90),
    (lambda: negated(NEG, 1), 90),
    (lambda: noun_negated(POS_NOUN, 0), 30),
    (lambda: noun_negated(NEG_NOUN, 1), 30),
    (contrast, 90),
    (used_to, 30),
    (double_negation, 30),
    (verbs, 20),
]
out = []
for make, count in makers:
    made = 0
    while made < count:
        label, text = make()
        text = text.replace(" ,", ",").replace(",,", ",")
        if text in rows:
            continue
        rows.add(text)
        out.append(f"{label}\t{text}")
        made += 1
path = "tests/fixtures/negation-dev.tsv" if DEV else "tests/fixtures/negation.tsv"
with open(path, "w", encoding="utf-8") as f:
    f.write("\n".join(out) + "\n")
print(f"wrote {len(out)} lines")
