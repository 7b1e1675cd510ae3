"""Templated, parallel captions in nine languages for scenes, stories and clips.

A scene caption names every object by colour and shape with its count ("two red circles and a
blue square"); relation captions add where one object is relative to another ("the red circle is
to the left of the blue square", and the same fact from the other object's side as a paraphrase).
The text comes from ``languages.py``; this module decides *what* is said, identically for every
language, so captions in all nine languages are translations of one another.
"""

from languages import INVERSE_RELATION, LANGUAGES, capitalise, grammar, localised_name


def groups(objects):
    """(colour, shape, count) for each distinct colour+shape, in order of first appearance."""
    counts = {}
    for obj in objects:
        key = (obj["colour"], obj["shape"])
        counts[key] = counts.get(key, 0) + 1
    return [(colour, shape, n) for (colour, shape), n in counts.items()]


def relation_between(a, b):
    """Where object a is relative to object b: 'left', 'right', 'above' or 'below'.

    Uses the axis with the larger centre offset (image y grows downwards).
    """
    dx, dy = a["cx"] - b["cx"], a["cy"] - b["cy"]
    if abs(dx) >= abs(dy):
        return "left" if dx < 0 else "right"
    return "above" if dy < 0 else "below"


def is_clear_relation(a, b, ratio=1.5):
    """True when one axis dominates the offset, so the relation is not borderline."""
    dx, dy = abs(a["cx"] - b["cx"]), abs(a["cy"] - b["cy"])
    return max(dx, dy) >= ratio * min(dx, dy) and max(dx, dy) > (a["r"] + b["r"]) * 0.5


def relation_pair(objects):
    """First pair of objects that are each the only one of their colour+shape and clearly placed."""
    key_counts = {}
    for obj in objects:
        key = (obj["colour"], obj["shape"])
        key_counts[key] = key_counts.get(key, 0) + 1
    unique = [o for o in objects if key_counts[(o["colour"], o["shape"])] == 1]
    for i, a in enumerate(unique):
        for b in unique[i + 1:]:
            if is_clear_relation(a, b):
                return a, b
    return None


def sentence(language, text):
    g = grammar(language)
    return capitalise(text) + g.period


def inventory_captions(language, objects):
    """All inventory paraphrases of a set of objects in one language."""
    g = grammar(language)
    listing = g.join([g.item(c, s, n) for c, s, n in groups(objects)])
    return [sentence(language, g.inventory(i, listing)) for i in range(len(g.inventory_templates))]


def relation_captions(language, a, b, definite=True):
    """'a is <rel> b' and the inverse 'b is <inverse rel> a' (two paraphrases of one fact).

    ``definite``: the objects were already introduced by the inventory and are unique in the
    scene, so languages with articles use the definite one ("the red circle").
    """
    g = grammar(language)
    rel = relation_between(a, b)
    a_key, b_key = (a["colour"], a["shape"]), (b["colour"], b["shape"])
    return [sentence(language, g.relation(a_key, rel, b_key, definite)),
            sentence(language, g.relation(b_key, INVERSE_RELATION[rel], a_key, definite))]


def scene_captions(scene, languages=LANGUAGES):
    """{language: [captions]} for a scene: inventory paraphrases, then relation captions."""
    pair = relation_pair(scene["objects"])
    result = {}
    for language in languages:
        captions = inventory_captions(language, scene["objects"])
        if pair is not None:
            base, gap = captions[0], grammar(language).sentence_gap
            captions += [f"{base}{gap}{rel}" for rel in relation_captions(language, *pair)]
        result[language] = captions
    return result


def prompt_text(language, items, relation=None):
    """A text-to-image prompt (no final period): an inventory, or 'A <relation> B'.

    ``items`` is a list of (colour, shape, count); with ``relation`` it must be two single objects.
    """
    g = grammar(language)
    if relation is None:
        return g.join([g.item(c, s, n) for c, s, n in items])
    (ca, sa, na), (cb, sb, nb) = items
    assert na == nb == 1, "relation prompts name exactly two single objects"
    return g.relation((ca, sa), relation, (cb, sb))


def story_captions(language, name, colour, shape, actions, subjects):
    """Per-frame caption lists for a story.

    Frame 0 introduces the protagonist (two paraphrases); frame k > 0 describes ``actions[k-1]``
    with the subject given by ``subjects[k-1]`` ('name' or 'pronoun'), plus the other form as a
    paraphrase. The hidden attribute is never mentioned.
    """
    g = grammar(language)
    name = localised_name(name, language)
    frames = [[sentence(language, g.intro(t, name, colour, shape))
               for t in range(len(g.intro_templates))]]
    for action, subject in zip(actions, subjects):
        by_name = sentence(language, g.action(name, action))
        by_pronoun = sentence(language, g.action(g.pronoun, action))
        frames.append([by_name, by_pronoun] if subject == "name" else [by_pronoun, by_name])
    return frames


def clip_caption(language, sprites):
    """One caption for a clip: each sprite (colour, shape, direction) 'moving <direction>'."""
    g = grammar(language)
    return sentence(language, g.join_moving([g.moving(c, s, d) for c, s, d in sprites]))
