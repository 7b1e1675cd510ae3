"""Dataset splits as disjoint seed ranges, and the per-seed random streams of each task.

A sample is identified by (task, seed). Its numpy generator is seeded with [seed, stream], where
the stream separates the kinds of sample: detect, segment and caption share stream 0, so one seed
gives the *same* scene (image, boxes, masks, captions) in all three; stories, clips and 3D scenes
have their own streams.
"""

import numpy as np

SPLITS = {
    "train": range(0, 1_000_000),
    "validation": range(1_000_000, 1_100_000),
    "test": range(2_000_000, 2_100_000),
}

TASK_STREAMS = {"detect": 0, "segment": 0, "caption": 0, "story": 1, "clip": 2, "3d": 3}
TASKS = tuple(TASK_STREAMS)


def split_of(seed):
    """Name of the split containing ``seed`` (or None)."""
    for name, seeds in SPLITS.items():
        if seed in seeds:
            return name
    return None


def rng_for(task, seed):
    """The random generator of sample ``seed`` of ``task``."""
    return np.random.default_rng([int(seed), TASK_STREAMS[task]])
