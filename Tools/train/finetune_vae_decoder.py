#!/usr/bin/env python3
"""Fine-tune only the VAE *decoder* of a saved pipeline or story folder.

    nice -n 5 python3 Tools/train/finetune_vae_decoder.py --model /tmp/run1 --out Models/shapesworld-t2i
    nice -n 5 python3 Tools/train/finetune_vae_decoder.py --data stories --model /tmp/story --out Models/shapesworld-story

The encoder (and so every latent the UNet was trained on, and the scaling factor) is frozen, so
the UNet and text encoder stay valid; only latent -> image gets sharper. Data: the same ShapesWorld
train seeds as ``train_base_t2i.py`` (0 .. images-1), encoded with the frozen encoder's posterior
mean; loss L1 + MSE against the render (``--stripe-weight`` weights the hidden stripe's pixels up).
Copies the pipeline folder to ``--out`` with the new decoder (fp16 safetensors) and records the stage
in ``training.json`` (an earlier decoder stage moves under its ``previous``).

``--data stories`` uses the frames of ShapesWorld story train seeds 0 .. images-1 instead (the last
stage of the story model, after ``train_story.py``: the story UNet keeps its latents and the
hidden stripe comes out sharper) and records the judge's stripe recovery on validation stories
before and after. ``--device cuda --workers N`` trains on a GPU with the frames rendered by N processes
(stage 8 of the story model: 7,670 steps of 128 frames in under two minutes).
"""

import argparse
import json
import os
import shutil
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from train_base_t2i import encode_all, make_dataset, to_tensor  # noqa: E402


def _frames_and_stripes(task):
    from train_story import render_scene, story_for_seed, stripe_mask

    start, stop, size = task
    return [(render_scene(scene), stripe_mask(scene))
            for seed in range(start, stop) for scene in story_for_seed(seed, size)["frames"]]


def story_frames(count, size, workers=1):
    """Every frame of story train seeds 0 .. count-1, (N, H, W, 3) uint8, and the pixels its stripe covers,
    (N, H, W) bool (rendered by ``workers`` processes)."""
    from train_story import map_seed_chunks

    pairs = map_seed_chunks(_frames_and_stripes, count, size, workers)
    return np.stack([frame for frame, _ in pairs]), np.stack([mask for _, mask in pairs])


def reconstruction_loss(reconstruction, target, weights=None):
    """L1 + MSE over (B, 3, H, W); ``weights`` (B, 1, H, W) makes both a weighted mean over pixels."""
    if weights is None:
        return F.l1_loss(reconstruction, target) + F.mse_loss(reconstruction, target)
    error = reconstruction - target
    per_pixel = (error.abs() + error.square()).mean(dim=1, keepdim=True)
    return (weights * per_pixel).sum() / weights.expand_as(per_pixel).sum()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--size", type=int, default=32)
    parser.add_argument("--images", type=int, default=12000)
    parser.add_argument("--multi-fraction", type=float, default=0.15)
    parser.add_argument("--minutes", type=float, default=9.0)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--device", default="cpu", help="torch device to train on (cpu, cuda)")
    parser.add_argument("--workers", type=int, default=1, help="processes rendering story frames")
    parser.add_argument("--recovery-stories", type=int, default=30,
                        help="validation stories judged on VAE round trips before and after")
    parser.add_argument("--stripe-weight", type=float, default=0.0,
                        help="with --data stories: extra loss weight on the pixels of the hidden stripe "
                             "(a pixel there counts 1 + this)")
    parser.add_argument("--data", choices=("t2i", "stories"), default="t2i",
                        help="text-to-image training images, or story frames (--images stories)")
    args = parser.parse_args(argv)
    if args.stripe_weight and args.data != "stories":
        parser.error("--stripe-weight needs --data stories (only story frames have a hidden stripe)")
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    from diffusers import AutoencoderKL

    t0 = time.time()
    device = args.device
    if args.data == "stories":
        from train_story import stripe_recovery
        # rendered before the model is loaded, so the worker processes fork before any accelerator starts
        images, masks = story_frames(args.images, args.size, args.workers)
    else:
        images, _ = make_dataset(args.images, args.size, args.multi_fraction)
    # (N, 1, H, W) 0/1 where the stripe is, kept only when the loss weights it
    stripe_masks = torch.from_numpy(masks).to(device).unsqueeze(1).float() if args.stripe_weight else None
    vae = AutoencoderKL.from_pretrained(os.path.join(args.model, "vae")).float().to(device)
    vae.eval()
    recovery = args.recovery_stories
    stripes_before = stripe_recovery(vae, args.size, recovery) if args.data == "stories" else None
    held = images[-256:]
    with torch.no_grad():
        latents = encode_all(vae, images, device=device)
        before = float((vae.decode(encode_all(vae, held, device=device)).sample.clamp(-1, 1)
                        - to_tensor(held, device)).abs().mean() * 127.5)
    print(f"[{time.time() - t0:.0f}s] encoded {len(images)}; held-out MAE before {before:.2f}/255",
          flush=True)
    for p in vae.parameters():
        p.requires_grad_(False)
    decoder_params = list(vae.decoder.parameters()) + list(vae.post_quant_conv.parameters())
    for p in decoder_params:
        p.requires_grad_(True)
    vae.decoder.train()
    opt = torch.optim.AdamW(decoder_params, lr=args.lr, weight_decay=0.0)
    rng = np.random.default_rng(4)
    started, step, losses = time.time(), 0, []
    budget = args.minutes * 60
    while time.time() - started < budget:
        frac = (time.time() - started) / budget
        for group in opt.param_groups:
            group["lr"] = args.lr * min(1.0, (step + 1) / 50) * min(1.0, (1 - frac) / 0.3 + 0.05)
        idx = rng.integers(0, len(images) - 256, args.batch)
        x = to_tensor(images[idx], device)
        recon = vae.decode(latents[idx]).sample
        weights = 1 + args.stripe_weight * stripe_masks[idx] if stripe_masks is not None else None
        loss = reconstruction_loss(recon, x, weights)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(decoder_params, 1.0)
        opt.step()
        losses.append(loss.item())
        step += 1
        if step % 100 == 0:
            print(f"[{time.time() - t0:.0f}s] decoder step {step} loss {np.mean(losses[-100:]):.4f}",
                  flush=True)
    vae.eval()
    with torch.no_grad():
        after = float((vae.decode(encode_all(vae, held, device=device)).sample.clamp(-1, 1)
                       - to_tensor(held, device)).abs().mean() * 127.5)
    stripes_after = stripe_recovery(vae, args.size, recovery) if args.data == "stories" else None
    print(f"[{time.time() - t0:.0f}s] {step} steps; held-out MAE after {after:.2f}/255; "
          f"stripes {stripes_before} -> {stripes_after}", flush=True)

    if os.path.abspath(args.out) != os.path.abspath(args.model):
        shutil.copytree(args.model, args.out, dirs_exist_ok=True)
    vae.to("cpu").half().save_pretrained(os.path.join(args.out, "vae"), safe_serialization=True)
    info_path = os.path.join(args.out, "training.json")
    with open(info_path, encoding="utf-8") as f:
        info = json.load(f)
    earlier = info.get("vae_decoder_finetune")
    info["vae_decoder_finetune"] = {"command": " ".join(["python3"] + sys.argv), "data": args.data, "steps": step,
                                    "stripe_weight": args.stripe_weight,
                                    "seconds": round(time.time() - started, 1), "device": device,
                                    "torch": torch.__version__,
                                    "final_loss": float(np.mean(losses[-100:])),
                                    "heldout_mae_255_before": before,
                                    "heldout_mae_255_after": after,
                                    "stripe_recovery_before": stripes_before,
                                    "stripe_recovery_after": stripes_after}
    if earlier is not None:  # an earlier decoder stage of the same folder stays on record
        info["vae_decoder_finetune"]["previous"] = earlier
    with open(info_path, "w", encoding="utf-8") as f:
        json.dump(info, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
