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
