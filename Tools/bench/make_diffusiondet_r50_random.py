"""Writes a random-weight DiffusionDet model of the official R50-FPN COCO size (depth 50, res2 256, FPN 256,
hidden 256, 8 heads, FFN 2048, 6 stages, dim_dynamic 64, 80 classes, 500 proposals, min_size_test 800) in the
service's model-folder format, for `diffusion-cli bench detect` and Tools/bench/torch_detect.py.

Only timing is measured with it, so the weights just need to keep activations finite and ordinary:
`diffusiondet_ref.build_model` (default conv init, official head init), FrozenBN statistics near identity,
the class-logit bias at −2 and the box-delta weights ×0.1 (as the parity fixtures do, so box renewal keeps
some boxes and boxes stay inside the image). Seeded: the same file every time (about 440 MB, float32).

Usage: .venv/bin/python Tools/bench/make_diffusiondet_r50_random.py [--out .bench-models/diffusiondet-r50]
"""

import argparse
import json
import os
import sys

import torch
from safetensors.torch import save_file

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "reference"))
import diffusiondet_ref as dd  # noqa: E402

SEED = 50


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default=".bench-models/diffusiondet-r50")
    args = parser.parse_args()
    torch.set_num_threads(1)
    config = dd.make_config([f"class_{i:02d}" for i in range(80)])  # official R50 defaults
    torch.manual_seed(SEED)
    model = dd.build_model(config)
    g = torch.Generator().manual_seed(SEED + 1)
    for module in model.modules():
        if isinstance(module, dd.FrozenBatchNorm2d):
            dd.randomize_frozen_batch_norm(module, g)
    with torch.no_grad():
        for stage in model.head.head_series:
            stage.class_logits.bias.fill_(-2.0)
            stage.bboxes_delta.weight.mul_(0.1)
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
    weights = {k: v.detach().contiguous().to(torch.float32) for k, v in model.state_dict().items()}
    save_file(weights, os.path.join(args.out, "model.safetensors"), metadata={"format": "pt"})
    count = sum(v.numel() for v in weights.values())
    print(f"wrote {args.out}: {len(weights)} tensors, {count / 1e6:.1f}M parameters")


if __name__ == "__main__":
    main()
