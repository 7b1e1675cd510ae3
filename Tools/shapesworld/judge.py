"""The ShapesWorld judge: finds the objects in an image by classical image analysis.

Method (no trained model, fully deterministic):

1. **Background.** Fit a plane per colour channel (a + b*x + c*y) to the border pixels, then refit
   to every pixel that is close to the first fit. ShapesWorld backgrounds are plain or a gentle
   gradient with faint noise, so this models them well; blur/JPEG/colour shift change it smoothly.
2. **Foreground blobs.** Pixels far from the background model (RGB distance > 40) are foreground;
   8-connected components of them are candidate objects (ShapesWorld keeps objects >= 3 px apart
   unless occlusion is requested).
3. **Colour.** The blob's core pixels (the strongest 40% by distance from the background) are
   assigned to the nearest palette colour; the most frequent one is the object colour. The second
   most frequent, if it covers enough of the core, is reported as a secondary colour (the stories'
   hidden stripe).
4. **Coverage.** Each pixel's coverage alpha in [0, 1] is its projection onto the segment
   background -> measured object colour, which undoes anti-aliasing, blur and colour gain.
5. **Shape by analysis-by-synthesis.** For every shape, the radius follows from the total alpha
   (the shape's area), the centre from the alpha centroid, and the rotation from a coarse-to-fine
   search; the rendered coverage (``geometry.shape_coverage``, the renderer's own model, optionally
   blurred) is compared with alpha by sum of squared differences. The best shape wins, and its
   fitted outline gives a sub-pixel box.

``judge_image`` returns one dict per object: shape, class_id, colour, box, centre, radius,
rotation, fit error, and the secondary colour when present.
"""

import math

import numpy as np
from scipy.ndimage import distance_transform_edt, gaussian_filter, label

from classes import COLOURS, PALETTE, SHAPES, class_id
from geometry import (box_iou, inside, rotational_period, shape_area, shape_box,
                      supersampled_coverage)

FOREGROUND_DISTANCE = 40.0
REGION_MARGIN = 4.0      # pixels around a blob searched for its faint (blurred) edges
ALPHA_FLOOR = 0.08       # coverage below this is treated as background noise
CORE_FRACTION = 0.4
SECONDARY_MIN_FRACTION = 0.08
PALETTE_ARRAY = np.array([PALETTE[c] for c in COLOURS], dtype=np.float32)
TEMPLATE_BLURS = (0.0, 0.6, 1.0)


def fit_background(image):
    """(H, W, 3) float32 background model: per-channel plane, robustly refitted."""
    h, w, _ = image.shape
    ys, xs = np.mgrid[0:h, 0:w]
    design = np.stack([np.ones(h * w), (xs.ravel() + 0.5) / w - 0.5,
                       (ys.ravel() + 0.5) / h - 0.5], axis=1)
    pixels = image.reshape(-1, 3)
    border = np.zeros((h, w), dtype=bool)
    border[:2, :] = border[-2:, :] = border[:, :2] = border[:, -2:] = True
    chosen = border.ravel()
    for _ in range(3):
        coeffs, *_ = np.linalg.lstsq(design[chosen], pixels[chosen], rcond=None)
        model = design @ coeffs
        distance = np.linalg.norm(pixels - model, axis=1)
        if chosen.all():
            break
        # keep pixels that look like background; use the median so objects on the border do not
        # drag the fit
        chosen = distance < max(12.0, 3.0 * float(np.median(distance[chosen])))
    return model.reshape(h, w, 3).astype(np.float32)


def nearest_palette(colours):
    """Index into COLOURS of the nearest palette colour for each row of an (N, 3) array."""
    d = np.linalg.norm(colours[:, None, :] - PALETTE_ARRAY[None, :, :], axis=2)
    return np.argmin(d, axis=1)


# RGB -> YCbCr (BT.601), with the chroma rows down-weighted: JPEG keeps luma at full resolution
# but subsamples and coarsely quantises chroma, so edges are measured mostly from luma.
YCBCR = np.array([[0.299, 0.587, 0.114], [-0.1687, -0.3313, 0.5], [0.5, -0.4187, -0.0813]],
                 dtype=np.float32)
CHANNEL_WEIGHTS = np.array([1.0, 0.3, 0.3], dtype=np.float32)


def coverage_from_colours(image, background, colours):
    """Alpha per pixel: largest clipped projection of (pixel - bg) onto (colour - bg).

    The projection is taken in YCbCr with chroma down-weighted (see CHANNEL_WEIGHTS).
    """
    alpha = np.zeros(image.shape[:2], dtype=np.float32)
    delta = (image - background) @ YCBCR.T
    for colour in colours:
        direction = (colour[None, None, :] - background) @ YCBCR.T
        norm2 = np.maximum((direction ** 2 * CHANNEL_WEIGHTS).sum(axis=2), 1e-6)
        projection = (delta * direction * CHANNEL_WEIGHTS).sum(axis=2) / norm2
        alpha = np.maximum(alpha, np.clip(projection, 0.0, 1.0))
    return alpha


def template(shape, cx, cy, r, rot, h, w, ss, sigma):
    """Coverage of a shape in a (h, w) crop, optionally blurred by ``sigma``."""
    box = shape_box(shape, cx, cy, r, rot)
    cov = supersampled_coverage(lambda px, py: inside(shape, px, py, cx, cy, r, rot), box, h, w, ss)
    return gaussian_filter(cov, sigma, mode="constant") if sigma > 0 else cov


def fit_shape(alpha, shape):
    """Best (error, cx, cy, r, rot, sigma) of one shape to an alpha crop."""
    h, w = alpha.shape
    area = float(alpha.sum())
    ys, xs = np.mgrid[0:h, 0:w]
    cx = float((alpha * (xs + 0.5)).sum() / area)
    cy = float((alpha * (ys + 0.5)).sum() / area)
    r = math.sqrt(area / shape_area(shape, 1.0))
    period = rotational_period(shape)

    def error(rot, ss, sigma):
        return float(((template(shape, cx, cy, r, rot, h, w, ss, sigma) - alpha) ** 2).sum())

    if period == 0:
        candidates = [0.0]
    else:
        coarse = [period * k / 12 for k in range(12)]
        best = min(coarse, key=lambda a: error(a, 2, 0.6))
        step = period / 12
        candidates = [best + step * k / 4 for k in range(-4, 5)]
    results = []
    for sigma in TEMPLATE_BLURS:
        rot = min(candidates, key=lambda a: error(a, 4, sigma))
        results.append((error(rot, 4, sigma), cx, cy, r, rot % period if period else 0.0, sigma))
    return min(results)


def blob_colours(image, background, blob):
    """(main colour index, secondary colour index or None, measured RGB of each) for a blob."""
    distance = np.linalg.norm(image[blob] - background[blob], axis=1)
    threshold = np.quantile(distance, 1.0 - CORE_FRACTION)
    core = image[blob][distance >= threshold]
    labels = nearest_palette(core)
    counts = np.bincount(labels, minlength=len(COLOURS))
    order = np.argsort(-counts, kind="stable")
    main = int(order[0])
    measured = [core[labels == main].mean(axis=0)]
    secondary = None
    if counts[order[1]] >= SECONDARY_MIN_FRACTION * len(core):
        secondary = int(order[1])
        measured.append(core[labels == secondary].mean(axis=0))
    return main, secondary, measured


def judge_image(image, min_area=None, shapes=SHAPES):
    """List of objects found in a uint8 (H, W, 3) image, sorted left-to-right, top-to-bottom."""
    image = np.asarray(image)[:, :, :3].astype(np.float32)
    h, w, _ = image.shape
    background = fit_background(image)
    distance = np.linalg.norm(image - background, axis=2)
    foreground = distance > FOREGROUND_DISTANCE
    labels, count = label(foreground, structure=np.ones((3, 3), dtype=bool))
    min_area = min_area if min_area is not None else max(4, int(0.002 * h * w))
    # every pixel belongs to the region of its nearest blob, up to REGION_MARGIN pixels away
    gap, (near_i, near_j) = distance_transform_edt(labels == 0, return_indices=True)
    owner = np.where(gap <= REGION_MARGIN, labels[near_i, near_j], 0)
    objects = []
    for index in range(1, count + 1):
        blob = labels == index
        if blob.sum() < min_area:
            continue
        main, secondary, measured = blob_colours(image, background, blob)
        region = owner == index
        rows, cols = np.nonzero(region)
        i0, i1, j0, j1 = rows.min(), rows.max() + 1, cols.min(), cols.max() + 1
        alpha = coverage_from_colours(image[i0:i1, j0:j1], background[i0:i1, j0:j1], measured)
        alpha = np.where(region[i0:i1, j0:j1] & (alpha >= ALPHA_FLOOR), alpha, 0.0)
        if alpha.sum() < 2.0:
            continue
        fits = {shape: fit_shape(alpha, shape) for shape in shapes}
        shape = min(fits, key=lambda s: fits[s][0])
        err, cx, cy, r, rot, sigma = fits[shape]
        cx, cy = cx + j0, cy + i0
        obj = {"shape": shape, "class_id": class_id(shape), "colour": COLOURS[main],
               "box": [round(v, 3) for v in shape_box(shape, cx, cy, r, rot)],
               "cx": round(cx, 3), "cy": round(cy, 3), "r": round(r, 3), "rot": round(rot, 4),
               "fit_error": round(err / max(float(alpha.sum()), 1.0), 5), "blur": sigma,
               "secondary_colour": COLOURS[secondary] if secondary is not None else None}
        objects.append(obj)
    objects.sort(key=lambda o: (o["cx"], o["cy"]))
    return objects


def match_objects(truth, predicted, min_iou=0.3):
    """Greedy one-to-one matching by box IoU: list of (truth index, predicted index or None, iou)."""
    pairs = sorted(((box_iou(t["box"], p["box"]), i, j) for i, t in enumerate(truth)
                    for j, p in enumerate(predicted)), reverse=True)
    used_t, used_p, matched = set(), set(), {}
    for iou, i, j in pairs:
        if iou < min_iou or i in used_t or j in used_p:
            continue
        used_t.add(i)
        used_p.add(j)
        matched[i] = (j, iou)
    return [(i, *matched.get(i, (None, 0.0))) for i in range(len(truth))]
