"""Runs `diffusion-cli bench unet|vae|text` and Tools/bench/torch_sd.py alternately, one process per configuration
(so each peak RSS belongs to one configuration), and prints the side-by-side markdown table for BENCHMARKS.md.

For each (model, component, thread count) and each of `--pairs` repetitions: Swift then PyTorch, then the order
flips on the next repetition (A B, B A, …). Medians over the repetitions of each side's per-process median.
`uptime` is printed before and after; every raw JSON record is appended to `--log`.

Usage: python Tools/bench/compare_sd.py [--models shapesworld,sd15] [--threads 1,2] [--components unet,vae,text]
          [--pairs 1] [--cli .build/release/diffusion-cli] [--log /tmp/compare_sd.jsonl] [--label COMMIT]
          [--impls swift,torch]
       python Tools/bench/compare_sd.py --table-only --log FILE [--label COMMIT]   # the table from a log
"""

import argparse
import json
import os
import statistics
import sys

from bench_process import run_json, uptime

# name → (folder, timed calls per component after the warm-up call)
MODELS = {
    "shapesworld": ("Models/shapesworld-t2i", {"unet": 21, "vae": 21, "text": 21}),
    "sd15": (".bench-models/sd15-random", {"unet": 2, "vae": 2, "text": 7}),
}


def mib(value):
    return f"{value / 1048576:,.0f}" if value else "—"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--models", default="shapesworld,sd15")
    parser.add_argument("--components", default="unet,vae,text")
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--pairs", type=int, default=1)
    parser.add_argument("--cli", default=".build/release/diffusion-cli")
    parser.add_argument("--log", default="/tmp/compare_sd.jsonl")
    parser.add_argument("--label", help="stored with each Swift record (e.g. the commit), to tell builds apart")
    parser.add_argument("--table-only", action="store_true", help="print the table from --log and exit")
    parser.add_argument("--impls", default="swift,torch", help="which sides to run (e.g. swift after a change)")
    parser.add_argument("--swift-args", default="", help="extra options for diffusion-cli, e.g. '--buffer-pool-mib 512'")
    args = parser.parse_args()
    if args.table_only:
        table_from_log(args.log, args.label)
        return
    here = os.path.dirname(os.path.abspath(__file__))
    print(f"before: {uptime()}", flush=True)
    rows = []
    for model in args.models.split(","):
        folder, rounds = MODELS[model]
        for component in args.components.split(","):
            for threads in [int(t) for t in args.threads.split(",")]:
                common = ["--model", folder, "--threads", str(threads), "--rounds", str(rounds[component]), "--json"]
                commands = {
                    "swift": [args.cli, "bench", component] + common + args.swift_args.split(),
                    "torch": [sys.executable, os.path.join(here, "torch_sd.py"), component] + common,
                }
                records = {"swift": [], "torch": []}
                for pair in range(args.pairs):
                    order = ["swift", "torch"] if pair % 2 == 0 else ["torch", "swift"]
                    for impl in [i for i in order if i in args.impls.split(",")]:
                        record = run_json(commands[impl])[-1]
                        record["uptime"] = uptime()
                        if impl == "swift" and args.label:
                            record["label"] = args.label
                        records[impl].append(record)
                        with open(args.log, "a") as log:
                            log.write(json.dumps(record, sort_keys=True) + "\n")
                        print(f"{model} {component} {threads}t {impl}: {record['seconds']:.4f} s, "
                              f"CPU {record['cpu_seconds']:.4f} s, peak {mib(record.get('peak_rss_bytes'))} MiB — {record['uptime']}", file=sys.stderr, flush=True)
                rows.append((model, component, threads, records))
    print(f"after: {uptime()}\n", flush=True)
    print_table(rows)


def print_table(rows):
    """GFLOPS use the Swift side's sgemm count for both (same model, same shapes): FlopCounterMode does not count
    CPU flash attention (aten._scaled_dot_product_flash_attention_for_cpu), so its count is shown but not used."""
    print("| model | component | shape | threads | Swift s | diffusers s | **time ratio diffusers/Swift** | Swift CPU s | "
          "diffusers CPU s | CPU-time ratio | GFLOP/call (Swift sgemm count / torch FlopCounterMode) | Swift GFLOPS | "
          "diffusers GFLOPS | Swift peak RSS MiB (process / inference) | diffusers peak RSS MiB (process / inference) | "
          "**peak RSS ratio Swift/diffusers** |")
    print("|" + "---|" * 16)
    for model, component, threads, records in rows:
        swift, torch = records["swift"], records["torch"]
        if not swift or not torch:
            continue
        s = statistics.median(r["seconds"] for r in swift)
        t = statistics.median(r["seconds"] for r in torch)
        sc = statistics.median(r["cpu_seconds"] for r in swift)
        tc = statistics.median(r["cpu_seconds"] for r in torch)
        sf, tf = swift[0]["flops"], torch[0]["flops"]
        sp = statistics.median(r["peak_rss_bytes"] for r in swift)
        tp = statistics.median(r["peak_rss_bytes"] for r in torch)
        si = statistics.median(r.get("peak_rss_inference_bytes", 0) for r in swift)
        ti = statistics.median(r.get("peak_rss_inference_bytes", 0) for r in torch)
        print(f"| {model} | {component} | {swift[0]['shape']} | {threads} | {s:.4g} | {t:.4g} | **{t / s:.2f}** | "
              f"{sc:.4g} | {tc:.4g} | {tc / sc:.2f} | {sf / 1e9:.2f} / {tf / 1e9:.2f} | {sf / s / 1e9:.1f} | "
              f"{sf / t / 1e9:.1f} | {mib(sp)} / {mib(si)} | {mib(tp)} / {mib(ti)} | **{sp / tp:.2f}** |")


def table_from_log(path, swift_label=None):
    """Rows from a --log file (records grouped by model, component and threads, in first-seen order)."""
    rows, index = [], {}
    with open(path) as log:
        for line in log:
            record = json.loads(line)
            if record["impl"] == "swift" and swift_label and record.get("label") != swift_label:
                continue
            key = (record["model"], record["component"], record["threads"])
            if key not in index:
                index[key] = len(rows)
                rows.append((*key, {"swift": [], "torch": []}))
            rows[index[key]][3][record["impl"]].append(record)
    print_table(rows)

if __name__ == "__main__":
    main()
