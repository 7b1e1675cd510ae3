"""Camera geometry: a ray-cast 3D point projects back onto its own pixel; matrices are proper."""

import math

import numpy as np
import pytest

from scene3d import (CAMERA_RADIUS, LOOK_AT, camera_rays, intrinsics, look_at_camera, project,
                     render_view, sample_cameras, sample_scene3d)
from splits import rng_for


@pytest.mark.parametrize("size", [32, 64])
def test_projected_hit_points_land_on_their_pixels(size):
    rng = rng_for("3d", 11)
    scene = sample_scene3d(rng)
    for camera in sample_cameras(rng, 3, size, size):
        image, depth, mask = render_view(scene, camera, size, size)
        matrix, k = np.array(camera["world_to_camera"]), tuple(camera["intrinsics"])
        origin, directions = camera_rays(matrix, k, size, size)
        rows, cols = np.nonzero(mask)
        assert len(rows) > 20
        # the hit point is origin + t * d with depth = t * (d . forward)
        forward = matrix[2, :3]
        d = directions[rows, cols]
        t = depth[rows, cols] / (d @ forward)
        points = origin + t[:, None] * d
        uv, z = project(points, matrix, k)
        assert np.allclose(uv[:, 0], cols + 0.5, atol=1e-3)
        assert np.allclose(uv[:, 1], rows + 0.5, atol=1e-3)
        assert np.allclose(z, depth[rows, cols], atol=1e-4)
        assert np.all(depth[mask == 0] == 0)


def test_camera_matrix_is_a_rigid_look_at():
    for azimuth, elevation in [(0.0, 10.0), (123.0, 25.0), (300.0, 40.0)]:
        matrix = look_at_camera(math.radians(azimuth), math.radians(elevation))
        rotation = matrix[:3, :3]
        assert np.allclose(rotation @ rotation.T, np.eye(3), atol=1e-12)
        assert np.linalg.det(rotation) == pytest.approx(1.0)
        centre = -rotation.T @ matrix[:3, 3]
        assert np.linalg.norm(centre - LOOK_AT) == pytest.approx(CAMERA_RADIUS)
        assert math.degrees(math.asin((centre - LOOK_AT)[1] / CAMERA_RADIUS)) == pytest.approx(elevation)
        # the target projects to the image centre, in front of the camera; "up" is up in the image
        uv, z = project(np.array([LOOK_AT, LOOK_AT + [0, 0.1, 0]]), matrix, intrinsics(64, 64))
        assert np.allclose(uv[0], [32, 32]) and z[0] == pytest.approx(CAMERA_RADIUS)
        assert uv[1, 1] < uv[0, 1]


def test_field_of_view_matches_intrinsics():
    fx, fy, cx, cy = intrinsics(64, 64, 40.0)
    assert 2 * math.degrees(math.atan(cx / fx)) == pytest.approx(40.0)
    assert fx == fy and (cx, cy) == (32, 32)


def test_sphere_silhouette_matches_its_projection():
    scene = {"objects": [{"shape": "sphere", "colour": "red", "size": 0.5, "half_height": 0.5,
                          "centre": [0.0, 0.5, 0.0], "yaw": 0.0}], "background": [40, 40, 48]}
    camera = sample_cameras(rng_for("3d", 3), 1, 64, 64)[0]
    _, depth, mask = render_view(scene, camera, 64, 64)
    matrix, k = np.array(camera["world_to_camera"]), tuple(camera["intrinsics"])
    (u, v), = project(np.array([[0.0, 0.5, 0.0]]), matrix, k)[0]
    assert mask[int(v), int(u)] == 1
    # silhouette area ~ pi * (f * r / distance)^2 for a small sphere
    distance = np.linalg.norm(-matrix[:3, :3].T @ matrix[:3, 3] - np.array([0.0, 0.5, 0.0]))
    expected = math.pi * (k[0] * 0.5 / math.sqrt(distance ** 2 - 0.25)) ** 2
    assert mask.sum() == pytest.approx(expected, rel=0.06)
    # nearest visible point of the sphere is distance - r away along the view axis (roughly)
    assert depth[mask > 0].min() == pytest.approx(distance - 0.5, abs=0.05)


def test_views_differ_and_primitives_render():
    rng = rng_for("3d", 5)
    scene = sample_scene3d(rng, objects=2)
    cameras = sample_cameras(rng, 2, 32, 32)
    a, _, mask_a = render_view(scene, cameras[0], 32, 32)
    b, _, _ = render_view(scene, cameras[1], 32, 32)
    assert not np.array_equal(a, b)
    assert set(np.unique(mask_a)) <= {0, 1, 2} and mask_a.max() >= 1


@pytest.mark.parametrize("shape", ["sphere", "cube", "cylinder"])
def test_each_primitive_is_hit_and_shaded(shape):
    scene = {"objects": [{"shape": shape, "colour": "white", "size": 0.4, "half_height": 0.4,
                          "centre": [0.0, 0.4, 0.0], "yaw": 0.3}], "background": [40, 40, 48]}
    camera = sample_cameras(rng_for("3d", 8), 1, 32, 32)[0]
    image, _, mask = render_view(scene, camera, 32, 32)
    assert 40 < mask.sum() < 32 * 32
    lit = image[mask > 0].astype(int).sum(axis=1)
    assert lit.max() > lit.min() + 30      # Lambertian shading varies across the surface
