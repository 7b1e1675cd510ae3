"""The ShapesWorld judge: finds the objects in an image by classical image analysis.

Method (no trained model, fully deterministic):

1. **Background.** Fit a plane per colour channel (a + b*x + c*y) to the border pixels, then refit
   to every pixel that is close to the first fit. ShapesWorld backgrounds are plain or a gentle
   gradient with faint noise, so this models them well; blur/JPEG/colour shift change it smoothly.
2. **Foreground blobs.** Pixels far from the background model (RGB distance > 40) are foreground;
   8-connected components of them are candidate objects (ShapesWorld keeps objects >= 3 px apart
   unless occlusion is requested).
3. **Colour.** Each blob pixel is explained as a blend a*C + (1-a)*B of a palette colour C and
   the local background B (so anti-aliased or blurred rims are not mistaken for a darker palette
   colour); the colour with the smallest residual labels the pixel. Among pixels with a >= 0.5 the
   most frequent colour is the object colour; the next one, if it covers >= 8% of them, is
   reported as a secondary colour (the stories' hidden stripe).
4. **Coverage.** Every pixel within 4 px of a blob (and nearer to it than to any other blob) gets
   a coverage alpha in [0, 1]: its projection onto the segment background -> measured object
   colour, taken in YCbCr with chroma down-weighted because JPEG subsamples chroma. This undoes
   anti-aliasing, blur and colour gain; values under 0.08 are treated as noise.
5. **Shape by analysis-by-synthesis.** For every shape, the radius follows from the total alpha
   (the shape's area), the centre from the alpha centroid, and the rotation from a coarse-to-fine
   search; the rendered coverage (``geometry.shape_coverage``, the renderer's own model, optionally
   blurred) is compared with alpha by sum of squared differences. The best shape wins; its radius
   is then refitted directly (robust to JPEG halos that inflate the area), and the fitted outline
   gives a sub-pixel box.
6. **Small objects** (alpha area below that of a circle of radius ``SMALL_RADIUS`` = 4.4 px, i.e.
   objects about 9-11 px across, as on 32 px canvases). Blur and JPEG change such an object's
   apparent area and outline as much as its shape does, and hardly any pixel is fully covered, so
   the measured colour is a dim blend and the alpha map comes out too bright. Here alpha is not
   clipped at 1, every shape is compared with a free contrast gain after its own radius, template
   blur, rotation and centre have been fitted (``fit_small_shape``), and the colour is decided
   from the blob's summed colour excess over the background (``integrated_colour``): JPEG's 2x2
   chroma averaging mixes an orange rim with the background into a dim yellow pixel by pixel,
   but keeps the sum.

``judge_image`` returns one dict per object: shape, class_id, colour, box, centre, radius,
rotation, fit error (squared error per unit area), template blur, and the secondary colour.
``judge_frames`` does the same for the frames of a story or clip and tracks the protagonist.
Overlapping objects (the generator's optional occlusion) merge into one blob and are not
separated: the accuracy thresholds are measured on ShapesWorld's default, non-overlapping scenes.
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


# RGB -> YCbCr (BT.601), with the chroma rows down-weighted: JPEG keeps luma at full resolution
# but subsamples and coarsely quantises chroma, so edges are measured mostly from luma.
YCBCR = np.array([[0.299, 0.587, 0.114], [-0.1687, -0.3313, 0.5], [0.5, -0.4187, -0.0813]],
                 dtype=np.float32)
CHANNEL_WEIGHTS = np.array([1.0, 0.3, 0.3], dtype=np.float32)


def coverage_from_colours(image, background, colours, ceiling=1.0):
    """Alpha per pixel: largest projection of (pixel - bg) onto (colour - bg), clipped to [0, ceiling].

    The projection is taken in YCbCr with chroma down-weighted (see CHANNEL_WEIGHTS).
    """
    alpha = np.zeros(image.shape[:2], dtype=np.float32)
    delta = (image - background) @ YCBCR.T
    for colour in colours:
        direction = (colour[None, None, :] - background) @ YCBCR.T
        norm2 = np.maximum((direction ** 2 * CHANNEL_WEIGHTS).sum(axis=2), 1e-6)
        projection = (delta * direction * CHANNEL_WEIGHTS).sum(axis=2) / norm2
        alpha = np.maximum(alpha, np.clip(projection, 0.0, ceiling))
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


SMALL_RADIUS = 4.4       # px: objects whose alpha area is that of a smaller circle get the thorough fit
SMALL_BLURS = (0.0, 0.35, 0.7, 1.0, 1.3)
SMALL_RADIUS_FACTORS = (0.86, 0.9, 0.94, 0.98, 1.02, 1.06)
SMALL_GAIN_RANGE = (0.7, 1.5)  # contrast of the alpha map relative to the measured colour
SMALL_ALPHA_CEILING = 1.5
SMALL_SEARCH_ROUNDS = 3


def fit_small_shape(alpha, shape):
    """Best (error, cx, cy, r, rot, sigma) of one shape to the alpha crop of a small object.

    Below about 11 px across, blur of up to 1 px and JPEG blocks change the apparent area and
    outline as much as the shape does, so every candidate shape gets its own radius, template
    blur, rotation and centre (coordinate descent) before the shapes are compared; otherwise
    a star whose points are blurred away is compared at its area radius only and loses to a
    circle or hexagon.
    """
    h, w = alpha.shape
    area = float(alpha.sum())
    ys, xs = np.mgrid[0:h, 0:w]
    cx = float((alpha * (xs + 0.5)).sum() / area)
    cy = float((alpha * (ys + 0.5)).sum() / area)
    r0 = math.sqrt(area / shape_area(shape, 1.0))
    period = rotational_period(shape)

    def error(cx_, cy_, r, rot, sigma, ss=4):
        model = template(shape, cx_, cy_, r, rot, h, w, ss, sigma)
        gain = float((model * alpha).sum() / max(float((model * model).sum()), 1e-6))
        gain = min(max(gain, SMALL_GAIN_RANGE[0]), SMALL_GAIN_RANGE[1])
        return float(((gain * model - alpha) ** 2).sum())

    rot, r, sigma = 0.0, r0, 0.7
    if period:
        coarse = [period * k / 12 for k in range(12)]
        rot = min(coarse, key=lambda a: error(cx, cy, r, a, sigma, 2))
        step = period / 12
        rot = min((rot + step * k / 4 for k in range(-4, 5)), key=lambda a: error(cx, cy, r, a, sigma))
    best = min((error(cx, cy, r0 * f, rot, s), r0 * f, s)
               for f in SMALL_RADIUS_FACTORS for s in SMALL_BLURS)
    err, r, sigma = best
    if period:
        step = period / 48
        err, rot = min((error(cx, cy, r, rot + step * k, sigma), rot + step * k) for k in (-2, -1, 0, 1, 2))
    # pattern search on all five parameters, halving the steps each round
    params = [cx, cy, r, rot, sigma]
    steps = [0.25, 0.25, 0.04 * r0, period / 48, 0.2]
    for _ in range(SMALL_SEARCH_ROUNDS):
        for k, step in enumerate(steps):
            if step == 0:
                continue
            for sign in (1, -1):
                trial_params = list(params)
                trial_params[k] += sign * step
                if k == 4 and trial_params[4] < 0:
                    continue
                trial = error(*trial_params)
                if trial < err:
                    err, params = trial, trial_params
                    break
        steps = [s / 2 for s in steps]
    cx, cy, r, rot, sigma = params
    return err, cx, cy, r, rot % period if period else 0.0, sigma


def integrated_colour(image, background, region, shape, cx, cy, r, rot, candidates):
    """Palette index of a small object's colour from its summed colour excess over the background.

    Blur, and JPEG's averaging of chroma over 2x2 pixels, move colour between neighbouring
    pixels but keep its sum: sum(pixel - bg) over the region = area x (colour - bg). On an
    object under ~11 px across most pixels are rims whose chroma JPEG has mixed with the
    background (an orange rim reads as a dim yellow), so the sum is the robust measurement. The
    area is that of the fitted outline; the palette colour nearest to the estimate, after each
    channel is allowed its +-10% gain, wins among ``candidates`` (palette indices).
    """
    h, w = region.shape
    coverage = supersampled_coverage(lambda px, py: inside(shape, px, py, cx, cy, r, rot),
                                     shape_box(shape, cx, cy, r, rot), h, w)
    area = max(float(coverage.sum()), 1.0)
    excess = (image[region] - background[region]).sum(axis=0)
    estimate = (background * coverage[:, :, None]).sum(axis=(0, 1)) / area + excess / area
    candidates = list(candidates)
    palette = PALETTE_ARRAY[candidates]
    gains = np.clip(estimate[None, :] / np.maximum(palette, 1.0), 0.9, 1.1)
    return candidates[int(np.argmin(np.linalg.norm(estimate[None, :] - gains * palette, axis=1)))]


def refine_radius(alpha, shape, cx, cy, r, rot):
    """Radius (and template blur) minimising the squared error, around the area-based estimate.

    The area estimate (sum of alpha) is inflated by faint halos such as JPEG ringing around
    high-contrast edges; a direct fit of the radius is much less sensitive to them.
    """
    h, w = alpha.shape
    best = None
    for factor in np.linspace(0.84, 1.08, 13):
        for sigma in TEMPLATE_BLURS:
            err = float(((template(shape, cx, cy, r * factor, rot, h, w, 4, sigma) - alpha) ** 2).sum())
            if best is None or err < best[0]:
                best = (err, r * factor, sigma)
    return best


def palette_blend_labels(pixels, backgrounds):
    """Nearest palette colour of each pixel, allowing a blend with its background.

    A rim pixel of a yellow shape is a mix of yellow and the dark background, which in plain RGB
    distance can sit closer to orange. Here every pixel is explained as a*C + (1-a)*B for each
    palette colour C (a in [0, 1]); the colour with the smallest residual wins.
    Returns (labels, blend fraction a of the winning colour).
    """
    delta = pixels - backgrounds                                      # (N, 3)
    directions = PALETTE_ARRAY[None, :, :] - backgrounds[:, None, :]  # (N, K, 3)
    norm2 = np.maximum((directions ** 2).sum(axis=2), 1e-6)
    blend = np.clip((delta[:, None, :] * directions).sum(axis=2) / norm2, 0.0, 1.0)
    residual = np.linalg.norm(delta[:, None, :] - blend[:, :, None] * directions, axis=2)
    labels = np.argmin(residual, axis=1)
    return labels, blend[np.arange(len(labels)), labels]


def blob_colours(image, background, blob):
    """(main colour index, secondary colour index or None, measured RGB of each) for a blob.

    Pixels are labelled with ``palette_blend_labels``; only those at least half covered count.
    The most frequent colour is the main one; the next one counts as a secondary colour if it
    covers at least SECONDARY_MIN_FRACTION of them. Each colour's RGB is measured on its nearly
    fully covered pixels (blend >= 0.85, which tolerates a 10% colour shift).
    """
    pixels, backgrounds = image[blob], background[blob]
    labels, blend = palette_blend_labels(pixels, backgrounds)
    solid = blend >= 0.5
    if solid.sum() < 3:
        solid = np.ones_like(solid)
    counts = np.bincount(labels[solid], minlength=len(COLOURS))
    order = np.argsort(-counts, kind="stable")

    def measured_colour(index):
        mine = labels == index
        core = mine & (blend >= 0.85)
        if core.sum() == 0:
            core = mine & (blend >= np.quantile(blend[mine], 0.6))
        return pixels[core].mean(axis=0)

    main = int(order[0])
    measured = [measured_colour(main)]
    secondary = None
    if counts[order[1]] >= SECONDARY_MIN_FRACTION * solid.sum():
        secondary = int(order[1])
        measured.append(measured_colour(secondary))
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
        small = math.sqrt(float(alpha.sum()) / math.pi) < SMALL_RADIUS
        if small and secondary is None:
            # (a second colour, e.g. a white stripe on blue, projects beyond 1 onto the main
            # colour and would show as a bright bump, so two-colour objects stay clipped at 1)
            alpha = coverage_from_colours(image[i0:i1, j0:j1], background[i0:i1, j0:j1], measured,
                                          SMALL_ALPHA_CEILING)
            alpha = np.where(region[i0:i1, j0:j1] & (alpha >= ALPHA_FLOOR), alpha, 0.0)
        fitter = fit_small_shape if small else fit_shape
        fits = {shape: fitter(alpha, shape) for shape in shapes}
        shape = min(fits, key=lambda s: fits[s][0])
        err, cx, cy, r, rot, sigma = fits[shape]
        if not small:
            err, r, sigma = refine_radius(alpha, shape, cx, cy, r, rot)
        else:
            # the labels' two candidates (or the whole palette when there is one) decided by the
            # summed colour; a striped object's sum stays nearest its main colour (larger area)
            candidates = [main, secondary] if secondary is not None else range(len(COLOURS))
            chosen = integrated_colour(image[i0:i1, j0:j1], background[i0:i1, j0:j1],
                                       region[i0:i1, j0:j1], shape, cx, cy, r, rot, candidates)
            if secondary is not None and chosen == secondary:
                main, secondary = secondary, main
            main = chosen
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


def judge_frames(frames, protagonist=None):
    """Objects per frame of a story or clip, and the protagonist's track.

    ``protagonist`` is {"shape", "colour"}; when omitted, frame 0's object with a secondary colour
    (the hidden stripe) is taken, else frame 0's largest object. In each frame the protagonist is
    the object of that shape and colour nearest to its previous position (None where absent).
    Returns {"frames": [[objects]], "protagonist": {...}, "track": [object or None]}.
    """
    judged = [judge_image(frame) for frame in frames]
    if protagonist is None:
        first = judged[0]
        striped = [o for o in first if o["secondary_colour"]]
        pick = max(striped or first, key=lambda o: o["r"]) if first else None
        protagonist = {"shape": pick["shape"], "colour": pick["colour"]} if pick else {}
    track, previous = [], None
    for objects in judged:
        candidates = [o for o in objects if o["shape"] == protagonist.get("shape")
                      and o["colour"] == protagonist.get("colour")]
        if not candidates:
            track.append(None)
            continue
        if previous is not None:
            chosen = min(candidates, key=lambda o: math.hypot(o["cx"] - previous["cx"],
                                                              o["cy"] - previous["cy"]))
        else:
            chosen = max(candidates, key=lambda o: o["r"])
        track.append(chosen)
        previous = chosen
    return {"frames": judged, "protagonist": protagonist, "track": track}
