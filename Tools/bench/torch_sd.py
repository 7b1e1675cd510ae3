"""diffusers/transformers peer of `diffusion-cli bench unet|vae|text`: one model call timed at one thread count.

Same folders (the diffusers pipeline layout: unet/, vae/, text_encoder/), same weights (loaded as float32, as the
Swift side widens them), same shapes, same phases as Sources/diffusion-cli/ModelBenchmark.swift:
load the model and build the inputs; reset the peak-RSS mark (/proc/self/clear_refs); one warm-up call under
torch.utils.flop_counter.FlopCounterMode (its count is the call's FLOPs: convolutions, matmuls and attention at
2 FLOPs per multiply-accumulate); `rounds` timed calls under torch.inference_mode (median reported).
Process CPU time (time.process_time: user + system, all threads) is recorded per call next to the wall time.
Peak RSS: `ru_maxrss` (whole process, loading and `import torch` included) and VmHWM since the reset.
Run one configuration per process (Tools/bench/compare_sd.py does) so each peak belongs to one configuration.

Usage: python Tools/bench/torch_sd.py {unet,vae,text} [--model Models/shapesworld-t2i] [--threads 1]
          [--rounds 3] [--batch N] [--json]
"""

import argparse
import json
import os
import time

import torch
from torch.utils.flop_counter import FlopCounterMode

from bench_process import PeakMemory, timed_calls


def prepare_unet(folder, batch, generator):
    from diffusers import UNet2DConditionModel
    unet = UNet2DConditionModel.from_pretrained(os.path.join(folder, "unet"), torch_dtype=torch.float32).eval()
    config = unet.config
    size = config.sample_size if isinstance(config.sample_size, int) else config.sample_size[0]
    width = config.cross_attention_dim if isinstance(config.cross_attention_dim, int) else config.cross_attention_dim[0]
    sample = torch.rand(batch, config.in_channels, size, size, generator=generator) * 2 - 1
    context = torch.rand(batch, 77, width, generator=generator) * 2 - 1
    timestep = torch.tensor(500.0)
    shape = f"b{batch} {config.in_channels}×{size}², context 77×{width}"
    return (lambda: unet(sample, timestep, encoder_hidden_states=context).sample), shape


def prepare_vae(folder, batch, generator):
    from diffusers import AutoencoderKL
    vae = AutoencoderKL.from_pretrained(os.path.join(folder, "vae"), torch_dtype=torch.float32).eval()
    config = vae.config
    factor = 2 ** (len(config.block_out_channels) - 1)
    size = config.sample_size // factor
    latents = torch.rand(batch, config.latent_channels, size, size, generator=generator) * 2 - 1
    shape = f"b{batch} {config.latent_channels}×{size}² → {config.out_channels}×{size * factor}²"
    return (lambda: vae.decode(latents).sample), shape


def prepare_text(folder, batch, generator):
    from transformers import CLIPTextModel
    text = CLIPTextModel.from_pretrained(os.path.join(folder, "text_encoder"), dtype=torch.float32).eval()
    config = text.config
    length = config.max_position_embeddings
    # The same ids as BenchTextCommand.tokenIDs: row r, position i → (1000 + 37·i + 101·r) mod V.
    ids = torch.tensor([[(1000 + 37 * i + 101 * r) % config.vocab_size for i in range(length)] for r in range(batch)])
    shape = f"b{batch} × {length} tokens, width {config.hidden_size}, {config.num_hidden_layers} layers"
    return (lambda: text(input_ids=ids).last_hidden_state), shape


COMPONENTS = {"unet": (prepare_unet, 2, "unet"), "vae": (prepare_vae, 1, "vae-decode"), "text": (prepare_text, 2, "text")}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("component", choices=sorted(COMPONENTS))
    parser.add_argument("--model", default="Models/shapesworld-t2i")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--batch", type=int)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    prepare, default_batch, component = COMPONENTS[args.component]
    torch.set_num_threads(args.threads)
    with torch.inference_mode():
        start = time.perf_counter()
        call, shape = prepare(args.model, args.batch or default_batch, torch.Generator().manual_seed(0))
        load_seconds = time.perf_counter() - start
        memory = PeakMemory()
        counter = FlopCounterMode(display=False)
        with counter:
            call()
        flops = counter.get_total_flops()
        timing = timed_calls(call, args.rounds)
    seconds, samples = timing["seconds"], timing["samples"]
    record = {
        "impl": "torch", "component": component, "model": os.path.basename(os.path.normpath(args.model)),
        "shape": shape, "threads": args.threads, "flops": flops, "load_seconds": load_seconds,
        "torch": torch.__version__, **timing, **memory.fields(),
    }
    if args.json:
        print(json.dumps(record, sort_keys=True), flush=True)
    else:
        print(f"{component} {record['model']} [{shape}] threads {args.threads}: median {seconds:.3f} s "
              f"({', '.join(f'{s:.3f}' for s in samples)}), CPU {record['cpu_seconds']:.3f} s, {flops / 1e9:.2f} GFLOP/call, "
              f"{flops / seconds / 1e9:.1f} GFLOPS; load {load_seconds:.2f} s; {PeakMemory.describe(record)}")


if __name__ == "__main__":
    main()
