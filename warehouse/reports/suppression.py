"""Small-number suppression for special-category figures (domestic abuse, hate crime).

Below force level a count under the threshold could identify a victim, so it is shown as
suppressed. Primary suppression hides every count under the threshold. Secondary suppression then
hides the next-smallest count in any group that has exactly one hidden cell, because the group's
published total minus the others would reveal it. Repeat until no group has a lone hidden cell.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

THRESHOLD = 10
SUPPRESSED = "[c]"  # the ONS/GSS symbol for "confidential / suppressed"


def suppression_mask(df: pd.DataFrame, value_col: str, groups: Sequence[Sequence[str]],
                     threshold: int = THRESHOLD) -> pd.Series:
    """True where ``value_col`` must be hidden.

    ``groups``: each entry is a list of columns whose distinct values define cells that add up to a
    published total (e.g. ``[["force", "month"]]`` when CSP counts sum to the force's monthly figure).
    """
    hidden = df[value_col].notna() & (df[value_col] < threshold)
    changed = True
    while changed:
        changed = False
        for keys in groups:
            for idx in df.groupby(list(keys), dropna=False).indices.values():
                idx = df.index[idx]
                cells = hidden.loc[idx]
                if cells.sum() == 1 and len(idx) > 1:
                    visible = df.loc[idx][~cells][value_col].dropna()
                    if not visible.empty:
                        hidden.loc[visible.idxmin()] = True
                        changed = True
    return hidden


def apply(df: pd.DataFrame, value_cols: Sequence[str], groups: Sequence[Sequence[str]],
          threshold: int = THRESHOLD) -> pd.DataFrame:
    """A copy of ``df`` with suppressed counts replaced by ``[c]`` (columns become text)."""
    out = df.copy()
    for col in value_cols:
        mask = suppression_mask(df, col, groups, threshold)
        out[col] = out[col].astype(object)
        out.loc[mask, col] = SUPPRESSED
    return out
