"""One control chart per measured milestone, readable in colour and in greyscale print.

The series (one period type) is drawn segment by segment so a data gap stays a gap; the mean and
natural process limits come from ``marts.milestone_spc`` (XmR: mean +/- 2.66 x mean moving range);
target, trajectory and deadline come from the milestone. Real figures are solid with filled
circles, SAMPLE figures dashed with open squares, and both are named in the legend; points with a
special-cause signal get a large diamond. Ticks sit on the plotted periods. SVG (HTML) and PNG (PDF)
are written deterministically.
"""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

plt.rcParams.update(
    {
        "svg.hashsalt": "pcp",
        "font.size": 8,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "font.family": "DejaVu Sans",
    }
)

# Dark blue and black survive greyscale; line style and marker carry the meaning, not colour alone.
INK = {"real": "#1d4f91", "sample": "#8a5a00", "limits": "#555555", "target": "#000000", "signal": "#c62828"}
MAX_TICKS = 6
# The longest gap between two figures that still counts as the series' normal cadence.
CADENCE_DAYS = {"month": 62, "quarter": 100, "snapshot": 400, "financial_year": 400, "calendar_year": 400}


def _num(v: float) -> str:
    return f"{v:,.0f}" if abs(v) >= 100 else f"{v:,.3g}"


def _ticks(dates: list[pd.Timestamp], room: float = 1.0) -> list[pd.Timestamp]:
    """Plotted periods to label, spread evenly in time and never crowded: at most MAX_TICKS over the
    axis, of which the data take the share ``room``."""
    most = max(2, int(MAX_TICKS * room))
    if len(dates) <= most:
        return dates
    span = (dates[-1] - dates[0]) / (most - 1)
    out = [dates[0]]
    for d in dates[1:]:
        if d - out[-1] >= span * 0.9:
            out.append(d)
    return out


def series_frame(milestone: pd.Series, spc: pd.DataFrame, series: pd.DataFrame) -> pd.DataFrame:
    """The points to chart: the milestone's SPC rows when built, else its metric's figures of the
    milestone's period type with a new segment after a gap of more than 1.5 x the usual spacing."""
    if not spc.empty and "milestone_id" in spc.columns:
        s = spc[spc["milestone_id"] == milestone.get("milestone_id")]
        if not s.empty:
            return s.sort_values("period_end").reset_index(drop=True)
    s = series[series["metric_id"] == milestone.get("metric_id")]
    if milestone.get("period_type") and "period_type" in s.columns:
        s = s[s["period_type"] == milestone.get("period_type")]
    s = s.sort_values("period_end").reset_index(drop=True)
    gaps = pd.to_datetime(s["period_end"]).diff().dt.days
    s["segment"] = (gaps > CADENCE_DAYS.get(milestone.get("period_type"), 400)).cumsum()
    return s


def _tick_label(d: pd.Timestamp, period_type: str | None) -> str:
    if period_type == "month":
        return f"{d:%b %y}"
    if period_type == "financial_year":
        start = d.year - 1 if d.month < 4 else d.year
        return f"{start}/{str(start + 1)[2:]}"
    return f"{d:%b %Y}"


def milestone_chart(points: pd.DataFrame, milestone: pd.Series, title: str, unit: str):
    """A figure for one milestone; ``points`` from ``series_frame``."""
    fig, ax = plt.subplots(figsize=(6.2, 2.4), dpi=120)
    p = points.copy()
    p["period_end"] = pd.to_datetime(p["period_end"])
    sample = p.get("is_sample", pd.Series(False, index=p.index)).fillna(False).astype(bool)
    seg = p["segment"] if "segment" in p.columns else pd.Series(0, index=p.index)
    labelled = set()
    for key, g in p.groupby([seg, sample], sort=True):
        is_sample = bool(key[1])
        kind = "sample" if is_sample else "real"
        label = (
            ("SAMPLE figures (generated, not force data)" if is_sample else "Force figures")
            if kind not in labelled
            else None
        )
        labelled.add(kind)
        ax.plot(
            g["period_end"],
            g["value"],
            color=INK[kind],
            lw=1.4,
            ls="--" if is_sample else "-",
            marker="s" if is_sample else "o",
            ms=3.5,
            mfc="white" if is_sample else INK[kind],
            label=label,
        )
        if "mean" in g.columns and g["mean"].notna().any():
            ax.plot(
                g["period_end"],
                g["mean"],
                color=INK["limits"],
                lw=0.9,
                label="Mean" if "mean" not in labelled else None,
            )
            labelled.add("mean")
            ax.plot(
                g["period_end"],
                g["upper_limit"],
                color=INK["limits"],
                lw=0.8,
                ls=(0, (4, 2)),
                label="Process limits" if "limits" not in labelled else None,
            )
            ax.plot(g["period_end"], g["lower_limit"], color=INK["limits"], lw=0.8, ls=(0, (4, 2)))
            labelled.add("limits")
    if "signal" in p.columns and p["signal"].notna().any():
        s = p[p["signal"].notna()]
        ax.plot(
            s["period_end"],
            s["value"],
            ls="none",
            marker="D",
            ms=6,
            mfc="none",
            mec=INK["signal"],
            mew=1.3,
            label="Special cause signal",
        )
    tv, td = milestone.get("target_value"), milestone.get("target_date")
    bv, bd = milestone.get("baseline_value"), milestone.get("baseline_date")
    dates = [pd.Timestamp(x) for x in sorted(p["period_end"].unique())]
    left, right = dates[0], dates[-1]
    span = max(right - left, pd.Timedelta(days=180))
    # A deadline far beyond the figures would squash them: name it at the right edge instead.
    td_shown = pd.notna(td) and pd.Timestamp(td) <= right + span
    if td_shown:
        right = max(right, pd.Timestamp(td))
    if pd.notna(tv):
        ax.axhline(tv, color=INK["target"], lw=1.1, ls="-.", label=f"Target {_num(tv)}")
    if "trajectory_value" in p.columns and p["trajectory_value"].notna().any():
        t = p[p["trajectory_value"].notna()]
        ax.plot(t["period_end"], t["trajectory_value"], color=INK["target"], lw=0.9, ls=":", label="Trajectory")
    elif pd.notna(tv) and pd.notna(td) and pd.notna(bv) and pd.notna(bd):
        ax.plot(pd.to_datetime([bd, td]), [bv, tv], color=INK["target"], lw=0.9, ls=":", label="Trajectory")
    if pd.notna(td):
        when = f"deadline {pd.Timestamp(td):%-d %b %Y}"
        if td_shown:
            ax.axvline(pd.Timestamp(td), color=INK["target"], lw=0.8, ls=(0, (1, 3)))
            ax.annotate(
                when,
                (pd.Timestamp(td), 1),
                xycoords=("data", "axes fraction"),
                fontsize=6.5,
                ha="right",
                va="top",
                rotation=90,
            )
        else:
            ax.plot([], [], ls="none", label=f"{when[0].upper()}{when[1:]} (beyond the chart)")
    ticks = _ticks(dates, (dates[-1] - dates[0]) / max(right - left, pd.Timedelta(days=1)))
    ax.set_xticks(ticks)
    ax.set_xticklabels([_tick_label(d, milestone.get("period_type")) for d in ticks])
    pad = (right - left) * 0.03 + pd.Timedelta(days=10)
    ax.set_xlim(left - pad, right + pad)
    ax.tick_params(axis="x", labelsize=7)
    ax.set_title(title, loc="left", fontsize=9, fontweight="bold")
    ax.set_ylabel(unit)
    ax.grid(axis="y", color="#dddddd", lw=0.5)
    ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: _num(v)))
    ax.legend(fontsize=6.5, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    fig.tight_layout()
    return fig


def to_svg(fig) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    plt.close(fig)
    text = buf.getvalue()
    return text[text.index("<svg") :]  # drop the XML prolog so it can sit inline in HTML


def to_png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None})
    plt.close(fig)
    return buf.getvalue()
