"""Writes the seed corpus of the DetectionRequest fuzzer (see FuzzEntry.swift for the layout:
control byte, then body, or query NUL body)."""
import pathlib

here = pathlib.Path(__file__).parent / "corpus"
here.mkdir(exist_ok=True)
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR"
B = b"fuzzboundary"


def part(name, body, filename=None, content_type=None, raw_name=None):
    head = b"--" + B + b"\r\nContent-Disposition: form-data; name=" + (raw_name or b'"' + name + b'"')
    if filename:
        head += b'; filename="' + filename + b'"'
    if content_type:
        head += b"\r\nContent-Type: " + content_type
    return head + b"\r\n\r\n" + body + b"\r\n"


def form(*parts):
    return b"".join(parts) + b"--" + B + b"--\r\n"


seeds = {
    "json-all-options": b"\x00" + b'{"image":"iVBORw0KGgoAAAANSUhEUg==","model":"det","steps":4,"boxes":300,'
    b'"score_threshold":0.5,"seed":9007199254740991,"include_final_step":true,"format":"json",'
    b'"async":false,"stream":true,"timeout_ms":5000}',
    "json-data-url-query": b"\x20" + b"steps=2&format=png\x00" + b'{"image":"data:image/png;base64,iVBORw0KGgo="}',
    "json-odd-values": b"\x04" + b'{"image":"AAAA","steps":1e300,"seed":-0.0,"boxes":null,"model":[1,{"a":2}],'
    b'"score_threshold":"0.25 ","include_final_step":"YES"}',
    "json-escaped-names": b"\x08" + b'{"im\\u0061ge":"AA==","st\\u0065ps":"3","\\ud83d\\ude00":1}',
    "json-truncated": b"\x00" + b'{"image":"AAAA","steps":',
    "json-array": b"\x00" + b"[1]",
    "json-png-stream": b"\x10" + b'{"image":"AAAA","stream":true}',
    "multipart-valid": b"\x01" + form(part(b"image", PNG, b"a.png", b"image/png"), part(b"steps", b"4"),
                                      part(b"boxes", b"300"), part(b"score_threshold", b"0.25"),
                                      part(b"include_final_step", b"false"), part(b"seed", b"7")),
    "multipart-query": b"\x25" + b"model=det&timeout_ms=100\x00" + form(part(b"image", PNG, b"b.jpg")),
    "multipart-twice-binary": b"\x01" + form(part(b"image", b"x"), part(b"image", b"y"), part(b"seed", b"\xff\xfe")),
    "multipart-escaped-name": b"\x01" + form(part(b"", b"1", raw_name=b'"st\\"eps"'), part(b"image", b"z")),
    "multipart-no-boundary": b"\x09" + form(part(b"image", b"x")),
    "raw-query-options": b"\x02" + b"steps=3&boxes=100&score_threshold=0.25&seed=42&include_final_step=yes"
    b"&format=png&model=x%20y+z\x00" + PNG,
    "raw-accept-png-stream": b"\x12" + b"stream=true\x00img",
    "raw-empty-body": b"\x06" + b"steps=1\x00",
    "raw-unknown-option": b"\x0a" + b"color=red&steps=+4+\x00abc",
    "raw-duplicate": b"\x0e" + b"seed=1&seed=2\x00abc",
    "raw-tiny-limits": b"\x42" + b"steps=1&boxes=2\x00abc",
    "fields-object": b"\x03" + b'{"a":1,"b":"x","c":null,"d":[],"e":true,"f":{"g":[1.5e-7]}}',
    "fields-duplicate-key": b"\x03" + b'{"a":1,"a":"x"}',
}
for name, data in seeds.items():
    (here / name).write_bytes(data)
print(len(seeds), "seeds")
