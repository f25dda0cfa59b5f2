"""Trend charts: the force's series, its target and the straight-line trajectory, and the
England and Wales / peer-group comparison. Rendered to SVG (HTML) and PNG (PDF), deterministically."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

plt.rcParams.update({"svg.hashsalt": "pcp", "font.size": 9, "axes.spines.top": False,
                     "axes.spines.right": False})

COLOURS = {"force": "#1d4f91", "target": "#b00020", "trajectory": "#6b6b6b", "ew": "#2e7d32", "peer": "#ef6c00"}


def milestone_chart(series: pd.DataFrame, milestone: pd.Series, title: str):
    """A figure for one milestone (series = that metric's rows for the force)."""
    fig, ax = plt.subplots(figsize=(6.4, 2.8), dpi=110)
    s = series.sort_values("period_end")
    ax.plot(s["period_end"], s["value"], marker="o", ms=3, color=COLOURS["force"], label=milestone.get("area_name", "Force"))
    bd, bv = milestone.get("baseline_date"), milestone.get("baseline_value")
    td, tv = milestone.get("target_date"), milestone.get("target_value")
    if pd.notna(td) and pd.notna(tv):
        ax.axhline(tv, color=COLOURS["target"], lw=1, ls="--", label=f"Target {tv:,.0f}")
        ax.plot([td], [tv], marker="*", ms=9, color=COLOURS["target"])
        if pd.notna(bd) and pd.notna(bv):
            ax.plot([bd, td], [bv, tv], color=COLOURS["trajectory"], lw=1, ls=":", label="Trajectory")
    ax2 = None
    if "england_wales" in s and s["england_wales"].notna().any() and milestone.get("unit") in ("percent", "per 100k", "minutes", "seconds"):
        ax.plot(s["period_end"], s["england_wales"], color=COLOURS["ew"], lw=1, label="England and Wales")
    elif "peer_group" in s and s["peer_group"].notna().any() and milestone.get("unit") in ("percent", "per 100k", "minutes"):
        ax.plot(s["period_end"], s["peer_group"], color=COLOURS["peer"], lw=1, label="Peer group average")
    ax.set_ylabel(str(milestone.get("unit") or ""))
    ax.grid(axis="y", color="#dddddd", lw=0.5)
    ax.legend(fontsize=7, frameon=False, loc="best")
    fig.autofmt_xdate()
    fig.tight_layout()
    return fig, ax2


def to_svg(fig) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    plt.close(fig)
    text = buf.getvalue()
    return text[text.index("<svg"):]  # drop the XML prolog so it can sit inline in HTML


def to_png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None})
    plt.close(fig)
    return buf.getvalue()
