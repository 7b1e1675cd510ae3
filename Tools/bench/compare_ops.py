"""Runs `diffusion-cli bench ops` and the PyTorch peer alternately (A B A B …) and prints the side-by-side
markdown table for BENCHMARKS.md: per case and thread count, the median over the runs of each side.

Usage: OPENBLAS_CORETYPE=SkylakeX python Tools/bench/compare_ops.py [--runs 2] [--threads 1,2] [--rounds 3]
          [--cli .build/release/diffusion-cli] [--baseline OTHER_CLI] [--filter NAME]

With --baseline, a second diffusion-cli binary (e.g. built from the commit before a change) runs in the same
alternation (baseline, ours, torch, baseline, …) and two columns are added: its median and baseline ms / ours ms.
"""

import argparse
import os
import statistics
import sys
from collections import defaultdict

from bench_process import run_json


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--cli", default=".build/release/diffusion-cli")
    parser.add_argument("--baseline", help="another diffusion-cli binary to time in the same alternation")
    parser.add_argument("--filter")
    args = parser.parse_args()
    here = os.path.dirname(os.path.abspath(__file__))
    extra = ["--filter", args.filter] if args.filter else []
    ours_cmd = [args.cli, "bench", "ops", "--json", "--threads", args.threads, "--rounds", str(args.rounds)] + extra
    torch_cmd = [sys.executable, os.path.join(here, "torch_ops.py"), "--json", "--threads", args.threads, "--rounds", str(args.rounds)] + extra
    baseline_cmd = [args.baseline] + ours_cmd[1:] if args.baseline else None
    ours, peer, before = defaultdict(list), defaultdict(list), defaultdict(list)
    meta = {}
    for run in range(args.runs):
        if baseline_cmd:
            for record in run_json(baseline_cmd):
                before[(record["case"], record["threads"])].append(record["seconds"])
        for record in run_json(ours_cmd):
            key = (record["case"], record["threads"])
            ours[key].append(record)
            meta["kernel"] = record["kernel"]
        for record in run_json(torch_cmd):
            peer[(record["case"], record["threads"])].append(record)
            meta["torch"] = record["torch"]
        print(f"run {run + 1}/{args.runs} done", file=sys.stderr)
    print(f"OpenBLAS kernel: {meta.get('kernel')}; torch {meta.get('torch')}; {args.runs} alternating runs × {args.rounds} rounds, medians\n")
    extra_head = " baseline ms | baseline ms / ours ms |" if baseline_cmd else ""
    print("| op | shape | threads | ours ms | ours GFLOPS | sgemm GFLOPS (same GEMM) | ours/sgemm | torch ms | torch GFLOPS | torch ms / ours ms |" + extra_head)
    print("|---|---|---|---|---|---|---|---|---|---|" + ("---|---|" if baseline_cmd else ""))
    for key in sorted(ours, key=lambda k: (k[1], list(dict.fromkeys(c for c, _ in ours)).index(k[0]))):
        records = ours[key]
        seconds = statistics.median(r["seconds"] for r in records)
        flops = records[0].get("flops")
        sgemm = [r["sgemm_seconds"] for r in records if "sgemm_seconds" in r]
        sgemm_seconds = statistics.median(sgemm) if sgemm else None
        torch_seconds = statistics.median(r["seconds"] for r in peer[key]) if peer.get(key) else None
        def gf(s):
            return f"{flops / s / 1e9:.1f}" if flops and s else "—"
        cells = [key[0], records[0]["shape"], str(key[1]), f"{seconds * 1e3:.2f}", gf(seconds), gf(sgemm_seconds),
                 f"{sgemm_seconds / seconds:.2f}" if sgemm_seconds else "—",
                 f"{torch_seconds * 1e3:.2f}" if torch_seconds else "—", gf(torch_seconds),
                 f"{torch_seconds / seconds:.2f}" if torch_seconds else "—"]
        if baseline_cmd:
            base_seconds = statistics.median(before[key]) if before.get(key) else None
            cells += [f"{base_seconds * 1e3:.2f}" if base_seconds else "—", f"{base_seconds / seconds:.2f}" if base_seconds else "—"]
        print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
