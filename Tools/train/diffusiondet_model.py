"""The training side of the reference DiffusionDet (Tools/reference/diffusiondet_ref.py).

* ``make_config``: the model-folder config.json for the training arguments.
* ``build_trainable``: the reference model with its FrozenBatchNorm2d layers replaced by ordinary
  ``nn.BatchNorm2d`` (same parameter/buffer names, eps 1e-5), so a from-scratch backbone can learn;
  the running statistics become the FrozenBatchNorm buffers of the exported model.
* ``save_folder`` / ``load_folder``: ``config.json`` + ``model.safetensors`` with the official
  detectron2 key names (``num_batches_tracked`` dropped; F16 or F32).
* ``detect``: one image → detections for ``Tools/eval/coco_ap.py``, with the reference
  ``ddim_sample`` (``mode="ddim"``) or the issue-#16 control ``mode="fresh"``: every step's head
  input is a fresh set of random boxes (no DDIM update, no renewal), the per-step outputs are
  ensembled and NMS'd exactly as in ``ddim_sample``.
"""

import json
import os
import sys

import numpy as np
import torch
import torch.nn as nn
from safetensors.torch import load_file, save_file

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "reference"))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "eval"))

import diffusiondet_ref as ref  # noqa: E402
import paths  # noqa: E402,F401  (Tools/shapesworld on the import path)
from classes import SHAPES  # noqa: E402


def make_config(args):
    """config.json dict for the training arguments (defaults are refined after evaluation)."""
    return ref.make_config(
        SHAPES, depth=args.depth, stem_out_channels=args.stem_channels,
        res2_out_channels=args.res2_channels, fpn_out_channels=args.hidden, hidden_dim=args.hidden,
        num_heads=args.heads, dim_feedforward=args.feedforward, num_stages=args.stages,
        dim_dynamic=args.dim_dynamic, steps=4, proposals=args.proposals, score_threshold=0.5,
        min_size_test=args.size)


def build_trainable(config):
    """Reference model in train mode with trainable BatchNorm2d and MSRA-initialised convolutions."""
    model = ref.build_model(config)
    for module in list(model.backbone.modules()):
        if isinstance(module, ref.ConvNorm):
            module.norm = nn.BatchNorm2d(module.out_channels, eps=1e-5)
            nn.init.kaiming_normal_(module.weight, mode="fan_out", nonlinearity="relu")
    for name, module in model.backbone.named_children():
        if name.startswith("fpn_"):
            nn.init.kaiming_uniform_(module.weight, a=1)  # detectron2 c2_xavier_fill
            nn.init.zeros_(module.bias)
    return model.train()


def normalise(images, config):
    """(B,3,H,W) 0–255 RGB → normalised and zero-padded to the size divisibility."""
    mean = torch.tensor(config["input"]["pixel_mean"]).view(1, 3, 1, 1)
    std = torch.tensor(config["input"]["pixel_std"]).view(1, 3, 1, 1)
    x = (images - mean) / std
    div = config["input"]["size_divisibility"]
    h, w = x.shape[2:]
    return torch.nn.functional.pad(x, (0, -(-w // div) * div - w, 0, -(-h // div) * div - h))


def train_forward(model, config, images, boxes, times):
    """Per-stage (logits (S,B,N,K), boxes (S,B,N,4) abs xyxy) for noised input boxes."""
    features = model.backbone(normalise(images, config))
    with fast_roi_align():
        return model.head(features, boxes, times)


def export_state_dict(model):
    return {k: v.detach().float().contiguous() for k, v in model.state_dict().items()
            if not k.endswith("num_batches_tracked")}


def save_folder(model, config, folder, dtype="f16", defaults=None):
    os.makedirs(folder, exist_ok=True)
    config = json.loads(json.dumps(config))
    if defaults:
        config["defaults"].update(defaults)
    ref.validate_config(config)
    tensors = export_state_dict(model)
    if dtype == "f16":
        tensors = {k: v.half() for k, v in tensors.items()}
    save_file(tensors, os.path.join(folder, "model.safetensors"))
    with open(os.path.join(folder, "config.json"), "w", encoding="utf-8") as handle:
        json.dump(config, handle, indent=2)
        handle.write("\n")


def load_folder(folder):
    """(reference model in eval mode with FrozenBatchNorm, config) from a model folder; strict keys."""
    with open(os.path.join(folder, "config.json"), encoding="utf-8") as handle:
        config = ref.validate_config(json.load(handle))
    model = ref.build_model(config)
    tensors = {k: v.float() for k, v in load_file(os.path.join(folder, "model.safetensors")).items()}
    model.load_state_dict(tensors, strict=True)
    return model.eval(), config


@torch.no_grad()
def fresh_boxes_sample(model, features, images_whwh, steps, proposals, config, generator):
    """Issue #16 control: the ddim_sample loop with every step's boxes drawn fresh (no DDIM, no
    renewal); the same time pairs, per-step ensemble (final step included per config) and NMS."""
    diff = config["diffusion"]
    scale = float(diff["snr_scale"])
    whwh = images_whwh.to(torch.float32).view(1, 4)
    pairs = ref.time_pairs(steps, diff["timesteps"])
    ensemble = []
    for t, t_next in pairs:
        x = torch.randn(proposals, 4, generator=generator, dtype=torch.float32)[None]
        logits, boxes = model.head(features, ref.scaled_to_xyxy(x, whwh, scale),
                                   torch.full((1,), t, dtype=torch.int64))
        if t_next >= 0 or diff["ensemble_includes_final_step"] or len(pairs) == 1:
            ensemble.append(ref.inference_topk(logits[-1][0], boxes[-1][0]))
    boxes = torch.cat([e[0] for e in ensemble])
    scores = torch.cat([e[1] for e in ensemble])
    labels = torch.cat([e[2] for e in ensemble])
    keep = ref.batched_nms(boxes, scores, labels, float(diff["nms_iou_threshold"]))
    return boxes[keep], scores[keep], labels[keep]


@torch.no_grad()
def detect(model, config, image, steps, proposals, score_threshold, seed, mode="ddim", fast=True):
    """Detections [{box, class_id (ShapesWorld id = index + 1), score}] for one uint8 RGB image.

    ``fast``: pool with ``separable_roi_align`` (equal to the reference RoIAlign to ~5e-7; several
    times faster on CPU); the sampler is the reference ``ddim_sample`` either way."""
    if fast:
        with fast_roi_align():
            return detect(model, config, image, steps, proposals, score_threshold, seed, mode, False)
    generator = torch.Generator().manual_seed(seed)
    if mode == "ddim":
        out = ref.detect(model, image, config, steps=steps, proposals=proposals,
                         score_threshold=score_threshold, generator=generator)
        boxes, scores, labels = out["boxes"], out["scores"], out["labels"]
    elif mode == "fresh":
        tensor, whwh, resized_hw = ref.preprocess(image, config)
        features = model.backbone(tensor)
        boxes, scores, labels = fresh_boxes_sample(model, features, whwh, steps, proposals, config,
                                                   generator)
        boxes, scores, labels = ref.postprocess(boxes, scores, labels, resized_hw,
                                                tuple(np.asarray(image).shape[:2]), score_threshold)
    else:
        raise ValueError(f"unknown sampling mode {mode!r}")
    return [{"box": [float(v) for v in b], "class_id": int(c) + 1, "score": float(s)}
            for b, s, c in zip(boxes.tolist(), scores.tolist(), labels.tolist())]


# ------------------------------------------------------------------------- fast RoIAlign (training)

def _sample_grid(start, length, pooled, grid, size):
    """(K, pooled·grid) sample coordinates along one axis (torchvision roi_align, aligned=True) and
    their validity (outside [−1, size] a sample contributes 0)."""
    bin_size = length / pooled
    p = torch.arange(pooled, dtype=start.dtype).repeat_interleave(grid)
    i = torch.arange(grid, dtype=start.dtype).repeat(pooled)
    coord = start[:, None] + p[None, :] * bin_size[:, None] + (i[None, :] + 0.5) * bin_size[:, None] / grid
    return coord, (coord >= -1.0) & (coord <= size)


def _axis_weights(start, length, pooled, grid, size):
    """(K, pooled, size) bilinear weights along one axis, averaged over the ``grid`` samples of
    each bin: torchvision's roi_align kernel (aligned=True) per sample — 0 outside [−1, size],
    coordinates clamped at 0, the last pixel repeated from size−1 on."""
    coord, valid = _sample_grid(start, length, pooled, grid, size)
    c = coord.clamp(min=0)
    low = c.floor().long()
    at_edge = low >= size - 1
    low = torch.where(at_edge, torch.full_like(low, size - 1), low)
    high = torch.where(at_edge, low, low + 1)
    c = torch.where(at_edge, low.to(c.dtype), c)
    frac = c - low.to(c.dtype)
    valid = valid.to(c.dtype)
    weights = torch.zeros(coord.shape[0], coord.shape[1], size, dtype=c.dtype)
    weights.scatter_add_(2, low[..., None], ((1 - frac) * valid)[..., None])
    weights.scatter_add_(2, high[..., None], (frac * valid)[..., None])
    return weights.view(coord.shape[0], pooled, grid, size).mean(2)


def separable_roi_align(features, boxes, resolution, sampling_ratio):
    """Same result as ``ref.multilevel_roi_align`` (detectron2 ROIPooler, ROIAlignV2) to float
    rounding, computed as two matrix products per box: bilinear sampling is separable, so a
    pooled RoI is Wy · F · Wxᵀ with Wy (R, H), Wx (R, W) the bin-averaged interpolation weights.
    Far faster than the gather formulation for training, where it runs forward and backward
    for B·N boxes per stage. boxes (B, N, 4) abs xyxy → (B·N, C, R, R), image-major."""
    bsz, n = boxes.shape[:2]
    flat = boxes.reshape(bsz * n, 4).to(features[0].dtype)
    levels = ref.assign_fpn_levels(boxes.reshape(bsz * n, 4))
    image_of = torch.arange(bsz).repeat_interleave(n)
    channels = features[0].shape[1]
    r = resolution
    out = features[0].new_zeros(bsz * n, channels, r, r)
    for li, level in enumerate(ref.FPN_LEVELS):
        scale = 1.0 / 2 ** level
        feature = features[li]
        height, width = feature.shape[2:]
        for b in range(bsz):
            inds = torch.nonzero((levels == li) & (image_of == b)).flatten()
            if inds.numel() == 0:
                continue
            box = flat[inds] * scale - 0.5
            wy = _axis_weights(box[:, 1], box[:, 3] - box[:, 1], r, sampling_ratio, height)
            wx = _axis_weights(box[:, 0], box[:, 2] - box[:, 0], r, sampling_ratio, width)
            k = inds.numel()
            # along x: one GEMM (K·R, W) @ (W, C·H) -> (K, R_x, C, H); along y: per box
            # (R_x·C, H) @ (H, R_y) -> (K, R_x, C, R_y) -> (K, C, R_y, R_x)
            cols = wx.reshape(k * r, width) @ feature[b].reshape(channels * height, width).t()
            pooled = torch.bmm(cols.view(k, r * channels, height), wy.transpose(1, 2))
            pooled = pooled.view(k, r, channels, r).permute(0, 2, 3, 1)
            out = out.index_put((inds,), pooled)
    return out


class fast_roi_align:
    """Context manager: the reference head pools with ``separable_roi_align`` inside it."""

    def __enter__(self):
        self.saved = ref.multilevel_roi_align
        ref.multilevel_roi_align = separable_roi_align
        return self

    def __exit__(self, *exc):
        ref.multilevel_roi_align = self.saved
        return False
