#!/usr/bin/env python3
"""ShapesWorld command line: render datasets, judge images, run the judge's self-test.

    python3 Tools/shapesworld/cli.py render --task detect --seed 2000000 --count 10 --size 64 --out DIR
    python3 Tools/shapesworld/cli.py judge IMAGE.png [IMAGE.png ...] [--frames]
    python3 Tools/shapesworld/cli.py selftest --scenes 100 --size 32,64,128 [--stories 20]

``render`` writes the PNGs of samples seed .. seed+count-1 and one ``annotations.jsonl`` (one JSON
record per sample). ``judge`` prints one JSON line per image (or, with --frames, one line for the
images as the frames of one story/clip). ``selftest`` prints the judge's accuracy figures per
canvas size, clean and degraded (a table on stderr, JSON on stdout) and exits non-zero if a
threshold is missed at any size.
"""

import argparse
import json
import os
import sys

import numpy as np
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from judge import judge_frames, judge_image  # noqa: E402
from records import build  # noqa: E402
from scene import MIN_RADIUS_PIXELS  # noqa: E402
from selftest import THRESHOLDS, run_selftest, run_story_selftest  # noqa: E402
from splits import TASKS  # noqa: E402


def save_png(array, path):
    """Write uint8 RGB / uint8 label map / uint16 depth arrays as PNG."""
    Image.fromarray(array).save(path)  # uint16 arrays become 16-bit greyscale PNGs


def command_render(args):
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "annotations.jsonl"), "w", encoding="utf-8") as out:
        for seed in range(args.seed, args.seed + args.count):
            record, images = build(args.task, seed, args.size, occlusion=args.occlusion,
                                   views=args.views)
            for name, array in images.items():
                save_png(array, os.path.join(args.out, name))
            out.write(json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n")
    print(f"wrote {args.count} {args.task} samples to {args.out}")
    return 0


def load_rgb(path):
    return np.asarray(Image.open(path).convert("RGB"))


def command_judge(args):
    if args.frames:
        result = judge_frames([load_rgb(p) for p in args.images])
        track = [None if o is None else {k: o[k] for k in ("shape", "colour", "box")}
                 for o in result["track"]]
        print(json.dumps({"images": args.images, "protagonist": result["protagonist"],
                          "track": track, "frames": result["frames"]}, default=float))
        return 0
    for path in args.images:
        print(json.dumps({"image": path, "objects": judge_image(load_rgb(path))}, default=float))
    return 0


def command_selftest(args):
    jpeg_range = tuple(int(q) for q in args.jpeg_quality.split(","))
    sizes = [int(s) for s in args.size.split(",")]
    results = []
    for size in sizes:
        result = run_selftest(args.scenes, size, occlusion=args.occlusion, noise=args.noise,
                              jpeg_range=jpeg_range, min_radius_pixels=args.min_radius)
        result["thresholds"] = THRESHOLDS
        if args.stories:
            result["stories"] = run_story_selftest(args.stories, size)
        results.append(result)
        for condition in ("clean", "degraded"):
            f = result[condition]
            print(f"{size:4d} px {condition:8s} objects {f['objects']:5d}  shape {f['shape_accuracy']:.2%}"
                  f"  colour {f['colour_accuracy']:.2%}  IoU>=0.8 {f['box_iou_0.8_fraction']:.2%}"
                  f"  missed {f['missed']}  false pos. {f['false_positives']}", file=sys.stderr)
    passes = all(r["passes"] for r in results)
    if len(results) == 1:
        print(json.dumps(results[0], indent=2))
    else:
        print(json.dumps({"sizes": results, "passes": passes}, indent=2))
    study = args.occlusion or args.min_radius != MIN_RADIUS_PIXELS
    return 0 if passes or study else 1


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    render = sub.add_parser("render", help="render samples and annotations.jsonl")
    render.add_argument("--task", choices=TASKS, required=True)
    render.add_argument("--seed", type=int, required=True, help="first seed (see README splits)")
    render.add_argument("--count", type=int, default=1)
    render.add_argument("--size", type=int, default=64, help="canvas side in pixels")
    render.add_argument("--out", required=True)
    render.add_argument("--occlusion", action="store_true",
                        help="detect/segment/caption: allow overlapping objects")
    render.add_argument("--views", type=int, default=4, help="3d: views per scene")
    render.set_defaults(run=command_render)
    judge = sub.add_parser("judge", help="find the objects in images")
    judge.add_argument("images", nargs="+")
    judge.add_argument("--frames", action="store_true",
                       help="treat the images as frames of one story/clip and track its protagonist")
    judge.set_defaults(run=command_judge)
    selftest = sub.add_parser("selftest", help="judge accuracy on held-out renders")
    selftest.add_argument("--scenes", type=int, default=100)
    selftest.add_argument("--size", default="64",
                          help="canvas side in pixels, or several separated by commas (32,64,128)")
    selftest.add_argument("--stories", type=int, default=0)
    selftest.add_argument("--occlusion", action="store_true",
                          help="measure on scenes with overlapping objects (no threshold)")
    selftest.add_argument("--noise", type=float, default=0.0,
                          help="also add Gaussian pixel noise of this sigma to the degraded images")
    selftest.add_argument("--jpeg-quality", default="75,95",
                          help="LOW,HIGH inclusive range of JPEG qualities for the degraded images")
    selftest.add_argument("--min-radius", type=float, default=MIN_RADIUS_PIXELS,
                          help="generator's smallest circumradius in px (0: no floor; study only)")
    selftest.set_defaults(run=command_selftest)
    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
