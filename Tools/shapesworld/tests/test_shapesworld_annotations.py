"""Annotations agree with the pixels: boxes, semantic and instance masks, class ids, colours."""

import math

import numpy as np
import pytest

from classes import BACKGROUND_ID, CLASS_IDS, CLASS_NAMES, PALETTE, SHAPES, class_id
from geometry import shape_area, shape_coverage
from scene import min_gap, render_scene, sample_scene, scene_masks, visible_coverages
from splits import rng_for


def test_class_table_is_canonical():
    assert BACKGROUND_ID == 0 and CLASS_NAMES[0] == "background"
    assert [CLASS_IDS[s] for s in SHAPES] == list(range(1, len(SHAPES) + 1))
    assert SHAPES[:5] == ("circle", "square", "triangle", "star", "hexagon")


@pytest.mark.parametrize("shape", SHAPES)
def test_coverage_integrates_to_the_exact_area(shape):
    coverage = shape_coverage(shape, 31.3, 30.7, 12.0, 0.37, 64, 64)
    assert coverage.sum() == pytest.approx(shape_area(shape, 12.0), rel=0.01)
    assert coverage.min() >= 0 and coverage.max() <= 1


@pytest.mark.parametrize("size", [32, 64, 128])
def test_masks_agree_with_boxes(size):
    for seed in range(20):
        scene = sample_scene(rng_for("segment", seed), size)
        semantic, instance = scene_masks(scene)
        visible = visible_coverages(scene)
        assert semantic.shape == instance.shape == (size, size)
        for k, obj in enumerate(scene["objects"], start=1):
            rows, cols = np.nonzero(instance == k)
            assert len(rows) > 0
            x1, y1, x2, y2 = obj["box"]
            assert 0 <= x1 < x2 <= size and 0 <= y1 < y2 <= size
            # every mask pixel lies in the box (pixel j spans [j, j+1))
            assert cols.min() >= math.floor(x1) and cols.max() + 1 <= math.ceil(x2)
            assert rows.min() >= math.floor(y1) and rows.max() + 1 <= math.ceil(y2)
            # the majority mask reaches close to each side (thin tips are under half a pixel)
            assert cols.min() <= x1 + 3 and cols.max() + 1 >= x2 - 3
            assert rows.min() <= y1 + 3 and rows.max() + 1 >= y2 - 3
            # and the soft coverage spans the box to the pixel (a vertex may clip a pixel
            # corner that no supersample hits, hence 0 or 1)
            c_rows, c_cols = np.nonzero(visible[k] > 0)
            assert c_cols.min() - math.floor(x1) in (0, 1) and math.ceil(x2) - c_cols.max() - 1 in (0, 1)
            assert c_rows.min() - math.floor(y1) in (0, 1) and math.ceil(y2) - c_rows.max() - 1 in (0, 1)
            assert np.all(semantic[instance == k] == class_id(obj["shape"]))
            # non-overlapping objects: mask area is the shape's area to within its rim
            area = shape_area(obj["shape"], obj["r"])
            assert abs(len(rows) - area) <= 0.5 * 2 * math.pi * obj["r"] + 2
        assert np.all(semantic[instance == 0] == BACKGROUND_ID)


def test_objects_keep_apart_without_occlusion_and_overlap_with_it():
    overlaps = 0
    for seed in range(40):
        for occlusion in (False, True):
            scene = sample_scene(rng_for("detect", seed), 64, min_objects=4, occlusion=occlusion)
            objs = scene["objects"]
            for i, a in enumerate(objs):
                for b in objs[i + 1:]:
                    d = math.hypot(a["cx"] - b["cx"], a["cy"] - b["cy"])
                    if not occlusion:
                        assert d >= a["r"] + b["r"] + min_gap(64) - 1e-6
                    else:
                        overlaps += d < a["r"] + b["r"]
                        assert a["colour"] != b["colour"] or d >= a["r"] + b["r"]
            if occlusion:  # every object keeps some visible pixels
                _, instance = scene_masks(scene)
                assert all((instance == k).sum() > 0 for k in range(1, len(objs) + 1))
    assert overlaps > 0


def test_rendered_colours_and_background():
    scene = sample_scene(rng_for("detect", 5), 64)
    image = render_scene(scene).astype(int)
    _, instance = scene_masks(scene)
    for k, obj in enumerate(scene["objects"], start=1):
        coverage = shape_coverage(obj["shape"], obj["cx"], obj["cy"], obj["r"], obj["rot"], 64, 64)
        inner = coverage == 1.0
        assert inner.sum() > 0
        assert np.abs(image[inner] - np.array(PALETTE[obj["colour"]])).max() <= 1
    background = image[instance == 0].mean(axis=0)
    assert np.abs(background - np.array(scene["background"]["colour"])).max() < 8
