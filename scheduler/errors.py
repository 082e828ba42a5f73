"""Errors users can act on.

Every error a user can cause names the file, the field, the bad value and what is allowed, so the CLI can
print one sentence and exit 2 instead of a traceback.
"""

from __future__ import annotations

from typing import Any


def _show(value: Any, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


class SchedulerError(Exception):
    """Base class of the errors the CLI turns into an exit code and one message."""

    exit_code = 1


class InputError(SchedulerError):
    """A scenario, demand or plan file that cannot be used as it is.

    Parameters
    ----------
    file
        The file at fault (or ``"<scenario>"`` for dicts given in Python).
    field
        Dotted path of the field, e.g. ``streams.care.handle_minutes``, or ``row 12, column items``.
    value
        The value found.
    allowed
        What would have been accepted, in words.
    """

    exit_code = 2

    def __init__(self, file: str, field: str, value: Any, allowed: str) -> None:
        self.file = str(file)
        self.field = field
        self.value = value
        self.allowed = allowed
        super().__init__(self.message)

    @property
    def message(self) -> str:
        shown = "(missing)" if self.value is _MISSING else _show(self.value)
        return f"{self.file}: {self.field} = {shown}: {self.allowed}"

    def to_dict(self) -> dict[str, Any]:
        value = None if self.value is _MISSING else self.value
        return {
            "error": "bad input",
            "file": self.file,
            "field": self.field,
            "value": value if isinstance(value, int | float | str | bool | None) else repr(value),
            "allowed": self.allowed,
            "message": self.message,
        }


class _Missing:
    def __repr__(self) -> str:
        return "(missing)"


_MISSING = _Missing()
MISSING: Any = _MISSING
