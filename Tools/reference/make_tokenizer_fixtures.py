"""Records transformers' CLIPTokenizer output on tricky prompts, for Tests/TextTests.

Reference: transformers 4.57.6, the slow Python `CLIPTokenizer` (what diffusers pipelines load),
run without ftfy installed, so the text cleaning is transformers' `BasicTokenizer` path. The
interpreter matters too: Python 3.11 (its `unicodedata` is Unicode 14.0.0) decides which code
points are controls, how NFC composes and how `str.lower` maps.

Two padding conventions, the same vocabulary (Tests/Fixtures/clip-tokenizer, built by
make_clip_vocab.py):
  sd1  pad token `<|endoftext|>` (id 49407), the Stable Diffusion 1.x tokenizer folders;
  sd2  pad token `!` (id 0), Stable Diffusion 2.x; `!` then also becomes an added special token,
       so a typed `!` is split off before BPE (this changes ids, not just the padding).
Every prompt is encoded the way diffusers does it: padding="max_length", max_length=77,
truncation=True; `full_ids` is the sd1 encoding with no padding and no truncation.
`random_cases` are 400 seeded random prompts (scripts, combining marks, controls, special
spellings, arbitrary code points) with their untruncated sd1 and sd2 ids.
`fast_agrees` says whether CLIPTokenizerFast (tokenizers 0.22.2, converted from the same files)
gives the same sd1 ids; it is informational (the fast tokenizer differs on some inputs).

Usage, from the repository root:
    /work/main/.venv/bin/python Tools/reference/make_tokenizer_fixtures.py
Output: Tests/Fixtures/clip-tokenizer/parity.json (and sd2/ configuration files).
"""

import json
import pathlib
import random
import shutil
import sys
import tempfile
import unicodedata

import tokenizers
import transformers
from transformers import CLIPTokenizer, CLIPTokenizerFast

FOLDER = pathlib.Path(__file__).resolve().parents[2] / "Tests" / "Fixtures" / "clip-tokenizer"

LONG_ENGLISH = (
    "a highly detailed digital painting of a majestic ancient castle on a cliff above a stormy sea, "
    "dramatic lighting, volumetric clouds, golden hour, cinematic composition, trending on artstation, "
    "by greg rutkowski and alphonse mucha, ultra realistic, 8k resolution, octane render, unreal engine 5, "
    "sharp focus, intricate details, concept art, matte painting, wide angle lens, depth of field"
)

PROMPTS = [
    "",
    " ",
    "     ",
    "\t\n\r ",
    "a photo of a cat",
    "A Photo Of A CAT",
    "an astronaut riding a horse on mars",
    "hello!!! world!",
    "!!!",
    "!",
    "wait... what?!?! (really) [yes] {no} <maybe>",
    "---===+++***###",
    "it's the cat's toy, isn't it? they're here, we've gone, I'm sure, you'll see, he'd know",
    "IT'S DON'T THEY'RE WE'VE I'M YOU'LL HE'D",
    "''s ' s 's's 'S",
    "rock'n'roll o'clock",
    "3.14159 1,000,000 2nd 42 007 1e10 -5 +7",
    "12345678901234567890",
    "multiple   spaces\tand\ttabs\nand\nnewlines\r\nwindows",
    "café naïve résumé façade jalapeño",
    "cafe\u0301 nai\u0308ve",
    "ÀÉÎÕÜ Ñ Ç ẞ ß",
    "ΟΔΟΣ ΣΑΣ Σ σοφός ΑΣ.Α",
    "İstanbul ı I i",
    "\u212a kelvin \u212b angstrom",
    "ſtraße 'ſ <|ſtartoftext|>",
    "a cat 🐱 and a dog 🐶 😀😃😄",
    "👨‍👩‍👧‍👦 family 🏳️‍🌈 flag 👍🏽 🇫🇷🇯🇵",
    "一只猫坐在窗台上",
    "中文English混合text",
    "𠀀𠀁 𪜀 CJK extension",
    "猫が窓辺に座っている",
    "カタカナ ひらがな 漢字",
    "창가에 앉아 있는 고양이",
    "\u1100\u1161\u11a8 jamo",
    "\uc774\u11a8 \uc5d0\u11a8\u11a8 syllable plus trailing jamo",
    "kannada \u0cca\u0cd5 oriya \u0b47\u0b3e composite plus extending mark",
    "supplementary \U00010041\u0301 \U000103a5\u0300 \U00011099\U000110ba starters",
    "music \U0001d163\u0b4d\u0731 \U0001d15e cjk compat \U0002f800",
    "قطة تجلس على حافة النافذة",
    "مرحبا بالعالم ١٢٣",
    "кошка сидит на подоконнике",
    "ПРИВЕТ Мир Ёж",
    "חתול יושב על אדן החלון",
    "बिल्ली खिड़की पर बैठी है",
    "แมวนั่งอยู่บนขอบหน้าต่าง",
    "Ⅻ ² ½ ① ٣ ۳ ௰",
    "<|startoftext|>",
    "<|endoftext|>",
    "<|startoftext|>a cat<|endoftext|>",
    "x<|endoftext|>y <|startoftext|> z",
    "<|STARTOFTEXT|> <|EndOfText|>",
    "<|startoftext",
    "&amp; &lt;b&gt; &quot;quoted&quot; &#39; &nbsp;",
    "https://example.com/path?query=1&x=y#frag",
    "user@example.com www.test.org/a_b-c",
    "zero\u200bwidth\ufeffbom\u00a0nbsp\u2003emspace",
    "line\u2028separator\u2029paragraph",
    "ctrl\x00null\x01soh\x7fdel\x1bescape\x85nel",
    "replacement \ufffd char",
    "private \ue000 use \U000f0000",
    "unassigned \u0378 noncharacter \uffff",
    "unicode15 \U0001fae8 shaking face \U0001faad",
    "combining a\u0300\u0301\u0302\u0303 x\u20dd",
    "Z̸̧͍̈́a̵̛̟l̴̥̐g̷̣̈o̵͙͑",
    "fullwidth ＡＢＣ１２３！",
    "math ∑∫√∞≠≤≥ arrows →←↑↓",
    "tab\tseparated\tvalues",
    "word " * 100,
    LONG_ENGLISH,
    LONG_ENGLISH + " " + LONG_ENGLISH,
    "🐱" * 80,
    "一" * 100,
    "a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q,r,s,t,u,v,w,x,y,z," * 4,
    "supercalifragilisticexpialidocious antidisestablishmentarianism",
    "photorealistic, 4k, masterpiece, best quality, (highly detailed:1.2)",
]


RANDOM_POOLS = [
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ", " \t\n\r", "0123456789",
    "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~", "'sStTreREvemMlLdD", "ſKÅİıΣσςΟΔ",
    "\u0345\u0300\u0301\u0308\u20dd\u200b\u200d\ufeff\u00a0\u2028\u2029\x00\x7f\x85\ufffd",
    "一只猫坐在窗台上中文", "ひらがなカタカナ", "창가에앉아있는고양이\u1100\u1161\u11a8", "قطةتجلسعلى", "кошкаПРИВЕТЁж",
    "🐱🐶😀👍🏽🇫🇷\u200d♀️", "ÀÉÎÕÜÑÇẞßéèêë", "Ⅻ²½①٣۳௰",
]
RANDOM_WORDS = ["<|startoftext|>", "<|endoftext|>", "'s", "'re", "'ll", "&amp;", "http://x.y/z", "word", "the cat", "!!"]


def random_prompts(seed: int, count: int) -> list[str]:
    """Seeded random mixtures of scripts, marks, controls, specials and arbitrary code points."""
    rng = random.Random(seed)

    def code_point() -> str:
        while True:
            cp = rng.randrange(0, 0x30000) if rng.random() < 0.9 else rng.randrange(0, 0x110000)
            if not 0xD800 <= cp < 0xE000:
                return chr(cp)

    prompts = []
    for _ in range(count):
        parts = []
        for _ in range(rng.randrange(0, 40)):
            r = rng.random()
            if r < 0.3:
                parts.append(code_point())
            elif r < 0.35:
                parts.append(rng.choice(RANDOM_WORDS))
            else:
                pool = rng.choice(RANDOM_POOLS)
                parts.append("".join(rng.choice(pool) for _ in range(rng.randrange(1, 8))))
        prompts.append("".join(parts))
    return prompts


def sd2_config_folder() -> pathlib.Path:
    """Writes the Stable Diffusion 2.x tokenizer configuration (pad token `!`) under sd2/."""
    sd2 = FOLDER / "sd2"
    sd2.mkdir(exist_ok=True)
    entry = lambda content: {"content": content, "lstrip": False, "normalized": True, "rstrip": False, "single_word": False}
    special = {
        "bos_token": entry("<|startoftext|>"),
        "eos_token": entry("<|endoftext|>"),
        "pad_token": "!",
        "unk_token": entry("<|endoftext|>"),
    }
    (sd2 / "special_tokens_map.json").write_text(json.dumps(special, indent=2) + "\n", encoding="utf-8")
    config = {
        "add_prefix_space": False,
        "bos_token": entry("<|startoftext|>"),
        "eos_token": entry("<|endoftext|>"),
        "errors": "replace",
        "model_max_length": 77,
        "pad_token": "<|endoftext|>",
        "tokenizer_class": "CLIPTokenizer",
        "unk_token": entry("<|endoftext|>"),
    }
    (sd2 / "tokenizer_config.json").write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
    return sd2


def load(config_folder: pathlib.Path, fast: bool = False):
    with tempfile.TemporaryDirectory() as scratch:
        for name in ("vocab.json", "merges.txt"):
            shutil.copy(FOLDER / name, scratch)
        for name in ("special_tokens_map.json", "tokenizer_config.json"):
            shutil.copy(config_folder / name, scratch)
        cls = CLIPTokenizerFast if fast else CLIPTokenizer
        return cls.from_pretrained(scratch)


def encode(tokenizer, prompt: str) -> dict:
    out = tokenizer(prompt, padding="max_length", max_length=tokenizer.model_max_length, truncation=True)
    return {"input_ids": out["input_ids"], "attention_mask": out["attention_mask"]}


def main() -> None:
    assert transformers.__version__ == "4.57.6", transformers.__version__
    try:
        import ftfy  # noqa: F401
        sys.exit("ftfy is installed: this fixture records the BasicTokenizer (no ftfy) path")
    except ImportError:
        pass
    sd1 = load(FOLDER)
    sd2 = load(sd2_config_folder())
    fast = load(FOLDER, fast=True)
    assert sd1.pad_token_id == 49407 and sd2.pad_token_id == 0
    assert sd1.bos_token_id == 49406 and sd1.eos_token_id == 49407 and sd1.vocab_size == 49408
    assert len(PROMPTS) == len(set(PROMPTS)) >= 60

    cases = []
    for prompt in PROMPTS:
        full = sd1(prompt)["input_ids"]
        cases.append({
            "prompt": prompt,
            "tokens": sd1.tokenize(prompt),
            "full_ids": full,
            "sd1": encode(sd1, prompt),
            "sd2": encode(sd2, prompt),
            "fast_agrees": encode(fast, prompt) == encode(sd1, prompt),
        })
    random_cases = [
        {"prompt": prompt, "full_ids": sd1(prompt)["input_ids"], "sd2_ids": sd2(prompt)["input_ids"]}
        for prompt in random_prompts(20261125, 400)
    ]
    document = {
        "reference": f"transformers {transformers.__version__} CLIPTokenizer (slow, no ftfy), "
                     f"tokenizers {tokenizers.__version__}, Python {sys.version.split()[0]}, "
                     f"unicodedata {unicodedata.unidata_version}",
        "conventions": {"sd1": {"pad_token_id": sd1.pad_token_id}, "sd2": {"pad_token_id": sd2.pad_token_id}},
        "cases": cases,
    }
    with open(FOLDER / "parity.json", "w", encoding="utf-8") as handle:
        handle.write("{\n")
        handle.write(f'"reference": {json.dumps(document["reference"])},\n')
        handle.write(f'"conventions": {json.dumps(document["conventions"])},\n')
        handle.write('"cases": [\n')
        handle.write(",\n".join(json.dumps(case, ensure_ascii=True) for case in cases))
        handle.write("\n],\n")
        handle.write('"random_cases": [\n')
        handle.write(",\n".join(json.dumps(case, ensure_ascii=True, separators=(",", ":")) for case in random_cases))
        handle.write("\n]\n}\n")
    disagreements = [c["prompt"] for c in cases if not c["fast_agrees"]]
    print(f"{len(cases)} prompts; fast tokenizer disagrees on {len(disagreements)}:")
    for prompt in disagreements:
        print("  ", repr(prompt[:60]))


if __name__ == "__main__":
    main()
