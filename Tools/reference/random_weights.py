"""Seeded random weights for the parity fixtures' tiny models, so every activation is of order one.

Matrices and kernels are N(0, 1/fan_in), each multiplied by the factor of every `(test, factor)` in `scales`
whose test accepts the parameter's name; the 1-D parameters `is_gain` accepts (norm gains) are 1 + 0.3·N; every
other 1-D parameter (biases, embeddings' vectors) is 0.2·N. One torch.Generator(seed) draws them all, in
`named_parameters` order, so a fixture script's output depends only on its model and seed.
"""

import math

import torch


def ends_with_weight(name):
    return name.endswith("weight")


def randomize(module, seed, scales=(), is_gain=ends_with_weight):
    """`module` with its parameters replaced as the module docstring says, in eval mode."""
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, parameter in module.named_parameters():
            if parameter.ndim >= 2:
                value = torch.randn(parameter.shape, generator=generator) / math.sqrt(parameter[0].numel())
                for test, factor in scales:
                    if test(name):
                        value = value * factor
                parameter.copy_(value)
            elif is_gain(name):
                parameter.copy_(1 + 0.3 * torch.randn(parameter.shape, generator=generator))
            else:
                parameter.copy_(0.2 * torch.randn(parameter.shape, generator=generator))
    return module.eval()


def is_attention_output(name):
    return ".to_out.0." in name
