"""Writes large random differential test sets for the Swift CLIP tokenizer (not committed: big).

Each case is a prompt and the untruncated ids transformers 4.57.6's slow CLIPTokenizer (no ftfy,
Python 3.11, SD-1 configuration) gives it. Three families:
  mixed    seeded random mixtures of scripts, marks, controls, special spellings and arbitrary
           code points (as in parity.json's random_cases, but many more);
  starters every primary composite of Unicode 14 as "supplementary look-alike starter + mark"
           (plane k with the same low 16 bits), plus random supplementary/mark soups;
  compose  every canonical pair as decomposed, precomposed+mark, blocked by another mark, etc.
These found the Foundation NFC faults CLIPTextNormalizer repairs. Compare with
Fuzz/CLIPTokenizer/differential.swift (see Fuzz/README.md, "CLIP tokenizer"). Usage:

    /work/main/.venv/bin/python Tools/reference/make_tokenizer_stress_cases.py OUT_DIR
"""

import json
import pathlib
import random
import sys
import unicodedata

from transformers import CLIPTokenizer

FOLDER = pathlib.Path(__file__).resolve().parents[2] / "Tests" / "Fixtures" / "clip-tokenizer"
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from make_tokenizer_fixtures import RANDOM_POOLS, RANDOM_WORDS  # noqa: E402

EXTRA_POOLS = [
    "".join(map(chr, list(range(0x300, 0x370)) + list(range(0x1DC0, 0x1E00)) + list(range(0x591, 0x5C8))
                + list(range(0x64B, 0x660)) + [0x93C, 0x9BC, 0x9BE, 0x9D7, 0xB3E, 0xB56, 0xB57, 0xBBE, 0xBD7,
                                               0xCC2, 0xCD5, 0xD3E, 0xD57, 0xDCF, 0xDDF, 0x102E, 0x1B35, 0x3099,
                                               0x309A, 0x345, 0x1161, 0x1175, 0x11A8, 0x11C2])),
    "aeiouAEIOUnNcCsSzZgGkKαεηιουωΑΕΗΙΟΥΩаеиоуАЕИОУकखগଡகಕകෙ\u1b05\u3046\u304b\u30cf\u1100\u1112\uac00\ud788",
]


def canonical_pairs():
    for cp in range(0x110000):
        if 0xD800 <= cp < 0xE000:
            continue
        d = unicodedata.decomposition(chr(cp))
        if d and not d.startswith("<"):
            parts = [int(x, 16) for x in d.split()]
            if len(parts) == 2:
                yield cp, parts


def mixed(rng, count, code_point_share):
    pools = RANDOM_POOLS + EXTRA_POOLS
    for _ in range(count):
        parts = []
        for _ in range(rng.randrange(0, 60)):
            r = rng.random()
            if r < code_point_share:
                cp = rng.randrange(0, 0x30000) if rng.random() < 0.9 else rng.randrange(0, 0x110000)
                parts.append(chr(cp) if not 0xD800 <= cp < 0xE000 else "x")
            elif r < code_point_share + 0.05:
                parts.append(rng.choice(RANDOM_WORDS))
            else:
                pool = rng.choice(pools)
                parts.append("".join(rng.choice(pool) for _ in range(rng.randrange(1, 8))))
        yield "".join(parts)


def starters(rng):
    pairs = [parts for cp, parts in canonical_pairs() if unicodedata.normalize("NFC", chr(cp)) == chr(cp)]
    for f, m in pairs:
        for k in (1, 2, 3, 0xE):
            s = (k << 16) | (f & 0xFFFF)
            if unicodedata.category(chr(s)) != "Cn":
                yield "x" + chr(s) + chr(m) + " " + chr(f) + chr(m) + chr(s) + chr(m) + "\u0301"
    firsts, seconds = [f for f, _ in pairs], [m for _, m in pairs]
    for _ in range(3000):
        yield "".join(chr(rng.choice([rng.randrange(0x10000, 0x32000), rng.randrange(0x300, 0x370),
                                      rng.choice(firsts), rng.choice(seconds)]))
                      for _ in range(rng.randrange(1, 12)))


def compose(rng):
    marks = [cp for cp in range(0x300, 0x20000) if unicodedata.combining(chr(cp))]
    for cp, (f, m) in canonical_pairs():
        for p in (chr(f) + chr(m), unicodedata.normalize("NFC", chr(f)) + chr(m), chr(f) + chr(rng.choice(marks)) + chr(m),
                  chr(cp) + chr(rng.choice(marks)) + chr(rng.choice(marks)),
                  unicodedata.normalize("NFD", chr(cp)) + chr(rng.choice(marks)), chr(cp)):
            yield "a" + p + " " + p.upper() + "b"


def main() -> None:
    out = pathlib.Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    tokenizer = CLIPTokenizer.from_pretrained(FOLDER)
    rng = random.Random(20261125)
    families = {
        "mixed": list(mixed(rng, 12000, 0.15)) + list(mixed(rng, 6000, 0.8)),
        "starters": list(starters(rng)),
        "compose": list(compose(rng)),
    }
    for name, prompts in families.items():
        cases = [{"p": p, "ids": tokenizer(p)["input_ids"]} for p in prompts]
        (out / f"{name}.json").write_text(json.dumps(cases), encoding="utf-8")
        print(name, len(cases))


if __name__ == "__main__":
    main()
