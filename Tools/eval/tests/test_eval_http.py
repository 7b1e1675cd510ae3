"""The eval scripts end to end against a stand-in HTTP server that follows the API contract.

The stand-in answers POST /v1/detect with the judge's objects and POST /v1/images/generations
with a real render of the prompt's spec (looked up from the prompt text). It checks that every
request carries the fields of the contract.
"""

import base64
import io
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
import pytest
from PIL import Image

import eval_detect
import eval_story
import eval_text_to_image
from judge import judge_image
from languages import LANGUAGES
from prompts import prompt_set, render_spec, spec_prompt

STORIES = {tuple(captions): frames for _, captions, frames in eval_story.held_out_stories(2, 32)}
PROMPTS = {}
for _index, _spec in enumerate(prompt_set(3)):
    for _language in LANGUAGES:
        PROMPTS[(spec_prompt(_spec, _language), _language)] = _spec


class StandIn(BaseHTTPRequestHandler):
    requests = []

    def log_message(self, *args):
        pass

    def _reply(self, status, payload):
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        StandIn.requests.append((self.path, body))
        if self.path == "/v1/detect":
            assert set(body) == {"image", "steps", "boxes", "score_threshold", "seed"}
            image = np.asarray(Image.open(io.BytesIO(base64.b64decode(body["image"]))).convert("RGB"))
            # Like the real server: class_id is the model's 0-based class index.
            detections = [{"box": o["box"], "label": o["shape"], "class_id": o["class_id"] - 1,
                           "score": 0.9} for o in judge_image(image)]
            self._reply(200, {"detections": detections, "width": image.shape[1],
                              "height": image.shape[0]})
        elif self.path == "/v1/images/generations":
            assert set(body) == {"prompt", "language", "n", "size", "seed", "steps",
                                 "guidance_scale", "response_format"}
            spec = PROMPTS.get((body["prompt"], body["language"]))
            if spec is None:
                self._reply(400, {"title": "unknown prompt"})
                return
            size = int(body["size"].split("x")[0])
            buffer = io.BytesIO()
            Image.fromarray(render_spec(spec, size, body["seed"])).save(buffer, format="PNG")
            self._reply(200, {"data": [{"b64_json": base64.b64encode(buffer.getvalue()).decode()}]})
        elif self.path == "/v1/story":
            # Like the real server: continuation returns the frames after the given one.
            assert set(body) <= {"captions", "mode", "seed", "steps", "guidance_scale", "first_frame"}
            frames = STORIES.get(tuple(body["captions"]))
            if frames is None:
                self._reply(400, {"title": "unknown story"})
                return
            if body["mode"] == "continuation":
                given = np.asarray(Image.open(io.BytesIO(base64.b64decode(body["first_frame"]))).convert("RGB"))
                assert np.array_equal(given, frames[0])
                frames = frames[1:]
            encoded = []
            for index, frame in enumerate(frames):
                buffer = io.BytesIO()
                Image.fromarray(frame).save(buffer, format="PNG")
                encoded.append({"index": index, "b64_png": base64.b64encode(buffer.getvalue()).decode()})
            self._reply(200, {"frames": encoded})
        else:
            self._reply(404, {"title": "not found"})


@pytest.fixture(scope="module")
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), StandIn)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def test_detect_eval_against_a_server(server, tmp_path):
    out = tmp_path / "detect.json"
    assert eval_detect.main(["--server", server, "--out", str(out), "--images", "4", "--size", "64",
                             "--steps", "1,2", "--boxes", "10"]) == 0
    summary = json.loads(out.read_text())
    assert [(r["steps"], r["boxes"]) for r in summary["results"]] == [(1, 10), (2, 10)]
    assert all(r["AP50"] == 1.0 and r["AP"] > 0.8 for r in summary["results"])
    assert sum(path == "/v1/detect" for path, _ in StandIn.requests) >= 8


def test_text_to_image_eval_against_a_server(server, tmp_path):
    out = tmp_path / "t2i.json"
    assert eval_text_to_image.main(["--server", server, "--out", str(out), "--prompts", "3",
                                    "--languages", "en,zh,ar,ru"]) == 0
    summary = json.loads(out.read_text(encoding="utf-8"))
    assert set(summary["per_language"]) == {"en", "zh", "ar", "ru"}
    assert summary["mean_accuracy"] == 1.0
    sent = [body for path, body in StandIn.requests if path == "/v1/images/generations"]
    assert len(sent) == 12 and {b["language"] for b in sent} == {"en", "zh", "ar", "ru"}
    assert all(b["size"] == "64x64" and b["response_format"] == "b64_json" for b in sent)


@pytest.mark.parametrize("mode", ["visualization", "continuation"])
def test_story_eval_against_a_server(server, tmp_path, mode):
    out = tmp_path / "story.json"
    assert eval_story.main(["--server", server, "--out", str(out), "--stories", "2", "--mode", mode,
                            "--steps", "4", "--guidance", "3"]) == 0
    summary = json.loads(out.read_text())
    assert summary["protagonist_consistency"] == 1.0 and summary["caption_fidelity"] == 1.0
    sent = [body for path, body in StandIn.requests if path == "/v1/story" and body["mode"] == mode]
    assert [b["seed"] for b in sent] == [0, 1]
    assert all(b["steps"] == 4 and b["guidance_scale"] == 3 for b in sent)
    assert all(("first_frame" in b) == (mode == "continuation") for b in sent)
