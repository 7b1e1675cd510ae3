"""Turn one (task, seed) into its images and its annotation record (one line of annotations.jsonl).

``build(task, seed, size, **options)`` returns ``(record, images)`` where ``images`` maps a file
name to a numpy array (uint8 RGB, uint8 label map, or uint16 depth) and ``record`` is the
JSON-serialisable annotation that names those files. Writing is left to the caller (the CLI).
"""

import numpy as np

from captions import scene_captions
from clips import sample_clip
from scene import render_scene, sample_scene, scene_masks
from scene3d import render_view, sample_cameras, sample_scene3d
from splits import rng_for, split_of
from stories import sample_story

DEPTH_SCALE = 1000.0  # depth PNGs hold camera z in millimetres (uint16, 0 = background)


def _object_annotation(obj):
    keys = ("shape", "class_id", "colour", "box", "cx", "cy", "r", "rot", "stripe", "role",
            "name", "vx", "vy")
    return {k: obj[k] for k in keys if k in obj and obj[k] is not None}


def build_scene_record(task, seed, size, occlusion=False):
    """detect / segment / caption: one scene."""
    scene = sample_scene(rng_for(task, seed), size, occlusion=occlusion)
    stem = f"{seed:07d}"
    images = {f"{stem}.png": render_scene(scene)}
    record = {"task": task, "seed": seed, "split": split_of(seed), "image": f"{stem}.png",
              "width": size, "height": size, "background": scene["background"],
              "objects": [_object_annotation(o) for o in scene["objects"]]}
    if task == "segment":
        semantic, instance = scene_masks(scene)
        images[f"{stem}_semantic.png"] = semantic
        images[f"{stem}_instance.png"] = instance
        record.update(semantic=f"{stem}_semantic.png", instance=f"{stem}_instance.png")
    if task == "caption":
        record["captions"] = scene_captions(scene)
    return record, images


def build_story_record(seed, size):
    story = sample_story(rng_for("story", seed), size)
    stem = f"{seed:07d}"
    images, frames = {}, []
    for k, (frame, captions) in enumerate(zip(story["frames"], story["captions"])):
        name = f"{stem}_f{k}.png"
        images[name] = render_scene(frame)
        frames.append({"image": name, "captions": captions,
                       "action": story["actions"][k - 1] if k else None,
                       "objects": [_object_annotation(o) for o in frame["objects"]]})
    record = {"task": "story", "seed": seed, "split": split_of(seed), "width": size,
              "height": size, "name": story["name"], "protagonist": story["protagonist"],
              "hidden_attribute": story["hidden_attribute"], "frames": frames}
    return record, images


def build_clip_record(seed, size):
    clip = sample_clip(rng_for("clip", seed), size)
    stem = f"{seed:07d}"
    images, frames = {}, []
    for k, frame in enumerate(clip["frames"]):
        name = f"{stem}_f{k:02d}.png"
        images[name] = render_scene(frame)
        frames.append({"image": name, "time": frame["time"],
                       "objects": [_object_annotation(o) for o in frame["objects"]]})
    record = {"task": "clip", "seed": seed, "split": split_of(seed), "width": size,
              "height": size, "fps": clip["fps"], "fps_multiplier": clip["fps_multiplier"],
              "base_fps": clip["base_fps"], "sprites": clip["sprites"],
              "captions": clip["captions"], "frames": frames}
    return record, images


def build_3d_record(seed, size, views=4):
    rng = rng_for("3d", seed)
    scene = sample_scene3d(rng)
    cameras = sample_cameras(rng, views, size, size)
    stem = f"{seed:07d}"
    images, view_records = {}, []
    for k, camera in enumerate(cameras):
        image, depth, mask = render_view(scene, camera, size, size)
        names = {"image": f"{stem}_v{k}.png", "depth": f"{stem}_v{k}_depth.png",
                 "mask": f"{stem}_v{k}_mask.png"}
        images[names["image"]] = image
        images[names["depth"]] = np.rint(depth * DEPTH_SCALE).astype(np.uint16)
        images[names["mask"]] = mask
        view_records.append(dict(names, camera=camera))
    record = {"task": "3d", "seed": seed, "split": split_of(seed), "width": size, "height": size,
              "objects": scene["objects"], "background": scene["background"],
              "depth_scale": DEPTH_SCALE, "views": view_records}
    return record, images


def build(task, seed, size, occlusion=False, views=4):
    """(record, images) for one sample of a task."""
    if task in ("detect", "segment", "caption"):
        return build_scene_record(task, seed, size, occlusion)
    if task == "story":
        return build_story_record(seed, size)
    if task == "clip":
        return build_clip_record(seed, size)
    if task == "3d":
        return build_3d_record(seed, size, views)
    raise ValueError(f"unknown task {task!r}")
