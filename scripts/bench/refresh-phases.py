#!/usr/bin/env python3
"""Reads a metrics-worker full-refresh's JSON log lines (stderr, LOG_LEVEL=info) and prints the
seconds each phase of the refresh took, as one line of `name=seconds` pairs:

  select     start of the run -> the loans whose stored state no longer holds selected (a
             refresh that re-reads only those: `stale_loans`, with their count as `stale=N`;
             absent when every loan is read)
  loans      -> the loans read (binary COPY)
  repayments -> the repayments read
  schedules  -> the schedules read, the engine run and the states compared (loan_states_compared)
  states     -> the changed loan states written (loan_states_written; absent for a backfill)
  officers   -> the officer rows written (officer_metrics completed), or a partition's partial
                sums (officer_partials completed)
  rest       -> the end of the run (a partition's merge of every partition's sums when it is the
                last, PAR15 snapshot on the 15th, branch rows, invalidation)

Usage: refresh-phases.py LOGFILE"""
import datetime, json, sys

def stamp(line):
    return datetime.datetime.strptime(line["timestamp"].rstrip("Z"), "%Y-%m-%dT%H:%M:%S.%f")

events = []
stale = None
with open(sys.argv[1]) as f:
    for text in f:
        text = text.strip()
        if not text.startswith("{"):
            continue
        try:
            line = json.loads(text)
        except ValueError:
            continue
        meta = line.get("metadata") or {}
        events.append((stamp(line), meta.get("job"), line.get("message")))
        if line.get("message") == "stale_loans" and meta.get("reread_alone") in (True, "true"):
            stale = meta.get("loans")

def first(job, message, after=None):
    for t, j, m in events:
        if j == job and m == message and (after is None or t >= after):
            return t
    return None

start = first("full_refresh", "start")
marks = [("select", first("refresh_loans", "stale_loans") if stale is not None else None),
         ("loans", first("loan_stream", "loans_read")),
         ("repayments", first("loan_stream", "repayments_read")),
         ("schedules", first("refresh_loans", "loan_states_compared")),
         ("states", first("refresh_loans", "loan_states_written")),
         # A whole run's officer rows, or a partition's partial sums (the merge is in "rest").
         ("officers", min([t for t in (first("officer_metrics", "completed"), first("officer_partials", "completed")) if t], default=None)),
         ("rest", first("full_refresh", "completed"))]
previous, parts = start, []
for name, t in marks:
    if t is None or previous is None:
        if name != "select":
            parts.append(f"{name}=-")
        continue
    parts.append(f"{name}={(t - previous).total_seconds():.2f}")
    previous = t
if stale is not None:
    parts.append(f"stale={stale}")
print(" ".join(parts))
