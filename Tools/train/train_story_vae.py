#!/usr/bin/env python3
"""Train a story VAE with a finer latent grid: one downsampling fewer than the story folder's VAE.

    nice -n 5 python3 Tools/train/train_story_vae.py --init-from Models/shapesworld-story --out /tmp/vae16 \
        --stories 20000 --minutes 45 --threads 1

Why: the story model's stripe (the hidden attribute only the history carries) is a 1.5-3 px band on a 32 px
frame, thinner than one cell of the 8x8 latent grid, and the UNet draws it as a smudge (EVALS.md, "What the
failures look like"). The VAE alone bounds the story figures: round trips of the real frames of 200 validation
stories through the shipped VAE keep 78.5% of the stories consistent (the real frames: 87.5%; a plain 16x16 VAE
from this script, 50 minutes on one thread: 82.5%; EVALS.md, Story, "Session 15"). A VAE with block channels
``--channels`` (default 16 32: one downsampling, 16x16 latents, diffusers ``AutoencoderKL``) puts four latent
cells where there was one.

Warm start (``shallower_vae``): the new VAE takes the loaded one's weights wherever the block layout allows:
encoder ``conv_in``, the first ``len(channels)`` down blocks (the last keeps its ResNets, not its
downsampler), mid block, ``conv_norm_out``, ``conv_out``, ``quant_conv``; decoder ``conv_in``, mid block, the
*last* ``len(channels)`` up blocks (the first of them keeping its upsampler), ``conv_norm_out``, ``conv_out``,
``post_quant_conv``. Then encoder and decoder train on story frames (train seeds 0 .. stories-1, every frame)
with L1 + MSE reconstruction of a posterior sample and ``--kl`` times the KL term, as ``train_base_t2i.py``
trains the base VAE; ``--stripe-weight W`` makes the reconstruction a weighted mean over pixels in which the
stripe's pixels count 1 + W (as ``finetune_vae_decoder.py --stripe-weight`` does for a decoder alone). With
``--channels`` equal to the loaded VAE's, the run continues that VAE (``--init-from`` a folder written by this
script). ``--recovery-stories 0`` skips the round-trip judging.

``--coarse-anchor W`` adds W times the MSE between the coarse (Haar LL) band of the new scaled latents, each
2x2 block summed and halved, and the loaded VAE's scaled latents. Summed-and-halved keeps unit-variance noise
at unit variance, so under the anchor the noised coarse band is distributed as the old latents noised by the
same DDPM step: the 8x8 story UNet's latent space survives as the coarse band of the new one (a warm start for
a UNet that wraps the old one in an outer 16x16 level). The scaling factor then stays the loaded VAE's;
without the anchor it is 1 / std of the training frames' posterior means, as for the base VAE.

Output: ``--out``/vae (fp16 safetensors) and ``--out``/training.json with the command, steps, losses, held-out
reconstruction MAE, and the judge's protagonist and stripe recovery on round trips of the first
``--recovery-stories`` validation stories, for the loaded VAE and the new one.
"""

import argparse
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from finetune_vae_decoder import reconstruction_loss, story_frames  # noqa: E402
from grow_story_unet import coarse_band  # noqa: E402
from train_base_t2i import encode_all, load_warm_start, to_tensor  # noqa: E402
from train_story import stripe_recovery  # noqa: E402


def shallower_vae(trained, channels):
    """A new ``AutoencoderKL`` with block channels ``channels`` (the first blocks of ``trained``: fewer, or all of
    them to continue training it), warm-started from ``trained`` as the module docstring says. Returns the VAE
    and the new keys left at their initialisation; raises if a copied tensor's shape disagrees."""
    from diffusers import AutoencoderKL

    config = {key: value for key, value in dict(trained.config).items() if not key.startswith("_")}
    old_blocks, blocks = len(config["block_out_channels"]), len(channels)
    if not 1 <= blocks <= old_blocks:
        raise ValueError(f"--channels needs 1 to {old_blocks} blocks, got {blocks}")
    if list(channels) != list(config["block_out_channels"][:blocks]):
        raise ValueError(f"--channels {channels} must be the first {blocks} of {config['block_out_channels']}")
    vae = AutoencoderKL(**{**config, "block_out_channels": tuple(channels),
                           "down_block_types": ("DownEncoderBlock2D",) * blocks,
                           "up_block_types": ("UpDecoderBlock2D",) * blocks})
    shift = old_blocks - blocks  # new up block i is old up block i + shift
    state = {}
    for key, value in trained.state_dict().items():
        if key.startswith("encoder.down_blocks."):
            index = int(key.split(".")[2])
            if index >= blocks or (index == blocks - 1 and ".downsamplers." in key):
                continue
            state[key] = value
        elif key.startswith("decoder.up_blocks."):
            index = int(key.split(".")[2]) - shift
            if index < 0:
                continue
            state[key.replace(f"up_blocks.{index + shift}.", f"up_blocks.{index}.", 1)] = value
        else:
            state[key] = value
    return vae, load_warm_start(vae, state, "new VAE")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--init-from", required=True, help="a story folder whose VAE is the warm start")
    parser.add_argument("--out", required=True)
    parser.add_argument("--channels", type=int, nargs="+", default=[16, 32])
    parser.add_argument("--size", type=int, default=32)
    parser.add_argument("--stories", type=int, default=20000, help="train seeds 0 .. stories-1, every frame")
    parser.add_argument("--minutes", type=float, default=45.0)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--kl", type=float, default=1e-4)
    parser.add_argument("--stripe-weight", type=float, default=0.0,
                        help="extra reconstruction weight on the stripe's pixels (a pixel there counts 1 + this)")
    parser.add_argument("--coarse-anchor", type=float, default=0.0,
                        help="weight of the MSE between the new latents' coarse band and the loaded VAE's latents")
    parser.add_argument("--recovery-stories", type=int, default=200,
                        help="validation stories judged on round trips through the loaded VAE and the new one")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--workers", type=int, default=1, help="processes rendering story frames")
    parser.add_argument("--device", default="cpu", help="torch device to train on (cpu, cuda)")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    from diffusers import AutoencoderKL

    t0 = time.time()

    def log(message):
        print(f"[{time.time() - t0:7.1f}s] {message}", flush=True)

    device = args.device
    images, masks = story_frames(args.stories, args.size, args.workers)  # rendered before any accelerator starts
    # (N, 1, H, W) 0/1 where the stripe is, kept only when the loss weights it
    stripe_masks = torch.from_numpy(masks).to(device).unsqueeze(1).float() if args.stripe_weight else None
    log(f"rendered {len(images)} frames of {args.stories} stories")
    trained = AutoencoderKL.from_pretrained(os.path.join(args.init_from, "vae")).float().to(device).eval()
    trained.requires_grad_(False)
    vae, fresh = shallower_vae(trained, args.channels)
    vae = vae.to(device)
    scale = trained.config.scaling_factor
    held = images[-min(256, len(images) // 10 or 1):]  # held out of training, for the MAE
    recovery_before = stripe_recovery(trained, args.size, args.recovery_stories)
    grid, loaded_grid = (args.size // 2 ** (len(channels) - 1)
                         for channels in (args.channels, trained.config.block_out_channels))
    log(f"loaded VAE: grid {loaded_grid}, stripes {recovery_before}; new VAE grid {grid}, {len(fresh)} tensors fresh")
    if args.coarse_anchor and grid != 2 * loaded_grid:
        parser.error(f"--coarse-anchor needs a grid twice as fine as the loaded one ({loaded_grid} -> {grid})")

    optimizer = torch.optim.AdamW(vae.parameters(), lr=args.lr, weight_decay=0.0)
    rng = np.random.default_rng(5)
    started, step, losses, anchors = time.time(), 0, [], []
    budget = args.minutes * 60
    vae.train()
    while time.time() - started < budget:
        fraction = (time.time() - started) / budget
        for group in optimizer.param_groups:  # warm-up, then flat, then linear decay over the last 30%
            group["lr"] = args.lr * min(1.0, (step + 1) / 50) * min(1.0, (1 - fraction) / 0.3 + 0.05)
        rows = rng.integers(0, len(images) - len(held), args.batch)
        x = to_tensor(images[rows], device)
        posterior = vae.encode(x).latent_dist
        reconstruction = vae.decode(posterior.sample()).sample
        weights = 1 + args.stripe_weight * stripe_masks[rows] if stripe_masks is not None else None
        loss = reconstruction_loss(reconstruction, x, weights)
        losses.append(loss.item())
        loss = loss + args.kl * posterior.kl().mean() / x[0].numel()
        if args.coarse_anchor:
            with torch.no_grad():
                target = trained.encode(x).latent_dist.mean * scale
            anchor = F.mse_loss(coarse_band(posterior.mean * scale), target)
            anchors.append(anchor.item())
            loss = loss + args.coarse_anchor * anchor
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(vae.parameters(), 1.0)
        optimizer.step()
        step += 1
        if step % 200 == 0:
            log(f"step {step} reconstruction {np.mean(losses[-200:]):.4f}"
                + (f" anchor {np.mean(anchors[-200:]):.4f}" if anchors else ""))
    vae.eval().requires_grad_(False)

    with torch.no_grad():
        means = encode_all(vae, images[:-len(held)][:20000], device=device)
        if not args.coarse_anchor:
            scale = 1.0 / float(means.std())
        vae.register_to_config(scaling_factor=scale)
        mae = {name: float((model.decode(encode_all(model, held, device=device)).sample.clamp(-1, 1)
                            - to_tensor(held, device)).abs().mean() * 127.5)
               for name, model in (("loaded", trained), ("new", vae))}
        compared, coarse_error = min(2000, len(means)), None
        if grid == 2 * loaded_grid:  # the coarse band lives on the loaded VAE's grid
            coarse_error = float(F.mse_loss(coarse_band(means[:compared] * scale), encode_all(
                trained, images[:compared], device=device) * trained.config.scaling_factor))
    recovery_after = stripe_recovery(vae, args.size, args.recovery_stories)
    log(f"{step} steps; held-out MAE {mae['loaded']:.2f} -> {mae['new']:.2f}/255; stripes {recovery_after}; "
        f"scaled latent std {float(means.std()) * scale:.3f}, coarse band MSE to the loaded latents {coarse_error}")

    vae.to("cpu").half().save_pretrained(os.path.join(args.out, "vae"), safe_serialization=True)
    record = {"command": " ".join(["python3"] + sys.argv), "args": vars(args), "steps": step,
              "seconds": round(time.time() - started, 1), "frames": len(images), "device": device,
              "torch": torch.__version__, "latent_grid": grid,
              "scaling_factor": scale, "fresh_tensors": fresh,
              "final_reconstruction_loss": float(np.mean(losses[-200:])),
              "final_coarse_anchor": float(np.mean(anchors[-200:])) if anchors else None,
              "coarse_band_mse_to_loaded": coarse_error,
              "heldout_mae_255": mae, "stripe_recovery": {"loaded": recovery_before, "new": recovery_after},
              "loss_curve": [round(float(np.mean(losses[i:i + 200])), 4) for i in range(0, len(losses), 200)]}
    loaded_record = os.path.join(args.init_from, "training.json")
    if os.path.exists(loaded_record):  # a VAE this script trained before stays on record under "previous"
        with open(loaded_record, encoding="utf-8") as f:
            record["previous"] = json.load(f).get("story_vae")
    with open(os.path.join(args.out, "training.json"), "w", encoding="utf-8") as f:
        json.dump({"story_vae": record}, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
