"""Writes the CLIPTextModel parity fixtures into Tests/Fixtures/clip-text-model/.

Reference: transformers 4.57.6 `CLIPTextModel` (models/clip/modeling_clip.py) and diffusers 0.35.2
`StableDiffusionPipeline.encode_prompt` (clip_skip, negative prompts). Two small random-weight models:

  A  quick_gelu, hidden 32, 2 layers, 4 heads, intermediate 37, vocab 49408, legacy pooling
     (eos_token_id 2 → pooled at argmax(input_ids)), as the SD 1.x/2.x text_encoder configs have it.
     Inputs: 6 prompts tokenised with the real CLIP tokenizer (Tests/Fixtures/clip-tokenizer, SD 1.x
     padding: pad = <|endoftext|>).
  B  gelu, hidden 48, 3 layers, 6 heads, intermediate 61, non-legacy pooling (first position of
     eos_token_id). Two 49408-row tables would not fit the 8 MB fixture budget, so B has a
     1000-token vocabulary with bos 997, eos 998, pad 999: the same 6 tokenised prompts are folded
     into it (text ids mod 997, BOS → 997, EOS → 998, padding → 999 in rows 0–3 so that
     argmax(input_ids) ≠ the EOS position, padding → 998 in rows 4–5 so that the first of several
     EOS ids must be taken).

Each model is saved with `save_pretrained(safe_serialization=True)` in float16 into `<name>/`
(config.json + model.safetensors, exactly what a diffusers `text_encoder/` folder holds); the
reference outputs are computed in float32 from the fp16-rounded weights, with transformers' default
attention implementation (sdpa, what diffusers pipelines run), and written to
`<name>.expected.safetensors`:
  input_ids, attention_mask           (6, 77) int64
  last_hidden_state                   (6, 77, D)  no attention mask (as StableDiffusionPipeline calls it)
  pooler_output                       (6, D)
  hidden_states.<i>                   (6, 77, D)  every entry of output_hidden_states (embeddings, layer 1, …)
  masked.last_hidden_state, masked.pooler_output   with the tokenizer's attention_mask
  pipeline.prompt_embeds, pipeline.negative_prompt_embeds   (A only) encode_prompt(prompts[:2],
      negative_prompt=NEGATIVE, clip_skip=1, do_classifier_free_guidance=True)
Metadata `fixture`: JSON with versions, prompts, negative prompts.

Usage, from the repository root:
    /work/main/.venv/bin/python Tools/reference/make_clip_text_fixtures.py
Pinned versions: Tools/reference/requirements.txt.
"""

import json
import math
import pathlib
import shutil
import types

import diffusers
import torch
import transformers
from diffusers import StableDiffusionPipeline
from safetensors.torch import save_file
from transformers import CLIPTextConfig, CLIPTextModel, CLIPTokenizer

torch.set_num_threads(1)
torch.use_deterministic_algorithms(True)

ROOT = pathlib.Path(__file__).resolve().parents[2]
TOKENIZER = ROOT / "Tests" / "Fixtures" / "clip-tokenizer"
OUT = ROOT / "Tests" / "Fixtures" / "clip-text-model"

PROMPTS = [
    "a photo of a cat",
    "an astronaut riding a horse on mars, highly detailed digital painting",
    "",
    "A red circle and a BLUE square on a plain background!!!",
    "a very long prompt " + "with many repeated words " * 20,
    "日本語のテキスト と émojis 🐱",
]
NEGATIVE = ["blurry, low quality", ""]

CONFIGS = {
    "A": dict(vocab_size=49408, hidden_size=32, intermediate_size=37, num_hidden_layers=2, num_attention_heads=4,
              max_position_embeddings=77, hidden_act="quick_gelu", layer_norm_eps=1e-5, projection_dim=32,
              bos_token_id=0, eos_token_id=2, pad_token_id=1),
    "B": dict(vocab_size=1000, hidden_size=48, intermediate_size=61, num_hidden_layers=3, num_attention_heads=6,
              max_position_embeddings=77, hidden_act="gelu", layer_norm_eps=1e-5, projection_dim=48,
              bos_token_id=997, eos_token_id=998, pad_token_id=999),
}


def randomize(module, generator):
    """Seeded weights with order-one effect: matrices ~ N(0, 1/fan_in) (embedding rows ~ N(0, 1)),
    norm gains 1 + 0.3·N, biases 0.3·N."""
    with torch.no_grad():
        for name, parameter in module.named_parameters():
            if "embedding" in name:
                parameter.copy_(torch.randn(parameter.shape, generator=generator))
            elif parameter.ndim >= 2:
                parameter.copy_(torch.randn(parameter.shape, generator=generator) / math.sqrt(parameter.shape[1]))
            elif name.endswith("weight"):
                parameter.copy_(1 + 0.3 * torch.randn(parameter.shape, generator=generator))
            else:
                parameter.copy_(0.3 * torch.randn(parameter.shape, generator=generator))
    return module.eval()


def fold_into_b(ids, attention_mask, row):
    """The real tokenizer's ids folded into B's 1000-token vocabulary (see the module docstring)."""
    folded = []
    for position, (token, kept) in enumerate(zip(ids, attention_mask)):
        if not kept:
            folded.append(999 if row < 4 else 998)
        elif token == 49406:
            folded.append(997)
        elif token == 49407:
            folded.append(998)
        else:
            folded.append(token % 997)
    return folded


def main():
    tokenizer = CLIPTokenizer.from_pretrained(TOKENIZER)
    encoded = tokenizer(PROMPTS, padding="max_length", max_length=77, truncation=True, return_tensors="pt")
    if OUT.exists():
        shutil.rmtree(OUT)
    OUT.mkdir(parents=True)
    for index, (name, arguments) in enumerate(CONFIGS.items()):
        config = CLIPTextConfig(**arguments)
        model = randomize(CLIPTextModel(config), torch.Generator().manual_seed(1000 + index))
        model.to(torch.float16).save_pretrained(OUT / name, safe_serialization=True)
        model = model.to(torch.float32)  # the fp16-rounded values, computed in fp32

        input_ids = encoded.input_ids.clone()
        attention_mask = encoded.attention_mask.clone()
        if name == "B":
            input_ids = torch.tensor([fold_into_b(row.tolist(), mask.tolist(), r)
                                      for r, (row, mask) in enumerate(zip(input_ids, attention_mask))])
        tensors = {"input_ids": input_ids, "attention_mask": attention_mask}
        with torch.no_grad():
            plain = model(input_ids, output_hidden_states=True)
            masked = model(input_ids, attention_mask=attention_mask)
        tensors["last_hidden_state"] = plain.last_hidden_state
        tensors["pooler_output"] = plain.pooler_output
        for layer, state in enumerate(plain.hidden_states):
            tensors[f"hidden_states.{layer}"] = state
        tensors["masked.last_hidden_state"] = masked.last_hidden_state
        tensors["masked.pooler_output"] = masked.pooler_output
        # Legacy and non-legacy pooling must disagree somewhere in B, or the fixture proves nothing.
        if name == "B":
            legacy = input_ids.argmax(-1)
            first_eos = (input_ids == config.eos_token_id).int().argmax(-1)
            assert (legacy != first_eos).any(), "B's inputs do not tell the pooling rules apart"

        if name == "A":
            host = types.SimpleNamespace(tokenizer=tokenizer, text_encoder=model, unet=None)
            with torch.no_grad():
                prompt_embeds, negative_embeds = StableDiffusionPipeline.encode_prompt(
                    host, PROMPTS[:2], torch.device("cpu"), 1, True, NEGATIVE, clip_skip=1)
            tensors["pipeline.prompt_embeds"] = prompt_embeds
            tensors["pipeline.negative_prompt_embeds"] = negative_embeds

        metadata = {
            "torch": torch.__version__, "transformers": transformers.__version__, "diffusers": diffusers.__version__,
            "prompts": PROMPTS, "negative_prompts": NEGATIVE, "pipeline_clip_skip": 1,
        }
        save_file({key: value.detach().contiguous() for key, value in tensors.items()},
                  OUT / f"{name}.expected.safetensors", metadata={"fixture": json.dumps(metadata, ensure_ascii=False)})
        print(name, "pooled", plain.pooler_output.abs().max().item(), "lhs", plain.last_hidden_state.abs().max().item())
    total = sum(path.stat().st_size for path in OUT.rglob("*") if path.is_file())
    print(f"total fixture size {total} bytes")
    assert total < 8_000_000


if __name__ == "__main__":
    main()
