"""AR-LDM story fine-tuning: the history encoder's start, teacher-forced training contexts against
the reference sampler's contexts, and a two-step run whose folder the reference pipeline loads."""

import argparse
import json
import os

import numpy as np
import pytest
import torch

import train_story as t

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
BASE = os.path.join(ROOT, "Models", "shapesworld-t2i")


@pytest.fixture(scope="module")
def base():
    torch.manual_seed(0)
    return t.load_models(BASE)


def test_history_encoder_starts_from_clip_embeddings(base):
    _, _, text_encoder, _ = base
    args = argparse.Namespace(size=32, patch_size=8, history_layers=2, vision_layers=2)
    encoder = t.new_history_encoder(text_encoder, args)
    clip = text_encoder.text_model.embeddings
    vocab = text_encoder.config.vocab_size
    assert encoder.config.enc_token_id == vocab
    assert torch.equal(encoder.text_model.word_embeddings.weight[:vocab], clip.token_embedding.weight)
    assert torch.equal(encoder.text_model.position_embeddings.weight, clip.position_embedding.weight[:t.CAPTION_LENGTH])
    assert float(encoder.text_model.word_embeddings.weight[vocab].detach().abs().sum()) > 0


def test_training_contexts_equal_the_sampler_contexts(base, tmp_path):
    """A story's teacher-forced rows are the contexts the reference sampler builds for each frame."""
    from arldm_ref import StoryModel

    tokenizer, vae, text_encoder, unet = base
    args = argparse.Namespace(size=32, patch_size=8, history_layers=2, vision_layers=2, guidance=5.0, inference_steps=25)
    encoder = t.new_history_encoder(text_encoder, args).eval()
    embeddings = t.new_story_embeddings(text_encoder.config.hidden_size)
    models = (text_encoder.eval(), unet.eval(), encoder, embeddings)
    t.save_folder(str(tmp_path), BASE, models, vae, {"args": vars(args)}, fp32=True)
    reference = StoryModel(tmp_path)

    frames, lengths, captions = t.render_stories(2, 32)
    latents, recons = t.encode_frames(vae, frames)
    flat = [text for story in captions for frame in story for text in frame]
    ids, masks = t.tokenize(tokenizer, flat)
    shape = (2, t.MAX_FRAMES, t.PARAPHRASES, t.CAPTION_LENGTH)
    batch = t.StoryBatch(np.array([1]), lengths, latents, recons, ids.view(shape), masks.view(shape),
                         np.random.default_rng(0))
    count = int(lengths[1])
    drop = torch.zeros(count, dtype=torch.bool)
    drop[2] = True
    with torch.no_grad():
        contexts, keep = t.story_contexts(batch, text_encoder, encoder, embeddings, t.tokenize(tokenizer, [""]), drop)

    texts = [tokenizer.decode(row[row_mask.bool()][1:-1]) for row, row_mask in zip(batch.ids, batch.masks)]
    null_slots = reference.null_slots()
    slots, slot_masks = list(null_slots), [torch.zeros(1, t.CAPTION_LENGTH, dtype=torch.long)] * t.MAX_FRAMES
    for k in range(count):
        slots[k], slot_masks[k] = reference.history_slot(batch.images[k:k + 1], texts[k], k)
    assert contexts.shape == (count, (1 + t.MAX_FRAMES) * t.CAPTION_LENGTH, text_encoder.config.hidden_size)
    for j in range(count):
        if drop[j]:
            expected, expected_mask = reference.null_context(j, null_slots)
        else:
            caption, caption_mask = reference.encode_captions([texts[j]])
            expected, expected_mask = reference.assemble(caption, caption_mask, slots, slot_masks, j)
        difference = (contexts[j:j + 1] - expected).abs().amax(dim=-1)
        assert torch.allclose(contexts[j:j + 1], expected, atol=1e-5), (j, texts, difference.nonzero()[:3])
        assert torch.equal(keep[j:j + 1], expected_mask), j


def test_two_step_run_writes_a_folder_the_reference_samples(tmp_path):
    from arldm_ref import StoryModel

    out = tmp_path / "story"
    assert t.main(["--out", str(out), "--stories", "3", "--steps", "2", "--batch", "2", "--vae-minutes", "0",
                   "--recovery-stories", "1", "--threads", "1", "--fp32"]) == 0
    for name in ("story_config.json", "story_embeddings.safetensors", "training.json", "unet", "vae",
                 "text_encoder", "history_encoder", "tokenizer", "scheduler"):
        assert (out / name).exists(), name
    model = StoryModel(out)
    assert model.max_frames == t.MAX_FRAMES and model.caption_length == t.CAPTION_LENGTH
    generator = torch.Generator().manual_seed(0)
    noises = [torch.randn(1, 4, 8, 8, generator=generator) for _ in range(2)]
    results = model.sample(["Kiki is a red circle.", "Kiki jumps."], noises, 2, 5.0)
    assert len(results) == 2
    for latents, image in results:
        assert latents.shape == (1, 4, 8, 8) and image.shape == (1, 3, 32, 32)
        assert torch.isfinite(image).all()


def test_continuing_a_folder_for_zero_steps_saves_the_same_weights(tmp_path):
    from safetensors.torch import load_file

    first, second = tmp_path / "first", tmp_path / "second"
    common = ["--stories", "3", "--batch", "2", "--recovery-stories", "1", "--threads", "1", "--fp32"]
    assert t.main(["--out", str(first), "--steps", "2", "--vae-minutes", "0"] + common) == 0
    record = json.loads((first / "training.json").read_text())
    record["vae_decoder_finetune"] = {"steps": 7, "data": "stories"}  # as finetune_vae_decoder.py leaves it
    (first / "training.json").write_text(json.dumps(record))
    assert t.main(["--out", str(second), "--steps", "0", "--init-from", str(first)] + common) == 0
    continued = json.loads((second / "training.json").read_text())
    assert continued["continued_from"] == record
    assert continued["vae_decoder_finetune"] == record["vae_decoder_finetune"]  # the kept decoder's record
    files = ["unet/diffusion_pytorch_model.safetensors", "text_encoder/model.safetensors",
             "history_encoder/diffusion_pytorch_model.safetensors", "vae/diffusion_pytorch_model.safetensors",
             "story_embeddings.safetensors"]
    for name in files:
        before, after = load_file(first / name), load_file(second / name)
        assert before.keys() == after.keys(), name
        for key in before:
            assert torch.equal(before[key], after[key]), f"{name}: {key}"
    assert (second / "tokenizer" / "vocab.json").read_bytes() == (first / "tokenizer" / "vocab.json").read_bytes()


def test_rendering_in_worker_processes_gives_the_same_stories():
    frames, lengths, captions = t.render_stories(5, 32)
    pooled_frames, pooled_lengths, pooled_captions = t.render_stories(5, 32, workers=2, chunk=2)
    assert np.array_equal(frames, pooled_frames)
    assert np.array_equal(lengths, pooled_lengths)
    assert captions == pooled_captions
    assert frames[lengths < t.MAX_FRAMES, -1].max() == 0  # zeros past a story's end


def test_stripe_mask_covers_every_pixel_the_stripe_changes_and_little_more():
    from scene import render_scene

    for seed in range(4):
        for scene in t.story_for_seed(seed, 32)["frames"]:
            plain = dict(scene, objects=[dict(o, stripe=None) for o in scene["objects"]])
            changed = (render_scene(scene) != render_scene(plain)).any(axis=-1)
            mask = t.stripe_mask(scene)
            assert changed.sum() > 0
            assert not (changed & ~mask).any()  # every changed pixel is in the mask
            # the mask adds at most the rim pixels whose sliver of stripe rounds away
            assert mask.sum() <= changed.sum() + 2 * 32
            protagonist = scene["objects"][-1]
            ys, xs = np.nonzero(mask)
            assert np.all(np.hypot(xs + 0.5 - protagonist["cx"], ys + 0.5 - protagonist["cy"]) <= protagonist["r"] + 1)


def test_stripe_cells_are_the_latent_cells_each_frame_s_stripe_mask_touches():
    cells = t.stripe_cells(4, 32, 4)
    assert cells.shape == (4, t.MAX_FRAMES, 8, 8) and cells.dtype == torch.bool
    assert torch.equal(cells, t.stripe_cells(4, 32, 4, workers=2))
    for seed in range(4):
        story = t.story_for_seed(seed, 32)
        count = len(story["frames"])
        assert not cells[seed, count:].any()  # nothing past the story's end
        for k, scene in enumerate(story["frames"]):
            mask = t.stripe_mask(scene)
            expected = [[mask[4 * y:4 * y + 4, 4 * x:4 * x + 4].any() for x in range(8)] for y in range(8)]
            assert cells[seed, k].tolist() == expected
            assert 1 <= int(cells[seed, k].sum()) <= 12  # a thin stripe: a few of the 64 cells


def test_cell_weighted_mse_is_a_weighted_mean_over_cells_then_rows():
    generator = torch.Generator().manual_seed(0)
    prediction, target = (torch.randn(3, 4, 8, 8, generator=generator) for _ in range(2))
    rows = torch.tensor([1.0, 0.5, 2.0])
    assert torch.allclose(t.cell_weighted_mse(prediction, target, rows, torch.ones(3, 1, 8, 8)),
                          t.weighted_mse(prediction, target, rows))
    cells = torch.ones(3, 1, 8, 8)
    cells[:, :, 2, 5] = 11.0
    squared = (prediction - target).pow(2).sum(1)  # (3, 8, 8): summed over the 4 channels
    per_row = (squared.flatten(1).sum(1) + 10 * squared[:, 2, 5]) / (4 * (64 + 10))
    assert torch.allclose(t.cell_weighted_mse(prediction, target, rows, cells), (per_row * rows).mean())


def test_a_stripe_weighted_run_weights_the_stripe_cells_and_records_the_weight(tmp_path, monkeypatch):
    seen = []
    real = t.cell_weighted_mse

    def spy(prediction, target, row_weights, cell_weights):
        seen.append(cell_weights)
        return real(prediction, target, row_weights, cell_weights)

    monkeypatch.setattr(t, "cell_weighted_mse", spy)
    out = tmp_path / "story"
    assert t.main(["--out", str(out), "--stories", "3", "--steps", "2", "--batch", "2", "--vae-minutes", "0",
                   "--recovery-stories", "1", "--threads", "1", "--stripe-weight", "10"]) == 0
    assert len(seen) == 2
    for weights in seen:
        assert weights.shape[1:] == (1, 8, 8)
        assert set(weights.unique().tolist()) == {1.0, 11.0}
        assert all(1 <= int((row == 11.0).sum()) <= 12 for row in weights)  # every row's frame has a stripe
    with open(out / "training.json", encoding="utf-8") as f:
        assert json.load(f)["args"]["stripe_weight"] == 10.0


def test_denoiser_from_takes_unet_and_text_encoder_and_keeps_the_story_parts(tmp_path):
    from safetensors.torch import load_file

    first, second = tmp_path / "first", tmp_path / "second"
    common = ["--stories", "3", "--batch", "2", "--recovery-stories", "1", "--threads", "1", "--fp32"]
    assert t.main(["--out", str(first), "--steps", "2", "--vae-minutes", "0"] + common) == 0
    assert t.main(["--out", str(second), "--steps", "0", "--init-from", str(first), "--denoiser-from", BASE]
                  + common) == 0
    from_base = ["unet/diffusion_pytorch_model.safetensors", "text_encoder/model.safetensors"]
    kept = ["history_encoder/diffusion_pytorch_model.safetensors", "vae/diffusion_pytorch_model.safetensors",
            "story_embeddings.safetensors"]
    for name in from_base + kept:
        source = os.path.join(BASE, name) if name in from_base else first / name
        before, after = load_file(source), load_file(second / name)
        assert before.keys() == after.keys(), name
        for key in before:
            assert torch.equal(before[key].float(), after[key]), f"{name}: {key}"


def test_batched_contexts_equal_the_reference_story_by_story():
    from arldm_ref import teacher_forced_contexts

    generator = torch.Generator().manual_seed(3)
    lengths = [4, 5, 4]
    rows, length, width, count = sum(lengths), t.CAPTION_LENGTH, 8, t.MAX_FRAMES
    batch = argparse.Namespace(lengths=lengths,
                               frames=torch.tensor([k for n in lengths for k in range(n)]),
                               masks=(torch.rand(rows, length, generator=generator) > 0.3).long())
    captions, history = torch.randn(2, rows, length, width, generator=generator)
    null_caption = torch.randn(1, length, width, generator=generator)
    null_slots = torch.randn(count, length, width, generator=generator)
    drop = torch.rand(rows, generator=generator) < 0.3
    drop[1] = True
    contexts, masks = t.batched_teacher_forced_contexts(captions, history, null_caption, null_slots, batch, drop)

    start = 0
    for n in lengths:
        part = slice(start, start + n)
        slot_masks = torch.cat([batch.masks[part], torch.zeros(count - n, length, dtype=torch.long)])
        expected, expected_masks = teacher_forced_contexts(captions[part], batch.masks[part],
                                                           torch.cat([history[part], null_slots[n:]]), slot_masks,
                                                           null_caption, null_slots, drop[part])
        assert torch.equal(contexts[part], expected)
        assert torch.equal(masks[part], expected_masks)
        start += n


def small_history_encoder(base):
    """A random 8 px, 2 + 2-layer history encoder whose image tower looks trained (nothing left at zero)."""
    _, _, text_encoder, _ = base
    args = argparse.Namespace(size=32, patch_size=8, history_layers=2, vision_layers=2)
    torch.manual_seed(1)
    encoder = t.new_history_encoder(text_encoder, args)
    with torch.no_grad():
        for parameter in encoder.vision_model.parameters():
            parameter.add_(0.3 * torch.randn_like(parameter))
    return encoder.eval()


def test_recut_patches_give_the_old_tokens_on_frames_flat_within_each_old_patch(base):
    encoder = small_history_encoder(base)
    recut = t.recut_history_patches(encoder, 4).eval()
    assert recut.config.patch_size == 4 and recut.vision_model.position_embedding.shape == (1 + 64, 64)
    blocks = torch.rand(3, 3, 4, 4, generator=torch.Generator().manual_seed(2))
    frames = blocks.repeat_interleave(8, dim=2).repeat_interleave(8, dim=3)  # flat within each 8 px patch
    with torch.no_grad():
        old = encoder.vision_model.patch_embedding(frames).flatten(2).transpose(1, 2) \
            + encoder.vision_model.position_embedding[1:]
        new = recut.vision_model.patch_embedding(frames).flatten(2).transpose(1, 2) \
            + recut.vision_model.position_embedding[1:]
    # new patch (i, j) lies in old patch (i // 2, j // 2)
    parent = torch.tensor([(i // 2) * 4 + j // 2 for i in range(8) for j in range(8)])
    assert torch.allclose(new, old[:, parent], atol=1e-5)
    assert torch.equal(recut.vision_model.position_embedding[0], encoder.vision_model.position_embedding[0])
    text_keys = [key for key in encoder.state_dict() if key.startswith("text_model.")]
    assert all(torch.equal(recut.state_dict()[key], encoder.state_dict()[key]) for key in text_keys)
    with pytest.raises(ValueError):
        t.recut_history_patches(encoder, 3)


def test_deepened_image_tower_starts_as_the_identity(base):
    encoder = small_history_encoder(base)
    deeper = t.deepen_history_vision(encoder, 4).eval()
    assert len(deeper.vision_model.layers) == 4 and deeper.config.text_layers == 2
    frames = torch.rand(2, 3, 32, 32, generator=torch.Generator().manual_seed(4))
    ids = torch.randint(0, 1000, (2, t.CAPTION_LENGTH), generator=torch.Generator().manual_seed(5))
    masks = torch.ones(2, t.CAPTION_LENGTH, dtype=torch.long)
    with torch.no_grad():
        assert torch.equal(deeper(frames, ids, masks), encoder(frames, ids, masks))
    with pytest.raises(ValueError):
        t.deepen_history_vision(encoder, 1)


def test_distillation_brings_a_recut_encoder_towards_the_trained_one(base):
    tokenizer, vae, _, _ = base
    teacher = small_history_encoder(base)
    student = t.recut_history_patches(teacher, 4)
    frames, lengths, captions = t.render_stories(6, 32)
    _, recons = t.encode_frames(vae, frames)
    flat = [text for story in captions for frame in story for text in frame]
    ids, masks = t.tokenize(tokenizer, flat)
    shape = (6, t.MAX_FRAMES, t.PARAPHRASES, t.CAPTION_LENGTH)
    data = (lengths, None, recons, ids.view(shape), masks.view(shape), t.tokenize(tokenizer, [""]))
    args = argparse.Namespace(device="cpu", distill_lr=1e-3, distill_steps=60, batch=4, seed=0)
    result = t.distill_history_encoder(student, teacher, data, args, log=lambda message: None)
    assert result["steps"] == 60
    assert result["final_mse"] < 0.3 * result["first_mse"], result
    assert all(parameter.requires_grad for parameter in student.parameters())


def test_frame_zero_rows_get_the_first_frame_weight_on_top_of_min_snr():
    from diffusers import DDPMScheduler

    alphas = DDPMScheduler(num_train_timesteps=1000, beta_schedule="scaled_linear", beta_start=0.00085,
                           beta_end=0.012).alphas_cumprod
    timesteps, frames = torch.tensor([10, 500, 990, 10]), torch.tensor([0, 1, 0, 3])
    plain = t.row_weights(alphas, timesteps, frames, argparse.Namespace(min_snr_gamma=5.0, first_frame_weight=1.0))
    snr = alphas[timesteps] / (1 - alphas[timesteps])
    assert torch.allclose(plain, snr.clamp(max=5.0) / snr)
    assert plain[0] < 0.1 and plain[2] == 1.0  # nearly clean rows weigh little, noisy ones fully
    weighted = t.row_weights(alphas, timesteps, frames, argparse.Namespace(min_snr_gamma=5.0, first_frame_weight=3.0))
    assert torch.allclose(weighted, plain * torch.tensor([3.0, 1.0, 3.0, 1.0]))


def test_vae_from_a_finer_grid_grows_the_unet_and_the_reference_samples_it(tmp_path):
    import train_story_vae
    from arldm_ref import StoryModel

    first, vae16, second = tmp_path / "first", tmp_path / "vae16", tmp_path / "second"
    common = ["--stories", "3", "--batch", "2", "--recovery-stories", "1", "--threads", "1", "--fp32"]
    assert t.main(["--out", str(first), "--steps", "1", "--vae-minutes", "0"] + common) == 0
    assert train_story_vae.main(["--init-from", str(first), "--out", str(vae16), "--stories", "20", "--minutes",
                                 "0.05", "--batch", "4", "--recovery-stories", "1", "--coarse-anchor", "1"]) == 0
    # --recovery-stories 0 skips the VAE's stripe check (it divided by zero frames once)
    assert t.main(["--out", str(second), "--steps", "1", "--init-from", str(first), "--vae-from", str(vae16),
                   "--grow-distill-steps", "3", "--stories", "3", "--batch", "2", "--recovery-stories", "0",
                   "--threads", "1", "--fp32"]) == 0
    record = json.loads((second / "training.json").read_text())
    assert record["vae_adaptation"]["before"] is None
    assert record["unet_growth"]["steps"] == 3 and record["args"]["vae_from"] == str(vae16)
    assert record["story_vae"]["latent_grid"] == 16 and "vae_decoder_finetune" not in record
    model = StoryModel(second)
    assert model.unet.config.sample_size == 16 and model.unet.config.down_block_types[0] == "DownBlock2D"
    noises = [torch.randn(1, 4, 16, 16, generator=torch.Generator().manual_seed(0))]
    (latents, image), = model.sample(["Kiki is a red circle."], noises, 2, 5.0)
    assert latents.shape == (1, 4, 16, 16) and image.shape == (1, 3, 32, 32) and torch.isfinite(image).all()
