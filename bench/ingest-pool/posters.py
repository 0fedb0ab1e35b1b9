"""Closed-loop load on POST /api/v1/ingest (issue 14, part 4: the pool under concurrent ingests).

`--clients` tasks each POST one repayment (one NDJSON line, a new repayment of an Active loan of
the seeded book) and send the next when the answer arrives; `--readers` tasks read the dashboard
(`GET /api/v1/metrics/officers?per_page=50`, officer details) the same way, all for `--duration`
seconds. Prints p50/p95/p99/max latency, throughput and errors (any status but 200, or no answer)
for both, and writes them as JSON to `--out`.

Tokens come from the environment (INGEST_TOKEN, VIEWER_TOKEN). Input: `--loans-file`, lines
`loan_id<TAB>officer_id` of Active loans.
"""
import argparse
import asyncio
import json
import os
import random
import sys
import time
from urllib.parse import urlsplit

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "live"))
from httpclient import HTTPError, Pool  # noqa: E402
from stats import percentile  # noqa: E402


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--base-url", required=True)
    p.add_argument("--loans-file", required=True)
    p.add_argument("--date", required=True)
    p.add_argument("--clients", type=int, default=20)
    p.add_argument("--readers", type=int, default=20)
    p.add_argument("--duration", type=float, default=30.0)
    p.add_argument("--run-id", required=True)
    p.add_argument("--label", required=True)
    p.add_argument("--out", required=True)
    return p.parse_args()


class Load:
    def __init__(self, args, loans):
        self.args = args
        self.loans = loans
        url = urlsplit(args.base_url)
        self.host, self.port = url.hostname, url.port
        self.ingest = {"Authorization": "Bearer " + os.environ["INGEST_TOKEN"], "Content-Type": "application/x-ndjson"}
        self.viewer = {"Authorization": "Bearer " + os.environ["VIEWER_TOKEN"]}
        self.posts, self.reads = [], []
        self.errors = {"post": {}, "read": {}}
        self.sequence = 0

    def error(self, side, kind):
        self.errors[side][kind] = self.errors[side].get(kind, 0) + 1

    async def poster(self, client, deadline):
        pool = Pool(self.host, self.port)
        rng = random.Random(client)
        while time.monotonic() < deadline:
            self.sequence += 1
            loan_id, _ = rng.choice(self.loans)
            line = (f'{{"type":"repayment","repayment_id":"POOL-{self.args.run_id}-{self.sequence:08d}",'
                    f'"loan_id":{json.dumps(loan_id)},"payment_date":"{self.args.date}",'
                    f'"payment_amount":12.50,"principal_paid":10.00,"interest_paid":2.50}}\n').encode()
            start = time.monotonic()
            try:
                response = await pool.request("POST", "/api/v1/ingest", self.ingest, line)
            except (HTTPError, OSError, asyncio.TimeoutError) as e:
                self.error("post", type(e).__name__)
                continue
            elapsed = (time.monotonic() - start) * 1000
            if response.status != 200:
                self.error("post", f"status {response.status}: {response.body[:120].decode(errors='replace')}")
                continue
            data = json.loads(response.body)["data"]
            if data["accepted"] != 1 or data["rejected"] != 0:
                self.error("post", "not accepted")
                continue
            self.posts.append(elapsed)

    async def reader(self, client, deadline):
        pool = Pool(self.host, self.port)
        rng = random.Random(10_000 + client)
        while time.monotonic() < deadline:
            if rng.random() < 0.5:
                path = f"/api/v1/metrics/officers?per_page=50&page={rng.randint(1, 3)}"
            else:
                path = f"/api/v1/metrics/officers/{rng.choice(self.loans)[1]}"
            start = time.monotonic()
            try:
                response = await pool.request("GET", path, self.viewer)
            except (HTTPError, OSError, asyncio.TimeoutError) as e:
                self.error("read", type(e).__name__)
                continue
            if response.status != 200:
                self.error("read", f"status {response.status}: {response.body[:120].decode(errors='replace')}")
                continue
            self.reads.append((time.monotonic() - start) * 1000)

    async def run(self):
        deadline = time.monotonic() + self.args.duration
        start = time.monotonic()
        await asyncio.gather(*[self.poster(i, deadline) for i in range(self.args.clients)],
                             *[self.reader(i, deadline) for i in range(self.args.readers)])
        return time.monotonic() - start


def figures(values, seconds):
    return {"n": len(values), "per_s": round(len(values) / seconds, 1),
            "p50_ms": percentile(values, 50), "p95_ms": percentile(values, 95),
            "p99_ms": percentile(values, 99), "max_ms": percentile(values, 100)}


def line(name, f, errors):
    if not f["n"]:
        return f"  {name}: no successful request; errors {errors}"
    return (f"  {name}: {f['n']} ok ({f['per_s']}/s), p50 {f['p50_ms']:.1f} ms, p95 {f['p95_ms']:.1f} ms, "
            f"p99 {f['p99_ms']:.1f} ms, max {f['max_ms']:.1f} ms; errors {sum(errors.values())} {errors or ''}")


def main():
    args = parse_args()
    loans = [tuple(l.rstrip("\n").split("\t")) for l in open(args.loans_file) if l.strip()]
    load = Load(args, loans)
    seconds = asyncio.run(load.run())
    result = {"label": args.label, "seconds": round(seconds, 1), "clients": args.clients, "readers": args.readers,
              "posts": figures(load.posts, seconds), "reads": figures(load.reads, seconds), "errors": load.errors}
    print(f"{args.label}: {args.clients} posting clients + {args.readers} readers for {seconds:.1f} s")
    print(line("POST /api/v1/ingest (1 repayment)", result["posts"], load.errors["post"]))
    print(line("GET officers (list, detail)", result["reads"], load.errors["read"]))
    with open(args.out, "w") as f:
        json.dump(result, f)


if __name__ == "__main__":
    main()
