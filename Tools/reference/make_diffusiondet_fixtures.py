"""Writes the DiffusionDet parity fixtures read by the Swift detection tests into Tests/Fixtures/diffusiondet/.

Two tiny random-weight models in the service's model-folder format (config.json + model.safetensors with the
official detectron2 key names), built by Tools/reference/diffusiondet_ref.py:
  basic18/       ResNet depth 18 (BasicBlock) at width 8, FPN/hidden 32, 3 stages, 3 classes
  bottleneck50/  ResNet depth 50 (BottleneckBlock) at width 4 (res2 out 16), FPN/hidden 32, 2 stages,
                 num_cls 2 / num_reg 1 (so the cls_module/reg_module index pattern 3k, 3k+1 is exercised), 5 classes
and, for each, `<name>.parity.safetensors` holding a fixed 70×90 uint8 image, its preprocessed tensor, the
FPN maps, one head call and full sampling runs (steps 1 and 4) with every random draw recorded in order.
Tensor names, shapes and meanings are listed in Tests/Fixtures/diffusiondet/README.md (kept in sync with
`describe()` below, which also goes into each parity file's metadata).

Fixture weights follow the Addendum of shared/reference/detection_segmentation.md: random FrozenBN statistics,
Xavier head (official init) but a raised class-logit bias (−0.2 for basic18, −0.8 for bottleneck50, chosen so
that box renewal keeps part of the 40 proposals at every step; with the official −4.6 prior it keeps none) and
box-delta weights ×0.1.

Deterministic: fixed seeds, torch.set_num_threads(1). Pinned: torch 2.13.0+cpu, safetensors 0.8.0, numpy 2.4.6.
Usage (repository root):  /work/main/.venv/bin/python Tools/reference/make_diffusiondet_fixtures.py [--out DIR]
"""

import argparse
import json
import os
import sys

import numpy as np
import torch
from safetensors.torch import save_file

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import diffusiondet_ref as dd  # noqa: E402

torch.set_num_threads(1)

DELTA_WEIGHT_SCALE = 0.1
PROPOSALS = 40
SCORE_THRESHOLD = 0.5
SAMPLE_STEPS = (1, 4)
IMAGE_HW = (70, 90)


def model_configs():
    basic = dd.make_config(["circle", "square", "triangle"], depth=18, stem_out_channels=8, res2_out_channels=8,
                           fpn_out_channels=32, hidden_dim=32, num_heads=4, dim_feedforward=64, num_stages=3,
                           num_cls=1, num_reg=3, dim_dynamic=8, min_size_test=128, max_size_test=1333,
                           proposals=PROPOSALS, steps=4, score_threshold=SCORE_THRESHOLD)
    bottleneck = dd.make_config(["circle", "square", "triangle", "star", "hexagon"], depth=50, stem_out_channels=8,
                                res2_out_channels=16, width_per_group=4, fpn_out_channels=32, hidden_dim=32,
                                num_heads=2, dim_feedforward=48, num_stages=2, num_cls=2, num_reg=1, dim_dynamic=4,
                                pooler_resolution=7, min_size_test=128, max_size_test=150,
                                proposals=PROPOSALS, steps=4, score_threshold=SCORE_THRESHOLD)
    return {"basic18": (basic, 11, -0.2), "bottleneck50": (bottleneck, 50, -0.8)}


def fixture_model(config, seed, class_bias):
    """Random weights: default conv init, random FrozenBN statistics, official head init, then the fixture
    adjustments (class bias, box-delta weights)."""
    torch.manual_seed(seed)
    model = dd.build_model(config)
    g = torch.Generator().manual_seed(seed + 1000)
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, dd.FrozenBatchNorm2d):
                dd.randomize_frozen_batch_norm(module, g)
            elif isinstance(module, torch.nn.Conv2d) and module.bias is not None:
                module.bias.copy_(torch.randn(module.bias.shape, generator=g) * 0.05)
            elif isinstance(module, torch.nn.LayerNorm):
                module.weight.copy_(1.0 + torch.randn(module.weight.shape, generator=g) * 0.1)
                module.bias.copy_(torch.randn(module.bias.shape, generator=g) * 0.1)
        for stage in model.head.head_series:
            stage.class_logits.bias.fill_(class_bias)
            stage.bboxes_delta.weight.mul_(DELTA_WEIGHT_SCALE)
    return model.eval()


def fixture_image():
    """Smooth colour gradients plus two filled shapes, uint8 (70, 90, 3)."""
    h, w = IMAGE_HW
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float64)
    image = np.stack([xx / w * 255, yy / h * 255, (xx + yy) / (w + h) * 255], axis=-1)
    image[10:40, 15:45] = (230, 40, 40)
    image[((yy - 45) ** 2 + (xx - 65) ** 2) < 15 ** 2] = (30, 60, 220)
    noise = np.random.RandomState(7).randint(-10, 11, size=image.shape)
    return np.clip(image + noise, 0, 255).astype(np.uint8)


def fixed_head_boxes(whwh):
    """12 boxes (absolute xyxy) covering all four FPN levels, the image border and a zero-width box."""
    w, h = float(whwh[0]), float(whwh[1])
    return torch.tensor([[[4.0, 6.0, 30.0, 28.0], [10.0, 10.0, 80.0, 90.0], [0.0, 0.0, w, h],
                          [-20.0, -10.0, 150.0, 160.0], [50.0, 40.0, 50.0, 70.0], [100.0, 20.0, 164.0, 127.0],
                          [-100.0, -120.0, 300.0, 290.0], [-300.0, -250.0, 420.0, 500.0], [60.5, 61.25, 63.0, 64.5],
                          [w - 10.0, h - 10.0, w + 5.0, h + 5.0], [20.0, 70.0, 140.0, 100.0],
                          [-400.0, -400.0, 700.0, 650.0]]], dtype=torch.float32)


def decision_margins(run, config):
    """How close the run's discrete decisions are to flipping (a reimplementation with float32 rounding
    differences reproduces the fixture only if these are well above its error): renewal |max sigmoid − 0.5|,
    score threshold |score − threshold| before NMS, and |IoU − nms threshold| over same-class pairs."""
    renewal = min(float((torch.sigmoid(s["logits"]).max(-1).values - 0.5).abs().min()) for s in run["trace"])
    scores = run["scores"]
    threshold = float((scores - SCORE_THRESHOLD).abs().min()) if scores.numel() else float("inf")
    ens = [dd.inference_topk(s["logits"], s["boxes"]) for s in run["trace"]]
    boxes, labels = torch.cat([e[0] for e in ens]), torch.cat([e[2] for e in ens])
    iou = dd.box_iou(boxes, boxes)
    same = (labels[:, None] == labels[None, :]) & ~torch.eye(len(labels), dtype=torch.bool)
    pairs = iou[same]
    pairs = pairs[~pairs.isnan()]  # zero-area pairs (0/0) are never suppressed
    nms = float((pairs - config["diffusion"]["nms_iou_threshold"]).abs().min())
    return {"renewal": round(renewal, 6), "score_threshold": round(threshold, 6), "nms_iou": round(nms, 6)}


def run_fixture(name, config, seed, class_bias, out_dir):
    model = fixture_model(config, seed, class_bias)
    folder = os.path.join(out_dir, name)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
        f.write("\n")
    weights = {k: v.contiguous() for k, v in model.state_dict().items()}
    save_file(weights, os.path.join(folder, "model.safetensors"), metadata={"format": "pt"})

    t = {}
    image = fixture_image()
    x, whwh, resized_hw = dd.preprocess(image, config)
    t["image"] = torch.from_numpy(image.copy())
    t["input"] = x
    t["images_whwh"] = whwh
    t["resized_hw"] = torch.tensor(resized_hw, dtype=torch.int64)
    t["original_hw"] = torch.tensor(image.shape[:2], dtype=torch.int64)
    with torch.no_grad():
        features = model.backbone(x)
        for level, p in zip(dd.FPN_LEVELS, features):
            t[f"p{level}"] = p
        boxes = fixed_head_boxes(whwh)
        step = torch.tensor([623], dtype=torch.int64)
        logits, out_boxes = model.head(features, boxes, step)
        hp = config["head"]
        t["head.boxes"] = boxes
        t["head.t"] = step
        t["head.time_emb"] = model.head.time_mlp(step)
        t["head.levels"] = dd.assign_fpn_levels(boxes[0])
        t["head.roi_features"] = dd.multilevel_roi_align(features, boxes, hp["pooler_resolution"],
                                                         hp["sampling_ratio"])
        t["head.logits"] = logits
        t["head.pred_boxes"] = out_boxes

    info = {}
    for steps in SAMPLE_STEPS:
        runs = {}
        for include in (True, False):
            generator = torch.Generator().manual_seed(seed * 100 + steps)
            trace = []
            runs[include] = dd.ddim_sample(model, features, whwh, steps, PROPOSALS, config, generator=generator,
                                           include_final_step=include, trace=trace)
            runs[include]["trace"] = trace
        a, b = runs[True], runs[False]
        assert all(torch.equal(u, v) for u, v in zip(a["draws"], b["draws"])), "draws must not depend on ensembling"
        replay = dd.ddim_sample(model, features, whwh, steps, PROPOSALS, config, draws=a["draws"],
                                include_final_step=True)
        assert torch.equal(replay["boxes"], a["boxes"]) and torch.equal(replay["scores"], a["scores"])
        prefix = f"sample{steps}"
        t[f"{prefix}.draws"] = torch.cat(a["draws"])
        t[f"{prefix}.draw_rows"] = torch.tensor([d.shape[0] for d in a["draws"]], dtype=torch.int64)
        t[f"{prefix}.kept_per_step"] = torch.tensor(a["kept_per_step"], dtype=torch.int64)
        t[f"{prefix}.timesteps"] = torch.tensor([s["t"] for s in a["trace"]], dtype=torch.int64)
        for i, s in enumerate(a["trace"]):
            t[f"{prefix}.step{i}.x"] = s["x"][0].to(torch.float64)
            t[f"{prefix}.step{i}.boxes_in"] = s["boxes_in"][0].to(torch.float64)
            t[f"{prefix}.step{i}.logits"] = s["logits"]
            t[f"{prefix}.step{i}.boxes"] = s["boxes"]
            t[f"{prefix}.step{i}.keep"] = s["keep"].to(torch.uint8)
        for include, tag in ((True, "with_final"), (False, "without_final")):
            r = runs[include]
            t[f"{prefix}.{tag}.boxes"] = r["boxes"]
            t[f"{prefix}.{tag}.scores"] = r["scores"]
            t[f"{prefix}.{tag}.labels"] = r["labels"]
            fb, fs, fl = dd.postprocess(r["boxes"], r["scores"], r["labels"], resized_hw, image.shape[:2],
                                        SCORE_THRESHOLD)
            t[f"{prefix}.{tag}.final_boxes"] = fb
            t[f"{prefix}.{tag}.final_scores"] = fs
            t[f"{prefix}.{tag}.final_labels"] = fl
            info[f"{prefix}.{tag}"] = {"nms": int(r["boxes"].shape[0]), "final": int(fb.shape[0])}
        info[f"{prefix}.kept_per_step"] = a["kept_per_step"]
        info[f"{prefix}.margins"] = decision_margins(a, config)
        info[f"{prefix}.seed"] = seed * 100 + steps

    metadata = {"torch": torch.__version__, "model": name, "proposals": PROPOSALS, "score_threshold": SCORE_THRESHOLD,
                "sample_steps": list(SAMPLE_STEPS), "generator_seeds": {f"sample{s}": seed * 100 + s
                                                                       for s in SAMPLE_STEPS},
                "class_bias": class_bias, "delta_weight_scale": DELTA_WEIGHT_SCALE, "summary": info}
    tensors = {k: v.contiguous().clone() for k, v in t.items()}
    path = os.path.join(out_dir, f"{name}.parity.safetensors")
    save_file(tensors, path, metadata={"fixture": json.dumps(metadata, sort_keys=True)})
    return path, tensors, info


def main():
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default=os.path.join(root, "Tests", "Fixtures", "diffusiondet"))
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    total = 0
    for name, (config, seed, class_bias) in model_configs().items():
        path, tensors, info = run_fixture(name, config, seed, class_bias, args.out)
        print(f"{name}: {path} ({len(tensors)} tensors)")
        for key, value in info.items():
            print(f"  {key}: {value}")
        for key in sorted(tensors):
            if not key.startswith("sample4.step") and not key.startswith("sample1.step"):
                print(f"  {key} {str(tensors[key].dtype).removeprefix('torch.')} {list(tensors[key].shape)}")
    for dirpath, _, files in os.walk(args.out):
        total += sum(os.path.getsize(os.path.join(dirpath, f)) for f in files)
    print(f"total {total / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
