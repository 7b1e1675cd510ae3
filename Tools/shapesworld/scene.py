"""Sampling and rendering of ShapesWorld scenes: a background plus flat-coloured 2D shapes.

A scene is a plain JSON-serialisable dict::

    {"width": W, "height": H,
     "background": {"colour": [r, g, b], "gradient": [[gx, gy] x3] | null, "noise": float, "noise_seed": int},
     "objects": [{"shape", "colour", "cx", "cy", "r", "rot", "stripe": null | {...}}, ...]}

Objects are drawn in list order (later ones on top). All randomness comes from the numpy
``Generator`` passed in, so a scene is a pure function of its seed; rendering is a pure function
of the scene dict.
"""

import math

import numpy as np

from classes import COLOURS, PALETTE, SHAPES, class_id
from geometry import shape_box, shape_coverage, stripe_coverage

MIN_RADIUS_FRACTION = 0.11   # circumradius range as a fraction of the canvas side
MAX_RADIUS_FRACTION = 0.19
MIN_BACKGROUND_DISTANCE = 100.0  # RGB distance between the background and every palette colour
# Smallest circumradius in pixels, whatever the canvas (9 px across). Binding only below a 41 px
# canvas (0.11 x 41 = 4.5), i.e. at 32 px, where 0.11 x 32 = 3.5 px and squeezed objects went
# down to 2.6 px: after the judge's degradations (blur sigma up to 1 px, JPEG) a hexagon, circle
# or square of circumradius under ~4.2 px is explained as well by another shape as by its own
# (README "Judge", EVALS.md). 64 and 128 px scenes are unchanged.
MIN_RADIUS_PIXELS = 4.5


def sample_background(rng, textured=None):
    """A muted, dark background: plain, or lightly textured (gradient plus faint noise)."""
    while True:
        level = rng.uniform(20, 60)
        colour = np.clip(level + rng.uniform(-10, 10, size=3), 0, 255)
        if all(np.linalg.norm(colour - np.array(PALETTE[c])) >= MIN_BACKGROUND_DISTANCE
               for c in COLOURS):
            break
    if textured is None:
        textured = bool(rng.random() < 0.5)
    background = {"colour": [round(float(v), 2) for v in colour], "gradient": None,
                  "noise": 0.0, "noise_seed": int(rng.integers(0, 2**31 - 1))}
    if textured:
        # total change across the canvas of at most +-10 levels per channel, plus faint noise
        background["gradient"] = [[round(float(v), 2) for v in rng.uniform(-10, 10, size=2)]
                                  for _ in range(3)]
        background["noise"] = round(float(rng.uniform(1.0, 3.0)), 2)
    return background


def render_background(background, width, height):
    """Float32 (H, W, 3) image of the background."""
    image = np.empty((height, width, 3), dtype=np.float32)
    image[:] = np.array(background["colour"], dtype=np.float32)
    if background["gradient"] is not None:
        u = (np.arange(width, dtype=np.float32) + 0.5) / width - 0.5
        v = (np.arange(height, dtype=np.float32) + 0.5) / height - 0.5
        for channel, (gx, gy) in enumerate(background["gradient"]):
            image[:, :, channel] += gx * u[None, :] + gy * v[:, None]
    if background["noise"] > 0:
        noise_rng = np.random.default_rng(background["noise_seed"])
        image += noise_rng.normal(0.0, background["noise"], size=image.shape).astype(np.float32)
    return image


def make_object(shape, colour, cx, cy, r, rot=0.0, stripe=None):
    """An object record with its derived annotation fields (class id and box)."""
    return {"shape": shape, "colour": colour, "class_id": class_id(shape),
            "cx": round(float(cx), 3), "cy": round(float(cy), 3), "r": round(float(r), 3),
            "rot": round(float(rot), 4), "stripe": stripe,
            "box": [round(v, 3) for v in shape_box(shape, cx, cy, r, rot)]}


def sample_radius(rng, size, count, min_radius_pixels=MIN_RADIUS_PIXELS):
    """Circumradius for one of ``count`` objects on a square canvas of side ``size``."""
    crowding = min(1.0, math.sqrt(3.0 / max(count, 1)))
    low = max(size * MIN_RADIUS_FRACTION, min_radius_pixels)
    high = max(low, size * MAX_RADIUS_FRACTION * max(crowding, 0.75))
    return rng.uniform(low, high)


def place_centre(rng, r, size, placed, gap, occlusion, region=None):
    """Rejection-sample a centre for a radius-r object; None if nothing fits after 200 tries.

    Without occlusion, circumscribed circles keep ``gap`` pixels apart. With occlusion, objects
    may overlap but centres stay at least 0.6 x (r1 + r2) apart so every object stays visible.
    ``region`` optionally restricts the centre to (x1, y1, x2, y2).
    """
    margin = r + 1.0
    x_lo, y_lo, x_hi, y_hi = margin, margin, size - margin, size - margin
    if region is not None:
        x_lo, y_lo = max(x_lo, region[0]), max(y_lo, region[1])
        x_hi, y_hi = min(x_hi, region[2]), min(y_hi, region[3])
    if x_lo > x_hi or y_lo > y_hi:
        return None
    for _ in range(200):
        cx, cy = rng.uniform(x_lo, x_hi), rng.uniform(y_lo, y_hi)
        ok = True
        for other in placed:
            distance = math.hypot(cx - other["cx"], cy - other["cy"])
            needed = (0.6 * (r + other["r"])) if occlusion else (r + other["r"] + gap)
            if distance < needed:
                ok = False
                break
        if ok:
            return cx, cy
    return None


def min_gap(size):
    """Pixels kept free between non-overlapping objects (so blur cannot merge them)."""
    return max(3.0, 0.05 * size)


def sample_objects(rng, size, count, occlusion=False, shapes=SHAPES, colours=COLOURS,
                   min_radius_pixels=MIN_RADIUS_PIXELS):
    """Sample ``count`` objects with random shape, colour, size, rotation and position.

    ``min_radius_pixels`` = 0 gives the generator without the pixel floor (for the judge's
    size study only; datasets use the default).
    """
    objects = []
    for _ in range(count):
        shape = shapes[int(rng.integers(len(shapes)))]
        colour = colours[int(rng.integers(len(colours)))]
        if occlusion and objects:
            # overlapping neighbours must differ in colour, or they would merge into one blob
            choices = [c for c in colours if c not in {o["colour"] for o in objects}] or colours
            colour = choices[int(rng.integers(len(choices)))]
        r = sample_radius(rng, size, count, min_radius_pixels)
        rot = rng.uniform(0, 2 * math.pi)
        centre = None
        while centre is None:
            centre = place_centre(rng, r, size, objects, min_gap(size), occlusion)
            if centre is None:
                r *= 0.9
                if r < max(0.08 * size, min_radius_pixels):
                    break
        if centre is None:
            break  # the canvas is full; keep the objects placed so far
        objects.append(make_object(shape, colour, centre[0], centre[1], r, rot))
    return objects


def sample_scene(rng, size, min_objects=1, max_objects=6, occlusion=False, textured=None,
                 min_radius_pixels=MIN_RADIUS_PIXELS):
    """A random scene on a size x size canvas."""
    background = sample_background(rng, textured)
    count = int(rng.integers(min_objects, max_objects + 1))
    objects = sample_objects(rng, size, count, occlusion, min_radius_pixels=min_radius_pixels)
    return {"width": size, "height": size, "background": background, "objects": objects}


def object_coverages(scene):
    """Per-object anti-aliased coverage maps, each (H, W) float32, in drawing order."""
    h, w = scene["height"], scene["width"]
    return [shape_coverage(o["shape"], o["cx"], o["cy"], o["r"], o["rot"], h, w)
            for o in scene["objects"]]


def render_scene(scene):
    """The scene as a uint8 (H, W, 3) RGB image (alpha-composited, anti-aliased edges)."""
    h, w = scene["height"], scene["width"]
    image = render_background(scene["background"], w, h)
    for obj, coverage in zip(scene["objects"], object_coverages(scene)):
        a = coverage[:, :, None]
        image = image * (1 - a) + np.array(PALETTE[obj["colour"]], dtype=np.float32) * a
        stripe = obj.get("stripe")
        if stripe:
            s = stripe_coverage(obj["shape"], obj["cx"], obj["cy"], obj["r"], obj["rot"],
                                stripe["angle"], stripe["half_width"], h, w)[:, :, None]
            image = image * (1 - s) + np.array(PALETTE[stripe["colour"]], dtype=np.float32) * s
    return np.clip(np.rint(image), 0, 255).astype(np.uint8)


def visible_coverages(scene):
    """(K+1, H, W): visible coverage of the background (index 0) and of each object."""
    coverages = object_coverages(scene)
    h, w = scene["height"], scene["width"]
    visible = np.zeros((len(coverages) + 1, h, w), dtype=np.float32)
    remaining = np.ones((h, w), dtype=np.float32)
    for k in range(len(coverages) - 1, -1, -1):  # top-most first
        visible[k + 1] = coverages[k] * remaining
        remaining = remaining * (1 - coverages[k])
    visible[0] = remaining
    return visible


def scene_masks(scene):
    """Semantic mask (class ids) and instance mask (0 = background, k = k-th object, 1-based).

    Each pixel goes to whatever covers most of it: the background or the object whose visible
    coverage (after occlusion by later objects) is largest.
    """
    instance = np.argmax(visible_coverages(scene), axis=0).astype(np.uint8)
    lookup = np.array([0] + [o["class_id"] for o in scene["objects"]], dtype=np.uint8)
    return lookup[instance], instance
