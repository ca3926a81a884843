#!/usr/bin/env python3
"""Our incremental forecasts against Nixtla's statsforecast on the same simulated sales.

Reads the CSV files `evaluate --export-forecasts DIR` writes (items, sales, ours, ours_ltd),
fits statsforecast's AutoETS, CrostonOptimized, TSB, IMAPA and SeasonalNaive with a rolling
origin at the same cutoffs (statsforecast's cross_validation: refit at each cutoff, history up
to it only), and scores both sides the same way over each item's horizon (lead time + review
period):

- MASE: mean absolute error over the horizon ÷ the in-sample mean absolute error of the
  seasonal naive forecast (lag 7) up to the cutoff; averaged over item × cutoff pairs whose
  scale is not zero. Left out of the errors on both sides: days the stores were closed, and
  days the shelf was empty at some open hour (sales then are not demand: a forecast of demand
  is judged where demand was seen). MASE over all open days is reported too.
- The lead-time-demand quantile at the item's service level q (what sets safety stock):
  coverage (the share of horizons whose demand stayed at or below it; q is the goal) and the
  pinball loss. Ours is the model's; a statsforecast model's is the sum of its daily means
  plus z_q × √(Σ σ²), σ from its q prediction interval (models without intervals: none).

Usage: forecast_compare.py DIR [--markdown FILE] [--json FILE] [--series N] [--jobs N]
Ends with one line: bench forecast-mase ratio=<best peer MASE ÷ ours> ours=… peer=… peer_name=…
"""
import argparse
import json
import math
import os
import sys
import time

os.environ.setdefault("NIXTLA_ID_AS_COL", "1")
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from statistics import NormalDist  # noqa: E402
from statsforecast import StatsForecast  # noqa: E402
from statsforecast.models import IMAPA, TSB, AutoETS, CrostonOptimized, SeasonalNaive  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory")
    parser.add_argument("--markdown")
    parser.add_argument("--json")
    parser.add_argument("--series", type=int, default=0, help="use only the first N items (0: all)")
    parser.add_argument("--jobs", type=int, default=-1, help="statsforecast's processes (-1: one per core)")
    args = parser.parse_args()
    started = time.time()

    items = pd.read_csv(f"{args.directory}/items.csv")
    sales = pd.read_csv(f"{args.directory}/sales.csv", parse_dates=["ds"])
    ours = pd.read_csv(f"{args.directory}/ours.csv", parse_dates=["cutoff", "ds"])
    ours_ltd = pd.read_csv(f"{args.directory}/ours_ltd.csv", parse_dates=["cutoff"])
    if args.series:
        keep = set(items["unique_id"].head(args.series))
        items = items[items["unique_id"].isin(keep)]
        sales = sales[sales["unique_id"].isin(keep)]
        ours = ours[ours["unique_id"].isin(keep)]
        ours_ltd = ours_ltd[ours_ltd["unique_id"].isin(keep)]

    cutoffs = sorted(ours["cutoff"].unique())
    if not cutoffs:
        print("forecast_compare: no cutoffs in ours.csv", file=sys.stderr)
        return 1
    horizon = int(items["horizon"].max())
    step = int((cutoffs[1] - cutoffs[0]) / np.timedelta64(1, "D")) if len(cutoffs) > 1 else 7
    last = sales["ds"].max()
    if pd.Timestamp(cutoffs[-1]) + pd.Timedelta(days=horizon) > last:
        print("forecast_compare: the last cutoff's horizon runs past the sales", file=sys.stderr)
        return 1
    # statsforecast's windows end `horizon` days before the last date: cut the sales so that its
    # last cutoff is ours, and ask for as many windows as we have cutoffs.
    end = pd.Timestamp(cutoffs[-1]) + pd.Timedelta(days=horizon)
    history = sales[sales["ds"] <= end][["unique_id", "ds", "y"]].astype({"y": float})

    service = dict(zip(items["unique_id"], items["service_level"]))
    horizons = dict(zip(items["unique_id"], items["horizon"]))
    levels = sorted({int(round((2 * q - 1) * 100)) for q in items["service_level"]})
    # The intermittent-demand models give no prediction intervals: they run apart, means only.
    with_intervals = [AutoETS(season_length=7), SeasonalNaive(season_length=7)]
    means_only = [CrostonOptimized(), TSB(alpha_d=0.1, alpha_p=0.1), IMAPA()]
    models = with_intervals + means_only
    windows = {"h": horizon, "step_size": step, "n_windows": len(cutoffs)}
    cv = StatsForecast(models=with_intervals, freq="D", n_jobs=args.jobs).cross_validation(
        df=history, level=levels, **windows
    )
    other = StatsForecast(models=means_only, freq="D", n_jobs=args.jobs).cross_validation(df=history, **windows)
    cv = cv.merge(other.drop(columns=["y"]), on=["unique_id", "ds", "cutoff"])
    peer_cutoffs = sorted(cv["cutoff"].unique())
    if [pd.Timestamp(c) for c in peer_cutoffs] != [pd.Timestamp(c) for c in cutoffs]:
        print(f"forecast_compare: cutoffs differ: ours {cutoffs} peer {peer_cutoffs}", file=sys.stderr)
        return 1
    names = [m.alias if hasattr(m, "alias") else type(m).__name__ for m in models]
    names = [c for c in cv.columns if c in names or c in [type(m).__name__ for m in models]]

    closed_days = set(sales.loc[sales["closed"] == 1, "ds"])
    censored = set(zip(sales.loc[sales["censored"] == 1, "unique_id"], sales.loc[sales["censored"] == 1, "ds"]))
    actual = sales.set_index(["unique_id", "ds"])["y"]
    series = {uid: group.sort_values("ds") for uid, group in sales.groupby("unique_id")}

    def scale(uid, cutoff):
        frame = series[uid]
        y = frame.loc[frame["ds"] <= cutoff, "y"].to_numpy(dtype=float)
        if len(y) <= 7:
            return 0.0
        return float(np.mean(np.abs(y[7:] - y[:-7])))

    ours_by = ours.set_index(["unique_id", "cutoff", "ds"])["forecast"]
    ltd_by = ours_ltd.set_index(["unique_id", "cutoff"])
    cv = cv.set_index(["unique_id", "cutoff", "ds"]).sort_index()

    scores = {name: {"mase": [], "mase_all": [], "covered": [], "pinball": []} for name in ["ours"] + names}
    # What each side forecast: (item, cutoff, day) triples, so that a caller can check both sides
    # forecast the same series over the same horizons.
    forecast_days = {name: 0 for name in ["ours"] + names}
    mean_sales = sales.groupby("unique_id")["y"].mean().to_dict()
    bands = {}
    pairs = 0
    for (uid, cutoff), _ in ltd_by.iterrows():
        h = int(horizons[uid])
        days = [pd.Timestamp(cutoff) + pd.Timedelta(days=k) for k in range(1, h + 1)]
        all_open = [d for d in days if d not in closed_days]
        open_days = [d for d in all_open if (uid, d) not in censored]
        if not all_open:
            continue
        s = scale(uid, cutoff)
        truth_all = np.array([actual[(uid, d)] for d in all_open], dtype=float)
        truth = np.array([actual[(uid, d)] for d in open_days], dtype=float)
        demand = float(truth_all.sum())
        whole = len(open_days) == len(all_open)
        q = float(service[uid])
        z = NormalDist().inv_cdf(q)
        level = int(round((2 * q - 1) * 100))
        pairs += 1
        sides = {"ours": np.array([ours_by[(uid, cutoff, d)] for d in all_open])}
        for name in names:
            sides[name] = np.array([cv.loc[(uid, cutoff, d), name] for d in all_open], dtype=float)
        judged = np.array([d in open_days for d in all_open])
        for name, forecast_all in sides.items():
            forecast_days[name] += int(np.isfinite(forecast_all).sum())
            forecast = forecast_all[judged]
            if s > 0:
                scores[name]["mase_all"].append(float(np.mean(np.abs(truth_all - forecast_all))) / s)
            if s > 0 and len(open_days) > 0:
                scores[name]["mase"].append(float(np.mean(np.abs(truth - forecast))) / s)
                m = mean_sales[uid]
                band = "slow (< 1 a day)" if m < 1 else ("medium (1 to 5)" if m < 5 else "fast (5 or more)")
                bands.setdefault(band, {}).setdefault(name, []).append(float(np.mean(np.abs(truth - forecast))) / s)
            if not whole:
                continue
            if name == "ours":
                quantile = float(ltd_by.loc[(uid, cutoff), "quantile"])
            else:
                column = f"{name}-hi-{level}"
                if column not in cv.columns:
                    continue
                highs = np.array([cv.loc[(uid, cutoff, d), column] for d in all_open], dtype=float)
                forecast = forecast_all
                sigma = np.maximum(highs - forecast, 0) / z if z > 0 else np.zeros_like(highs)
                quantile = float(forecast.sum() + z * math.sqrt(float(np.sum(sigma**2))))
            scores[name]["covered"].append(1.0 if demand <= quantile else 0.0)
            scores[name]["pinball"].append(
                q * max(demand - quantile, 0) + (1 - q) * max(quantile - demand, 0)
            )

    summary = {}
    for name, score in scores.items():
        summary[name] = {
            "mase": float(np.mean(score["mase"])) if score["mase"] else None,
            "mase_all_days": float(np.mean(score["mase_all"])) if score["mase_all"] else None,
            "coverage": float(np.mean(score["covered"])) if score["covered"] else None,
            "pinball": float(np.mean(score["pinball"])) if score["pinball"] else None,
            "pairs": len(score["mase"]),
            "forecast_days": forecast_days[name],
        }
    peers = {n: v for n, v in summary.items() if n != "ours" and v["mase"] is not None}
    best = min(peers, key=lambda n: peers[n]["mase"])
    ours_mase = summary["ours"]["mase"]
    target_coverage = float(np.mean([service[u] for u, _ in ltd_by.index]))
    result = {
        "items": int(items.shape[0]),
        "cutoffs": [str(pd.Timestamp(c).date()) for c in cutoffs],
        "pairs": pairs,
        "target_coverage": target_coverage,
        "models": summary,
        "best_peer": best,
        "ratio": peers[best]["mase"] / ours_mase,
        "seconds": time.time() - started,
    }

    lines = [
        "### Forecast quality against statsforecast",
        "",
        f"{result['items']} store × product series, {len(cutoffs)} rolling cutoffs "
        f"({result['cutoffs'][0]} to {result['cutoffs'][-1]}, every {step} days), each item's horizon = lead time + "
        f"review period; {pairs} item × cutoff pairs. MASE is scaled by the in-sample seasonal naive (lag 7), "
        f"and judged on the days the item was in stock all day (both sides; sales on a day the shelf ran "
        f"empty are not demand). "
        f"The lead-time-demand quantile is at each item's service level (mean goal {target_coverage:.3f}).",
        "",
        "| model | MASE (in-stock days) | MASE (all open days) | LTD quantile coverage | pinball loss |",
        "|---|---:|---:|---:|---:|",
    ]
    for name in ["ours"] + sorted(peers, key=lambda n: peers[n]["mase"]):
        v = summary[name]
        coverage = f"{v['coverage']:.3f}" if v["coverage"] is not None else "-"
        pinball = f"{v['pinball']:.3f}" if v["pinball"] is not None else "-"
        label = "ours (incremental)" if name == "ours" else name
        lines.append(f"| {label} | {v['mase']:.4f} | {v['mase_all_days']:.4f} | {coverage} | {pinball} |")
    lines += ["", "MASE by how fast the item sells:", "", "| sales | " + " | ".join(["ours"] + sorted(peers)) + " |",
              "|---|" + "---:|" * (1 + len(peers))]
    for band, by_model in sorted(bands.items()):
        cells = [f"{np.mean(by_model[n]):.4f}" for n in ["ours"] + sorted(peers)]
        lines.append(f"| {band} ({len(by_model['ours'])} pairs) | " + " | ".join(cells) + " |")
    lines.append("")
    markdown = "\n".join(lines) + "\n"
    print(markdown)
    if args.markdown:
        with open(args.markdown, "w") as handle:
            handle.write(markdown)
    if args.json:
        with open(args.json, "w") as handle:
            json.dump(result, handle, indent=2)
    with_coverage = {n: v for n, v in peers.items() if v["coverage"] is not None}
    interval = min(with_coverage, key=lambda n: with_coverage[n]["pinball"]) if with_coverage else None
    interval_text = (
        f" interval_peer={interval} interval_peer_coverage={summary[interval]['coverage']:.3f}"
        f" interval_peer_pinball={summary[interval]['pinball']:.3f} pinball={summary['ours']['pinball']:.3f}"
        if interval
        else ""
    )
    print(
        f"bench forecast-mase ratio={result['ratio']:.3f} ours={ours_mase:.4f} "
        f"peer={peers[best]['mase']:.4f} peer_name={best} items={result['items']} cutoffs={len(cutoffs)} "
        f"coverage={summary['ours']['coverage']:.3f}{interval_text}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
