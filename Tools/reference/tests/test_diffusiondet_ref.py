"""Tools/reference/diffusiondet_ref.py against the facts in shared/reference/detection_segmentation.md Part A
(schedule, time pairs, DDIM coefficients, FPN level rule, Addendum), torchvision semantics (RoIAlign, NMS), the
committed parity fixtures, and sampler determinism."""

import json
import os

import pytest

# Needs the fixture-regeneration environment (Tools/reference/requirements.txt); CI's requirements omit torch.
torch = pytest.importorskip("torch")
load_file = pytest.importorskip("safetensors.torch").load_file

import diffusiondet_ref as dd

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
FIXTURES = os.path.join(ROOT, "Tests", "Fixtures", "diffusiondet")


def tiny_config(**overrides):
    options = dict(depth=18, stem_out_channels=8, res2_out_channels=8, fpn_out_channels=32, hidden_dim=32,
                   num_heads=4, dim_feedforward=64, num_stages=2, dim_dynamic=8, min_size_test=128, proposals=30)
    options.update(overrides)
    return dd.make_config(["a", "b", "c"], **options)


@pytest.fixture(scope="module")
def tiny():
    torch.manual_seed(3)
    config = tiny_config()
    model = dd.build_model(config)
    with torch.no_grad():
        for stage in model.head.head_series:
            stage.class_logits.bias.fill_(0.0)
            stage.bboxes_delta.weight.mul_(0.1)
    image = (torch.arange(60 * 80 * 3) % 251).to(torch.uint8).reshape(60, 80, 3).numpy()
    x, whwh, _ = dd.preprocess(image, config)
    with torch.no_grad():
        features = model.backbone(x)
    return model, config, features, whwh


def test_cosine_schedule_values():
    ac = dd.cosine_alphas_cumprod(1000)
    assert ac.dtype == torch.float64 and ac.shape == (1000,)
    assert round(ac[249].item(), 3) == 0.847
    assert round(ac[499].item(), 3) == 0.494
    assert round(ac[749].item(), 3) == 0.144
    assert ac[999].item() == pytest.approx(2.4e-9, rel=0.05)
    assert bool((ac[1:] < ac[:-1]).all())


def test_time_pairs():
    assert dd.time_pairs(1) == [(999, -1)]
    assert dd.time_pairs(2) == [(999, 499), (499, -1)]
    assert dd.time_pairs(3) == [(999, 665), (665, 332), (332, -1)]
    assert dd.time_pairs(4) == [(999, 749), (749, 499), (499, 249), (249, -1)]
    assert [t for t, _ in dd.time_pairs(8)] == [999, 874, 749, 624, 499, 374, 249, 124]
    assert dd.time_pairs(8)[-1] == (124, -1)


def test_ddim_coefficients_for_four_steps():
    ac = dd.cosine_alphas_cumprod(1000)
    expected = [(0.380, 0.000, 0.925), (0.703, 0.296, 0.647), (0.920, 0.164, 0.355)]
    for (t, t_next), values in zip(dd.time_pairs(4), expected):
        got = [round(v.item(), 3) for v in dd.ddim_coefficients(ac, t, t_next, 1.0)]
        assert got == list(values), (t, t_next, got)


def test_fpn_level_rule():
    def box(side):
        return [0.0, 0.0, side, side]
    boxes = torch.tensor([box(0.0), box(10.0), box(111.9), box(112.0), box(223.9), box(224.0), box(447.0),
                          box(448.0), box(2000.0)])
    assert dd.assign_fpn_levels(boxes).tolist() == [0, 0, 0, 1, 1, 2, 2, 3, 3]
    assert dd.assign_fpn_levels(boxes.double()).tolist() == [0, 0, 0, 1, 1, 2, 2, 3, 3]


def test_roi_align_and_nms_follow_torchvision_semantics():
    import make_op_fixtures as ops  # scalar torchvision-kernel transcriptions used for the Swift op fixtures
    torch.use_deterministic_algorithms(False)  # make_op_fixtures switches it on at import
    g = torch.Generator().manual_seed(5)
    features = torch.randn(2, 3, 9, 11, generator=g)
    corners = torch.rand(16, 2, generator=g) * 60 - 10
    rois = torch.cat([(torch.arange(16) % 2)[:, None].float(), corners,
                      corners + torch.rand(16, 2, generator=g) * 40], dim=1)
    for ratio in (1, 2):
        ours = dd.roi_align(features, rois, 7, 0.25, ratio, aligned=True)
        theirs = ops.tv_roi_align(features, rois, (7, 7), 0.25, ratio, True)
        assert (ours - theirs).abs().max().item() < 1e-5
    xy = torch.rand(200, 2, generator=g) * 50
    boxes = torch.cat([xy, xy + torch.rand(200, 2, generator=g) * 30 + 1], dim=1)
    scores, labels = torch.rand(200, generator=g), torch.randint(0, 3, (200,), generator=g)
    expected = ops.tv_batched_nms(boxes, scores, labels, 0.5).tolist()
    assert dd.batched_nms(boxes, scores, labels, 0.5).tolist() == expected


def test_head_batch_of_two_matches_single_images(tiny):
    model, config, features, whwh = tiny
    g = torch.Generator().manual_seed(1)
    boxes = dd.scaled_to_xyxy(torch.randn(2, 7, 4, generator=g), whwh, 2.0)
    both = [torch.cat([f, f.flip(-1)]) for f in features]
    with torch.no_grad():
        logits, out = model.head(both, boxes, torch.tensor([10, 900]))
        for b in range(2):
            l1, o1 = model.head([f[b:b + 1] for f in both], boxes[b:b + 1], torch.tensor([[10, 900][b]]))
            assert torch.allclose(l1[:, 0], logits[:, b], atol=1e-5)
            assert torch.allclose(o1[:, 0], out[:, b], atol=1e-3, rtol=1e-5)
    assert logits.shape == (2, 2, 7, 3) and out.shape == (2, 2, 7, 4)


def test_sampler_replay_and_draw_order(tiny):
    model, config, features, whwh = tiny
    first = dd.ddim_sample(model, features, whwh, 4, 30, config, generator=torch.Generator().manual_seed(7))
    again = dd.ddim_sample(model, features, whwh, 4, 30, config, generator=torch.Generator().manual_seed(7))
    replay = dd.ddim_sample(model, features, whwh, 4, 30, config, draws=first["draws"])
    other = dd.ddim_sample(model, features, whwh, 4, 30, config, generator=torch.Generator().manual_seed(8))
    kept = first["kept_per_step"]
    assert 0 < sum(kept) < 4 * 30, kept  # renewal neither keeps all nor nothing
    assert [d.shape[0] for d in first["draws"]] == [30, kept[0], 30 - kept[0], kept[1], 30 - kept[1], kept[2],
                                                     30 - kept[2]]
    for run in (again, replay):
        assert run["kept_per_step"] == kept
        for key in ("boxes", "scores", "labels"):
            assert torch.equal(run[key], first[key])
    assert not torch.equal(other["draws"][0], first["draws"][0])
    stream = torch.randn(30, 4, generator=torch.Generator().manual_seed(7))
    assert torch.equal(first["draws"][0], stream)
    with pytest.raises(ValueError):
        dd.ddim_sample(model, features, whwh, 4, 30, config, draws=first["draws"][:3])


def test_state_becomes_float64_after_first_update(tiny):
    model, config, features, whwh = tiny
    trace = []
    dd.ddim_sample(model, features, whwh, 3, 30, config, generator=torch.Generator().manual_seed(2), trace=trace)
    assert [s["x"].dtype for s in trace] == [torch.float32, torch.float64, torch.float64]
    assert all(s["logits"].dtype == torch.float32 and s["boxes"].dtype == torch.float32 for s in trace)


def test_two_steps_without_final_equal_one_step(tiny):
    """Addendum: the official code never ensembles the final step, so steps=2 returns what steps=1 returns."""
    model, config, features, whwh = tiny
    one = dd.ddim_sample(model, features, whwh, 1, 30, config, generator=torch.Generator().manual_seed(4))
    two = dd.ddim_sample(model, features, whwh, 2, 30, config, generator=torch.Generator().manual_seed(4),
                         include_final_step=False)
    with_final = dd.ddim_sample(model, features, whwh, 2, 30, config, generator=torch.Generator().manual_seed(4),
                                include_final_step=True)
    for key in ("boxes", "scores", "labels"):
        assert torch.equal(one[key], two[key])
    assert with_final["boxes"].shape[0] > two["boxes"].shape[0]


def test_postprocess_scales_clips_and_filters():
    boxes = torch.tensor([[-5.0, 10.0, 50.0, 300.0], [20.0, 20.0, 40.0, 40.0], [130.0, 5.0, 140.0, 9.0],
                          [1.0, 1.0, 2.0, 2.0]])
    scores = torch.tensor([0.6, 0.9, 0.7, 0.2])
    labels = torch.tensor([0, 1, 2, 0])
    b, s, l = dd.postprocess(boxes, scores, labels, (128, 128), (64, 32), 0.5)
    assert s.tolist() == pytest.approx([0.9, 0.6]) and l.tolist() == [1, 0]  # x ≥ 32 after scaling: empty
    assert b.tolist() == [[5.0, 10.0, 10.0, 20.0], [0.0, 5.0, 12.5, 64.0]]


def test_preprocess_resize_and_padding():
    config = tiny_config(max_size_test=150)
    image = torch.zeros(70, 90, 3, dtype=torch.uint8).numpy()
    x, whwh, resized = dd.preprocess(image, config)
    assert resized == (117, 150) and whwh.tolist() == [150, 117, 150, 117] and x.shape == (1, 3, 128, 160)
    assert x[0, 0, 0, 0].item() == pytest.approx(-123.675 / 58.395) and x[0, 0, 120, 155].item() == 0.0
    assert dd.resized_size(70, 90, tiny_config()) == (128, 165)


def test_config_rejects_unknown_and_missing_keys():
    config = tiny_config()
    config["head"]["dropout"] = 0.0
    del config["fpn"]["out_channels"]
    with pytest.raises(ValueError, match=r"unknown keys \['head.dropout'\], missing keys \['fpn.out_channels'\]"):
        dd.validate_config(config)


@pytest.mark.parametrize("name", ["basic18", "bottleneck50"])
def test_committed_fixtures_match_the_reference(name):
    with open(os.path.join(FIXTURES, name, "config.json")) as f:
        config = json.load(f)
    model = dd.DiffusionDet(config).eval()
    model.load_state_dict(load_file(os.path.join(FIXTURES, name, "model.safetensors")), strict=True)
    t = load_file(os.path.join(FIXTURES, f"{name}.parity.safetensors"))
    x, whwh, resized = dd.preprocess(t["image"].numpy(), config)
    assert torch.equal(x, t["input"]) and torch.equal(whwh, t["images_whwh"])
    with torch.no_grad():
        features = model.backbone(x)
        for level, p in zip(dd.FPN_LEVELS, features):
            assert torch.allclose(p, t[f"p{level}"], atol=1e-5)
        logits, boxes = model.head(features, t["head.boxes"], t["head.t"])
    assert torch.allclose(logits, t["head.logits"], atol=1e-4)
    assert torch.allclose(boxes, t["head.pred_boxes"], atol=1e-2, rtol=1e-4)
    rows = t["sample4.draw_rows"].tolist()
    draws = list(torch.split(t["sample4.draws"], rows))
    run = dd.ddim_sample(model, features, whwh, 4, config["defaults"]["proposals"], config, draws=draws,
                         include_final_step=True)
    assert run["kept_per_step"] == t["sample4.kept_per_step"].tolist()
    assert torch.equal(run["labels"], t["sample4.with_final.labels"])
    assert torch.allclose(run["boxes"], t["sample4.with_final.boxes"], atol=1e-2, rtol=1e-4)


def test_roi_align_gradient_reaches_the_features():
    """Training backpropagates through RoIAlign into the FPN: check the gradient numerically (float64)."""
    g = torch.Generator().manual_seed(9)
    features = torch.randn(2, 2, 6, 7, generator=g, dtype=torch.float64, requires_grad=True)
    rois = torch.tensor([[0, 1.3, 2.2, 17.9, 20.4], [1, -3.0, 4.5, 9.0, 30.0], [1, 10.0, 10.0, 10.0, 12.0]],
                        dtype=torch.float64)
    assert torch.autograd.gradcheck(lambda f: dd.roi_align(f, rois, 3, 0.25, 2, aligned=True), (features,))
