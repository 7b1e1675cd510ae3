"""Official-format DiffusionDet checkpoint → model folder, on random weights with the official R50 COCO shapes."""

import json

import pytest

# Needs the fixture-regeneration environment (Tools/reference/requirements.txt); CI's requirements omit torch.
torch = pytest.importorskip("torch")
load_file = pytest.importorskip("safetensors.torch").load_file

import diffusiondet_to_safetensors as convert
from diffusiondet_to_safetensors import dd


@pytest.fixture(scope="module")
def official_checkpoint(tmp_path_factory):
    """A .pth laid out like the release files: {"model": state dict + float64 buffers, "iteration": 0}."""
    generator = torch.Generator().manual_seed(0)
    with torch.device("meta"):
        shapes = {k: v.shape for k, v in dd.DiffusionDet(dd.make_config(convert.COCO_CLASS_NAMES)).state_dict().items()}
    state = {k: torch.randn(shape, generator=generator) for k, shape in shapes.items()}
    buffers = dd.official_diffusion_buffers(1000)
    assert all(v.dtype == torch.float64 and v.shape == (1000,) for v in buffers.values())
    path = tmp_path_factory.mktemp("ckpt") / "diffdet_coco_res50.pth"
    torch.save({"model": {**state, **buffers}, "iteration": 0}, path)
    return path, state


def test_r50_round_trip_f32(official_checkpoint, tmp_path):
    path, state = official_checkpoint
    assert convert.main([str(path), str(tmp_path / "out")]) == 0
    tensors = load_file(tmp_path / "out" / "model.safetensors")
    assert set(tensors) == set(state) and len(tensors) == 537
    for key, value in state.items():
        assert tensors[key].dtype == torch.float32 and torch.equal(tensors[key], value), key
    config = json.loads((tmp_path / "out" / "config.json").read_text())
    assert config["backbone"]["depth"] == 50 and config["defaults"]["proposals"] == 500
    assert config["input"]["min_size_test"] == 800 and len(config["class_names"]) == 80
    with torch.device("meta"):
        model = dd.DiffusionDet(config)
    model.load_state_dict(tensors, strict=True, assign=True)
    assert torch.equal(model.head.head_series[0].class_logits.bias, state["head.head_series.0.class_logits.bias"])


def test_f16_and_rejections(official_checkpoint, tmp_path):
    path, state = official_checkpoint
    assert convert.main([str(path), str(tmp_path / "half"), "--dtype", "f16", "--official-ensemble"]) == 0
    tensors = load_file(tmp_path / "half" / "model.safetensors")
    key = "head.head_series.5.inst_interact.dynamic_layer.weight"
    assert tensors[key].dtype == torch.float16 and torch.equal(tensors[key], state[key].half())
    config = json.loads((tmp_path / "half" / "config.json").read_text())
    assert config["diffusion"]["ensemble_includes_final_step"] is False

    # Wrong depth, unknown keys or class count: every mismatch is reported, nothing is written.
    with pytest.raises(convert.ConversionError, match=r"missing keys \['backbone.bottom_up.res4.10.conv1.norm.bias'"):
        convert.convert_state_dict(state, dd.make_config(convert.COCO_CLASS_NAMES, depth=101))
    with pytest.raises(convert.ConversionError, match=r"unknown keys \['head.extra.weight'\]"):
        convert.convert_state_dict({**state, "head.extra.weight": torch.zeros(1)},
                                   dd.make_config(convert.COCO_CLASS_NAMES))
    with pytest.raises(convert.ConversionError, match=r"class_logits.weight: \(80, 256\) \(expected \(3, 256\)\)"):
        convert.convert_state_dict(state, dd.make_config(["a", "b", "c"]))
