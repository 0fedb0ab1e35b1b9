"""The daemon's side of the live benchmark: what its /metrics and its log say about one phase.

  daemon_report.py METRICS_BEFORE METRICS_AFTER LOG FIRST_LINE LAST_LINE TITLE

METRICS_* are two scrapes of the daemon's /metrics (Prometheus text); the phase's figures are
their difference (histograms and counters) and the last value (gauges). LOG is the daemon's JSON
log; lines FIRST_LINE..LAST_LINE (1-based, inclusive) are the phase's, and the live_update lines
among them are summed by their numeric fields, per message. Only `analytics_daemon_*` series are
read. Missing files or series print nothing for them.
"""
import json
import math
import re
import sys
from collections import defaultdict

SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([^}]*)\})?\s+(\S+)')


def scrape(path):
    types, samples = {}, {}
    try:
        text = open(path).read()
    except OSError:
        return types, samples
    for line in text.splitlines():
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split(None, 3)
            types[name] = kind.strip()
            continue
        if line.startswith("#") or not line.strip():
            continue
        m = SAMPLE.match(line)
        if not m or not m.group(1).startswith("analytics_daemon_"):
            continue
        labels = tuple(sorted(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', m.group(3) or "")))
        try:
            samples[(m.group(1), labels)] = float(m.group(4))
        except ValueError:
            pass
    return types, samples


def fmt(v):
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "-"
    if abs(v) >= 100 or v == int(v):
        return f"{v:.0f}"
    return f"{v:.3g}"


def histograms(types, before, after):
    out = []
    for name, kind in sorted(types.items()):
        if kind not in ("histogram", "summary") or not name.startswith("analytics_daemon_"):
            continue
        count = after.get((name + "_count", ()), 0) - before.get((name + "_count", ()), 0)
        total = after.get((name + "_sum", ()), 0) - before.get((name + "_sum", ()), 0)
        if count <= 0:
            out.append(f"    {name}: no observations")
            continue
        buckets = sorted(
            (float("inf") if dict(labels)["le"] == "+Inf" else float(dict(labels)["le"]),
             value - before.get((metric, labels), 0))
            for (metric, labels), value in after.items()
            if metric == name + "_bucket" and "le" in dict(labels) and len(labels) == 1)

        def quantile(q):
            for le, n in buckets:
                if n >= q * count:
                    return le
            return None
        quantiles = ", ".join(f"p{int(q * 100)} <= {fmt(quantile(q))}" for q in (0.5, 0.95, 0.99)) if buckets else ""
        out.append(f"    {name}: {int(count)} observations, mean {fmt(total / count)}"
                   + (f", {quantiles} (bucket bounds)" if quantiles else ""))
    return out


def scalars(types, before, after):
    out = []
    for (metric, labels), value in sorted(after.items()):
        kind = types.get(metric)
        if kind is None or kind in ("histogram", "summary"):
            continue
        label_text = "{" + ",".join(f'{k}="{v}"' for k, v in labels) + "}" if labels else ""
        if kind == "counter":
            delta = value - before.get((metric, labels), 0)
            if delta:
                out.append(f"    {metric}{label_text} +{fmt(delta)}")
        else:
            out.append(f"    {metric}{label_text} {fmt(value)}")
    return out


def log_lines(path, first, last):
    batches = []
    try:
        with open(path, errors="replace") as f:
            for number, line in enumerate(f, 1):
                if number < first or number > last:
                    continue
                try:
                    entry = json.loads(line)
                except ValueError:
                    continue
                message = str(entry.get("message") or "")
                metadata = entry.get("metadata") or {}
                if metadata.get("job") == "live_update":
                    batches.append(("live_update " + message, entry))
                elif message.startswith("live_update"):
                    batches.append((message, entry))
    except OSError:
        return []
    if not batches:
        return ["    (no live_update lines in the daemon's log for this phase)"]
    by_message = defaultdict(list)
    for message, entry in batches:
        by_message[message].append(entry)
    out = []
    for message, entries in sorted(by_message.items()):
        fields = defaultdict(list)
        for entry in entries:
            source = dict(entry.get("metadata") or {}, **{k: v for k, v in entry.items() if k != "metadata"})
            for key, value in source.items():
                try:
                    number = float(value)
                except (TypeError, ValueError):
                    continue
                if key not in ("timestamp", "time", "ts", "line"):
                    fields[key].append(number)
        parts = [f"{k} mean {fmt(sum(v) / len(v))} max {fmt(max(v))} sum {fmt(sum(v))}" for k, v in sorted(fields.items())]
        out.append(f"    log '{message}': {len(entries)} lines" + ("; " + "; ".join(parts) if parts else ""))
    return out


def main():
    before_path, after_path, log_path, first, last, title = sys.argv[1:7]
    types_b, before = scrape(before_path)
    types_a, after = scrape(after_path)
    types = dict(types_b, **types_a)
    print(f"  daemon, {title}:")
    for line in histograms(types, before, after) + scalars(types, before, after) + log_lines(log_path, int(first), int(last)):
        print(line)


if __name__ == "__main__":
    main()
