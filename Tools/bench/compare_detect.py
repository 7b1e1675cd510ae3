"""Runs `diffusion-cli bench detect` and the PyTorch reference (Tools/bench/torch_detect.py) alternately, one
fresh process per (side, model, thread count) and round, and prints the side-by-side markdown table for
BENCHMARKS.md: medians over the rounds of each process's per-run medians, ratios torch/swift (> 1: Swift is
faster), peak RSS, process CPU time, and `uptime` before and after.

A case is MODEL_FOLDER[@WIDTHxHEIGHT]; without a size, the model's min_size_test square. Both sides make the
same synthetic image (gradient + checkerboard) of that size.

Usage: python Tools/bench/compare_detect.py --case Tests/Fixtures/diffusiondet/basic18 \
          --case .bench-models/diffusiondet-r50@1333x800 [--boxes N] [--steps 1,4] [--threads 1,2]
          [--rounds 2] [--runs 3] [--warmup 1] [--cli .build/release/diffusion-cli]
"""

import argparse
import json
import os
import statistics
import sys
from collections import defaultdict

from bench_process import run_json, uptime


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--case", action="append", required=True)
    parser.add_argument("--boxes", type=int)
    parser.add_argument("--steps", default="1,4")
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--cli", default=".build/release/diffusion-cli")
    parser.add_argument("--raw", help="also write every process's JSON records to this file (JSON lines)")
    args = parser.parse_args()
    here = os.path.dirname(os.path.abspath(__file__))
    print(f"uptime before: {uptime()}", flush=True)
    results = defaultdict(list)  # (impl, model, input, boxes, steps, threads) → records
    for case in args.case:
        folder, _, size = case.partition("@")
        common = ["--model", folder, "--steps", args.steps, "--runs", str(args.runs), "--warmup", str(args.warmup),
                  "--json"] + (["--size", size] if size else []) + (["--boxes", str(args.boxes)] if args.boxes else [])
        for threads in args.threads.split(","):
            for round_index in range(args.rounds):
                for impl, command in (("swift", [args.cli, "bench", "detect"]),
                                      ("torch", [sys.executable, os.path.join(here, "torch_detect.py")])):
                    for record in run_json(command + common + ["--threads", threads]):
                        key = (record["model"], record["input"], record["boxes"], record["steps"], record["threads"])
                        results[(impl,) + key].append(record)
                    print(f"{case} threads {threads} round {round_index + 1}/{args.rounds} {impl} done "
                          f"({uptime()})", file=sys.stderr, flush=True)
    print(f"uptime after: {uptime()}\n")
    if args.raw:
        with open(args.raw, "w") as f:
            for records in results.values():
                for record in records:
                    f.write(json.dumps(record, sort_keys=True) + "\n")
    print(f"{args.rounds} alternating rounds (fresh processes) × ({args.warmup} warm-up + {args.runs} runs); "
          "median of the per-process medians; ratio = torch / swift (> 1: Swift faster)\n")
    print("| model | input | boxes | steps | threads | swift backbone ms | torch backbone ms | ratio | swift head ms "
          "| torch head ms | ratio | swift total ms | torch total ms | **ratio** | swift CPU ms | torch CPU ms "
          "| swift peak RSS MiB | torch peak RSS MiB |")
    print("|" + "---|" * 18)
    models = list(dict.fromkeys(k[1] for k in results))  # in case order
    keys = sorted({k[1:] for k in results}, key=lambda k: (models.index(k[0]), k[4], k[3]))
    for key in keys:
        ours, peer = results.get(("swift",) + key), results.get(("torch",) + key)
        if not ours or not peer:
            continue

        def med(records, field):
            return statistics.median(r[field] for r in records)

        cells = list(map(str, key))
        for field in ("backbone_ms", "head_ms", "total_ms"):
            s, t = med(ours, field), med(peer, field)
            cells += [f"{s:.1f}", f"{t:.1f}", f"{t / s:.2f}" if field != "total_ms" else f"**{t / s:.2f}**"]
        cpu = [med(r, "backbone_cpu_ms") + med(r, "head_cpu_ms") for r in (ours, peer)]
        cells += [f"{cpu[0]:.0f}", f"{cpu[1]:.0f}", f"{max(r['peak_rss_mib'] for r in ours):.0f}",
                  f"{max(r['peak_rss_mib'] for r in peer):.0f}"]
        print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
