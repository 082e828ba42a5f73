"""Deep merge of plain dicts: how defaults sit under a scenario and how a variant sits over its base."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any


def deep_merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """A new dict: ``override`` over ``base``; nested dicts merge, other values replace, ``None`` deletes.

    Lists replace as a whole: a variant that lists ``people`` lists all of them.
    """
    out = copy.deepcopy(dict(base))
    for key, value in override.items():
        if value is None:
            out.pop(key, None)
        elif isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def set_path(data: Mapping[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A copy of ``data`` with the dotted ``path`` set (``"*"`` matches every key at that level)."""
    parts = path.split(".")
    out = copy.deepcopy(dict(data))

    def _set(node: dict[str, Any], i: int) -> None:
        key = parts[i]
        keys = list(node) if key == "*" else [key]
        for k in keys:
            if i == len(parts) - 1:
                node[k] = value
            else:
                child = node.get(k)
                if not isinstance(child, dict):
                    child = {}
                    node[k] = child
                _set(child, i + 1)

    _set(out, 0)
    return out
