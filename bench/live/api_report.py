"""The API's own view of the live run: requests, statuses and latency per route, from two scrapes
of its /metrics (the difference is the run).

  api_report.py METRICS_BEFORE METRICS_AFTER

Reads `analytics_api_http_request_duration_seconds` (labels method, route, status, le); quantiles
are bucket upper bounds, so they say "at most".
"""
import re
import sys
from collections import defaultdict

NAME = "analytics_api_http_request_duration_seconds"


def scrape(path):
    buckets = defaultdict(lambda: defaultdict(float))   # (method route) -> le -> count
    statuses = defaultdict(lambda: defaultdict(float))  # (method route) -> status -> count
    sums = defaultdict(float)
    try:
        lines = open(path).read().splitlines()
    except OSError:
        return buckets, statuses, sums
    for line in lines:
        m = re.match(NAME + r'_(bucket|sum)\{(.*)\} (\S+)', line)
        if not m:
            continue
        labels = dict(re.findall(r'(\w+)="([^"]*)"', m.group(2)))
        key = labels.get("method", "?") + " " + labels.get("route", "?")
        value = float(m.group(3))
        if m.group(1) == "sum":
            sums[key] += value
            continue
        le = float("inf") if labels["le"] == "+Inf" else float(labels["le"])
        buckets[key][le] += value
        if le == float("inf"):
            statuses[key][labels.get("status", "?")] += value
    return buckets, statuses, sums


def main():
    b0, s0, m0 = scrape(sys.argv[1])
    b1, s1, m1 = scrape(sys.argv[2])
    rows = []
    for key in sorted(b1):
        if "/api/v1" not in key:
            continue
        diff = {le: n - b0.get(key, {}).get(le, 0) for le, n in b1[key].items()}
        total = diff.get(float("inf"), 0)
        if total <= 0:
            continue

        def at_most(q):
            le = next(le for le in sorted(diff) if diff[le] >= q * total)
            return "inf" if le == float("inf") else f"{le * 1000:g} ms"
        statuses = {k: int(v - s0.get(key, {}).get(k, 0)) for k, v in s1[key].items() if v - s0.get(key, {}).get(k, 0) > 0}
        mean = (m1[key] - m0.get(key, 0)) / total * 1000
        rows.append(f"    {key:48s} {int(total):8d}  mean {mean:8.1f} ms  p50 <= {at_most(0.5):>8s}  p95 <= {at_most(0.95):>8s}"
                    f"  p99 <= {at_most(0.99):>8s}  statuses {statuses}")
    if rows:
        print("  the API's own figures for the live run (per route, from its /metrics; bucket bounds):")
        print("\n".join(rows))


if __name__ == "__main__":
    main()
