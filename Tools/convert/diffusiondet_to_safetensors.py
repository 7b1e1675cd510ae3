"""Converts an official DiffusionDet checkpoint (ShoufaChen/DiffusionDet release `.pth`: a torch pickle dict
whose state dict is under "model") into the service's model folder: `config.json` + `model.safetensors`.

Only renames/retypes: tensor names stay the official detectron2 keys (see Sources/Detection/Detection.docc/Detection.md);
the twelve float64 diffusion buffers (`betas`, `alphas_cumprod`, …, recomputed by the loader) and `criterion.*`
(LVIS federated-loss weights) are dropped. Every remaining key must match the model that config.json describes
(built with Tools/reference/diffusiondet_ref.py): unknown, missing or mis-shaped keys are reported together and
the conversion fails. Defaults describe the official R50 COCO model (80 COCO classes, 500 proposals,
min_size_test 800).

Usage:
  python Tools/convert/diffusiondet_to_safetensors.py diffdet_coco_res50.pth OUT_DIR [--dtype f16]
      [--depth 50] [--num-classes 80 | --class-names names.txt|a,b,c] [--proposals 500] [--steps 4] ...
"""

import argparse
import json
import os
import sys

import numpy as np
import torch
from safetensors.torch import save_file

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "reference"))
import diffusiondet_ref as dd  # noqa: E402

DIFFUSION_BUFFERS = frozenset([
    "betas", "alphas_cumprod", "alphas_cumprod_prev", "sqrt_alphas_cumprod", "sqrt_one_minus_alphas_cumprod",
    "log_one_minus_alphas_cumprod", "sqrt_recip_alphas_cumprod", "sqrt_recipm1_alphas_cumprod",
    "posterior_variance", "posterior_log_variance_clipped", "posterior_mean_coef1", "posterior_mean_coef2",
])

COCO_CLASS_NAMES = [
    "person", "bicycle", "car", "motorcycle", "airplane", "bus", "train", "truck", "boat", "traffic light",
    "fire hydrant", "stop sign", "parking meter", "bench", "bird", "cat", "dog", "horse", "sheep", "cow",
    "elephant", "bear", "zebra", "giraffe", "backpack", "umbrella", "handbag", "tie", "suitcase", "frisbee",
    "skis", "snowboard", "sports ball", "kite", "baseball bat", "baseball glove", "skateboard", "surfboard",
    "tennis racket", "bottle", "wine glass", "cup", "fork", "knife", "spoon", "bowl", "banana", "apple",
    "sandwich", "orange", "broccoli", "carrot", "hot dog", "pizza", "donut", "cake", "chair", "couch",
    "potted plant", "bed", "dining table", "toilet", "tv", "laptop", "mouse", "remote", "keyboard", "cell phone",
    "microwave", "oven", "toaster", "sink", "refrigerator", "book", "clock", "vase", "scissors", "teddy bear",
    "hair drier", "toothbrush",
]

DTYPES = {"f32": torch.float32, "f16": torch.float16}


class ConversionError(Exception):
    """The checkpoint does not match the model described by the config."""


def load_checkpoint(path, trust_pickle=False):
    """The state dict of a detectron2 checkpoint (dict with "model"), or of a bare state dict."""
    try:
        data = torch.load(path, map_location="cpu", weights_only=not trust_pickle)
    except Exception as error:  # weights_only refuses arbitrary pickled objects (e.g. optimizer classes)
        raise ConversionError(f"{path}: cannot unpickle with weights_only=True ({error}); rerun with "
                              "--trust-pickle if the file comes from a trusted source") from error
    state = data["model"] if isinstance(data, dict) and "model" in data else data
    if not isinstance(state, dict):
        raise ConversionError(f"{path}: no state dict (expected a dict with key 'model')")
    return {k: torch.as_tensor(np.asarray(v)) if isinstance(v, np.ndarray) else v for k, v in state.items()}


def convert_state_dict(state, config, dtype=torch.float32):
    """Official state dict → tensors for model.safetensors (validated against the config's model)."""
    with torch.device("meta"):  # shapes only, nothing allocated or initialised
        expected = {k: tuple(v.shape) for k, v in dd.DiffusionDet(config).state_dict().items()}
    kept = {k: v for k, v in state.items() if k not in DIFFUSION_BUFFERS and not k.startswith("criterion.")}
    unknown = sorted(k for k in kept if k not in expected)
    missing = sorted(k for k in expected if k not in kept)
    misshaped = sorted(f"{k}: {tuple(kept[k].shape)} (expected {expected[k]})"
                       for k in kept if k in expected and tuple(kept[k].shape) != expected[k])
    not_tensor = sorted(k for k, v in kept.items() if not torch.is_tensor(v))
    if unknown or missing or misshaped or not_tensor:
        raise ConversionError("checkpoint does not match the config: "
                              f"unknown keys {unknown}; missing keys {missing}; mis-shaped {misshaped}; "
                              f"not tensors {not_tensor}")
    return {k: v.detach().to(dtype).contiguous() for k, v in sorted(kept.items())}


def write_model_folder(tensors, config, out_dir):
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
        f.write("\n")
    save_file(tensors, os.path.join(out_dir, "model.safetensors"), metadata={"format": "pt"})


def class_names_from_args(args):
    if args.class_names:
        if os.path.exists(args.class_names):
            with open(args.class_names) as f:
                names = [line.strip() for line in f if line.strip()]
        else:
            names = [n.strip() for n in args.class_names.split(",")]
        if args.num_classes is not None and args.num_classes != len(names):
            raise ConversionError(f"--num-classes {args.num_classes} but {len(names)} class names")
        return names
    count = 80 if args.num_classes is None else args.num_classes
    return COCO_CLASS_NAMES if count == 80 else [f"class_{i}" for i in range(count)]


def config_from_args(args):
    depth = args.depth
    return dd.validate_config(dd.make_config(
        class_names_from_args(args), depth=depth, stem_out_channels=64,
        res2_out_channels=args.res2_out_channels or (256 if depth >= 50 else 64),
        num_groups=1, width_per_group=64, fpn_out_channels=args.hidden_dim, hidden_dim=args.hidden_dim,
        num_heads=args.num_heads, dim_feedforward=args.dim_feedforward, num_stages=args.num_stages,
        num_cls=args.num_cls, num_reg=args.num_reg, dim_dynamic=args.dim_dynamic,
        pooler_resolution=args.pooler_resolution, sampling_ratio=args.sampling_ratio,
        ensemble_includes_final_step=not args.official_ensemble, steps=args.steps, proposals=args.proposals,
        score_threshold=args.score_threshold, min_size_test=args.min_size_test, max_size_test=args.max_size_test))


def parse_args(argv=None):
    p = argparse.ArgumentParser(description="Official DiffusionDet .pth → model folder (config.json + "
                                            "model.safetensors). Defaults: official R50 COCO.")
    p.add_argument("checkpoint")
    p.add_argument("out_dir")
    p.add_argument("--dtype", choices=sorted(DTYPES), default="f32")
    p.add_argument("--trust-pickle", action="store_true", help="torch.load with weights_only=False")
    p.add_argument("--depth", type=int, default=50, choices=sorted(dd.BLOCKS_PER_STAGE))
    p.add_argument("--res2-out-channels", type=int, default=None, help="default 256 (depth ≥ 50) or 64")
    p.add_argument("--num-classes", type=int, default=None, help="default 80 (COCO names)")
    p.add_argument("--class-names", default=None, help="file with one name per line, or a comma-separated list")
    p.add_argument("--hidden-dim", type=int, default=256)
    p.add_argument("--num-heads", type=int, default=8)
    p.add_argument("--dim-feedforward", type=int, default=2048)
    p.add_argument("--num-stages", type=int, default=6)
    p.add_argument("--num-cls", type=int, default=1)
    p.add_argument("--num-reg", type=int, default=3)
    p.add_argument("--dim-dynamic", type=int, default=64)
    p.add_argument("--pooler-resolution", type=int, default=7)
    p.add_argument("--sampling-ratio", type=int, default=2)
    p.add_argument("--proposals", type=int, default=500)
    p.add_argument("--steps", type=int, default=4)
    p.add_argument("--score-threshold", type=float, default=0.5)
    p.add_argument("--min-size-test", type=int, default=800)
    p.add_argument("--max-size-test", type=int, default=1333)
    p.add_argument("--official-ensemble", action="store_true",
                   help="ensemble_includes_final_step false (the official code's behaviour, issue #56)")
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    try:
        config = config_from_args(args)
        tensors = convert_state_dict(load_checkpoint(args.checkpoint, args.trust_pickle), config, DTYPES[args.dtype])
    except (ConversionError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    write_model_folder(tensors, config, args.out_dir)
    print(f"wrote {args.out_dir}: {len(tensors)} tensors, {sum(v.numel() for v in tensors.values())} values, "
          f"{args.dtype}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
