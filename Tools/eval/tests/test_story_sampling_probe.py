"""The sampling probe: its noise mixing by hand, and on the tiny story fixture that each variant changes
only what it should and leaves the reference pipeline as it was."""

import os

import numpy as np
import pytest
import torch

import eval_story
import story_sampling_probe as probe

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
TINY_STORY = os.path.join(ROOT, "Tests", "Fixtures", "story", "tiny")


def test_shared_noises_keep_given_and_first_frames_and_unit_variance():
    generator = torch.Generator().manual_seed(0)
    noises = [None] + [torch.randn(1, 4, 64, 64, generator=generator) for _ in range(3)]
    assert probe.shared_noises(noises, 1, 0.0) == noises
    shared = probe.shared_noises(noises, 1, 1.0)
    assert shared[0] is None and all(torch.equal(noise, noises[1]) for noise in shared[1:])
    half = probe.shared_noises(noises, 1, 0.5)
    assert torch.equal(half[1], noises[1])
    assert torch.allclose(half[2], (noises[1] + noises[2]) / np.sqrt(2), atol=1e-6)
    assert abs(half[3].std().item() - 1) < 0.02
    assert abs(np.corrcoef(half[2].flatten(), half[1].flatten())[0, 1] - np.sqrt(0.5)) < 0.02
    assert abs(np.corrcoef(half[2].flatten(), half[3].flatten())[0, 1] - 0.5) < 0.02


@pytest.fixture(scope="module")
def story():
    return eval_story.held_out_stories(1, 32, "validation")[0]


def generate(story, **variant):
    """The story's frames from the tiny fixture: with `variant`, inside the probe's patches, else the plain
    reference pipeline."""
    _, captions, frames = story
    run = lambda: eval_story.torch_generator(TINY_STORY, "visualization", 3, None, 0, False, 1)(  # noqa: E731
        captions, frames, 0)
    if not variant:
        return run()
    with probe.sampling_variant(**variant):
        return run()


@pytest.mark.parametrize("variant", [{"history_guidance": 2.0}, {"shared_noise": 1.0}])
def test_a_variant_leaves_frame_0_and_changes_later_frames(story, variant):
    plain = generate(story)
    probed = generate(story, **variant)
    assert np.array_equal(probed[0], plain[0])
    assert not np.array_equal(probed[1], plain[1])
    assert np.array_equal(generate(story), plain)          # the reference pipeline is restored afterwards


def test_zero_variants_are_the_plain_sampler(story):
    # both patches are in place here: the three-row guidance batch must give the plain two-row result
    plain, probed = np.stack(generate(story)).astype(int), np.stack(generate(story, history_guidance=0.0))
    assert np.abs(probed.astype(int) - plain).max() <= 1


def test_the_probe_needs_the_reference_pipeline(tmp_path):
    with pytest.raises(SystemExit):
        probe.main(["--history-guidance", "1", "--reference", "--out", str(tmp_path / "x.json")])
    with pytest.raises(SystemExit):
        probe.main(["--shared-noise", "2", "--torch", TINY_STORY, "--out", str(tmp_path / "x.json")])
