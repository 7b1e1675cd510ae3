"""Stories: 4-5 frames of one named protagonist acting among static distractors.

The protagonist has a per-story *hidden attribute* (a stripe of a secondary colour across the
shape, at a per-story angle) that is drawn in every frame but never named in any caption, so a
story model can only keep it consistent by looking at earlier frames (AR-LDM's history).
Frame 0 introduces the protagonist by name; later captions describe one action each and refer to
the protagonist by name or pronoun. Actions: move left/right/up/down, grow, shrink, jump (a jump
frame shows the protagonist lifted; the next frame starts from where it jumped).
"""

import math

from captions import story_captions
from classes import COLOURS, SHAPES
from languages import ACTIONS, LANGUAGES, NAMES
from scene import make_object, min_gap, place_centre, sample_background

STEP_FRACTION = 0.18      # move distance as a fraction of the canvas side
JUMP_FRACTION = 0.22
GROW_FACTOR = 1.25
RADIUS_RANGE = (0.12, 0.24)  # protagonist circumradius limits, fraction of the canvas side
STRIPE_HALF_WIDTH = 0.2      # fraction of the protagonist's radius


def _apply(action, cx, cy, r, size):
    """Protagonist (cx, cy, r) after an action (jump handled by the caller)."""
    step = STEP_FRACTION * size
    if action == "move_left":
        return cx - step, cy, r
    if action == "move_right":
        return cx + step, cy, r
    if action == "move_up":
        return cx, cy - step, r
    if action == "move_down":
        return cx, cy + step, r
    if action == "grow":
        return cx, cy, r * GROW_FACTOR
    if action == "shrink":
        return cx, cy, r / GROW_FACTOR
    if action == "jump":
        return cx, cy - JUMP_FRACTION * size, r
    raise ValueError(action)


def _fits(cx, cy, r, size, distractors):
    if not (RADIUS_RANGE[0] * size - 1e-6 <= r <= RADIUS_RANGE[1] * size + 1e-6):
        return False
    if cx - r < 1 or cy - r < 1 or cx + r > size - 1 or cy + r > size - 1:
        return False
    return all(math.hypot(cx - d["cx"], cy - d["cy"]) >= r + d["r"] + min_gap(size)
               for d in distractors)


def sample_story(rng, size=64, frames=None, languages=LANGUAGES):
    """A story dict: protagonist, hidden attribute, distractors, actions and per-frame scenes."""
    n_frames = int(frames or rng.choice([4, 5]))
    names = sorted(NAMES)
    name = names[int(rng.integers(len(names)))]
    shape = SHAPES[int(rng.integers(len(SHAPES)))]
    colour = COLOURS[int(rng.integers(len(COLOURS)))]
    hidden_colour = [c for c in COLOURS if c != colour][int(rng.integers(len(COLOURS) - 1))]
    stripe_angle = float(rng.choice([0.0, math.pi / 4, math.pi / 2, 3 * math.pi / 4]))
    rot = float(rng.uniform(0, 2 * math.pi))
    background = sample_background(rng)

    while True:  # protagonist start, then distractors that leave it room to move
        r = float(rng.uniform(0.15, 0.19) * size)
        cx, cy = (float(v) for v in rng.uniform(0.3 * size, 0.7 * size, size=2))
        distractors = []
        for _ in range(int(rng.integers(1, 3))):
            d_shape, d_colour = shape, colour
            while (d_shape, d_colour) == (shape, colour):
                d_shape = SHAPES[int(rng.integers(len(SHAPES)))]
                d_colour = COLOURS[int(rng.integers(len(COLOURS)))]
            d_r = float(rng.uniform(0.1, 0.14) * size)
            centre = place_centre(rng, d_r, size, distractors + [{"cx": cx, "cy": cy, "r": r}],
                                  min_gap(size) + STEP_FRACTION * size, False)
            if centre is not None:
                distractors.append(make_object(d_shape, d_colour, *centre, d_r,
                                               rng.uniform(0, 2 * math.pi)))
        if distractors and _fits(cx, cy, r, size, distractors):
            break

    actions, subjects, states = [], [], [(cx, cy, r)]
    for _ in range(n_frames - 1):
        valid = [a for a in ACTIONS if _fits(*_apply(a, cx, cy, r, size), size, distractors)]
        action = valid[int(rng.integers(len(valid)))] if valid else "jump"
        shown = _apply(action, cx, cy, r, size)
        if action != "jump":
            cx, cy, r = shown
        actions.append(action)
        subjects.append("name" if rng.random() < 0.5 else "pronoun")
        states.append(shown)

    stripe = {"colour": hidden_colour, "angle": round(stripe_angle, 4),
              "half_width": None}
    frame_scenes = []
    for fx, fy, fr in states:
        protagonist = make_object(shape, colour, fx, fy, fr, rot,
                                  dict(stripe, half_width=round(STRIPE_HALF_WIDTH * fr, 3)))
        protagonist.update(role="protagonist", name=name)
        others = [dict(d, role="distractor") for d in distractors]
        frame_scenes.append({"width": size, "height": size, "background": background,
                             "objects": others + [protagonist]})
    captions = {lang: story_captions(lang, name, colour, shape, actions, subjects)
                for lang in languages}
    return {"name": name, "protagonist": {"shape": shape, "colour": colour},
            "hidden_attribute": {"kind": "stripe", "colour": hidden_colour,
                                 "angle": round(stripe_angle, 4)},
            "actions": actions, "subjects": subjects, "frames": frame_scenes,
            "captions": [{lang: captions[lang][k] for lang in languages}
                         for k in range(n_frames)]}
