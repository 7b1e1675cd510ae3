"""2D shape geometry: outlines, areas, bounding boxes and anti-aliased coverage maps.

A shape is described by its name, centre (cx, cy) in pixel coordinates, circumradius ``r`` and
rotation ``rot`` in radians, measured in image coordinates (x right, y down, so a positive angle
turns clockwise on screen). At rot = 0 the triangle and the star point up. Pixel (row i, column j) covers the square
[j, j+1) x [i, i+1), so its centre is (j + 0.5, i + 0.5).

Coverage (the fraction of a pixel inside the shape) is estimated by supersampling each pixel on a
regular ``ss`` x ``ss`` grid. The renderer and the judge's shape fitting both use this module, so
the judge compares an image with exactly the model that produced it.
"""

import math

import numpy as np

STAR_INNER_RATIO = 0.5  # inner radius of the five-pointed star relative to its outer radius
SUPERSAMPLE = 4


def polygon_vertices(shape, cx, cy, r, rot):
    """Vertices (n, 2) of a polygonal shape, or None for the circle."""
    if shape == "circle":
        return None
    if shape == "square":
        angles = rot + math.pi / 4 + np.arange(4) * (math.pi / 2)
        radii = np.full(4, r)
    elif shape == "triangle":
        angles = rot - math.pi / 2 + np.arange(3) * (2 * math.pi / 3)
        radii = np.full(3, r)
    elif shape == "hexagon":
        angles = rot + np.arange(6) * (math.pi / 3)
        radii = np.full(6, r)
    elif shape == "star":
        angles = rot - math.pi / 2 + np.arange(10) * (math.pi / 5)
        radii = np.where(np.arange(10) % 2 == 0, r, r * STAR_INNER_RATIO)
    else:
        raise ValueError(f"unknown shape {shape!r}")
    return np.stack([cx + radii * np.cos(angles), cy + radii * np.sin(angles)], axis=1)


def shape_area(shape, r):
    """Exact area of a shape with circumradius r."""
    if shape == "circle":
        return math.pi * r * r
    if shape == "star":
        return 5.0 * STAR_INNER_RATIO * r * r * math.sin(math.pi / 5)
    sides = {"square": 4, "triangle": 3, "hexagon": 6}[shape]
    return 0.5 * sides * r * r * math.sin(2 * math.pi / sides)


def rotational_period(shape):
    """Smallest rotation (radians) that maps the shape onto itself (0 for the circle)."""
    return {"circle": 0.0, "square": math.pi / 2, "triangle": 2 * math.pi / 3,
            "hexagon": math.pi / 3, "star": 2 * math.pi / 5}[shape]


def shape_box(shape, cx, cy, r, rot):
    """Tight axis-aligned bounding box (x1, y1, x2, y2) of the shape."""
    vertices = polygon_vertices(shape, cx, cy, r, rot)
    if vertices is None:
        return (cx - r, cy - r, cx + r, cy + r)
    return (float(vertices[:, 0].min()), float(vertices[:, 1].min()),
            float(vertices[:, 0].max()), float(vertices[:, 1].max()))


def inside(shape, px, py, cx, cy, r, rot):
    """Boolean array: which points (px, py) lie inside the shape (even-odd rule)."""
    if shape == "circle":
        return (px - cx) ** 2 + (py - cy) ** 2 <= r * r
    vertices = polygon_vertices(shape, cx, cy, r, rot)
    result = np.zeros(np.broadcast(px, py).shape, dtype=bool)
    x0, y0 = vertices[:, 0], vertices[:, 1]
    x1, y1 = np.roll(x0, -1), np.roll(y0, -1)
    for ax, ay, bx, by in zip(x0, y0, x1, y1):
        crosses = (ay > py) != (by > py)
        with np.errstate(divide="ignore", invalid="ignore"):
            x_at = ax + (py - ay) * (bx - ax) / (by - ay)
        result ^= crosses & (px < x_at)
    return result


def supersampled_coverage(predicate, box, height, width, ss=SUPERSAMPLE):
    """Coverage map (height, width) float32 of a point predicate, evaluated only inside ``box``.

    ``predicate(px, py)`` returns a boolean array for arrays of sample coordinates.
    """
    coverage = np.zeros((height, width), dtype=np.float32)
    x1, y1, x2, y2 = box
    j0, i0 = max(int(math.floor(x1)), 0), max(int(math.floor(y1)), 0)
    j1, i1 = min(int(math.ceil(x2)) + 1, width), min(int(math.ceil(y2)) + 1, height)
    if j0 >= j1 or i0 >= i1:
        return coverage
    offsets = (np.arange(ss) + 0.5) / ss
    xs = (np.arange(j0, j1)[:, None] + offsets[None, :]).reshape(-1)
    ys = (np.arange(i0, i1)[:, None] + offsets[None, :]).reshape(-1)
    hits = predicate(xs[None, :], ys[:, None]).astype(np.float32)
    hits = hits.reshape(i1 - i0, ss, j1 - j0, ss).mean(axis=(1, 3))
    coverage[i0:i1, j0:j1] = hits
    return coverage


def shape_coverage(shape, cx, cy, r, rot, height, width, ss=SUPERSAMPLE):
    """Anti-aliased coverage map of one shape on a height x width canvas."""
    box = shape_box(shape, cx, cy, r, rot)
    return supersampled_coverage(lambda px, py: inside(shape, px, py, cx, cy, r, rot),
                                 box, height, width, ss)


def stripe_coverage(shape, cx, cy, r, rot, stripe_angle, half_width, height, width,
                    ss=SUPERSAMPLE):
    """Coverage of a straight band through the shape's centre, clipped to the shape.

    The band is the set of points whose distance to the line through (cx, cy) at angle
    ``stripe_angle`` is at most ``half_width``. Used for the stories' hidden attribute.
    """
    nx, ny = -math.sin(stripe_angle), math.cos(stripe_angle)

    def predicate(px, py):
        in_band = np.abs((px - cx) * nx + (py - cy) * ny) <= half_width
        return in_band & inside(shape, px, py, cx, cy, r, rot)

    return supersampled_coverage(predicate, shape_box(shape, cx, cy, r, rot), height, width, ss)


def box_iou(a, b):
    """Intersection over union of two (x1, y1, x2, y2) boxes."""
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0
