#!/usr/bin/env python3
"""Train the bundled ShapesWorld DiffusionDet detector (CPU, from scratch).

    nice -n 5 python3 Tools/train/train_diffusiondet.py --out Models/shapesworld-detect --minutes 75

Recipe (DiffusionDet, arXiv 2211.09788 §3–4 and the official ``detector.py`` / ``loss.py``; see
shared/reference/detection_segmentation.md A2, A4, A5):

* **Data.** ShapesWorld ``detect`` scenes (128×128, 1–6 objects) rendered on the fly from *train*
  seeds ``--seed-start`` upwards, one new scene per image (no repeats); ``--occlusion-fraction`` of
  the seeds are drawn with overlapping objects. Random horizontal flip (p = 0.5).
* **Box diffusion.** GT boxes → normalised cxcywh, padded to ``--proposals`` with Gaussian boxes
  (randn/6 + 0.5, w/h ≥ 1e-4; a random subset when there are more GTs), scaled to [−2, 2]
  (signal scale 2.0), one t ~ U{0..999} per image, corrupted with the cosine ᾱ (T = 1000), clamped
  to [−2, 2] and turned into absolute xyxy boxes for the head.
* **Loss.** ``diffusiondet_criterion.set_loss``: dynamic-k (SimOTA) matching per stage, focal
  (α .25, γ 2) + L1 (normalised xyxy) + GIoU, weights 2 / 5 / 2, all stages supervised.
* **Optimiser.** AdamW (``--lr``, weight decay 1e-4), full-model gradient clipping at L2 norm 1.0,
  linear warm-up from 0.01×, then ×0.1 at each fraction of the time budget in ``--decay-at``.
  The backbone is trained from scratch with ordinary BatchNorm; its running statistics become the
  FrozenBatchNorm buffers of the exported model.
* **Budget.** Wall-clock minutes (``--minutes``); a checkpoint every ``--checkpoint-minutes``
  (``checkpoint.pt`` in ``--work``), and a quick held-out AP check (validation seeds) each time.
* **Save.** ``--out``: ``config.json`` (the DiffusionDet model-folder contract), ``model.safetensors``
  with the official detectron2 key names (F16 with ``--dtype f16``), ``training.json`` (command,
  arguments, steps, losses, timings).
"""

import argparse
import json
import math
import os
import sys
import time

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(ROOT, "Tools", "eval"))
sys.path.insert(0, os.path.join(ROOT, "Tools", "reference"))

import paths  # noqa: E402,F401  (shapesworld on the import path)
from classes import SHAPES  # noqa: E402
from records import build  # noqa: E402
from splits import SPLITS  # noqa: E402

import diffusiondet_criterion as criterion  # noqa: E402
import diffusiondet_model as model_io  # noqa: E402


# ----------------------------------------------------------------------------------------- data

def scene(seed, size, occlusion_fraction):
    """(image uint8 HxWx3, labels (G,) 0-based, boxes (G,4) abs xyxy) of one train seed."""
    occluded = np.random.default_rng([seed, 71]).random() < occlusion_fraction
    record, images = build("detect", seed, size, occlusion=occluded)
    image = images[record["image"]]
    labels = np.array([o["class_id"] - 1 for o in record["objects"]], dtype=np.int64)
    boxes = np.array([o["box"] for o in record["objects"]], dtype=np.float32).reshape(-1, 4)
    return image, labels, boxes


def make_batch(seeds, size, occlusion_fraction, rng):
    """Images (B,3,H,W) float 0–255 RGB and targets (labels, abs xyxy boxes, image whwh)."""
    images, targets = [], []
    for seed in seeds:
        image, labels, boxes = scene(seed, size, occlusion_fraction)
        if rng.random() < 0.5:
            image = image[:, ::-1]
            boxes = np.stack([size - boxes[:, 2], boxes[:, 1], size - boxes[:, 0], boxes[:, 3]], 1)
        images.append(torch.from_numpy(np.ascontiguousarray(image)).permute(2, 0, 1).float())
        targets.append({"labels": torch.from_numpy(labels),
                        "boxes_xyxy": torch.from_numpy(np.ascontiguousarray(boxes, dtype=np.float32)),
                        "image_whwh": torch.tensor([size, size, size, size], dtype=torch.float32)})
    return torch.stack(images), targets


# ------------------------------------------------------------------------------ box diffusion

def cosine_alphas_cumprod(timesteps=1000, s=0.008):
    """ᾱ_t of the cosine schedule (Nichol & Dhariwal 2021), β clipped to [0, 0.999], float64."""
    x = torch.linspace(0, timesteps, timesteps + 1, dtype=torch.float64)
    f = torch.cos(((x / timesteps) + s) / (1 + s) * math.pi * 0.5) ** 2
    f = f / f[0]
    betas = (1 - f[1:] / f[:-1]).clamp(0, 0.999)
    return torch.cumprod(1 - betas, 0)


def padded_boxes(gt_cxcywh, proposals, generator):
    """x0 of one image in [0,1] cxcywh: GT boxes plus Gaussian boxes (randn/6 + 0.5) up to N."""
    count = gt_cxcywh.shape[0]
    if count == 0:
        gt_cxcywh = torch.tensor([[0.5, 0.5, 1.0, 1.0]])
        count = 1
    if count < proposals:
        pad = torch.randn(proposals - count, 4, generator=generator) / 6.0 + 0.5
        pad[:, 2:] = pad[:, 2:].clamp(min=1e-4)
        return torch.cat([gt_cxcywh, pad])
    keep = torch.randperm(count, generator=generator)[:proposals]
    return gt_cxcywh[keep]


def diffuse(targets, proposals, alphas_cumprod, scale, generator):
    """Noised head input boxes (B,N,4) abs xyxy and timesteps (B,) for a batch (paper Alg. 1)."""
    boxes, times = [], []
    for target in targets:
        whwh = target["image_whwh"]
        gt = criterion.xyxy_to_cxcywh(target["boxes_xyxy"] / whwh)
        x0 = (padded_boxes(gt, proposals, generator) * 2.0 - 1.0) * scale
        t = int(torch.randint(0, len(alphas_cumprod), (1,), generator=generator))
        noise = torch.randn(proposals, 4, generator=generator)
        a = alphas_cumprod[t]
        x_t = (a.sqrt() * x0.double() + (1 - a).sqrt() * noise.double()).float()
        x_t = x_t.clamp(-scale, scale)
        unit = ((x_t / scale) + 1.0) / 2.0
        boxes.append(criterion.cxcywh_to_xyxy(unit) * whwh)
        times.append(t)
    return torch.stack(boxes), torch.tensor(times, dtype=torch.long)


# ------------------------------------------------------------------------------------ training

def learning_rate(args, step, elapsed_fraction):
    factor = 1.0
    if step < args.warmup:
        factor = 0.01 + (1 - 0.01) * step / args.warmup
    for point in args.decay_at:
        if elapsed_fraction >= point:
            factor *= 0.1
    return args.lr * factor


def parameter_groups(model, weight_decay):
    """AdamW groups: no weight decay on norms and biases (detectron2's WEIGHT_DECAY_NORM 0)."""
    decay, no_decay = [], []
    for name, parameter in model.named_parameters():
        if not parameter.requires_grad:
            continue
        (no_decay if parameter.ndim <= 1 else decay).append(parameter)
    return [{"params": decay, "weight_decay": weight_decay},
            {"params": no_decay, "weight_decay": 0.0}]


def quick_ap(model, config, seeds, size, steps, proposals, seed):
    """AP / AP50 on a few held-out scenes with the reference sampler (for the log)."""
    from coco_ap import average_precision
    model.eval()
    truth, detections = {}, {}
    with torch.no_grad():
        for s in seeds:
            record, images = build("detect", s, size)
            truth[s] = [{"box": o["box"], "class_id": o["class_id"]} for o in record["objects"]]
            detections[s] = model_io.detect(model, config, images[record["image"]], steps=steps,
                                            proposals=proposals, score_threshold=0.0, seed=seed)
    model.train()
    result = average_precision(truth, detections)
    return round(result["AP"], 4), round(result["AP50"], 4)


def save_checkpoint(path, model, optimizer, state):
    tmp = path + ".tmp"
    torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(), "state": state}, tmp)
    os.replace(tmp, path)


def train(args, log):
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    config = model_io.make_config(args)
    model = model_io.build_trainable(config)
    log(f"params {sum(p.numel() for p in model.parameters()):,}")
    optimizer = torch.optim.AdamW(parameter_groups(model, args.weight_decay), lr=args.lr)
    alphas_cumprod = cosine_alphas_cumprod(config["diffusion"]["timesteps"])
    scale = config["diffusion"]["snr_scale"]
    generator = torch.Generator().manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    state = {"step": 0, "next_seed": args.seed_start, "losses": [], "checks": [], "seconds": 0.0}
    checkpoint = os.path.join(args.work, "checkpoint.pt")
    if args.resume and os.path.exists(checkpoint):
        saved = torch.load(checkpoint, weights_only=False)
        model.load_state_dict(saved["model"])
        optimizer.load_state_dict(saved["optimizer"])
        state = saved["state"]
        log(f"resumed at step {state['step']}")
    budget = args.minutes * 60.0
    started = time.time() - state["seconds"]
    last_checkpoint = time.time()
    window = []
    model.train()
    while True:
        elapsed = time.time() - started
        if elapsed >= budget or (args.max_steps and state["step"] >= args.max_steps):
            break
        step_started = time.time()
        lr = learning_rate(args, state["step"], elapsed / budget)
        for group in optimizer.param_groups:
            group["lr"] = lr
        seeds = range(state["next_seed"], state["next_seed"] + args.batch)
        state["next_seed"] += args.batch
        images, targets = make_batch(seeds, args.size, args.occlusion_fraction, rng)
        boxes, times = diffuse(targets, args.proposals, alphas_cumprod, scale, generator)
        stage_logits, stage_boxes = model_io.train_forward(model, config, images, boxes, times)
        loss, terms, per_stage = criterion.set_loss(stage_logits, stage_boxes, targets)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        grad_norm = float(torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0))
        optimizer.step()
        state["step"] += 1
        stages = len(per_stage)
        window.append([float(loss.detach()), terms["class"] / stages, terms["l1"] / stages,
                       terms["giou"] / stages, per_stage[-1], grad_norm, time.time() - step_started])
        if state["step"] % args.log_every == 0:
            mean = np.mean(window, 0)
            window = []
            entry = {"step": state["step"], "minutes": round((time.time() - started) / 60, 2),
                     "lr": lr, "loss": round(mean[0], 4), "class": round(mean[1], 4),
                     "l1": round(mean[2], 4), "giou": round(mean[3], 4),
                     "last_stage": round(mean[4], 4), "grad_norm": round(mean[5], 3),
                     "seconds_per_step": round(mean[6], 3), "matched": terms["matched"]}
            state["losses"].append(entry)
            log(json.dumps(entry))
        if time.time() - last_checkpoint >= args.checkpoint_minutes * 60:
            state["seconds"] = time.time() - started
            save_checkpoint(checkpoint, model, optimizer, state)
            if args.check_images:
                check_started = time.time()
                seeds = range(SPLITS["validation"].start, SPLITS["validation"].start + args.check_images)
                ap, ap50 = quick_ap(model, config, seeds, args.size, 1, args.proposals, 0)
                check = {"step": state["step"], "AP": ap, "AP50": ap50,
                         "seconds": round(time.time() - check_started, 1)}
                state["checks"].append(check)
                log("check " + json.dumps(check))
                started += time.time() - check_started  # checks do not eat the training budget
            last_checkpoint = time.time()
    state["seconds"] = time.time() - started
    save_checkpoint(checkpoint, model, optimizer, state)
    return model, config, state


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", required=True, help="model folder to write")
    parser.add_argument("--work", default=None, help="checkpoint/log folder (default: --out)")
    parser.add_argument("--minutes", type=float, default=75.0)
    parser.add_argument("--max-steps", type=int, default=0)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--lr", type=float, default=2e-4)
    parser.add_argument("--weight-decay", type=float, default=1e-4)
    parser.add_argument("--warmup", type=int, default=100)
    parser.add_argument("--decay-at", type=lambda s: [float(x) for x in s.split(",") if x],
                        default=[0.8, 0.93], help="fractions of the budget where lr ×0.1")
    parser.add_argument("--size", type=int, default=128)
    parser.add_argument("--occlusion-fraction", type=float, default=0.15)
    parser.add_argument("--seed-start", type=int, default=0, help="first train-split seed")
    parser.add_argument("--proposals", type=int, default=100, help="N_train")
    parser.add_argument("--depth", type=int, default=18)
    parser.add_argument("--stem-channels", type=int, default=32)
    parser.add_argument("--res2-channels", type=int, default=32)
    parser.add_argument("--hidden", type=int, default=64, help="head hidden dim = FPN channels")
    parser.add_argument("--heads", type=int, default=8)
    parser.add_argument("--feedforward", type=int, default=256)
    parser.add_argument("--stages", type=int, default=4)
    parser.add_argument("--dim-dynamic", type=int, default=16)
    parser.add_argument("--dtype", choices=["f16", "f32"], default="f32")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--log-every", type=int, default=10)
    parser.add_argument("--checkpoint-minutes", type=float, default=10.0)
    parser.add_argument("--check-images", type=int, default=50)
    parser.add_argument("--resume", action="store_true")
    args = parser.parse_args(argv)
    args.work = args.work or args.out
    os.makedirs(args.work, exist_ok=True)
    os.makedirs(args.out, exist_ok=True)
    if args.seed_start not in SPLITS["train"]:
        parser.error("--seed-start must be a train-split seed")
    log_path = os.path.join(args.work, "train.log")

    def log(message):
        line = f"{time.strftime('%H:%M:%S')} {message}"
        print(line, flush=True)
        with open(log_path, "a", encoding="utf-8") as handle:
            handle.write(line + "\n")

    command = "python3 " + " ".join([os.path.relpath(os.path.abspath(sys.argv[0]), ROOT)] + sys.argv[1:])
    log(command)
    wall = time.time()
    model, config, state = train(args, log)
    model_io.save_folder(model, config, args.out, args.dtype)
    summary = {"command": command, "args": vars(args), "steps": state["step"],
               "images_seen": state["step"] * args.batch,
               "train_seeds": [args.seed_start, state["next_seed"] - 1],
               "training_seconds": round(state["seconds"], 1),
               "wall_seconds": round(time.time() - wall, 1), "losses": state["losses"],
               "checks": state["checks"], "torch": torch.__version__}
    with open(os.path.join(args.out, "training.json"), "w", encoding="utf-8") as handle:
        json.dump(summary, handle, indent=2)
    log(f"saved {args.out} after {state['step']} steps")
    return 0


if __name__ == "__main__":
    sys.exit(main())
