"""Grow a trained story UNet by one outer level, for a VAE with twice as fine a latent grid.

``train_story.py --vae-from`` uses this when the new VAE (``train_story_vae.py``) halves the latent cell. The
UNet stays a diffusers ``UNet2DConditionModel`` (the engine's SD-family UNet): ``outer_level_unet`` prepends a
``DownBlock2D`` and appends an ``UpBlock2D`` working at the finer grid, both without attention, and the trained
levels move one place inwards:

    new conv_in (fine grid) -> down_blocks.0 (new) -> down_blocks.1.. = old down_blocks.0..
    mid_block = old mid_block;  up_blocks.0.. = old up_blocks.0..  (the old last one gains an upsampler)
    -> up_blocks.-1 (new) -> conv_norm_out, conv_out (old)

In the trained UNet the innermost up block read the skip state of ``conv_in``; in the grown one that state is the
new down block's downsampler output, so the old levels work unchanged if that output is what the old ``conv_in``
gave. ``distill_outer_level`` teaches the new ``conv_in`` and down block exactly that on the coarse band of
noised fine latents (each 2x2 block summed and halved, ``coarse_band``; with the VAE's coarse
anchor, that band is distributed as the old latents under the same noise). The new up path starts as a copy:
the upsampler's convolution and the new ResNets pass the upsampled old features through (identity centre taps,
the skip channels' shortcut weights and the second convolutions zero), and ``conv_out`` is halved, so the grown
UNet predicts each fine cell's noise as half the old coarse prediction: a coarse band equal to the old UNet's
and no detail, which the story training then learns. Until it has, the grown UNet samples noise: predicting no
noise in the detail bands makes DDIM's x0 estimate scale their noise by 1 / sqrt(alpha_bar_t) (EVALS.md, Story,
"Session 15"), so a grown folder is a starting point for training, not a model.
"""

import copy

import numpy as np
import torch
import torch.nn.functional as F

from train_base_t2i import load_warm_start


def coarse_band(latents):
    """Each 2x2 block of (B, C, H, W) summed and halved: the LL band of an orthonormal Haar step, (B, C, H/2, W/2).
    Unit-variance white noise keeps unit variance under it."""
    return F.avg_pool2d(latents, 2) * 2.0


def outer_level_unet(trained):
    """``trained`` with one outer level around it (the module docstring). Returns the grown UNet and the keys of
    the new parts, which start as described there; the old weights are copied exactly."""
    from diffusers import UNet2DConditionModel

    config = {key: value for key, value in dict(trained.config).items() if not key.startswith("_")}
    outer = config["block_out_channels"][0]
    grown = UNet2DConditionModel(**{
        **config, "sample_size": 2 * config["sample_size"],
        "block_out_channels": (outer, *config["block_out_channels"]),
        "down_block_types": ("DownBlock2D", *config["down_block_types"]),
        "up_block_types": (*config["up_block_types"], "UpBlock2D")})
    state = {}
    for key, value in trained.state_dict().items():
        if key.startswith("down_blocks."):
            index = int(key.split(".")[1])
            state[key.replace(f"down_blocks.{index}.", f"down_blocks.{index + 1}.", 1)] = value
        else:
            state[key] = value
    fresh = load_warm_start(grown, state, "grown UNet")
    last = len(grown.up_blocks) - 1
    with torch.no_grad():
        _identity_centre(grown.up_blocks[last - 1].upsamplers[0].conv)
        for resnet in grown.up_blocks[last].resnets:
            # input = [upsampled features | skip state]: the shortcut passes the first part, the branch adds nothing
            shortcut = resnet.conv_shortcut.weight
            shortcut.zero_()
            shortcut[:, :shortcut.shape[0], 0, 0] = torch.eye(shortcut.shape[0])
            resnet.conv_shortcut.bias.zero_()
            resnet.conv2.weight.zero_()
            resnet.conv2.bias.zero_()
        grown.conv_out.weight.mul_(0.5)
        grown.conv_out.bias.mul_(0.5)
    return grown, fresh


def _identity_centre(conv):
    conv.weight.zero_()
    conv.weight[:, :, conv.weight.shape[2] // 2, conv.weight.shape[3] // 2] = torch.eye(conv.weight.shape[0])
    conv.bias.zero_()


def distill_outer_level(grown, trained, latents, alphas, steps, batch, lr, device, log, seed=0):
    """Trains the grown UNet's ``conv_in`` and first down block so that the downsampler's output on noised fine
    latents equals the trained UNet's ``conv_in`` on their coarse band (the skip state the old levels read).
    ``latents``: scaled fine latents (N, C, h, w); noise levels drawn like the story training's. Returns the
    MSE of the first and the last 50 steps."""
    student = [grown.conv_in, grown.down_blocks[0]]
    parameters = [p for module in student for p in module.parameters()]
    optimizer = torch.optim.AdamW(parameters, lr=lr, weight_decay=0.0)
    generator = torch.Generator().manual_seed(seed)
    rng = np.random.default_rng(seed)
    trained_conv_in = copy.deepcopy(trained.conv_in).to(device).requires_grad_(False)
    losses = []
    for step in range(steps):
        clean = latents[torch.from_numpy(rng.integers(0, len(latents), batch)).to(latents.device)].to(device)
        noise = torch.randn(clean.shape, generator=generator).to(device)
        t = torch.randint(0, 1000, (batch,), generator=generator).to(device)
        a = alphas[t].view(-1, 1, 1, 1)
        noisy = a.sqrt() * clean + (1 - a).sqrt() * noise
        with torch.no_grad():
            target = trained_conv_in(coarse_band(noisy))
            temb = grown.time_embedding(grown.time_proj(t).to(noisy.dtype))
        hidden, _ = grown.down_blocks[0](grown.conv_in(noisy), temb)
        loss = F.mse_loss(hidden, target)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
        if (step + 1) % 100 == 0:
            log(f"outer level distill step {step + 1} MSE {np.mean(losses[-100:]):.5f}")
    return {"steps": steps, "first_mse": losses[0] if losses else None,
            "final_mse": float(np.mean(losses[-50:])) if losses else None,
            "target_mean_square": float(target.pow(2).mean()) if losses else None}
