#!/usr/bin/env python3
"""Checks the alert rules and the Grafana dashboard against the metrics the API and the daemon
really export.

  check_monitoring.py ALERTS DASHBOARD SOURCES [SCRAPE] [DAEMON_SCRAPE]

The names the API can export are derived from SOURCES (Sources/AnalyticsAPI: metricName/unitName
pairs, gauge descriptors, counter names); the daemon's from Sources/MetricsWorker/Daemon next to it
(`name("metric", "unit", ...)` descriptors of DaemonMetrics). SCRAPE, a /metrics scrape of a replica
that has served traffic (check-deploy.sh saves one during the cluster checks), and DAEMON_SCRAPE,
one of a daemon, prove those derivations: every analytics_api_* / analytics_daemon_* family in them
must be one derived from the code. Some counters only appear once they count (cache fallbacks,
Redis errors need a Redis failure), so a name used here need not be in the scrape.
"""
import json
import os
import re
import sys

import yaml

# Design section 11.3: every critical alert must exist.
REQUIRED_ALERTS = {"AnalyticsJobFailed", "AnalyticsDatabasePoolExhausted", "AnalyticsAPIErrorRateHigh",
                   "AnalyticsCacheHitRateLow", "AnalyticsDataStale"}
problems = []


def exported_from_scrape(path):
    names = set()
    with open(path) as f:
        for line in f:
            if line.startswith("# TYPE "):
                _, _, name, kind = line.split()[:4]
                names |= {name + s for s in ("_bucket", "_sum", "_count")} if kind == "histogram" else {name}
    return names


def swift_texts(folder):
    """The text of every .swift file under folder."""
    for root, _, files in os.walk(folder):
        for file in files:
            if file.endswith(".swift"):
                with open(os.path.join(root, file)) as f:
                    yield f.read()


def family(base):
    """The names a metric family may be served under (a histogram's series included)."""
    return {base, base + "_bucket", base + "_sum", base + "_count"}


def exported_from_source(folder):
    names = set()
    for text in swift_texts(folder):
        for m in re.finditer(r'metricName: "(\w+)"(?:,\s*unitName: "(\w*)")?', text):
            names |= family("analytics_api_" + m.group(1) + (f"_{m.group(2)}" if m.group(2) else ""))
        for m in re.finditer(r'descriptor(?:\(| )\(?"(\w+)"', text):
            names.add("analytics_api_" + m.group(1))
        # APIMetrics.counter("name", ...) registers analytics_api_<name>_total.
        for m in re.finditer(r'\bcounter\("(\w+)"', text):
            names.add(f"analytics_api_{m.group(1)}_total")
    return names


def daemon_exported_from_source(folder):
    names = set()
    for text in swift_texts(folder):
        # DaemonMetrics.name("metric", "unit", help) registers analytics_daemon_<metric>[_<unit>].
        for m in re.finditer(r'\bname\("(\w+)",\s*"(\w*)"', text):
            names |= family("analytics_daemon_" + m.group(1) + (f"_{m.group(2)}" if m.group(2) else ""))
    return names


def main():
    alerts_path, dashboard_path, sources = sys.argv[1:4]
    exported = exported_from_source(sources)
    daemon_sources = os.path.join(os.path.dirname(os.path.normpath(sources)), "MetricsWorker", "Daemon")
    daemon_exported = daemon_exported_from_source(daemon_sources)
    if not daemon_exported:
        problems.append(f"found no daemon metrics in {daemon_sources} (pattern out of date?)")
    exported |= daemon_exported
    live = exported_from_scrape(sys.argv[4]) if len(sys.argv) > 4 else set()
    daemon_live = exported_from_scrape(sys.argv[5]) if len(sys.argv) > 5 else set()
    for name in sorted(n for n in live if n.startswith("analytics_api_") and n not in exported):
        problems.append(f"{name} is served by the API but not derived from the source: update exported_from_source")
    for name in sorted(n for n in daemon_live if n.startswith("analytics_daemon_") and n not in daemon_exported):
        problems.append(f"{name} is served by the daemon but not derived from the source: update daemon_exported_from_source")
    live |= daemon_live
    rules = yaml.safe_load(open(alerts_path))
    exprs = []
    names = set()
    for group in rules["groups"]:
        for rule in group["rules"]:
            if not {"alert", "expr", "labels", "annotations"} <= set(rule):
                problems.append(f"rule {rule.get('alert')}: needs alert, expr, labels, annotations")
            names.add(rule.get("alert"))
            exprs.append((rule.get("alert"), rule["expr"]))
    for missing in sorted(REQUIRED_ALERTS - names):
        problems.append(f"alert {missing} (design 11.3) is missing")
    dashboard = json.load(open(dashboard_path))
    for panel in dashboard["panels"]:
        if not panel.get("targets"):
            problems.append(f"panel {panel['title']}: no queries")
        exprs += [(f"panel {panel['title']}", t["expr"]) for t in panel.get("targets", [])]
    titles = " ".join(p["title"].lower() for p in dashboard["panels"])
    for topic in ("latency", "error", "cache", "freshness"):
        if topic not in titles:
            problems.append(f"dashboard has no {topic} panel")
    used = set()
    for where, expr in exprs:
        if expr.count("(") != expr.count(")"):
            problems.append(f"{where}: unbalanced parentheses")
        for name in re.findall(r"\banalytics_(?:api|daemon)_\w+", expr):
            used.add(name)
            if name not in exported:
                who = "analytics-api" if name.startswith("analytics_api_") else "metrics-worker daemon"
                problems.append(f"{where}: {name} is not exported by {who}")
    for p in dict.fromkeys(problems):
        print(f"   - {p}")
    if problems:
        sys.exit(1)
    unseen = sorted(n for n in used if n not in live)
    print(f"   {len(names)} alerts, {len(dashboard['panels'])} panels; all {len(used)} analytics_api_*/analytics_daemon_* series are exported by the code"
          + (f"; the live scrape had {len(used) - len(unseen)} (not yet counted: {', '.join(unseen)})" if live else " (no live scrape)"))


if __name__ == "__main__":
    main()
