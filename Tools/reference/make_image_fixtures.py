"""Writes the image fixtures read by Tests/ImageIOTests.

Produces, under Tests/Fixtures/images/:
  png/*.png        one PNG per colour type and bit depth (grey 1/2/4/8/16, RGB 8/16,
                   palette 1/2/4/8, grey+alpha 8/16, RGBA 8/16), tRNS variants, Adam7-interlaced
                   variants and a file with a gAMA chunk (which the decoder ignores). They are
                   written by the small PNG writer below rather than Pillow, because Pillow cannot
                   write 2/4-bit grey, 16-bit RGB or interlaced files.
  jpeg/*.jpg       Pillow-written JPEGs: baseline 4:2:0, baseline 4:4:4, progressive, greyscale,
                   CMYK (Adobe, inverted), and the eight EXIF orientations of an asymmetric
                   pattern (stored so that the upright image is the pattern itself).
  expected/*.rgb|*.rgba   the expected 8-bit decode as raw interleaved samples:
                   for PNGs computed exactly from the source arrays (sub-8-bit grey scaled by
                   255/(2^d−1), 16-bit scaled by (v·255 + 32895) >> 16, as libpng's
                   png_set_scale_16); for JPEGs Pillow's own decode (converted to RGB,
                   EXIF orientation applied with ImageOps.exif_transpose).
  manifest.json    for each fixture: file, width, height, channels, expected file, exact or
                   tolerance (mean absolute error allowed, 2 for JPEG).
  bomb_20000x20000.png   a 1-bit 20000×20000 all-zero PNG (~49 KB; 50 MB of raw rows).

Pinned versions used to produce the committed files: Pillow 13.0.0, numpy 2.4.6.
Run from the repository root:
    /work/main/.venv/bin/python Tools/reference/make_image_fixtures.py
"""

import json
import pathlib
import struct
import zlib

import numpy as np
from PIL import Image, ImageOps

OUTPUT = pathlib.Path(__file__).resolve().parents[2] / "Tests" / "Fixtures" / "images"
WIDTH, HEIGHT = 13, 9  # odd sizes exercise row padding and every Adam7 pass


# --- a minimal PNG writer -------------------------------------------------------------

def chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def pack_rows(samples: np.ndarray, depth: int) -> list[bytes]:
    """samples: (h, w, c) integers; returns the packed rows (no filter byte)."""
    h, w, c = samples.shape
    rows = []
    for y in range(h):
        flat = samples[y].reshape(-1)
        if depth == 16:
            rows.append(flat.astype(">u2").tobytes())
        elif depth == 8:
            rows.append(flat.astype(np.uint8).tobytes())
        else:
            per_byte = 8 // depth
            padded = np.zeros(((len(flat) + per_byte - 1) // per_byte) * per_byte, dtype=np.uint8)
            padded[: len(flat)] = flat
            packed = np.zeros(len(padded) // per_byte, dtype=np.uint8)
            for k in range(per_byte):
                packed |= (padded[k::per_byte] << (8 - depth * (k + 1))).astype(np.uint8)
            rows.append(packed.tobytes())
    return rows


ADAM7 = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]


def write_png(path, samples, depth, colour_type, palette=None, trns=None, interlace=False, gamma=None):
    h, w, _ = samples.shape
    data = b"\x89PNG\r\n\x1a\n"
    data += chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, depth, colour_type, 0, 0, 1 if interlace else 0))
    if gamma is not None:
        data += chunk(b"gAMA", struct.pack(">I", gamma))
    if palette is not None:
        data += chunk(b"PLTE", bytes(np.asarray(palette, dtype=np.uint8).reshape(-1)))
    if trns is not None:
        data += chunk(b"tRNS", trns)
    raw = b""
    if interlace:
        for x0, y0, dx, dy in ADAM7:
            sub = samples[y0::dy, x0::dx]
            if sub.shape[0] == 0 or sub.shape[1] == 0:
                continue
            raw += b"".join(b"\x00" + row for row in pack_rows(sub, depth))
    else:
        raw = b"".join(b"\x00" + row for row in pack_rows(samples, depth))
    data += chunk(b"IDAT", zlib.compress(raw, 9))
    data += chunk(b"IEND", b"")
    path.write_bytes(data)


def to8(values: np.ndarray, depth: int) -> np.ndarray:
    values = values.astype(np.int64)
    if depth == 16:
        return ((values * 255 + 32895) >> 16).astype(np.uint8)
    return (values * 255 // ((1 << depth) - 1)).astype(np.uint8)


# --- patterns ---------------------------------------------------------------------------

def grey_pattern(depth: int) -> np.ndarray:
    maximum = (1 << depth) - 1
    y, x = np.mgrid[0:HEIGHT, 0:WIDTH]
    values = (x * 7 + y * 13 + x * y) % (maximum + 1)
    values[0, 0] = maximum  # both extremes present
    values[-1, -1] = 0
    return values[..., None].astype(np.int64)


def colour_pattern(depth: int, channels: int) -> np.ndarray:
    maximum = (1 << depth) - 1
    y, x = np.mgrid[0:HEIGHT, 0:WIDTH]
    planes = [
        (x * maximum) // (WIDTH - 1),
        (y * maximum) // (HEIGHT - 1),
        ((x * 31 + y * 17) * 977) % (maximum + 1),
        ((x + 2 * y) * 4099) % (maximum + 1),
    ]
    return np.stack(planes[:channels], axis=-1).astype(np.int64)


def main() -> None:
    for sub in ("png", "jpeg", "expected"):
        (OUTPUT / sub).mkdir(parents=True, exist_ok=True)
    manifest = []

    def record(name, path, expected: np.ndarray, tolerance=None):
        h, w, c = expected.shape
        ext = "rgba" if c == 4 else "rgb"
        expected_name = f"expected/{name}.{ext}"
        (OUTPUT / expected_name).write_bytes(np.ascontiguousarray(expected, dtype=np.uint8).tobytes())
        manifest.append({
            "name": name, "file": str(path.relative_to(OUTPUT)), "width": w, "height": h,
            "channels": c, "expected": expected_name, "meanAbsoluteErrorTolerance": tolerance,
        })

    def png(name, samples, depth, colour_type, expected, **options):
        path = OUTPUT / "png" / f"{name}.png"
        write_png(path, samples, depth, colour_type, **options)
        record(name, path, expected)

    def grey_to_rgb(grey8):
        return np.repeat(grey8, 3, axis=-1)

    # Greyscale, every depth; and interlaced.
    for depth in (1, 2, 4, 8, 16):
        g = grey_pattern(depth)
        png(f"grey{depth}", g, depth, 0, grey_to_rgb(to8(g, depth)))
    for depth in (1, 16):
        g = grey_pattern(depth)
        png(f"grey{depth}_interlaced", g, depth, 0, grey_to_rgb(to8(g, depth)), interlace=True)
    # Greyscale with tRNS: one grey value becomes fully transparent.
    for depth in (4, 8, 16):
        g = grey_pattern(depth)
        key = int(g[1, 1, 0])
        alpha = np.where(g == key, 0, 255).astype(np.uint8)
        png(f"grey{depth}_trns", g, depth, 0, np.concatenate([grey_to_rgb(to8(g, depth)), alpha], -1),
            trns=struct.pack(">H", key))
        if depth == 16:
            png("grey16_trns_interlaced", g, depth, 0, np.concatenate([grey_to_rgb(to8(g, depth)), alpha], -1),
                trns=struct.pack(">H", key), interlace=True)
    # RGB 8/16, interlaced, with tRNS, with gAMA.
    for depth in (8, 16):
        c = colour_pattern(depth, 3)
        png(f"rgb{depth}", c, depth, 2, to8(c, depth))
        png(f"rgb{depth}_interlaced", c, depth, 2, to8(c, depth), interlace=True)
        key = c[2, 3]
        alpha = np.where(np.all(c == key, axis=-1, keepdims=True), 0, 255).astype(np.uint8)
        png(f"rgb{depth}_trns", c, depth, 2, np.concatenate([to8(c, depth), alpha], -1),
            trns=struct.pack(">HHH", *map(int, key)))
    c = colour_pattern(8, 3)
    png("rgb8_gamma1", c, 8, 2, to8(c, 8), gamma=100000)
    # Grey+alpha and RGBA, 8/16.
    for depth in (8, 16):
        ga = np.concatenate([grey_pattern(depth), colour_pattern(depth, 4)[..., 3:]], -1)
        g8 = to8(ga, depth)
        png(f"greyalpha{depth}", ga, depth, 4, np.concatenate([grey_to_rgb(g8[..., :1]), g8[..., 1:]], -1))
        if depth == 16:
            png("greyalpha16_interlaced", ga, depth, 4, np.concatenate([grey_to_rgb(g8[..., :1]), g8[..., 1:]], -1),
                interlace=True)
        rgba = colour_pattern(depth, 4)
        png(f"rgba{depth}", rgba, depth, 6, to8(rgba, depth))
        png(f"rgba{depth}_interlaced", rgba, depth, 6, to8(rgba, depth), interlace=True)
    # Palette 1/2/4/8, with tRNS, interlaced.
    for depth in (1, 2, 4, 8):
        entries = 1 << depth if depth < 8 else 200
        palette = np.array([[(i * 37) % 256, (i * 91 + 5) % 256, (255 - i * 13) % 256] for i in range(entries)])
        index = grey_pattern(depth) % entries
        expected = palette[index[..., 0]].astype(np.uint8)
        png(f"palette{depth}", index, depth, 3, expected, palette=palette)
        if depth in (2, 8):
            trns = bytes([(i * 50) % 256 for i in range(entries // 2)])  # shorter than the palette
            alpha_table = np.array(list(trns) + [255] * (entries - len(trns)), dtype=np.uint8)
            rgba = np.concatenate([expected, alpha_table[index[..., 0]][..., None]], -1)
            png(f"palette{depth}_trns", index, depth, 3, rgba, palette=palette, trns=trns)
        if depth == 4:
            png("palette4_interlaced", index, depth, 3, expected, palette=palette, interlace=True)

    # JPEGs from Pillow: a smooth asymmetric picture with a marked corner.
    jw, jh = 40, 24
    y, x = np.mgrid[0:jh, 0:jw]
    picture = np.stack([x * 255 // (jw - 1), y * 255 // (jh - 1), ((x + y) * 4) % 256], -1).astype(np.uint8)
    picture[0:8, 0:8] = [250, 20, 20]  # top-left red block: orientation is visible
    picture[16:24, 32:40] = [20, 20, 250]
    upright = Image.fromarray(picture, "RGB")

    def jpeg(name, image, tolerance=2.0, **options):
        path = OUTPUT / "jpeg" / f"{name}.jpg"
        image.save(path, "JPEG", **options)
        with Image.open(path) as decoded:
            decoded = ImageOps.exif_transpose(decoded).convert("RGB")
            record(name, path, np.asarray(decoded), tolerance)

    jpeg("baseline420", upright, quality=90, subsampling=2)
    jpeg("baseline444", upright, quality=95, subsampling=0)
    jpeg("progressive", upright, quality=90, progressive=True)
    jpeg("greyscale", upright.convert("L"), quality=90)
    jpeg("cmyk", upright.convert("CMYK"), quality=95)
    # EXIF orientation o: store the image that a viewer turns back into `upright`.
    inverse = {1: None, 2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180,
               4: Image.Transpose.FLIP_TOP_BOTTOM, 5: Image.Transpose.TRANSPOSE,
               6: Image.Transpose.ROTATE_90, 7: Image.Transpose.TRANSVERSE, 8: Image.Transpose.ROTATE_270}
    for orientation, transpose in inverse.items():
        stored = upright if transpose is None else upright.transpose(transpose)
        exif = Image.Exif()
        exif[0x0112] = orientation
        jpeg(f"exif_orientation{orientation}", stored, quality=92, subsampling=0, exif=exif.tobytes())

    # The decompression bomb: 20000×20000 1-bit grey, all zero.
    rows = (b"\x00" + bytes((20000 + 7) // 8)) * 20000
    bomb = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 20000, 20000, 1, 0, 0, 0, 0))
    bomb += chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b"")
    (OUTPUT / "bomb_20000x20000.png").write_bytes(bomb)

    (OUTPUT / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
    print(f"wrote {len(manifest)} fixtures to {OUTPUT}")


if __name__ == "__main__":
    main()
