"""Figures of the HTML report, drawn with matplotlib and embedded as base64 PNG data URIs.

Why PNG rather than SVG or plotly: a full year of 15-minute steps for 100 branches is 3.5 million points; as SVG
paths or plotly traces that is tens of megabytes per figure and a slow page, and plotly would add 3.5 MB of
JavaScript to every file. A PNG's size depends on its pixels only (60-200 kB per figure here), renders in every
browser and mail client without scripts, and can be copied straight into a Word study.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import xarray as xr
from matplotlib.axes import Axes
from matplotlib.colors import Colormap, LinearSegmentedColormap, TwoSlopeNorm, to_rgb
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from energyhub.model.registry import outputs

DPI = 110
WIDTH_IN = 10.0
PALETTE = ("#1f4e79", "#e07b39", "#3a9d5d", "#c0392b", "#7d5ba6", "#8c6d31", "#2e86c1", "#d4a017", "#5d6d7e")
BEFORE_COLOUR = "#c0392b"
AFTER_COLOUR = "#1f4e79"
LIMIT_COLOUR = "#333333"
HEATMAP_MAX_BRANCHES = 40
# loading colour scale: light to dark blue up to the limit, then a jump to a saturated red that darkens above it
LOADING_BELOW = ("#f4f7fb", "#9ecae1", "#2b6ca3")  # 0 %, half the limit, just below the limit
LOADING_ABOVE = ("#e8251f", "#67000d")  # at the limit, at the top of the scale

plt.rcParams.update({
    "font.size": 9, "axes.titlesize": 10, "axes.titleweight": "bold", "axes.spines.top": False,
    "axes.spines.right": False, "axes.grid": True, "grid.alpha": 0.3, "legend.frameon": False,
    "figure.facecolor": "white", "font.family": "DejaVu Sans",
})


def to_data_uri(fig: Figure) -> str:
    """Render ``fig`` as a PNG data URI and close it."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, bbox_inches="tight")
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _time_axis(ax: Axes) -> None:
    locator = mdates.AutoDateLocator(minticks=4, maxticks=10)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))


def _limit_line(ax: Axes, limit_pct: float, horizontal: bool = True) -> None:
    if horizontal:
        ax.axhline(limit_pct, color=LIMIT_COLOUR, lw=1.0, ls="--", label=f"limit {limit_pct:.0f} %")


# ------------------------------------------------------------------------------------------------------ congestion
def loading_cmap() -> Colormap:
    """Two-part colour scale for use with :func:`loading_norm`: blues below the limit (0.5), reds above it, with a
    jump at the limit itself so that 101 % reads as red and 99 % as blue."""
    stops = [(0.0, LOADING_BELOW[0], LOADING_BELOW[0]), (0.25, LOADING_BELOW[1], LOADING_BELOW[1]),
             (0.5, LOADING_BELOW[2], LOADING_ABOVE[0]), (1.0, LOADING_ABOVE[1], LOADING_ABOVE[1])]
    channels = {name: [(x, to_rgb(left)[i], to_rgb(right)[i]) for x, left, right in stops]
                for i, name in enumerate(("red", "green", "blue"))}
    return LinearSegmentedColormap("loading", channels, N=512)  # type: ignore[arg-type]


def loading_norm(limit_pct: float, max_pct: float) -> TwoSlopeNorm:
    """0 % -> 0, the limit -> 0.5, the top of the scale (at least 1.3 × the limit) -> 1."""
    return TwoSlopeNorm(vmin=0.0, vcenter=limit_pct, vmax=max(limit_pct * 1.3, max_pct))


def loading_colour(loading_pct: float, limit_pct: float, max_pct: float = 0.0) -> tuple[float, float, float]:
    """The RGB colour (0-1) of a loading in the heatmap."""
    r, g, b, _ = loading_cmap()(float(loading_norm(limit_pct, max_pct)(loading_pct)))
    return float(r), float(g), float(b)


def loading_heatmap(panels: Sequence[tuple[str, xr.DataArray]], limit_pct: float) -> Figure:
    """Branch loading (%) over time, one panel per (title, loading(time, branch)), most loaded branches on top."""
    first = panels[0][1]
    order = first.max("time").to_series().sort_values(ascending=False).index[:HEATMAP_MAX_BRANCHES]
    norm = loading_norm(limit_pct, max(float(p.max()) for _, p in panels))
    cmap = loading_cmap()
    height = 1.0 + len(panels) * max(1.8, 0.17 * len(order))
    fig, axes = plt.subplots(len(panels), 1, figsize=(WIDTH_IN, height), sharex=True, squeeze=False)
    times = mdates.date2num(pd.DatetimeIndex(first["time"].values).to_pydatetime())
    image = None
    for ax, (title, loading) in zip(axes[:, 0], panels, strict=True):
        values = loading.sel(branch=order).transpose("branch", "time").values
        image = ax.imshow(values, aspect="auto", interpolation="nearest", cmap=cmap, norm=norm,
                          extent=(times[0], times[-1], len(order) - 0.5, -0.5))
        ax.set_title(title, loc="left")
        ax.grid(False)
        ax.set_yticks(range(len(order)), [str(b) for b in order], fontsize=7 if len(order) > 20 else 8)
        ax.xaxis_date()
        _time_axis(ax)
    assert image is not None
    bar = fig.colorbar(image, ax=axes[:, 0].tolist(), fraction=0.025, pad=0.01)
    bar.set_label("loading (%)")
    bar.ax.axhline(limit_pct, color="black", lw=1.5)
    bar.set_ticks(sorted({0.0, limit_pct / 2, limit_pct, float(norm.vmax or limit_pct)}))
    return fig


def duration_curves(before: xr.DataArray, after: xr.DataArray | None, limit_pct: float, step_h: float,
                    top: Sequence[str]) -> Figure:
    """Loading duration curves: the worst branch in each step (left) and the most congested branches (right)."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(WIDTH_IN, 3.6), sharey=True)
    hours = np.arange(before.sizes["time"]) * step_h
    for label, data, colour in (("before", before, BEFORE_COLOUR), ("after", after, AFTER_COLOUR)):
        if data is not None:
            left.plot(hours, np.sort(data.max("branch").values)[::-1], color=colour, lw=1.6, label=label)
    left.set_title("Highest branch loading in each step, sorted", loc="left")
    for i, branch in enumerate(top[:5]):
        colour = PALETTE[i % len(PALETTE)]
        right.plot(hours, np.sort(before.sel(branch=branch).values)[::-1], color=colour, lw=1.2,
                   ls=":" if after is not None else "-", label=None if after is not None else branch)
        if after is not None:
            right.plot(hours, np.sort(after.sel(branch=branch).values)[::-1], color=colour, lw=1.4, label=branch)
    right.set_title("Most loaded branches" + (" (dotted: before, solid: after)" if after is not None else ""),
                    loc="left")
    for ax in (left, right):
        _limit_line(ax, limit_pct)
        ax.set_xlabel("hours of the horizon (h)")
        ax.set_xlim(0, hours[-1] + step_h if len(hours) else 1)
        ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=3)
    left.set_ylabel("loading (%)")
    return fig


# ------------------------------------------------------------------------------------------------------------ hubs
def hub_exchange(ds: xr.Dataset, gtv: dict[str, tuple[float | None, float | None]],
                 contracted_import: dict[str, float] | None = None) -> Figure:
    """Import (+) and export (−) per hub against its connection's capacity (GTV) and the contracted import."""
    hubs = [str(h) for h in ds["hub"].values]
    fig, axes = plt.subplots(len(hubs), 1, figsize=(WIDTH_IN, 1.0 + 2.0 * len(hubs)), sharex=True, squeeze=False)
    times = pd.DatetimeIndex(ds["time"].values)
    for ax, hub in zip(axes[:, 0], hubs, strict=True):
        one = ds.sel(hub=hub)
        ax.fill_between(times, one["import_mw"].values, step="post", color=AFTER_COLOUR, alpha=0.55, label="import")
        ax.fill_between(times, -one["export_mw"].values, step="post", color=PALETTE[2], alpha=0.55, label="export")
        if "import_limit_mw" in one:
            ax.step(times, one["import_limit_mw"].values, where="post", color=LIMIT_COLOUR, lw=1, ls="--",
                    label="limit")
        if "export_limit_mw" in one:
            ax.step(times, -one["export_limit_mw"].values, where="post", color=LIMIT_COLOUR, lw=1, ls="--")
        gtv_import, gtv_export = gtv.get(hub, (None, None))
        label: str | None = "GTV (connection)"
        for value, sign in ((gtv_import, 1), (gtv_export, -1)):
            if value is not None:
                ax.axhline(sign * value, color=BEFORE_COLOUR, lw=1, ls=":", label=label)
                label = None
        cap = (contracted_import or {}).get(hub)
        if cap is not None and (gtv_import is None or abs(cap - gtv_import) > 1e-6):
            ax.axhline(cap, color=LIMIT_COLOUR, lw=1, ls="--", label="contracted import")
        ax.axhline(0, color="black", lw=0.6)
        ax.set_title(hub, loc="left")
        ax.set_ylabel("MW")
        _time_axis(ax)
        ax.legend(ncol=4, fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return fig


# -------------------------------------------------------------------------------------------------------- dispatch
def week_dispatch(week: xr.Dataset, limit_pct: float, panels: Sequence[str]) -> Figure:
    """Stacked panels for one week: asset output, hub exchange, storage levels, worst branch loading."""
    fig, axes = plt.subplots(len(panels), 1, figsize=(WIDTH_IN, 0.6 + 2.1 * len(panels)), sharex=True,
                             squeeze=False)
    times = pd.DatetimeIndex(week["time"].values)
    drawers = {"assets": _assets_panel, "hubs": _hubs_panel, "storage": _storage_panel}
    for ax, panel in zip(axes[:, 0], panels, strict=True):
        if panel == "loading":
            _loading_panel(ax, week, times, limit_pct)
        else:
            drawers[panel](ax, week, times)
        _time_axis(ax)
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize=7.5, loc="center left", bbox_to_anchor=(LEGEND_BESIDE_TWIN if _twinned(ax) else 1.01,
                                                                        0.5))
    return fig


LEGEND_BESIDE_TWIN = 1.16  # right of a twin axis' ticks and label (e.g. "2,000" and "kg H₂")


def _twinned(ax: Axes) -> bool:
    """Whether ``ax`` has a twin axis drawn over it (its ticks and label take the space right of the panel)."""
    return any(other is not ax and other.get_position().bounds == ax.get_position().bounds
               for other in ax.figure.axes)


def _assets_panel(ax: Axes, week: xr.Dataset, times: pd.DatetimeIndex) -> None:
    for i, asset in enumerate(week["asset"].values):
        series = week["p_mw"].sel(asset=asset).values
        if np.isfinite(series).any() and np.nanmax(np.abs(series)) > 0:
            ax.step(times, series, where="post", lw=1.3, color=PALETTE[i % len(PALETTE)], label=str(asset))
    ax.axhline(0, color="black", lw=0.6)
    ax.set_title("Asset output (+ discharge/generation, − charging/consumption)", loc="left")
    ax.set_ylabel("MW")


def _hubs_panel(ax: Axes, week: xr.Dataset, times: pd.DatetimeIndex) -> None:
    for i, hub in enumerate(week["hub"].values):
        net = week["import_mw"].sel(hub=hub).values - week["export_mw"].sel(hub=hub).values
        ax.step(times, net, where="post", lw=1.3, color=PALETTE[i % len(PALETTE)], label=f"{hub}")
        if "import_limit_mw" in week:
            ax.step(times, week["import_limit_mw"].sel(hub=hub).values, where="post", lw=0.8, ls="--",
                    color=PALETTE[i % len(PALETTE)])
    ax.axhline(0, color="black", lw=0.6)
    limits = "; dashed: import limit" if "import_limit_mw" in week else ""
    ax.set_title(f"Net grid import per hub (+ import, − export{limits})", loc="left")
    ax.set_ylabel("MW")


def _used(series: np.ndarray) -> bool:
    """A storage level worth drawing: some finite value, not all zero (a store that was not built)."""
    return bool(np.isfinite(series).any() and np.nanmax(np.abs(series)) > 1e-9)


def storage_labels(week: xr.Dataset) -> list[str]:
    """The storage series the storage panel draws, as ``asset (unit)``: for captions and alt texts."""
    labels = []
    for name, unit in storage_levels():
        if name in week:
            used = [a for a in week["asset"].values if _used(week[name].sel(asset=a).values)]
            labels += [f"{asset} ({unit})" for asset in used]
    return labels


def storage_levels() -> list[tuple[str, str]]:
    """(dataset variable, unit) of every storage level the registry's components declare, energy (MWh) first."""
    levels = [(o.name, o.units) for o in outputs().values() if o.storage]
    return sorted(levels, key=lambda level: not _energy(level[1]))


def _energy(unit: str) -> bool:
    return unit.startswith("MWh")


def _storage_panel(ax: Axes, week: xr.Dataset, times: pd.DatetimeIndex) -> None:
    colour = 0
    levels = [(name, unit) for name, unit in storage_levels() if name in week]
    for name, unit in levels:
        if not _energy(unit):
            continue
        for asset in week["asset"].values:
            series = week[name].sel(asset=asset).values
            if _used(series):
                ax.plot(times, series, lw=1.4, color=PALETTE[colour % len(PALETTE)], label=f"{asset} ({unit})")
                colour += 1
    ax.set_ylabel("MWh")
    others = [(name, unit) for name, unit in levels if not _energy(unit) and np.isfinite(week[name].values).any()]
    units = ", ".join(dict.fromkeys(unit for _, unit in others))
    ax.set_title(f"Storage levels (MWh, left{f'; {units}, right, dashed' if others else ''})", loc="left")
    if others:
        twin = ax.twinx()
        twin.grid(False)
        for name, unit in others:
            for asset in week["asset"].values:
                series = week[name].sel(asset=asset).values
                if _used(series):
                    twin.plot(times, series, lw=1.4, ls="--", color=PALETTE[colour % len(PALETTE)],
                              label=f"{asset} ({unit})")
                    colour += 1
        twin.set_ylabel(units)
        handles, labels = twin.get_legend_handles_labels()
        for handle, label in zip(handles, labels, strict=True):
            ax.plot([], [], color=handle.get_color(), ls="--", label=label)  # type: ignore[attr-defined]


def _loading_panel(ax: Axes, week: xr.Dataset, times: pd.DatetimeIndex, limit_pct: float) -> None:
    for name, label, colour in (("loading_ac_before_pct", "before", BEFORE_COLOUR),
                                ("loading_ac_after_pct", "after", AFTER_COLOUR)):
        if name in week:
            ax.plot(times, week[name].max("branch").values, color=colour, lw=1.4, label=label)
    _limit_line(ax, limit_pct)
    ax.set_title("Highest branch loading (AC)", loc="left")
    ax.set_ylabel("%")


# ----------------------------------------------------------------------------------------------------------- costs
def cost_bars(categories: Sequence[str], costs_eur: Sequence[float]) -> Figure:
    """Horizontal bars of cost by category in kEUR; revenues (negative) in green."""
    fig, ax = plt.subplots(figsize=(WIDTH_IN, 0.6 + 0.32 * len(categories)))
    values = np.asarray(costs_eur, dtype=float) / 1000.0
    colours = [PALETTE[2] if v < 0 else AFTER_COLOUR for v in values]
    ax.barh(list(categories), values, color=colours)
    ax.invert_yaxis()
    ax.axvline(0, color="black", lw=0.6)
    ax.set_xlabel("kEUR (negative: revenue)")
    ax.grid(axis="y", visible=False)
    for y, v in enumerate(values):
        ax.annotate(f"{v:,.0f}", (v, y), xytext=(4 if v >= 0 else -4, 0), textcoords="offset points",
                    ha="left" if v >= 0 else "right", va="center", fontsize=8)
    ax.margins(x=0.15)
    return fig


# ------------------------------------------------------------------------------------------------------- penalties
def penalty_months(series: Sequence[tuple[str, str, pd.Series]]) -> Figure:
    """One bar panel per (label, unit, amount per period) side by side; the index holds pandas periods."""
    fig, axes = plt.subplots(1, len(series), figsize=(WIDTH_IN, 2.8), squeeze=False)
    for i, (ax, (label, unit, monthly)) in enumerate(zip(axes[0], series, strict=True)):
        names = [period.strftime("%d %b" if period.freqstr.startswith("D") else "%b") for period in monthly.index]
        ax.bar(range(len(monthly)), monthly.to_numpy(dtype=float), color=PALETTE[(i + 1) % len(PALETTE)])
        ax.set_xticks(range(len(monthly)), names, rotation=90 if len(names) > 6 else 0, fontsize=7.5)
        ax.set_title(label, loc="left", fontsize=9)
        ax.set_ylabel(unit)
        ax.grid(axis="x", visible=False)
    fig.tight_layout()
    return fig


# ----------------------------------------------------------------------------------------------------------- sweep
def sweep_lines(points: pd.DataFrame, x: str, series: str | None, metrics: Sequence[str]) -> Figure:
    """One small plot per metric against parameter ``x``; one line per value of ``series`` when given."""
    columns = 3 if len(metrics) > 2 else len(metrics)
    rows = int(np.ceil(len(metrics) / columns))
    fig, axes = plt.subplots(rows, columns, figsize=(WIDTH_IN, 0.4 + 2.6 * rows), squeeze=False)
    groups = [(None, points)] if series is None else list(points.groupby(series, sort=True))
    for ax, metric in zip(axes.flat, metrics, strict=False):
        for i, (value, group) in enumerate(groups):
            ordered = group.sort_values(x)
            label = None if value is None else f"{short_name(series or '')} = {value!s}"
            ax.plot(ordered[x], ordered[metric], marker="o", ms=4, lw=1.5, color=PALETTE[i % len(PALETTE)],
                    label=label)
        ax.set_title(metric, loc="left", fontsize=9)
        ax.set_xlabel(short_name(x), fontsize=8)
        for axis in (ax.xaxis, ax.yaxis):
            axis.set_major_formatter(FuncFormatter(_plain_number))
    for ax in list(axes.flat)[len(metrics):]:
        ax.set_visible(False)
    top = 1.0
    if series is not None:  # above the panels, never over a line
        handles, labels = axes[0, 0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="upper center", ncol=min(4, len(labels)), fontsize=8,
                   bbox_to_anchor=(0.5, 1.0))
        top = 1.0 - 0.45 / fig.get_figheight()
    fig.tight_layout(rect=(0.0, 0.0, 1.0, top))
    return fig


def short_name(path: str) -> str:
    """The last two parts of a dotted parameter path (``capex_eur_per_mw`` alone says too little)."""
    return ".".join(path.split(".")[-2:])


def _plain_number(value: float, _position: object = None) -> str:
    """Short tick labels without an offset or exponent: ``1.2M``, ``300k``, ``0.25``."""
    if abs(value) >= 1e6:
        return f"{value / 1e6:.4g}M"
    if abs(value) >= 1e4:
        return f"{value / 1e3:.4g}k"
    return f"{value:.4g}"


def tornado(params: Sequence[str], low_eur: Sequence[float], high_eur: Sequence[float], base_eur: float,
            low_labels: Sequence[str], high_labels: Sequence[str]) -> Figure:
    """Horizontal bars of the objective change (kEUR) from the base at each parameter's low and high value, the
    largest swing first; each bar end labelled with the parameter value."""
    fig, ax = plt.subplots(figsize=(WIDTH_IN, 0.9 + 0.45 * len(params)))
    ys = np.arange(len(params))
    low = (np.asarray(low_eur, dtype=float) - base_eur) / 1e3
    high = (np.asarray(high_eur, dtype=float) - base_eur) / 1e3
    ax.barh(ys, low, color=PALETTE[0], height=0.55, label="lowest value")
    ax.barh(ys, high, color=PALETTE[1], height=0.55, label="highest value")
    for y, (lo, hi, lo_text, hi_text) in enumerate(zip(low, high, low_labels, high_labels, strict=True)):
        for value, text in ((lo, lo_text), (hi, hi_text)):
            ax.annotate(text, (value, y), xytext=(4 if value >= 0 else -4, 0), textcoords="offset points",
                        ha="left" if value >= 0 else "right", va="center", fontsize=7.5)
    ax.set_yticks(ys, list(params), fontsize=8)
    ax.invert_yaxis()
    ax.axvline(0, color="black", lw=0.8)
    ax.set_xlabel(f"objective change from the base point ({base_eur / 1e3:,.0f} kEUR), kEUR")
    ax.grid(axis="y", visible=False)
    ax.margins(x=0.2)
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.25 if len(params) < 4 else -0.12), ncol=2)
    return fig
