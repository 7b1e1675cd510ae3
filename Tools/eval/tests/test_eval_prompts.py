"""Per-language prompt-accuracy scoring, using the judge on real renders as generated images."""

import numpy as np
import pytest

from eval_text_to_image import evaluate, reference_generator
from languages import LANGUAGES
from prompts import KINDS, make_spec, prompt_set, render_spec, score_image, score_objects, spec_prompt
from scene import make_object, render_scene, sample_background


def test_prompt_set_is_fixed_and_covers_every_kind():
    specs = prompt_set(9)
    assert specs == prompt_set(9)
    assert {s["kind"] for s in specs} == set(KINDS)
    for spec in specs:
        texts = {spec_prompt(spec, language) for language in LANGUAGES}
        assert len(texts) == len(LANGUAGES)          # a different text in every language


def test_real_renders_score_correct_in_every_language():
    specs = prompt_set(6)
    summary = evaluate(reference_generator(64, seed=0), specs, LANGUAGES)
    assert summary["mean_accuracy"] == 1.0
    assert set(summary["per_language"]) == set(LANGUAGES)
    for figures in summary["per_language"].values():
        assert figures["accuracy"] == 1.0 and figures["prompts"] == 6
        assert set(figures["by_kind"]) == set(KINDS)


def test_degraded_real_renders_still_score_correct():
    specs = prompt_set(9)
    summary = evaluate(reference_generator(64, seed=5, degrade=True), specs, ["en", "ar"])
    assert summary["min_language_accuracy"] >= 8 / 9


def _scene(objects, seed=0):
    background = sample_background(np.random.default_rng(seed), textured=False)
    return render_scene({"width": 64, "height": 64, "background": background, "objects": objects})


def test_wrong_images_score_wrong():
    relation = {"id": "x", "kind": "relation", "items": [["red", "circle", 1], ["blue", "square", 1]],
                "relation": "left"}
    red_left = make_object("circle", "red", 15, 32, 8)
    blue_right = make_object("square", "blue", 48, 32, 8)
    assert score_image(_scene([red_left, blue_right]), relation)["correct"]
    swapped = score_image(_scene([make_object("circle", "red", 48, 32, 8),
                                  make_object("square", "blue", 15, 32, 8)]), relation)
    assert swapped["objects_present"] and not swapped["relation_correct"] and not swapped["correct"]
    wrong_colour = score_image(_scene([make_object("circle", "green", 15, 32, 8), blue_right]), relation)
    assert not wrong_colour["objects_present"] and not wrong_colour["correct"]
    extra = score_image(_scene([red_left, blue_right, make_object("star", "white", 32, 10, 6)]), relation)
    assert not extra["no_extra_objects"] and not extra["correct"]
    count = {"id": "y", "kind": "count", "items": [["yellow", "star", 3]], "relation": None}
    two = score_objects([{"colour": "yellow", "shape": "star"}] * 2, count)
    assert two["objects_present"] and not two["counts_correct"] and not two["correct"]
    assert score_objects([{"colour": "yellow", "shape": "star"}] * 3, count)["correct"]


@pytest.mark.parametrize("seed", range(2_050_000, 2_050_012))
def test_render_spec_satisfies_its_spec(seed):
    spec = make_spec(seed)
    assert score_image(render_spec(spec, 64, seed), spec)["correct"]
