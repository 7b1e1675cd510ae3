"""Image degradations for the judge's robustness check: blur, colour shift and JPEG noise.

The judge must keep its accuracy on renders degraded the way generated images differ from real
ones: Gaussian blur with sigma up to 1 px, a per-channel colour gain within +-10%, and JPEG
compression artefacts (a real JPEG round trip through Pillow).
"""

import io

import numpy as np
from PIL import Image
from scipy.ndimage import gaussian_filter

MAX_BLUR_SIGMA = 1.0
MAX_COLOUR_SHIFT = 0.10
JPEG_QUALITY_RANGE = (75, 95)


def blur(image, sigma):
    """Gaussian blur of a uint8 (H, W, 3) image, per channel."""
    if sigma <= 0:
        return image
    out = gaussian_filter(image.astype(np.float32), sigma=(sigma, sigma, 0), mode="nearest")
    return np.clip(np.rint(out), 0, 255).astype(np.uint8)


def colour_shift(image, gains):
    """Multiply each channel by its gain (e.g. 0.9..1.1)."""
    out = image.astype(np.float32) * np.asarray(gains, dtype=np.float32)[None, None, :]
    return np.clip(np.rint(out), 0, 255).astype(np.uint8)


def jpeg_round_trip(image, quality):
    """Encode as JPEG at ``quality`` and decode again."""
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format="JPEG", quality=int(quality))
    buffer.seek(0)
    return np.asarray(Image.open(buffer).convert("RGB"))


def random_degradation(rng, noise_sigma=0.0, jpeg_range=JPEG_QUALITY_RANGE):
    """Parameters of one random degradation (all three kinds, random strengths).

    ``noise_sigma`` > 0 adds pixel noise of that standard deviation (an extra stress test, not
    part of the issue's degradations), drawn from a seed taken from ``rng``. ``jpeg_range`` is the
    inclusive range of JPEG qualities.
    """
    params = {"blur_sigma": float(rng.uniform(0.0, MAX_BLUR_SIGMA)),
              "gains": [float(g) for g in rng.uniform(1 - MAX_COLOUR_SHIFT, 1 + MAX_COLOUR_SHIFT, 3)],
              "jpeg_quality": int(rng.integers(jpeg_range[0], jpeg_range[1] + 1))}
    if noise_sigma > 0:
        params.update(noise_sigma=float(noise_sigma), noise_seed=int(rng.integers(2**31 - 1)))
    return params


def add_noise(image, sigma, seed):
    """Additive Gaussian pixel noise."""
    noise = np.random.default_rng(seed).normal(0.0, sigma, size=image.shape)
    return np.clip(np.rint(image.astype(np.float64) + noise), 0, 255).astype(np.uint8)


def apply_degradation(image, params):
    """Blur, then colour shift, then (optional) noise, then JPEG, as described by ``params``."""
    out = blur(image, params["blur_sigma"])
    out = colour_shift(out, params["gains"])
    if params.get("noise_sigma", 0) > 0:
        out = add_noise(out, params["noise_sigma"], params["noise_seed"])
    return jpeg_round_trip(out, params["jpeg_quality"])
