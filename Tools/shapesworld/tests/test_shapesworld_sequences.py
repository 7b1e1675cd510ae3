"""Stories and clips: the hidden attribute persists, actions move the protagonist, sprites bounce."""

import math

import numpy as np
import pytest

from clips import BASE_FPS, bounce, sample_clip
from splits import rng_for
from stories import GROW_FACTOR, JUMP_FRACTION, STEP_FRACTION, sample_story


def _protagonist(frame):
    return [o for o in frame["objects"] if o.get("role") == "protagonist"][0]


@pytest.mark.parametrize("seed", range(12))
def test_story_actions_and_hidden_attribute(seed):
    size = 64
    story = sample_story(rng_for("story", seed), size)
    frames = story["frames"]
    first = _protagonist(frames[0])
    assert first["stripe"]["colour"] == story["hidden_attribute"]["colour"] != first["colour"]
    base = (first["cx"], first["cy"], first["r"])
    for action, frame in zip(story["actions"], frames[1:]):
        p = _protagonist(frame)
        assert (p["shape"], p["colour"], p["rot"]) == (first["shape"], first["colour"], first["rot"])
        assert p["stripe"]["colour"] == first["stripe"]["colour"]
        assert p["stripe"]["angle"] == first["stripe"]["angle"]
        dx, dy, ratio = p["cx"] - base[0], p["cy"] - base[1], p["r"] / base[2]
        expected = {"move_left": (-STEP_FRACTION * size, 0, 1), "move_right": (STEP_FRACTION * size, 0, 1),
                    "move_up": (0, -STEP_FRACTION * size, 1), "move_down": (0, STEP_FRACTION * size, 1),
                    "grow": (0, 0, GROW_FACTOR), "shrink": (0, 0, 1 / GROW_FACTOR),
                    "jump": (0, -JUMP_FRACTION * size, 1)}[action]
        assert (dx, dy, ratio) == pytest.approx(expected, abs=2e-3)
        assert p["box"][0] >= 0 and p["box"][2] <= size and p["box"][1] >= 0 and p["box"][3] <= size
        if action != "jump":
            base = (p["cx"], p["cy"], p["r"])
    distractors = [[o for o in f["objects"] if o.get("role") == "distractor"] for f in frames]
    assert all(d == distractors[0] for d in distractors) and distractors[0]


def test_bounce_reflects_at_the_walls():
    assert bounce(5.0, 2.0, 1.0, 0.0, 10.0) == (7.0, 1.0)
    assert bounce(5.0, 2.0, 4.0, 0.0, 10.0) == (7.0, -1.0)    # 5+8=13 -> reflected to 7
    assert bounce(5.0, -2.0, 4.0, 0.0, 10.0) == (3.0, 1.0)    # 5-8=-3 -> reflected to 3


@pytest.mark.parametrize("seed", range(8))
def test_clip_motion_is_constant_speed_with_bounces(seed):
    size = 64
    clip = sample_clip(rng_for("clip", seed), size)
    assert len(clip["frames"]) in (8, 16)
    assert clip["fps"] == BASE_FPS * clip["fps_multiplier"]
    for index, sprite in enumerate(clip["sprites"]):
        speed = math.hypot(sprite["vx"], sprite["vy"])
        track = [f["objects"][index] for f in clip["frames"]]
        for a, b in zip(track, track[1:]):
            step = math.hypot(b["cx"] - a["cx"], b["cy"] - a["cy"])
            assert step <= speed / clip["fps"] + 1e-2          # bounces only shorten a step
            assert math.hypot(a["vx"], a["vy"]) == pytest.approx(speed, abs=1e-3)
            assert a["box"][0] >= 0 and a["box"][2] <= size
        # the first frames move in the captioned direction
        first_step = (track[1]["cx"] - track[0]["cx"], track[1]["cy"] - track[0]["cy"])
        unit = {"left": (-1, 0), "right": (1, 0), "up": (0, -1), "down": (0, 1)}[sprite["direction"]]
        assert first_step[0] * unit[0] + first_step[1] * unit[1] == pytest.approx(speed / clip["fps"], abs=1e-2)


def test_displacement_per_frame_scales_inversely_with_fps():
    steps = {}
    for multiplier in (1, 2, 3):
        clip = sample_clip(rng_for("clip", 42), 64, frames=8, fps_multiplier=multiplier, sprites=1)
        xs = np.array([[f["objects"][0]["cx"], f["objects"][0]["cy"]] for f in clip["frames"][:2]])
        steps[multiplier] = np.linalg.norm(xs[1] - xs[0])
    assert steps[1] == pytest.approx(2 * steps[2], rel=1e-3)
    assert steps[1] == pytest.approx(3 * steps[3], rel=1e-3)
