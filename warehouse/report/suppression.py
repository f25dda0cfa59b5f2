"""Small-number suppression for special-category figures (domestic abuse, hate crime).

Below force level a count under the threshold could identify a victim, so it is shown as
suppressed. Primary suppression hides every count under the threshold. Secondary suppression then
hides one more count wherever a published total would otherwise reveal a hidden one:
- down a column, in any group of rows that adds up to a published total (e.g. the partnerships of a
  force in a month add up to the force's monthly figure) with exactly one hidden cell;
- across a row, where one column is the sum of others (justice outcomes = charges + out-of-court)
  and exactly one of them is hidden.
It repeats until no total can reveal a hidden cell.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

THRESHOLD = 10
SUPPRESSED = "[c]"  # the ONS/GSS symbol for "confidential / suppressed"


def suppression_masks(
    df: pd.DataFrame,
    value_cols: Sequence[str],
    groups: Sequence[Sequence[str]],
    row_sums: Mapping[str, Sequence[str]] | None = None,
    threshold: int = THRESHOLD,
) -> dict[str, pd.Series]:
    """Per column, True where the cell must be hidden."""
    masks = {c: df[c].notna() & (df[c] < threshold) for c in value_cols}
    row_sums = {t: [p for p in parts if p in masks] for t, parts in (row_sums or {}).items() if t in masks}
    changed = True
    while changed:
        changed = False
        for col in value_cols:
            for keys in groups:
                for pos in df.groupby(list(keys), dropna=False).indices.values():
                    idx = df.index[pos]
                    cells = masks[col].loc[idx]
                    if cells.sum() == 1 and len(idx) > 1:
                        visible = df.loc[idx][~cells][col].dropna()
                        if not visible.empty:
                            masks[col].loc[visible.idxmin()] = True
                            changed = True
        for total, parts in row_sums.items():
            cols = [total, *parts]
            for i in df.index:
                hidden = [c for c in cols if masks[c].loc[i]]
                if len(hidden) == 1:
                    others = [c for c in cols if c not in hidden and pd.notna(df.at[i, c])]
                    if others:
                        pick = min(others, key=lambda c: df.at[i, c])
                        masks[pick].loc[i] = True
                        changed = True
    return masks


def suppression_mask(
    df: pd.DataFrame, value_col: str, groups: Sequence[Sequence[str]], threshold: int = THRESHOLD
) -> pd.Series:
    return suppression_masks(df, [value_col], groups, threshold=threshold)[value_col]


def apply(
    df: pd.DataFrame,
    value_cols: Sequence[str],
    groups: Sequence[Sequence[str]],
    row_sums: Mapping[str, Sequence[str]] | None = None,
    threshold: int = THRESHOLD,
) -> pd.DataFrame:
    """A copy of ``df`` with suppressed counts replaced by ``[c]`` (those columns become text)."""
    out = df.copy()
    for col, mask in suppression_masks(df, value_cols, groups, row_sums, threshold).items():
        out[col] = out[col].astype(object)
        out.loc[mask, col] = SUPPRESSED
    return out
