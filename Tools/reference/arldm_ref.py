"""PyTorch reference of AR-LDM's conditioning and autoregressive sampler, scaled to the tiny ShapesWorld domain.

AR-LDM (Pan et al., "Synthesizing Coherent Story with Auto-Regressive Latent Diffusion Models", arXiv 2211.10950;
release code `xichenpan/ARLDM` main.py, as summarised in /work/shared/reference/story_video_3d.md §1) conditions a
Stable-Diffusion UNet, for story frame j, on the context

    φ_j = [ CLIP(c_j) + type₀ ;  H_0 ; … ; H_{V−1} ],     H_k = BLIP_mm(c_k, x_k) + type₁ + frame_k

(each block S tokens wide, so (1 + V)·S tokens of width D), with a boolean key mask: the caption's padding, each
history slot's caption padding, and the causal "square mask" that hides every slot k ≥ j. Classifier-free guidance
uses the null condition CLIP("") + BLIP(black image, "") in every slot, all visible except the square mask.
Sampling is autoregressive: frame j is generated with DDIM (η = 0), decoded, re-encoded with its caption and
written into slot j before frame j + 1.

This module is written for the project (nothing is copied from ARLDM or BLIP). It builds on diffusers 0.35.2
(`UNet2DConditionModel` with `encoder_attention_mask`, `AutoencoderKL`, `DDIMScheduler`, and the `Attention` /
`FeedForward` blocks used inside the history encoder) and transformers 4.57.6 (`CLIPTextModel`, `CLIPTokenizer`).

Story folder (a diffusers-like directory):

    story_config.json            {"_class_name": "ARLDMStoryPipeline", "max_frames": V, "caption_length": S,
                                  "hidden_size": D, "guidance_scale": w, "num_inference_steps": n}
    story_embeddings.safetensors modal_type_embeddings.weight (2, D)   type₀ = caption, type₁ = history
                                 time_embeddings.weight (V, D)         frame-position embedding of slot k
    history_encoder/             config.json (HistoryEncoder) + diffusion_pytorch_model.safetensors
    unet/ vae/ text_encoder/ tokenizer/ scheduler/   the base text-to-image model's folders, unchanged in layout

History-encoder state-dict keys (BLIP "multimodal feature extractor" stand-in; D = hidden_size, P = patches):

    vision_model.patch_embedding.{weight (D, C, p, p), bias}      ViT patch stem (Conv2d, stride p)
    vision_model.class_embedding (D)                              [CLS] token
    vision_model.position_embedding (1 + P, D)                    learned positions
    vision_model.layers.{i}.norm1 / attn.{to_q,to_k,to_v,to_out.0} / norm2 / ff.net.{0.proj,2}   pre-LN ViT block
    vision_model.post_layernorm
    text_model.word_embeddings.weight (vocab, D)                  caption tokens (+ the [ENC] row)
    text_model.position_embeddings.weight (S_max, D)
    text_model.embeddings_layernorm
    text_model.layers.{i}.self_attn / self_attn_norm / cross_attn / cross_attn_norm / ff / ff_norm   post-LN BERT
        layer with cross-attention to the image tokens (BLIP's BertLayer in `mode='multimodal'`)

The output is the text positions' last hidden state (B, S, D); the first token id is replaced by `enc_token_id`
([ENC]) and the caption's padding is masked in self-attention (−10000 bias, as diffusers builds masks).

Images enter the history encoder as decoded frames in 0…1 (no uint8 round trip), normalised by `image_mean` /
`image_std` (CLIP's, as BLIP's preprocessor); their size must equal `image_size`. The caption encoder runs CLIP
without an attention mask (causal attention makes the visible positions identical; padding is hidden by the key
mask). Unfilled history slots of the conditional context hold the null-history encoding (they are masked).

Usage: imported by Tools/reference/make_story_fixtures.py (no command-line entry point).
"""

import json
import pathlib

import torch
from diffusers import AutoencoderKL, DDIMScheduler, UNet2DConditionModel
from diffusers.configuration_utils import ConfigMixin, register_to_config
from diffusers.models.attention import FeedForward
from diffusers.models.attention_processor import Attention, AttnProcessor2_0
from diffusers.models.modeling_utils import ModelMixin
from safetensors.torch import load_file
from torch import nn
from transformers import CLIPTextModel, CLIPTokenizer

CAPTION_TYPE = 0
HISTORY_TYPE = 1


def attention(dim, heads, cross_dim=None):
    module = Attention(query_dim=dim, cross_attention_dim=cross_dim, heads=heads, dim_head=dim // heads, bias=True,
                       out_bias=True)
    module.set_processor(AttnProcessor2_0())
    return module


def keep_mask_bias(keep_mask):
    """(B, S) 1 = attend / 0 = ignore → additive (B, 1, S) bias, as diffusers' UNet builds `encoder_attention_mask`."""
    return ((1 - keep_mask.to(torch.float32)) * -10000.0).unsqueeze(1)


class VisionLayer(nn.Module):
    """Pre-LN ViT block: x + attn(norm1(x)), then x + ff(norm2(x)) (BLIP's `Block`)."""

    def __init__(self, dim, heads, inner, eps):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=eps)
        self.attn = attention(dim, heads)
        self.norm2 = nn.LayerNorm(dim, eps=eps)
        self.ff = FeedForward(dim, inner_dim=inner, activation_fn="gelu")

    def forward(self, x):
        x = x + self.attn(self.norm1(x))
        return x + self.ff(self.norm2(x))


class VisionModel(nn.Module):
    """A small ViT over P = (image_size / patch_size)² patches plus [CLS] (BLIP's `VisionTransformer`)."""

    def __init__(self, config):
        super().__init__()
        dim, patch = config["hidden_size"], config["patch_size"]
        patches = (config["image_size"] // patch) ** 2
        self.patch_embedding = nn.Conv2d(config["num_channels"], dim, kernel_size=patch, stride=patch)
        self.class_embedding = nn.Parameter(torch.zeros(dim))
        self.position_embedding = nn.Parameter(torch.zeros(1 + patches, dim))
        self.layers = nn.ModuleList(VisionLayer(dim, config["num_attention_heads"], config["intermediate_size"],
                                                config["layer_norm_eps"]) for _ in range(config["vision_layers"]))
        self.post_layernorm = nn.LayerNorm(dim, eps=config["layer_norm_eps"])

    def forward(self, pixel_values):
        x = self.patch_embedding(pixel_values).flatten(2).transpose(1, 2)  # (B, P, D), patches row-major
        cls = self.class_embedding.expand(x.shape[0], 1, -1)
        x = torch.cat([cls, x], dim=1) + self.position_embedding
        for layer in self.layers:
            x = layer(x)
        return self.post_layernorm(x)


class TextLayer(nn.Module):
    """Post-LN BERT layer with cross-attention (BLIP's `BertLayer`, multimodal mode)."""

    def __init__(self, dim, heads, inner, eps):
        super().__init__()
        self.self_attn = attention(dim, heads)
        self.self_attn_norm = nn.LayerNorm(dim, eps=eps)
        self.cross_attn = attention(dim, heads, cross_dim=dim)
        self.cross_attn_norm = nn.LayerNorm(dim, eps=eps)
        self.ff = FeedForward(dim, inner_dim=inner, activation_fn="gelu")
        self.ff_norm = nn.LayerNorm(dim, eps=eps)

    def forward(self, x, bias, image_embeds):
        x = self.self_attn_norm(x + self.self_attn(x, attention_mask=bias))
        x = self.cross_attn_norm(x + self.cross_attn(x, encoder_hidden_states=image_embeds))
        return self.ff_norm(x + self.ff(x))


class TextModel(nn.Module):
    """Caption tokens → word + position embeddings → LayerNorm → fusion layers (BLIP's `BertModel` encoder)."""

    def __init__(self, config):
        super().__init__()
        dim, eps = config["hidden_size"], config["layer_norm_eps"]
        self.word_embeddings = nn.Embedding(config["vocab_size"], dim)
        self.position_embeddings = nn.Embedding(config["max_position_embeddings"], dim)
        self.embeddings_layernorm = nn.LayerNorm(dim, eps=eps)
        self.layers = nn.ModuleList(TextLayer(dim, config["num_attention_heads"], config["intermediate_size"], eps)
                                    for _ in range(config["text_layers"]))

    def forward(self, input_ids, attention_mask, image_embeds):
        positions = torch.arange(input_ids.shape[1], device=input_ids.device)
        x = self.embeddings_layernorm(self.word_embeddings(input_ids) + self.position_embeddings(positions))
        bias = keep_mask_bias(attention_mask)
        for layer in self.layers:
            x = layer(x, bias, image_embeds)
        return x


class HistoryEncoder(ModelMixin, ConfigMixin):
    """BLIP-style multimodal encoder of one story frame: (caption c_k, image x_k) → S caption-position tokens."""

    config_name = "config.json"

    @register_to_config
    def __init__(self, image_size=32, patch_size=8, num_channels=3, hidden_size=64, num_attention_heads=4,
                 intermediate_size=256, vision_layers=2, text_layers=2, vocab_size=49409, max_position_embeddings=77,
                 enc_token_id=49408, layer_norm_eps=1e-5, image_mean=(0.48145466, 0.4578275, 0.40821073),
                 image_std=(0.26862954, 0.26130258, 0.27577711)):
        super().__init__()
        config = dict(image_size=image_size, patch_size=patch_size, num_channels=num_channels, hidden_size=hidden_size,
                      num_attention_heads=num_attention_heads, intermediate_size=intermediate_size,
                      vision_layers=vision_layers, text_layers=text_layers, vocab_size=vocab_size,
                      max_position_embeddings=max_position_embeddings, layer_norm_eps=layer_norm_eps)
        self.vision_model = VisionModel(config)
        self.text_model = TextModel(config)

    def forward(self, pixel_values, input_ids, attention_mask):
        """pixel_values (B, C, H, W) in 0…1; input_ids / attention_mask (B, S) → (B, S, D)."""
        mean = torch.tensor(self.config.image_mean, device=pixel_values.device).view(1, -1, 1, 1)
        std = torch.tensor(self.config.image_std, device=pixel_values.device).view(1, -1, 1, 1)
        image_embeds = self.vision_model((pixel_values - mean) / std)
        ids = input_ids.clone()
        ids[:, 0] = self.config.enc_token_id
        return self.text_model(ids, attention_mask, image_embeds)


class StoryEmbeddings(nn.Module):
    """AR-LDM's `modal_type_embeddings` (2, D) and `time_embeddings` (V, D)."""

    def __init__(self, max_frames, dim):
        super().__init__()
        self.modal_type_embeddings = nn.Embedding(2, dim)
        self.time_embeddings = nn.Embedding(max_frames, dim)


def teacher_forced_contexts(caption_embeds, caption_masks, slots, slot_masks, null_caption, null_slots, drop):
    """Training contexts of one story, all frames at once (AR-LDM main.py's teacher forcing, notes §1.2 step 5 and
    the per-frame CFG drop of §1.3). Differentiable; the sampler's `StoryModel.assemble` gives the same rows.

    caption_embeds (F, S, D): CLIP(c_j) + type₀ for the F frames; caption_masks (F, S) keep flags.
    slots (V, S, D): ground-truth H_k + type₁ + frame_k per slot (null history where a story has no frame k);
    slot_masks (V, S) keep flags (zeros where a slot holds no frame).
    null_caption (1, S, D): CLIP("") + type₀; null_slots (V, S, D): BLIP(black, "") + type₁ + frame_k.
    drop (F,) bool: rows replaced by the null condition, padding masks cleared (probability 0.1 in training).
    Row j then gets the causal square mask: slots k ≥ j hidden.
    Returns contexts (F, (1 + V)·S, D) and keep masks (F, (1 + V)·S)."""
    frames, length = caption_embeds.shape[0], caption_embeds.shape[1]
    count = slots.shape[0]
    keep = drop.view(frames, 1, 1).to(caption_embeds.dtype)
    captions = keep * null_caption + (1 - keep) * caption_embeds
    history = keep * null_slots.reshape(1, count * length, -1) + (1 - keep) * slots.reshape(1, count * length, -1)
    contexts = torch.cat([captions, history], dim=1)
    device = caption_embeds.device
    ones = torch.ones(frames, (1 + count) * length, device=device)
    masks = torch.cat([caption_masks.to(torch.float32), slot_masks.reshape(1, -1).to(torch.float32).expand(frames, -1)],
                      dim=1)
    masks = torch.where(drop.view(frames, 1), ones, masks)
    # (F, V): slot k ≥ frame j
    square = torch.arange(count, device=device).view(1, count) >= torch.arange(frames, device=device).view(frames, 1)
    hidden = torch.cat([torch.zeros(frames, length, dtype=torch.bool, device=device),
                        square.repeat_interleave(length, dim=1)], dim=1)
    return contexts, masks.masked_fill(hidden, 0.0)


class StoryModel:
    """A loaded story folder and AR-LDM's conditioning, guided DDIM step and autoregressive sampler."""

    def __init__(self, folder):
        folder = pathlib.Path(folder)
        self.config = json.loads((folder / "story_config.json").read_text())
        self.max_frames = self.config["max_frames"]
        self.caption_length = self.config["caption_length"]
        self.tokenizer = CLIPTokenizer.from_pretrained(folder / "tokenizer")
        self.text_encoder = CLIPTextModel.from_pretrained(folder / "text_encoder", dtype=torch.float32).eval()
        self.unet = UNet2DConditionModel.from_pretrained(folder / "unet", torch_dtype=torch.float32).eval()
        self.vae = AutoencoderKL.from_pretrained(folder / "vae", torch_dtype=torch.float32).eval()
        self.scheduler_config = DDIMScheduler.load_config(folder / "scheduler")
        self.history_encoder = HistoryEncoder.from_pretrained(folder / "history_encoder",
                                                              torch_dtype=torch.float32).eval()
        self.embeddings = StoryEmbeddings(self.max_frames, self.config["hidden_size"])
        self.embeddings.load_state_dict(load_file(folder / "story_embeddings.safetensors"))
        self.embeddings.eval()

    # -- conditioning ---------------------------------------------------------------------------------------------

    def tokenize(self, captions):
        tokens = self.tokenizer(captions, padding="max_length", max_length=self.caption_length, truncation=True,
                                return_tensors="pt")
        return tokens.input_ids, tokens.attention_mask

    @torch.no_grad()
    def encode_captions(self, captions):
        """CLIP(c) + type₀ → (B, S, D), and the caption keep masks (B, S)."""
        ids, mask = self.tokenize(captions)
        hidden = self.text_encoder(ids).last_hidden_state
        return hidden + self.embeddings.modal_type_embeddings.weight[CAPTION_TYPE], mask

    @torch.no_grad()
    def encode_history_raw(self, images, captions):
        """BLIP_mm(c, x) without the type/frame embeddings → (B, S, D), and the caption keep masks (B, S)."""
        ids, mask = self.tokenize(captions)
        return self.history_encoder(images, ids, mask), mask

    @torch.no_grad()
    def history_slot(self, image, caption, frame):
        """H_k = BLIP_mm(c_k, x_k) + type₁ + frame_k → (1, S, D), with its keep mask (1, S)."""
        raw, mask = self.encode_history_raw(image, [caption])
        return raw + self.slot_embedding(frame), mask

    def slot_embedding(self, frame):
        return self.embeddings.modal_type_embeddings.weight[HISTORY_TYPE] + self.embeddings.time_embeddings.weight[frame]

    def null_image(self):
        size = self.history_encoder.config.image_size
        return torch.zeros(1, self.history_encoder.config.num_channels, size, size)

    @torch.no_grad()
    def null_slots(self):
        """The null history BLIP(black image, "") + type₁ + frame_k for every slot k, each (1, S, D)."""
        raw, _ = self.encode_history_raw(self.null_image(), [""])
        return [raw + self.slot_embedding(k) for k in range(self.max_frames)]

    def assemble(self, caption_embeds, caption_mask, slots, slot_masks, frame):
        """φ_j and its keep mask (1 = attend): slots k ≥ frame are hidden (the causal square mask)."""
        context = torch.cat([caption_embeds] + list(slots), dim=1)
        masks = [caption_mask.to(torch.float32)]
        for k, mask in enumerate(slot_masks):
            masks.append(mask.to(torch.float32) if k < frame else torch.zeros(1, self.caption_length))
        return context, torch.cat(masks, dim=1)

    @torch.no_grad()
    def null_context(self, frame, null_slots):
        """The CFG null condition: CLIP("") + type₀ and the null history, all visible but the square mask."""
        caption, _ = self.encode_captions([""])
        ones = torch.ones(1, self.caption_length)
        return self.assemble(caption, ones, null_slots, [ones] * self.max_frames, frame)

    # -- denoising --------------------------------------------------------------------------------------------------

    def make_scheduler(self, steps):
        scheduler = DDIMScheduler.from_config(self.scheduler_config)
        scheduler.set_timesteps(steps)
        return scheduler

    @torch.no_grad()
    def guided_noise(self, latents, timestep, cond, uncond, guidance):
        """ε = ε_u + w·(ε_c − ε_u) from one UNet call on the batch [uncond; cond]."""
        context = torch.cat([uncond[0], cond[0]], dim=0)
        mask = torch.cat([uncond[1], cond[1]], dim=0)
        output = self.unet(torch.cat([latents, latents]), timestep, encoder_hidden_states=context,
                           encoder_attention_mask=mask).sample
        noise_uncond, noise_cond = output.chunk(2)
        return noise_uncond + guidance * (noise_cond - noise_uncond), noise_uncond, noise_cond

    @torch.no_grad()
    def decode(self, latents):
        image = self.vae.decode(latents / self.vae.config.scaling_factor).sample
        return (image / 2 + 0.5).clamp(0, 1)

    @torch.no_grad()
    def sample(self, captions, noises, steps, guidance, given_images=()):
        """Autoregressive story sampling. Frames 0…g−1 are given (continuation); frames g…n−1 are generated from
        `noises[j]` (1, 4, h, w). Returns the final latents and decoded images of the generated frames."""
        null_slots = self.null_slots()
        slots = list(null_slots)
        slot_masks = [torch.zeros(1, self.caption_length, dtype=torch.long)] * self.max_frames
        for k, image in enumerate(given_images):
            slots[k], slot_masks[k] = self.history_slot(image, captions[k], k)
        results = []
        for j in range(len(given_images), len(captions)):
            caption, caption_mask = self.encode_captions([captions[j]])
            cond = self.assemble(caption, caption_mask, slots, slot_masks, j)
            uncond = self.null_context(j, null_slots)
            scheduler = self.make_scheduler(steps)
            latents = noises[j] * scheduler.init_noise_sigma
            for t in scheduler.timesteps:
                noise, _, _ = self.guided_noise(scheduler.scale_model_input(latents, t), t, cond, uncond, guidance)
                latents = scheduler.step(noise, t, latents, eta=0.0).prev_sample
            image = self.decode(latents)
            if j < self.max_frames:
                slots[j], slot_masks[j] = self.history_slot(image, captions[j], j)
            results.append((latents, image))
        return results
