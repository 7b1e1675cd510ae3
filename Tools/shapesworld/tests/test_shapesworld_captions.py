"""Caption templates in all nine languages: exact expected texts, agreement, coverage."""

import itertools

import pytest

from captions import (clip_caption, prompt_text, relation_between, scene_captions,
                      story_captions)
from classes import COLOURS, SHAPES
from languages import GRAMMARS, LANGUAGES, grammar
from scene import make_object, sample_scene
from splits import rng_for
from stories import sample_story

ITEMS = [("red", "circle", 1), ("blue", "star", 2)]

# hand-checked reference phrases for "a red circle and two blue stars"
EXPECTED_LIST = {
    "en": "a red circle and two blue stars",
    "zh": "一个红色圆形和两个蓝色星形",
    "es": "un círculo rojo y dos estrellas azules",
    "fr": "un cercle rouge et deux étoiles bleues",
    "ru": "красный круг и две синие звезды",
    "ja": "赤い円と二つの青い星",
    "ko": "빨간 원과 파란 별 두 개",
    "ar": "دائرة حمراء ونجمتان زرقاوان",
    "it": "un cerchio rosso e due stelle blu",
}

# "a yellow square to the left of a white hexagon"
EXPECTED_RELATION = {
    "en": "a yellow square is to the left of a white hexagon",
    "zh": "黄色正方形在白色六边形的左边",
    "es": "un cuadrado amarillo está a la izquierda de un hexágono blanco",
    "fr": "un carré jaune est à gauche d'un hexagone blanc",
    "ru": "жёлтый квадрат слева от белого шестиугольника",
    "ja": "黄色い正方形が白い六角形の左にあります",
    "ko": "노란 정사각형은 흰 육각형의 왼쪽에 있다",
    "ar": "يوجد مربع أصفر على يسار مسدس أبيض",
    "it": "un quadrato giallo è a sinistra di un esagono bianco",
}


def test_all_nine_languages_are_supported():
    assert set(LANGUAGES) == {"en", "zh", "es", "fr", "ru", "ja", "ko", "ar", "it"}
    assert set(GRAMMARS) == set(LANGUAGES)


@pytest.mark.parametrize("language", LANGUAGES)
def test_reference_phrases(language):
    assert prompt_text(language, ITEMS) == EXPECTED_LIST[language]
    relation = prompt_text(language, [("yellow", "square", 1), ("white", "hexagon", 1)], "left")
    assert relation == EXPECTED_RELATION[language]


def test_number_agreement():
    ru, ar, fr, es, en, ko = (grammar(x) for x in ("ru", "ar", "fr", "es", "en", "ko"))
    assert ru.item("red", "circle", 3) == "три красных круга"      # 2-4: genitive singular
    assert ru.item("red", "circle", 5) == "пять красных кругов"    # 5+: genitive plural
    assert ru.item("blue", "star", 6) == "шесть синих звёзд"
    assert ru.relation(("red", "star"), "above", ("green", "square")) == "красная звезда над зелёным квадратом"
    assert ar.item("red", "square", 3) == "ثلاثة مربعات حمراء"    # masculine noun: feminine numeral
    assert ar.item("red", "circle", 3) == "ثلاث دوائر حمراء"      # feminine noun: masculine numeral
    assert fr.item("white", "star", 4) == "quatre étoiles blanches"
    assert es.item("orange", "square", 2) == "dos cuadrados naranja"
    assert en.item("orange", "circle") == "an orange circle"
    assert ko.join(["빨간 원", "파란 별"]) == "빨간 원과 파란 별"        # final consonant: 과
    assert ko.join(["빨간 원 두 개", "파란 별"]) == "빨간 원 두 개와 파란 별"  # vowel: 와


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_colour_shape_pair_has_a_distinct_phrase(language):
    g = grammar(language)
    for count in (1, 2, 3, 5):
        phrases = {g.item(c, s, count) for c, s in itertools.product(COLOURS, SHAPES)}
        assert len(phrases) == len(COLOURS) * len(SHAPES)


@pytest.mark.parametrize("seed", range(10))
def test_scene_captions_are_parallel_in_all_languages(seed):
    scene = sample_scene(rng_for("caption", seed), 64)
    captions = scene_captions(scene)
    assert set(captions) == set(LANGUAGES)
    counts = {len(v) for v in captions.values()}
    assert len(counts) == 1 and counts.pop() >= 4      # same paraphrases in every language
    for language, texts in captions.items():
        assert len(set(texts)) == len(texts)           # paraphrases differ
        for text in texts:
            assert text.strip() == text and text[-1] in ".。"
    # English mentions each object's colour and shape
    for obj in scene["objects"]:
        assert obj["colour"] in captions["en"][0] and obj["shape"] in captions["en"][0]


def test_relation_from_positions():
    a = make_object("circle", "red", 10, 30, 5)
    b = make_object("square", "blue", 40, 32, 5)
    c = make_object("star", "green", 12, 5, 4)
    assert relation_between(a, b) == "left" and relation_between(b, a) == "right"
    assert relation_between(c, a) == "above" and relation_between(a, c) == "below"


@pytest.mark.parametrize("seed", range(6))
def test_story_captions_name_then_refer_and_hide_the_attribute(seed):
    story = sample_story(rng_for("story", seed), 64)
    assert len(story["captions"]) == len(story["frames"]) in (4, 5)
    hidden = story["hidden_attribute"]["colour"]
    for language in LANGUAGES:
        frames = [frame[language] for frame in story["captions"]]
        assert all(len(f) == 2 for f in frames)
        g = grammar(language)
        for k, frame in enumerate(frames[1:]):
            primary = frame[0]
            expected = g.pronoun if story["subjects"][k] == "pronoun" else None
            if expected:
                assert primary.lower().startswith(expected.lower())
    en = " ".join(" ".join(frame["en"]) for frame in story["captions"]).lower()
    assert hidden not in en and "stripe" not in en
    assert story["protagonist"]["colour"] in en


def test_story_caption_text():
    frames = story_captions("fr", "Kiki", "red", "star", ["jump", "move_left"], ["name", "pronoun"])
    assert frames == [["Kiki est une étoile rouge.", "Voici Kiki, une étoile rouge."],
                      ["Kiki saute.", "Il saute."],
                      ["Il se déplace vers la gauche.", "Kiki se déplace vers la gauche."]]
    assert story_captions("ja", "Kiki", "red", "star", [], [])[0][0] == "キキは赤い星です。"


def test_clip_captions():
    sprites = [("red", "circle", "left"), ("green", "star", "up")]
    assert clip_caption("en", sprites) == "A red circle moving left and a green star moving up."
    assert clip_caption("ru", sprites) == "Красный круг, движущийся влево, и зелёная звезда, движущаяся вверх."
    assert clip_caption("zh", sprites[:1]) == "一个红色圆形向左移动。"
    assert all(clip_caption(language, sprites) for language in LANGUAGES)


def test_definite_relations_use_articles_and_contractions():
    cases = {
        "en": "the red circle is to the left of the blue hexagon",
        "es": "el círculo rojo está a la izquierda del hexágono azul",
        "fr": "le cercle rouge est à gauche de l'hexagone bleu",
        "it": "il cerchio rosso è a sinistra dell'esagono blu",
        "ar": "الدائرة الحمراء على يسار المسدس الأزرق",
        "ru": "красный круг слева от синего шестиугольника",
    }
    for language, expected in cases.items():
        assert grammar(language).relation(("red", "circle"), "left", ("blue", "hexagon"), True) == expected
    assert grammar("fr").relation(("white", "star"), "above", ("orange", "square"), True) == \
        "l'étoile blanche est au-dessus du carré orange"
    assert grammar("it").relation(("white", "star"), "above", ("orange", "square"), True) == \
        "la stella bianca è sopra il quadrato arancione"


def test_scene_relation_captions_are_definite():
    a = make_object("star", "white", 10, 30, 6)
    b = make_object("square", "orange", 45, 31, 6)
    scene = {"objects": [a, b]}
    captions = scene_captions(scene, ["en", "fr"])
    assert captions["en"][-2:] == [
        "A white star and an orange square. The white star is to the left of the orange square.",
        "A white star and an orange square. The orange square is to the right of the white star."]
    assert captions["fr"][-2] == ("Une étoile blanche et un carré orange. "
                                  "L'étoile blanche est à gauche du carré orange.")
