"""PyTorch peer of `diffusion-cli bench detect`: the reference DiffusionDet (Tools/reference/diffusiondet_ref.py)
on the same model folder, image, boxes, steps and thread count; backbone (`model.backbone`) and head
(`ddim_sample` + `postprocess`) timed separately, medians over runs after warm-up, peak RSS of this process.

Run one thread count per process (Tools/bench/compare_detect.py does) so the peak RSS is per configuration.
Preprocessing (resize, normalise, pad) is done once and not timed, as on the Swift side.

Usage: python Tools/bench/torch_detect.py --model FOLDER [--image F | --size WxH] [--boxes N] [--steps 1,4]
          [--threads 1] [--runs 3] [--warmup 1] [--seed 0] [--json]
"""

import argparse
import json
import os
import resource
import statistics
import sys
import time

import numpy as np
import torch
from PIL import Image
from safetensors.torch import load_file

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "reference"))
import diffusiondet_ref as dd  # noqa: E402


def synthetic_image(width, height):
    """The same gradient-and-checkerboard image `diffusion-cli bench detect` makes without --image."""
    yy, xx = np.mgrid[0:height, 0:width]
    red = (xx * 255) // max(width - 1, 1)
    green = (yy * 255) // max(height - 1, 1)
    blue = np.where((xx // 16 + yy // 16) % 2 == 0, 40, 220)
    return np.stack([red, green, blue], axis=-1).astype(np.uint8)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", required=True)
    parser.add_argument("--image")
    parser.add_argument("--size")
    parser.add_argument("--boxes", type=int)
    parser.add_argument("--steps", default="1,4")
    parser.add_argument("--threads", default="1")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    with open(os.path.join(args.model, "config.json")) as f:
        config = json.load(f)
    model = dd.build_model(config)
    model.load_state_dict(load_file(os.path.join(args.model, "model.safetensors")), strict=True)
    model.eval()
    if args.image:
        image = np.asarray(Image.open(args.image).convert("RGB"))
    else:
        side = config["input"]["min_size_test"]
        width, height = (int(v) for v in args.size.lower().split("x")) if args.size else (side, side)
        image = synthetic_image(width, height)
    boxes = args.boxes or config["defaults"]["proposals"]
    steps_list = [int(s) for s in args.steps.split(",")]
    tensor, whwh, resized_hw = dd.preprocess(image, config)
    original_hw = image.shape[:2]
    name = os.path.basename(os.path.normpath(args.model))
    input_size = f"{tensor.shape[3]}x{tensor.shape[2]}"
    threshold = config["defaults"]["score_threshold"]
    rows = []
    with torch.inference_mode():
        for threads in [int(t) for t in args.threads.split(",")]:
            torch.set_num_threads(threads)

            def head(features, steps):
                generator = torch.Generator().manual_seed(args.seed)
                out = dd.ddim_sample(model, features, whwh, steps, boxes, config, generator=generator)
                return dd.postprocess(out["boxes"], out["scores"], out["labels"], resized_hw, original_hw, threshold)

            for _ in range(args.warmup):  # backbone plus the cheapest head, as the Swift side
                head(model.backbone(tensor), min(steps_list))
            backbone_s, head_s, detections = [], {s: [] for s in steps_list}, {}
            backbone_cpu, head_cpu = [], {s: [] for s in steps_list}
            for _ in range(max(args.runs, 1)):
                cpu, start = time.process_time(), time.perf_counter()
                features = model.backbone(tensor)
                backbone_s.append(time.perf_counter() - start)
                backbone_cpu.append(time.process_time() - cpu)
                for steps in steps_list:
                    cpu, start = time.process_time(), time.perf_counter()
                    result = head(features, steps)
                    head_s[steps].append(time.perf_counter() - start)
                    head_cpu[steps].append(time.process_time() - cpu)
                    detections[steps] = int(result[0].shape[0])
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            for steps in steps_list:
                b, h = statistics.median(backbone_s), statistics.median(head_s[steps])
                rows.append({"impl": "torch", "torch": torch.__version__, "model": name, "input": input_size,
                             "boxes": boxes, "steps": steps, "threads": threads, "backbone_ms": b * 1e3,
                             "head_ms": h * 1e3, "total_ms": (b + h) * 1e3,
                             "backbone_runs_ms": [s * 1e3 for s in backbone_s],
                             "head_runs_ms": [s * 1e3 for s in head_s[steps]],
                             "backbone_cpu_ms": statistics.median(backbone_cpu) * 1e3,
                             "head_cpu_ms": statistics.median(head_cpu[steps]) * 1e3, "peak_rss_mib": peak,
                             "detections": detections[steps]})
                if args.json:
                    print(json.dumps(rows[-1], sort_keys=True), flush=True)
    if not args.json:
        print("| model | input | boxes | steps | threads | backbone ms | head ms | total ms | peak RSS MiB |")
        print("|---|---|---|---|---|---|---|---|---|")
        for r in rows:
            print(f"| {r['model']} | {r['input']} | {r['boxes']} | {r['steps']} | {r['threads']} | {r['backbone_ms']:.1f} "
                  f"| {r['head_ms']:.1f} | {r['total_ms']:.1f} | {r['peak_rss_mib']:.0f} |")


if __name__ == "__main__":
    main()
