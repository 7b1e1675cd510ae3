#!/usr/bin/env python3
"""Story eval of two sampling variants the service does not offer, on the PyTorch reference pipeline.

    python3 Tools/eval/story_sampling_probe.py --history-guidance 1 --torch Models/shapesworld-story \\
        --split validation --stories 100 --threads 1 --out val_hg1.json
    python3 Tools/eval/story_sampling_probe.py --shared-noise 1 --torch Models/shapesworld-story \\
        --split validation --stories 100 --threads 1 --out val_shared_noise.json

Every other argument is ``eval_story.py``'s (``--torch`` is required); the scoring is the same.

* ``--history-guidance H`` adds a history term to AR-LDM's classifier-free guidance, in the manner of
  InstructPix2Pix's two-condition guidance: ε = ε(∅) + w·(ε(c, h) − ε(∅)) + H·(ε(c, h) − ε(c, ∅ₕ)), where
  ε(c, ∅ₕ) is the conditional context with every history slot masked. Frame 0 has no visible history, so
  only later frames change; each step costs three UNet rows instead of two.
* ``--shared-noise S`` draws each generated frame's initial noise as √S·z₀ + √(1−S)·zⱼ from the
  first generated frame's z₀ and the frame's own zⱼ: S is the share of each later frame's (unit) noise
  variance that comes from frame 0's noise, so later frames correlate √S with it and S with each other;
  S = 1 starts every frame from the same noise.

Both at 0 give ``eval_story.py``'s frames (to a level of rounding: the UNet batch has three rows, not two).
"""

import argparse
import contextlib
import math
import os
import sys

import paths
import eval_story

sys.path.insert(0, os.path.join(os.path.dirname(paths.SHAPESWORLD), "reference"))
import arldm_ref  # noqa: E402


def shared_noises(noises, given, share):
    """The initial noises, every generated frame after the first holding `share` of the first one's variance."""
    if share == 0 or len(noises) <= given + 1:
        return list(noises)
    first = noises[given]
    keep, mix = math.sqrt(share), math.sqrt(1 - share)
    return list(noises[:given + 1]) + [keep * first + mix * noise for noise in noises[given + 1:]]


@contextlib.contextmanager
def sampling_variant(history_guidance=0.0, shared_noise=0.0):
    """Patches `arldm_ref.StoryModel` with the variant while the block runs, then restores it."""
    import torch

    model_class = arldm_ref.StoryModel
    plain_guided_noise, plain_sample = model_class.guided_noise, model_class.sample

    @torch.no_grad()
    def guided_noise(self, latents, timestep, cond, uncond, guidance):
        without_history = cond[1].clone()
        without_history[:, self.caption_length:] = 0
        output = self.unet(torch.cat([latents] * 3), timestep,
                           encoder_hidden_states=torch.cat([uncond[0], cond[0], cond[0]]),
                           encoder_attention_mask=torch.cat([uncond[1], cond[1], without_history])).sample
        noise_uncond, noise_cond, noise_caption_only = output.chunk(3)
        guided = noise_uncond + guidance * (noise_cond - noise_uncond)
        return guided + history_guidance * (noise_cond - noise_caption_only), noise_uncond, noise_cond

    def sample(self, captions, noises, steps, guidance, given_images=()):
        noises = shared_noises(noises, len(given_images), shared_noise)
        return plain_sample(self, captions, noises, steps, guidance, given_images)

    model_class.guided_noise, model_class.sample = guided_noise, sample
    try:
        yield
    finally:
        model_class.guided_noise, model_class.sample = plain_guided_noise, plain_sample


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0], add_help=False)
    parser.add_argument("--history-guidance", type=float, default=0.0)
    parser.add_argument("--shared-noise", type=float, default=0.0)
    args, rest = parser.parse_known_args(argv)
    if "-h" in rest or "--help" in rest:
        print(__doc__)
        return eval_story.main(["--help"])
    if not 0 <= args.shared_noise <= 1:
        parser.error("--shared-noise must lie in [0, 1]")
    if "--torch" not in rest and not any(a.startswith("--torch=") for a in rest):
        parser.error("the probe runs the reference pipeline: pass --torch FOLDER")
    with sampling_variant(args.history_guidance, args.shared_noise):
        return eval_story.main(rest)


if __name__ == "__main__":
    sys.exit(main())
