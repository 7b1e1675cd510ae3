"""3D scenes: one or two primitives (sphere, cube, cylinder) ray-cast analytically.

World frame: y is up, primitives rest on the plane y = 0 (the plane itself is not drawn; the
background is a constant colour). Cameras sit on a sphere around the origin and look at a point
just above it. Camera convention (OpenCV): camera x right, y down, z forward; ``world_to_camera``
is the 4x4 matrix [R | t] with x_cam = R x_world + t; intrinsics fx = fy = (W/2) / tan(fov/2),
principal point at the image centre; pixel (row i, column j) has its centre at (j + 0.5, i + 0.5).

Rendering is exact ray/primitive intersection with Lambertian shading (ambient + one directional
light), anti-aliased by ``ss`` x ``ss`` rays per pixel. Several views of the same scene give
ground truth for novel-view synthesis.
"""

import math

import numpy as np

from classes import COLOURS, PALETTE, SHAPES_3D

BACKGROUND_3D = (40, 40, 48)
LIGHT_DIRECTION = np.array([-0.4, 1.0, 0.6]) / np.linalg.norm([-0.4, 1.0, 0.6])
AMBIENT = 0.35
CAMERA_RADIUS = 3.0
FOV_DEGREES = 40.0
ELEVATION_RANGE = (10.0, 40.0)
LOOK_AT = np.array([0.0, 0.35, 0.0])


def look_at_camera(azimuth, elevation, radius=CAMERA_RADIUS, target=LOOK_AT):
    """World-to-camera 4x4 matrix for a camera at (azimuth, elevation) radians on a sphere."""
    position = target + radius * np.array([math.cos(elevation) * math.sin(azimuth),
                                           math.sin(elevation),
                                           math.cos(elevation) * math.cos(azimuth)])
    forward = target - position
    forward /= np.linalg.norm(forward)
    right = np.cross(forward, [0.0, 1.0, 0.0])
    right /= np.linalg.norm(right)
    down = np.cross(forward, right)
    rotation = np.stack([right, down, forward])
    matrix = np.eye(4)
    matrix[:3, :3] = rotation
    matrix[:3, 3] = -rotation @ position
    return matrix


def intrinsics(width, height, fov_degrees=FOV_DEGREES):
    """(fx, fy, cx, cy) for a horizontal field of view."""
    focal = (width / 2) / math.tan(math.radians(fov_degrees) / 2)
    return focal, focal, width / 2, height / 2


def project(points, world_to_camera, camera_intrinsics):
    """Pixel coordinates (N, 2) and depths (N,) of world points (N, 3)."""
    fx, fy, cx, cy = camera_intrinsics
    cam = points @ world_to_camera[:3, :3].T + world_to_camera[:3, 3]
    return np.stack([fx * cam[:, 0] / cam[:, 2] + cx, fy * cam[:, 1] / cam[:, 2] + cy], 1), cam[:, 2]


def camera_rays(world_to_camera, camera_intrinsics, width, height, ss=1):
    """Origins (3,) and unit directions (height*ss, width*ss, 3) in world space."""
    fx, fy, cx, cy = camera_intrinsics
    offsets = (np.arange(ss) + 0.5) / ss
    us = (np.arange(width)[:, None] + offsets[None, :]).reshape(-1)
    vs = (np.arange(height)[:, None] + offsets[None, :]).reshape(-1)
    d_cam = np.stack(np.broadcast_arrays((us[None, :] - cx) / fx, (vs[:, None] - cy) / fy,
                                         np.ones((len(vs), len(us)))), axis=-1)
    rotation = world_to_camera[:3, :3]
    d_world = d_cam @ rotation  # R^T d for each ray
    d_world /= np.linalg.norm(d_world, axis=-1, keepdims=True)
    origin = -rotation.T @ world_to_camera[:3, 3]
    return origin, d_world


def _to_local(obj, origin, directions):
    """Ray origin/directions in the primitive's frame (translated, rotated by -yaw about y)."""
    c, s = math.cos(obj["yaw"]), math.sin(obj["yaw"])
    rot = np.array([[c, 0, -s], [0, 1, 0], [s, 0, c]])  # world -> local
    return rot @ (origin - np.array(obj["centre"])), directions @ rot.T, rot


def intersect(obj, origin, directions):
    """Hit distance (inf where missed) and world normals for one primitive."""
    o, d, rot = _to_local(obj, origin, directions)
    shape_ = obj["shape"]
    inf = np.full(d.shape[:-1], np.inf)
    normal = np.zeros_like(d)
    if shape_ == "sphere":
        r = obj["size"]
        b = d @ o
        disc = b * b - (o @ o - r * r)
        t = np.where(disc >= 0, -b - np.sqrt(np.maximum(disc, 0)), np.inf)
        t = np.where(t > 0, t, np.inf)
        normal = (o + np.where(np.isfinite(t), t, 0)[..., None] * d) / r
    elif shape_ == "cube":
        h = obj["size"]
        with np.errstate(divide="ignore", invalid="ignore"):
            t1, t2 = (-h - o) / d, (h - o) / d
        t_near = np.minimum(t1, t2).max(axis=-1)
        t_far = np.maximum(t1, t2).min(axis=-1)
        t = np.where((t_near <= t_far) & (t_near > 0), t_near, np.inf)
        axis = np.argmax(np.minimum(t1, t2), axis=-1)
        p = o + np.where(np.isfinite(t), t, 0)[..., None] * d
        normal = np.zeros_like(d)
        np.put_along_axis(normal, axis[..., None],
                          np.sign(np.take_along_axis(p, axis[..., None], -1)), -1)
    elif shape_ == "cylinder":
        r, h = obj["size"], obj["half_height"]
        a = d[..., 0] ** 2 + d[..., 2] ** 2
        b = o[0] * d[..., 0] + o[2] * d[..., 2]
        c = o[0] ** 2 + o[2] ** 2 - r * r
        disc = b * b - a * c
        with np.errstate(divide="ignore", invalid="ignore"):
            t_side = np.where((disc >= 0) & (a > 0), (-b - np.sqrt(np.maximum(disc, 0))) / a, np.inf)
            y_side = o[1] + t_side * d[..., 1]
            t_side = np.where((t_side > 0) & (np.abs(y_side) <= h), t_side, np.inf)
            t_caps = []
            for cap in (-h, h):
                tc = (cap - o[1]) / d[..., 1]
                xc, zc = o[0] + tc * d[..., 0], o[2] + tc * d[..., 2]
                t_caps.append(np.where((tc > 0) & (xc * xc + zc * zc <= r * r), tc, np.inf))
        t_cap = np.minimum(*t_caps)
        t = np.minimum(t_side, t_cap)
        p = o + np.where(np.isfinite(t), t, 0)[..., None] * d
        side_normal = np.stack([p[..., 0] / r, np.zeros_like(t), p[..., 2] / r], -1)
        cap_normal = np.stack([np.zeros_like(t), np.sign(p[..., 1]), np.zeros_like(t)], -1)
        normal = np.where((t_side <= t_cap)[..., None], side_normal, cap_normal)
    else:
        raise ValueError(shape_)
    t = np.where(np.isfinite(t), t, inf)
    return t, normal @ rot  # local -> world normal (rot is orthonormal)


def sample_scene3d(rng, objects=None):
    """One or two primitives of random shape, colour, size and yaw, resting on y = 0.

    ``size`` is the sphere/cylinder radius or the cube's half-side; ``half_height`` is the
    cylinder's half-height (equal to ``size`` otherwise); ``yaw`` rotates about the y axis.
    """
    count = int(objects or rng.integers(1, 3))
    result = []
    axis = rng.uniform(0, 2 * math.pi)
    for k in range(count):
        shape_ = SHAPES_3D[int(rng.integers(len(SHAPES_3D)))]
        colour = COLOURS[int(rng.integers(len(COLOURS)))]
        size = float(rng.uniform(0.3, 0.5) if count == 1 else rng.uniform(0.22, 0.35))
        if shape_ == "cube":
            size *= 0.8  # a cube of half-side s looks much bigger than a sphere of radius s
        half_height = float(size * rng.uniform(0.6, 1.2)) if shape_ == "cylinder" else size
        offset = 0.0 if count == 1 else (0.45 if k == 0 else -0.45)
        centre = [offset * math.cos(axis), half_height, offset * math.sin(axis)]
        result.append({"shape": shape_, "colour": colour, "size": round(size, 4),
                       "half_height": round(half_height, 4),
                       "centre": [round(v, 4) for v in centre],
                       "yaw": round(float(rng.uniform(0, math.pi / 2)), 4)})
    return {"objects": result, "background": list(BACKGROUND_3D)}


def sample_cameras(rng, views, width, height):
    """``views`` cameras on the sphere: azimuth U[0, 360), elevation U[10, 40] degrees."""
    cameras = []
    for _ in range(views):
        azimuth = float(rng.uniform(0, 360))
        elevation = float(rng.uniform(*ELEVATION_RANGE))
        matrix = look_at_camera(math.radians(azimuth), math.radians(elevation))
        cameras.append({"azimuth_deg": round(azimuth, 4), "elevation_deg": round(elevation, 4),
                        "radius": CAMERA_RADIUS, "fov_deg": FOV_DEGREES,
                        "look_at": LOOK_AT.tolist(),
                        "world_to_camera": [[round(v, 8) for v in row] for row in matrix.tolist()],
                        "intrinsics": list(intrinsics(width, height))})
    return cameras


def render_view(scene, camera, width, height, ss=2):
    """RGB uint8 image, depth (camera z, 0 for background) and object-id mask of one view.

    Depth and mask are sampled at pixel centres; colour is averaged over ss x ss rays.
    """
    matrix = np.array(camera["world_to_camera"])
    camera_intrinsics = tuple(camera["intrinsics"])

    def trace(samples):
        origin, directions = camera_rays(matrix, camera_intrinsics, width, height, samples)
        best_t = np.full(directions.shape[:-1], np.inf)
        best_id = np.zeros(directions.shape[:-1], dtype=np.int32)
        colour = np.tile(np.array(scene["background"], dtype=np.float64), directions.shape[:-1] + (1,))
        for index, obj in enumerate(scene["objects"], start=1):
            t, normal = intersect(obj, origin, directions)
            closer = t < best_t
            shade = AMBIENT + (1 - AMBIENT) * np.clip(normal @ LIGHT_DIRECTION, 0, 1)
            colour = np.where(closer[..., None],
                              np.array(PALETTE[obj["colour"]])[None, None, :] * shade[..., None],
                              colour)
            best_t = np.where(closer, t, best_t)
            best_id = np.where(closer, index, best_id)
        return origin, directions, best_t, best_id, colour

    _, _, _, _, colour = trace(ss)
    image = colour.reshape(height, ss, width, ss, 3).mean(axis=(1, 3))
    _, directions, t, ids, _ = trace(1)
    forward = matrix[2, :3]
    depth = np.where(np.isfinite(t), t * (directions @ forward), 0.0)
    return np.clip(np.rint(image), 0, 255).astype(np.uint8), depth.astype(np.float32), ids.astype(np.uint8)
