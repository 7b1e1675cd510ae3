"""Cross-checks the committed DiffusionDet fixtures against the *official* code (optional, not part of CI).

Imports `diffusiondet/detector.py`, `head.py` and `util/box_ops.py` unmodified from a checkout of
ShoufaChen/DiffusionDet (@1efb36d) given by --official, with minimal stand-ins for what they import from
detectron2 / torchvision / the training-only modules: `ROIPooler` (ROIAlignV2 via the scalar torchvision-kernel
transcription `tv_roi_align` of make_op_fixtures.py and the detectron2 level rule), `batched_nms`
(`tv_batched_nms`), `Boxes`, `Instances`, `detector_postprocess`. It loads each fixture model into the official
`DiffusionDet` (our FPN module as its backbone), runs its head on `head.boxes` and its `ddim_sample` with
`torch.randn` / `torch.randn_like` replaying the fixture's recorded draws (cast to the requested dtype), and
compares with the fixture's `without_final` detections (the official ensemble omits the final step).

Usage:  python Tools/reference/check_diffusiondet_official.py --official PATH/TO/DiffusionDet [--fixtures DIR]
Exit status 1 when a count or label differs or a value differs by more than the tolerances below.
"""

import argparse
import importlib
import json
import os
import sys
import types

import torch
from safetensors.torch import load_file

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import diffusiondet_ref as dd  # noqa: E402
from make_op_fixtures import tv_batched_nms, tv_roi_align  # noqa: E402

torch.use_deterministic_algorithms(False)  # make_op_fixtures turns it on at import
torch.set_num_threads(1)

LOGIT_TOLERANCE = 1e-4
BOX_TOLERANCE = 1e-2  # pixels


class Boxes:
    def __init__(self, tensor):
        self.tensor = tensor

    def area(self):
        b = self.tensor
        return (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])


class Instances:
    def __init__(self, image_size, **fields):
        self.image_size = image_size
        self.__dict__.update(fields)


class ROIPooler:
    """detectron2 ROIPooler, ROIAlignV2 only: level = floor(4 + log2(sqrt(area)/224 + 1e-8)) clamped to 2..5."""

    def __init__(self, output_size, scales, sampling_ratio, pooler_type):
        if pooler_type != "ROIAlignV2":
            raise ValueError(pooler_type)
        self.size, self.scales, self.ratio = output_size, scales, sampling_ratio

    def __call__(self, features, box_lists):
        boxes = torch.cat([b.tensor for b in box_lists])
        index = torch.repeat_interleave(torch.arange(len(box_lists), dtype=boxes.dtype),
                                        torch.tensor([len(b.tensor) for b in box_lists]))
        rois = torch.cat([index[:, None], boxes], dim=1)
        sizes = torch.sqrt(torch.cat([b.area() for b in box_lists]))
        levels = torch.clamp(torch.floor(4 + torch.log2(sizes / 224 + 1e-8)), min=2, max=5).to(torch.int64) - 2
        out = torch.zeros(len(rois), features[0].shape[1], self.size, self.size)
        for level in range(len(features)):
            inds = torch.nonzero(levels == level).flatten()
            if len(inds):
                out[inds] = tv_roi_align(features[level], rois[inds].to(features[level].dtype),
                                         (self.size, self.size), self.scales[level], self.ratio, True)
        return out


def detector_postprocess(result, height, width):
    """Scale to (height, width), clip, drop empty boxes (detectron2 semantics)."""
    sx, sy = width / result.image_size[1], height / result.image_size[0]
    b = result.pred_boxes.tensor * torch.tensor([sx, sy, sx, sy])
    b = torch.stack([b[:, 0].clamp(0, width), b[:, 1].clamp(0, height), b[:, 2].clamp(0, width),
                     b[:, 3].clamp(0, height)], dim=1)
    keep = ((b[:, 2] - b[:, 0]) > 0) & ((b[:, 3] - b[:, 1]) > 0)
    return {"boxes": b[keep], "scores": result.scores[keep], "labels": result.pred_classes[keep]}


def install_stand_ins(official_root):
    def module(name, **attrs):
        m = types.ModuleType(name)
        m.__dict__.update(attrs)
        sys.modules[name] = m
        return m

    class Registry:
        def register(self):
            return lambda cls: cls

    module("detectron2")
    module("detectron2.layers", batched_nms=tv_batched_nms)
    module("detectron2.modeling", META_ARCH_REGISTRY=Registry(), build_backbone=None,
           detector_postprocess=detector_postprocess)
    module("detectron2.modeling.poolers", ROIPooler=ROIPooler)
    module("detectron2.structures", Boxes=Boxes, ImageList=None, Instances=Instances)
    module("torchvision")
    module("torchvision.ops")
    module("torchvision.ops.boxes", box_area=dd.box_area)
    package = module("diffusiondet")
    package.__path__ = [os.path.join(official_root, "diffusiondet")]
    util = module("diffusiondet.util")
    util.__path__ = [os.path.join(official_root, "diffusiondet", "util")]
    module("diffusiondet.loss", HungarianMatcherDynamicK=lambda *a, **k: None,
           SetCriterionDynamicK=lambda *a, **k: types.SimpleNamespace(weight_dict=k.get("weight_dict")))
    module("diffusiondet.util.misc", nested_tensor_from_tensor_list=None)
    return importlib.import_module("diffusiondet.detector")


def official_cfg(config, steps):
    ns = types.SimpleNamespace
    h = config["head"]
    return ns(MODEL=ns(
        DEVICE="cpu", PIXEL_MEAN=config["input"]["pixel_mean"], PIXEL_STD=config["input"]["pixel_std"],
        ROI_HEADS=ns(IN_FEATURES=["p2", "p3", "p4", "p5"]),
        ROI_BOX_HEAD=ns(POOLER_RESOLUTION=h["pooler_resolution"], POOLER_SAMPLING_RATIO=h["sampling_ratio"],
                        POOLER_TYPE="ROIAlignV2"),
        DiffusionDet=ns(NUM_CLASSES=len(config["class_names"]), NUM_PROPOSALS=config["defaults"]["proposals"],
                        HIDDEN_DIM=h["hidden_dim"], NUM_HEADS=h["num_stages"], SAMPLE_STEP=steps,
                        SNR_SCALE=config["diffusion"]["snr_scale"], CLASS_WEIGHT=2.0, GIOU_WEIGHT=2.0, L1_WEIGHT=5.0,
                        NO_OBJECT_WEIGHT=0.1, DEEP_SUPERVISION=True, USE_FOCAL=True, USE_FED_LOSS=False,
                        USE_NMS=True, DIM_FEEDFORWARD=h["dim_feedforward"], NHEADS=h["num_heads"], DROPOUT=0.0,
                        ACTIVATION="relu", NUM_CLS=h["num_cls"], NUM_REG=h["num_reg"],
                        NUM_DYNAMIC=h["num_dynamic"], DIM_DYNAMIC=h["dim_dynamic"], PRIOR_PROB=0.01)))


class ReplayRandn:
    """Replaces torch.randn / torch.randn_like while the official sampler runs."""

    def __init__(self, draws):
        self.queue = list(draws)

    def randn(self, *shape, **kwargs):
        if len(shape) == 1 and not isinstance(shape[0], int):
            shape = tuple(shape[0])
        return self.queue.pop(0).reshape(shape)

    def randn_like(self, x, **kwargs):
        return self.queue.pop(0).reshape(x.shape).to(x.dtype)

    def __enter__(self):
        self.saved = torch.randn, torch.randn_like
        torch.randn, torch.randn_like = self.randn, self.randn_like
        return self

    def __exit__(self, *exc):
        torch.randn, torch.randn_like = self.saved


def check(detector, fixtures, name, steps):
    config = json.load(open(os.path.join(fixtures, name, "config.json")))
    weights = load_file(os.path.join(fixtures, name, "model.safetensors"))
    t = load_file(os.path.join(fixtures, f"{name}.parity.safetensors"))
    ours = dd.DiffusionDet(config).eval()
    ours.load_state_dict(weights, strict=True)
    shapes = {f"p{level}": types.SimpleNamespace(stride=2 ** level, channels=config["head"]["hidden_dim"])
              for level in dd.FPN_LEVELS}

    class Backbone(torch.nn.Module):
        size_divisibility = 32

        def output_shape(self):
            return shapes

    detector.build_backbone = lambda cfg: Backbone()
    official = detector.DiffusionDet(official_cfg(config, steps)).eval()
    official.backbone = ours.backbone
    missing, unexpected = official.load_state_dict(weights, strict=False)
    buffers = set(dd.official_diffusion_buffers(10))
    problems = [f"unexpected keys {unexpected}"] if unexpected else []
    if set(missing) != buffers:
        problems.append(f"missing keys {sorted(set(missing) - buffers)}")
    features = [t[f"p{level}"] for level in dd.FPN_LEVELS]
    with torch.no_grad():
        logits, boxes = official.head(features, t["head.boxes"], t["head.t"], None)
    head_logits = (logits - t["head.logits"]).abs().max().item()
    head_boxes = (boxes - t["head.pred_boxes"]).abs().max().item()
    draws = torch.split(t[f"sample{steps}.draws"], t[f"sample{steps}.draw_rows"].tolist())
    rh, rw = t["resized_hw"].tolist()
    oh, ow = t["original_hw"].tolist()
    with ReplayRandn(draws) as replay:
        result = official.ddim_sample([{"height": oh, "width": ow}], features, t["images_whwh"][None],
                                      types.SimpleNamespace(image_sizes=[(rh, rw)]))[0]["instances"]
    if replay.queue:
        problems.append(f"{len(replay.queue)} draws not consumed")
    tag = f"sample{steps}.without_final"
    boxes, scores, labels = dd.postprocess(t[f"{tag}.boxes"], t[f"{tag}.scores"], t[f"{tag}.labels"], (rh, rw),
                                           (oh, ow), float("-inf"))
    same_count = len(scores) == len(result["scores"])
    line = (f"{name} steps={steps}: head max|Δlogit| {head_logits:.2e}, max|Δbox| {head_boxes:.2e} px; "
            f"detections official {len(result['scores'])} / fixture {len(scores)}")
    if same_count:
        d_scores = (result["scores"] - scores).abs().max().item() if len(scores) else 0.0
        d_boxes = (result["boxes"] - boxes).abs().max().item() if len(scores) else 0.0
        line += f", labels equal {torch.equal(result['labels'], labels)}, max|Δscore| {d_scores:.2e}, " \
                f"max|Δbox| {d_boxes:.2e} px"
        if not torch.equal(result["labels"], labels) or d_scores > LOGIT_TOLERANCE or d_boxes > BOX_TOLERANCE:
            problems.append("detections differ")
    else:
        problems.append("detection counts differ")
    if head_logits > LOGIT_TOLERANCE or head_boxes > BOX_TOLERANCE:
        problems.append("head outputs differ")
    print(line + ("" if not problems else "  FAIL: " + "; ".join(problems)))
    return not problems


def main():
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--official", required=True, help="checkout of ShoufaChen/DiffusionDet")
    parser.add_argument("--fixtures", default=os.path.join(root, "Tests", "Fixtures", "diffusiondet"))
    args = parser.parse_args()
    detector = install_stand_ins(os.path.abspath(args.official))
    ok = all([check(detector, args.fixtures, name, steps) for name in ("basic18", "bottleneck50") for steps in (1, 4)])
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
