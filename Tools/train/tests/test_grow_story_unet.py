"""Growing a trained story UNet by an outer level: the trained weights move one level inwards unchanged, the
coarse band keeps unit-variance noise at unit variance, and once the new level is distilled the grown UNet's
coarse band predicts what the trained UNet predicts on the coarse latents."""

import os

import torch
import torch.nn.functional as F

import grow_story_unet as g

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
STORY = os.path.join(ROOT, "Models", "shapesworld-story")


def small_unet():
    from diffusers import UNet2DConditionModel

    torch.manual_seed(0)
    return UNet2DConditionModel(sample_size=8, in_channels=4, out_channels=4, block_out_channels=(32, 64),
                                down_block_types=("CrossAttnDownBlock2D",) * 2,
                                up_block_types=("CrossAttnUpBlock2D",) * 2, layers_per_block=1,
                                cross_attention_dim=16, attention_head_dim=4, norm_num_groups=16).eval()


def test_the_coarse_band_sums_and_halves_each_2x2_block():
    x = torch.arange(16.0).view(1, 1, 4, 4)
    assert torch.equal(g.coarse_band(x), torch.tensor([[[[10.0, 18.0], [42.0, 50.0]]]]) / 2)
    noise = torch.randn(4000, 4, 2, 2, generator=torch.Generator().manual_seed(0))
    assert abs(float(g.coarse_band(noise).std()) - 1.0) < 0.02


def test_growing_moves_the_trained_levels_inwards_and_doubles_the_grid():
    trained = small_unet()
    grown, fresh = g.outer_level_unet(trained)
    assert grown.config.sample_size == 16 and list(grown.config.block_out_channels) == [32, 32, 64]
    assert grown.config.down_block_types[0] == "DownBlock2D" and grown.config.up_block_types[-1] == "UpBlock2D"
    old, new = trained.state_dict(), grown.state_dict()
    for key, value in old.items():
        if key.startswith("down_blocks."):
            index = int(key.split(".")[1])
            key = key.replace(f"down_blocks.{index}.", f"down_blocks.{index + 1}.", 1)
        if key.startswith("conv_out."):
            assert torch.equal(new[key], value / 2), key  # halved: fine cells carry half the coarse noise
        else:
            assert torch.equal(new[key], value), key
    assert fresh and all(key.startswith(("down_blocks.0.", "up_blocks.1.upsamplers.", "up_blocks.2.")) for key in fresh)
    with torch.no_grad():
        out = grown(torch.randn(2, 4, 16, 16), torch.tensor([10, 900]), encoder_hidden_states=torch.randn(2, 5, 16))
    assert out.sample.shape == (2, 4, 16, 16)


def test_after_distillation_the_coarse_band_follows_the_trained_unet():
    """On the bundled story UNet: the new level distilled for 200 steps on fine latents whose coarse band is
    given, the grown UNet's coarse band points where the trained UNet's prediction does (the untouched new
    level does not)."""
    from diffusers import DDPMScheduler, UNet2DConditionModel

    trained = UNet2DConditionModel.from_pretrained(os.path.join(STORY, "unet")).float().eval()
    grown, _ = g.outer_level_unet(trained)
    alphas = DDPMScheduler(num_train_timesteps=1000, beta_schedule="scaled_linear", beta_start=0.00085,
                           beta_end=0.012).alphas_cumprod
    generator = torch.Generator().manual_seed(1)
    coarse = torch.randn(64, 4, 8, 8, generator=generator)
    detail = 0.1 * torch.randn(64, 4, 16, 16, generator=generator)
    fine = F.interpolate(coarse, scale_factor=2, mode="nearest") / 2 + detail
    context = torch.randn(3, 96, 64, generator=generator)
    timesteps = torch.tensor([50, 400, 900])

    def agreement():
        with torch.no_grad():
            old = trained(coarse[:3], timesteps, encoder_hidden_states=context).sample
            new = g.coarse_band(grown(F.interpolate(coarse[:3], scale_factor=2, mode="nearest") / 2, timesteps,
                                      encoder_hidden_states=context).sample)
        return float(F.cosine_similarity(old.flatten(), new.flatten(), dim=0))

    before = agreement()
    info = g.distill_outer_level(grown, trained, fine, alphas, 200, 16, 1e-3, "cpu", lambda message: None)
    after = agreement()
    assert info["final_mse"] < 0.05 * info["first_mse"]
    assert after > 0.95 and after > before + 0.1, (before, after)
