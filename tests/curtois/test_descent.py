"""Best responses on tiny instances: each step exact against the others, never worse, legal rosters."""

from __future__ import annotations

import time

import numpy as np
import pytest

import scheduler.curtois.descent as descent
from scheduler.curtois.descent import Cover, Responses, capped, fitted, own_cost
from scheduler.curtois.evaluate import evaluate
from scheduler.curtois.labeling import employee_rules
from scheduler.curtois.reader import parse_instance
from tests.curtois.conftest import instance_text
from tests.curtois.test_columns import TINY


def _responses(text: str = TINY) -> Responses:
    inst = parse_instance(text)
    return Responses(inst, [employee_rules(inst, e) for e in inst.employees], labels=200)


def test_greedy_roster_reaches_the_hand_computed_optimum() -> None:
    """A works exactly two shifts (cap 2, at least 960 minutes), one of them day 6 (its request); B then takes
    two other days, not day 0 (its request off): four of seven days covered, 300, the optimum (test_solve)."""
    r = _responses()
    assert r.descend(time.perf_counter() + 10) and r.complete
    roster = r.roster()
    assert r.penalty() == evaluate(r.instance, roster).penalty == 300
    assert roster["A"][6] == "D" and roster["B"][0] is None
    assert not any(r.respond(e) for e in range(2))  # a local optimum: no employee can do better alone


def test_descent_from_a_bad_roster_lowers_the_penalty_to_the_optimum() -> None:
    """A and B both on days 1 and 2: five days short (500), two over-staffed (2), A's request for day 6 not
    granted (5)."""
    r = _responses()
    both = tuple("D" if d in (1, 2) else None for d in range(7))
    r.load({"A": both, "B": both})
    before = r.penalty()
    verdict = evaluate(r.instance, r.roster())
    assert verdict.feasible and before == verdict.penalty == 507
    assert r.respond(1)  # B moves away from A's days
    assert r.penalty() < before
    r.descend(time.perf_counter() + 10)
    assert r.penalty() == 300


def test_ruin_and_recreate_keeps_a_legal_roster_never_dearer() -> None:
    text = TINY.replace("SECTION_STAFF\n", "SECTION_STAFF\nC,D=3,3360,0,2,1,1,1\n").replace(
        "SECTION_DAYS_OFF\n", "SECTION_DAYS_OFF\nC\n"
    )
    r = _responses(text)
    r.descend(time.perf_counter() + 10)
    local = r.penalty()
    r.improve(time.perf_counter() + 0.5)
    verdict = evaluate(r.instance, r.roster())
    assert verdict.feasible and verdict.penalty == r.penalty() <= local


def test_cell_values_price_one_more_employee() -> None:
    """A short cell is worth its under weight; a met one costs its over weight."""
    r = _responses()
    cover = Cover(r.instance)
    schedule = np.array([0, -1, -1, -1, -1, -1, -1])
    assert cover.values()[0, 0] == 100
    cover.put(schedule, 1)
    assert cover.values()[0, 0] == -1 and cover.penalty() == 600
    assert own_cost(r.rules[1], schedule, cover.values()) == 50 + 1  # B's request off day 0, and the over weight


def test_a_cap_left_out_of_the_labels_is_kept_by_repair(monkeypatch: pytest.MonkeyPatch) -> None:
    """When an employee's states do not fit the kernel's key (Instances 23 and 24), the largest caps leave the
    labels and are repaired: D worth 10, 9, ... 4 on days 0-6 but capped at 2, N worth 1: D on days 0 and 1,
    N on the other five (-24); without the repair, D all week (-49)."""
    monkeypatch.setattr(descent, "KEY_LIMIT", 1)
    inst = parse_instance(instance_text(staff="A,D=2|N=7,3360,0,7,1,1,1", shifts="D,480,\nN,480,", days_off="A"))
    rules, dropped = fitted(employee_rules(inst, inst.employees[0]))
    assert dropped and not len(rules.cap_value)
    values = np.array([[10.0 - d, 1.0] for d in range(7)])
    schedules, costs = capped(rules, dropped, values, labels=200)
    assert costs[0] == -24
    pattern = tuple(inst.shift_names[x] for x in schedules[0])
    assert pattern == ("D", "D", "N", "N", "N", "N", "N")
    assert evaluate(inst, {"A": pattern}).feasible


def test_a_cut_off_construction_finishes_the_employees_without_a_schedule_first(monkeypatch) -> None:
    """A descent resumed on a roster with A scheduled and B not prices B before A again (Instance 24's first
    roster came after its time limit when the resumed pass re-priced the first employees first)."""
    inst = parse_instance(
        instance_text(
            staff="A,D=2,3360,0,3,1,1,1\nB,D=2,3360,0,3,1,1,1",
            days_off="A\nB",
            cover="\n".join(f"{d},D,1,100,1" for d in range(7)),
        )
    )
    responses = Responses(inst, [employee_rules(inst, e) for e in inst.employees], 200)
    responses.respond(0)
    priced: list[int] = []
    respond = Responses.respond
    monkeypatch.setattr(Responses, "respond", lambda self, e: priced.append(e) or respond(self, e))
    responses.descend(time.perf_counter() + 10)
    assert priced[:2] == [1, 0] and responses.complete
