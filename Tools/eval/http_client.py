"""Minimal JSON-over-HTTP client for the eval scripts (Python standard library only)."""

import base64
import io
import json
import urllib.error
import urllib.request

import numpy as np
from PIL import Image


class ServerError(RuntimeError):
    """The server answered with an error status (the body is kept for the report)."""

    def __init__(self, status, body):
        super().__init__(f"HTTP {status}: {body[:300]}")
        self.status, self.body = status, body


def post_json(base_url, path, payload, timeout=600.0):
    """POST ``payload`` as JSON to base_url + path and return the decoded JSON answer."""
    request = urllib.request.Request(base_url.rstrip("/") + path,
                                     data=json.dumps(payload).encode("utf-8"),
                                     headers={"Content-Type": "application/json",
                                              "Accept": "application/json"},
                                     method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.loads(response.read().decode("utf-8"))
    except urllib.error.HTTPError as error:
        raise ServerError(error.code, error.read().decode("utf-8", "replace")) from None


def png_base64(image):
    """Base64 text of a uint8 RGB array encoded as PNG."""
    buffer = io.BytesIO()
    Image.fromarray(np.asarray(image, dtype=np.uint8)).save(buffer, format="PNG")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def decode_image(b64_text):
    """uint8 RGB array from base64 PNG/JPEG text."""
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(b64_text))).convert("RGB"))
