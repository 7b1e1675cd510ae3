"""Writes the parity fixtures for the Layers module into Tests/Fixtures/layers/.

One safetensors file per layer family. For each case `<case>` it holds
  <case>.model.<key>     the module's state dict, keys exactly as diffusers/PyTorch name them,
  <case>.inputs.<name>   the forward inputs,
  <case>.outputs.<name>  the reference outputs (`output`, plus `skip.N` for down blocks),
and one JSON metadata entry `fixture` = {"torch", "diffusers", "cases": {case: {"module": ..., **arguments}}}
that the Swift tests read to build the same layer. Weights are seeded random values scaled by fan-in
(norm gains around 1, biases around 0.3) so that every output is of order one, not trivially small.

Usage:  /work/main/.venv/bin/python Tools/reference/make_layer_fixtures.py [--out Tests/Fixtures/layers]
Pinned versions: Tools/reference/requirements.txt (torch 2.13.0 CPU, diffusers 0.35.2).
"""

import argparse
import json
import math
import os

import torch
from safetensors.torch import save_file

import diffusers
from diffusers.models.activations import GEGLU, GELU, ApproximateGELU
from diffusers.models.attention import BasicTransformerBlock, FeedForward
from diffusers.models.attention_processor import Attention, AttnProcessor2_0
from diffusers.models.downsampling import Downsample2D
from diffusers.models.embeddings import TimestepEmbedding, Timesteps
from diffusers.models.resnet import ResnetBlock2D
from diffusers.models.transformers.transformer_2d import Transformer2DModel
from diffusers.models.unets.unet_2d_blocks import (
    CrossAttnDownBlock2D,
    CrossAttnUpBlock2D,
    DownBlock2D,
    DownEncoderBlock2D,
    UNetMidBlock2D,
    UNetMidBlock2DCrossAttn,
    UpBlock2D,
    UpDecoderBlock2D,
)
from diffusers.models.upsampling import Upsample2D

torch.set_num_threads(1)
torch.use_deterministic_algorithms(True)

CONTEXT_DIM = 24   # cross_attention_dim of every cross-attention case
CONTEXT_LEN = 7    # context tokens
TEMB = 32          # time-embedding width of every block case
GROUPS = 8         # norm groups (SD uses 32 at 320+ channels; 8 keeps the fixtures small)


def randomize(module, generator):
    """Seeded weights of order-one effect: matrices/kernels ~ N(0, 1/fan_in), norm gains 1 + 0.3·N, biases 0.3·N."""
    with torch.no_grad():
        for name, parameter in module.named_parameters():
            if parameter.ndim >= 2:
                fan_in = parameter[0].numel()
                parameter.copy_(torch.randn(parameter.shape, generator=generator) / math.sqrt(fan_in))
            elif name.endswith("weight"):
                parameter.copy_(1 + 0.3 * torch.randn(parameter.shape, generator=generator))
            else:
                parameter.copy_(0.3 * torch.randn(parameter.shape, generator=generator))
    module.eval()
    return module


class FixtureFile:
    def __init__(self, name):
        self.name = name
        self.tensors = {}
        self.cases = {}

    def add(self, case, layer, inputs, outputs, **arguments):
        assert case not in self.cases and "." not in case, case
        if layer is not None:
            for key, value in layer.state_dict().items():
                self.tensors[f"{case}.model.{key}"] = value.detach().to(torch.float32).contiguous().clone()
        for group, tensors in (("inputs", inputs), ("outputs", outputs)):
            for key, value in tensors.items():
                if value is None:
                    continue
                value = value.detach()
                value = value.to(torch.int64) if not value.is_floating_point() else value.to(torch.float32)
                self.tensors[f"{case}.{group}.{key}"] = value.contiguous().clone()
        self.cases[case] = arguments

    def save(self, folder):
        path = os.path.join(folder, f"{self.name}.safetensors")
        meta = {"torch": torch.__version__, "diffusers": diffusers.__version__, "cases": self.cases}
        # One metadata key: several keys would be written in hash order and make the bytes unstable.
        save_file(self.tensors, path, metadata={"fixture": json.dumps(meta, sort_keys=True)})
        return path, os.path.getsize(path)


def seeded(seed):
    return torch.Generator().manual_seed(seed)


def randn(generator, *shape):
    return torch.randn(*shape, generator=generator)


def key_bias(generator, batch, keys):
    """An additive (B, 1, S) mask as UNet2DConditionModel builds it: 0 keep, −10000 for dropped keys."""
    keep = (torch.rand(batch, keys, generator=generator) > 0.3).float()
    keep[:, 0] = 1
    return keep, ((1 - keep) * -10000.0).unsqueeze(1)


# ---------------------------------------------------------------- primitives

def linear_cases():
    f = FixtureFile("linear")
    g = seeded(1)
    for case, (fin, fout, bias, shape) in {
        "bias": (24, 40, True, (2, 5, 24)),
        "no_bias": (24, 16, False, (3, 24)),
    }.items():
        m = randomize(torch.nn.Linear(fin, fout, bias=bias), g)
        x = randn(g, *shape)
        f.add(case, m, {"input": x}, {"output": m(x)}, module="Linear", in_features=fin, out_features=fout, bias=bias)
    return f


def conv2d_cases():
    f = FixtureFile("conv2d")
    g = seeded(2)
    specs = {
        "k3_p1": dict(in_channels=8, out_channels=16, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1), dilation=(1, 1), groups=1, bias=True),
        "k3_s2_p1_groups2": dict(in_channels=8, out_channels=12, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1), dilation=(1, 1), groups=2, bias=True),
        "k1_no_bias": dict(in_channels=8, out_channels=16, kernel_size=(1, 1), stride=(1, 1), padding=(0, 0), dilation=(1, 1), groups=1, bias=False),
        "rect_dilated": dict(in_channels=8, out_channels=6, kernel_size=(3, 1), stride=(1, 2), padding=(2, 0), dilation=(2, 1), groups=1, bias=True),
    }
    for case, spec in specs.items():
        m = randomize(torch.nn.Conv2d(**spec), g)
        x = randn(g, 2, spec["in_channels"], 9, 7)
        f.add(case, m, {"input": x}, {"output": m(x)}, module="Conv2d", **{k: list(v) if isinstance(v, tuple) else v for k, v in spec.items()})
    return f


def norm_cases():
    f = FixtureFile("norms")
    g = seeded(3)
    for case, (groups, channels, eps, affine) in {
        "group_norm": (GROUPS, 32, 1e-6, True),
        "group_norm_no_affine": (4, 16, 1e-5, False),
    }.items():
        m = randomize(torch.nn.GroupNorm(groups, channels, eps=eps, affine=affine), g)
        x = 2 * randn(g, 2, channels, 5, 6) + 0.5
        f.add(case, m, {"input": x}, {"output": m(x)}, module="GroupNorm", groups=groups, channels=channels, eps=eps, affine=affine)
        silu = torch.nn.functional.silu(m(x))
        f.add(case + "_silu", m, {"input": x}, {"output": silu}, module="GroupNorm", groups=groups, channels=channels, eps=eps, affine=affine, fused_silu=True)
    for case, (dim, eps, affine) in {"layer_norm": (24, 1e-5, True), "layer_norm_no_affine": (24, 1e-6, False)}.items():
        m = randomize(torch.nn.LayerNorm(dim, eps=eps, elementwise_affine=affine), g)
        x = 2 * randn(g, 2, 5, dim) - 0.3
        f.add(case, m, {"input": x}, {"output": m(x)}, module="LayerNorm", dimension=dim, eps=eps, elementwise_affine=affine)
    m = randomize(torch.nn.Embedding(50, 16), g)
    ids = torch.randint(0, 50, (2, 7), generator=g)
    f.add("embedding", m, {"indices": ids}, {"output": m(ids)}, module="Embedding", count=50, dimension=16)
    return f


def attention_cases():
    f = FixtureFile("attention")
    g = seeded(4)
    # Self-attention, SD-style (no q/k/v bias).
    m = randomize(Attention(query_dim=32, heads=2, dim_head=16), g)
    m.set_processor(AttnProcessor2_0())
    x = randn(g, 2, 10, 32)
    f.add("self", m, {"hidden_states": x}, {"output": m(x)}, module="Attention", query_dim=32, heads=2, dim_head=16, bias=False)
    # Cross-attention with a key mask and q/k/v bias.
    m = randomize(Attention(query_dim=32, cross_attention_dim=CONTEXT_DIM, heads=4, dim_head=8, bias=True), g)
    m.set_processor(AttnProcessor2_0())
    x, context = randn(g, 2, 10, 32), randn(g, 2, CONTEXT_LEN, CONTEXT_DIM)
    _, bias = key_bias(g, 2, CONTEXT_LEN)
    out = m(x, encoder_hidden_states=context, attention_mask=bias)
    f.add("cross_masked", m, {"hidden_states": x, "encoder_hidden_states": context, "attention_mask": bias}, {"output": out},
          module="Attention", query_dim=32, cross_attention_dim=CONTEXT_DIM, heads=4, dim_head=8, bias=True)
    # The VAE mid-block attention: group norm, one head, residual, rescaled output, on (B, C, H, W).
    m = randomize(Attention(query_dim=32, heads=1, dim_head=32, rescale_output_factor=2.0, eps=1e-6, norm_num_groups=GROUPS,
                            residual_connection=True, bias=True, upcast_softmax=True, _from_deprecated_attn_block=True), g)
    m.set_processor(AttnProcessor2_0())
    x = randn(g, 1, 32, 6, 5)
    f.add("vae_spatial", m, {"hidden_states": x}, {"output": m(x)}, module="Attention", query_dim=32, heads=1, dim_head=32,
          bias=True, norm_num_groups=GROUPS, eps=1e-6, residual_connection=True, rescale_output_factor=2.0)
    return f


def feed_forward_cases():
    f = FixtureFile("feed_forward")
    g = seeded(5)
    for case, (activation, dim_out, inner) in {
        "geglu": ("geglu", None, None),
        "gelu": ("gelu", None, None),
        "gelu_tanh": ("gelu-approximate", 20, None),
        "geglu_approximate": ("geglu-approximate", None, 48),
    }.items():
        m = randomize(FeedForward(32, dim_out=dim_out, activation_fn=activation, inner_dim=inner), g)
        x = randn(g, 2, 6, 32)
        f.add(case, m, {"input": x}, {"output": m(x)}, module="FeedForward", dim=32, dim_out=dim_out, inner_dim=inner,
              activation_fn=activation)
    return f


def transformer_cases():
    f = FixtureFile("transformer")
    g = seeded(6)
    blocks = {
        "block_cross": dict(cross_attention_dim=CONTEXT_DIM),
        "block_only_cross": dict(cross_attention_dim=CONTEXT_DIM, only_cross_attention=True),
        "block_self_only": dict(cross_attention_dim=None),
        "block_double_self": dict(cross_attention_dim=None, double_self_attention=True),
    }
    for case, spec in blocks.items():
        m = randomize(BasicTransformerBlock(32, 2, 16, attention_bias=False, **spec), g)
        x, context = randn(g, 2, 12, 32), randn(g, 2, CONTEXT_LEN, CONTEXT_DIM)
        _, bias = key_bias(g, 2, CONTEXT_LEN)
        uses_context = spec["cross_attention_dim"] is not None
        inputs = {"hidden_states": x}
        if uses_context:
            inputs.update(encoder_hidden_states=context, encoder_attention_mask=bias)
        out = m(x, encoder_hidden_states=context if uses_context else None, encoder_attention_mask=bias if uses_context else None)
        f.add(case, m, inputs, {"output": out}, module="BasicTransformerBlock", dim=32, num_attention_heads=2, attention_head_dim=16,
              **{k: v for k, v in spec.items()})
    for case, spec in {
        "t2d_conv": dict(use_linear_projection=False, num_layers=1),
        "t2d_linear_two_layers": dict(use_linear_projection=True, num_layers=2),
    }.items():
        m = randomize(Transformer2DModel(num_attention_heads=2, attention_head_dim=16, in_channels=32, norm_num_groups=GROUPS,
                                         cross_attention_dim=CONTEXT_DIM, **spec), g)
        x, context = randn(g, 2, 32, 6, 5), randn(g, 2, CONTEXT_LEN, CONTEXT_DIM)
        keep, _ = key_bias(g, 2, CONTEXT_LEN)
        out = m(x, encoder_hidden_states=context, encoder_attention_mask=keep).sample
        f.add(case, m, {"hidden_states": x, "encoder_hidden_states": context, "encoder_attention_mask": keep}, {"output": out},
              module="Transformer2DModel",
              config={k: v for k, v in m.config.items() if not k.startswith("_")})  # `_use_default_values` is an unordered set
    return f


def resnet_cases():
    f = FixtureFile("resnet")
    g = seeded(7)
    for case, spec in {
        "temb_shortcut": dict(in_channels=16, out_channels=32, temb_channels=TEMB),
        "no_temb": dict(in_channels=16, out_channels=16, temb_channels=None),
        "scale_shift": dict(in_channels=16, out_channels=16, temb_channels=TEMB, time_embedding_norm="scale_shift", output_scale_factor=2.0),
        "forced_shortcut_no_bias": dict(in_channels=16, out_channels=16, temb_channels=TEMB, use_in_shortcut=True, conv_shortcut_bias=False),
    }.items():
        m = randomize(ResnetBlock2D(groups=GROUPS, eps=1e-6, **spec), g)
        x = randn(g, 2, spec["in_channels"], 6, 5)
        temb = randn(g, 2, TEMB) if spec["temb_channels"] else None
        inputs = {"input": x} | ({"temb": temb} if temb is not None else {})
        f.add(case, m, inputs, {"output": m(x, temb)}, module="ResnetBlock2D", groups=GROUPS, eps=1e-6, **spec)
    return f


def sampling_cases():
    f = FixtureFile("sampling")
    g = seeded(8)
    for case, spec in {
        "down_conv": dict(channels=16, use_conv=True, padding=1),
        "down_pad0": dict(channels=16, use_conv=True, out_channels=24, padding=0),
        "down_pool": dict(channels=16, use_conv=False),
    }.items():
        m = randomize(Downsample2D(name="op" if spec["use_conv"] else "conv", **spec), g)
        x = randn(g, 2, 16, 7, 6)
        f.add(case, m, {"input": x}, {"output": m(x)}, module="Downsample2D", **spec)
    for case, (spec, size) in {
        "up_conv": (dict(channels=16, use_conv=True, out_channels=8), None),
        "up_size": (dict(channels=16, use_conv=True), [11, 9]),
        "up_no_conv": (dict(channels=16, use_conv=False), None),
    }.items():
        m = randomize(Upsample2D(**spec), g)
        x = randn(g, 2, 16, 6, 5)
        f.add(case, m, {"input": x}, {"output": m(x, output_size=size)}, module="Upsample2D", output_size=size, **spec)
    return f


def embedding_cases():
    f = FixtureFile("timesteps")
    g = seeded(9)
    t = torch.tensor([0.0, 1.0, 10.5, 250.0, 999.0])
    for case, (channels, flip, shift) in {"sd": (32, True, 0.0), "shifted_odd": (33, False, 1.0)}.items():
        m = Timesteps(channels, flip_sin_to_cos=flip, downscale_freq_shift=shift)
        f.add(case, None, {"timesteps": t}, {"output": m(t)}, module="Timesteps", num_channels=channels, flip_sin_to_cos=flip,
              downscale_freq_shift=shift)
    m = randomize(TimestepEmbedding(32, 64), g)
    x = randn(g, 3, 32)
    f.add("embedding", m, {"sample": x}, {"output": m(x)}, module="TimestepEmbedding", in_channels=32, time_embed_dim=64)
    m = randomize(TimestepEmbedding(32, 64, out_dim=40, post_act_fn="silu", cond_proj_dim=12), g)
    x, c = randn(g, 3, 32), randn(g, 3, 12)
    f.add("embedding_cond_post", m, {"sample": x, "condition": c}, {"output": m(x, c)}, module="TimestepEmbedding",
          in_channels=32, time_embed_dim=64, out_dim=40, post_act_fn="silu", cond_proj_dim=12)
    return f


# ---------------------------------------------------------------- UNet and VAE blocks

def unet_block_cases():
    f = FixtureFile("unet_blocks")
    g = seeded(10)
    common = dict(temb_channels=TEMB, resnet_eps=1e-6, resnet_groups=GROUPS)
    attention = dict(num_attention_heads=2, cross_attention_dim=CONTEXT_DIM)

    def add_down(case, layer, x, temb, context=None, keep=None, **arguments):
        if context is None:
            out, skips = layer(x, temb)
            inputs = {"hidden_states": x, "temb": temb}
        else:
            out, skips = layer(x, temb, encoder_hidden_states=context, encoder_attention_mask=keep)
            inputs = {"hidden_states": x, "temb": temb, "encoder_hidden_states": context, "encoder_attention_mask": keep}
        outputs = {"output": out} | {f"skip.{i}": s for i, s in enumerate(skips)}
        f.add(case, layer, inputs, outputs, **arguments)

    m = randomize(DownBlock2D(in_channels=16, out_channels=32, num_layers=2, **common), g)
    add_down("down", m, randn(g, 1, 16, 8, 8), randn(g, 1, TEMB), module="DownBlock2D", in_channels=16, out_channels=32,
             num_layers=2, add_downsample=True, **common)
    m = randomize(CrossAttnDownBlock2D(in_channels=16, out_channels=32, num_layers=2, **common, **attention), g)
    keep, _ = key_bias(g, 1, CONTEXT_LEN)
    add_down("cross_attn_down", m, randn(g, 1, 16, 8, 8), randn(g, 1, TEMB), randn(g, 1, CONTEXT_LEN, CONTEXT_DIM), keep,
             module="CrossAttnDownBlock2D", in_channels=16, out_channels=32, num_layers=2, add_downsample=True, **common, **attention)
    m = randomize(CrossAttnDownBlock2D(in_channels=32, out_channels=32, num_layers=1, add_downsample=False,
                                       use_linear_projection=True, transformer_layers_per_block=2, **common, **attention), g)
    add_down("cross_attn_down_linear_last", m, randn(g, 2, 32, 4, 4), randn(g, 2, TEMB), randn(g, 2, CONTEXT_LEN, CONTEXT_DIM),
             None, module="CrossAttnDownBlock2D", in_channels=32, out_channels=32, num_layers=1, add_downsample=False,
             use_linear_projection=True, transformer_layers_per_block=[2], **common, **attention)

    m = randomize(UNetMidBlock2DCrossAttn(in_channels=32, use_linear_projection=True, **common, **attention), g)
    x, temb, context = randn(g, 2, 32, 4, 4), randn(g, 2, TEMB), randn(g, 2, CONTEXT_LEN, CONTEXT_DIM)
    f.add("mid_cross_attn", m, {"hidden_states": x, "temb": temb, "encoder_hidden_states": context},
          {"output": m(x, temb, encoder_hidden_states=context)}, module="UNetMidBlock2DCrossAttn", in_channels=32, num_layers=1,
          use_linear_projection=True, **common, **attention)

    # Up blocks consume skip states from the end: the last one has outChannels, the first inChannels.
    def skips(batch, spatial, first, others, count):
        return [randn(g, batch, first if i == 0 else others, spatial, spatial) for i in range(count)]

    m = randomize(UpBlock2D(in_channels=16, prev_output_channel=32, out_channels=32, num_layers=3, **common), g)
    x, temb, res = randn(g, 1, 32, 4, 4), randn(g, 1, TEMB), skips(1, 4, 16, 32, 3)
    inputs = {"hidden_states": x, "temb": temb} | {f"skip.{i}": s for i, s in enumerate(res)}
    f.add("up", m, inputs, {"output": m(x, tuple(res), temb)}, module="UpBlock2D", in_channels=16, prev_output_channel=32,
          out_channels=32, num_layers=3, add_upsample=True, **common)

    m = randomize(CrossAttnUpBlock2D(in_channels=16, prev_output_channel=32, out_channels=32, num_layers=3, **common, **attention), g)
    x, temb, res = randn(g, 2, 32, 3, 3), randn(g, 2, TEMB), skips(2, 3, 16, 32, 3)
    context = randn(g, 2, CONTEXT_LEN, CONTEXT_DIM)
    keep, _ = key_bias(g, 2, CONTEXT_LEN)
    out = m(x, tuple(res), temb, encoder_hidden_states=context, encoder_attention_mask=keep, upsample_size=(5, 6))
    inputs = {"hidden_states": x, "temb": temb, "encoder_hidden_states": context, "encoder_attention_mask": keep}
    inputs |= {f"skip.{i}": s for i, s in enumerate(res)}
    f.add("cross_attn_up", m, inputs, {"output": out}, module="CrossAttnUpBlock2D", in_channels=16, prev_output_channel=32,
          out_channels=32, num_layers=3, add_upsample=True, upsample_size=[5, 6], **common, **attention)
    return f


def vae_block_cases():
    f = FixtureFile("vae_blocks")
    g = seeded(11)
    m = randomize(UNetMidBlock2D(in_channels=32, temb_channels=None, resnet_eps=1e-6, resnet_groups=GROUPS, attention_head_dim=32), g)
    x = randn(g, 1, 32, 6, 5)
    f.add("mid", m, {"hidden_states": x}, {"output": m(x)}, module="UNetMidBlock2D", in_channels=32, temb_channels=None,
          resnet_eps=1e-6, resnet_groups=GROUPS, attention_head_dim=32, num_layers=1)
    m = randomize(UNetMidBlock2D(in_channels=32, temb_channels=TEMB, resnet_eps=1e-5, resnet_groups=GROUPS, attention_head_dim=8,
                                 num_layers=2, output_scale_factor=1.5), g)
    x, temb = randn(g, 2, 32, 4, 4), randn(g, 2, TEMB)
    f.add("mid_temb_heads", m, {"hidden_states": x, "temb": temb}, {"output": m(x, temb)}, module="UNetMidBlock2D", in_channels=32,
          temb_channels=TEMB, resnet_eps=1e-5, resnet_groups=GROUPS, attention_head_dim=8, num_layers=2, output_scale_factor=1.5)
    m = randomize(DownEncoderBlock2D(in_channels=16, out_channels=32, num_layers=2, resnet_eps=1e-6, resnet_groups=GROUPS,
                                     downsample_padding=0), g)
    x = randn(g, 1, 16, 9, 8)
    f.add("down_encoder", m, {"hidden_states": x}, {"output": m(x)}, module="DownEncoderBlock2D", in_channels=16, out_channels=32,
          num_layers=2, resnet_eps=1e-6, resnet_groups=GROUPS, downsample_padding=0, add_downsample=True)
    m = randomize(UpDecoderBlock2D(in_channels=32, out_channels=16, num_layers=3, resnet_eps=1e-6, resnet_groups=GROUPS), g)
    x = randn(g, 1, 32, 5, 4)
    f.add("up_decoder", m, {"hidden_states": x}, {"output": m(x)}, module="UpDecoderBlock2D", in_channels=32, out_channels=16,
          num_layers=3, resnet_eps=1e-6, resnet_groups=GROUPS, add_upsample=True)
    return f


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "Fixtures", "layers"))
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    total = 0
    with torch.no_grad():
        for make in (linear_cases, conv2d_cases, norm_cases, attention_cases, feed_forward_cases, transformer_cases,
                     resnet_cases, sampling_cases, embedding_cases, unet_block_cases, vae_block_cases):
            path, size = make().save(args.out)
            total += size
            print(f"{os.path.relpath(path)}: {size / 1024:.1f} KiB")
    print(f"total {total / 1024 / 1024:.2f} MiB")


if __name__ == "__main__":
    main()
