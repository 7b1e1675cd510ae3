"""Text-to-image prompt set and its scoring with the judge.

A *spec* is the structured content of one prompt, identical across languages::

    {"id": "t2i-2000003", "kind": "single" | "count" | "relation",
     "items": [[colour, shape, count], ...], "relation": null | "left" | "right" | "above" | "below"}

``prompt_set`` draws a fixed list of specs from the held-out seed range; ``prompt_text`` (from the
captions module) writes each spec in any of the nine languages. ``score_image`` judges a
generated image against its spec: every named colour+shape must be present with exactly its
count, the relation (if any) must hold between the two objects, and nothing else may be drawn.
``render_spec`` draws a real ShapesWorld image satisfying a spec, used to check the scoring and as
the reference (upper-bound) figure.
"""

import math

import numpy as np

import paths  # noqa: F401  (import path for the shapesworld modules)
from captions import is_clear_relation, prompt_text, relation_between
from classes import COLOURS, SHAPES
from judge import judge_image
from languages import RELATIONS
from scene import make_object, min_gap, place_centre, render_scene, sample_background
from splits import SPLITS

KINDS = ("single", "count", "relation")
PROMPT_SEED_START = SPLITS["test"].start + 50_000   # held out; disjoint from the judge self-test


def make_spec(seed):
    """The spec of prompt number ``seed`` (deterministic)."""
    rng = np.random.default_rng([seed, 101])
    kind = KINDS[seed % len(KINDS)]
    pick = lambda seq: seq[int(rng.integers(len(seq)))]  # noqa: E731
    if kind == "single":
        items, relation = [[pick(COLOURS), pick(SHAPES), 1]], None
    elif kind == "count":
        items, relation = [[pick(COLOURS), pick(SHAPES), int(rng.integers(2, 4))]], None
    else:
        first = [pick(COLOURS), pick(SHAPES), 1]
        second = first
        while second[:2] == first[:2]:
            second = [pick(COLOURS), pick(SHAPES), 1]
        items, relation = [first, second], pick(RELATIONS)
    return {"id": f"t2i-{seed}", "kind": kind, "items": items, "relation": relation}


def prompt_set(count, start=PROMPT_SEED_START):
    """``count`` specs, cycling through the three kinds."""
    return [make_spec(seed) for seed in range(start, start + count)]


def spec_prompt(spec, language):
    """The prompt text of a spec in one language."""
    return prompt_text(language, [tuple(i) for i in spec["items"]], spec["relation"])


def score_objects(objects, spec):
    """Per-criterion verdicts for judged objects against a spec."""
    wanted = {(c, s): n for c, s, n in spec["items"]}
    found = {}
    for obj in objects:
        key = (obj["colour"], obj["shape"])
        found[key] = found.get(key, 0) + 1
    present = all(found.get(key, 0) >= 1 for key in wanted)
    counts_ok = all(found.get(key, 0) == n for key, n in wanted.items())
    nothing_else = all(key in wanted for key in found)
    relation_ok = None
    if spec["relation"] is not None:
        (ca, sa, _), (cb, sb, _) = spec["items"]
        a = [o for o in objects if (o["colour"], o["shape"]) == (ca, sa)]
        b = [o for o in objects if (o["colour"], o["shape"]) == (cb, sb)]
        relation_ok = len(a) == 1 and len(b) == 1 and relation_between(a[0], b[0]) == spec["relation"]
    correct = present and counts_ok and nothing_else and relation_ok is not False
    return {"objects_present": present, "counts_correct": counts_ok,
            "no_extra_objects": nothing_else, "relation_correct": relation_ok, "correct": correct}


def score_image(image, spec):
    """Judge an image and score it against its spec."""
    objects = judge_image(image)
    verdict = score_objects(objects, spec)
    verdict["judged"] = [{k: o[k] for k in ("shape", "colour", "box")} for o in objects]
    return verdict


def render_spec(spec, size, seed):
    """A real ShapesWorld image that satisfies ``spec`` (for the reference figure and tests)."""
    rng = np.random.default_rng([seed, 202])
    r_low, r_high = 0.13 * size, 0.18 * size
    for _ in range(100):
        placed = []
        if spec["relation"] is None:
            for colour, shape, n in spec["items"]:
                for _ in range(n):
                    r = rng.uniform(r_low, r_high)
                    centre = place_centre(rng, r, size, placed, min_gap(size), False)
                    if centre is None:
                        break
                    placed.append(make_object(shape, colour, *centre, r, rng.uniform(0, 2 * math.pi)))
        else:
            (ca, sa, _), (cb, sb, _) = spec["items"]
            rb = rng.uniform(r_low, r_high)
            b = make_object(sb, cb, *rng.uniform(rb + 1, size - rb - 1, 2), rb, rng.uniform(0, 2 * math.pi))
            ra = rng.uniform(r_low, r_high)
            half = {"left": (0, 0, b["cx"], size), "right": (b["cx"], 0, size, size),
                    "above": (0, 0, size, b["cy"]), "below": (0, b["cy"], size, size)}[spec["relation"]]
            centre = place_centre(rng, ra, size, [b], min_gap(size), False, region=half)
            if centre is not None:
                a = make_object(sa, ca, *centre, ra, rng.uniform(0, 2 * math.pi))
                if relation_between(a, b) == spec["relation"] and is_clear_relation(a, b):
                    placed = [a, b]
        if len(placed) == sum(n for _, _, n in spec["items"]):
            return render_scene({"width": size, "height": size,
                                 "background": sample_background(rng), "objects": placed})
    raise RuntimeError(f"could not place {spec}")
