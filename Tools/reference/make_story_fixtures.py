"""Writes the AR-LDM story-model parity fixtures into Tests/Fixtures/story/.

Reference: Tools/reference/arldm_ref.py (AR-LDM conditioning on diffusers 0.35.2 / transformers 4.57.6, torch 2.13 CPU).

`tiny/` is a story folder (layout in arldm_ref.py's docstring):
  unet/ vae/ text_encoder/ tokenizer/ scheduler/  symbolic links to Models/shapesworld-t2i (the bundled base model:
                   text hidden 64, UNet cross_attention_dim 64, 8×8×4 latents, DDIM config); regenerate these
                   fixtures if that model is ever replaced.
  history_encoder/ a HistoryEncoder with random weights (hidden 64, 4 heads, 2 vision + 2 text layers, 8-pixel
                   patches of 32×32 frames, the CLIP vocabulary + one [ENC] row), saved in float16 (the reference
                   runs the float16-rounded weights in float32, so stored and used weights are identical).
  story_embeddings.safetensors  random modal_type_embeddings (2, 64) and time_embeddings (5, 64), float32.
  story_config.json             max_frames 5, caption_length 16, hidden_size 64, guidance 5, 25 steps.

`expected.safetensors` (metadata `fixture`: JSON with captions and parameters):
  inputs.images (3, 3, 32, 32)          smooth random frames x_0, x_1, x_2 in 0…1
  history.input_ids / history.attention_mask (4, 16)   CLIP tokens (as float32) of c_0, c_1, c_2 and ""
  history.output (4, 16, 64)            HistoryEncoder of (x_k, c_k) for k = 0, 1, 2 and of (black, "")
  history.vision_embeddings / .vision_layer0 / .image_tokens (4, 17, 64)   the image tower's input to layer 0
                                        (patches + [CLS] + positions), layer 0's output, the tower's output
  history.text_embeddings / .text_layer0 (4, 16, 64)   the caption tower's embeddings ([ENC] first) and layer 0's
                                        output (padding bias from history.attention_mask, image tokens as above)
  context.frame{j}.cond / .cond_mask    φ_j (1, 96, 64) and its keep mask (1, 96), story c_0…c_3 with history
                                        slots k < j holding (x_k, c_k), for j = 0, 1, 3
  context.frame{j}.uncond / .uncond_mask  the null condition for frame j
  step.*                                one guided DDIM step on frame 1's contexts: latents (1, 4, 8, 8), timestep,
                                        noise_uncond, noise_cond, noise_pred (guidance 5), prev_sample (25 steps)
  run.noise.{j} / run.latents.{j} / run.image.{j}   a 2-frame autoregressive story (captions c_0, c_1; 10 DDIM
                                        steps, guidance 5; noise = torch.Generator().manual_seed(7) randn (1,4,8,8)
                                        for frame 0, then frame 1, from the one generator)

`tiny-fine/` is a story folder with a 16×16 latent grid, the layout `Tools/train/train_story.py --vae-from` makes
(`grow_story_unet.py`): a random UNet with an outer DownBlock2D / UpBlock2D level around two cross-attention levels
(channels 32, 32, 64; sample_size 16) and a random VAE with one downsampling (channels 16, 32), both float16; text
encoder, tokenizer and scheduler link to the bundled base model, history encoder, embeddings and story_config to
`tiny/`. `fine.safetensors` holds its 2-frame story, keys as `run.*` above with (1, 4, 16, 16) latents.

`bundled.safetensors` (metadata `fixture`): a 2-frame visualization story of the bundled story model
Models/shapesworld-story (trained by Tools/train/train_story.py): captions BUNDLED_CAPTIONS, BUNDLED_STEPS DDIM
steps at the folder's guidance, noise as for `run.*`; keys run.noise.{j} / run.latents.{j} / run.image.{j}.
Regenerate it whenever that model is replaced.

Usage, from the repository root:
    nice -n 5 /work/main/.venv/bin/python Tools/reference/make_story_fixtures.py
"""

import json
import os
import pathlib
import shutil
import sys

import diffusers
import torch
import transformers
from safetensors.torch import save_file

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from arldm_ref import HistoryEncoder, StoryEmbeddings, StoryModel, teacher_forced_contexts  # noqa: E402
import random_weights  # noqa: E402
from random_weights import is_attention_output  # noqa: E402

torch.set_num_threads(1)
torch.use_deterministic_algorithms(True)

ROOT = pathlib.Path(__file__).resolve().parents[2]
BASE = ROOT / "Models" / "shapesworld-t2i"
BUNDLED = ROOT / "Models" / "shapesworld-story"
OUT = ROOT / "Tests" / "Fixtures" / "story"
TINY = OUT / "tiny"
FINE = OUT / "tiny-fine"

MAX_FRAMES = 5
CAPTION_LENGTH = 16
HIDDEN = 64
HISTORY_ENCODER = dict(image_size=32, patch_size=8, num_channels=3, hidden_size=HIDDEN, num_attention_heads=4,
                       intermediate_size=256, vision_layers=2, text_layers=2, vocab_size=49409,
                       max_position_embeddings=CAPTION_LENGTH, enc_token_id=49408, layer_norm_eps=1e-5)
CAPTIONS = ["a red circle on the left", "the red circle jumps above a blue square",
            "two green triangles", "a red circle below a yellow star"]
GUIDANCE = 5.0
STEP_COUNT = 25
STEP_INDEX = 12
RUN_STEPS = 10
RUN_SEED = 7
TO_OUT_SCALE = 2.0
BUNDLED_CAPTIONS = ["Kiki is a red circle.", "Kiki moves to the right."]
BUNDLED_STEPS = 10


def randomize(module, seed):
    return random_weights.randomize(module, seed, scales=[(is_attention_output, TO_OUT_SCALE)], is_gain=is_norm_gain)


def is_norm_gain(name):
    return name.endswith("norm.weight") or "norm1." in name or "norm2." in name or name.endswith("layernorm.weight")


def build_folder():
    if TINY.exists():
        shutil.rmtree(TINY)
    TINY.mkdir(parents=True)
    for component in ("unet", "vae", "text_encoder", "tokenizer", "scheduler"):
        os.symlink(os.path.relpath(BASE / component, TINY), TINY / component)
    encoder = randomize(HistoryEncoder(**HISTORY_ENCODER), 300).to(torch.float16)
    encoder.save_pretrained(TINY / "history_encoder", safe_serialization=True)
    config_path = TINY / "history_encoder" / "config.json"
    config = json.loads(config_path.read_text())
    config.pop("_name_or_path", None)
    config_path.write_text(json.dumps(config, indent=2, sort_keys=True) + "\n")
    embeddings = StoryEmbeddings(MAX_FRAMES, HIDDEN)
    generator = torch.Generator().manual_seed(400)
    with torch.no_grad():
        for parameter in embeddings.parameters():
            parameter.copy_(0.5 * torch.randn(parameter.shape, generator=generator))
    save_file({k: v.contiguous() for k, v in embeddings.state_dict().items()}, TINY / "story_embeddings.safetensors")
    story_config = {"_class_name": "ARLDMStoryPipeline", "max_frames": MAX_FRAMES, "caption_length": CAPTION_LENGTH,
                    "hidden_size": HIDDEN, "guidance_scale": GUIDANCE, "num_inference_steps": STEP_COUNT}
    (TINY / "story_config.json").write_text(json.dumps(story_config, indent=2, sort_keys=True) + "\n")


def build_fine_folder():
    """`tiny-fine/`: the finer-grid layout, random weights (see the module docstring)."""
    from diffusers import AutoencoderKL, UNet2DConditionModel

    if FINE.exists():
        shutil.rmtree(FINE)
    FINE.mkdir(parents=True)
    for component in ("text_encoder", "tokenizer", "scheduler"):
        os.symlink(os.path.relpath(BASE / component, FINE), FINE / component)
    for component in ("history_encoder", "story_embeddings.safetensors", "story_config.json"):
        os.symlink(os.path.relpath(TINY / component, FINE), FINE / component)
    unet = UNet2DConditionModel(
        sample_size=16, in_channels=4, out_channels=4, block_out_channels=(32, 32, 64), layers_per_block=1,
        down_block_types=("DownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D"),
        up_block_types=("CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "UpBlock2D"),
        cross_attention_dim=HIDDEN, attention_head_dim=8, norm_num_groups=16)
    vae = AutoencoderKL(in_channels=3, out_channels=3, block_out_channels=(16, 32), latent_channels=4,
                        down_block_types=("DownEncoderBlock2D",) * 2, up_block_types=("UpDecoderBlock2D",) * 2,
                        layers_per_block=1, norm_num_groups=8, sample_size=32)
    for name, module, seed in (("unet", unet, 500), ("vae", vae, 501)):
        randomize(module, seed).to(torch.float16).save_pretrained(FINE / name, safe_serialization=True)
        config_path = FINE / name / "config.json"
        config = json.loads(config_path.read_text())
        config.pop("_name_or_path", None)
        config_path.write_text(json.dumps(config, indent=2, sort_keys=True) + "\n")


def write_fine():
    build_fine_folder()
    tensors = story_run(StoryModel(FINE), CAPTIONS[:2], RUN_STEPS, GUIDANCE)
    meta = {"torch": torch.__version__, "diffusers": diffusers.__version__, "transformers": transformers.__version__,
            "captions": CAPTIONS[:2], "guidance": GUIDANCE, "run_steps": RUN_STEPS, "run_seed": RUN_SEED}
    save_file({k: v.contiguous() for k, v in tensors.items()}, OUT / "fine.safetensors",
              metadata={"fixture": json.dumps(meta, sort_keys=True)})


def frames():
    generator = torch.Generator().manual_seed(1234)
    coarse = torch.rand(3, 3, 4, 4, generator=generator)
    return torch.nn.functional.interpolate(coarse, size=(32, 32), mode="bilinear", align_corners=False).contiguous()


def story_run(model, captions, steps, guidance):
    """Tensors of an autoregressive story from torch.Generator().manual_seed(RUN_SEED) noise."""
    generator = torch.Generator().manual_seed(RUN_SEED)
    shape = (1, model.unet.config.in_channels, model.unet.config.sample_size, model.unet.config.sample_size)
    noises = [torch.randn(shape, generator=generator) for _ in captions]
    tensors = {}
    for j, (final, image) in enumerate(model.sample(captions, noises, steps, guidance)):
        tensors[f"run.noise.{j}"] = noises[j]
        tensors[f"run.latents.{j}"] = final
        tensors[f"run.image.{j}"] = image
        print(f"run frame {j}: latents max abs {float(final.abs().max()):.4f}, image mean {float(image.mean()):.4f}")
    return tensors


def write_bundled():
    model = StoryModel(BUNDLED)
    guidance = model.config["guidance_scale"]
    tensors = story_run(model, BUNDLED_CAPTIONS, BUNDLED_STEPS, guidance)
    meta = {"torch": torch.__version__, "diffusers": diffusers.__version__, "transformers": transformers.__version__,
            "captions": BUNDLED_CAPTIONS, "guidance": guidance, "run_steps": BUNDLED_STEPS, "run_seed": RUN_SEED}
    save_file({k: v.contiguous() for k, v in tensors.items()}, OUT / "bundled.safetensors",
              metadata={"fixture": json.dumps(meta, sort_keys=True)})


def main():
    if BUNDLED.exists():
        write_bundled()
    build_folder()
    model = StoryModel(TINY)
    images = frames()
    tensors = {"inputs.images": images}

    # History encoder on fixed pairs plus the null pair.
    pixel_values = torch.cat([images, model.null_image()])
    raw, mask = model.encode_history_raw(pixel_values, CAPTIONS[:3] + [""])
    ids, _ = model.tokenize(CAPTIONS[:3] + [""])
    tensors["history.input_ids"] = ids.to(torch.float32)
    tensors["history.attention_mask"] = mask.to(torch.float32)
    tensors["history.output"] = raw
    # The towers and their first layers, for the per-type tests.
    encoder = model.history_encoder
    with torch.no_grad():
        mean = torch.tensor(encoder.config.image_mean).view(1, -1, 1, 1)
        std = torch.tensor(encoder.config.image_std).view(1, -1, 1, 1)
        vision = encoder.vision_model
        normalized = (pixel_values - mean) / std
        patches = vision.patch_embedding(normalized).flatten(2).transpose(1, 2)
        embedded = torch.cat([vision.class_embedding.expand(4, 1, -1), patches], dim=1) + vision.position_embedding
        image_tokens = vision(normalized)
        enc_ids = ids.clone()
        enc_ids[:, 0] = encoder.config.enc_token_id
        text = encoder.text_model
        text_embedded = text.embeddings_layernorm(text.word_embeddings(enc_ids)
                                                  + text.position_embeddings(torch.arange(CAPTION_LENGTH)))
        bias = ((1 - mask.to(torch.float32)) * -10000.0).unsqueeze(1)
        tensors.update({
            "history.vision_embeddings": embedded, "history.vision_layer0": vision.layers[0](embedded),
            "history.image_tokens": image_tokens, "history.text_embeddings": text_embedded,
            "history.text_layer0": text.layers[0](text_embedded, bias, image_tokens),
        })
        assert torch.allclose(text(enc_ids, mask, image_tokens), raw, atol=1e-6)
    print("history output", tuple(raw.shape), "max abs", float(raw.abs().max()))

    # Contexts for frames 0, 1, 3 of the 4-caption story whose frames 0…2 are the fixed images.
    null_slots = model.null_slots()
    slots, slot_masks = list(null_slots), [torch.zeros(1, CAPTION_LENGTH, dtype=torch.long)] * MAX_FRAMES
    for k in range(3):
        slots[k], slot_masks[k] = model.history_slot(images[k:k + 1], CAPTIONS[k], k)
    contexts = {}
    for j in (0, 1, 3):
        caption, caption_mask = model.encode_captions([CAPTIONS[j]])
        cond = model.assemble(caption, caption_mask, slots, slot_masks, j)
        uncond = model.null_context(j, null_slots)
        contexts[j] = (cond, uncond)
        tensors[f"context.frame{j}.cond"], tensors[f"context.frame{j}.cond_mask"] = cond
        tensors[f"context.frame{j}.uncond"], tensors[f"context.frame{j}.uncond_mask"] = uncond
        print(f"frame {j}: context {tuple(cond[0].shape)}, visible keys cond {int(cond[1].sum())} "
              f"uncond {int(uncond[1].sum())}")

    # The training layout (teacher forcing, per-frame CFG drop) gives the sampler's rows: frames 0, 1, 3 kept, frame 2
    # dropped to the null condition.
    captions, masks = zip(*(model.encode_captions([c]) for c in CAPTIONS))
    null_caption, _ = model.encode_captions([""])
    drop = torch.tensor([False, False, True, False])
    trained, trained_masks = teacher_forced_contexts(torch.cat(captions), torch.cat(masks), torch.cat(slots),
                                                     torch.cat(slot_masks), null_caption, torch.cat(null_slots), drop)
    for j in (0, 1, 3):
        assert torch.allclose(trained[j:j + 1], contexts[j][0][0], atol=1e-6)
        assert torch.equal(trained_masks[j:j + 1], contexts[j][0][1])
    assert torch.allclose(trained[2:3], model.null_context(2, null_slots)[0], atol=1e-6)
    assert torch.equal(trained_masks[2:3], model.null_context(2, null_slots)[1])

    # One guided DDIM step on frame 1's contexts.
    scheduler = model.make_scheduler(STEP_COUNT)
    timestep = scheduler.timesteps[STEP_INDEX]
    latents = torch.randn(1, 4, 8, 8, generator=torch.Generator().manual_seed(99))
    cond, uncond = contexts[1]
    noise, noise_uncond, noise_cond = model.guided_noise(latents, timestep, cond, uncond, GUIDANCE)
    prev = scheduler.step(noise, timestep, latents, eta=0.0).prev_sample
    tensors.update({"step.latents": latents, "step.timestep": torch.tensor([float(timestep)]),
                    "step.noise_uncond": noise_uncond, "step.noise_cond": noise_cond, "step.noise_pred": noise,
                    "step.prev_sample": prev})
    masked_effect = float((noise_cond - model.guided_noise(latents, timestep, (cond[0], torch.ones_like(cond[1])),
                                                           uncond, GUIDANCE)[2]).abs().max())
    print(f"step t={int(timestep)}: noise_pred max abs {float(noise.abs().max()):.4f}; "
          f"unmasking changes ε_c by {masked_effect:.4f}")
    assert masked_effect > 1e-2, "the key mask must matter"

    # A 2-frame autoregressive story from seeded noise.
    tensors.update(story_run(model, CAPTIONS[:2], RUN_STEPS, GUIDANCE))

    meta = {"torch": torch.__version__, "diffusers": diffusers.__version__, "transformers": transformers.__version__,
            "captions": CAPTIONS, "guidance": GUIDANCE, "step_count": STEP_COUNT, "step_index": STEP_INDEX,
            "timestep": int(timestep), "run_steps": RUN_STEPS, "run_seed": RUN_SEED, "context_frames": [0, 1, 3]}
    save_file({k: v.contiguous() for k, v in tensors.items()}, OUT / "expected.safetensors",
              metadata={"fixture": json.dumps(meta, sort_keys=True)})
    write_fine()


if __name__ == "__main__":
    main()
