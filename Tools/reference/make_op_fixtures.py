"""Writes the golden fixtures for the Tensor module's ops into Tests/Fixtures/ops/.

Each output file is a small safetensors file holding, per test case, its inputs and parameters
(`<case>.<name>` tensors) and the PyTorch output (`<case>.output`), plus a JSON metadata entry
`fixture` = {"torch": version, "cases": {case: {"op": ..., **scalar parameters}}} that the Swift tests read.

PyTorch is the reference (torch.nn.functional.*). torchvision's CPU wheels are not installable here, so
RoIAlign, NMS and box IoU/GIoU follow torchvision's published semantics in `tv_*` functions below;
`--torchvision-ops DIR` cross-checks them against torchvision's own pure-Python `_roi_align`, `box_iou`
and `generalized_box_iou` from an unpacked torchvision source tree.

Usage:  python Tools/reference/make_op_fixtures.py [--out Tests/Fixtures/ops] [--torchvision-ops DIR]
"""

import argparse
import json
import math
import os
import sys

import torch
import torch.nn.functional as F
from safetensors.torch import save_file

torch.set_num_threads(1)
torch.use_deterministic_algorithms(True)


class FixtureFile:
    def __init__(self, name, seed):
        self.name = name
        self.tensors = {}
        self.cases = {}
        self.generator = torch.Generator().manual_seed(seed)
        self.stored = {}  # id(tensor) -> stored name, so a tensor shared by cases is written once
        self.alive = []

    def randn(self, *shape, scale=1.0):
        return torch.randn(*shape, generator=self.generator) * scale

    def rand(self, *shape, low=0.0, high=1.0):
        return torch.rand(*shape, generator=self.generator) * (high - low) + low

    def add(self, case, op, tensors, **params):
        """Stores `tensors` as `<case>.<key>`; a tensor already stored by an earlier case is referenced
        through `refs` = {key: stored name} in the case's parameters instead of being written twice."""
        assert case not in self.cases, case
        refs = {}
        for key, value in tensors.items():
            if value is None:
                continue
            if id(value) in self.stored:
                refs[key] = self.stored[id(value)]
                continue
            self.stored[id(value)] = f"{case}.{key}"
            self.alive.append(value)  # keeps id(value) from being reused by a later temporary
            if value.dtype == torch.bool:
                value = value.to(torch.uint8)
            elif value.is_floating_point():
                value = value.to(torch.float32)
            self.tensors[f"{case}.{key}"] = value.contiguous().clone()
        self.cases[case] = {"op": op, **params, **({"refs": refs} if refs else {})}

    def save(self, folder):
        path = os.path.join(folder, f"{self.name}.safetensors")
        # One metadata key: safetensors writes several keys in hash order, which would make the bytes unstable.
        save_file(self.tensors, path, metadata={"fixture": json.dumps({"torch": torch.__version__, "cases": self.cases}, sort_keys=True)})
        return path, os.path.getsize(path)


# ---------------------------------------------------------------- torchvision semantics

def tv_bilinear(feature, y, x):
    """torchvision roi_align's bilinear_interpolate for one (C, H, W) plane set and scalar y, x."""
    _, height, width = feature.shape
    if y < -1.0 or y > height or x < -1.0 or x > width:
        return torch.zeros(feature.shape[0])
    y = max(y, 0.0)
    x = max(x, 0.0)
    y_low, x_low = int(y), int(x)
    if y_low >= height - 1:
        y_high = y_low = height - 1
        y = float(y_low)
    else:
        y_high = y_low + 1
    if x_low >= width - 1:
        x_high = x_low = width - 1
        x = float(x_low)
    else:
        x_high = x_low + 1
    ly, lx = y - y_low, x - x_low
    hy, hx = 1.0 - ly, 1.0 - lx
    return (hy * hx * feature[:, y_low, x_low] + hy * lx * feature[:, y_low, x_high]
            + ly * hx * feature[:, y_high, x_low] + ly * lx * feature[:, y_high, x_high])


def tv_roi_align(features, rois, output_size, spatial_scale, sampling_ratio, aligned):
    """torchvision.ops.roi_align (CPU kernel semantics), computed in float32 scalars via numpy float32."""
    import numpy as np
    f32 = np.float32
    pooled_h, pooled_w = output_size
    out = torch.zeros(rois.shape[0], features.shape[1], pooled_h, pooled_w)
    offset = f32(0.5) if aligned else f32(0.0)
    for k, roi in enumerate(rois.tolist()):
        image = int(roi[0])
        sx, sy = f32(roi[1]) * f32(spatial_scale) - offset, f32(roi[2]) * f32(spatial_scale) - offset
        ex, ey = f32(roi[3]) * f32(spatial_scale) - offset, f32(roi[4]) * f32(spatial_scale) - offset
        roi_w, roi_h = f32(ex - sx), f32(ey - sy)
        if not aligned:
            roi_w, roi_h = max(roi_w, f32(1)), max(roi_h, f32(1))
        bin_h, bin_w = f32(roi_h / f32(pooled_h)), f32(roi_w / f32(pooled_w))
        grid_h = sampling_ratio if sampling_ratio > 0 else int(math.ceil(roi_h / f32(pooled_h)))
        grid_w = sampling_ratio if sampling_ratio > 0 else int(math.ceil(roi_w / f32(pooled_w)))
        count = max(grid_h * grid_w, 1)
        for ph in range(pooled_h):
            for pw in range(pooled_w):
                acc = torch.zeros(features.shape[1])
                for iy in range(grid_h):
                    y = f32(sy + f32(ph) * bin_h + f32(f32(iy + 0.5) * bin_h / f32(grid_h)))
                    for ix in range(grid_w):
                        x = f32(sx + f32(pw) * bin_w + f32(f32(ix + 0.5) * bin_w / f32(grid_w)))
                        acc += tv_bilinear(features[image], float(y), float(x))
                out[k, :, ph, pw] = acc / count
    return out


def tv_box_area(b):
    return (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])


def tv_box_iou(a, b):
    """torchvision.ops.box_iou."""
    area_a, area_b = tv_box_area(a), tv_box_area(b)
    lt = torch.max(a[:, None, :2], b[:, :2])
    rb = torch.min(a[:, None, 2:], b[:, 2:])
    wh = (rb - lt).clamp(min=0)
    inter = wh[..., 0] * wh[..., 1]
    union = area_a[:, None] + area_b - inter
    return inter / union, union


def tv_generalized_box_iou(a, b):
    """torchvision.ops.generalized_box_iou."""
    iou, union = tv_box_iou(a, b)
    lt = torch.min(a[:, None, :2], b[:, :2])
    rb = torch.max(a[:, None, 2:], b[:, 2:])
    wh = (rb - lt).clamp(min=0)
    hull = wh[..., 0] * wh[..., 1]
    return iou - (hull - union) / hull


def tv_nms(boxes, scores, threshold):
    """torchvision.ops.nms: greedy by descending score, suppress IoU > threshold."""
    order = torch.argsort(scores, descending=True, stable=True).tolist()
    iou, _ = tv_box_iou(boxes, boxes)
    suppressed = [False] * len(order)
    keep = []
    for position, i in enumerate(order):
        if suppressed[i]:
            continue
        keep.append(i)
        for j in order[position + 1:]:
            if not suppressed[j] and iou[i, j] > threshold:
                suppressed[j] = True
    return torch.tensor(keep, dtype=torch.int64)


def tv_batched_nms(boxes, scores, classes, threshold):
    """torchvision.ops.batched_nms (per-class NMS, merged by descending score)."""
    keep = []
    for label in classes.unique().tolist():
        members = torch.nonzero(classes == label).flatten()
        keep += members[tv_nms(boxes[members], scores[members], threshold)].tolist()
    keep = torch.tensor(keep, dtype=torch.int64)
    return keep[torch.argsort(scores[keep], descending=True, stable=True)]


# ---------------------------------------------------------------- reference timestep embeddings

def diffusers_timestep_embedding(timesteps, dim, flip_sin_to_cos, downscale_freq_shift, scale=1, max_period=10000):
    """diffusers.models.embeddings.get_timestep_embedding (0.35)."""
    half = dim // 2
    exponent = -math.log(max_period) * torch.arange(start=0, end=half, dtype=torch.float32)
    exponent = exponent / (half - downscale_freq_shift)
    emb = torch.exp(exponent)
    emb = timesteps[:, None].float() * emb[None, :]
    emb = scale * emb
    emb = torch.cat([torch.sin(emb), torch.cos(emb)], dim=-1)
    if flip_sin_to_cos:
        emb = torch.cat([emb[:, half:], emb[:, :half]], dim=-1)
    if dim % 2 == 1:
        emb = F.pad(emb, (0, 1, 0, 0))
    return emb


def guided_diffusion_timestep_embedding(timesteps, dim, max_period=10000):
    """guided_diffusion.nn.timestep_embedding."""
    half = dim // 2
    freqs = torch.exp(-math.log(max_period) * torch.arange(start=0, end=half, dtype=torch.float32) / half)
    args = timesteps[:, None].float() * freqs[None]
    embedding = torch.cat([torch.cos(args), torch.sin(args)], dim=-1)
    if dim % 2:
        embedding = torch.cat([embedding, torch.zeros_like(embedding[:, :1])], dim=-1)
    return embedding


# ---------------------------------------------------------------- fixture files

def activations():
    f = FixtureFile("activations", 1)
    x = torch.cat([f.randn(4, 8, 64, scale=4.0).flatten(),
                   torch.tensor([-100.0, -30.0, -20.5, -20.0, -5.0, -1e-3, 0.0, 1e-3, 5.0, 19.9, 20.0, 20.5, 30.0, 100.0])])
    cases = {
        "gelu": F.gelu(x), "gelu_tanh": F.gelu(x, approximate="tanh"), "silu": F.silu(x),
        "quick_gelu": x * torch.sigmoid(1.702 * x), "mish": F.mish(x), "sigmoid": torch.sigmoid(x),
        "softplus": F.softplus(x), "relu": F.relu(x), "tanh": torch.tanh(x),
    }
    for name, out in cases.items():
        f.add(name, name, {"input": x, "output": out})
    f.add("softplus_beta2_threshold5", "softplus", {"input": x, "output": F.softplus(x, beta=2.0, threshold=5.0)}, beta=2.0, threshold=5.0)
    return f


def softmax():
    f = FixtureFile("softmax", 2)
    x = f.randn(2, 4, 77, 77, scale=5.0)
    f.add("last_dim", "softmax", {"input": x, "output": torch.softmax(x, -1)}, dim=-1)
    y = f.randn(2, 5, 7, 3, scale=3.0)
    f.add("dim1", "softmax", {"input": y, "output": torch.softmax(y, 1)}, dim=1)
    z = f.randn(4, 33, scale=80.0)
    z[0, 3:9] = float("-inf")
    f.add("large_and_neg_inf", "softmax", {"input": z, "output": torch.softmax(z, -1)}, dim=-1)
    return f


def norms():
    f = FixtureFile("norms", 3)
    x = f.randn(2, 64, 16, 16, scale=2.0) + 0.5
    w, b = f.randn(64) * 0.5 + 1.0, f.randn(64) * 0.2
    f.add("group_norm_tiny", "group_norm", {"input": x, "weight": w, "bias": b, "output": F.group_norm(x, 32, w, b, 1e-5)}, groups=32, eps=1e-5)
    f.add("group_norm_silu", "group_norm", {"input": x, "weight": w, "bias": b, "output": F.silu(F.group_norm(x, 32, w, b, 1e-6))}, groups=32, eps=1e-6, silu=True)
    x2 = f.randn(1, 320, 8, 8) * 3.0 + 1.0
    f.add("group_norm_320", "group_norm", {"input": x2, "output": F.group_norm(x2, 32, None, None, 1e-5)}, groups=32, eps=1e-5)
    x3 = f.randn(2, 12, 5)
    w3, b3 = f.randn(12), f.randn(12)
    f.add("group_norm_3d", "group_norm", {"input": x3, "weight": w3, "bias": b3, "output": F.group_norm(x3, 4, w3, b3, 1e-5)}, groups=4, eps=1e-5)
    t = f.randn(2, 77, 256, scale=2.0) + 0.3
    lw, lb = f.randn(256) * 0.3 + 1.0, f.randn(256) * 0.1
    f.add("layer_norm_text", "layer_norm", {"input": t, "weight": lw, "bias": lb, "output": F.layer_norm(t, [256], lw, lb, 1e-5)}, normalized_shape=[256], eps=1e-5)
    t2 = f.randn(3, 4, 6, 8)
    f.add("layer_norm_2d_noaffine", "layer_norm", {"input": t2, "output": F.layer_norm(t2, [6, 8], None, None, 1e-6)}, normalized_shape=[6, 8], eps=1e-6)
    r = f.randn(2, 10, 64, scale=3.0)
    rw = f.randn(64) * 0.2 + 1.0
    f.add("rms_norm_default_eps", "rms_norm", {"input": r, "weight": rw, "output": F.rms_norm(r, [64], rw)}, normalized_shape=[64])
    f.add("rms_norm_eps", "rms_norm", {"input": r * 1e-3, "weight": rw, "output": F.rms_norm(r * 1e-3, [64], rw, eps=1e-6)}, normalized_shape=[64], eps=1e-6)
    return f


def matmul():
    f = FixtureFile("matmul", 4)
    a, b = f.randn(33, 70), f.randn(70, 45)
    f.add("mm", "matmul", {"a": a, "b": b, "output": a @ b})
    a, b = f.randn(2, 1, 5, 7), f.randn(3, 7, 4)
    f.add("broadcast_batch", "matmul", {"a": a, "b": b, "output": torch.matmul(a, b)})
    a, b = f.randn(2, 40, 64), f.randn(64, 96)
    f.add("nd_by_2d", "matmul", {"a": a, "b": b, "output": torch.matmul(a, b)})
    v, m = f.randn(9), f.randn(9, 6)
    f.add("vector_matrix", "matmul", {"a": v, "b": m, "output": torch.matmul(v, m)})
    f.add("matrix_vector", "matmul", {"a": m.T.contiguous(), "b": v, "output": torch.matmul(m.T, v)})
    # a is stored as aᵀ; the Swift test multiplies the transposed view (exercises sgemm's Trans flag).
    at, bt = f.randn(4, 40, 30), f.randn(4, 50, 40)
    f.add("bmm_transposed_views", "bmm", {"a_t": at, "b_t": bt, "output": torch.bmm(at.transpose(1, 2), bt.transpose(1, 2))}, transposed=True)
    x, w, bias = f.randn(2, 77, 256), f.randn(512, 256) * 0.05, f.randn(512)
    f.add("linear_bias", "linear", {"input": x, "weight": w, "bias": bias, "output": F.linear(x, w, bias)})
    x, w = f.randn(5, 320), f.randn(640, 320) * 0.05
    f.add("linear_nobias", "linear", {"input": x, "weight": w, "output": F.linear(x, w)})
    return f


def conv():
    f = FixtureFile("conv", 5)

    def case(name, n, cin, h, w, cout, k, stride=(1, 1), padding=(0, 0), dilation=(1, 1), groups=1, bias=True):
        x = f.randn(n, cin, h, w)
        weight = f.randn(cout, cin // groups, *k) / math.sqrt(cin // groups * k[0] * k[1])
        b = f.randn(cout) * 0.1 if bias else None
        out = F.conv2d(x, weight, b, stride, padding, dilation, groups)
        f.add(name, "conv2d", {"input": x, "weight": weight, "bias": b, "output": out},
              stride=list(stride), padding=list(padding), dilation=list(dilation), groups=groups)

    case("tiny_unet_3x3_64", 1, 64, 32, 32, 64, (3, 3), padding=(1, 1))
    case("conv_in_b2", 2, 4, 32, 32, 64, (3, 3), padding=(1, 1))
    case("downsample_s2", 1, 32, 16, 16, 32, (3, 3), stride=(2, 2), padding=(1, 1))
    case("pointwise_1x1", 2, 64, 16, 16, 128, (1, 1))
    case("dilated", 1, 8, 20, 20, 16, (3, 3), padding=(2, 2), dilation=(2, 2), bias=False)
    case("grouped", 2, 16, 12, 12, 24, (3, 3), padding=(1, 1), groups=4)
    case("rect_kernel_stride", 1, 6, 17, 23, 10, (3, 5), stride=(2, 1), padding=(2, 0))
    case("depthwise", 1, 16, 9, 9, 16, (3, 3), padding=(1, 1), groups=16)
    case("pointwise_strided", 1, 8, 9, 9, 8, (1, 1), stride=(2, 2))
    case("wide_8x8", 1, 256, 8, 8, 32, (3, 3), padding=(1, 1))
    return f


def interpolate():
    f = FixtureFile("interpolate", 6)
    x = f.randn(2, 8, 16, 16)
    f.add("nearest_x2", "nearest", {"input": x, "output": F.interpolate(x, scale_factor=2.0, mode="nearest")}, scale_factor=[2.0, 2.0])
    y = f.randn(1, 3, 9, 11)
    f.add("nearest_size", "nearest", {"input": y, "output": F.interpolate(y, size=(7, 5), mode="nearest")}, size=[7, 5])
    f.add("nearest_x1_5", "nearest", {"input": y, "output": F.interpolate(y, scale_factor=1.5, mode="nearest")}, scale_factor=[1.5, 1.5])
    z = f.randn(1, 4, 8, 8)
    for ac in (True, False):
        tag = "ac" if ac else "noac"
        f.add(f"bilinear_size_{tag}", "bilinear", {"input": z, "output": F.interpolate(z, size=(13, 17), mode="bilinear", align_corners=ac)}, size=[13, 17], align_corners=ac)
        f.add(f"bilinear_down_{tag}", "bilinear", {"input": x, "output": F.interpolate(x, size=(5, 7), mode="bilinear", align_corners=ac)}, size=[5, 7], align_corners=ac)
    f.add("bilinear_x2_noac", "bilinear", {"input": z, "output": F.interpolate(z, scale_factor=2.0, mode="bilinear", align_corners=False)}, scale_factor=[2.0, 2.0], align_corners=False)
    f.add("bilinear_x4_features", "bilinear", {"input": x, "output": F.interpolate(x, scale_factor=4.0, mode="bilinear", align_corners=False)}, scale_factor=[4.0, 4.0], align_corners=False)
    return f


def pool():
    f = FixtureFile("pool", 7)
    x = f.randn(2, 6, 15, 14)
    def avg(name, k, s, p, ceil=False, cip=True):
        f.add(name, "avg_pool2d", {"input": x, "output": F.avg_pool2d(x, k, s, p, ceil, cip)}, kernel=list(k), stride=list(s), padding=list(p), ceil_mode=ceil, count_include_pad=cip)
    def mx(name, k, s, p, d=(1, 1), ceil=False):
        f.add(name, "max_pool2d", {"input": x, "output": F.max_pool2d(x, k, s, p, d, ceil)}, kernel=list(k), stride=list(s), padding=list(p), dilation=list(d), ceil_mode=ceil)
    avg("avg_2x2", (2, 2), (2, 2), (0, 0))
    avg("avg_3x3_pad_exclude", (3, 3), (2, 2), (1, 1), cip=False)
    avg("avg_3x3_pad_include_ceil", (3, 3), (2, 2), (1, 1), ceil=True)
    avg("avg_rect", (2, 3), (1, 2), (1, 1))
    mx("max_2x2", (2, 2), (2, 2), (0, 0))
    mx("max_3x3_pad", (3, 3), (2, 2), (1, 1))
    mx("max_dilated_ceil", (3, 3), (2, 2), (1, 1), (2, 2), True)
    return f


def attention():
    f = FixtureFile("attention", 8)
    def case(name, q, k, v, mask=None, causal=False, scale=None, **extra):
        out = F.scaled_dot_product_attention(q, k, v, attn_mask=mask, is_causal=causal, scale=scale)
        params = {"causal": causal, **extra}
        if scale is not None:
            params["scale"] = scale
        if mask is not None:
            params["mask"] = "boolean" if mask.dtype == torch.bool else "additive"
        f.add(name, "sdpa", {"query": q, "key": k, "value": v, "mask": mask, "output": out}, **params)
    q, k, v = f.randn(2, 8, 64, 16), f.randn(2, 8, 64, 16), f.randn(2, 8, 64, 16)
    case("self_heads", q, k, v)
    q, k, v = f.randn(2, 4, 40, 32), f.randn(2, 4, 77, 32), f.randn(2, 4, 77, 24)
    keep = torch.ones(2, 1, 1, 77, dtype=torch.bool)
    keep[0, ..., 50:] = False
    case("cross_bool_padding_mask", q, k, v, keep)
    additive = f.randn(40, 77) * 2.0
    additive[:, 70:] = float("-inf")
    case("cross_additive_mask", q, k, v, additive)
    q, k, v = f.randn(1, 4, 77, 64), f.randn(1, 4, 77, 64), f.randn(1, 4, 77, 64)
    case("causal_clip", q, k, v, causal=True)
    q, k, v = f.randn(1, 2, 32, 16), f.randn(1, 2, 48, 16), f.randn(1, 2, 48, 16)
    case("causal_rectangular", q, k, v, causal=True, scale=0.3)
    q, k, v = f.randn(1, 1, 4096, 8), f.randn(1, 1, 4096, 8), f.randn(1, 1, 4096, 8)
    case("tokens_4096", q, k, v)
    q, k, v = f.randn(3, 10, 8), f.randn(3, 12, 8), f.randn(3, 12, 8)
    case("rank3_no_heads", q, k, v)
    keep = torch.rand(10, 12, generator=f.generator) > 0.3
    keep[4] = False  # a query row that sees no key: PyTorch returns zeros there
    case("bool_mask_fully_masked_row", q, k, v, keep)
    # Longer than one query block (128 rows) and one key block (256 keys) of the fused kernel, SD head width.
    q, k, v = f.randn(1, 2, 160, 40), f.randn(1, 2, 300, 40), f.randn(1, 2, 300, 40)
    case("causal_multi_block", q, k, v, causal=True)
    additive = f.randn(160, 300) * 2.0
    additive[100:, 250:] = float("-inf")  # masks the whole second key block for the last rows
    case("additive_mask_multi_block", q, k, v, additive)
    keep = torch.rand(1, 2, 160, 1, generator=f.generator) > 0.2
    keep = keep & (torch.rand(1, 1, 1, 300, generator=f.generator) > 0.3)  # broadcast rows × keys
    case("bool_mask_multi_block", q, k, v, keep)
    return f


def embeddings():
    f = FixtureFile("embedding", 9)
    table = f.randn(1000, 64)
    ids = torch.randint(0, 1000, (2, 77), generator=f.generator)
    f.add("embedding", "embedding", {"table": table, "indices": ids, "output": F.embedding(ids, table)})
    t = torch.tensor([0.0, 1.0, 10.0, 261.0, 500.5, 999.0])
    f.add("timestep_sd_flip", "timestep", {"timesteps": t, "output": diffusers_timestep_embedding(t, 320, True, 0)}, dim=320, flip_sin_to_cos=True, shift=0.0)
    f.add("timestep_diffusers_default", "timestep", {"timesteps": t, "output": diffusers_timestep_embedding(t, 64, False, 1)}, dim=64, flip_sin_to_cos=False, shift=1.0)
    f.add("timestep_odd_dim", "timestep", {"timesteps": t, "output": diffusers_timestep_embedding(t, 33, True, 1)}, dim=33, flip_sin_to_cos=True, shift=1.0)
    f.add("timestep_guided_diffusion", "timestep", {"timesteps": t, "output": guided_diffusion_timestep_embedding(t, 128)}, dim=128, style="guided")
    f.add("timestep_guided_odd", "timestep", {"timesteps": t, "output": guided_diffusion_timestep_embedding(t, 129)}, dim=129, style="guided")
    return f


def roi_align():
    f = FixtureFile("roi_align", 10)
    features = f.randn(2, 16, 32, 40)
    boxes = []
    for i in range(12):
        x1, y1 = f.rand(1, low=-20, high=150).item(), f.rand(1, low=-20, high=120).item()
        w, h = f.rand(1, low=2, high=90).item(), f.rand(1, low=2, high=70).item()
        boxes.append([i % 2, x1, y1, x1 + w, y1 + h])
    boxes.append([0, 0.0, 0.0, 159.0, 127.0])
    boxes.append([1, 10.0, 10.0, 10.5, 10.25])
    boxes = torch.tensor(boxes)
    for name, size, ratio, aligned in (("aligned_sr2", (7, 7), 2, True), ("aligned_adaptive", (7, 7), -1, True),
                                        ("legacy_sr0", (4, 5), 0, False), ("aligned_sr1_14", (14, 14), 1, True)):
        out = tv_roi_align(features, boxes, size, 0.25, ratio, aligned)
        f.add(name, "roi_align", {"input": features, "boxes": boxes, "output": out},
              output_size=list(size), spatial_scale=0.25, sampling_ratio=ratio, aligned=aligned)
    return f


def grid_sample():
    f = FixtureFile("grid_sample", 11)
    x = f.randn(2, 8, 16, 16)
    grid = f.rand(2, 10, 12, 2, low=-1.2, high=1.2)
    for ac in (True, False):
        for padding in ("zeros", "border"):
            out = F.grid_sample(x, grid, mode="bilinear", padding_mode=padding, align_corners=ac)
            f.add(f"{padding}_{'ac' if ac else 'noac'}", "grid_sample", {"input": x, "grid": grid, "output": out},
                  padding_mode=padding, align_corners=ac)
    return f


def boxes():
    f = FixtureFile("boxes", 12)
    def random_boxes(n, extent=100.0):
        xy = f.rand(n, 2, low=0, high=extent)
        wh = f.rand(n, 2, low=1, high=extent / 3)
        return torch.cat([xy, xy + wh], dim=1)
    a, b = random_boxes(30), random_boxes(20)
    f.add("iou", "box_iou", {"a": a, "b": b, "output": tv_box_iou(a, b)[0]})
    f.add("giou", "generalized_box_iou", {"a": a, "b": b, "output": tv_generalized_box_iou(a, b)})
    many = random_boxes(200, extent=60.0)
    scores = torch.randperm(200, generator=f.generator).float() / 200.0 + 0.001
    for threshold in (0.3, 0.5, 0.7):
        f.add(f"nms_{threshold}", "nms", {"boxes": many, "scores": scores, "output": tv_nms(many, scores, threshold)}, iou_threshold=threshold)
    classes = torch.randint(0, 4, (200,), generator=f.generator)
    f.add("batched_nms", "batched_nms", {"boxes": many, "scores": scores, "classes": classes,
                                         "output": tv_batched_nms(many, scores, classes, 0.5)}, iou_threshold=0.5)
    return f


def cross_check_torchvision(folder):
    """Compares the tv_* references with torchvision's pure-Python implementations in `folder`."""
    import importlib.util
    import types
    pkg = types.ModuleType("torchvision"); pkg.__path__ = [folder]; sys.modules["torchvision"] = pkg
    ext = types.ModuleType("torchvision.extension")
    ext._assert_has_ops, ext._has_ops = (lambda: None), (lambda: False)
    sys.modules["torchvision.extension"] = ext
    utils = types.ModuleType("torchvision.utils"); utils._log_api_usage_once = lambda *a: None
    sys.modules["torchvision.utils"] = utils
    ops = types.ModuleType("torchvision.ops"); ops.__path__ = [os.path.join(folder, "ops")]; sys.modules["torchvision.ops"] = ops
    def load(name):
        spec = importlib.util.spec_from_file_location("torchvision.ops." + name, os.path.join(folder, "ops", name + ".py"))
        module = importlib.util.module_from_spec(spec); sys.modules["torchvision.ops." + name] = module
        spec.loader.exec_module(module); return module
    load("_utils"); roi = load("roi_align"); load("_box_convert"); bx = load("boxes")
    # torchvision's Python fallback skips the C kernel's "sample outside [-1, size] reads 0" rule and its
    # border clamp of the interpolation weight, so compare on boxes inside the feature map only.
    g = torch.Generator().manual_seed(3)
    features = torch.randn(2, 4, 32, 40, generator=g)
    rois = []
    for i in range(20):
        x1, y1 = torch.rand(1, generator=g).item() * 100, torch.rand(1, generator=g).item() * 80
        rois.append([i % 2, x1, y1, x1 + torch.rand(1, generator=g).item() * 50 + 1, y1 + torch.rand(1, generator=g).item() * 40 + 1])
    rois = torch.tensor(rois)
    for ratio, aligned in ((2, True), (-1, True), (0, False), (1, True)):
        ours = tv_roi_align(features, rois, (7, 7), 0.25, ratio, aligned)
        theirs = roi._roi_align(features, rois, 0.25, 7, 7, ratio, aligned)
        print(f"roi_align sampling_ratio={ratio} aligned={aligned}: max |ours - torchvision _roi_align| = {(ours - theirs).abs().max().item():.3g}")
    bf = boxes()
    a, b = bf.tensors["iou.a"], bf.tensors["iou.b"]
    print("box_iou:", (bf.tensors["iou.output"] - bx.box_iou(a, b)).abs().max().item())
    print("generalized_box_iou:", (bf.tensors["giou.output"] - bx.generalized_box_iou(a, b)).abs().max().item())


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "Fixtures", "ops"))
    parser.add_argument("--torchvision-ops", help="unpacked torchvision package folder to cross-check RoIAlign/box IoU")
    args = parser.parse_args()
    if args.torchvision_ops:
        cross_check_torchvision(args.torchvision_ops)
        return
    os.makedirs(args.out, exist_ok=True)
    total = 0
    for make in (activations, softmax, norms, matmul, conv, interpolate, pool, attention, embeddings, roi_align, grid_sample, boxes):
        path, size = make().save(args.out)
        total += size
        print(f"{os.path.relpath(path)}: {size / 1024:.0f} KiB")
    print(f"total: {total / 1024 / 1024:.2f} MiB")


if __name__ == "__main__":
    main()
