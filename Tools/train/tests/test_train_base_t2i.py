"""The base text-to-image trainer: its data mix, and its loss weighting (Min-SNR-γ against hand-computed SNRs)."""

from collections import Counter

import torch

import train_base_t2i as t


def test_min_snr_weights_are_one_below_gamma_and_gamma_over_snr_above():
    alphas = torch.tensor([0.99, 0.9, 0.5, 0.1])  # SNR 99, 9, 1, 1/9
    weights = t.min_snr_weights(alphas, torch.tensor([0, 1, 2, 3]), 5.0)
    assert torch.allclose(weights, torch.tensor([5.0 / 99.0, 5.0 / 9.0, 1.0, 1.0]))


def test_gamma_zero_is_plain_mse():
    alphas = torch.tensor([0.99, 0.5])
    prediction, target = torch.randn(2, 4, 3, 3), torch.randn(2, 4, 3, 3)
    weights = t.min_snr_weights(alphas, torch.tensor([0, 1]), 0.0)
    assert torch.equal(weights, torch.ones(2))
    loss = t.weighted_mse(prediction, target, weights)
    assert torch.allclose(loss, torch.nn.functional.mse_loss(prediction, target))


def test_weighted_mse_weights_each_sample():
    prediction, target = torch.zeros(2, 1, 2, 2), torch.stack([torch.ones(1, 2, 2), 2 * torch.ones(1, 2, 2)])
    assert torch.allclose(t.weighted_mse(prediction, target, torch.tensor([1.0, 0.5])), torch.tensor((1.0 + 2.0) / 2))


def test_relation_fraction_oversamples_relations_and_keeps_the_inventories():
    seeds = range(3000)
    plain = Counter(t.train_spec(seed, 0.15)["kind"] for seed in seeds)
    heavy = Counter(t.train_spec(seed, 0.15, 0.4)["kind"] for seed in seeds)
    assert heavy["multi"] == plain["multi"]
    # 0.85 x (1/3) of the seeds are relations by default; 0.85 x (0.4 + 0.6 / 3) with the option.
    assert abs(plain["relation"] / len(seeds) - 0.85 / 3) < 0.03
    assert abs(heavy["relation"] / len(seeds) - 0.85 * 0.6) < 0.03
    for seed in seeds[:200]:
        spec = t.train_spec(seed, 0.15, 0.4)
        if spec["kind"] == "relation":
            assert spec["relation"] is not None and len(spec["items"]) == 2


def test_two_step_run_then_zero_step_continuation_keeps_the_weights(tmp_path):
    from safetensors.torch import load_file

    first, second = tmp_path / "first", tmp_path / "second"
    common = ["--images", "40", "--batch", "4", "--threads", "1", "--fp32", "--min-snr-gamma", "5"]
    assert t.main(["--out", str(first), "--vae-steps", "2", "--unet-steps", "2"] + common) == 0
    assert t.main(["--out", str(second), "--init-from", str(first), "--unet-steps", "0"] + common) == 0
    for name in ("unet/diffusion_pytorch_model.safetensors", "text_encoder/model.safetensors",
                 "vae/diffusion_pytorch_model.safetensors"):
        before, after = load_file(first / name), load_file(second / name)
        assert before.keys() == after.keys(), name
        for key in before:
            assert torch.equal(before[key], after[key]), f"{name}: {key}"
