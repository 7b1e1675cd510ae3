#!/usr/bin/env python3
"""Train the bundled ShapesWorld text-to-image base model (diffusers format, CPU).

    nice -n 5 python3 Tools/train/train_base_t2i.py --out Models/shapesworld-t2i

Stages (all on CPU, deterministic seeds):

1. **Data.** ``--images`` training pairs from the ShapesWorld *train* seeds 0 .. images-1. Seed s
   draws a prompt spec with the eval harness's own spec sampler (``prompts.make_spec``: a single
   object, two or three of one kind, or two objects in a left/right/above/below relation;
   ``--multi-fraction`` of the seeds instead draw an inventory of two or three distinct objects, and
   ``--relation-fraction`` of the rest draw a two-object relation, so relations can be oversampled),
   renders a ShapesWorld image that satisfies it (``prompts.render_spec``) and captions it in
   English (``prompts.spec_prompt``). Held-out prompts (test seeds from 2,050,000) are never used.
2. **VAE.** A small ``AutoencoderKL`` (x4 downsampling, 4 latent channels) trained with
   L1 + MSE reconstruction and a small KL weight; then every training image is encoded once
   (posterior mean) and the latent scaling factor is set to 1 / std of those latents.
3. **UNet + text encoder.** A small ``UNet2DConditionModel`` and a small ``CLIPTextModel`` (real
   CLIP BPE tokenizer, vocabulary 49,408, padded to 77 tokens) trained jointly on the cached
   latents with the epsilon objective and the Stable Diffusion DDPM schedule (1000 steps,
   scaled_linear 0.00085 .. 0.012); 10% of captions are dropped to "" for classifier-free guidance.
   An exponential moving average of both is what gets saved. ``--min-snr-gamma`` weights each sample's
   ε-MSE by min(SNR_t, γ) / SNR_t (Min-SNR-γ, Hang et al. 2023); 0 keeps the plain ε-MSE.
4. **Save.** ``StableDiffusionPipeline.save_pretrained`` (safetensors, fp16 weights) with a DDIM
   scheduler config, plus ``training.json`` with the command, steps, losses and timings.
"""

import argparse
import copy
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "Tools", "eval"))

import paths  # noqa: E402,F401  (shapesworld on the import path)
from classes import COLOURS, SHAPES  # noqa: E402
from prompts import KINDS, make_spec, render_spec, spec_prompt  # noqa: E402

TOKENIZER_DIR = os.path.join(ROOT, "Tests", "Fixtures", "clip-tokenizer")


# ----------------------------------------------------------------------------------------- data

def multi_spec(seed):
    """An inventory of two or three distinct (colour, shape) objects, no relation."""
    rng = np.random.default_rng([seed, 111])
    count = int(rng.integers(2, 4))
    items = []
    while len(items) < count:
        item = [COLOURS[int(rng.integers(len(COLOURS)))], SHAPES[int(rng.integers(len(SHAPES)))], 1]
        if all(item[:2] != other[:2] for other in items):
            items.append(item)
    return {"id": f"multi-{seed}", "kind": "multi", "items": items, "relation": None}


def train_spec(seed, multi_fraction, relation_fraction=0.0):
    """The spec of training seed ``seed``: an inventory with probability ``multi_fraction``; else a
    relation with probability ``relation_fraction``; else the harness sampler's own kind cycle."""
    rng = np.random.default_rng([seed, 112])
    if rng.random() < multi_fraction:
        return multi_spec(seed)
    if relation_fraction > 0 and rng.random() < relation_fraction:
        # make_spec cycles single, count, relation by seed; 3s + 2 is a relation seed of its own,
        # still far below the held-out seeds.
        return make_spec(len(KINDS) * seed + KINDS.index("relation"))
    return make_spec(seed)


def make_dataset(count, size, multi_fraction, relation_fraction=0.0):
    images = np.empty((count, size, size, 3), dtype=np.uint8)
    captions = []
    for seed in range(count):
        spec = train_spec(seed, multi_fraction, relation_fraction)
        images[seed] = render_spec(spec, size, seed)
        captions.append(spec_prompt(spec, "en"))
    return images, captions


def to_tensor(images, device="cpu"):
    return torch.from_numpy(images).to(device).permute(0, 3, 1, 2).float().div(127.5).sub(1.0)


# --------------------------------------------------------------------------------------- models

def build_models(args):
    from diffusers import AutoencoderKL, UNet2DConditionModel
    from transformers import CLIPTextConfig, CLIPTextModel, CLIPTokenizer

    tokenizer = CLIPTokenizer.from_pretrained(TOKENIZER_DIR)
    vae = AutoencoderKL(
        in_channels=3, out_channels=3,
        down_block_types=("DownEncoderBlock2D",) * len(args.vae_channels),
        up_block_types=("UpDecoderBlock2D",) * len(args.vae_channels),
        block_out_channels=tuple(args.vae_channels), layers_per_block=1, latent_channels=4,
        norm_num_groups=min(args.vae_channels) // 2, sample_size=args.size)
    text_config = CLIPTextConfig(
        vocab_size=tokenizer.vocab_size if hasattr(tokenizer, "vocab_size") else 49408,
        hidden_size=args.text_hidden, intermediate_size=4 * args.text_hidden,
        num_hidden_layers=args.text_layers, num_attention_heads=4, max_position_embeddings=77,
        hidden_act="quick_gelu", projection_dim=args.text_hidden,
        bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id)
    text_encoder = CLIPTextModel(text_config)
    unet = UNet2DConditionModel(
        sample_size=args.size // 2 ** (len(args.vae_channels) - 1), in_channels=4, out_channels=4,
        down_block_types=("CrossAttnDownBlock2D", "CrossAttnDownBlock2D"),
        up_block_types=("CrossAttnUpBlock2D", "CrossAttnUpBlock2D"),
        block_out_channels=tuple(args.unet_channels), layers_per_block=1,
        cross_attention_dim=args.text_hidden, attention_head_dim=args.unet_heads,
        norm_num_groups=min(args.unet_channels) // 2)
    return tokenizer, vae, text_encoder, unet


def load_models(folder):
    """The components of a saved pipeline, in float32, to continue training from."""
    from diffusers import AutoencoderKL, UNet2DConditionModel
    from transformers import CLIPTextModel, CLIPTokenizer

    tokenizer = CLIPTokenizer.from_pretrained(os.path.join(folder, "tokenizer"))
    vae = AutoencoderKL.from_pretrained(os.path.join(folder, "vae")).float().eval()
    text_encoder = CLIPTextModel.from_pretrained(os.path.join(folder, "text_encoder")).float()
    unet = UNet2DConditionModel.from_pretrained(os.path.join(folder, "unet")).float()
    return tokenizer, vae, text_encoder, unet


def count(module):
    return sum(p.numel() for p in module.parameters())


def load_warm_start(module, state, what):
    """Loads ``state`` (trained tensors under ``module``'s key names) into ``module`` and returns the keys it left at
    their initialisation; raises naming every key ``module`` lacks or whose shape differs, all at once."""
    own = module.state_dict()
    wrong = [key for key in state if key not in own or own[key].shape != state[key].shape]
    if wrong:
        raise ValueError(f"trained weights do not fit the {what}: {wrong}")
    missing, _ = module.load_state_dict(state, strict=False)
    return list(missing)


# ------------------------------------------------------------------------------------------ VAE

def train_vae(vae, images, args, log):
    opt = torch.optim.AdamW(vae.parameters(), lr=args.vae_lr, weight_decay=0.0)
    rng = np.random.default_rng(1)
    started = time.time()
    step, losses = 0, []
    vae.train()
    while step < args.vae_steps and time.time() - started < args.vae_minutes * 60:
        idx = rng.integers(0, len(images), args.vae_batch)
        x = to_tensor(images[idx], args.device)
        posterior = vae.encode(x).latent_dist
        z = posterior.sample()
        recon = vae.decode(z).sample
        rec = F.l1_loss(recon, x) + F.mse_loss(recon, x)
        kl = posterior.kl().mean() / (x.shape[1] * x.shape[2] * x.shape[3])
        loss = rec + args.vae_kl * kl
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(vae.parameters(), 1.0)
        lr_now = args.vae_lr * min(1.0, (step + 1) / 50)
        for group in opt.param_groups:
            group["lr"] = lr_now
        opt.step()
        losses.append(rec.item())
        step += 1
        if step % 25 == 0:
            log(f"vae step {step} rec {np.mean(losses[-25:]):.4f} kl {kl.item():.3f} "
                f"{time.time() - started:.0f}s")
    vae.eval()
    return {"steps": step, "seconds": round(time.time() - started, 1),
            "final_recon_loss": float(np.mean(losses[-50:]))}


@torch.no_grad()
def encode_all(vae, images, batch=256, device="cpu"):
    out = []
    for i in range(0, len(images), batch):
        out.append(vae.encode(to_tensor(images[i:i + batch], device)).latent_dist.mean)
    return torch.cat(out)


# ----------------------------------------------------------------------------------------- UNet

def tokenize(tokenizer, texts):
    return tokenizer(texts, padding="max_length", max_length=tokenizer.model_max_length,
                     truncation=True, return_tensors="pt").input_ids


def ema_update(ema, model, decay):
    with torch.no_grad():
        averaged, current = list(ema.parameters()), [p.detach() for p in model.parameters()]
        torch._foreach_mul_(averaged, decay)
        torch._foreach_add_(averaged, current, alpha=1.0 - decay)


def min_snr_weights(alphas_cumprod, timesteps, gamma):
    """Per-sample ε-loss weights min(SNR_t, γ) / SNR_t (Min-SNR-γ, Hang et al., arXiv 2303.09556, the
    weighting for the ε objective); all ones when ``gamma`` is 0 (plain ε-MSE). SNR_t = ᾱ_t / (1 − ᾱ_t)."""
    if gamma <= 0:
        return torch.ones(len(timesteps), device=timesteps.device)
    a = alphas_cumprod[timesteps]
    snr = a / (1.0 - a)
    return snr.clamp(max=gamma) / snr


def weighted_mse(prediction, target, weights):
    """ε-MSE averaged per sample, then weighted by ``weights`` (one per sample) and averaged."""
    per_sample = (prediction - target).pow(2).flatten(1).mean(1)
    return (per_sample * weights).mean()


def train_unet(unet, text_encoder, tokenizer, latents, captions, args, log):
    from diffusers import DDPMScheduler

    noise_scheduler = DDPMScheduler(num_train_timesteps=1000, beta_schedule="scaled_linear",
                                    beta_start=0.00085, beta_end=0.012)
    device = args.device
    alphas = noise_scheduler.alphas_cumprod.to(device)
    ids_all = tokenize(tokenizer, captions).to(device)
    ids_empty = tokenize(tokenizer, [""])[0].to(device)
    params = list(unet.parameters()) + list(text_encoder.parameters())
    opt = torch.optim.AdamW(params, lr=args.lr, weight_decay=1e-2)
    ema_unet, ema_text = copy.deepcopy(unet).eval(), copy.deepcopy(text_encoder).eval()
    for p in list(ema_unet.parameters()) + list(ema_text.parameters()):
        p.requires_grad_(False)
    rng = np.random.default_rng(2)
    gen = torch.Generator().manual_seed(3)
    budget = args.unet_minutes * 60
    started = time.time()
    step, losses = 0, []
    unet.train()
    text_encoder.train()
    while step < args.unet_steps:
        elapsed = time.time() - started
        if elapsed > budget:
            break
        # warmup, then constant, then linear decay over the last 25% of the time budget
        frac = elapsed / budget
        lr_now = args.lr * min(1.0, (step + 1) / args.warmup) * min(1.0, (1.0 - frac) / 0.25 + 0.05)
        for group in opt.param_groups:
            group["lr"] = lr_now
        idx = torch.from_numpy(rng.integers(0, len(latents), args.batch)).to(device)
        z0 = latents[idx] * args.scaling_factor
        ids = ids_all[idx].clone()
        drop = torch.from_numpy(rng.random(args.batch) < args.caption_dropout).to(device)
        ids[drop] = ids_empty
        # drawn on the CPU generator whatever the device, so a seed gives the same noise everywhere
        noise = torch.randn(z0.shape, generator=gen).to(device)
        t = torch.randint(0, 1000, (args.batch,), generator=gen).to(device)
        a = alphas[t].view(-1, 1, 1, 1)
        zt = a.sqrt() * z0 + (1 - a).sqrt() * noise
        context = text_encoder(ids)[0]
        pred = unet(zt, t, encoder_hidden_states=context).sample
        loss = weighted_mse(pred, noise, min_snr_weights(alphas, t, args.min_snr_gamma))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        step += 1
        decay = min(args.ema, (1 + step) / (10 + step))
        ema_update(ema_unet, unet, decay)
        ema_update(ema_text, text_encoder, decay)
        losses.append(loss.item())
        if step % 50 == 0:
            log(f"unet step {step} loss {np.mean(losses[-50:]):.4f} lr {lr_now:.2e} "
                f"{time.time() - started:.0f}s")
    return ema_unet, ema_text, {"steps": step, "seconds": round(time.time() - started, 1),
                                "final_loss": float(np.mean(losses[-200:])),
                                "loss_curve": [round(float(np.mean(losses[i:i + 50])), 4)
                                               for i in range(0, len(losses), 50)]}


# ----------------------------------------------------------------------------------------- main

def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default=os.path.join(ROOT, "Models", "shapesworld-t2i"))
    parser.add_argument("--size", type=int, default=32)
    parser.add_argument("--images", type=int, default=24000)
    parser.add_argument("--multi-fraction", type=float, default=0.15)
    parser.add_argument("--relation-fraction", type=float, default=0.0,
                        help="share of the non-inventory seeds drawn as relations (0 keeps the one-in-three cycle)")
    parser.add_argument("--vae-steps", type=int, default=100000)
    parser.add_argument("--vae-minutes", type=float, default=6.0)
    parser.add_argument("--vae-batch", type=int, default=32)
    parser.add_argument("--vae-lr", type=float, default=1.5e-3)
    parser.add_argument("--vae-kl", type=float, default=1e-4)
    parser.add_argument("--text-hidden", type=int, default=64)
    parser.add_argument("--text-layers", type=int, default=3)
    parser.add_argument("--vae-channels", type=int, nargs="+", default=[16, 32, 32])
    parser.add_argument("--unet-channels", type=int, nargs=2, default=[64, 128])
    parser.add_argument("--unet-heads", type=int, default=4)
    parser.add_argument("--unet-steps", type=int, default=1000000)
    parser.add_argument("--unet-minutes", type=float, default=25.0)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--lr", type=float, default=8e-4)
    parser.add_argument("--warmup", type=int, default=100)
    parser.add_argument("--ema", type=float, default=0.995)
    parser.add_argument("--caption-dropout", type=float, default=0.1)
    parser.add_argument("--min-snr-gamma", type=float, default=0.0,
                        help="Min-SNR-γ loss weighting (0: plain ε-MSE, as stages 1-3 were trained)")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--device", default="cpu", help="torch device to train on (cpu, cuda); data is made on the CPU")
    parser.add_argument("--init-from", default="",
                        help="continue from a saved pipeline folder (keeps its VAE)")
    parser.add_argument("--fp32", action="store_true", help="store fp32 weights (default fp16)")
    args = parser.parse_args(argv)

    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    t0 = time.time()

    def log(message):
        print(f"[{time.time() - t0:7.1f}s] {message}", flush=True)

    previous = None
    if args.init_from:
        tokenizer, vae, text_encoder, unet = load_models(args.init_from)
        with open(os.path.join(args.init_from, "training.json"), encoding="utf-8") as f:
            previous = json.load(f)
    else:
        tokenizer, vae, text_encoder, unet = build_models(args)
    vae, text_encoder, unet = vae.to(args.device), text_encoder.to(args.device), unet.to(args.device)
    log(f"params: vae {count(vae):,} text {count(text_encoder):,} unet {count(unet):,} on {args.device}")
    images, captions = make_dataset(args.images, args.size, args.multi_fraction, args.relation_fraction)
    log(f"rendered {len(images)} training images (train seeds 0..{args.images - 1})")

    if args.init_from:
        vae_info = {"steps": 0, "note": f"VAE kept from {args.init_from}"}
    else:
        vae_info = train_vae(vae, images, args, log)
    with torch.no_grad():
        x = to_tensor(images[-256:], args.device)
        recon = vae.decode(vae.encode(x).latent_dist.mean).sample.clamp(-1, 1)
        vae_info["recon_mae_255"] = float((recon - x).abs().mean() * 127.5)
    latents = encode_all(vae, images, device=args.device)
    if args.init_from:
        args.scaling_factor = float(vae.config.scaling_factor)
    else:
        args.scaling_factor = float(1.0 / latents.std())
        vae.register_to_config(scaling_factor=args.scaling_factor)
    log(f"vae {vae_info}; latents {tuple(latents.shape)} scaling_factor {args.scaling_factor:.4f}")

    ema_unet, ema_text, unet_info = train_unet(unet, text_encoder, tokenizer, latents, captions,
                                               args, log)
    log(f"unet {dict((k, v) for k, v in unet_info.items() if k != 'loss_curve')}")
    save(args, tokenizer, vae, ema_text, ema_unet,
         {"command": " ".join(["python3"] + sys.argv), "args": vars(args),
          "vae": vae_info, "unet_text": unet_info, "total_seconds": round(time.time() - t0, 1),
          "torch": torch.__version__, "continued_from": previous})
    log(f"saved to {args.out}")
    return 0


def save(args, tokenizer, vae, text_encoder, unet, info):
    from diffusers import DDIMScheduler, StableDiffusionPipeline

    scheduler = DDIMScheduler(num_train_timesteps=1000, beta_schedule="scaled_linear",
                              beta_start=0.00085, beta_end=0.012, clip_sample=False,
                              set_alpha_to_one=False, steps_offset=1)
    dtype = torch.float32 if args.fp32 else torch.float16
    pipe = StableDiffusionPipeline(vae=vae.to("cpu", dtype), text_encoder=text_encoder.to("cpu", dtype),
                                   tokenizer=tokenizer, unet=unet.to("cpu", dtype), scheduler=scheduler,
                                   safety_checker=None, feature_extractor=None,
                                   requires_safety_checker=False)
    pipe.save_pretrained(args.out, safe_serialization=True)
    with open(os.path.join(args.out, "training.json"), "w", encoding="utf-8") as f:
        json.dump(info, f, indent=2)


if __name__ == "__main__":
    sys.exit(main())
