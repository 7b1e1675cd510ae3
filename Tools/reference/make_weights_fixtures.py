"""Writes the safetensors fixtures read by Tests/WeightsTests.

Produces, under Tests/Fixtures/weights/:
  reference_mixed.safetensors  F32, F16, BF16 and I64 tensors (plus a scalar and an empty
                               tensor) written by the Python `safetensors` package itself;
  reference_mixed.json         for each tensor its dtype, shape and values as float32 after
                               widening (Python floats, exact), plus the file's SHA-256.

The Swift tests compare every value bit for bit, so the reader is checked against the
reference writer rather than against itself.

Pinned versions used to produce the committed files: torch 2.13.0+cpu, safetensors 0.8.0,
numpy 2.4.6. Run from the repository root:
    /work/main/.venv/bin/python Tools/reference/make_weights_fixtures.py
"""

import hashlib
import json
import pathlib

import torch
from safetensors.torch import save_file

OUTPUT = pathlib.Path(__file__).resolve().parents[2] / "Tests" / "Fixtures" / "weights"


def main() -> None:
    generator = torch.Generator().manual_seed(20261125)
    special = torch.tensor([0.0, -0.0, 1.0, -2.5, 65504.0, 6.1035e-05, 1e-7, 3.0e4])
    tensors = {
        "encoder.float32.weight": torch.randn(2, 3, 4, generator=generator),
        "encoder.float16.weight": torch.randn(3, 5, generator=generator).to(torch.float16),
        "encoder.bfloat16.weight": torch.randn(4, 3, generator=generator).to(torch.bfloat16),
        "special.float16": special.to(torch.float16),
        "special.bfloat16": special.to(torch.bfloat16),
        "special.float32": special.clone(),
        "scalar": torch.tensor(0.125),
        "empty": torch.zeros(0, 3),
        "embeddings.position_ids": torch.arange(7, dtype=torch.int64).reshape(1, 7),
    }
    OUTPUT.mkdir(parents=True, exist_ok=True)
    path = OUTPUT / "reference_mixed.safetensors"
    save_file(tensors, str(path), metadata={"format": "pt", "producer": "make_weights_fixtures.py"})

    dtype_names = {
        torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16", torch.int64: "I64",
    }
    expected = {
        "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
        "metadata": {"format": "pt", "producer": "make_weights_fixtures.py"},
        "tensors": {
            name: {
                "dtype": dtype_names[tensor.dtype],
                "shape": list(tensor.shape),
                # float32 values are exact as Python floats; integers stay integers.
                "values": (tensor.reshape(-1).tolist() if tensor.dtype == torch.int64
                           else tensor.float().reshape(-1).tolist()),
            }
            for name, tensor in tensors.items()
        },
    }
    (OUTPUT / "reference_mixed.json").write_text(json.dumps(expected, indent=1, sort_keys=True, allow_nan=False) + "\n")


if __name__ == "__main__":
    main()
