"""The CLI's judge and selftest commands, and the render outputs of each task."""

import json

import numpy as np
from PIL import Image

import cli


def test_render_outputs_per_task(tmp_path):
    expectations = {"detect": ("0000005.png",), "segment": ("0000005_semantic.png", "0000005_instance.png"),
                    "caption": ("0000005.png",), "story": ("0000005_f0.png", "0000005_f3.png"),
                    "clip": ("0000005_f00.png", "0000005_f07.png"),
                    "3d": ("0000005_v0.png", "0000005_v1_depth.png", "0000005_v1_mask.png")}
    for task, names in expectations.items():
        out = tmp_path / task
        assert cli.main(["render", "--task", task, "--seed", "5", "--count", "1", "--size", "32",
                         "--out", str(out), "--views", "2"]) == 0
        for name in names:
            assert (out / name).exists(), (task, name)
        record = json.loads((out / "annotations.jsonl").read_text(encoding="utf-8"))
        assert record["task"] == task and record["seed"] == 5 and record["split"] == "train"
    depth = np.asarray(Image.open(tmp_path / "3d" / "0000005_v1_depth.png"))
    assert depth.dtype == np.uint16 and depth.max() > 1000   # millimetres, camera ~3 m away


def test_judge_command_reports_the_rendered_objects(tmp_path, capsys):
    out = tmp_path / "detect"
    cli.main(["render", "--task", "detect", "--seed", "2000001", "--count", "1", "--size", "64",
              "--out", str(out)])
    capsys.readouterr()
    record = json.loads((out / "annotations.jsonl").read_text())
    assert cli.main(["judge", str(out / "2000001.png")]) == 0
    judged = json.loads(capsys.readouterr().out)["objects"]
    assert sorted((o["shape"], o["colour"]) for o in judged) == \
        sorted((o["shape"], o["colour"]) for o in record["objects"])


def test_judge_frames_command_tracks_the_protagonist(tmp_path, capsys):
    out = tmp_path / "story"
    cli.main(["render", "--task", "story", "--seed", "2000002", "--count", "1", "--size", "64",
              "--out", str(out)])
    capsys.readouterr()
    record = json.loads((out / "annotations.jsonl").read_text())
    frames = [str(out / f["image"]) for f in record["frames"]]
    assert cli.main(["judge", "--frames", *frames]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["protagonist"] == record["protagonist"]
    assert all(t is not None for t in result["track"])


def test_selftest_command_exit_status(capsys):
    assert cli.main(["selftest", "--scenes", "3", "--size", "64"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["passes"] and result["clean"]["objects"] > 0


def test_selftest_command_reports_every_size(capsys):
    assert cli.main(["selftest", "--scenes", "2", "--size", "32,64"]) == 0
    captured = capsys.readouterr()
    result = json.loads(captured.out)
    assert [r["size"] for r in result["sizes"]] == [32, 64] and result["passes"]
    assert "  32 px degraded" in captured.err and "  64 px clean" in captured.err
