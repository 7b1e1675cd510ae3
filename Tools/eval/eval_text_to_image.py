#!/usr/bin/env python3
"""Text-to-image eval: prompt accuracy per language, judged on the generated images.

    python3 Tools/eval/eval_text_to_image.py --server http://127.0.0.1:8080 --out t2i.json
    python3 Tools/eval/eval_text_to_image.py --reference --out t2i_reference.json

Each of ``--prompts`` held-out specs (single object, counted objects, two objects in a relation)
is written in every language of ``--languages`` and sent to ``POST /v1/images/generations``; the
judge scores each returned image against the spec (see prompts.py). With ``--reference`` no
server is called: real ShapesWorld renders of each spec stand in for the generated images, which
measures the judge-and-scoring pipeline itself (the ceiling a perfect generator would reach).
The JSON summary holds accuracy per language, per prompt kind and per criterion, plus the
request parameters.
"""

import argparse
import json
import sys
import time

import numpy as np

import paths  # noqa: F401
from degrade import apply_degradation, random_degradation
from http_client import decode_image, post_json
from languages import LANGUAGES
from prompts import KINDS, prompt_set, render_spec, score_image, spec_prompt

CRITERIA = ("objects_present", "counts_correct", "no_extra_objects", "relation_correct", "correct")


def server_generator(base_url, size, steps, guidance, seed, timeout):
    """A function (prompt, language, index) -> image that calls the live server."""
    def generate(prompt, language, spec, index):
        answer = post_json(base_url, "/v1/images/generations",
                           {"prompt": prompt, "language": language, "n": 1,
                            "size": f"{size}x{size}", "seed": seed + index, "steps": steps,
                            "guidance_scale": guidance, "response_format": "b64_json"},
                           timeout=timeout)
        return decode_image(answer["data"][0]["b64_json"])
    return generate


def reference_generator(size, seed, degrade=False):
    """Real renders of the spec, ignoring the prompt text (the pipeline's ceiling).

    With ``degrade`` each render is blurred, colour-shifted and JPEG-compressed (degrade.py).
    """
    def generate(prompt, language, spec, index):
        image = render_spec(spec, size, seed + index)
        if degrade:
            rng = np.random.default_rng([seed + index, 303, LANGUAGES.index(language)])
            image = apply_degradation(image, random_degradation(rng))
        return image
    return generate


def evaluate(generate, specs, languages):
    """Score every (spec, language); return the summary dict (without run parameters)."""
    per_language = {}
    examples = []
    for language in languages:
        tallies = {c: [0, 0] for c in CRITERIA}
        kinds = {k: [0, 0] for k in KINDS}
        for index, spec in enumerate(specs):
            prompt = spec_prompt(spec, language)
            verdict = score_image(generate(prompt, language, spec, index), spec)
            for criterion in CRITERIA:
                if verdict[criterion] is not None:
                    tallies[criterion][0] += bool(verdict[criterion])
                    tallies[criterion][1] += 1
            kinds[spec["kind"]][0] += verdict["correct"]
            kinds[spec["kind"]][1] += 1
            if index < 3:
                examples.append({"language": language, "prompt": prompt, "spec": spec,
                                 "verdict": verdict})
        per_language[language] = {
            "accuracy": tallies["correct"][0] / max(tallies["correct"][1], 1),
            "prompts": len(specs),
            "criteria": {c: t[0] / t[1] for c, t in tallies.items() if t[1]},
            "by_kind": {k: v[0] / v[1] for k, v in kinds.items() if v[1]},
        }
    accuracies = [v["accuracy"] for v in per_language.values()]
    return {"mean_accuracy": sum(accuracies) / len(accuracies),
            "min_language_accuracy": min(accuracies),
            "per_language": per_language, "examples": examples}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--server", default="http://127.0.0.1:8080")
    parser.add_argument("--reference", action="store_true",
                        help="score real renders instead of calling the server")
    parser.add_argument("--degrade", action="store_true",
                        help="with --reference: blur, colour-shift and JPEG the renders")
    parser.add_argument("--out", required=True)
    parser.add_argument("--prompts", type=int, default=30, help="specs per language")
    parser.add_argument("--languages", default=",".join(LANGUAGES))
    parser.add_argument("--size", type=int, default=64)
    parser.add_argument("--steps", type=int, default=25)
    parser.add_argument("--guidance", type=float, default=5.0)
    parser.add_argument("--seed", type=int, default=0, help="generation seed of prompt 0")
    parser.add_argument("--timeout", type=float, default=600.0)
    args = parser.parse_args(argv)
    languages = [x for x in args.languages.split(",") if x]
    specs = prompt_set(args.prompts)
    generate = (reference_generator(args.size, args.seed, args.degrade) if args.reference else
                server_generator(args.server, args.size, args.steps, args.guidance, args.seed,
                                 args.timeout))
    started = time.time()
    summary = evaluate(generate, specs, languages)
    source = args.server
    if args.reference:
        source = "reference renders" + (" (degraded)" if args.degrade else "")
    summary.update(task="text-to-image", source=source,
                   size=args.size, steps=args.steps, guidance_scale=args.guidance, seed=args.seed,
                   seconds=round(time.time() - started, 2), command=" ".join(sys.argv))
    with open(args.out, "w", encoding="utf-8") as out:
        json.dump(summary, out, ensure_ascii=False, indent=2)
    print(json.dumps({k: summary[k] for k in ("mean_accuracy", "min_language_accuracy")}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
