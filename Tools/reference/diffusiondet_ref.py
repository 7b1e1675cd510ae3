"""PyTorch reference for DiffusionDet (arXiv 2211.09788) inference, used for Swift parity fixtures,
checkpoint conversion and training on ShapesWorld.

It mirrors the official implementation (ShoufaChen/DiffusionDet @1efb36d, `diffusiondet/{detector,head}.py`,
on detectron2's ResNet / FPN / ROIPooler) closely enough that `state_dict()` keys are exactly the official
detectron2 keys (minus the float64 diffusion buffers, which the official model registers but which are
recomputed here by `cosine_alphas_cumprod`). The contract it follows is Sources/Detection/Detection.docc/Detection.md
(model-folder format, config.json, preprocessing, sampling); the algorithm facts are in
shared/reference/detection_segmentation.md Part A and its Addendum.

Precision, as in the official code:
  * the cosine schedule ᾱ and the derived DDIM coefficients are float64;
  * ε̂ = (sqrt(1/ᾱ_t)·x − x̂0)/sqrt(1/ᾱ_t − 1) is therefore float64, and the sampling state x becomes
    float64 after the first DDIM update (the official `extract` returns a (B,1,1) float64 tensor, which
    promotes); head input boxes are then float64: the FPN-level assignment uses their float64 area, RoIAlign
    casts them to float32, and `apply_deltas` casts them to float32;
  * the head and backbone run in float32.
Our documented choices (differences from the official sampler):
  * every random draw is a float32 standard normal (`torch.randn(..., generator=g)`); the official
    `randn_like` draws float64 normals once x is float64. Only the values drawn differ, not their law;
    Swift can reproduce a float32 torch.randn stream.
  * `include_final_step` (config `diffusion.ensemble_includes_final_step`) adds the last step's
    detections to the ensemble; the official code never does (issue #56). False reproduces the official code.
  * class-wise NMS is computed per class (torchvision `batched_nms` semantics; torchvision's coordinate-offset
    trick can round IoUs differently in the last bit); ties in score are broken by index (stable sort).
  * resizing is float bilinear (half-pixel centres, no antialias) on the 0–255 float image, where detectron2
    resizes uint8 images with PIL (rounded to uint8, antialiased when shrinking).
torchvision is not installable in this environment, so `roi_align` (aligned=True, i.e. ROIAlignV2) and
`batched_nms` are implemented here in torch following torchvision's CPU-kernel semantics (the same semantics as
`tv_roi_align`/`tv_batched_nms` in make_op_fixtures.py, vectorised and differentiable w.r.t. the features).
"""

import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

# ---------------------------------------------------------------------------------------------- config

CONFIG_KEYS = {
    "architecture": None,
    "class_names": None,
    "backbone": {"depth", "stem_out_channels", "res2_out_channels", "num_groups", "width_per_group", "stride_in_1x1"},
    "fpn": {"out_channels"},
    "head": {"hidden_dim", "num_heads", "dim_feedforward", "num_stages", "num_cls", "num_reg", "num_dynamic",
             "dim_dynamic", "pooler_resolution", "sampling_ratio"},
    "diffusion": {"timesteps", "snr_scale", "ddim_eta", "renewal_threshold", "nms_iou_threshold",
                  "ensemble_includes_final_step"},
    "defaults": {"steps", "proposals", "score_threshold"},
    "input": {"pixel_mean", "pixel_std", "min_size_test", "max_size_test", "size_divisibility"},
}

BLOCKS_PER_STAGE = {18: [2, 2, 2, 2], 34: [3, 4, 6, 3], 50: [3, 4, 6, 3], 101: [3, 4, 23, 3], 152: [3, 8, 36, 3]}
BBOX_WEIGHTS = (2.0, 2.0, 1.0, 1.0)
SCALE_CLAMP = math.log(100000.0 / 16)
CANONICAL_BOX_SIZE = 224.0
CANONICAL_LEVEL = 4
FPN_LEVELS = (2, 3, 4, 5)


def make_config(class_names, depth=50, stem_out_channels=64, res2_out_channels=256, num_groups=1, width_per_group=64,
                fpn_out_channels=256, hidden_dim=256, num_heads=8, dim_feedforward=2048, num_stages=6, num_cls=1,
                num_reg=3, num_dynamic=2, dim_dynamic=64, pooler_resolution=7, sampling_ratio=2, timesteps=1000,
                snr_scale=2.0, ddim_eta=1.0, renewal_threshold=0.5, nms_iou_threshold=0.5,
                ensemble_includes_final_step=True, steps=4, proposals=500, score_threshold=0.5,
                pixel_mean=(123.675, 116.28, 103.53), pixel_std=(58.395, 57.12, 57.375), min_size_test=800,
                max_size_test=1333, size_divisibility=32):
    """A config.json dict (spec format). Defaults = the official R50 COCO model (pass 80 class names)."""
    return {
        "architecture": "DiffusionDet",
        "class_names": list(class_names),
        "backbone": {"depth": depth, "stem_out_channels": stem_out_channels, "res2_out_channels": res2_out_channels,
                     "num_groups": num_groups, "width_per_group": width_per_group, "stride_in_1x1": False},
        "fpn": {"out_channels": fpn_out_channels},
        "head": {"hidden_dim": hidden_dim, "num_heads": num_heads, "dim_feedforward": dim_feedforward,
                 "num_stages": num_stages, "num_cls": num_cls, "num_reg": num_reg, "num_dynamic": num_dynamic,
                 "dim_dynamic": dim_dynamic, "pooler_resolution": pooler_resolution, "sampling_ratio": sampling_ratio},
        "diffusion": {"timesteps": timesteps, "snr_scale": snr_scale, "ddim_eta": ddim_eta,
                      "renewal_threshold": renewal_threshold, "nms_iou_threshold": nms_iou_threshold,
                      "ensemble_includes_final_step": ensemble_includes_final_step},
        "defaults": {"steps": steps, "proposals": proposals, "score_threshold": score_threshold},
        "input": {"pixel_mean": list(pixel_mean), "pixel_std": list(pixel_std), "min_size_test": min_size_test,
                  "max_size_test": max_size_test, "size_divisibility": size_divisibility},
    }


def validate_config(config):
    """Rejects unknown or missing keys by name and inconsistent sizes; returns the config."""
    unknown = sorted(set(config) - set(CONFIG_KEYS))
    missing = sorted(set(CONFIG_KEYS) - set(config))
    for section, keys in CONFIG_KEYS.items():
        if keys is None or section not in config:
            continue
        unknown += [f"{section}.{k}" for k in sorted(set(config[section]) - keys)]
        missing += [f"{section}.{k}" for k in sorted(keys - set(config[section]))]
    if unknown or missing:
        raise ValueError(f"config.json: unknown keys {unknown}, missing keys {missing}")
    if config["architecture"] != "DiffusionDet":
        raise ValueError(f"config.json: architecture {config['architecture']!r} is not DiffusionDet")
    if config["backbone"]["depth"] not in BLOCKS_PER_STAGE:
        raise ValueError(f"config.json: backbone.depth {config['backbone']['depth']} not in {sorted(BLOCKS_PER_STAGE)}")
    if config["fpn"]["out_channels"] != config["head"]["hidden_dim"]:
        raise ValueError("config.json: fpn.out_channels must equal head.hidden_dim")
    if config["head"]["num_dynamic"] != 2:
        raise ValueError("config.json: head.num_dynamic must be 2 (DynamicConv uses two parameter sets)")
    if config["head"]["sampling_ratio"] <= 0:
        raise ValueError("config.json: head.sampling_ratio must be positive (adaptive RoIAlign grids unsupported)")
    if config["backbone"]["stride_in_1x1"]:
        raise ValueError("config.json: backbone.stride_in_1x1 must be false (torchvision-style ResNet)")
    return config


# ---------------------------------------------------------------------------------------------- boxes

def box_cxcywh_to_xyxy(b):
    cx, cy, w, h = b.unbind(-1)
    return torch.stack([cx - 0.5 * w, cy - 0.5 * h, cx + 0.5 * w, cy + 0.5 * h], dim=-1)


def box_xyxy_to_cxcywh(b):
    x0, y0, x1, y1 = b.unbind(-1)
    return torch.stack([(x0 + x1) / 2, (y0 + y1) / 2, x1 - x0, y1 - y0], dim=-1)


def scaled_to_xyxy(x, images_whwh, scale):
    """Diffusion state x (…, N, 4) in scaled cxcywh space → absolute xyxy boxes for the head
    (official `model_predictions`: clamp to [−scale, scale], ((x/scale)+1)/2, cxcywh→xyxy, × whwh).
    images_whwh is (4,) or (B, 4) with x (B, N, 4)."""
    b = torch.clamp(x, min=-scale, max=scale)
    b = ((b / scale) + 1) / 2
    b = box_cxcywh_to_xyxy(b)
    whwh = images_whwh if images_whwh.dim() == 1 else images_whwh[:, None, :]
    return b * whwh


def xyxy_to_scaled(boxes, images_whwh, scale):
    """Absolute xyxy boxes → scaled cxcywh space, clamped (official x̂0 from the final-stage boxes)."""
    whwh = images_whwh if images_whwh.dim() == 1 else images_whwh[:, None, :]
    b = box_xyxy_to_cxcywh(boxes / whwh)
    b = (b * 2 - 1.0) * scale
    return torch.clamp(b, min=-scale, max=scale)


def cxcywh01_to_scaled(b, scale):
    """Normalised cxcywh in [0,1] → signal space (b·2 − 1)·scale (training x0, no clamp)."""
    return (b * 2.0 - 1.0) * scale


def box_area(b):
    return (b[..., 2] - b[..., 0]) * (b[..., 3] - b[..., 1])


def box_iou(a, b):
    """Pairwise IoU of xyxy boxes (torchvision.ops.box_iou)."""
    area_a, area_b = box_area(a), box_area(b)
    lt = torch.max(a[:, None, :2], b[None, :, :2])
    rb = torch.min(a[:, None, 2:], b[None, :, 2:])
    wh = (rb - lt).clamp(min=0)
    inter = wh[..., 0] * wh[..., 1]
    return inter / (area_a[:, None] + area_b[None, :] - inter)


def nms(boxes, scores, iou_threshold):
    """torchvision.ops.nms: greedy by descending score; suppress later boxes with IoU > threshold.
    Returns kept indices in descending score order (ties: lower index first)."""
    if boxes.shape[0] == 0:
        return torch.zeros(0, dtype=torch.int64)
    order = torch.argsort(scores, descending=True, stable=True)
    iou = box_iou(boxes[order], boxes[order]).numpy()
    n = order.shape[0]
    suppressed = np.zeros(n, dtype=bool)
    keep = []
    for i in range(n):
        if suppressed[i]:
            continue
        keep.append(i)
        suppressed[i + 1:] |= iou[i, i + 1:] > iou_threshold
    return order[torch.tensor(keep, dtype=torch.int64)]


def batched_nms(boxes, scores, labels, iou_threshold):
    """torchvision.ops.batched_nms: NMS independently per label; kept indices by descending score."""
    keep = [torch.nonzero(labels == c).flatten()[nms(boxes[labels == c], scores[labels == c], iou_threshold)]
            for c in labels.unique().tolist()]
    if not keep:
        return torch.zeros(0, dtype=torch.int64)
    keep = torch.cat(keep)
    return keep[torch.argsort(scores[keep], descending=True, stable=True)]


# ---------------------------------------------------------------------------------------------- RoIAlign

def _axis_samples(start, bin_size, pooled, grid, size):
    """Sample coordinates along one axis (K, pooled·grid) and their bilinear low/high indices and weights,
    torchvision roi_align CPU kernel (`bilinear_interpolate`): outside [−1, size] → weight 0."""
    p = torch.arange(pooled, dtype=start.dtype, device=start.device).repeat_interleave(grid)  # bin of each sample
    i = torch.arange(grid, dtype=start.dtype, device=start.device).repeat(pooled)  # sample index within its bin
    coord = (start[:, None] + p[None, :] * bin_size[:, None]) + ((i[None, :] + 0.5) * bin_size[:, None]) / grid
    valid = (coord >= -1.0) & (coord <= size)
    c = coord.clamp(min=0)
    low = c.floor().to(torch.int64)
    at_edge = low >= size - 1
    low = torch.where(at_edge, torch.full_like(low, size - 1), low)
    high = torch.where(at_edge, low, low + 1)
    c = torch.where(at_edge, low.to(c.dtype), c)
    frac = c - low.to(c.dtype)
    return low, high, (1.0 - frac) * valid, frac * valid


def roi_align(features, rois, output_size, spatial_scale, sampling_ratio, aligned=True):
    """torchvision.ops.roi_align on features (B, C, H, W) with rois (K, 5) = (batch index, x1, y1, x2, y2)
    in input-image coordinates; returns (K, C, R, R). sampling_ratio must be > 0. Float32 arithmetic in the
    kernel's order for the sample coordinates; the weighted sum is accumulated in a different order from
    torchvision's loop (≈1e-7 relative)."""
    if sampling_ratio <= 0:
        raise ValueError("roi_align: sampling_ratio must be > 0")
    rois = rois.to(features.dtype)
    pooled = output_size
    k = rois.shape[0]
    _, channels, height, width = features.shape
    if k == 0:
        return features.new_zeros(0, channels, pooled, pooled)
    offset = 0.5 if aligned else 0.0
    sx = rois[:, 1] * spatial_scale - offset
    sy = rois[:, 2] * spatial_scale - offset
    roi_w = rois[:, 3] * spatial_scale - offset - sx
    roi_h = rois[:, 4] * spatial_scale - offset - sy
    if not aligned:
        roi_w, roi_h = roi_w.clamp(min=1.0), roi_h.clamp(min=1.0)
    ylo, yhi, wyl, wyh = _axis_samples(sy, roi_h / pooled, pooled, sampling_ratio, height)
    xlo, xhi, wxl, wxh = _axis_samples(sx, roi_w / pooled, pooled, sampling_ratio, width)
    plane = features.permute(0, 2, 3, 1)                                          # (B, H, W, C)
    b = rois[:, 0].to(torch.int64)[:, None, None]

    def tap(y, x):
        return plane[b, y[:, :, None], x[:, None, :]]                             # (K, Sy, Sx, C)

    out = (tap(ylo, xlo) * (wyl[:, :, None] * wxl[:, None, :])[..., None]
           + tap(ylo, xhi) * (wyl[:, :, None] * wxh[:, None, :])[..., None]
           + tap(yhi, xlo) * (wyh[:, :, None] * wxl[:, None, :])[..., None]
           + tap(yhi, xhi) * (wyh[:, :, None] * wxh[:, None, :])[..., None])
    g = sampling_ratio
    out = out.view(k, pooled, g, pooled, g, channels).sum(dim=(2, 4)) / (g * g)
    return out.permute(0, 3, 1, 2).contiguous()


def assign_fpn_levels(boxes):
    """detectron2 `assign_boxes_to_levels`: floor(4 + log2(sqrt(area)/224 + 1e-8)) clamped to [2, 5], returned
    as an index 0..3 into (p2, p3, p4, p5). Area in the boxes' own dtype."""
    sizes = torch.sqrt(box_area(boxes))
    level = torch.floor(CANONICAL_LEVEL + torch.log2(sizes / CANONICAL_BOX_SIZE + 1e-8))
    return torch.clamp(level, min=FPN_LEVELS[0], max=FPN_LEVELS[-1]).to(torch.int64) - FPN_LEVELS[0]


def multilevel_roi_align(features, boxes, resolution, sampling_ratio):
    """detectron2 ROIPooler (ROIAlignV2) over [p2..p5] (strides 4..32). boxes (B, N, 4) absolute xyxy of the
    resized image → (B·N, C, R, R), image-major."""
    bsz, n = boxes.shape[:2]
    flat = boxes.reshape(bsz * n, 4)
    index = torch.arange(bsz, dtype=flat.dtype, device=flat.device).repeat_interleave(n)[:, None]
    rois = torch.cat([index, flat], dim=1)
    levels = assign_fpn_levels(flat)
    out = features[0].new_zeros(bsz * n, features[0].shape[1], resolution, resolution)
    for li, level in enumerate(FPN_LEVELS):
        inds = torch.nonzero(levels == li).flatten()
        if inds.numel() == 0:
            continue
        out = out.index_put((inds,), roi_align(features[li], rois[inds], resolution, 1.0 / 2 ** level,
                                               sampling_ratio, aligned=True))
    return out


# ---------------------------------------------------------------------------------------------- backbone

class FrozenBatchNorm2d(nn.Module):
    """detectron2 FrozenBatchNorm2d: fixed affine y = (x − mean)/sqrt(var + eps)·weight + bias, eps 1e-5."""

    def __init__(self, channels, eps=1e-5):
        super().__init__()
        self.eps = eps
        self.register_buffer("weight", torch.ones(channels))
        self.register_buffer("bias", torch.zeros(channels))
        self.register_buffer("running_mean", torch.zeros(channels))
        self.register_buffer("running_var", torch.ones(channels) - eps)

    def forward(self, x):
        scale = self.weight * (self.running_var + self.eps).rsqrt()
        shift = self.bias - self.running_mean * scale
        return x * scale.view(1, -1, 1, 1) + shift.view(1, -1, 1, 1)


class ConvNorm(nn.Conv2d):
    """detectron2 `Conv2d` with a `norm` submodule (keys `<name>.weight`, `<name>.norm.*`); no bias."""

    def __init__(self, cin, cout, kernel, stride=1, padding=0, groups=1):
        super().__init__(cin, cout, kernel, stride=stride, padding=padding, groups=groups, bias=False)
        self.norm = FrozenBatchNorm2d(cout)

    def forward(self, x):
        return self.norm(super().forward(x))


class BasicStem(nn.Module):
    """conv1 7×7/2 pad 3 + FrozenBN + ReLU, then max-pool 3×3/2 pad 1."""

    def __init__(self, cout):
        super().__init__()
        self.conv1 = ConvNorm(3, cout, 7, stride=2, padding=3)

    def forward(self, x):
        return F.max_pool2d(F.relu(self.conv1(x)), kernel_size=3, stride=2, padding=1)


class BasicBlock(nn.Module):
    """ResNet-18/34 block: 3×3 (stride) → 3×3, shortcut 1×1 where channels or stride change."""

    def __init__(self, cin, cout, stride):
        super().__init__()
        self.shortcut = ConvNorm(cin, cout, 1, stride=stride) if (cin != cout or stride != 1) else None
        self.conv1 = ConvNorm(cin, cout, 3, stride=stride, padding=1)
        self.conv2 = ConvNorm(cout, cout, 3, padding=1)

    def forward(self, x):
        y = self.conv2(F.relu(self.conv1(x)))
        return F.relu(y + (self.shortcut(x) if self.shortcut is not None else x))


class BottleneckBlock(nn.Module):
    """ResNet-50/101 block: 1×1 → 3×3 (stride; STRIDE_IN_1X1 false) → 1×1, shortcut as above."""

    def __init__(self, cin, cout, bottleneck, stride, groups):
        super().__init__()
        self.shortcut = ConvNorm(cin, cout, 1, stride=stride) if (cin != cout or stride != 1) else None
        self.conv1 = ConvNorm(cin, bottleneck, 1)
        self.conv2 = ConvNorm(bottleneck, bottleneck, 3, stride=stride, padding=1, groups=groups)
        self.conv3 = ConvNorm(bottleneck, cout, 1)

    def forward(self, x):
        y = self.conv3(F.relu(self.conv2(F.relu(self.conv1(x)))))
        return F.relu(y + (self.shortcut(x) if self.shortcut is not None else x))


class ResNet(nn.Module):
    """detectron2 `build_resnet_backbone` (res2..res5 outputs), module names stem / res2..res5."""

    def __init__(self, cfg):
        super().__init__()
        depth = cfg["depth"]
        self.stem = BasicStem(cfg["stem_out_channels"])
        cin, cout = cfg["stem_out_channels"], cfg["res2_out_channels"]
        bottleneck = cfg["num_groups"] * cfg["width_per_group"]
        self.out_channels = []
        for index, count in enumerate(BLOCKS_PER_STAGE[depth]):
            blocks = []
            for i in range(count):
                stride = (1 if index == 0 else 2) if i == 0 else 1
                if depth >= 50:
                    blocks.append(BottleneckBlock(cin, cout, bottleneck, stride, cfg["num_groups"]))
                else:
                    blocks.append(BasicBlock(cin, cout, stride))
                cin = cout
            self.add_module(f"res{index + 2}", nn.Sequential(*blocks))
            self.out_channels.append(cout)
            cout *= 2
            bottleneck *= 2

    def forward(self, x):
        x = self.stem(x)
        outs = []
        for name in ("res2", "res3", "res4", "res5"):
            x = getattr(self, name)(x)
            outs.append(x)
        return outs


class FPN(nn.Module):
    """detectron2 FPN (fuse "sum", no norm) over res2..res5; returns [p2, p3, p4, p5] (p6 not computed)."""

    def __init__(self, cfg):
        super().__init__()
        self.bottom_up = ResNet(cfg["backbone"])
        out = cfg["fpn"]["out_channels"]
        for level, cin in zip(FPN_LEVELS, self.bottom_up.out_channels):
            self.add_module(f"fpn_lateral{level}", nn.Conv2d(cin, out, 1))
            self.add_module(f"fpn_output{level}", nn.Conv2d(out, out, 3, padding=1))

    def forward(self, x):
        c = self.bottom_up(x)
        prev = self.fpn_lateral5(c[3])
        outs = [self.fpn_output5(prev)]
        for level in (4, 3, 2):
            prev = getattr(self, f"fpn_lateral{level}")(c[level - 2]) + F.interpolate(prev, scale_factor=2.0,
                                                                                      mode="nearest")
            outs.insert(0, getattr(self, f"fpn_output{level}")(prev))
        return outs


# ---------------------------------------------------------------------------------------------- head

class SinusoidalPositionEmbeddings(nn.Module):
    """Official time embedding: half = d/2, f_k = exp(−k·ln(10000)/(half − 1)), [sin(t f), cos(t f)]."""

    def __init__(self, dim):
        super().__init__()
        self.dim = dim

    def forward(self, t):
        half = self.dim // 2
        freqs = torch.exp(torch.arange(half, device=t.device) * -(math.log(10000) / (half - 1)))
        args = t[:, None] * freqs[None, :]
        return torch.cat([args.sin(), args.cos()], dim=-1)


class DynamicConv(nn.Module):
    """Sparse R-CNN DynamicConv (`inst_interact`): per-proposal 1×1 kernels from the proposal feature."""

    def __init__(self, hidden, dim_dynamic, num_dynamic, resolution):
        super().__init__()
        self.hidden, self.dim_dynamic = hidden, dim_dynamic
        self.num_params = hidden * dim_dynamic
        self.dynamic_layer = nn.Linear(hidden, num_dynamic * self.num_params)
        self.norm1 = nn.LayerNorm(dim_dynamic)
        self.norm2 = nn.LayerNorm(hidden)
        self.out_layer = nn.Linear(hidden * resolution ** 2, hidden)
        self.norm3 = nn.LayerNorm(hidden)

    def forward(self, pro_features, roi_features):
        """pro_features (1, M, d); roi_features (R², M, d) → (M, d)."""
        features = roi_features.permute(1, 0, 2)
        params = self.dynamic_layer(pro_features).permute(1, 0, 2)
        param1 = params[:, :, :self.num_params].reshape(-1, self.hidden, self.dim_dynamic)
        param2 = params[:, :, self.num_params:].reshape(-1, self.dim_dynamic, self.hidden)
        features = F.relu(self.norm1(torch.bmm(features, param1)))
        features = F.relu(self.norm2(torch.bmm(features, param2)))
        return F.relu(self.norm3(self.out_layer(features.flatten(1))))


class RCNNHead(nn.Module):
    """One DiffusionDet head stage (official `RCNNHead`), dropout 0."""

    def __init__(self, cfg, num_classes):
        super().__init__()
        h = cfg["head"]
        d = h["hidden_dim"]
        self.d_model = d
        self.resolution, self.sampling_ratio = h["pooler_resolution"], h["sampling_ratio"]
        self.self_attn = nn.MultiheadAttention(d, h["num_heads"], dropout=0.0)
        self.inst_interact = DynamicConv(d, h["dim_dynamic"], h["num_dynamic"], h["pooler_resolution"])
        self.linear1 = nn.Linear(d, h["dim_feedforward"])
        self.linear2 = nn.Linear(h["dim_feedforward"], d)
        self.norm1, self.norm2, self.norm3 = nn.LayerNorm(d), nn.LayerNorm(d), nn.LayerNorm(d)
        self.block_time_mlp = nn.Sequential(nn.SiLU(), nn.Linear(4 * d, 2 * d))
        self.cls_module = nn.ModuleList(
            [m for _ in range(h["num_cls"]) for m in (nn.Linear(d, d, bias=False), nn.LayerNorm(d), nn.ReLU())])
        self.reg_module = nn.ModuleList(
            [m for _ in range(h["num_reg"]) for m in (nn.Linear(d, d, bias=False), nn.LayerNorm(d), nn.ReLU())])
        self.class_logits = nn.Linear(d, num_classes)
        self.bboxes_delta = nn.Linear(d, 4)

    def forward(self, features, bboxes, pro_features, time_emb):
        """bboxes (B, N, 4) absolute xyxy; pro_features None or (1, B·N, d); time_emb (B, 4d).
        Returns logits (B, N, K), boxes (B, N, 4) float32, obj_features (1, B·N, d)."""
        bsz, n = bboxes.shape[:2]
        d = self.d_model
        roi = multilevel_roi_align(features, bboxes, self.resolution, self.sampling_ratio)   # (B·N, d, R, R)
        if pro_features is None:
            pro_features = roi.view(bsz, n, d, -1).mean(-1)
        roi = roi.view(bsz * n, d, -1).permute(2, 0, 1)                                    # (R², B·N, d)
        pro = pro_features.reshape(bsz, n, d).permute(1, 0, 2)                             # (N, B, d)
        pro = self.norm1(pro + self.self_attn(pro, pro, value=pro, need_weights=False)[0])
        pro = pro.reshape(n, bsz, d).permute(1, 0, 2).reshape(1, bsz * n, d)
        obj = self.norm2(pro + self.inst_interact(pro, roi))
        obj = self.norm3(obj + self.linear2(F.relu(self.linear1(obj))))
        fc = obj.transpose(0, 1).reshape(bsz * n, -1)
        scale, shift = torch.repeat_interleave(self.block_time_mlp(time_emb), n, dim=0).chunk(2, dim=1)
        fc = fc * (scale + 1) + shift
        cls_feature, reg_feature = fc, fc
        for layer in self.cls_module:
            cls_feature = layer(cls_feature)
        for layer in self.reg_module:
            reg_feature = layer(reg_feature)
        logits = self.class_logits(cls_feature)
        boxes = apply_deltas(self.bboxes_delta(reg_feature), bboxes.reshape(-1, 4))
        return logits.view(bsz, n, -1), boxes.view(bsz, n, -1), obj


def apply_deltas(deltas, boxes):
    """Official `RCNNHead.apply_deltas`: weights (2, 2, 1, 1), dw/dh clamped at log(100000/16); boxes cast to
    the deltas' dtype first."""
    boxes = boxes.to(deltas.dtype)
    widths = boxes[:, 2] - boxes[:, 0]
    heights = boxes[:, 3] - boxes[:, 1]
    ctr_x = boxes[:, 0] + 0.5 * widths
    ctr_y = boxes[:, 1] + 0.5 * heights
    wx, wy, ww, wh = BBOX_WEIGHTS
    dx, dy = deltas[:, 0] / wx, deltas[:, 1] / wy
    dw = torch.clamp(deltas[:, 2] / ww, max=SCALE_CLAMP)
    dh = torch.clamp(deltas[:, 3] / wh, max=SCALE_CLAMP)
    px, py = dx * widths + ctr_x, dy * heights + ctr_y
    pw, ph = torch.exp(dw) * widths, torch.exp(dh) * heights
    return torch.stack([px - 0.5 * pw, py - 0.5 * ph, px + 0.5 * pw, py + 0.5 * ph], dim=1)


class DynamicHead(nn.Module):
    """Official `DynamicHead`: time MLP + num_stages independent RCNNHead stages (deep supervision)."""

    def __init__(self, cfg):
        super().__init__()
        d = cfg["head"]["hidden_dim"]
        self.time_mlp = nn.Sequential(SinusoidalPositionEmbeddings(d), nn.Linear(d, 4 * d), nn.GELU(),
                                      nn.Linear(4 * d, 4 * d))
        self.head_series = nn.ModuleList([RCNNHead(cfg, len(cfg["class_names"]))
                                          for _ in range(cfg["head"]["num_stages"])])

    def forward(self, features, boxes, t):
        """features [p2..p5] (B, d, H, W); boxes (B, N, 4) absolute xyxy (float32 or float64); t (B,) int64.
        Returns (logits (S, B, N, K), boxes (S, B, N, 4)) stacked over stages; the boxes passed between stages
        are detached (as official)."""
        time = self.time_mlp(t)
        logits_all, boxes_all = [], []
        pro = None
        for stage in self.head_series:
            logits, pred, pro = stage(features, boxes, pro, time)
            logits_all.append(logits)
            boxes_all.append(pred)
            boxes = pred.detach()
        return torch.stack(logits_all), torch.stack(boxes_all)


class DiffusionDet(nn.Module):
    """backbone (FPN with bottom_up ResNet) + head (DynamicHead); state_dict keys = official keys."""

    def __init__(self, config):
        super().__init__()
        self.config = validate_config(config)
        self.backbone = FPN(config)
        self.head = DynamicHead(config)


def build_model(config):
    """A DiffusionDet module for a config.json dict, in eval mode, with the official initialisation of the
    head (`DynamicHead._reset_parameters`): Xavier-uniform for every parameter with dim > 1, then every
    parameter whose last dimension equals the class count K is set to the focal prior −log((1 − 0.01)/0.01)
    (meant for `class_logits.bias`; the official rule also hits any other parameter whose last dim is K,
    e.g. `inst_interact.norm1` when dim_dynamic == K, and we keep that quirk). Backbone: PyTorch default
    conv init and identity FrozenBN (load ImageNet weights for training)."""
    model = DiffusionDet(config)
    classes = len(config["class_names"])
    prior = -math.log((1 - 0.01) / 0.01)
    with torch.no_grad():
        for p in model.head.parameters():
            if p.dim() > 1:
                nn.init.xavier_uniform_(p)
            if p.shape[-1] == classes:
                nn.init.constant_(p, prior)
    return model.eval()


def randomize_frozen_batch_norm(module, generator):
    """Random near-identity statistics for one FrozenBatchNorm2d (weight U[0.75, 1.25), bias and mean 0.1·N,
    var U[0.75, 1.25)), drawn from `generator`: what the random-weight fixtures and benchmark models use, since
    build_model leaves them at identity."""
    c = module.weight.shape[0]
    with torch.no_grad():
        module.weight.copy_(torch.rand(c, generator=generator) * 0.5 + 0.75)
        module.bias.copy_(torch.randn(c, generator=generator) * 0.1)
        module.running_mean.copy_(torch.randn(c, generator=generator) * 0.1)
        module.running_var.copy_(torch.rand(c, generator=generator) * 0.5 + 0.75)


def freeze_backbone_at(model, freeze_at=2):
    """detectron2 FREEZE_AT: 1 freezes the stem, 2 also res2, … (requires_grad False)."""
    bottom_up = model.backbone.bottom_up
    stages = [bottom_up.stem] + [getattr(bottom_up, f"res{i}") for i in range(2, 6)]
    for module in stages[:freeze_at]:
        for p in module.parameters():
            p.requires_grad_(False)


# ---------------------------------------------------------------------------------------------- input

def resized_size(height, width, config):
    """detectron2 ResizeShortestEdge (test): shorter side → min_size unless the longer exceeds max_size."""
    min_size, max_size = config["input"]["min_size_test"], config["input"]["max_size_test"]
    scale = min_size / min(height, width)
    if max(height, width) * scale > max_size:
        scale = max_size / max(height, width)
    return int(height * scale + 0.5), int(width * scale + 0.5)


def preprocess(image_uint8_hwc, config):
    """uint8 RGB (H, W, 3) numpy/tensor → (normalised padded tensor (1, 3, Hp, Wp) float32,
    images_whwh (4,) float32 = resized (w, h, w, h), resized (h, w))."""
    image = torch.as_tensor(np.asarray(image_uint8_hwc)).permute(2, 0, 1).to(torch.float32)[None]
    height, width = image.shape[2:]
    rh, rw = resized_size(height, width, config)
    if (rh, rw) != (height, width):
        image = F.interpolate(image, size=(rh, rw), mode="bilinear", align_corners=False)
    mean = torch.tensor(config["input"]["pixel_mean"], dtype=torch.float32).view(1, 3, 1, 1)
    std = torch.tensor(config["input"]["pixel_std"], dtype=torch.float32).view(1, 3, 1, 1)
    image = (image - mean) / std
    div = config["input"]["size_divisibility"]
    ph, pw = -(-rh // div) * div, -(-rw // div) * div
    image = F.pad(image, (0, pw - rw, 0, ph - rh), value=0.0)
    whwh = torch.tensor([rw, rh, rw, rh], dtype=torch.float32)
    return image, whwh, (rh, rw)


def postprocess(boxes, scores, labels, resized_hw, original_hw, score_threshold):
    """Sampler detections (resized-image xyxy) → original image: keep score > threshold, scale x by
    orig_w/resized_w and y by orig_h/resized_h, clip to the original image, drop empty boxes (detectron2
    `detector_postprocess`), sort by score descending (stable)."""
    keep = scores > score_threshold
    boxes, scores, labels = boxes[keep], scores[keep], labels[keep]
    (rh, rw), (oh, ow) = resized_hw, original_hw
    boxes = boxes * torch.tensor([ow / rw, oh / rh, ow / rw, oh / rh], dtype=boxes.dtype, device=boxes.device)
    boxes = torch.stack([boxes[:, 0].clamp(0, ow), boxes[:, 1].clamp(0, oh),
                         boxes[:, 2].clamp(0, ow), boxes[:, 3].clamp(0, oh)], dim=1)
    nonempty = (boxes[:, 2] > boxes[:, 0]) & (boxes[:, 3] > boxes[:, 1])
    boxes, scores, labels = boxes[nonempty], scores[nonempty], labels[nonempty]
    order = torch.argsort(scores, descending=True, stable=True)
    return boxes[order], scores[order], labels[order]


# ---------------------------------------------------------------------------------------------- diffusion

def cosine_betas(timesteps=1000, s=0.008):
    """β_t of the cosine schedule (Nichol & Dhariwal; official `cosine_beta_schedule`), float64, clipped to
    [0, 0.999]."""
    x = torch.linspace(0, timesteps, timesteps + 1, dtype=torch.float64)
    f = torch.cos(((x / timesteps) + s) / (1 + s) * math.pi * 0.5) ** 2
    f = f / f[0]
    return torch.clip(1 - (f[1:] / f[:-1]), 0, 0.999)


def cosine_alphas_cumprod(timesteps=1000, s=0.008):
    """ᾱ_t = Π(1 − β), t = 0..T−1, float64 as the official buffer `alphas_cumprod`."""
    return torch.cumprod(1.0 - cosine_betas(timesteps, s), dim=0)


def official_diffusion_buffers(timesteps=1000):
    """The twelve float64 buffers the official DiffusionDet registers (present in its checkpoints, not used
    here); for converter tests."""
    betas = cosine_betas(timesteps)
    ac = torch.cumprod(1.0 - betas, dim=0)
    prev = F.pad(ac[:-1], (1, 0), value=1.0)
    post_var = betas * (1.0 - prev) / (1.0 - ac)
    return {
        "betas": betas, "alphas_cumprod": ac, "alphas_cumprod_prev": prev,
        "sqrt_alphas_cumprod": ac.sqrt(), "sqrt_one_minus_alphas_cumprod": (1.0 - ac).sqrt(),
        "log_one_minus_alphas_cumprod": (1.0 - ac).log(), "sqrt_recip_alphas_cumprod": (1.0 / ac).sqrt(),
        "sqrt_recipm1_alphas_cumprod": (1.0 / ac - 1).sqrt(), "posterior_variance": post_var,
        "posterior_log_variance_clipped": post_var.clamp(min=1e-20).log(),
        "posterior_mean_coef1": betas * prev.sqrt() / (1.0 - ac),
        "posterior_mean_coef2": (1.0 - prev) * (1.0 - betas).sqrt() / (1.0 - ac),
    }


def time_pairs(steps, timesteps=1000):
    """Official: times = linspace(−1, T−1, steps+1).int(), reversed, zipped → [(t, t_next), ...]."""
    times = list(reversed(torch.linspace(-1, timesteps - 1, steps=steps + 1).int().tolist()))
    return list(zip(times[:-1], times[1:]))


def q_sample(x0, t, noise, alphas_cumprod):
    """Forward process x_t = sqrt(ᾱ_t)·x0 + sqrt(1 − ᾱ_t)·ε (x0 (B, N, 4), t (B,) int64); float64 coefficients
    as official `extract` (so the result is float64; cast as needed)."""
    a = alphas_cumprod[t].view(-1, 1, 1)
    return a.sqrt() * x0 + (1.0 - a).sqrt() * noise


def ddim_coefficients(alphas_cumprod, t, t_next, eta):
    """DDIM update x_next = sqrt(ᾱ_next)·x̂0 + c·ε̂ + σ·z with
    σ = η·sqrt((1 − ᾱ_t/ᾱ_next)(1 − ᾱ_next)/(1 − ᾱ_t)), c = sqrt(1 − ᾱ_next − σ²).
    Returns 0-dim float64 tensors (sqrt(ᾱ_next), c, σ) as official (0-dim, so multiplying a float32 tensor
    keeps float32)."""
    alpha, alpha_next = alphas_cumprod[t], alphas_cumprod[t_next]
    sigma = eta * ((1 - alpha / alpha_next) * (1 - alpha_next) / (1 - alpha)).sqrt()
    c = (1 - alpha_next - sigma ** 2).sqrt()
    return alpha_next.sqrt(), c, sigma


class DrawSource:
    """Standard-normal float32 draws for the sampler: from `generator` (torch.randn stream; global RNG when
    None) while recording them, or replayed from a list of tensors (shapes are checked)."""

    def __init__(self, draws=None, generator=None):
        self.replay = list(draws) if draws is not None else None
        self.generator = generator
        self.recorded = []

    def normal(self, rows):
        if self.replay is not None:
            if not self.replay:
                raise ValueError("DrawSource: no draws left to replay")
            draw = self.replay.pop(0).to(torch.float32)
            if tuple(draw.shape) != (rows, 4):
                raise ValueError(f"DrawSource: replayed draw has shape {tuple(draw.shape)}, expected ({rows}, 4)")
        else:
            draw = torch.randn(rows, 4, generator=self.generator, dtype=torch.float32)
        self.recorded.append(draw)
        return draw


def inference_topk(logits, boxes):
    """Official `inference()` with focal scores for one image: sigmoid (N, K) flattened, top-N (score, class)
    pairs over all N·K, boxes repeated. Returns (boxes (N, 4), scores (N,), labels (N,)) sorted by score
    descending (official uses sorted=False; NMS re-sorts, so only ties could differ)."""
    n, k = logits.shape
    scores = torch.sigmoid(logits).flatten()
    top, idx = torch.sort(scores, descending=True, stable=True)
    top, idx = top[:n], idx[:n]
    return boxes[idx // k], top, idx % k


@torch.no_grad()
def ddim_sample(model, features, images_whwh, steps, proposals, config, draws=None, generator=None,
                include_final_step=None, eta=None, renewal=True, trace=None):
    """Official `DiffusionDet.ddim_sample` for one image (batch 1).

    features: [p2..p5] with batch 1; images_whwh (4,) resized (w, h, w, h). Draws, in order: (N, 4) initial
    boxes; per non-final step (kept, 4) DDIM noise then (N − kept, 4) renewal boxes. include_final_step None
    → config `diffusion.ensemble_includes_final_step`. eta None → config `diffusion.ddim_eta`.
    renewal False disables box renewal (ablation; official `box_renewal=False`).
    trace: optional list; one dict per step is appended (t, t_next, x = state before the step (1, N, 4),
    boxes_in = head input boxes, logits / boxes = final-stage outputs (N, K) / (N, 4), keep = renewal mask).
    Works on the features' device (draws come from the CPU generator); returns CPU tensors:
    dict(boxes (M, 4) resized-image xyxy float32, scores (M,), labels (M,) int64 — after class-wise
    NMS, sorted by score —, kept_per_step [int] (boxes passing renewal at each step, final step included),
    draws [tensor] in order)."""
    diff = config["diffusion"]
    scale = float(diff["snr_scale"])
    if include_final_step is None:
        include_final_step = bool(diff["ensemble_includes_final_step"])
    eta = float(diff["ddim_eta"]) if eta is None else float(eta)
    threshold = float(diff["renewal_threshold"])
    device = features[0].device
    alphas = cosine_alphas_cumprod(diff["timesteps"]).to(device)
    sqrt_recip = torch.sqrt(1.0 / alphas)
    sqrt_recipm1 = torch.sqrt(1.0 / alphas - 1)
    source = DrawSource(draws, generator)
    whwh = images_whwh.to(device=device, dtype=torch.float32).view(1, 4)
    x = source.normal(proposals)[None].to(device)                         # (1, N, 4) float32
    pairs = time_pairs(steps, diff["timesteps"])
    ensemble, kept_per_step = [], []
    for index, (t, t_next) in enumerate(pairs):
        boxes_in = scaled_to_xyxy(x, whwh, scale)
        logits, boxes = model.head(features, boxes_in, torch.full((1,), t, dtype=torch.int64, device=device))
        x0 = xyxy_to_scaled(boxes[-1], whwh, scale)                       # float32
        eps = (sqrt_recip[t].view(1, 1, 1) * x - x0) / sqrt_recipm1[t].view(1, 1, 1)   # float64
        last_logits, last_boxes = logits[-1][0], boxes[-1][0]
        keep = torch.sigmoid(last_logits).max(dim=-1).values > threshold if renewal \
            else torch.ones(proposals, dtype=torch.bool, device=device)
        if trace is not None:
            trace.append({"t": t, "t_next": t_next, "x": x, "boxes_in": boxes_in, "logits": last_logits,
                          "boxes": last_boxes, "keep": keep})
        if renewal:
            eps, x0, x = eps[:, keep], x0[:, keep], x[:, keep]
            kept_per_step.append(int(keep.sum()))
        else:
            kept_per_step.append(proposals)
        is_final = t_next < 0
        if not is_final or include_final_step or len(pairs) == 1:
            ensemble.append(inference_topk(last_logits, last_boxes))
        if is_final:
            break
        sqrt_alpha_next, c, sigma = ddim_coefficients(alphas, t, t_next, eta)
        noise = source.normal(x.shape[1])[None].to(device=device, dtype=x.dtype)
        x = x0 * sqrt_alpha_next + c * eps + sigma * noise
        if renewal:
            x = torch.cat([x, source.normal(proposals - x.shape[1])[None].to(device=device, dtype=x.dtype)], dim=1)
    boxes = torch.cat([e[0] for e in ensemble]).cpu()
    scores = torch.cat([e[1] for e in ensemble]).cpu()
    labels = torch.cat([e[2] for e in ensemble]).cpu()
    keep = batched_nms(boxes, scores, labels, float(diff["nms_iou_threshold"]))
    return {"boxes": boxes[keep], "scores": scores[keep], "labels": labels[keep],
            "kept_per_step": kept_per_step, "draws": source.recorded}


@torch.no_grad()
def detect(model, image_uint8_hwc, config, steps=None, proposals=None, score_threshold=None, generator=None,
           draws=None, include_final_step=None):
    """Whole pipeline for one image: preprocess, backbone, ddim_sample, postprocess to the original size."""
    steps = config["defaults"]["steps"] if steps is None else steps
    proposals = config["defaults"]["proposals"] if proposals is None else proposals
    score_threshold = config["defaults"]["score_threshold"] if score_threshold is None else score_threshold
    image, whwh, resized_hw = preprocess(image_uint8_hwc, config)
    features = model.backbone(image)
    out = ddim_sample(model, features, whwh, steps, proposals, config, draws=draws, generator=generator,
                      include_final_step=include_final_step)
    original_hw = tuple(np.asarray(image_uint8_hwc).shape[:2])
    boxes, scores, labels = postprocess(out["boxes"], out["scores"], out["labels"], resized_hw, original_hw,
                                        score_threshold)
    return {**out, "boxes": boxes, "scores": scores, "labels": labels}
