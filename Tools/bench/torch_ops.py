"""PyTorch peer for `diffusion-cli bench ops`: the same cases (same names and shapes), same thread counts.

Each case: inputs built once, one warm-up call, then `rounds` samples of repeated calls (each sample ≥ 20 ms);
the median per call is reported. Prints a markdown table, or JSON lines with --json.

Usage: python Tools/bench/torch_ops.py [--threads 1,2] [--rounds 5] [--filter NAME] [--json]
"""

import argparse
import json
import statistics
import time

import torch
import torch.nn.functional as F


def conv3x3(batch, channels, size):
    x = torch.rand(batch, channels, size, size) * 2 - 1
    w = (torch.rand(channels, channels, 3, 3) * 2 - 1) * 0.05
    b = torch.rand(channels)
    return (lambda: F.conv2d(x, w, b, padding=1)), 2.0 * channels * size * size * channels * 9 * batch


def linear(tokens, fin, fout):
    x = torch.rand(1, tokens, fin) * 2 - 1
    w = (torch.rand(fout, fin) * 2 - 1) * 0.05
    b = torch.rand(fout)
    return (lambda: F.linear(x, w, b)), 2.0 * tokens * fin * fout


def attention(batch, heads, queries, keys, depth):
    q = torch.rand(batch, heads, queries, depth) * 2 - 1
    k = torch.rand(batch, heads, keys, depth) * 2 - 1
    v = torch.rand(batch, heads, keys, depth) * 2 - 1
    return (lambda: F.scaled_dot_product_attention(q, k, v)), 4.0 * queries * keys * depth * heads * batch


def sgemm(n):
    a, b = torch.rand(n, n), torch.rand(n, n)
    c = torch.empty(n, n)
    return (lambda: torch.mm(a, b, out=c)), 2.0 * n ** 3


def pointwise(shape, fn):
    x = (torch.rand(*shape) * 2 - 1) * 3
    return (lambda: fn(x)), None


CASES = {
    "sgemm_1024": lambda: sgemm(1024),
    "sgemm_2048": lambda: sgemm(2048),
    "conv3x3_tiny_64x32": lambda: conv3x3(1, 64, 32),
    "conv3x3_tiny_128x16": lambda: conv3x3(1, 128, 16),
    "conv3x3_tiny_256x8": lambda: conv3x3(1, 256, 8),
    "conv3x3_sd_320x64": lambda: conv3x3(1, 320, 64),
    "conv3x3_sd_640x32": lambda: conv3x3(1, 640, 32),
    "conv3x3_sd_1280x16": lambda: conv3x3(1, 1280, 16),
    "conv3x3_sd_1280x8": lambda: conv3x3(1, 1280, 8),
    "linear_sd_320_4096tok": lambda: linear(4096, 320, 320),
    "linear_sd_geglu_320to2560": lambda: linear(4096, 320, 2560),
    "linear_sd_ff_1280to320": lambda: linear(4096, 1280, 320),
    "linear_clip_768to3072_77tok": lambda: linear(77, 768, 3072),
    "attention_sd_self_4096": lambda: attention(1, 8, 4096, 4096, 40),
    "attention_sd_cross_4096x77": lambda: attention(1, 8, 4096, 77, 40),
    "attention_tiny_self_1024": lambda: attention(1, 8, 1024, 1024, 8),
    "group_norm_silu_sd_320x64": lambda: pointwise((1, 320, 64, 64), lambda x: F.silu(F.group_norm(x, 32, eps=1e-5))),
    "layer_norm_sd_4096x320": lambda: pointwise((1, 4096, 320), lambda x: F.layer_norm(x, [320])),
    "gelu_sd_4096x1280": lambda: pointwise((1, 4096, 1280), F.gelu),
    "silu_sd_1280x16": lambda: pointwise((1, 1280, 16, 16), F.silu),
    "softmax_sd_8x4096x77": lambda: pointwise((8, 4096, 77), lambda x: torch.softmax(x, -1)),
    "upsample_nearest_sd_1280x16": lambda: pointwise((1, 1280, 16, 16), lambda x: F.interpolate(x, scale_factor=2.0, mode="nearest")),
}


def measure(fn, rounds):
    fn()
    start = time.perf_counter(); fn(); single = time.perf_counter() - start
    repeats = max(1, int(0.02 / max(single, 1e-6)) + 1)
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(repeats):
            fn()
        samples.append((time.perf_counter() - start) / repeats)
    return statistics.median(samples)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--filter")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if not args.json:
        print(f"torch {torch.__version__}; rounds: {args.rounds} (median)")
        print("| op | threads | torch ms | torch GFLOPS |")
        print("|---|---|---|---|")
    with torch.inference_mode():
        for threads in [int(t) for t in args.threads.split(",")]:
            torch.set_num_threads(threads)
            for name, make in CASES.items():
                if args.filter and args.filter not in name:
                    continue
                fn, flops = make()
                seconds = measure(fn, args.rounds)
                if args.json:
                    record = {"case": name, "threads": threads, "seconds": seconds, "impl": "torch", "torch": torch.__version__}
                    if flops:
                        record["flops"] = flops
                    print(json.dumps(record, sort_keys=True), flush=True)
                else:
                    gflops = f"{flops / seconds / 1e9:.1f}" if flops else "—"
                    print(f"| {name} | {threads} | {seconds * 1e3:.3f} | {gflops} |", flush=True)


if __name__ == "__main__":
    main()
