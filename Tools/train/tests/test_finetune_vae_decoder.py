"""The decoder-only VAE fine-tune: a short run on story frames changes the decoder, leaves the encoder (and so
every latent the UNet learned) byte for byte, and records the run and its judged round trips."""

import json
import os
import shutil

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
                   "--recovery-stories", "1"]) == 0

    after = load_file(os.path.join(out, weights))
    assert before.keys() == after.keys()
    encoder = [k for k in before if k.startswith(("encoder.", "quant_conv."))]
    decoder = [k for k in before if k.startswith(("decoder.", "post_quant_conv."))]
    assert encoder and decoder and len(encoder) + len(decoder) == len(before)
    assert all(torch.equal(before[k], after[k]) for k in encoder)
    changed = sum(not torch.equal(before[k], after[k]) for k in decoder)
    assert changed > len(decoder) // 2
    record = json.loads((out / "training.json").read_text())["vae_decoder_finetune"]
    assert record["steps"] > 0 and record["device"] == "cpu"
    assert record["stripe_recovery_before"]["frames"] > 0
    assert 0.0 <= record["stripe_recovery_after"]["stripe_recovered"] <= 1.0
    # the rest of the folder is copied as it was
    assert (out / "unet" / "diffusion_pytorch_model.safetensors").read_bytes() == \
        (model / "unet" / "diffusion_pytorch_model.safetensors").read_bytes()
