"""Writes the Stable Diffusion pipeline parity fixtures into Tests/Fixtures/sd-pipeline/.

Reference: diffusers 0.35.2 `StableDiffusionPipeline`, `StableDiffusionImg2ImgPipeline` and the legacy
4-channel-UNet path of `StableDiffusionInpaintPipeline` (torch 2.13 CPU, transformers 4.57.6).

`tiny/` is a complete diffusers pipeline folder (model_index.json, unet/, vae/, text_encoder/, tokenizer/,
scheduler/), loaded back with `from_pretrained` before any reference run:
  unet/          UNet2DConditionModel, block_out_channels (32, 64), layers_per_block 1, attention_head_dim 8,
                 cross_attention_dim 32, sample_size 8 (→ 32×32 images); random weights saved in float16.
  vae/           AutoencoderKL (32, 64), 4 latent channels, scaling_factor 0.18215; random weights in float16.
  text_encoder/  symbolic links to Tests/Fixtures/clip-text-model/A (CLIPTextModel hidden 32, 2 layers, 4 heads,
                 the full 49,408-token vocabulary; 3.2 MB that need not be stored twice).
  tokenizer/     the real CLIP BPE files: vocab.json and merges.txt are links to Tests/Fixtures/clip-tokenizer,
                 the two small JSON files are copies.
  scheduler/     the SD 1.5 PNDMScheduler configuration (clip_sample false, steps_offset 1, "leading" spacing).

Weights are N(0, 1/fan_in) matrices, norm gains 1 + 0.3 N, biases 0.2 N. With that alone the noise prediction
barely moves the image, so the UNet's `conv_out` is scaled ×CONV_OUT_SCALE and every attention `to_out.0`
×TO_OUT_SCALE; the script checks that two schedulers and two prompts give images differing by > 0.05 mean abs.

`expected.safetensors` holds, per case, `<case>.image` (N, 3, 32, 32) — the pipeline's output_type="np" images
transposed to NCHW, in 0…1 — plus the img2img / inpaint inputs (`inputs.image` (1, 3, 32, 32) in 0…1,
`inputs.mask` (1, 1, 32, 32), 1 = repaint). Metadata `fixture`: JSON with versions and every case's parameters.
Each scheduler is set with `<Class>.from_config(pipe.scheduler.config)`; generator = torch.Generator("cpu")
.manual_seed(seed); 20 steps.

Usage, from the repository root:
    /work/main/.venv/bin/python Tools/reference/make_sd_pipeline_fixtures.py
"""

import json
import os
import pathlib
import shutil

import diffusers
import numpy as np
import torch
import transformers
from diffusers import (AutoencoderKL, DDIMScheduler, DPMSolverMultistepScheduler, EulerAncestralDiscreteScheduler,
                       PNDMScheduler, StableDiffusionImg2ImgPipeline, StableDiffusionInpaintPipeline,
                       StableDiffusionPipeline, UNet2DConditionModel)
from safetensors.torch import save_file

import random_weights
from random_weights import is_attention_output

torch.set_num_threads(1)
torch.use_deterministic_algorithms(True)

ROOT = pathlib.Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "Tests" / "Fixtures"
OUT = FIXTURES / "sd-pipeline"
TINY = OUT / "tiny"

CONV_OUT_SCALE = 6.0
TO_OUT_SCALE = 4.0

UNET = dict(
    sample_size=8, in_channels=4, out_channels=4, block_out_channels=(32, 64), layers_per_block=1,
    down_block_types=("CrossAttnDownBlock2D", "DownBlock2D"), up_block_types=("UpBlock2D", "CrossAttnUpBlock2D"),
    attention_head_dim=8, cross_attention_dim=32, norm_num_groups=32,
)
VAE = dict(
    in_channels=3, out_channels=3, block_out_channels=(32, 64), layers_per_block=1, latent_channels=4,
    down_block_types=("DownEncoderBlock2D", "DownEncoderBlock2D"), up_block_types=("UpDecoderBlock2D", "UpDecoderBlock2D"),
    norm_num_groups=32, sample_size=32,
)
SCHEDULER = dict(beta_start=0.00085, beta_end=0.012, beta_schedule="scaled_linear", skip_prk_steps=True,
                 steps_offset=1, set_alpha_to_one=False, num_train_timesteps=1000)

SCHEDULERS = {"ddim": DDIMScheduler, "euler_a": EulerAncestralDiscreteScheduler, "dpmpp_2m": DPMSolverMultistepScheduler}
PROMPT = "a photo of a cat"
PROMPT2 = "an astronaut riding a horse on mars"
NEGATIVE = "blurry, low quality"

# name: (task, scheduler, prompt, negative, guidance, seed, images, strength)
CASES = [
    ("t2i_ddim_cfg", "t2i", "ddim", PROMPT, "", 7.5, 0, 1, None),
    ("t2i_euler_a_cfg_negative", "t2i", "euler_a", PROMPT, NEGATIVE, 7.5, 1, 1, None),
    ("t2i_dpmpp_2m_cfg", "t2i", "dpmpp_2m", PROMPT, "", 7.5, 0, 1, None),
    ("t2i_dpmpp_2m_cfg_prompt2", "t2i", "dpmpp_2m", PROMPT2, "", 7.5, 0, 1, None),
    ("t2i_ddim_no_cfg", "t2i", "ddim", PROMPT2, "", 1.0, 3, 1, None),
    ("t2i_euler_a_batch2", "t2i", "euler_a", PROMPT2, NEGATIVE, 7.5, 4, 2, None),
    ("i2i_euler_a_strength06", "i2i", "euler_a", PROMPT, NEGATIVE, 7.5, 5, 1, 0.6),
    ("inpaint_ddim", "inpaint", "ddim", PROMPT2, "", 7.5, 6, 1, None),
]
STEPS = 20


def randomize(module, seed):
    scales = [(lambda name: name.startswith("conv_out."), CONV_OUT_SCALE), (is_attention_output, TO_OUT_SCALE)]
    return random_weights.randomize(module, seed, scales=scales)


def clean_config(path):
    with open(path) as handle:
        config = json.load(handle)
    config.pop("_name_or_path", None)
    with open(path, "w") as handle:
        json.dump(config, handle, indent=2, sort_keys=True)
        handle.write("\n")


def link(target, link_path):
    os.symlink(os.path.relpath(target, link_path.parent), link_path)


def build_folder():
    if TINY.exists():
        shutil.rmtree(TINY)
    TINY.mkdir(parents=True)
    unet = randomize(UNet2DConditionModel(**UNET), 100).to(torch.float16)
    unet.save_pretrained(TINY / "unet", safe_serialization=True)
    vae = randomize(AutoencoderKL(**VAE), 200).to(torch.float16)
    vae.save_pretrained(TINY / "vae", safe_serialization=True)
    PNDMScheduler(**SCHEDULER).save_pretrained(TINY / "scheduler")
    for component in ("unet", "vae"):
        clean_config(TINY / component / "config.json")
    # As in the SD 1.5 checkpoint: `clip_sample` is stored (PNDM ignores it; DDIM from_config reads it).
    scheduler_config = TINY / "scheduler" / "scheduler_config.json"
    config = json.loads(scheduler_config.read_text())
    config["clip_sample"] = False
    scheduler_config.write_text(json.dumps(config, indent=2, sort_keys=True) + "\n")

    (TINY / "text_encoder").mkdir()
    for name in ("config.json", "model.safetensors"):
        link(FIXTURES / "clip-text-model" / "A" / name, TINY / "text_encoder" / name)
    (TINY / "tokenizer").mkdir()
    for name in ("vocab.json", "merges.txt"):
        link(FIXTURES / "clip-tokenizer" / name, TINY / "tokenizer" / name)
    for name in ("tokenizer_config.json", "special_tokens_map.json"):
        shutil.copy(FIXTURES / "clip-tokenizer" / name, TINY / "tokenizer" / name)

    model_index = {
        "_class_name": "StableDiffusionPipeline", "_diffusers_version": diffusers.__version__,
        "feature_extractor": [None, None], "image_encoder": [None, None], "requires_safety_checker": False,
        "safety_checker": [None, None], "scheduler": ["diffusers", "PNDMScheduler"],
        "text_encoder": ["transformers", "CLIPTextModel"], "tokenizer": ["transformers", "CLIPTokenizer"],
        "unet": ["diffusers", "UNet2DConditionModel"], "vae": ["diffusers", "AutoencoderKL"],
    }
    (TINY / "model_index.json").write_text(json.dumps(model_index, indent=2, sort_keys=True) + "\n")


def inputs():
    generator = torch.Generator().manual_seed(1234)
    # A smooth image (a low-resolution random pattern upsampled) so the VAE sees something image-like.
    coarse = torch.rand(1, 3, 4, 4, generator=generator)
    image = torch.nn.functional.interpolate(coarse, size=(32, 32), mode="bilinear", align_corners=False)
    mask = torch.zeros(1, 1, 32, 32)
    mask[:, :, 4:23, 12:29] = 1  # not aligned to the 8-pixel latent grid
    return image.contiguous(), mask


def run(pipelines, case, image, mask):
    name, task, scheduler, prompt, negative, guidance, seed, count, strength = case
    pipe = pipelines[task]
    pipe.scheduler = SCHEDULERS[scheduler].from_config(pipe.scheduler.config)
    common = dict(prompt=prompt, negative_prompt=negative or None, num_inference_steps=STEPS, guidance_scale=guidance,
                  num_images_per_prompt=count, generator=torch.Generator("cpu").manual_seed(seed), output_type="np")
    with torch.no_grad():
        if task == "t2i":
            result = pipe(height=32, width=32, **common).images
        elif task == "i2i":
            result = pipe(image=image, strength=strength, **common).images
        else:
            result = pipe(image=image, mask_image=mask, height=32, width=32, **common).images
    return torch.from_numpy(np.ascontiguousarray(result.transpose(0, 3, 1, 2))).to(torch.float32)


def main():
    build_folder()
    base = StableDiffusionPipeline.from_pretrained(TINY, torch_dtype=torch.float32, safety_checker=None,
                                                   requires_safety_checker=False)
    base.set_progress_bar_config(disable=True)
    pipelines = {
        "t2i": base,
        "i2i": StableDiffusionImg2ImgPipeline(**base.components),
        "inpaint": StableDiffusionInpaintPipeline(**base.components),
    }
    for pipe in pipelines.values():
        pipe.set_progress_bar_config(disable=True)
    image, mask = inputs()
    tensors = {"inputs.image": image, "inputs.mask": mask}
    images = {}
    for case in CASES:
        images[case[0]] = run(pipelines, case, image, mask)
        tensors[case[0] + ".image"] = images[case[0]]
        print(case[0], tuple(images[case[0]].shape), "mean", float(images[case[0]].mean()))

    def difference(a, b):
        return float((images[a][:1] - images[b][:1]).abs().mean())
    checks = {
        "schedulers (ddim vs dpmpp_2m)": difference("t2i_ddim_cfg", "t2i_dpmpp_2m_cfg"),
        "prompts (dpmpp_2m, same seed)": difference("t2i_dpmpp_2m_cfg", "t2i_dpmpp_2m_cfg_prompt2"),
        "batch items": float((images["t2i_euler_a_batch2"][0] - images["t2i_euler_a_batch2"][1]).abs().mean()),
    }
    for label, value in checks.items():
        print(f"mean abs difference, {label}: {value:.4f}")
        assert value > 0.05, f"{label} differ by only {value}"

    meta = {"torch": torch.__version__, "diffusers": diffusers.__version__, "transformers": transformers.__version__,
            "steps": STEPS, "cases": [dict(zip(("name", "task", "scheduler", "prompt", "negative_prompt", "guidance",
                                                "seed", "images", "strength"), case)) for case in CASES]}
    save_file({k: v.contiguous() for k, v in tensors.items()}, OUT / "expected.safetensors",
              metadata={"fixture": json.dumps(meta, sort_keys=True)})


if __name__ == "__main__":
    main()
