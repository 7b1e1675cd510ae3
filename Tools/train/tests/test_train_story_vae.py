"""The finer-grid story VAE: its warm start copies every trained tensor the new layout has, a short run writes a
VAE one downsampling shallower with its round trips judged and its coarse-anchor record, and a run with the same
channels continues a VAE, optionally with the stripe weighted."""

import json
import os

import torch

import train_story_vae as v

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
STORY = os.path.join(ROOT, "Models", "shapesworld-story")


def story_vae():
    from diffusers import AutoencoderKL

    return AutoencoderKL.from_pretrained(os.path.join(STORY, "vae")).float().eval()


def test_the_warm_start_copies_the_outer_blocks_and_skips_the_innermost():
    trained = story_vae()
    vae, fresh = v.shallower_vae(trained, [16, 32])
    assert fresh == [] and list(vae.config.block_out_channels) == [16, 32]
    old, new = trained.state_dict(), vae.state_dict()
    # encoder: down block 0 whole, down block 1 without its downsampler, down block 2 dropped
    assert torch.equal(new["encoder.down_blocks.0.downsamplers.0.conv.weight"],
                       old["encoder.down_blocks.0.downsamplers.0.conv.weight"])
    assert torch.equal(new["encoder.down_blocks.1.resnets.0.conv1.weight"],
                       old["encoder.down_blocks.1.resnets.0.conv1.weight"])
    assert not any(key.startswith("encoder.down_blocks.1.downsamplers") for key in new)
    # decoder: up blocks 1 and 2 become 0 and 1 (up block 1 keeps its upsampler), up block 0 dropped
    assert torch.equal(new["decoder.up_blocks.0.upsamplers.0.conv.weight"],
                       old["decoder.up_blocks.1.upsamplers.0.conv.weight"])
    assert torch.equal(new["decoder.up_blocks.1.resnets.0.conv1.weight"],
                       old["decoder.up_blocks.2.resnets.0.conv1.weight"])
    for key in ("encoder.conv_in.weight", "encoder.mid_block.attentions.0.to_q.weight", "quant_conv.weight",
                "decoder.conv_out.weight", "post_quant_conv.weight"):
        assert torch.equal(new[key], old[key]), key
    with torch.no_grad():
        assert vae.encode(torch.zeros(1, 3, 32, 32)).latent_dist.mean.shape == (1, 4, 16, 16)


def test_channels_must_be_a_prefix_of_the_trained_ones():
    trained = story_vae()
    for channels in ([16, 32, 32, 32], [32, 32], []):
        try:
            v.shallower_vae(trained, channels)
        except ValueError:
            continue
        raise AssertionError(f"{channels} was accepted")


def test_a_short_anchored_run_writes_a_16_by_16_vae_and_its_record(tmp_path):
    from diffusers import AutoencoderKL

    assert v.main(["--init-from", STORY, "--out", str(tmp_path), "--stories", "40", "--minutes", "0.15",
                   "--batch", "8", "--recovery-stories", "2", "--coarse-anchor", "1"]) == 0
    vae = AutoencoderKL.from_pretrained(tmp_path / "vae")
    assert list(vae.config.block_out_channels) == [16, 32]
    assert vae.config.scaling_factor == story_vae().config.scaling_factor  # anchored: the loaded scale is kept
    record = json.loads((tmp_path / "training.json").read_text())["story_vae"]
    assert record["steps"] > 0 and record["latent_grid"] == 16 and record["fresh_tensors"] == []
    assert record["final_coarse_anchor"] is not None and record["coarse_band_mse_to_loaded"] >= 0
    assert record["stripe_recovery"]["loaded"]["frames"] == record["stripe_recovery"]["new"]["frames"] > 0
    assert set(record["heldout_mae_255"]) == {"loaded", "new"}


def test_a_run_with_the_same_channels_continues_a_vae_and_can_weight_the_stripe(tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    common = ["--stories", "20", "--minutes", "0.03", "--batch", "4", "--recovery-stories", "0"]
    assert v.main(["--init-from", STORY, "--out", str(first)] + common) == 0
    assert v.main(["--init-from", str(first), "--out", str(second), "--channels", "16", "32",
                   "--stripe-weight", "10"] + common) == 0
    record = json.loads((second / "training.json").read_text())["story_vae"]
    assert record["args"]["stripe_weight"] == 10 and record["fresh_tensors"] == [] and record["latent_grid"] == 16
    assert record["coarse_band_mse_to_loaded"] is None  # same grid: there is no coarse band to compare
    assert record["stripe_recovery"] == {"loaded": None, "new": None}
    assert record["previous"] == json.loads((first / "training.json").read_text())["story_vae"]
