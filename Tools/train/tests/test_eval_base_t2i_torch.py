"""Prompt sets of the base text-to-image eval: held-out test seeds by default, validation seeds for tuning."""

import eval_base_t2i_torch as e
from splits import SPLITS


def seeds(specs):
    return [int(spec["id"].split("-")[1]) for spec in specs]


def test_test_and_validation_sets_come_from_their_own_splits():
    for split in ("test", "validation"):
        one_two, three = e.one_two_specs(20, split), e.three_specs(10, split)
        assert all(seed in SPLITS[split] for seed in seeds(one_two) + seeds(three)), split
        assert all(e.n_objects(spec) <= 2 for spec in one_two)
        assert all(e.n_objects(spec) == 3 for spec in three)


def test_validation_prompts_mirror_the_test_offsets_and_kinds():
    test, validation = e.one_two_specs(30, "test"), e.one_two_specs(30, "validation")
    assert seeds(test)[0] - SPLITS["test"].start == seeds(validation)[0] - SPLITS["validation"].start
    assert {spec["kind"] for spec in test} == {spec["kind"] for spec in validation}
    assert [spec["items"] for spec in test] != [spec["items"] for spec in validation]


def test_prompt_accuracy_counts_objects_present_and_strict_accuracy_every_criterion():
    specs = [{"kind": "single", "items": [["red", "circle", 1]], "relation": None},
             {"kind": "relation", "items": [["red", "circle", 1], ["blue", "star", 1]], "relation": "left"},
             {"kind": "relation", "items": [["red", "circle", 1], ["blue", "star", 1]], "relation": "left"},
             {"kind": "count", "items": [["green", "square", 2]], "relation": None}]
    verdict = lambda present, counts, extra, relation: {  # noqa: E731
        "objects_present": present, "counts_correct": counts, "no_extra_objects": extra,
        "relation_correct": relation, "correct": present and counts and extra and relation is not False}
    verdicts = [verdict(True, True, True, None), verdict(True, True, True, False),
                verdict(True, True, True, True), verdict(False, False, True, None)]
    summary = e.summarise(verdicts, specs)
    assert summary["prompt_accuracy"] == 0.75      # objects present in three of four
    assert summary["strict_accuracy"] == 0.5       # the misplaced relation fails too
    assert summary["position_accuracy"] == 0.5
    assert summary["count_accuracy"] == 0.75
    assert summary["by_kind"]["relation"] == {"prompt_accuracy": 1.0, "strict_accuracy": 0.5, "prompts": 2}
    assert summary["by_kind"]["count2"] == {"prompt_accuracy": 0.0, "strict_accuracy": 0.0, "prompts": 1}
