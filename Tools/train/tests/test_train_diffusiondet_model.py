"""Training-side DiffusionDet helpers: the separable RoIAlign against the reference pooler, the
box-diffusion input of training, and the model-folder round trip."""

import argparse

import pytest
import torch

import diffusiondet_model as m
import train_diffusiondet as t
from diffusiondet_model import ref


def tiny_args(**overrides):
    values = dict(depth=18, stem_channels=8, res2_channels=8, hidden=16, heads=2, feedforward=32,
                  stages=2, dim_dynamic=4, proposals=12, size=64)
    values.update(overrides)
    return argparse.Namespace(**values)


def test_separable_roi_align_equals_reference_pooler_and_its_gradient():
    generator = torch.Generator().manual_seed(0)
    features = [torch.randn(2, 8, 64 // 2 ** level, 64 // 2 ** level, generator=generator)
                for level in (2, 3, 4, 5)]
    # boxes of every FPN level, partly outside the image (samples beyond [-1, size] count 0)
    centre = torch.rand(2, 30, 2, generator=generator) * 100 - 18
    size = torch.rand(2, 30, 2, generator=generator) ** 2 * 300
    boxes = torch.cat([centre - size / 2, centre + size / 2], -1)
    boxes[:, 0] = torch.tensor([-250.0, -240.0, 300.0, 310.0])  # sqrt(area) > 448: level 5
    assert len(set(ref.assign_fpn_levels(boxes.reshape(-1, 4)).tolist())) == 4
    mine = [f.clone().requires_grad_() for f in features]
    theirs = [f.clone().requires_grad_() for f in features]
    a = m.separable_roi_align(mine, boxes, 7, 2)
    b = ref.multilevel_roi_align(theirs, boxes, 7, 2)
    assert (a - b).abs().max().item() < 1e-5
    weights = torch.randn(a.shape, generator=generator)
    (a * weights).sum().backward()
    (b * weights).sum().backward()
    for x, y in zip(mine, theirs):
        assert (x.grad - y.grad).abs().max().item() < 1e-4


def test_padded_boxes_keep_gt_first_and_clip_gaussian_sizes():
    generator = torch.Generator().manual_seed(1)
    gt = torch.tensor([[0.5, 0.5, 0.2, 0.3], [0.1, 0.2, 0.05, 0.05]])
    x0 = t.padded_boxes(gt, 500, generator)
    assert x0.shape == (500, 4)
    assert torch.equal(x0[:2], gt)
    assert x0[2:, 2:].min().item() >= torch.tensor(1e-4).item()  # float32 1e-4
    # Gaussian boxes: randn / 6 + 0.5 -> mean 0.5, std 1/6 (centres untouched by the clip)
    assert x0[2:, :2].mean().item() == pytest.approx(0.5, abs=0.02)
    assert x0[2:, :2].std().item() == pytest.approx(1 / 6, abs=0.02)
    many = torch.rand(20, 4, generator=generator)
    assert t.padded_boxes(many, 8, generator).shape == (8, 4)


def test_diffuse_at_t0_returns_the_gt_boxes_and_clamps_to_the_image():
    alphas = t.cosine_alphas_cumprod()
    assert alphas.dtype == torch.float64
    assert torch.allclose(alphas, ref.cosine_alphas_cumprod())
    assert float(alphas[249]) == pytest.approx(0.847, abs=1e-3)
    target = {"labels": torch.tensor([0]), "boxes_xyxy": torch.tensor([[10.0, 20.0, 50.0, 40.0]]),
              "image_whwh": torch.tensor([100.0, 100.0, 100.0, 100.0])}
    # with ᾱ = 1 (t = 0 of a schedule without noise) x_t = x0: the GT box comes back in pixels
    no_noise = torch.ones(1000, dtype=torch.float64)
    boxes, times = t.diffuse([target], 10, no_noise, 2.0, torch.Generator().manual_seed(0))
    assert boxes.shape == (1, 10, 4) and times.shape == (1,)
    assert boxes[0, 0].tolist() == pytest.approx([10.0, 20.0, 50.0, 40.0], abs=1e-4)
    noisy, _ = t.diffuse([target], 50, torch.zeros(1000, dtype=torch.float64), 2.0,
                         torch.Generator().manual_seed(0))
    centres = (noisy[0, :, :2] + noisy[0, :, 2:]) / 2
    assert centres.min().item() >= 0.0 and centres.max().item() <= 100.0


def test_model_folder_round_trip_keeps_official_keys_and_outputs(tmp_path):
    config = m.make_config(tiny_args())
    model = m.build_trainable(config)
    images = torch.rand(2, 3, 64, 64) * 255
    boxes = torch.tensor([[[4.0, 4.0, 30.0, 40.0]] * 12] * 2)
    model.train()
    m.train_forward(model, config, images, boxes, torch.tensor([5, 900]))  # update BN statistics
    model.eval()
    with torch.no_grad():
        expected = m.train_forward(model, config, images, boxes, torch.tensor([5, 900]))
    m.save_folder(model, config, str(tmp_path), dtype="f32")
    loaded, loaded_config = m.load_folder(str(tmp_path))
    assert loaded_config == config
    keys = set(loaded.state_dict())
    assert "backbone.bottom_up.res2.0.conv1.norm.running_var" in keys
    assert "head.head_series.1.inst_interact.dynamic_layer.weight" in keys
    assert not any(k.endswith("num_batches_tracked") for k in keys)
    with torch.no_grad():
        got = m.train_forward(loaded, loaded_config, images, boxes, torch.tensor([5, 900]))
    assert torch.allclose(got[0], expected[0], atol=1e-4)
    assert torch.allclose(got[1], expected[1], atol=1e-3)
