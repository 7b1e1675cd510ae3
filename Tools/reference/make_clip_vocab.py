"""Rebuilds the real CLIP BPE vocabulary as a transformers/diffusers tokenizer folder.

Source: `open_clip/bpe_simple_vocab_16e6.txt.gz` from the open-clip-torch wheel (checked with
open_clip_torch 3.3.0, wheel SHA-256 c549ad5e…43ce, .gz SHA-256 924691ac…804a). That file is the
merge list OpenAI trained for CLIP; the vocabulary follows from it (DESIGN.md §7):

  ids 0…255        the byte alphabet: the 256 characters of `bytes_to_unicode`, printable bytes first
  ids 256…511      the same characters with the end-of-word mark `</w>` appended
  ids 512…49405    the first 48,894 merges, each as its merged token
  ids 49406, 49407 `<|startoftext|>`, `<|endoftext|>`

`merges.txt` holds the `#version: 0.2` header and the same 48,894 merge lines. The tokenizer
configuration written next to them is the Stable Diffusion 1.x one (pad token `<|endoftext|>`,
`model_max_length` 77). Usage, from the repository root:

    /work/main/.venv/bin/python Tools/reference/make_clip_vocab.py /tmp/oc/open_clip_torch-3.3.0-py3-none-any.whl

(the argument may also be the extracted `.gz`). Output: Tests/Fixtures/clip-tokenizer/.
"""

import gzip
import json
import pathlib
import sys
import zipfile

OUTPUT = pathlib.Path(__file__).resolve().parents[2] / "Tests" / "Fixtures" / "clip-tokenizer"
MERGE_COUNT = 49152 - 256 - 2  # 48,894: the count CLIP and transformers' CLIPTokenizer both use


def byte_alphabet() -> list[tuple[int, str]]:
    """The byte → printable character table of GPT-2/CLIP, in its canonical order."""
    printable = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    table = [(b, chr(b)) for b in printable]
    extra = 0
    for b in range(256):
        if b not in printable:
            table.append((b, chr(256 + extra)))
            extra += 1
    return table


def read_merge_source(path: pathlib.Path) -> str:
    if path.suffix == ".whl":
        with zipfile.ZipFile(path) as wheel:
            data = wheel.read("open_clip/bpe_simple_vocab_16e6.txt.gz")
    else:
        data = path.read_bytes()
    return gzip.decompress(data).decode("utf-8")


def main() -> None:
    source = read_merge_source(pathlib.Path(sys.argv[1]))
    lines = source.split("\n")[1 : MERGE_COUNT + 1]
    merges = [tuple(line.split()) for line in lines]
    assert len(merges) == MERGE_COUNT and all(len(m) == 2 for m in merges)

    alphabet = [character for _, character in byte_alphabet()]
    tokens = alphabet + [c + "</w>" for c in alphabet] + ["".join(m) for m in merges]
    tokens += ["<|startoftext|>", "<|endoftext|>"]
    assert len(tokens) == 49408 and len(set(tokens)) == 49408
    vocab = {token: index for index, token in enumerate(tokens)}

    OUTPUT.mkdir(parents=True, exist_ok=True)
    (OUTPUT / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    (OUTPUT / "merges.txt").write_text("#version: 0.2\n" + "\n".join(" ".join(m) for m in merges) + "\n", encoding="utf-8")

    special = {
        "bos_token": {"content": "<|startoftext|>", "lstrip": False, "normalized": True, "rstrip": False, "single_word": False},
        "eos_token": {"content": "<|endoftext|>", "lstrip": False, "normalized": True, "rstrip": False, "single_word": False},
        "pad_token": "<|endoftext|>",
        "unk_token": {"content": "<|endoftext|>", "lstrip": False, "normalized": True, "rstrip": False, "single_word": False},
    }
    (OUTPUT / "special_tokens_map.json").write_text(json.dumps(special, indent=2) + "\n", encoding="utf-8")
    config = {
        "add_prefix_space": False,
        "bos_token": "<|startoftext|>",
        "eos_token": "<|endoftext|>",
        "errors": "replace",
        "model_max_length": 77,
        "pad_token": "<|endoftext|>",
        "tokenizer_class": "CLIPTokenizer",
        "unk_token": "<|endoftext|>",
    }
    (OUTPUT / "tokenizer_config.json").write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {len(tokens)} tokens and {len(merges)} merges to {OUTPUT}")


if __name__ == "__main__":
    main()
