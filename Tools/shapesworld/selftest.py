"""The judge's self-test: accuracy on held-out renders, clean and degraded.

Scenes come from the test split (seeds 2,000,000 onwards, never used for training). Every
ground-truth object is matched to at most one judged object by box IoU (greedy, IoU >= 0.3);
an unmatched object counts as wrong in every figure. Reported per condition (clean, degraded):
shape accuracy, colour accuracy, the fraction of boxes with IoU >= 0.8, misses and false
positives. The thresholds the judge must meet are in ``THRESHOLDS``.
"""

import numpy as np

from degrade import JPEG_QUALITY_RANGE, apply_degradation, random_degradation
from judge import judge_image, judge_frames, match_objects
from scene import MIN_RADIUS_PIXELS, render_scene, sample_scene
from splits import SPLITS, rng_for
from stories import sample_story

THRESHOLDS = {"shape_accuracy": 0.99, "colour_accuracy": 0.99, "box_iou_0.8_fraction": 0.98}
TEST_SEED_START = SPLITS["test"].start
RADIUS_BIN = 0.5  # px: width of the circumradius bins of the per-size error breakdown


def _tally(totals, truth, predicted):
    matches = match_objects(truth, predicted)
    totals["objects"] += len(truth)
    totals["false_positives"] += len(predicted) - sum(j is not None for _, j, _ in matches)
    for i, j, iou in matches:
        low = RADIUS_BIN * int(truth[i]["r"] // RADIUS_BIN)
        row = totals["by_radius"].setdefault(f"{low:.1f}-{low + RADIUS_BIN:.1f}",
                                             dict.fromkeys(("objects", "wrong"), 0))
        row["objects"] += 1
        if j is None:
            totals["missed"] += 1
            row["wrong"] += 1
            continue
        shape_ok = predicted[j]["shape"] == truth[i]["shape"]
        colour_ok = predicted[j]["colour"] == truth[i]["colour"]
        totals["shape_correct"] += shape_ok
        totals["colour_correct"] += colour_ok
        totals["box_iou_ok"] += iou >= 0.8
        row["wrong"] += not (shape_ok and colour_ok and iou >= 0.8)


def _figures(totals):
    n = max(totals["objects"], 1)
    return {"objects": int(totals["objects"]),
            "shape_accuracy": float(totals["shape_correct"] / n),
            "colour_accuracy": float(totals["colour_correct"] / n),
            "box_iou_0.8_fraction": float(totals["box_iou_ok"] / n),
            "missed": int(totals["missed"]), "false_positives": int(totals["false_positives"]),
            "by_radius": dict(sorted(totals["by_radius"].items(), key=lambda kv: float(kv[0].split("-")[0])))}


def run_selftest(scenes=100, size=64, seed_start=TEST_SEED_START, occlusion=False, noise=0.0,
                 jpeg_range=JPEG_QUALITY_RANGE, min_radius_pixels=MIN_RADIUS_PIXELS):
    """Judge ``scenes`` clean renders and the same scenes degraded; return the figures.

    ``noise`` adds Gaussian pixel noise of that sigma to the degraded images, ``jpeg_range``
    overrides the JPEG qualities (both stress tests beyond the issue's degradations).
    ``min_radius_pixels`` = 0 renders scenes without the generator's pixel floor (the study of
    why 32 px needs it). Each condition also reports, per 0.5 px circumradius bin, how many
    objects were judged wrong in any figure (``by_radius``).
    """
    keys = ("objects", "shape_correct", "colour_correct", "box_iou_ok", "missed",
            "false_positives")
    totals = {condition: dict(dict.fromkeys(keys, 0), by_radius={})
              for condition in ("clean", "degraded")}
    for seed in range(seed_start, seed_start + scenes):
        rng = rng_for("detect", seed)
        scene = sample_scene(rng, size, occlusion=occlusion, min_radius_pixels=min_radius_pixels)
        image = render_scene(scene)
        degraded = apply_degradation(image, random_degradation(rng, noise, jpeg_range))
        _tally(totals["clean"], scene["objects"], judge_image(image))
        _tally(totals["degraded"], scene["objects"], judge_image(degraded))
    result = {"size": size, "scenes": scenes, "seeds": [seed_start, seed_start + scenes - 1],
              "occlusion": occlusion, "extra_noise_sigma": noise, "jpeg_quality_range": list(jpeg_range),
              "min_radius_pixels": min_radius_pixels}
    for condition in ("clean", "degraded"):
        result[condition] = _figures(totals[condition])
    combined = {k: totals["clean"][k] + totals["degraded"][k] for k in keys}
    combined["by_radius"] = {}
    result["all"] = _figures(combined)
    del result["all"]["by_radius"]
    result["passes"] = all(result["all"][k] >= v and result["clean"][k] >= v
                           and result["degraded"][k] >= v for k, v in THRESHOLDS.items())
    return result


def run_story_selftest(stories=20, size=64, seed_start=TEST_SEED_START):
    """Protagonist tracking and hidden-colour recovery on real story renders."""
    frames_total = tracked = hidden_ok = 0
    for seed in range(seed_start, seed_start + stories):
        story = sample_story(rng_for("story", seed), size)
        images = [render_scene(frame) for frame in story["frames"]]
        result = judge_frames(images)
        for frame, found in zip(story["frames"], result["track"]):
            frames_total += 1
            target = [o for o in frame["objects"] if o.get("role") == "protagonist"][0]
            if found is not None and np.hypot(found["cx"] - target["cx"],
                                              found["cy"] - target["cy"]) < 0.3 * target["r"]:
                tracked += 1
                hidden_ok += found["secondary_colour"] == story["hidden_attribute"]["colour"]
    return {"size": size, "stories": stories, "frames": frames_total,
            "protagonist_tracked": float(tracked / frames_total),
            "hidden_colour_recovered": float(hidden_ok / frames_total)}
