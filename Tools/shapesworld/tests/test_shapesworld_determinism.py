"""Same seed -> same bytes; different seeds -> different samples; splits are disjoint."""

import hashlib
import os

import pytest

import cli
from records import build
from scene import MIN_RADIUS_FRACTION, MIN_RADIUS_PIXELS, sample_scene
from splits import SPLITS, TASKS, rng_for, split_of


def _digest(folder):
    digest = hashlib.sha256()
    for name in sorted(os.listdir(folder)):
        with open(os.path.join(folder, name), "rb") as handle:
            digest.update(name.encode() + b"\0" + handle.read())
    return digest.hexdigest()


@pytest.mark.parametrize("task", TASKS)
def test_cli_render_is_byte_identical_for_the_same_seed(task, tmp_path):
    size = 32
    first, second, other = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    for out, seed in ((first, 123), (second, 123), (other, 124)):
        assert cli.main(["render", "--task", task, "--seed", str(seed), "--count", "2",
                         "--size", str(size), "--out", str(out), "--views", "2"]) == 0
    assert _digest(first) == _digest(second)
    assert (first / "annotations.jsonl").read_bytes() == (second / "annotations.jsonl").read_bytes()
    # seeds 123,124 vs 124,125: the shared seed 124 must give the same record, the others differ
    lines_first = (first / "annotations.jsonl").read_text(encoding="utf-8").splitlines()
    lines_other = (other / "annotations.jsonl").read_text(encoding="utf-8").splitlines()
    assert lines_first[1] == lines_other[0]
    assert lines_first[0] != lines_other[1]


def test_detect_segment_caption_share_the_scene_of_a_seed():
    detect, _ = build("detect", 77, 64)
    segment, _ = build("segment", 77, 64)
    caption, _ = build("caption", 77, 64)
    assert detect["objects"] == segment["objects"] == caption["objects"]


def test_splits_are_disjoint_seed_ranges():
    ranges = sorted(SPLITS.values(), key=lambda r: r.start)
    for earlier, later in zip(ranges, ranges[1:]):
        assert earlier.stop <= later.start
    assert split_of(0) == "train" and split_of(1_000_000) == "validation"
    assert split_of(2_000_000) == "test" and split_of(1_500_000) is None


def test_radius_floor_binds_only_on_small_canvases():
    # 32 px: no object under MIN_RADIUS_PIXELS (the judge's identifiability limit); 64 and 128 px:
    # the floor is below the fractional minimum, so their scenes are those of earlier versions
    radii = [o["r"] for seed in range(200) for o in sample_scene(rng_for("detect", seed), 32)["objects"]]
    assert min(radii) >= MIN_RADIUS_PIXELS - 1e-3
    assert MIN_RADIUS_PIXELS < MIN_RADIUS_FRACTION * 64
