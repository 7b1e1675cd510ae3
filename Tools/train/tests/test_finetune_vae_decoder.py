"""The decoder-only VAE fine-tune: a short run on story frames changes the decoder, leaves the encoder (and so
every latent the UNet learned) byte for byte, and records the run and its judged round trips."""

import json
import os
import shutil

import numpy as np
import torch
from safetensors.torch import load_file

import finetune_vae_decoder as f

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
STORY = os.path.join(ROOT, "Models", "shapesworld-story")


def test_a_short_run_tunes_the_decoder_alone(tmp_path):
    model = tmp_path / "model"
    shutil.copytree(STORY, model)
    out = tmp_path / "out"
    weights = os.path.join("vae", "diffusion_pytorch_model.safetensors")
    before = load_file(os.path.join(STORY, weights))

    assert f.main(["--data", "stories", "--model", str(model), "--out", str(out), "--images", "80",
                   "--minutes", "0.03", "--batch", "16", "--lr", "5e-4", "--workers", "2",
                   "--recovery-stories", "1", "--stripe-weight", "10"]) == 0

    after = load_file(os.path.join(out, weights))
    assert before.keys() == after.keys()
    encoder = [k for k in before if k.startswith(("encoder.", "quant_conv."))]
    decoder = [k for k in before if k.startswith(("decoder.", "post_quant_conv."))]
    assert encoder and decoder and len(encoder) + len(decoder) == len(before)
    assert all(torch.equal(before[k], after[k]) for k in encoder)
    changed = sum(not torch.equal(before[k], after[k]) for k in decoder)
    assert changed > len(decoder) // 2
    record = json.loads((out / "training.json").read_text())["vae_decoder_finetune"]
    assert record["steps"] > 0 and record["device"] == "cpu" and record["stripe_weight"] == 10
    earlier = json.loads((model / "training.json").read_text())["vae_decoder_finetune"]
    assert record["previous"] == earlier  # the folder's own decoder stage stays on record
    assert record["stripe_recovery_before"]["frames"] > 0
    assert 0.0 <= record["stripe_recovery_after"]["stripe_recovered"] <= 1.0
    # the rest of the folder is copied as it was
    assert (out / "unet" / "diffusion_pytorch_model.safetensors").read_bytes() == \
        (model / "unet" / "diffusion_pytorch_model.safetensors").read_bytes()


def test_the_weighted_loss_is_a_weighted_mean_over_pixels():
    torch.manual_seed(0)
    reconstruction, target = torch.randn(2, 3, 4, 4), torch.randn(2, 3, 4, 4)
    plain = f.reconstruction_loss(reconstruction, target)
    assert torch.allclose(f.reconstruction_loss(reconstruction, target, torch.ones(2, 1, 4, 4)), plain)
    weights = torch.ones(2, 1, 4, 4)
    weights[0, 0, 1, 2] = 11.0  # one stripe pixel counts 11 times
    error = reconstruction - target
    per_pixel = (error.abs() + error.square()).mean(dim=1)
    expected = (per_pixel.sum() + 10 * per_pixel[0, 1, 2]) / (32 + 10)
    assert torch.allclose(f.reconstruction_loss(reconstruction, target, weights), expected)


def test_story_frames_are_the_training_stories_frames_with_their_stripes():
    from train_story import render_stories

    frames, masks = f.story_frames(3, 32, workers=2)
    stories, lengths, _ = render_stories(3, 32)
    assert np.array_equal(frames, np.concatenate([stories[s, :n] for s, n in enumerate(lengths)]))
    assert masks.shape == frames.shape[:3] and masks.dtype == bool
    assert all(0 < mask.sum() < 0.1 * mask.size for mask in masks)  # a thin stripe in every frame


def test_stripe_weight_without_story_frames_is_refused(tmp_path):
    import pytest

    with pytest.raises(SystemExit):
        f.main(["--model", STORY, "--out", str(tmp_path / "out"), "--stripe-weight", "10"])
    assert not (tmp_path / "out").exists()
