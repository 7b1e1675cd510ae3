#!/usr/bin/env python3
"""Detection eval: COCO-style AP of /v1/detect on held-out ShapesWorld images.

    python3 Tools/eval/eval_detect.py --server http://127.0.0.1:8080 --steps 1,2,4 --boxes 10,50,100 --out detect.json
    python3 Tools/eval/eval_detect.py --reference --out detect_reference.json

Renders ``--images`` scenes of the detection test split (seeds from 2,000,000), sends each as a
base64 PNG to ``POST /v1/detect`` for every (steps, boxes) pair requested — DiffusionDet's claim
is that AP rises with both without retraining — and computes AP@[.5:.95], AP50, AP75 and per-class
AP with this folder's own COCO implementation (coco_ap.py). With ``--reference`` the judge stands
in for the detector (score = 1 - fit error), which checks the pipeline offline and gives a
classical-analysis reference figure.
"""

import argparse
import json
import sys
import time

import paths  # noqa: F401
from classes import CLASS_IDS, class_name
from coco_ap import average_precision
from http_client import png_base64, post_json
from judge import judge_image
from records import build
from splits import SPLITS


def held_out_images(count, size, start=SPLITS["test"].start):
    """[(image_id, image, ground truth list)] for the first ``count`` test-split scenes."""
    result = []
    for seed in range(start, start + count):
        record, images = build("detect", seed, size)
        truth = [{"box": o["box"], "class_id": o["class_id"]} for o in record["objects"]]
        result.append((seed, images[record["image"]], truth))
    return result


def server_detector(base_url, score_threshold, seed, timeout):
    def detect(image, steps, boxes):
        answer = post_json(base_url, "/v1/detect",
                           {"image": png_base64(image), "steps": steps, "boxes": boxes,
                            "score_threshold": score_threshold, "seed": seed}, timeout=timeout)
        # The server's class_id is the model's 0-based class index; ShapesWorld ids start at 1
        # (0 is background), so map through the label, which is the shape name.
        return [{"box": d["box"], "class_id": CLASS_IDS.get(d["label"], -1), "score": float(d["score"])}
                for d in answer["detections"]]
    return detect


def judge_detector(image, steps, boxes):
    """The judge as a detector (ignores steps/boxes)."""
    return [{"box": o["box"], "class_id": o["class_id"], "score": 1.0 - min(o["fit_error"], 1.0)}
            for o in judge_image(image)]


def evaluate(detect, images, settings):
    """AP for each (steps, boxes) setting."""
    ground_truth = {image_id: truth for image_id, _, truth in images}
    results = []
    for steps, boxes in settings:
        started = time.time()
        detections = {image_id: detect(image, steps, boxes) for image_id, image, _ in images}
        ap = average_precision(ground_truth, detections)
        results.append({"steps": steps, "boxes": boxes, "AP": ap["AP"], "AP50": ap["AP50"],
                        "AP75": ap["AP75"],
                        "per_class_AP": {class_name(c): v for c, v in ap["per_class"].items()},
                        "detections_per_image": sum(map(len, detections.values())) / len(images),
                        "seconds": round(time.time() - started, 2)})
    return results


def parse_list(text):
    return [int(x) for x in text.split(",") if x]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--server", default="http://127.0.0.1:8080")
    parser.add_argument("--reference", action="store_true", help="use the judge as the detector")
    parser.add_argument("--out", required=True)
    parser.add_argument("--images", type=int, default=100)
    parser.add_argument("--size", type=int, default=128)
    parser.add_argument("--steps", default="1,2,4")
    parser.add_argument("--boxes", default="10,50,100")
    parser.add_argument("--score-threshold", type=float, default=0.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--timeout", type=float, default=600.0)
    args = parser.parse_args(argv)
    images = held_out_images(args.images, args.size)
    if args.reference:
        detect, settings = judge_detector, [(0, 0)]
    else:
        detect = server_detector(args.server, args.score_threshold, args.seed, args.timeout)
        settings = [(s, b) for s in parse_list(args.steps) for b in parse_list(args.boxes)]
    results = evaluate(detect, images, settings)
    summary = {"task": "detection", "source": "judge (reference)" if args.reference else args.server,
               "images": args.images, "size": args.size,
               "seeds": [SPLITS["test"].start, SPLITS["test"].start + args.images - 1],
               "objects": sum(len(t) for _, _, t in images), "results": results,
               "command": " ".join(sys.argv)}
    with open(args.out, "w", encoding="utf-8") as out:
        json.dump(summary, out, indent=2)
    for row in results:
        print(json.dumps({k: row[k] for k in ("steps", "boxes", "AP", "AP50", "AP75")}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
