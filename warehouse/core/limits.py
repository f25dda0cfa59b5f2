"""Safety limits (``warehouse/core/reliability.yml``): quarantine shares, movement thresholds, holds, input bounds.

``PCP_RELIABILITY_FILE`` points at another YAML of the same shape (tests use it to loosen a limit).
The crash tests' fault hook is in ``warehouse/core/faults.py``.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

DEFAULT_FILE = Path(__file__).with_name("reliability.yml")


@lru_cache(maxsize=4)
def _settings(path: str) -> dict[str, Any]:
    return yaml.safe_load(Path(path).read_text()) or {}


def settings() -> dict[str, Any]:
    return _settings(os.environ.get("PCP_RELIABILITY_FILE", str(DEFAULT_FILE)))


def max_bad_share(table: str) -> float:
    q = settings().get("quarantine", {})
    return float((q.get("tables") or {}).get(table, q.get("default_max_bad_share", 0.0)))


def max_move_pct(metric_id: str) -> float:
    m = settings().get("movement", {})
    return float((m.get("metrics") or {}).get(metric_id, m.get("default_max_pct", 10.0)))


def input_limit(name: str, contract_meta: dict | None = None) -> float:
    """``max_file_bytes``, ``max_line_bytes`` or ``max_abs_number``: the environment
    (``PCP_MAX_FILE_BYTES``...), then the contract's own, then ``input:`` in reliability.yml."""
    env = os.environ.get("PCP_" + name.upper())
    if env:
        return float(env)
    if contract_meta and contract_meta.get(name) is not None:
        return float(contract_meta[name])
    shipped = _settings(str(DEFAULT_FILE))["input"]  # a limits file without an input: section keeps these
    return float((settings().get("input") or {}).get(name, shipped[name]))
