"""Argument handling of Tools/bench/torch_story.py and Tools/bench/compare_story.py: both sides must be handed the
same story settings, and the table must divide torch by Swift."""

import pytest

import compare_story
import torch_story


def test_torch_story_defaults_leave_steps_and_guidance_to_the_folder():
    args = torch_story.parse_args(["--model", "m"])
    assert (args.frames, args.threads, args.warmup, args.repeats, args.seed) == (5, 1, 1, 3, 0)
    assert args.steps is None and args.guidance is None


def test_torch_story_accepts_rounds_as_repeats_like_the_cli():
    assert torch_story.parse_args(["--model", "m", "--rounds", "7"]).repeats == 7


@pytest.mark.parametrize("bad", [["--frames", "0"], ["--threads", "0"], ["--repeats", "0"], ["--warmup", "-1"],
                                 ["--steps", "0"]])
def test_torch_story_rejects_out_of_range_values(bad):
    with pytest.raises(SystemExit):
        torch_story.parse_args(["--model", "m"] + bad)


def test_story_captions_are_the_shapesworld_story_cycled():
    assert torch_story.story_captions(5) == ["Lulu is a red circle.", "Lulu moves to the right.", "It jumps.",
                                             "It shrinks.", "Lulu moves down."]
    long = torch_story.story_captions(len(torch_story.CAPTIONS) + 2)
    assert long[-2:] == torch_story.CAPTIONS[:2]


def test_compare_story_hands_both_sides_the_same_settings():
    args = compare_story.parse_args(["--model", "tiny", "--frames", "3", "--steps", "2", "--guidance", "7.5",
                                     "--threads", "2", "--repeats", "4", "--warmup", "0", "--cli", "cli"])
    sides = compare_story.commands(args, 2)
    assert sides["swift"][:3] == ["cli", "bench", "story"]
    assert sides["torch"][1].endswith("torch_story.py")
    assert sides["swift"][3:] == sides["torch"][2:]
    assert sides["swift"][-1] == "--json"
    options = dict(zip(sides["swift"][3:-1:2], sides["swift"][4:-1:2]))
    assert options["--steps"] == "2" and options["--guidance"] == "7.5" and options["--threads"] == "2"
    assert options["--repeats"] == "4" and options["--warmup"] == "0" and options["--frames"] == "3"
    # Both parsers accept the command line compare_story builds.
    torch_args = torch_story.parse_args(sides["torch"][2:])
    assert (torch_args.steps, torch_args.guidance, torch_args.repeats) == (2, 7.5, 4)


def test_compare_story_omits_steps_and_guidance_when_not_given():
    sides = compare_story.commands(compare_story.parse_args(["--model", "tiny"]), 1)
    assert "--steps" not in sides["swift"] and "--guidance" not in sides["torch"]


@pytest.mark.parametrize("threads", ["", "1,x", "0"])
def test_compare_story_rejects_bad_thread_lists(threads):
    with pytest.raises(SystemExit):
        compare_story.parse_args(["--model", "tiny", "--threads", threads])


def test_compare_story_table_divides_torch_by_swift():
    def record(impl, seconds):
        return {"impl": impl, "model": "tiny", "shape": "5 frames × 25 steps, guidance 5, 32² frames",
                "seconds": seconds, "min_seconds": seconds * 0.9, "seconds_per_frame": seconds / 5,
                "cpu_seconds": seconds, "peak_rss_bytes": 100 * 1048576}
    records = {("swift", 1): [record("swift", 1.0), record("swift", 3.0)],
               ("torch", 1): [record("torch", 4.0), record("torch", 4.0)]}
    row = compare_story.table(records, 2, 1, 3).splitlines()[-1]
    cells = [cell.strip() for cell in row.strip("|").split("|")]
    assert cells[2:6] == ["1", "2.000", "4.000", "**2.00**"]
    assert cells[6:8] == ["0.900", "3.600"]
