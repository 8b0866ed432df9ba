"""Conditions run on the engine's hot path: keep evaluation in the microsecond range."""

from __future__ import annotations

import time

from bpmnflow.expr import compile_expression


def _mean_seconds(text: str, variables: dict[str, object], rounds: int = 20_000) -> float:
    expression = compile_expression(text)
    resolve = variables.__getitem__
    start = time.perf_counter()
    for _ in range(rounds):
        expression.evaluate(resolve)
    return (time.perf_counter() - start) / rounds


def test_simple_condition_takes_microseconds():
    # A few microseconds is the target; the bound is loose so a busy CI box stays green.
    assert _mean_seconds("${x > 5}", {"x": 7}) < 20e-6


def test_typical_condition_stays_fast():
    text = "${!rejected && total ge 100 && customer.tier == 'gold'}"
    variables = {"rejected": False, "total": 150, "customer": {"tier": "gold"}}
    assert _mean_seconds(text, variables) < 50e-6


def test_compilation_is_cached():
    text = "${a * 2 + b}"
    compile_expression(text)
    start = time.perf_counter()
    for _ in range(10_000):
        compile_expression(text)
    assert (time.perf_counter() - start) / 10_000 < 10e-6
