"""The live benchmark's closing table: each figure beside its target (issue 14, part 4).

  summary.py FIGURES_JSON

FIGURES_JSON holds what scripts/bench-live.sh gathered: the readers' wrk result line
(`readers-result key=value ...`), the writers' JSON file, the NDJSON run, memory and settings.
"""
import json
import sys


def readers(line):
    values = {}
    for part in (line or "").split()[1:]:
        key, _, value = part.partition("=")
        try:
            values[key] = float(value)
        except ValueError:
            pass
    return values


def verdict(ok):
    return "-" if ok is None else ("met" if ok else "MISSED")


def main():
    figures = json.load(open(sys.argv[1]))
    r = readers(figures.get("readers_line"))
    try:
        w = json.load(open(figures["writers_json"])) if figures.get("writers_json") else {}
    except OSError:
        w = {}
    lag = w.get("lag_ms", {})
    rows = []

    def row(name, value, target="", ok=None):
        rows.append((name, value, target, verdict(ok) if target else ""))

    def ms(v):
        return "-" if v is None else f"{v:.1f} ms"

    def s(v):
        return "-" if v is None else f"{v / 1000:.2f} s"
    if r:
        row("readers: requests (req/s)", f"{int(r.get('requests', 0))} ({r.get('rps', 0):.0f}/s)")
        row("readers: p50 / p99 / max", f"{ms(r.get('p50'))} / {ms(r.get('p99'))} / {ms(r.get('max'))}")
        row("readers: p95", ms(r.get("p95")), "< 20 ms", r.get("p95") is not None and r["p95"] < 20)
        errors = int(r.get("bad", 0) + r.get("socket", 0))
        row("readers: errors (not 2xx/304, socket)", str(errors), "0", errors == 0)
    if w:
        row(f"writers: repayments accepted, {w.get('batch', 1)} per POST", f"{w.get('posted', 0)} ({w.get('rate_achieved', 0):.1f}/s, "
            f"{w.get('requests', 0)} POSTs answered)",
            f"{w.get('rate_target', 0):g}/s", w.get("rate_achieved", 0) >= 0.95 * w.get("rate_target", 0))
        row("writers: POST p50 / p95", f"{ms(w.get('post_ms', {}).get('p50'))} / {ms(w.get('post_ms', {}).get('p95'))}")
        row("publication -> dashboard p50", s(lag.get("p50")), "(aim 2 s)",
            lag.get("p50") is not None and lag["p50"] <= 2000)
        row("publication -> dashboard p95", s(lag.get("p95")), "<= 5 s", lag.get("p95") is not None and lag["p95"] <= 5000)
        row("publication -> dashboard max", s(lag.get("max")))
        never = w.get("never_shown", 0)
        row(f"never shown within {w.get('timeout_s', 30):g} s", str(never), "0", never == 0)
        shown = w.get("shown", 0)
        row("shown exact to the cent", f"{w.get('exact', 0)} of {shown}", "all", shown > 0 and w.get("exact", 0) == shown)
        errors = sum(w.get("errors", {}).values())
        row("writer errors", str(errors), "0", errors == 0)
    for nd in figures.get("ndjson") or []:
        rate = nd["accepted"] / nd["seconds"] if nd.get("seconds") else 0
        row(f"NDJSON POST ({nd['kind']}): records/s", f"{rate:,.0f} ({nd['accepted']:,} of {nd['records']:,} accepted, "
            f"{nd.get('rejected', 0)} rejected, {nd['seconds']:.2f} s, {nd.get('mib', 0):.0f} MiB)", ">= 30,000/s",
            rate >= 30000 and nd.get("rejected", 0) == 0 and nd["accepted"] == nd["records"])
    catchup = figures.get("catchup")
    if catchup:
        row("restarted daemon: all NDJSON applied", f"{catchup['seconds']:.1f} s ({catchup['changes']:,} changes)")
    for name, value in figures.get("memory", []):
        row(name, value)
    width = max(len(x[0]) for x in rows) if rows else 10
    vwidth = max(len(x[1]) for x in rows) if rows else 10
    print("summary" + (f" ({figures['settings']})" if figures.get("settings") else ""))
    for name, value, target, ok in rows:
        print(f"  {name:<{width}}  {value:<{vwidth}}  {target:<12} {ok}".rstrip())


if __name__ == "__main__":
    main()
