"""Runs `diffusion-cli bench story` and the PyTorch reference (Tools/bench/torch_story.py) interleaved — Swift, torch,
Swift, torch, … — one fresh process per (side, thread count, round), and prints the side-by-side markdown table for
BENCHMARKS.md: medians over the rounds of each process's median seconds per story, the minimum over all timed
stories, seconds per frame, the ratio torch ÷ Swift (> 1: Swift is faster), process CPU time, peak RSS, and
`uptime` before and after (the machine is shared, so the interleaving is what keeps the two sides comparable).

Both sides get the same story folder, frame count, steps, guidance, seed, warm-up and timed stories; the captions
are the fixed ShapesWorld list both define.

Usage: python Tools/bench/compare_story.py --model Tests/Fixtures/story/tiny [--frames 5] [--steps N] [--guidance W]
          [--threads 1,2] [--rounds 3] [--repeats 3] [--warmup 1] [--cli .build/release/diffusion-cli] [--raw FILE]
"""

import argparse
import json
import os
import statistics
import sys

from bench_process import run_json, uptime

HERE = os.path.dirname(os.path.abspath(__file__))


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description="Interleaved Swift vs PyTorch AR-LDM story benchmark.")
    parser.add_argument("--model", required=True, help="story folder")
    parser.add_argument("--frames", type=int, default=5)
    parser.add_argument("--steps", type=int, help="DDIM steps per frame (default: the folder's)")
    parser.add_argument("--guidance", type=float, help="guidance scale (default: the folder's)")
    parser.add_argument("--threads", default="1,2", help="comma-separated thread counts, one process each")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved Swift/torch process pairs per thread count")
    parser.add_argument("--repeats", type=int, default=3, help="timed stories per process")
    parser.add_argument("--warmup", type=int, default=1, help="untimed stories per process")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--cli", default=".build/release/diffusion-cli")
    parser.add_argument("--raw", help="also write every process's JSON record to this file (JSON lines)")
    args = parser.parse_args(argv)
    try:
        args.thread_counts = [int(t) for t in args.threads.split(",")]
    except ValueError:
        parser.error("--threads needs comma-separated integers")
    if not args.thread_counts or min(args.thread_counts) < 1 or args.rounds < 1 or args.repeats < 1 or args.warmup < 0:
        parser.error("--threads, --rounds and --repeats must be ≥ 1 and --warmup ≥ 0")
    return args


def commands(args, threads):
    """The two sides' command lines for one thread count: {"swift": [...], "torch": [...]}."""
    common = ["--model", args.model, "--frames", str(args.frames), "--threads", str(threads),
              "--warmup", str(args.warmup), "--repeats", str(args.repeats), "--seed", str(args.seed)]
    if args.steps is not None:
        common += ["--steps", str(args.steps)]
    if args.guidance is not None:
        common += ["--guidance", str(args.guidance)]
    common.append("--json")
    return {"swift": [args.cli, "bench", "story"] + common,
            "torch": [sys.executable, os.path.join(HERE, "torch_story.py")] + common}


def table(records, rounds, warmup, repeats):
    """The markdown table from {(impl, threads): [record, …]}."""
    lines = [f"{rounds} interleaved rounds (fresh processes, Swift then torch) × ({warmup} warm-up + {repeats} timed "
             "stories); medians of the per-process medians; min = fastest single story; "
             "ratio = torch ÷ Swift (> 1: Swift faster)", "",
             "| model | story | threads | Swift s/story | torch s/story | **ratio** | Swift min s | torch min s "
             "| Swift s/frame | torch s/frame | Swift CPU s | torch CPU s | Swift peak RSS MiB | torch peak RSS MiB |",
             "|" + "---|" * 14]
    for threads in sorted({key[1] for key in records}):
        ours, peer = records.get(("swift", threads)), records.get(("torch", threads))
        if not ours or not peer:
            continue

        def med(side, field):
            return statistics.median(r[field] for r in side)

        s, t = med(ours, "seconds"), med(peer, "seconds")
        cells = [ours[0]["model"], ours[0]["shape"], str(threads), f"{s:.3f}", f"{t:.3f}", f"**{t / s:.2f}**",
                 f"{min(r['min_seconds'] for r in ours):.3f}", f"{min(r['min_seconds'] for r in peer):.3f}",
                 f"{med(ours, 'seconds_per_frame'):.3f}", f"{med(peer, 'seconds_per_frame'):.3f}",
                 f"{med(ours, 'cpu_seconds'):.3f}", f"{med(peer, 'cpu_seconds'):.3f}",
                 f"{max(r['peak_rss_bytes'] for r in ours) / 1048576:.0f}",
                 f"{max(r['peak_rss_bytes'] for r in peer) / 1048576:.0f}"]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv=None):
    args = parse_args(argv)
    print(f"uptime before: {uptime()}", flush=True)
    records = {}
    raw = []
    for threads in args.thread_counts:
        sides = commands(args, threads)
        for round_index in range(args.rounds):
            for impl in ("swift", "torch"):
                record = run_json(sides[impl])[-1]
                record["uptime"] = uptime()
                records.setdefault((impl, threads), []).append(record)
                raw.append(record)
                print(f"threads {threads} round {round_index + 1}/{args.rounds} {impl}: {record['seconds']:.3f} s/story "
                      f"({record['uptime']})", file=sys.stderr, flush=True)
    print(f"uptime after: {uptime()}\n")
    if args.raw:
        with open(args.raw, "w") as f:
            for record in raw:
                f.write(json.dumps(record, sort_keys=True) + "\n")
    print(table(records, args.rounds, args.warmup, args.repeats))


if __name__ == "__main__":
    main()
