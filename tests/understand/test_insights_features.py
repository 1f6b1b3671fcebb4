"""Driver feature columns built column by column: the encoding rules hold on coded input."""

from __future__ import annotations

import numpy as np

from otklik.understand.insights_features import (
    ResponseColumns,
    build_columns,
    coded,
    parse_objects,
)


def columns_for(answers: list[str | None], customers: list[str | None] | None = None):
    n = len(answers)
    return ResponseColumns(
        response_ids=np.arange(1, n + 1),
        answers=parse_objects(coded(answers)),
        touchpoint=coded([None] * n),
        segment=coded([None] * n),
        customer_attributes=parse_objects(coded(customers or [None] * n)),
        response_attributes=parse_objects(coded([None] * n)),
    )


def test_coding_stores_each_distinct_value_once_in_order_of_appearance():
    c = coded(["b", "a", "b", None])
    assert c.values == ["b", "a", None] and c.codes.tolist() == [0, 1, 0, 2]
    parsed = parse_objects(coded(['{"x": 1}', None, '{"x": 1}', "[1]", '{"y": NaN}']))
    assert parsed.values[:3] == [{"x": 1}, {}, {}] and np.isnan(parsed.values[3]["y"])


def test_most_common_level_is_the_reference_and_a_tie_goes_to_the_first_seen():
    # "no" and "yes" both answered 3 times; "no" comes first, so it is the reference.
    answers = [
        '{"ok": false}', '{"ok": true}', '{"ok": false}', '{"ok": true}', '{"ok": false}',
        '{"ok": true, "nps": 3, "comment": "x"}', None,
    ]  # fmt: skip
    cols = build_columns(columns_for(answers), min_count=2)
    assert [c.key for c in cols] == ["answer:ok=yes"]
    assert cols[0].values.tolist() == [0, 1, 0, 1, 0, 1, 0]  # unanswered: 0 in every column
    assert cols[0].present.tolist() == [False, True, False, True, False, True, False]


def test_missing_numbers_take_the_mean_and_rare_free_text_and_metrics_are_left_out():
    answers = [f'{{"wait": {w}, "note": "n{w}", "nps": {w}}}' for w in range(14)] + [None, None]
    customers = ['{"tier": "gold", "segment": "x"}'] * 9 + ['{"tier": "basic"}'] * 7
    cols = build_columns(columns_for(answers, customers), min_count=2)
    keys = [c.key for c in cols]
    assert keys == ["answer:wait", "customer:tier=basic"]  # 14 distinct notes: free text
    wait = cols[0]
    assert wait.values[-2:].tolist() == [6.5, 6.5] and wait.present.sum() == 14


def test_a_column_identical_to_an_earlier_one_is_dropped():
    answers = ['{"a": "x", "b": "p"}', '{"a": "y", "b": "q"}'] * 5
    cols = build_columns(columns_for(answers), min_count=2)
    assert [c.key for c in cols] == ["answer:a=y"]
