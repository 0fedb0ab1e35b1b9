"""Percentiles for the live benchmark's reports (nearest rank: the value below which q% of the
samples fall, one of the samples, never interpolated)."""
import math


def percentile(values, q):
    if not values:
        return None
    ordered = sorted(values)
    if q >= 100:
        return ordered[-1]
    rank = max(1, math.ceil(q / 100.0 * len(ordered)))
    return ordered[rank - 1]


def summary_line(values, unit):
    if not values:
        return "no samples"
    fmt = lambda v: f"{v:.1f} {unit}"  # noqa: E731
    return (f"n {len(values)}, p50 {fmt(percentile(values, 50))}, p95 {fmt(percentile(values, 95))}, "
            f"p99 {fmt(percentile(values, 99))}, max {fmt(percentile(values, 100))}")
