"""The canonical ShapesWorld vocabulary: class ids, shape names, colour names and RGB values.

Everything that writes or reads class ids (semantic masks, annotations, the judge, the eval
harness, and later the Swift detection/segmentation code) uses this one table, so an id means the
same thing everywhere. Background is id 0; shapes follow in the fixed order of ``SHAPES``.
Never reorder these tuples: append new entries at the end so existing ids stay valid.
"""

BACKGROUND_ID = 0

SHAPES = ("circle", "square", "triangle", "star", "hexagon")

# class id of each shape: 1..len(SHAPES); background is 0.
CLASS_IDS = {name: index + 1 for index, name in enumerate(SHAPES)}
CLASS_NAMES = ("background",) + SHAPES

COLOURS = ("red", "green", "blue", "yellow", "purple", "orange", "white")

# Object colours as rendered (sRGB, 0..255). Chosen far apart (pairwise distance >= 77) so a
# +-10% per-channel shift cannot move one colour onto another, and all far from the muted,
# dark backgrounds that ``scene.sample_background`` draws.
PALETTE = {
    "red": (220, 40, 40),
    "green": (40, 185, 60),
    "blue": (60, 100, 235),
    "yellow": (240, 215, 40),
    "purple": (150, 60, 200),
    "orange": (250, 140, 25),
    "white": (245, 245, 245),
}

SHAPES_3D = ("sphere", "cube", "cylinder")


def class_id(shape: str) -> int:
    """Class id of a shape name (raises KeyError for unknown names)."""
    return CLASS_IDS[shape]


def class_name(class_id_: int) -> str:
    """Name for a class id; 0 is 'background'."""
    return CLASS_NAMES[class_id_]
