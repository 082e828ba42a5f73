"""The crew level as a MIP in HiGHS, run in a thread beside the strategies for its bound alone.

The crew level is a relaxation of the real problem (per-person rules summed over a crew; unmet need priced,
dear when the user did not allow it), so its MIP's dual bound holds for every plan. Measured on this machine
(HiGHS 1.16, 2026-12-06, the machine shared): ladder S's crew MIP bound reached 10 834.50 EUR in 5 s and
10 909.02 EUR in 30 s, where the crew LP gives 10 474.02 EUR and CP-SAT's crew search about 10 478 EUR; the
tourism week 15 687.44 EUR in 10 s (LP about 15 574); the retailer 62 408.29 EUR (LP 61 289), but asked to
stop, HiGHS took up to 35 s there (see ``CREW_BOUND_SHIFT_LIMIT`` in ``scheduler.solve``). HiGHS lets go
of the GIL while it runs: the thread is one more beside the CP-SAT workers (with 2 workers on 2 cores they
share the cores with it).
"""

from __future__ import annotations

import math
import threading
import time

from scheduler.engine.master import quiet_highs
from scheduler.model.data import ModelData
from scheduler.model.lp import highs_model
from scheduler.plan import StageReport
from scheduler.strategies import Candidate, euros
from scheduler.strategies.cpsat import crew_model


class CrewBound:
    """Starts at once; ``finish()`` stops the MIP and returns its bound as a candidate without a plan."""

    def __init__(self, data: ModelData, allow_shortfall: bool, time_limit: float) -> None:
        self._started = time.perf_counter()
        proto = crew_model(data, allow_shortfall).model.proto
        self._offset = proto.objective.offset
        self._size = (len(proto.variables), len(proto.constraints))
        self._highs = highs_model(proto, integer=True, highs=quiet_highs())
        self._thread: threading.Thread | None = None
        if self._highs is None:
            return
        self._highs.setOptionValue("time_limit", max(0.5, time_limit))
        self._highs.setOptionValue("threads", 1)
        self._highs.setOptionValue("random_seed", 0)
        self._highs.HandleUserInterrupt = True
        self._thread = threading.Thread(target=self._highs.run, name="crew MIP bound", daemon=True)
        self._thread.start()

    def finish(self) -> Candidate:
        bound = self._stop()
        status = "UNKNOWN" if bound is None else "BOUND"
        report = StageReport("crew MIP bound", status, None, euros(bound), self._wall, *self._size)
        return Candidate("UNKNOWN", None, None, bound, (report,), None, None, "crew MIP bound")

    def _stop(self) -> float | None:
        """Stop the MIP; its dual bound in whole cents, None without one."""
        self._wall = 0.0
        if self._thread is None:
            return None
        self._highs.cancelSolve()
        self._thread.join()
        self._wall = round(time.perf_counter() - self._started, 3)
        import highspy

        status = self._highs.getModelStatus()
        if status in (highspy.HighsModelStatus.kInfeasible, highspy.HighsModelStatus.kUnboundedOrInfeasible):
            return None  # the CP-SAT strategies prove and explain infeasibility themselves
        bound = self._highs.getInfo().mip_dual_bound
        if not math.isfinite(bound):
            return None
        value = bound + self._offset
        return math.ceil(value - 1e-6 * max(1.0, abs(value)) - 1e-6)  # whole cents, solver tolerance
