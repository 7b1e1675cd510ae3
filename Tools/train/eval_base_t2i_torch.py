#!/usr/bin/env python3
"""Judge the bundled text-to-image model through the diffusers PyTorch pipeline.

    python3 Tools/train/eval_base_t2i_torch.py --model Models/shapesworld-t2i --out t2i_torch.json

Stands in for ``Tools/eval/eval_text_to_image.py --server`` until the Swift endpoint exists: the
prompts, their English text and the scoring are the harness's own (``prompts.prompt_set``,
``spec_prompt``, ``score_image``); only the generator differs (``StableDiffusionPipeline``,
safety checker off, DDIM from the model's scheduler config).

Prompt sets (held-out test seeds; ``--split validation`` draws the same sets from the same offsets into the
validation split, seeds from 1,050,000 and 1,060,000, for choosing settings such as the guidance scale):

* **1-2 objects**: the first ``--prompts`` specs of the harness's prompt set (seeds from
  2,050,000) that name one or two objects: single objects, "two X", and two objects in a relation.
* **3 objects**: ``--three-prompts`` specs naming three objects: half "three X" specs from the same
  prompt set, half inventories of three distinct objects (seeds from 2,060,000, sampled like the
  training script's ``multi_spec``).

Figures: prompt accuracy as issue 6 defines it (``objects_present``: every named object present with
the right colour and shape), strict accuracy (every criterion of ``score_objects`` holds: also the
counts, the relation and nothing extra), position accuracy (``relation_correct`` over relation
prompts), count accuracy (``counts_correct``: every named colour+shape found exactly as often as
named), no extra objects, and both accuracies per kind. ``--reference`` also scores real renders of
the same specs at the model's size (the judge's ceiling) and the same renders after a VAE round trip
(the autoencoder's ceiling).
"""

import argparse
import json
import os
import sys
import time

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "Tools", "eval"))
sys.path.insert(0, HERE)

import paths  # noqa: E402,F401
from prompts import PROMPT_SEED_START, make_spec, render_spec, score_image, spec_prompt  # noqa: E402
from splits import SPLITS  # noqa: E402
from train_base_t2i import multi_spec  # noqa: E402

CRITERIA = ("objects_present", "counts_correct", "no_extra_objects", "relation_correct", "correct")
THREE_SEED_START = 2_060_000
# Where each split's prompts start: the test seeds above, or the same offsets into the validation split (for
# choosing settings such as the guidance scale without looking at the test prompts).
SEED_STARTS = {"test": (PROMPT_SEED_START, THREE_SEED_START),
               "validation": (SPLITS["validation"].start + (PROMPT_SEED_START - SPLITS["test"].start),
                              SPLITS["validation"].start + (THREE_SEED_START - SPLITS["test"].start))}


def n_objects(spec):
    return sum(n for _, _, n in spec["items"])


def one_two_specs(count, split="test"):
    specs, seed = [], SEED_STARTS[split][0]
    while len(specs) < count:
        spec = make_spec(seed)
        if n_objects(spec) <= 2:
            specs.append(spec)
        seed += 1
    return specs


def three_specs(count, split="test"):
    counted, seed = [], SEED_STARTS[split][0]
    while len(counted) < count // 2:
        spec = make_spec(seed)
        if n_objects(spec) == 3:
            counted.append(spec)
        seed += 1
    mixed, seed = [], SEED_STARTS[split][1]
    while len(mixed) < count - len(counted):
        spec = multi_spec(seed)
        if n_objects(spec) == 3:
            spec["id"] = f"t2i3-{seed}"
            mixed.append(spec)
        seed += 1
    return counted + mixed


def summarise(verdicts, specs):
    tallies = {c: [0, 0] for c in CRITERIA}
    kinds = {}
    for verdict, spec in zip(verdicts, specs):
        for criterion in CRITERIA:
            if verdict[criterion] is not None:
                tallies[criterion][0] += bool(verdict[criterion])
                tallies[criterion][1] += 1
        kind = spec["kind"] if spec["kind"] != "count" else f"count{spec['items'][0][2]}"
        kinds.setdefault(kind, [0, 0, 0])
        kinds[kind][0] += bool(verdict["objects_present"])
        kinds[kind][1] += bool(verdict["correct"])
        kinds[kind][2] += 1
    return {"prompts": len(specs),
            "prompt_accuracy": tallies["objects_present"][0] / len(specs),
            "strict_accuracy": tallies["correct"][0] / len(specs),
            "position_accuracy": (tallies["relation_correct"][0] / tallies["relation_correct"][1]
                                  if tallies["relation_correct"][1] else None),
            "count_accuracy": tallies["counts_correct"][0] / len(specs),
            "criteria": {c: round(t[0] / t[1], 4) for c, t in tallies.items() if t[1]},
            "by_kind": {k: {"prompt_accuracy": round(present / n, 4), "strict_accuracy": round(strict / n, 4),
                            "prompts": n}
                        for k, (present, strict, n) in sorted(kinds.items())}}


def generate(pipe, specs, size, steps, guidance, seed, batch):
    images = []
    for start in range(0, len(specs), batch):
        chunk = specs[start:start + batch]
        prompts = [spec_prompt(s, "en") for s in chunk]
        generators = [torch.Generator().manual_seed(seed + start + i) for i in range(len(chunk))]
        out = pipe(prompts, height=size, width=size, num_inference_steps=steps,
                   guidance_scale=guidance, generator=generators, output_type="np").images
        images.extend(list((np.clip(out, 0, 1) * 255).round().astype(np.uint8)))
    return images


@torch.no_grad()
def vae_round_trip(vae, images):
    x = torch.from_numpy(np.stack(images)).permute(0, 3, 1, 2).float().div(127.5).sub(1)
    y = vae.decode(vae.encode(x).latent_dist.mean).sample.clamp(-1, 1)
    y = ((y + 1) * 127.5).round().byte().permute(0, 2, 3, 1).numpy()
    return list(y)


def score(images, specs):
    return [score_image(image, spec) for image, spec in zip(images, specs)]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", default=os.path.join(ROOT, "Models", "shapesworld-t2i"))
    parser.add_argument("--out", required=True)
    parser.add_argument("--prompts", type=int, default=200)
    parser.add_argument("--three-prompts", type=int, default=100)
    parser.add_argument("--steps", type=int, default=25)
    parser.add_argument("--guidance", type=float, default=5.0)
    parser.add_argument("--seed", type=int, default=0, help="generation seed of prompt 0")
    parser.add_argument("--split", choices=sorted(SEED_STARTS), default="test",
                        help="prompt seeds: the held-out test prompts, or validation prompts for tuning settings")
    parser.add_argument("--batch", type=int, default=50)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--reference", action="store_true",
                        help="also score real renders and their VAE round trip")
    parser.add_argument("--save-images", default="", help="folder for a contact sheet PNG")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)

    from diffusers import StableDiffusionPipeline
    pipe = StableDiffusionPipeline.from_pretrained(args.model, torch_dtype=torch.float32,
                                                   safety_checker=None,
                                                   requires_safety_checker=False)
    pipe.set_progress_bar_config(disable=True)
    size = pipe.unet.config.sample_size * pipe.vae_scale_factor
    sets = {"one_two_objects": one_two_specs(args.prompts, args.split)}
    if args.three_prompts:
        sets["three_objects"] = three_specs(args.three_prompts, args.split)

    summary = {"model": args.model, "split": args.split, "size": size, "steps": args.steps,
               "guidance_scale": args.guidance, "seed": args.seed, "scheduler":
               type(pipe.scheduler).__name__, "command": " ".join(["python3"] + sys.argv)}
    for name, specs in sets.items():
        started = time.time()
        images = generate(pipe, specs, size, args.steps, args.guidance, args.seed, args.batch)
        gen_seconds = time.time() - started
        verdicts = score(images, specs)
        result = summarise(verdicts, specs)
        result["generate_seconds"] = round(gen_seconds, 1)
        result["examples"] = [{"prompt": spec_prompt(s, "en"), "correct": v["correct"],
                               "judged": v["judged"]} for s, v in zip(specs[:6], verdicts[:6])]
        if args.reference:
            real = [render_spec(s, size, args.seed + i) for i, s in enumerate(specs)]
            result["reference_real_renders"] = summarise(score(real, specs), specs)
            result["reference_vae_round_trip"] = summarise(
                score(vae_round_trip(pipe.vae, real), specs), specs)
        summary[name] = result
        print(json.dumps({name: {k: result[k] for k in ("prompt_accuracy", "strict_accuracy",
                                                         "position_accuracy", "count_accuracy")}}), flush=True)
        if args.save_images:
            from PIL import Image
            os.makedirs(args.save_images, exist_ok=True)
            cols = 10
            rows = (min(len(images), 50) + cols - 1) // cols
            sheet = Image.new("RGB", (cols * size, rows * size))
            for i, image in enumerate(images[:50]):
                sheet.paste(Image.fromarray(image), ((i % cols) * size, (i // cols) * size))
            sheet.save(os.path.join(args.save_images, f"{name}.png"))
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(summary, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
