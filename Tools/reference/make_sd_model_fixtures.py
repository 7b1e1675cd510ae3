"""Writes the parity fixtures for the SD-family models (UNet2DConditionModel, AutoencoderKL) into
Tests/Fixtures/sd-models/.

Two tiny random-weight diffusers folders, saved with `save_pretrained` exactly as a user's checkpoint would be:

  tiny-sd1/unet/   SD-1.x-like UNet: 2 blocks (CrossAttnDownBlock2D, DownBlock2D), attention_head_dim 8 (= 8 heads),
                   1x1-conv projections, cross_attention_dim 32, 16x16 latents; saved as the `fp16` variant
                   (`diffusion_pytorch_model.fp16.safetensors`) to keep the fixture small.
  tiny-sd1/vae/    AutoencoderKL, block_out_channels (32, 64), 4 latent channels, 32x32 images; `fp16` variant.
  tiny-sd2/unet/   SD-2.x-like UNet: 3 blocks ending in DownBlock2D, use_linear_projection, upcast_attention,
                   attention_head_dim (2, 4, 4), transformer_layers_per_block (1, 2, 1), only_cross_attention
                   (False, True, False), flip_sin_to_cos False / freq_shift 1, 10x14 latents (not a multiple of
                   2**num_upsamplers, so the up blocks are given explicit upsample sizes); Float32.
  tiny-options/unet/  the other supported options at non-default values: resnet_time_scale_shift "scale_shift",
                   act_fn "mish", center_input_sample, time_embedding_dim / time_embedding_act_fn / timestep_post_act,
                   conv_in_kernel 5, conv_out_kernel 1, mid_block_scale_factor, downsample_padding 0, per-block
                   layers_per_block and cross_attention_dim lists, 9x11 latents; `fp16` variant.

fp16-variant models are rounded to float16 *before* the reference forward, which then runs in float32, so the
stored half-precision weights are exactly the weights the reference used.

Next to each component folder, `<component>_io.safetensors` holds the forward inputs (`inputs.*`) and reference
outputs (`outputs.*`):
  UNet: call `plain` (batch 2, timesteps [999, 10], no mask) and call `masked` (one fractional timestep 321.5
        broadcast over the batch, an encoder keep mask [B, L] with padding in the first item).
  VAE:  `encode`: posterior mean and (clamped) logvar of a 2x3x32x32 image, plus `posterior.sample` drawn with
        torch.Generator().manual_seed(0); `decode`: a 2x4x8x8 latent (no scaling factor applied).

Weights are seeded N(0, 1/fan_in) matrices, norm gains 1 + 0.3 N, biases 0.2 N, so every activation is of order
one; `conv_out` is further scaled x3 and attention `to_out.0` x2 so the outputs are not trivially small.

Usage:  /work/main/.venv/bin/python Tools/reference/make_sd_model_fixtures.py [--out Tests/Fixtures/sd-models]
Pinned versions: Tools/reference/requirements.txt (torch 2.13.0 CPU, diffusers 0.35.2).
"""

import argparse
import json
import os

import torch
from safetensors.torch import save_file

import diffusers
from diffusers import AutoencoderKL, UNet2DConditionModel

import random_weights
from random_weights import is_attention_output

torch.set_num_threads(1)
torch.use_deterministic_algorithms(True)

CONTEXT_LEN = 7


def randomize(module, seed):
    return random_weights.randomize(module, seed, scales=[(is_output_convolution, 3.0), (is_attention_output, 2.0)])


def is_output_convolution(name):
    return name.startswith("conv_out.") or name.endswith("decoder.conv_out.weight")


def save_component(model, folder, half):
    """save_pretrained (safetensors); the fp16 variant rounds the weights first and keeps the model in float32."""
    os.makedirs(folder, exist_ok=True)
    for name in os.listdir(folder):
        os.remove(os.path.join(folder, name))
    if half:
        model.to(torch.float16)
        model.save_pretrained(folder, variant="fp16", safe_serialization=True)
        model.to(torch.float32)
    else:
        model.save_pretrained(folder, safe_serialization=True)
    # Drop the path-dependent private key so the bytes do not depend on where the script ran.
    path = os.path.join(folder, "config.json")
    with open(path) as handle:
        config = json.load(handle)
    config.pop("_name_or_path", None)
    with open(path, "w") as handle:
        json.dump(config, handle, indent=2, sort_keys=True)
        handle.write("\n")


def save_io(path, tensors, meta):
    tensors = {key: value.detach().to(torch.float32).contiguous().clone() for key, value in tensors.items()}
    meta = dict(meta, torch=torch.__version__, diffusers=diffusers.__version__)
    save_file(tensors, path, metadata={"fixture": json.dumps(meta, sort_keys=True)})


def unet_fixture(out, name, config, height, width, seed, half):
    model = randomize(UNet2DConditionModel(**config), seed)
    save_component(model, os.path.join(out, name, "unet"), half)
    generator = torch.Generator().manual_seed(seed + 1)
    dim = config["cross_attention_dim"]
    dim = dim[0] if isinstance(dim, tuple) else dim
    sample = torch.randn(2, config["in_channels"], height, width, generator=generator)
    context = torch.randn(2, CONTEXT_LEN, dim, generator=generator)
    mask = torch.ones(2, CONTEXT_LEN)
    mask[0, 4:] = 0
    timesteps = torch.tensor([999, 10], dtype=torch.int64)
    fractional = torch.tensor(321.5)
    with torch.no_grad():
        plain = model(sample, timesteps, encoder_hidden_states=context).sample
        masked = model(sample, fractional, encoder_hidden_states=context, encoder_attention_mask=mask).sample
    tensors = {
        "inputs.sample": sample, "inputs.encoder_hidden_states": context, "inputs.encoder_attention_mask": mask,
        "inputs.plain.timesteps": timesteps.to(torch.float32), "inputs.masked.timesteps": fractional.reshape(1),
        "outputs.plain": plain, "outputs.masked": masked,
    }
    save_io(os.path.join(out, name, "unet_io.safetensors"), tensors, {"model": "UNet2DConditionModel"})
    print(name, "unet", sum(p.numel() for p in model.parameters()), "params; output scale",
          float(plain.abs().max()), float(masked.abs().max()))


def vae_fixture(out, name, config, seed, half):
    model = randomize(AutoencoderKL(**config), seed)
    save_component(model, os.path.join(out, name, "vae"), half)
    generator = torch.Generator().manual_seed(seed + 1)
    image = torch.rand(2, config["in_channels"], 32, 32, generator=generator) * 2 - 1
    latents = torch.randn(2, config["latent_channels"], 8, 8, generator=generator)
    with torch.no_grad():
        posterior = model.encode(image).latent_dist
        drawn = posterior.sample(generator=torch.Generator().manual_seed(0))
        decoded = model.decode(latents).sample
    tensors = {
        "inputs.image": image, "inputs.latents": latents,
        "outputs.encode.mean": posterior.mean, "outputs.encode.logvar": posterior.logvar,
        "outputs.encode.sample": drawn, "outputs.decode": decoded,
    }
    save_io(os.path.join(out, name, "vae_io.safetensors"), tensors, {"model": "AutoencoderKL", "sample_seed": 0})
    print(name, "vae", sum(p.numel() for p in model.parameters()), "params; scales",
          float(posterior.mean.abs().max()), float(posterior.logvar.abs().max()), float(decoded.abs().max()))


SD1_UNET = dict(
    sample_size=16, in_channels=4, out_channels=4, block_out_channels=(32, 64), layers_per_block=1,
    down_block_types=("CrossAttnDownBlock2D", "DownBlock2D"), up_block_types=("UpBlock2D", "CrossAttnUpBlock2D"),
    attention_head_dim=8, cross_attention_dim=32, norm_num_groups=32,
)

SD2_UNET = dict(
    sample_size=(10, 14), in_channels=4, out_channels=4, block_out_channels=(16, 32, 32), layers_per_block=1,
    down_block_types=("CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D"),
    up_block_types=("UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D"),
    attention_head_dim=(2, 4, 4), cross_attention_dim=24, norm_num_groups=8, use_linear_projection=True,
    upcast_attention=True, transformer_layers_per_block=(1, 2, 1), only_cross_attention=(False, True, False),
    flip_sin_to_cos=False, freq_shift=1,
)

OPTIONS_UNET = dict(
    sample_size=(9, 11), in_channels=3, out_channels=5, block_out_channels=(16, 32), layers_per_block=(1, 2),
    down_block_types=("CrossAttnDownBlock2D", "DownBlock2D"), up_block_types=("UpBlock2D", "CrossAttnUpBlock2D"),
    attention_head_dim=(2, 4), cross_attention_dim=(12, 12), norm_num_groups=4, norm_eps=1e-6,
    resnet_time_scale_shift="scale_shift", act_fn="mish", center_input_sample=True, time_embedding_dim=48,
    time_embedding_act_fn="silu", timestep_post_act="gelu", conv_in_kernel=5, conv_out_kernel=1,
    mid_block_scale_factor=1.414, downsample_padding=0,
)

SD1_VAE = dict(
    in_channels=3, out_channels=3, block_out_channels=(32, 64), layers_per_block=1, latent_channels=4,
    down_block_types=("DownEncoderBlock2D", "DownEncoderBlock2D"), up_block_types=("UpDecoderBlock2D", "UpDecoderBlock2D"),
    norm_num_groups=32, sample_size=32,
)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "Fixtures", "sd-models"))
    out = os.path.normpath(parser.parse_args().out)
    unet_fixture(out, "tiny-sd1", SD1_UNET, 16, 16, seed=10, half=True)
    vae_fixture(out, "tiny-sd1", SD1_VAE, seed=20, half=True)
    unet_fixture(out, "tiny-sd2", SD2_UNET, 10, 14, seed=30, half=False)
    unet_fixture(out, "tiny-options", OPTIONS_UNET, 9, 11, seed=40, half=True)


if __name__ == "__main__":
    main()
