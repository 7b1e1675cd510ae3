#!/usr/bin/env python3
"""COCO box AP of a DiffusionDet model folder in PyTorch, on held-out ShapesWorld test scenes.

    nice -n 5 python3 Tools/train/eval_diffusiondet_torch.py --model Models/shapesworld-detect \\
        --images 500 --sweep-images 200 --out /tmp/detect_eval.json

Scenes are the detection eval's own (``Tools/eval/eval_detect.py`` ``held_out_images``: test seeds
from 2,000,000, 128 px) and AP is that folder's ``coco_ap.py`` (AP@[.5:.95], AP50, AP75, top 100
detections per image). Inference is the reference ``ddim_sample`` (Tools/reference/
diffusiondet_ref.py) with a seeded generator per image (``--seed``); AP is read at score
threshold 0 (as ``eval_detect.py`` asks by default) and, from the same detections, at the model's
default threshold.

Rows: the model's defaults on ``--images`` scenes; then on ``--sweep-images`` scenes the steps
sweep (1, 2, 4, 8 at the default proposals), the proposals sweep (50, 100, 300, 500 at the default
steps) and the control of issue #16: the same number of steps, but every step starts from *fresh*
random boxes (no DDIM update, no renewal), with the same per-step ensemble and NMS.
"""

import argparse
import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(ROOT, "Tools", "eval"))

import torch  # noqa: E402

import paths  # noqa: E402,F401
from classes import class_name  # noqa: E402
from coco_ap import average_precision  # noqa: E402
from eval_detect import held_out_images  # noqa: E402

import diffusiondet_model as model_io  # noqa: E402


def run_setting(model, config, images, steps, proposals, seed, mode="ddim", thresholds=(0.0,)):
    """AP rows (one per score threshold) of one (steps, proposals, mode) setting."""
    truth = {image_id: t for image_id, _, t in images}
    started = time.time()
    detections = {}
    with torch.no_grad():
        for image_id, image, _ in images:
            detections[image_id] = model_io.detect(model, config, image, steps=steps,
                                                   proposals=proposals, score_threshold=0.0,
                                                   seed=seed, mode=mode)
    seconds = time.time() - started
    rows = []
    for threshold in thresholds:
        kept = {k: [d for d in v if d["score"] >= threshold] for k, v in detections.items()}
        ap = average_precision(truth, kept)
        rows.append({"steps": steps, "proposals": proposals, "mode": mode,
                     "score_threshold": threshold, "images": len(images),
                     "AP": round(ap["AP"], 4), "AP50": round(ap["AP50"], 4),
                     "AP75": round(ap["AP75"], 4),
                     "per_class_AP": {class_name(c): round(v, 4) for c, v in ap["per_class"].items()},
                     "detections_per_image": round(sum(map(len, kept.values())) / len(images), 2),
                     "seconds_per_image": round(seconds / len(images), 4)})
    return rows


def parse_list(text):
    return [int(x) for x in text.split(",") if x]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", required=True, help="model folder (config.json + model.safetensors)")
    parser.add_argument("--out", required=True)
    parser.add_argument("--images", type=int, default=500)
    parser.add_argument("--sweep-images", type=int, default=200)
    parser.add_argument("--size", type=int, default=128)
    parser.add_argument("--steps", default="1,2,4,8")
    parser.add_argument("--proposals", default="50,100,300,500")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--skip-sweeps", action="store_true")
    parser.add_argument("--sweeps-only", action="store_true",
                        help="skip the default row (e.g. to repeat the sweeps with another --seed)")
    parser.add_argument("--thresholds", default="0.3,0.5",
                        help="extra score thresholds for the default row (0 and the default always)")
    parser.add_argument("--record", action="store_true",
                        help="also store the summary in the model folder's training.json")
    parser.add_argument("--record-key", default="eval", help="training.json key for --record")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    model, config = model_io.load_folder(args.model)
    defaults = config["defaults"]
    steps0, proposals0, threshold0 = defaults["steps"], defaults["proposals"], defaults["score_threshold"]
    images = held_out_images(args.sweep_images if args.sweeps_only
                             else max(args.images, args.sweep_images), args.size)
    summary = {"model": args.model, "size": args.size, "seed": args.seed,
               "defaults": defaults, "command": " ".join(sys.argv)}

    def report(row):
        print(json.dumps({k: row[k] for k in ("mode", "steps", "proposals", "score_threshold",
                                              "images", "AP", "AP50", "AP75",
                                              "detections_per_image", "seconds_per_image")}),
              flush=True)

    extra = [float(x) for x in args.thresholds.split(",") if x]
    thresholds = sorted({0.0, float(threshold0), *extra})
    if not args.sweeps_only:
        summary["default"] = run_setting(model, config, images[:args.images], steps0, proposals0,
                                         args.seed, thresholds=thresholds)
        for row in summary["default"]:
            report(row)
    if not args.skip_sweeps:
        sweep = images[:args.sweep_images]
        summary["steps_sweep"], summary["proposals_sweep"] = [], []
        for steps in parse_list(args.steps):
            row = run_setting(model, config, sweep, steps, proposals0, args.seed)[0]
            summary["steps_sweep"].append(row)
            report(row)
        for proposals in parse_list(args.proposals):
            row = run_setting(model, config, sweep, steps0, proposals, args.seed)[0]
            summary["proposals_sweep"].append(row)
            report(row)
        summary["control_fresh_boxes"] = []
        for steps in sorted({1, steps0}):
            row = run_setting(model, config, sweep, steps, proposals0, args.seed, mode="fresh")[0]
            summary["control_fresh_boxes"].append(row)
            report(row)
    with open(args.out, "w", encoding="utf-8") as out:
        json.dump(summary, out, indent=2)
    if args.record:
        record_path = os.path.join(args.model, "training.json")
        with open(record_path, encoding="utf-8") as handle:
            record = json.load(handle)
        record[args.record_key] = summary
        with open(record_path, "w", encoding="utf-8") as handle:
            json.dump(record, handle, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
