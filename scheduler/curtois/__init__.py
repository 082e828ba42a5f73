"""The Curtois-Qu staff-scheduling benchmark: reader, independent evaluator and a CP-SAT model.

The instances are public (schedulingbenchmarks.org); this package measures our modelling against the
published best known values, apart from the weekly engine and its scenario format.
"""

from scheduler.curtois.evaluate import Evaluation, evaluate, read_roster_csv, write_roster_csv
from scheduler.curtois.reader import Cover, Employee, Instance, Request, Shift, parse_instance, read_instance

__all__ = [
    "Cover",
    "Employee",
    "Evaluation",
    "Instance",
    "Request",
    "Shift",
    "evaluate",
    "parse_instance",
    "read_instance",
    "read_roster_csv",
    "write_roster_csv",
]
