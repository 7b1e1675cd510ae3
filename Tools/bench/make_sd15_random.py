"""Writes a random-weight model with the Stable Diffusion 1.5 architecture, for the SD-1.5-sized benchmarks.

The configurations below are the published SD-1.5 ones (runwayml/stable-diffusion-v1-5: `unet/`, `vae/` and
`text_encoder/` config.json, written out here so that no download is needed). Weights are the libraries' default
initialisation under a fixed seed; they are only good for timing and memory figures, never for images.
Output: diffusers/transformers folders (config.json + one fp32 safetensors file each), the layout
`diffusion-cli bench …` and Tools/bench/torch_sd.py load. The output folder is git-ignored (about 4.3 GB).

Usage: python Tools/bench/make_sd15_random.py [--out .bench-models/sd15-random] [--seed 0]
"""

import argparse
import os

import torch
from diffusers import AutoencoderKL, UNet2DConditionModel
from transformers import CLIPTextConfig, CLIPTextModel

UNET = dict(
    sample_size=64, in_channels=4, out_channels=4, center_input_sample=False, flip_sin_to_cos=True, freq_shift=0,
    down_block_types=("CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D"),
    up_block_types=("UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D"),
    block_out_channels=(320, 640, 1280, 1280), layers_per_block=2, downsample_padding=1, mid_block_scale_factor=1,
    act_fn="silu", norm_num_groups=32, norm_eps=1e-5, cross_attention_dim=768, attention_head_dim=8,
)

VAE = dict(
    in_channels=3, out_channels=3, latent_channels=4, sample_size=512, layers_per_block=2, act_fn="silu",
    norm_num_groups=32, block_out_channels=(128, 256, 512, 512), scaling_factor=0.18215,
    down_block_types=("DownEncoderBlock2D",) * 4, up_block_types=("UpDecoderBlock2D",) * 4,
)

TEXT = dict(
    vocab_size=49408, hidden_size=768, intermediate_size=3072, num_hidden_layers=12, num_attention_heads=12,
    max_position_embeddings=77, hidden_act="quick_gelu", layer_norm_eps=1e-5, projection_dim=768,
    bos_token_id=0, eos_token_id=2, pad_token_id=1,
)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default=".bench-models/sd15-random")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    torch.set_num_threads(1)
    builders = {
        "unet": lambda: UNet2DConditionModel(**UNET),
        "vae": lambda: AutoencoderKL(**VAE),
        "text_encoder": lambda: CLIPTextModel(CLIPTextConfig(**TEXT)),
    }
    for offset, (name, build) in enumerate(builders.items()):
        torch.manual_seed(args.seed + offset)
        model = build().eval()
        folder = os.path.join(args.out, name)
        model.save_pretrained(folder, safe_serialization=True)
        count = sum(p.numel() for p in model.parameters())
        print(f"{folder}: {count / 1e6:.1f} M parameters", flush=True)
        del model


if __name__ == "__main__":
    main()
