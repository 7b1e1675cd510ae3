"""Clips: 8 or 16 frames of one or two sprites moving at constant velocity and bouncing.

Motion is simulated exactly (closed form): each coordinate follows a triangle wave between the
walls, so a sprite reflects off the canvas edge without any time-step error. A clip is sampled
from that motion at ``fps = fps_multiplier * BASE_FPS`` with ``fps_multiplier`` in {1, 2, 3}:
the same sprite speed (pixels per second) then moves 1/2 or 1/3 as far between frames at 2x or
3x the rate, which is what a video model's fps conditioning must learn.
"""

import math

from captions import clip_caption
from classes import COLOURS, SHAPES
from languages import DIRECTIONS, LANGUAGES
from scene import make_object, sample_background

BASE_FPS = 4.0
FPS_MULTIPLIERS = (1, 2, 3)
SPEED_FRACTION = (0.25, 0.45)   # sprite speed, canvas sides per second
RADIUS_FRACTION = (0.1, 0.15)
UNIT = {"left": (-1, 0), "right": (1, 0), "up": (0, -1), "down": (0, 1)}


def bounce(start, velocity, time, low, high):
    """Position and direction (+1/-1) at ``time`` of a point bouncing between low and high.

    The unfolded coordinate s = start - low + velocity * time moves freely; the position is the
    triangle wave of s with period 2 * (high - low), and the direction is the sign of velocity
    times the slope of that wave.
    """
    span = high - low
    heading = 1.0 if velocity >= 0 else -1.0
    if span <= 0 or velocity == 0:
        return start, heading
    u = (start - low + velocity * time) % (2 * span)
    if u <= span:
        return low + u, heading
    return low + 2 * span - u, -heading


def sprite_state(sprite, time, size):
    """(cx, cy, vx, vy) of a sprite at ``time`` seconds on a size x size canvas."""
    lo, hi = sprite["r"] + 1.0, size - sprite["r"] - 1.0
    x, sx = bounce(sprite["x0"], sprite["vx"], time, lo, hi)
    y, sy = bounce(sprite["y0"], sprite["vy"], time, lo, hi)
    return x, y, abs(sprite["vx"]) * sx, abs(sprite["vy"]) * sy


def sample_clip(rng, size=64, frames=None, fps_multiplier=None, sprites=None,
                languages=LANGUAGES):
    """A clip dict: sprites (initial state, velocity), fps, per-frame scenes and one caption."""
    n_frames = int(frames or rng.choice([8, 16]))
    multiplier = int(fps_multiplier or rng.choice(FPS_MULTIPLIERS))
    n_sprites = int(sprites or rng.integers(1, 3))
    fps = BASE_FPS * multiplier
    background = sample_background(rng)
    sprite_list = []
    for k in range(n_sprites):
        shape = SHAPES[int(rng.integers(len(SHAPES)))]
        colour = COLOURS[int(rng.integers(len(COLOURS)))]
        while any(s["colour"] == colour for s in sprite_list):  # keep identities apart
            colour = COLOURS[int(rng.integers(len(COLOURS)))]
        direction = DIRECTIONS[int(rng.integers(len(DIRECTIONS)))]
        speed = float(rng.uniform(*SPEED_FRACTION)) * size
        r = float(rng.uniform(*RADIUS_FRACTION)) * size
        x0, y0 = (float(v) for v in rng.uniform(r + 1, size - r - 1, size=2))
        ux, uy = UNIT[direction]
        # start far enough from the wall ahead that the first half of the clip moves in the
        # captioned direction (when the canvas allows it)
        lo, hi = r + 1, size - r - 1
        run = min(speed * (n_frames / 2) / fps, hi - lo)
        start = float(rng.uniform(lo + run, hi)) if (ux < 0 or uy < 0) else float(rng.uniform(lo, hi - run))
        if ux:
            x0 = start
        else:
            y0 = start
        sprite_list.append({"shape": shape, "colour": colour, "direction": direction,
                            "r": round(r, 3), "x0": round(x0, 3), "y0": round(y0, 3),
                            "vx": round(ux * speed, 3), "vy": round(uy * speed, 3),
                            "rot": round(float(rng.uniform(0, 2 * math.pi)), 4)})
    frame_scenes = []
    for index in range(n_frames):
        time = index / fps
        objects = []
        for sprite in sprite_list:
            x, y, vx, vy = sprite_state(sprite, time, size)
            obj = make_object(sprite["shape"], sprite["colour"], x, y, sprite["r"], sprite["rot"])
            obj.update(vx=round(vx, 3), vy=round(vy, 3))
            objects.append(obj)
        frame_scenes.append({"width": size, "height": size, "background": background,
                             "objects": objects, "time": round(time, 4)})
    described = [(s["colour"], s["shape"], s["direction"]) for s in sprite_list]
    return {"fps": fps, "fps_multiplier": multiplier, "base_fps": BASE_FPS,
            "sprites": sprite_list, "frames": frame_scenes,
            "captions": {lang: clip_caption(lang, described) for lang in languages}}
