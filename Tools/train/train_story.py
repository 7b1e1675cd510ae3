#!/usr/bin/env python3
"""Fine-tune the bundled ShapesWorld text-to-image model into an AR-LDM story model (CPU or one GPU).

    nice -n 5 python3 Tools/train/train_story.py --out Models/shapesworld-story --minutes 75

AR-LDM (Pan et al., arXiv 2211.10950, §3.2 and the release code's teacher forcing; notes in
/work/shared/reference/story_video_3d.md §1.2-1.4 and §1.11) trains every frame j of a story at once
with the *ground-truth* history: frame j's context is [CLIP(c_j) + type0 ; H_0 ... H_{V-1}] with
H_k = BLIP_mm(c_k, x_k) + type1 + frame_k and the causal square mask hiding slots k >= j. 10% of the
(story, frame) rows are replaced by the null condition (null caption, null history in every slot)
for classifier-free guidance. The conditioning code is `Tools/reference/arldm_ref.py`
(`teacher_forced_contexts`), the same module the Swift parity fixtures come from; training runs it for a
whole batch of stories at once (`batched_teacher_forced_contexts`, tested equal to it story by story).

What is trained and what is frozen (as in the paper, where SD's VAE is frozen):

* UNet and CLIP text encoder: initialised from ``--base`` (the bundled ``shapesworld-t2i``), trained.
* History encoder (the BLIP stand-in) and the type / frame embeddings: new, trained. The history
  encoder's caption word and position embeddings start from the CLIP text encoder's (BLIP starts
  from a pretrained BERT; this is the nearest pretrained table here); the [ENC] row is random.
* VAE: frozen while the story model trains. Every training frame is encoded once (posterior mean,
  scaled). The history images are the VAE's *reconstructions* of the frames (decoded in 0...1): at
  sampling time the history holds decoded generated frames, so the encoder is trained on what it
  will see.
* Before that, stage 0 (``--vae-minutes``) adapts the base VAE to story frames. The base VAE never
  saw the hidden stripe and erases it: on its reconstructions the judge recovers the stripe colour
  in under 1% of frames, so no story model behind it could keep the hidden attribute. Encoder and
  decoder are tuned on story frames with L1 + MSE reconstruction plus an anchor, ``--vae-anchor``
  times the MSE between the new and the base encoder's scaled latents, so the latent space the
  UNet was trained on moves as little as the stripe allows. The judge's stripe recovery on
  validation round trips is recorded before and after. The adapted VAE ships in the story
  folder; the base model is unchanged.

Data: ShapesWorld stories (``Tools/shapesworld/stories.py``) from the *train* split, seeds
0 .. stories-1, rendered at 32 px, English captions. Each frame has two paraphrases (by name and by
pronoun); a training row draws one, and its history slot uses the same caption. Held-out eval
stories come from the test split (seeds >= 2,000,000).

``--workers N`` renders the stories in N processes (the same arrays). With ``--device cuda`` the encoded
latents, reconstructions and token tables are moved to the GPU once, so a step copies nothing from the host.

``--init-from FOLDER`` continues a saved story folder instead: its UNet, text encoder, history encoder,
embeddings and VAE are loaded (stage 0 is skipped, the VAE kept), AdamW starts fresh, and the folder's
``training.json`` is kept under ``continued_from``; with ``--denoiser-from BASE`` the UNet and text encoder
come from BASE instead (a newer base model), the folder's history encoder, embeddings and VAE kept.
``--min-snr-gamma`` weights each row's ε-MSE by min(SNR_t, γ) / SNR_t (Min-SNR-γ, Hang et al. 2023),
spending less of the gradient on nearly clean latents; ``--first-frame-weight`` scales frame-0 rows on top.
``--stripe-weight W`` makes each row's ε-MSE a weighted mean over latent cells in which the cells the
protagonist's stripe touches (the renderer's stripe geometry, ``stripe_cells``) count 1 + W: the stripe, the
one thing only the history carries, covers under 3% of a frame's pixels, so a plain loss hardly sees it.

With ``--init-from``, ``--patch-size`` (smaller than the folder's) re-cuts the loaded history encoder's image
tower into finer patches and ``--vision-layers`` (more than the folder's) appends identity-initialised blocks
to it, both warm starts (``recut_history_patches``, ``deepen_history_vision``). A re-cut tower is then
distilled into the trained one for ``--distill-steps`` before the story training, so the UNet is not handed
tokens it has never read (``distill_history_encoder``).

``--vae-from FOLDER`` (with ``--init-from``) swaps in the VAE of FOLDER, written by ``train_story_vae.py``. If its
latent grid is twice as fine as the one the UNet was trained on, the UNet grows by an outer level
(``grow_story_unet.py``: the trained levels move inwards, a new DownBlock2D / UpBlock2D level works on the fine
grid) and the new level's input path is distilled for ``--grow-distill-steps`` to what the old ``conv_in`` gave on
the latents' coarse band, before the story training. The point of the finer grid: the stripe, 1.5-3 px, is thinner
than one cell of an 8x8 latent grid of a 32 px frame.

Output: a story folder (layout in arldm_ref.py's docstring) with the EMA weights, the base model's
VAE / tokenizer / scheduler copied unchanged, and ``training.json`` (arguments, steps, loss curve,
timings). ``--save-minutes`` writes the folder periodically, so a long run can be evaluated early.
"""

import argparse
import copy
import json
import math
import os
import shutil
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F
from safetensors.torch import load_file

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "Tools", "eval"))
sys.path.insert(0, os.path.join(ROOT, "Tools", "reference"))

import paths  # noqa: E402,F401  (shapesworld on the import path)
from arldm_ref import CAPTION_TYPE, HISTORY_TYPE, HistoryEncoder, StoryEmbeddings  # noqa: E402
from geometry import stripe_coverage  # noqa: E402
from scene import render_scene  # noqa: E402
from splits import SPLITS, rng_for  # noqa: E402
from stories import sample_story  # noqa: E402
from grow_story_unet import distill_outer_level, outer_level_unet  # noqa: E402
from train_base_t2i import count as parameter_count, ema_update, load_models, min_snr_weights, weighted_mse  # noqa: E402

MAX_FRAMES = 5
CAPTION_LENGTH = 16
PARAPHRASES = 2


# ----------------------------------------------------------------------------------------- data

def story_for_seed(seed, size):
    """The ShapesWorld story of ``seed`` (any split's seed), English captions."""
    return sample_story(rng_for("story", seed), size, languages=("en",))


def render_story(seed, size):
    """One train-split story: frames (V, H, W, 3) uint8 (zeros past its end), frame count, captions [V][2]."""
    story = story_for_seed(seed, size)
    frames = np.zeros((MAX_FRAMES, size, size, 3), dtype=np.uint8)
    for k, scene in enumerate(story["frames"]):
        frames[k] = render_scene(scene)
    per_frame = [list(c["en"][:PARAPHRASES]) for c in story["captions"]]
    per_frame += [["", ""]] * (MAX_FRAMES - len(per_frame))
    return frames, len(story["frames"]), per_frame


def _render_range(task):
    start, stop, size = task
    return [render_story(seed, size) for seed in range(start, stop)]


def map_seed_chunks(function, count, size, workers=1, chunk=500):
    """``function((start, stop, size))`` over seeds 0 .. count-1 in chunks, by a process pool when ``workers``
    > 1; the lists it returns, joined in seed order."""
    tasks = [(start, min(start + chunk, count), size) for start in range(0, count, chunk)]
    if workers > 1:
        import multiprocessing

        with multiprocessing.get_context("fork").Pool(workers) as pool:
            parts = pool.map(function, tasks)
    else:
        parts = [function(task) for task in tasks]
    return [item for part in parts for item in part]


def render_stories(count, size, workers=1, chunk=500):
    """Frames (N, V, H, W, 3) uint8, frame counts (N,), captions [N][V][2] of seeds 0 .. count-1; with
    ``workers`` > 1 the seeds are rendered in chunks by a process pool (the same arrays, in seed order)."""
    stories = map_seed_chunks(_render_range, count, size, workers, chunk)
    frames = np.stack([frames for frames, _, _ in stories])
    lengths = np.array([length for _, length, _ in stories], dtype=np.int64)
    return frames, lengths, [captions for _, _, captions in stories]


def stripe_mask(scene):
    """(H, W) bool: the pixels a scene's stripes (the stories' hidden attribute) cover at all. Only the
    protagonist has one, and it is drawn last, so nothing hides it."""
    mask = np.zeros((scene["height"], scene["width"]), dtype=bool)
    for obj in scene["objects"]:
        if obj.get("stripe"):
            mask |= stripe_coverage(obj["shape"], obj["cx"], obj["cy"], obj["r"], obj["rot"], obj["stripe"]["angle"],
                                    obj["stripe"]["half_width"], scene["height"], scene["width"]) > 0
    return mask


def _stripe_range(task):
    start, stop, size = task
    stories = []
    for seed in range(start, stop):
        masks = np.zeros((MAX_FRAMES, size, size), dtype=bool)
        for k, scene in enumerate(story_for_seed(seed, size)["frames"]):
            masks[k] = stripe_mask(scene)
        stories.append(masks)
    return stories


def stripe_cells(count, size, cell, workers=1):
    """(N, V, size / cell, size / cell) bool: for every frame of train seeds 0 .. count-1, the latent cells (each
    ``cell`` × ``cell`` pixels) that the protagonist's stripe touches; False past a story's end."""
    masks = np.stack(map_seed_chunks(_stripe_range, count, size, workers))
    side = size // cell
    return torch.from_numpy(masks.reshape(count, MAX_FRAMES, side, cell, side, cell).any(axis=(3, 5)))


def to_unit_range(images, device="cpu"):
    """uint8 (..., H, W, 3) → float (..., 3, H, W) in -1...1."""
    x = torch.from_numpy(images).to(device).float().div(127.5).sub(1.0)
    return x.movedim(-1, -3)


@torch.no_grad()
def encode_frames(vae, frames, batch=512):
    """Scaled posterior means (N, V, 4, h, w) and the reconstructions in 0...1 as uint8 (N, V, 3, H, W), on the CPU."""
    count, frames_per = frames.shape[:2]
    flat = frames.reshape(count * frames_per, *frames.shape[2:])
    latents, recons = [], []
    for i in range(0, len(flat), batch):
        x = to_unit_range(flat[i:i + batch], vae.device)
        mean = vae.encode(x).latent_dist.mean
        latents.append((mean * vae.config.scaling_factor).cpu())
        image = (vae.decode(mean).sample / 2 + 0.5).clamp(0, 1)
        recons.append((image * 255).round().to(torch.uint8).cpu())
    latents = torch.cat(latents)
    recons = torch.cat(recons)
    return (latents.view(count, frames_per, *latents.shape[1:]),
            recons.view(count, frames_per, *recons.shape[1:]))


def adapt_vae(vae, frames, args, log):
    """Stage 0: encoder and decoder tuned on story frames (N, H, W, 3) with a latent anchor."""
    base = copy.deepcopy(vae).eval().requires_grad_(False)
    scale = vae.config.scaling_factor
    optimizer = torch.optim.AdamW(vae.parameters(), lr=args.vae_lr, weight_decay=0.0)
    rng = np.random.default_rng(args.seed + 2)
    started = time.time()
    step, losses = 0, []
    vae.train()
    while time.time() - started < args.vae_minutes * 60:
        x = to_unit_range(frames[rng.integers(0, len(frames), args.vae_batch)], args.device)
        with torch.no_grad():
            anchor = base.encode(x).latent_dist.mean * scale
        mean = vae.encode(x).latent_dist.mean
        reconstruction = vae.decode(mean).sample
        loss = (F.l1_loss(reconstruction, x) + F.mse_loss(reconstruction, x)
                + args.vae_anchor * F.mse_loss(mean * scale, anchor))
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(vae.parameters(), 1.0)
        optimizer.step()
        step += 1
        losses.append(loss.item())
        if step % 200 == 0:
            log(f"vae step {step} loss {np.mean(losses[-200:]):.4f}")
    vae.eval().requires_grad_(False)
    return {"steps": step, "seconds": round(time.time() - started, 1),
            "final_loss": float(np.mean(losses[-200:])) if losses else None}


@torch.no_grad()
def stripe_recovery(vae, size, count=30):
    """Judge on VAE round trips of validation stories: protagonist found, stripe colour recovered. ``None`` for
    ``count`` 0 (the check skipped)."""
    from judge import judge_frames

    if count <= 0:
        return None
    found = recovered = total = 0
    for seed in range(SPLITS["validation"].start, SPLITS["validation"].start + count):
        story = story_for_seed(seed, size)
        frames = np.stack([render_scene(scene) for scene in story["frames"]])
        decoded = (vae.decode(vae.encode(to_unit_range(frames, vae.device)).latent_dist.mean).sample / 2 + 0.5).clamp(0, 1)
        images = (decoded * 255).round().to(torch.uint8).movedim(1, -1).cpu().numpy()
        for tracked in judge_frames(list(images), story["protagonist"])["track"]:
            total += 1
            found += tracked is not None
            recovered += tracked is not None and tracked["secondary_colour"] == story["hidden_attribute"]["colour"]
    return {"frames": total, "protagonist_found": found / total, "stripe_recovered": recovered / total}


def tokenize(tokenizer, texts):
    tokens = tokenizer(texts, padding="max_length", max_length=CAPTION_LENGTH, truncation=True,
                       return_tensors="pt")
    return tokens.input_ids, tokens.attention_mask


# --------------------------------------------------------------------------------------- models

def new_history_encoder(text_encoder, args):
    """The BLIP stand-in, its caption embeddings started from CLIP's token and position tables."""
    hidden = text_encoder.config.hidden_size
    vocab = text_encoder.config.vocab_size
    encoder = HistoryEncoder(image_size=args.size, patch_size=args.patch_size, num_channels=3,
                             hidden_size=hidden, num_attention_heads=4, intermediate_size=4 * hidden,
                             vision_layers=args.vision_layers or args.history_layers, text_layers=args.history_layers,
                             vocab_size=vocab + 1, max_position_embeddings=CAPTION_LENGTH,
                             enc_token_id=vocab, layer_norm_eps=1e-5)
    clip = text_encoder.text_model.embeddings
    with torch.no_grad():
        encoder.vision_model.position_embedding.normal_(std=0.02)
        encoder.vision_model.class_embedding.normal_(std=0.02)
        words = encoder.text_model.word_embeddings.weight
        words[:vocab].copy_(clip.token_embedding.weight)
        words[vocab].normal_(std=float(clip.token_embedding.weight.std()))
        encoder.text_model.position_embeddings.weight.copy_(clip.position_embedding.weight[:CAPTION_LENGTH])
    return encoder


def load_story_parts(folder):
    """The history encoder and story embeddings of a saved story folder, in float32, to continue training."""
    encoder = HistoryEncoder.from_pretrained(os.path.join(folder, "history_encoder")).float()
    with open(os.path.join(folder, "story_config.json"), encoding="utf-8") as f:
        config = json.load(f)
    embeddings = StoryEmbeddings(config["max_frames"], config["hidden_size"])
    embeddings.load_state_dict(load_file(os.path.join(folder, "story_embeddings.safetensors")))
    return encoder, embeddings


def recut_history_patches(encoder, patch_size):
    """The history encoder with its image tower re-cut into ``patch_size``-px patches, warm-started from ``encoder``.

    Each new kernel is the sum of the old kernel's k² tiles (k = old / new patch size) and each new patch takes
    the position embedding of the old patch it lies in, so on a frame that is flat within every old patch the new
    patch tokens are the old ones, each repeated k² times. Real frames are not flat at that scale (a 32 px story
    frame's re-cut slot outputs keep a cosine of 0.75 to the old ones), so ``distill_history_encoder`` closes the
    rest before training. Everything else is copied. The point of finer patches: a thin stripe no longer shares
    its token with the whole body."""
    old, config = encoder.config.patch_size, dict(encoder.config)
    if old % patch_size:
        raise ValueError(f"patch size {patch_size} does not divide the trained {old}")
    factor, grid = old // patch_size, encoder.config.image_size // old
    config = {key: value for key, value in config.items() if not key.startswith("_")}
    widened = HistoryEncoder(**{**config, "patch_size": patch_size})
    state = {key: value for key, value in encoder.state_dict().items()
             if not key.startswith(("vision_model.patch_embedding.weight", "vision_model.position_embedding"))}
    weight = encoder.vision_model.patch_embedding.weight.detach()
    out_channels, channels = weight.shape[:2]
    tiles = weight.reshape(out_channels, channels, factor, patch_size, factor, patch_size)
    state["vision_model.patch_embedding.weight"] = tiles.sum(dim=(2, 4))
    positions = encoder.vision_model.position_embedding.detach()
    patches = positions[1:].reshape(grid, grid, -1)
    patches = patches.repeat_interleave(factor, dim=0).repeat_interleave(factor, dim=1)
    state["vision_model.position_embedding"] = torch.cat([positions[:1], patches.reshape(-1, positions.shape[1])])
    widened.load_state_dict(state)
    return widened


def deepen_history_vision(encoder, layers):
    """The history encoder with pre-LN ViT blocks appended to its image tower up to ``layers``. A new block's
    attention output projection and second feed-forward layer start at zero, so it starts as the identity and the
    trained encoder's outputs are unchanged until training moves it."""
    config = {key: value for key, value in dict(encoder.config).items() if not key.startswith("_")}
    if layers < config["vision_layers"]:
        raise ValueError(f"cannot drop image-tower layers ({config['vision_layers']} -> {layers})")
    deeper = HistoryEncoder(**{**config, "vision_layers": layers})
    missing, unexpected = deeper.load_state_dict(encoder.state_dict(), strict=False)
    assert not unexpected and all(key.startswith("vision_model.layers.") for key in missing), (missing, unexpected)
    with torch.no_grad():
        for layer in deeper.vision_model.layers[config["vision_layers"]:]:
            for linear in (layer.attn.to_out[0], layer.ff.net[2]):
                linear.weight.zero_()
                linear.bias.zero_()
    return deeper


def swap_vae(folder, unet, size, log):
    """The VAE of ``folder`` (``train_story_vae.py``) in float32 and the UNet to train on its latents: ``unet``
    itself if the latent grid is unchanged; grown by an outer level (``grow_story_unet.outer_level_unet``) if the
    grid is twice as fine, with the trained UNet returned too so that the caller can distil the new level once the
    latents exist. Raises for any other grid."""
    from diffusers import AutoencoderKL

    vae = AutoencoderKL.from_pretrained(os.path.join(folder, "vae")).float().eval()
    grid = size // 2 ** (len(vae.config.block_out_channels) - 1)
    if grid == unet.config.sample_size:
        return vae, unet, None
    if grid != 2 * unet.config.sample_size:
        raise ValueError(f"the VAE of {folder} has a {grid}x{grid} latent grid; the UNet was trained on "
                         f"{unet.config.sample_size}x{unet.config.sample_size} (only the same or twice as fine)")
    grown, fresh = outer_level_unet(unet)
    log(f"UNet grown to a {grid}x{grid} grid: {len(fresh)} new tensors, {parameter_count(grown):,} parameters")
    return vae, grown, unet


def new_story_embeddings(hidden):
    embeddings = StoryEmbeddings(MAX_FRAMES, hidden)
    with torch.no_grad():
        for parameter in embeddings.parameters():
            parameter.normal_(std=0.02)
    return embeddings


# ------------------------------------------------------------------------------------- training

class StoryBatch:
    """The tensors of one training step: B stories flattened to R = sum of their frame counts rows."""

    def __init__(self, stories, lengths, latents, recons, token_ids, token_masks, rng, device="cpu", stripes=None):
        self.lengths = [int(lengths[s]) for s in stories]
        story_of = np.repeat(stories, self.lengths)
        frame_of = np.concatenate([np.arange(n) for n in self.lengths])
        paraphrase = rng.integers(0, PARAPHRASES, len(story_of))
        # the tables may already live on the device (see main); index them where they are
        story_of, frame_of_index, paraphrase = (torch.from_numpy(index).to(recons.device)
                                                for index in (story_of, frame_of, paraphrase))
        self.latents = latents[story_of, frame_of_index].to(device) if latents is not None else None
        self.images = recons[story_of, frame_of_index].to(device).float().div(255.0)
        self.ids = token_ids[story_of, frame_of_index, paraphrase].to(device)
        self.masks = token_masks[story_of, frame_of_index, paraphrase].to(device)
        self.frames = torch.from_numpy(frame_of).to(device)
        # (R, 1, h, w) 0/1: the latent cells each row's stripe touches (``stripe_cells``), when the loss weights them
        self.stripes = (stripes[story_of, frame_of_index].to(device).unsqueeze(1).float()
                        if stripes is not None else None)


def story_contexts(batch, text_encoder, history_encoder, embeddings, null_tokens, drop):
    """Contexts (R, (1 + V)·S, D) and keep masks (R, (1 + V)·S) of a batch, teacher-forced."""
    type_weights = embeddings.modal_type_embeddings.weight
    frame_weights = embeddings.time_embeddings.weight
    captions = text_encoder(batch.ids).last_hidden_state + type_weights[CAPTION_TYPE]
    history = history_encoder(batch.images, batch.ids, batch.masks)
    history = history + type_weights[HISTORY_TYPE] + frame_weights[batch.frames].unsqueeze(1)

    null_ids, null_mask = null_tokens
    null_caption = text_encoder(null_ids).last_hidden_state + type_weights[CAPTION_TYPE]
    size = history_encoder.config.image_size
    black = torch.zeros(1, 3, size, size, device=batch.masks.device)
    null_raw = history_encoder(black, null_ids, null_mask)
    null_slots = null_raw + type_weights[HISTORY_TYPE] + frame_weights.unsqueeze(1)  # (V, S, D)

    return batched_teacher_forced_contexts(captions, history, null_caption, null_slots, batch, drop)


def batched_teacher_forced_contexts(captions, history, null_caption, null_slots, batch, drop):
    """`arldm_ref.teacher_forced_contexts` for every story of a batch in one pass (the same arithmetic, so
    the same values): row r of story s sees s's history rows as its slots, null slots past s's end, the
    causal square mask from its frame index, and the null condition where ``drop`` says.

    captions (R, S, D), history (R, S, D): the rows' caption and history encodings; null_caption (1, S, D);
    null_slots (V, S, D). Returns contexts (R, (1 + V)·S, D) and keep masks (R, (1 + V)·S)."""
    rows, length, width = captions.shape
    count = null_slots.shape[0]
    device = captions.device
    lengths = torch.tensor(batch.lengths, device=device)
    starts = torch.cumsum(lengths, 0) - lengths
    story_of = torch.repeat_interleave(torch.arange(len(batch.lengths), device=device), lengths)
    slot = torch.arange(count, device=device).view(1, count)
    # an index into [history rows ; null slots] for slot k of each row's story
    source = torch.where(slot < lengths[story_of].view(-1, 1), starts[story_of].view(-1, 1) + slot, rows + slot)
    slots = torch.cat([history, null_slots])[source].reshape(rows, count * length, width)
    slot_masks = torch.cat([batch.masks.to(torch.float32), torch.zeros(count, length, device=device)])[source]

    keep = drop.view(rows, 1, 1).to(captions.dtype)
    contexts = torch.cat([keep * null_caption + (1 - keep) * captions,
                          keep * null_slots.reshape(1, count * length, -1) + (1 - keep) * slots], dim=1)
    masks = torch.cat([batch.masks.to(torch.float32), slot_masks.reshape(rows, count * length)], dim=1)
    masks = torch.where(drop.view(rows, 1), torch.ones_like(masks), masks)
    hidden = torch.cat([torch.zeros(rows, length, dtype=torch.bool, device=device),
                        (slot >= batch.frames.view(-1, 1)).repeat_interleave(length, dim=1)], dim=1)
    return contexts, masks.masked_fill(hidden, 0.0)


def distill_history_encoder(student, teacher, data, args, log):
    """Teach a re-cut history encoder (``recut_history_patches``) to give the trained one's slot tokens before
    the story training starts, so the UNet, which has learned to read those tokens, is not handed new ones: masked
    MSE between the two encoders' caption-position outputs on training frames (the VAE reconstructions the
    history holds) and on the null slot's black frame, AdamW at ``--distill-lr``, for ``--distill-steps`` steps of
    ``--batch`` stories. Returns the loss before and after."""
    lengths, _, recons, token_ids, token_masks, null_tokens = data
    null_ids, null_mask = (tokens.to(args.device) for tokens in null_tokens)
    size = teacher.config.image_size
    black = torch.zeros(1, 3, size, size, device=args.device)
    optimizer = torch.optim.AdamW(student.parameters(), lr=args.distill_lr, weight_decay=1e-2)
    rng = np.random.default_rng(args.seed + 2)
    student.train()
    teacher.eval().requires_grad_(False)
    losses = []
    for step in range(args.distill_steps):
        stories = rng.integers(0, len(lengths), args.batch)
        batch = StoryBatch(stories, lengths, None, recons, token_ids, token_masks, rng, args.device)
        images = torch.cat([batch.images, black])
        ids, masks = torch.cat([batch.ids, null_ids]), torch.cat([batch.masks, null_mask])
        with torch.no_grad():
            target = teacher(images, ids, masks)
        keep = masks.to(torch.float32).unsqueeze(-1)
        loss = ((student(images, ids, masks) - target) ** 2 * keep).sum() / (keep.sum() * target.shape[-1])
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
        if (step + 1) % 100 == 0:
            log(f"distill step {step + 1} slot MSE {np.mean(losses[-100:]):.5f}")
    student.requires_grad_(True)
    return {"steps": args.distill_steps, "first_mse": losses[0] if losses else None,
            "final_mse": float(np.mean(losses[-50:])) if losses else None}


def row_weights(alphas, timesteps, frames, args):
    """Each row's loss weight: Min-SNR-γ (``--min-snr-gamma``), times ``--first-frame-weight`` on frame-0 rows —
    frame 0 is drawn from its caption alone, and its stripe is what every later frame must copy."""
    weights = min_snr_weights(alphas, timesteps, args.min_snr_gamma)
    return weights * torch.where(frames == 0, args.first_frame_weight, 1.0)


def cell_weighted_mse(prediction, target, row_weights, cell_weights):
    """``weighted_mse`` with latent cells weighted too: each row's squared error is a weighted mean over its
    cells (``cell_weights`` (R, 1, h, w), the same for every channel), then weighted by row and averaged. Unit
    cell weights give ``weighted_mse`` exactly."""
    cell_weights = cell_weights.expand_as(prediction)
    per_row = ((prediction - target).pow(2) * cell_weights).flatten(1).sum(1) / cell_weights.flatten(1).sum(1)
    return (per_row * row_weights).mean()


def training_alphas(device):
    """ᾱ_t of the Stable Diffusion DDPM schedule the story model trains with (1000 steps, scaled_linear)."""
    from diffusers import DDPMScheduler

    return DDPMScheduler(num_train_timesteps=1000, beta_schedule="scaled_linear", beta_start=0.00085,
                         beta_end=0.012).alphas_cumprod.to(device)


def train(models, data, args, log, checkpoint, stripes=None):
    """AdamW on ε-MSE; warm-up, constant, then linear decay over the last 25% of the time budget. With
    ``stripes`` (``stripe_cells``), the latent cells a row's stripe touches count 1 + ``--stripe-weight``."""
    text_encoder, unet, history_encoder, embeddings = models
    lengths, latents, recons, token_ids, token_masks, null_tokens = data
    alphas = training_alphas(args.device)
    null_tokens = tuple(tokens.to(args.device) for tokens in null_tokens)
    base_params = list(unet.parameters()) + list(text_encoder.parameters())
    new_params = list(history_encoder.parameters()) + list(embeddings.parameters())
    optimizer = torch.optim.AdamW([{"params": base_params, "lr": args.lr, "base_lr": args.lr},
                                   {"params": new_params, "lr": args.new_lr, "base_lr": args.new_lr}],
                                  weight_decay=1e-2)
    ema_models = [copy.deepcopy(m).eval() for m in models]
    for module in ema_models:
        module.requires_grad_(False)
    for module in models:
        module.train()
    rng = np.random.default_rng(args.seed)
    generator = torch.Generator().manual_seed(args.seed + 1)
    budget = args.minutes * 60
    started = last_save = time.time()
    step, losses = 0, []
    while step < args.steps:
        elapsed = time.time() - started
        if elapsed > budget:
            break
        fraction = elapsed / budget
        scale = min(1.0, (step + 1) / args.warmup) * min(1.0, (1.0 - fraction) / 0.25 + 0.05)
        for group in optimizer.param_groups:
            group["lr"] = group["base_lr"] * scale
        stories = rng.integers(0, len(lengths), args.batch)
        batch = StoryBatch(stories, lengths, latents, recons, token_ids, token_masks, rng, args.device, stripes)
        rows = len(batch.frames)
        drop = torch.from_numpy(rng.random(rows) < args.null_fraction).to(args.device)
        context, keep = story_contexts(batch, text_encoder, history_encoder, embeddings, null_tokens, drop)
        # drawn on the CPU generator whatever the device, so a seed gives the same noise everywhere
        noise = torch.randn(batch.latents.shape, generator=generator).to(args.device)
        t = torch.randint(0, 1000, (rows,), generator=generator).to(args.device)
        a = alphas[t].view(-1, 1, 1, 1)
        noisy = a.sqrt() * batch.latents + (1 - a).sqrt() * noise
        prediction = unet(noisy, t, encoder_hidden_states=context, encoder_attention_mask=keep).sample
        weights = row_weights(alphas, t, batch.frames, args)
        if batch.stripes is None:
            loss = weighted_mse(prediction, noise, weights)
        else:
            loss = cell_weighted_mse(prediction, noise, weights, 1 + args.stripe_weight * batch.stripes)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(base_params + new_params, 1.0)
        optimizer.step()
        step += 1
        for ema, module in zip(ema_models, models):
            ema_update(ema, module, min(args.ema, (1 + step) / (10 + step)))
        losses.append(loss.item())
        if step % 50 == 0:
            log(f"step {step} loss {np.mean(losses[-50:]):.4f} rows {rows} lr x{scale:.2f} "
                f"{time.time() - started:.0f}s")
        if args.save_minutes and time.time() - last_save > args.save_minutes * 60:
            checkpoint(ema_models, summary(step, started, losses))
            last_save = time.time()
    return ema_models, summary(step, started, losses)


def summary(step, started, losses):
    return {"steps": step, "seconds": round(time.time() - started, 1),
            "final_loss": float(np.mean(losses[-200:])) if losses else None,
            "loss_curve": [round(float(np.mean(losses[i:i + 100])), 4) for i in range(0, len(losses), 100)]}


# ----------------------------------------------------------------------------------------- save

def save_folder(out, base, models, vae, info, fp32=False):
    """A story folder: fine-tuned unet / text_encoder, new history_encoder and embeddings, the
    adapted VAE, the base tokenizer and scheduler copied, story_config.json and training.json."""
    from safetensors.torch import save_file

    text_encoder, unet, history_encoder, embeddings = models
    dtype = torch.float32 if fp32 else torch.float16
    os.makedirs(out, exist_ok=True)
    for component in ("tokenizer", "scheduler"):
        target = os.path.join(out, component)
        if os.path.abspath(target) == os.path.abspath(os.path.join(base, component)):
            continue
        if os.path.exists(target):
            shutil.rmtree(target)
        shutil.copytree(os.path.join(base, component), target)
    for name, module in (("unet", unet), ("text_encoder", text_encoder), ("history_encoder", history_encoder),
                         ("vae", vae)):
        copy.deepcopy(module).to("cpu", dtype).save_pretrained(os.path.join(out, name), safe_serialization=True)
        config_path = os.path.join(out, name, "config.json")
        with open(config_path, encoding="utf-8") as f:
            config = json.load(f)
        config.pop("_name_or_path", None)
        with open(config_path, "w", encoding="utf-8") as f:
            json.dump(config, f, indent=2, sort_keys=True)
            f.write("\n")
    save_file({k: v.detach().cpu().float().contiguous() for k, v in embeddings.state_dict().items()},
              os.path.join(out, "story_embeddings.safetensors"))
    story_config = {"_class_name": "ARLDMStoryPipeline", "max_frames": MAX_FRAMES,
                    "caption_length": CAPTION_LENGTH, "hidden_size": text_encoder.config.hidden_size,
                    "guidance_scale": info["args"]["guidance"], "num_inference_steps": info["args"]["inference_steps"]}
    with open(os.path.join(out, "story_config.json"), "w", encoding="utf-8") as f:
        json.dump(story_config, f, indent=2, sort_keys=True)
        f.write("\n")
    with open(os.path.join(out, "training.json"), "w", encoding="utf-8") as f:
        json.dump(info, f, indent=2)


# ----------------------------------------------------------------------------------------- main

def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--base", default=os.path.join(ROOT, "Models", "shapesworld-t2i"))
    parser.add_argument("--init-from", default="",
                        help="continue a story folder (its VAE kept, stage 0 skipped) instead of starting from --base")
    parser.add_argument("--denoiser-from", default="",
                        help="with --init-from: take the UNet and text encoder from this folder (a newer base model) "
                             "and keep the story folder's history encoder, embeddings and VAE")
    parser.add_argument("--vae-from", default="",
                        help="with --init-from: take the VAE from this folder (train_story_vae.py); a VAE with twice "
                             "as fine a latent grid grows the UNet by an outer level (grow_story_unet.py)")
    parser.add_argument("--grow-distill-steps", type=int, default=1000,
                        help="after --vae-from grows the UNet: steps matching its new outer level to the old conv_in")
    parser.add_argument("--out", default=os.path.join(ROOT, "Models", "shapesworld-story"))
    parser.add_argument("--size", type=int, default=32)
    parser.add_argument("--stories", type=int, default=20000, help="train seeds 0 .. stories-1")
    parser.add_argument("--vae-minutes", type=float, default=12.0, help="stage 0 budget (0: keep the base VAE)")
    parser.add_argument("--vae-lr", type=float, default=1e-3)
    parser.add_argument("--vae-batch", type=int, default=32)
    parser.add_argument("--vae-anchor", type=float, default=0.05, help="weight of the latent anchor")
    parser.add_argument("--recovery-stories", type=int, default=30,
                        help="validation stories for the VAE's stripe-recovery check (0: skip it)")
    parser.add_argument("--minutes", type=float, default=75.0, help="story training wall-clock budget")
    parser.add_argument("--steps", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=8, help="stories per step (4-5 frames each)")
    parser.add_argument("--lr", type=float, default=3e-4, help="UNet and text encoder")
    parser.add_argument("--new-lr", type=float, default=1e-3, help="history encoder and embeddings")
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument("--ema", type=float, default=0.998)
    parser.add_argument("--min-snr-gamma", type=float, default=0.0,
                        help="Min-SNR-γ loss weighting (0: plain ε-MSE)")
    parser.add_argument("--null-fraction", type=float, default=0.1, help="rows dropped to the null condition")
    parser.add_argument("--first-frame-weight", type=float, default=1.0,
                        help="loss weight of each story's frame-0 rows (generated from the caption alone)")
    parser.add_argument("--stripe-weight", type=float, default=0.0,
                        help="extra ε-loss weight on the latent cells the protagonist's stripe touches")
    parser.add_argument("--patch-size", type=int, default=0,
                        help="history-encoder patch size (new encoder: 8; with --init-from: re-cut the loaded one)")
    parser.add_argument("--history-layers", type=int, default=2, help="history-encoder layers of a new encoder")
    parser.add_argument("--distill-steps", type=int, default=1000,
                        help="after --patch-size re-cuts a loaded encoder: steps matching it to the trained one")
    parser.add_argument("--distill-lr", type=float, default=1e-3)
    parser.add_argument("--vision-layers", type=int, default=0,
                        help="image-tower layers (new encoder: --history-layers; with --init-from: append identity "
                             "blocks to the loaded one)")
    parser.add_argument("--guidance", type=float, default=5.0, help="written to story_config.json")
    parser.add_argument("--inference-steps", type=int, default=25, help="written to story_config.json")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=1, help="processes rendering the stories")
    parser.add_argument("--device", default="cpu", help="torch device to train on (cpu, cuda); data is made on the CPU")
    parser.add_argument("--save-minutes", type=float, default=0.0, help="also save every N minutes")
    parser.add_argument("--fp32", action="store_true", help="store fp32 weights (default fp16)")
    args = parser.parse_args(argv)

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    t0 = time.time()

    def log(message):
        print(f"[{time.time() - t0:7.1f}s] {message}", flush=True)

    # rendered first, so the worker processes fork before any accelerator is initialised
    frames, lengths, captions = render_stories(args.stories, args.size, args.workers)
    log(f"rendered {args.stories} stories, {int(lengths.sum())} frames (train seeds 0..{args.stories - 1})")
    previous = trained_encoder = trained_unet = vae_record = None
    if args.vae_from and not args.init_from:
        parser.error("--vae-from needs --init-from (a trained story folder to carry over)")
    if args.init_from:
        tokenizer, vae, text_encoder, unet = load_models(args.init_from)
        history_encoder, embeddings = load_story_parts(args.init_from)
        with open(os.path.join(args.init_from, "training.json"), encoding="utf-8") as f:
            previous = json.load(f)
        args.base, args.vae_minutes = args.init_from, 0.0
        # --patch-size / --vision-layers, when given, re-cut or deepen the loaded image tower (warm starts);
        # otherwise the loaded encoder's shape stands. Either way the flags record what was trained.
        if args.patch_size and args.patch_size != history_encoder.config.patch_size:
            trained_encoder = history_encoder
            history_encoder = recut_history_patches(history_encoder, args.patch_size)
        if args.vision_layers and args.vision_layers != history_encoder.config.vision_layers:
            history_encoder = deepen_history_vision(history_encoder, args.vision_layers)
        args.patch_size, args.vision_layers = history_encoder.config.patch_size, history_encoder.config.vision_layers
        args.history_layers = history_encoder.config.text_layers
        if args.denoiser_from:
            _, _, text_encoder, unet = load_models(args.denoiser_from)
        if args.vae_from:
            vae, unet, trained_unet = swap_vae(args.vae_from, unet, args.size, log)
            record_path = os.path.join(args.vae_from, "training.json")
            if os.path.exists(record_path):
                with open(record_path, encoding="utf-8") as f:
                    vae_record = json.load(f).get("story_vae")
    else:
        args.patch_size, args.vision_layers = args.patch_size or 8, args.vision_layers or args.history_layers
        tokenizer, vae, text_encoder, unet = load_models(args.base)
        history_encoder = new_history_encoder(text_encoder, args)
        embeddings = new_story_embeddings(text_encoder.config.hidden_size)
    vae = vae.to(args.device)
    models = tuple(module.to(args.device) for module in (text_encoder, unet, history_encoder, embeddings))
    log(f"on {args.device}, params: " + ", ".join(f"{name} {parameter_count(m):,}" for name, m in
                               zip(("text_encoder", "unet", "history_encoder", "embeddings"), models)))

    valid = np.concatenate([frames[s, :lengths[s]] for s in range(args.stories)])
    vae_info = {"before": stripe_recovery(vae, args.size, args.recovery_stories)}
    if args.vae_minutes > 0:
        vae_info.update(adapt_vae(vae, valid, args, log))
        vae_info["after"] = stripe_recovery(vae, args.size, args.recovery_stories)
    log(f"vae adaptation {vae_info}")
    latents, recons = encode_frames(vae, frames)
    recon_mae = float(np.mean([np.abs(recons[s, :n].movedim(-3, -1).numpy().astype(np.float32)
                                      - frames[s, :n]).mean() for s, n in enumerate(lengths)]))
    log(f"latents {tuple(latents.shape)}; VAE reconstruction MAE {recon_mae:.2f}/255")
    flat = [text for story in captions for frame in story for text in frame]
    unique = list(dict.fromkeys(flat))  # captions repeat a lot; tokenizing each distinct one once saves minutes
    position = {text: i for i, text in enumerate(unique)}
    unique_ids, unique_masks = tokenize(tokenizer, unique)
    rows = torch.tensor([position[text] for text in flat])
    ids, masks = unique_ids[rows], unique_masks[rows]
    token_ids = ids.view(args.stories, MAX_FRAMES, PARAPHRASES, CAPTION_LENGTH)
    token_masks = masks.view(args.stories, MAX_FRAMES, PARAPHRASES, CAPTION_LENGTH)
    stripes = None
    if args.stripe_weight:
        stripes = stripe_cells(args.stories, args.size, args.size // latents.shape[-1], args.workers)
        touched = torch.cat([stripes[s, :n] for s, n in enumerate(lengths)]).float().mean()
        log(f"stripes touch {float(touched):.1%} of the frames' latent cells (weighted x{1 + args.stripe_weight:g})")
    if args.device != "cpu":
        # under 1 GB at 50,000 stories: kept on the device so a step copies nothing from the host
        latents, recons, token_ids, token_masks = (t.to(args.device) for t in (latents, recons, token_ids, token_masks))
        stripes = stripes.to(args.device) if stripes is not None else None
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True
    data = (lengths, latents, recons, token_ids, token_masks, tokenize(tokenizer, [""]))
    distillation = None
    if trained_encoder is not None and args.distill_steps:
        distillation = distill_history_encoder(models[2], trained_encoder.to(args.device), data, args, log)
        log(f"re-cut history encoder distilled: slot MSE {distillation['first_mse']:.5f} -> "
            f"{distillation['final_mse']:.5f}")

    growth = None
    if trained_unet is not None:
        valid_latents = torch.cat([latents[s, :n] for s, n in enumerate(lengths)])
        alphas = training_alphas(args.device)
        growth = distill_outer_level(models[1], trained_unet.to(args.device), valid_latents, alphas,
                                     args.grow_distill_steps, 64, args.distill_lr, args.device, log, args.seed)
        log(f"outer level distilled: MSE {growth['first_mse']:.5f} -> {growth['final_mse']:.5f} "
            f"(target mean square {growth['target_mean_square']:.4f})")

    def record(train_info):
        info = {"command": " ".join(["python3"] + sys.argv), "args": vars(args), "base": args.base,
                "stories": args.stories, "frames": int(lengths.sum()), "vae_adaptation": vae_info,
                "vae_recon_mae_255": recon_mae, "history_distillation": distillation, "unet_growth": growth,
                "training": train_info, "total_seconds": round(time.time() - t0, 1), "torch": torch.__version__,
                "continued_from": previous}
        # A continued folder keeps its VAE as it was, so the record of how that decoder was tuned
        # (finetune_vae_decoder.py) stays at the top, where the next decoder run looks for it; a VAE
        # from --vae-from brings its own record (train_story_vae.py) instead.
        if args.vae_from:
            info["story_vae"] = vae_record
        elif previous and "vae_decoder_finetune" in previous:
            info["vae_decoder_finetune"] = previous["vae_decoder_finetune"]
        return info

    def checkpoint(ema_models, train_info):
        save_folder(args.out, args.base, ema_models, vae, record(train_info), args.fp32)
        log(f"checkpoint at step {train_info['steps']} saved to {args.out}")

    ema_models, train_info = train(models, data, args, log, checkpoint, stripes)
    log(f"trained {train_info['steps']} steps, final loss {train_info['final_loss']}")
    save_folder(args.out, args.base, ema_models, vae, record(train_info), args.fp32)
    log(f"saved to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
