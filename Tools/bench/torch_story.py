"""PyTorch peer of `diffusion-cli bench story`: seconds per story with the reference AR-LDM sampler
(Tools/reference/arldm_ref.py `StoryModel.sample`) on the same story folder, captions, steps, guidance and thread
count, with the same phases and JSON keys as Sources/diffusion-cli/ModelBenchmark.swift:

load the folder (timed as `load_seconds`); reset the peak-RSS mark (/proc/self/clear_refs); `--warmup` untimed
stories (the first under torch.utils.flop_counter.FlopCounterMode: its count is the story's FLOPs); `--repeats`
timed stories under torch.inference_mode (median and minimum reported, and the median per frame). Each story is a
visualization story (no given frame): the frames' initial noise is drawn from one torch.Generator(seed) in frame
order, as the Swift side draws it, before the timer starts (the Swift side draws it inside; a few µs).
Process CPU time (time.process_time: user + system, all threads) is recorded per story next to the wall time.
Peak RSS: `ru_maxrss` (whole process, loading and `import torch` included) and VmHWM since the reset.
Run one thread count per process (Tools/bench/compare_story.py does) so each peak belongs to one configuration.

Usage: python Tools/bench/torch_story.py --model FOLDER [--frames 5] [--steps N] [--guidance W] [--threads 1]
          [--warmup 1] [--repeats 3] [--seed 0] [--json]
"""

import argparse
import json
import os
import sys
import time

import torch
from torch.utils.flop_counter import FlopCounterMode

from bench_process import PeakMemory, timed_calls

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "reference"))

# The captions of a story, in order (the same list as BenchStoryCommand.captions): ShapesWorld's story phrasing (Tools/shapesworld/languages.py `English`).
CAPTIONS = [
    "Lulu is a red circle.",
    "Lulu moves to the right.",
    "It jumps.",
    "It shrinks.",
    "Lulu moves down.",
    "It grows bigger.",
    "Lulu moves to the left.",
    "It moves up.",
]


def story_captions(frames):
    """`frames` captions: the list above, cycled when a story is longer than it."""
    return [CAPTIONS[index % len(CAPTIONS)] for index in range(frames)]


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description="Time AR-LDM story sampling with the PyTorch reference.")
    parser.add_argument("--model", required=True, help="story folder (story_config.json, history_encoder/, unet/, …)")
    parser.add_argument("--frames", type=int, default=5, help="frames per story (captions)")
    parser.add_argument("--steps", type=int, help="DDIM steps per frame (default: the folder's num_inference_steps)")
    parser.add_argument("--guidance", type=float, help="guidance scale (default: the folder's guidance_scale)")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--warmup", type=int, default=1, help="untimed stories before the timed ones")
    parser.add_argument("--repeats", "--rounds", dest="repeats", type=int, default=3, help="timed stories")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if args.frames < 1 or args.threads < 1 or args.warmup < 0 or args.repeats < 1:
        parser.error("--frames, --threads and --repeats must be ≥ 1 and --warmup ≥ 0")
    if args.steps is not None and args.steps < 1:
        parser.error("--steps must be ≥ 1")
    return args


def main(argv=None):
    args = parse_args(argv)
    import arldm_ref  # after parsing: --help stays fast

    torch.set_num_threads(args.threads)
    with torch.inference_mode():
        start = time.perf_counter()
        model = arldm_ref.StoryModel(args.model)
        load_seconds = time.perf_counter() - start
        if args.frames > model.max_frames:
            raise SystemExit(f"--frames {args.frames} exceeds the model's max_frames {model.max_frames}")
        steps = args.steps or model.config["num_inference_steps"]
        guidance = args.guidance if args.guidance is not None else model.config["guidance_scale"]
        captions = story_captions(args.frames)
        latent = model.unet.config.sample_size
        shape = (1, model.unet.config.in_channels, latent, latent)
        frame_size = latent * 2 ** (len(model.vae.config.block_out_channels) - 1)

        def story():
            generator = torch.Generator().manual_seed(args.seed)
            noises = [torch.randn(shape, generator=generator) for _ in captions]
            return model.sample(captions, noises, steps, guidance)

        memory = PeakMemory()
        flops = 0
        for index in range(args.warmup):
            if index == 0:
                counter = FlopCounterMode(display=False)
                with counter:
                    story()
                flops = counter.get_total_flops()
            else:
                story()
        timing = timed_calls(story, args.repeats)
    seconds, samples = timing["seconds"], timing["samples"]
    record = {
        "impl": "torch", "component": "story", "model": os.path.basename(os.path.normpath(args.model)),
        "shape": f"{args.frames} frames × {steps} steps, guidance {guidance:g}, {frame_size}² frames",
        "threads": args.threads, "min_seconds": min(samples),
        "seconds_per_frame": seconds / args.frames, "frames": args.frames, "steps": steps, "guidance": guidance,
        "warmup": args.warmup, "flops": flops, "load_seconds": load_seconds, "torch": torch.__version__,
        **timing, **memory.fields(),
    }
    if args.json:
        print(json.dumps(record, sort_keys=True), flush=True)
    else:
        print(f"story {record['model']} [{record['shape']}] threads {args.threads}: median {seconds:.3f} s "
              f"({', '.join(f'{s:.3f}' for s in samples)}), min {min(samples):.3f} s, "
              f"{record['seconds_per_frame']:.3f} s/frame, CPU {record['cpu_seconds']:.3f} s, "
              f"{flops / 1e9:.2f} GFLOP/call; load {load_seconds:.2f} s; {PeakMemory.describe(record)}")


if __name__ == "__main__":
    main()
