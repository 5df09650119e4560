"""Charts drawn server-side with matplotlib as inline SVG: the report is one file that
opens offline, with no script and no CDN.

Every function returns a complete `<svg>` element as text.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")  # no display, no GUI toolkit: a server-side renderer

from matplotlib.axes import Axes
from matplotlib.figure import Figure

PALETTE = ("#2563eb", "#16a34a", "#dc2626", "#9333ea", "#ea580c", "#0891b2", "#64748b")
GOOD, BAD, NEUTRAL = "#16a34a", "#dc2626", "#64748b"


def _new_figure(width: float = 7.5, height: float = 3.0) -> tuple[Figure, Axes]:
    fig = Figure(figsize=(width, height), dpi=100)
    ax = fig.add_subplot()
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="y", color="#e5e7eb", linewidth=0.8)
    ax.set_axisbelow(True)
    ax.tick_params(labelsize=8)
    return fig, ax


def _svg(fig: Figure) -> str:
    fig.tight_layout()
    buffer = io.StringIO()
    # Text as text (not paths) keeps the SVG small and searchable; no dates in metadata
    # keeps the output identical from run to run.
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "csops"}):
        fig.savefig(buffer, format="svg", metadata={"Date": None})
    text = buffer.getvalue()
    return text[text.index("<svg") :]


def line_chart(
    labels: Sequence[str],
    series: dict[str, Sequence[float | None]],
    *,
    percent: bool = False,
    ylabel: str = "",
) -> str:
    """One line per series over the same x labels; None leaves a gap."""
    fig, ax = _new_figure()
    x = list(range(len(labels)))
    for i, (name, values) in enumerate(series.items()):
        ys = [float("nan") if v is None else v * (100 if percent else 1) for v in values]
        ax.plot(x, ys, marker="o", markersize=3, linewidth=1.6, color=PALETTE[i % 7], label=name)
    _x_labels(ax, labels)
    if percent:
        ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:.0f}%"))
    if ylabel:
        ax.set_ylabel(ylabel, fontsize=8)
    if len(series) > 1:
        ax.legend(fontsize=8, frameon=False)
    return _svg(fig)


def bar_chart(
    labels: Sequence[str],
    series: dict[str, Sequence[float]],
    *,
    percent: bool = False,
    stacked: bool = False,
    horizontal: bool = False,
) -> str:
    """Grouped (or stacked) bars, one group per label."""
    fig, ax = _new_figure(height=max(3.0, 0.28 * len(labels)) if horizontal else 3.0)
    n = max(len(series), 1)
    width = 0.8 if stacked else 0.8 / n
    base = [0.0] * len(labels)
    for i, (name, values) in enumerate(series.items()):
        vals = [v * (100 if percent else 1) for v in values]
        pos = [j + (0 if stacked else (i - (n - 1) / 2) * width) for j in range(len(labels))]
        if horizontal:
            ax.barh(
                pos, vals, width, left=base if stacked else None, color=PALETTE[i % 7], label=name
            )
        else:
            ax.bar(
                pos, vals, width, bottom=base if stacked else None, color=PALETTE[i % 7], label=name
            )
        if stacked:
            base = [b + v for b, v in zip(base, vals, strict=True)]
    if horizontal:
        ax.set_yticks(range(len(labels)), list(labels), fontsize=8)
        ax.invert_yaxis()
    else:
        _x_labels(ax, labels)
    if percent:
        axis = ax.xaxis if horizontal else ax.yaxis
        axis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:.0f}%"))
    if len(series) > 1:
        ax.legend(fontsize=8, frameon=False)
    return _svg(fig)


def waterfall(steps: Sequence[tuple[str, float]], *, total_first: bool = True) -> str:
    """A waterfall: the first step is the starting total, the last bar the ending total,
    the steps between are signed changes (green up, red down)."""
    fig, ax = _new_figure()
    labels: list[str] = []
    levels: list[float] = []
    level = 0.0
    bars: list[tuple[float, float, str]] = []  # (bottom, height, colour)
    for i, (label, value) in enumerate(steps):
        labels.append(label)
        if i == 0 and total_first:
            level = value
            bars.append((0.0, value, NEUTRAL))
        else:
            bottom = level if value >= 0 else level + value
            bars.append((bottom, abs(value), GOOD if value >= 0 else BAD))
            level += value
        levels.append(level)
    labels.append("End")
    bars.append((0.0, level, NEUTRAL))
    for i, (bottom, height, colour) in enumerate(bars):
        ax.bar(i, height, 0.6, bottom=bottom, color=colour)
    # Movements are small next to the totals: start the axis near the lowest level so the
    # steps can be seen (the caption of the chart says the axis does not start at zero).
    low, high = min(levels), max(levels)
    pad = max((high - low) * 0.6, abs(high) * 0.002, 1.0)
    if low - pad > 0:
        ax.set_ylim(low - pad, high + pad)
    _x_labels(ax, labels)
    ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:,.0f}"))
    return _svg(fig)


def _x_labels(ax: Axes, labels: Sequence[str]) -> None:
    step = max(1, len(labels) // 12)
    ticks = list(range(0, len(labels), step))
    ax.set_xticks(ticks, [labels[t] for t in ticks], fontsize=8, rotation=0 if step == 1 else 30)
