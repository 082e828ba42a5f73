"""The pricing kernel against brute force: every 7-day pattern of one employee, scored by the evaluator."""

from __future__ import annotations

import itertools
import random

import numpy as np
import pytest

from scheduler.curtois.evaluate import evaluate
from scheduler.curtois.labeling import employee_rules, price
from scheduler.curtois.reader import parse_instance
from tests.curtois.conftest import instance_text


def _random_employee(rng: random.Random) -> str:
    max_c = rng.randint(1, 5)
    caps = f"D={rng.randint(0, 7)}|N={rng.randint(0, 7)}"
    most = rng.choice([1440, 2400, 3360])
    least = min(most, rng.choice([0, 480, 960, 1440]))
    return f"A,{caps},{most},{least},{max_c},{rng.randint(1, max_c)},{rng.randint(1, 3)},{rng.randint(0, 1)}"


@pytest.mark.parametrize("trial", range(40))
def test_cheapest_schedule_matches_brute_force(trial: int) -> None:
    """Random rules (runs, days off, caps, minutes, weekends, a forbidden N->D) and random duals: the
    kernel's cheapest reduced cost is the brute-force minimum, and every schedule it returns is legal with
    the reduced cost it states."""
    rng = random.Random(trial)
    days_off = ",".join(str(d) for d in rng.sample(range(7), rng.randint(0, 2)))
    inst = parse_instance(
        instance_text(
            staff=_random_employee(rng),
            shifts="D,480,\nN,600,D",
            days_off="A" + ("," + days_off if days_off else ""),
            on="A,2,D,3",
            off="A,5,N,4",
        )
    )
    duals = np.array([[rng.uniform(-2, 8) for _ in range(2)] for _ in range(7)])

    def reduced(pattern: tuple[str | None, ...]) -> float:
        worked = sum(duals[d, inst.shift_names.index(s)] for d, s in enumerate(pattern) if s)
        return evaluate(inst, {"A": pattern}).penalty - worked

    legal = [p for p in itertools.product((None, "D", "N"), repeat=7) if evaluate(inst, {"A": p}).feasible]
    schedules, costs, exact = price(employee_rules(inst, inst.employees[0]), duals, n_best=3)
    assert exact
    if not legal:
        assert len(costs) == 0
        return
    assert costs[0] == pytest.approx(min(map(reduced, legal)))
    for row, cost in zip(schedules, costs, strict=True):
        pattern = tuple(None if x < 0 else inst.shift_names[x] for x in row)
        assert evaluate(inst, {"A": pattern}).feasible, pattern
        assert reduced(pattern) == pytest.approx(cost)


def test_a_narrow_beam_skips_a_run_that_a_fixed_day_off_cuts_short() -> None:
    """Runs of at least 2 days, day 2 off by contract, and day 1 the most valuable: working day 1 alone
    would be the cheapest label after two days, yet it can only die on day 2. A beam of one label must not
    keep it (it then finds no schedule at all)."""
    inst = parse_instance(instance_text(staff="A,D=7,3360,0,7,2,1,1", days_off="A,2"))
    duals = np.array([[-10.0], [100.0], [0.0], [1.0], [1.0], [1.0], [1.0]])
    schedules, costs, exact = price(employee_rules(inst, inst.employees[0]), duals, 1, max_labels=1)
    assert not exact and len(costs) == 1
    pattern = tuple(None if x < 0 else "D" for x in schedules[0])
    assert evaluate(inst, {"A": pattern}).feasible


def test_a_narrow_beam_keeps_labels_that_work_enough() -> None:
    """Two weeks, at least 6 shifts, at most 4 in a row, no weekend: working mostly costs, so the cheapest
    labels work the least and starve; a beam of the 4 cheapest alone found no schedule (found by a random
    search against the former kernel). Keeping labels of every count of shifts worked, it finds the optimum."""
    inst = parse_instance(instance_text(staff="A,D=14,6720,2880,4,1,1,0", days=14))
    duals = np.array([[-1.2, 0.0, -1.9, -1.9, 0.2, -2.3, -1.8, -2.3, -2.0, 0.8, -0.4, -0.4, -1.8, -0.2]]).T
    rules = employee_rules(inst, inst.employees[0])
    schedules, costs, exact = price(rules, duals, 1, max_labels=4)
    assert not exact and len(costs) == 1
    assert costs[0] == pytest.approx(price(rules, duals, 1)[1][0])
    pattern = tuple(None if x < 0 else "D" for x in schedules[0])
    assert evaluate(inst, {"A": pattern}).feasible
