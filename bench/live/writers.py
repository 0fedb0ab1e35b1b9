"""The live benchmark's writers (issue 14): a steady stream of repayments POSTed to
/api/v1/ingest, and for each one the time until the officer's detail shows it.

For `--duration` seconds, `--rate` times a second (an open loop: the schedule does not wait for
answers), one new repayment of an existing Active loan, dated `--date`, is sent as one NDJSON line
in its own request with the ingest token. Officers are taken round-robin in a shuffled order and
an officer with a repayment still in flight is passed over, so two repayments of one officer are
never measured at the same time. `--batch N` sends N repayments (of N officers) per request, at
rate / N requests a second.

For each repayment:
  1. `GET /api/v1/metrics/officers/{officer_id}` (viewer token) reads the officer's
     `interest_collected` and `total_entries` (METRICS.md section 4: a repayment dated in the
     month to date adds its `interest_paid` to the first and 1 to the second, whatever else it
     does, so both move for sure; `portfolio_total` may not move, since outstanding is floored at 0);
  2. the POST, checked: 200, accepted 1, rejected 0;
  3. from the POST's answer on, the same GET every `--poll-ms` (with If-None-Match, as a browser
     would) until either figure differs from step 1. The lag is the time from the POST's answer to
     the answer of that GET (an upper bound; the poll interval is the resolution). The new figures
     are also checked exactly: interest_collected = before + interest_paid, total_entries =
     before + 1, to the cent.
  A repayment not shown within `--timeout` seconds is counted as never shown.

`--sink events` (scripts/bench-events.sh, issue 16) publishes each repayment as a Fineract event
instead: a line `SEQ<TAB>LOAN_ID<TAB>PRINCIPAL<TAB>INTEREST` to the `--publisher` command
(`fineract-events-bench serve`), which sends a `LoanTransactionMakeRepaymentPostBusinessEvent` to
ActiveMQ and answers `ok SEQ` once the broker confirmed it; that answer takes the place of the
POST's, and the rest (the officer reads before and after, the lag, the exactness) is the same.
`--batch` must be 1 there.

Input: `--loans-file`, lines `loan_id<TAB>officer_id` of the Active loans. Tokens come from the
environment (VIEWER_TOKEN, INGEST_TOKEN), not the command line. Prints a report and writes the
figures as JSON to `--out`.
"""
import argparse
import asyncio
import json
import os
import random
import sys
import time
from decimal import Decimal
from urllib.parse import quote, urlsplit

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from httpclient import HTTPError, Pool  # noqa: E402
from stats import percentile, summary_line  # noqa: E402


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--base-url", required=True)
    p.add_argument("--loans-file", required=True)
    p.add_argument("--date", required=True, help="the business date D (payment_date of every repayment)")
    p.add_argument("--rate", type=float, default=50.0, help="repayments per second")
    p.add_argument("--batch", type=int, default=1, help="repayments per POST (each of another officer)")
    p.add_argument("--duration", type=float, default=60.0, help="seconds of sending")
    p.add_argument("--poll-ms", type=float, default=200.0)
    p.add_argument("--timeout", type=float, default=30.0, help="seconds after which a repayment counts as never shown")
    p.add_argument("--run-id", default=str(int(time.time())), help="makes the repayment ids unique to this run")
    p.add_argument("--seed", type=int, default=14)
    p.add_argument("--out", required=True)
    p.add_argument("--sink", choices=("ingest", "events"), default="ingest",
                   help="ingest: POST /api/v1/ingest; events: publish Fineract events through --publisher")
    p.add_argument("--publisher", help="the command that publishes events (--sink events), e.g. 'fineract-events-bench serve ...'")
    args = p.parse_args()
    if args.sink == "events" and (args.batch != 1 or not args.publisher):
        p.error("--sink events needs --publisher and --batch 1")
    return args


class EventPublisher:
    """The `--publisher` child: one line per repayment in, `ok SEQ` once the broker has it."""

    def __init__(self, command):
        self.command = command
        self.process = None
        self.waiting = {}
        self.reader = None

    async def start(self):
        import shlex
        self.process = await asyncio.create_subprocess_exec(*shlex.split(self.command), stdin=asyncio.subprocess.PIPE,
                                                            stdout=asyncio.subprocess.PIPE)
        self.reader = asyncio.create_task(self.read())

    async def read(self):
        while True:
            line = await self.process.stdout.readline()
            if not line:
                break
            status, _, rest = line.decode().strip().partition(" ")
            sequence, _, reason = rest.partition(" ")
            future = self.waiting.pop(sequence, None)
            if future is not None and not future.done():
                if status == "ok":
                    future.set_result(None)
                else:
                    future.set_exception(OSError(f"publisher: {reason or line.decode().strip()}"))
        for future in self.waiting.values():
            if not future.done():
                future.set_exception(OSError("publisher exited"))
        self.waiting.clear()

    async def publish(self, sequence, loan_id, principal, interest):
        future = asyncio.get_running_loop().create_future()
        self.waiting[str(sequence)] = future
        self.process.stdin.write(f"{sequence}\t{loan_id}\t{principal:.2f}\t{interest:.2f}\n".encode())
        await self.process.stdin.drain()
        await future

    async def close(self):
        if self.process is None:
            return
        self.process.stdin.close()
        try:
            await asyncio.wait_for(self.process.wait(), 30)
        except asyncio.TimeoutError:
            self.process.kill()
            await self.process.wait()
        if self.reader is not None:
            await self.reader


class Officer:
    __slots__ = ("interest", "entries", "portfolio", "etag")

    def __init__(self, interest, entries, portfolio, etag):
        self.interest = interest
        self.entries = entries
        self.portfolio = portfolio
        self.etag = etag


class Bench:
    def __init__(self, args, loans_by_officer):
        self.args = args
        url = urlsplit(args.base_url)
        self.pool = Pool(url.hostname, url.port or 80, timeout=max(10.0, args.timeout))
        self.viewer = {"Authorization": "Bearer " + os.environ["VIEWER_TOKEN"]}
        self.ingest = {"Authorization": "Bearer " + os.environ["INGEST_TOKEN"], "Content-Type": "application/x-ndjson"}
        self.loans = loans_by_officer
        self.random = random.Random(args.seed)
        self.order = sorted(loans_by_officer)
        self.random.shuffle(self.order)
        self.in_flight = set()
        self.lags = []            # seconds from the POST's answer to the GET answer that showed it
        self.lags_sent = []       # the same, to the moment that GET was sent (a lower bound)
        self.post_times = []      # seconds for the POST itself
        self.get_times = []       # seconds for each officer GET (200 or 304)
        self.sent = 0
        self.shown = 0
        self.never_shown = 0
        self.exact = 0
        self.inexact = []         # (officer, expected, got) when a figure moved by something else
        self.errors = {}          # what went wrong, counted
        self.busy_slots = 0       # repayments not sent: every officer had one in flight
        self.requests = 0         # POSTs answered
        self.late_ticks = 0       # ticks sent more than 100 ms after their time (the client fell behind)
        self.polls = 0
        self.publisher = EventPublisher(args.publisher) if args.sink == "events" else None

    def error(self, kind, detail=None):
        self.errors[kind] = self.errors.get(kind, 0) + 1
        if detail and self.errors[kind] <= 3:
            print(f"  writer: {kind}: {detail}", file=sys.stderr)

    async def read_officer(self, officer, etag=None):
        headers = dict(self.viewer)
        if etag:
            headers["If-None-Match"] = etag
        start = time.monotonic()
        response = await self.pool.request("GET", "/api/v1/metrics/officers/" + quote(officer, safe=""), headers)
        self.get_times.append(time.monotonic() - start)
        if response.status == 304:
            return None
        if response.status != 200:
            raise HTTPError(f"GET officer {officer}: status {response.status}: {response.body[:200]!r}")
        document = json.loads(response.body, parse_float=Decimal)
        current = document["data"]["metrics"]["current"]
        return Officer(Decimal(str(current["interest_collected"] or 0)), int(current["total_entries"] or 0),
                       current.get("portfolio_total"), response.headers.get("etag"))

    def amounts(self):
        principal = Decimal(self.random.randint(500, 20000)) / 100
        interest = Decimal(self.random.randint(100, 5000)) / 100
        return principal, interest

    def repayment(self, sequence, loan_id):
        principal, interest = self.amounts()
        # Money as JSON numbers with two decimals (the ingest reads them exactly from the text).
        line = (f'{{"type":"repayment","repayment_id":"LIVE-{self.args.run_id}-{sequence:07d}",'
                f'"loan_id":{json.dumps(loan_id)},"payment_date":"{self.args.date}",'
                f'"payment_amount":{principal + interest:.2f},"principal_paid":{principal:.2f},'
                f'"interest_paid":{interest:.2f},"fees_paid":0.00,"penalty_paid":0.00,'
                f'"payment_method":"Transfer","payment_channel":"Mobile","is_backdated":false,"is_reversed":false}}')
        return line.encode() + b"\n", interest

    async def group(self, first_sequence, officers):
        """One POST with a repayment for each of `officers`, then each officer watched."""
        if self.publisher is not None:
            return await self.event(first_sequence, officers[0])
        try:
            lines, interests = [], []
            for offset, officer in enumerate(officers):
                line, interest = self.repayment(first_sequence + offset, self.random.choice(self.loans[officer]))
                lines.append(line)
                interests.append(interest)
            befores = await asyncio.gather(*(self.read_officer(o) for o in officers), return_exceptions=True)
            for before in befores:
                if isinstance(before, BaseException):
                    self.error("officer read before the POST failed", str(before))
                    return
            start = time.monotonic()
            try:
                response = await self.pool.request("POST", "/api/v1/ingest", self.ingest, b"".join(lines))
            except (HTTPError, OSError, asyncio.TimeoutError) as e:
                self.error("POST failed", str(e))
                return
            answered = time.monotonic()
            self.post_times.append(answered - start)
            self.requests += 1
            if response.status != 200:
                self.error(f"POST status {response.status}", response.body[:300].decode("utf-8", "replace"))
                return
            try:
                data = json.loads(response.body)["data"]
                if data.get("accepted") != len(officers) or data.get("rejected") != 0:
                    self.error("POST not accepted", response.body[:300].decode("utf-8", "replace"))
                    return
            except (ValueError, KeyError, TypeError) as e:
                self.error("POST answer unreadable", f"{e}: {response.body[:200]!r}")
                return
            self.sent += len(officers)
            await asyncio.gather(*(self.watch(o, b, i, answered) for o, b, i in zip(officers, befores, interests)))
        finally:
            for officer in officers:
                self.in_flight.discard(officer)

    async def event(self, sequence, officer):
        """One repayment published as a Fineract event (--sink events), then the officer watched."""
        try:
            loan_id = self.random.choice(self.loans[officer])
            principal, interest = self.amounts()
            try:
                before = await self.read_officer(officer)
            except (HTTPError, OSError, asyncio.TimeoutError, KeyError, ValueError) as e:
                self.error("officer read before the publication failed", str(e))
                return
            start = time.monotonic()
            try:
                await self.publisher.publish(sequence, loan_id, principal, interest)
            except OSError as e:
                self.error("publication failed", str(e))
                return
            answered = time.monotonic()
            self.post_times.append(answered - start)
            self.requests += 1
            self.sent += 1
            await self.watch(officer, before, interest, answered)
        finally:
            self.in_flight.discard(officer)

    async def watch(self, officer, before, interest, answered):
        """Polls the officer's detail until its figures move, or the timeout."""
        deadline = answered + self.args.timeout
        etag = before.etag
        while True:
            sent_at = time.monotonic()
            try:
                now = await self.read_officer(officer, etag)
                self.polls += 1
            except (HTTPError, OSError, asyncio.TimeoutError, KeyError, ValueError) as e:
                self.error("officer poll failed", str(e))
                now = None
            received = time.monotonic()
            if now is not None and (now.interest != before.interest or now.entries != before.entries):
                self.shown += 1
                self.lags.append(received - answered)
                self.lags_sent.append(max(0.0, sent_at - answered))
                expected = (before.interest + interest, before.entries + 1)
                if (now.interest, now.entries) == expected:
                    self.exact += 1
                else:
                    self.inexact.append((officer, [str(expected[0]), expected[1]], [str(now.interest), now.entries]))
                return
            if now is not None:
                etag = now.etag
            if received >= deadline:
                self.never_shown += 1
                return
            await asyncio.sleep(min(self.args.poll_ms / 1000.0, max(0.0, deadline - received)))

    async def run(self):
        loop = asyncio.get_running_loop()
        if self.publisher is not None:
            await self.publisher.start()
        tasks = []
        start = loop.time()
        end = start + self.args.duration
        batch = self.args.batch
        sequence = 0
        cursor = 0
        while True:
            due = start + sequence / self.args.rate
            if due >= end:
                break
            delay = due - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            elif delay < -0.1:
                self.late_ticks += 1
            first = sequence
            sequence += batch
            officers = []
            for _ in range(len(self.order)):
                candidate = self.order[cursor % len(self.order)]
                cursor += 1
                if candidate not in self.in_flight:
                    officers.append(candidate)
                    self.in_flight.add(candidate)
                    if len(officers) == batch:
                        break
            self.busy_slots += batch - len(officers)
            if not officers:
                continue
            tasks.append(asyncio.create_task(self.group(first, officers)))
            tasks = [t for t in tasks if not t.done()] if len(tasks) > 1000 else tasks
        sending = loop.time() - start
        await asyncio.gather(*tasks)
        if self.publisher is not None:
            await self.publisher.close()
        self.pool.close()
        return sending, loop.time() - start


def load_loans(path):
    loans = {}
    with open(path) as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) == 2 and parts[0] and parts[1]:
                loans.setdefault(parts[1], []).append(parts[0])
    return loans


def main():
    args = parse_args()
    loans = load_loans(args.loans_file)
    if not loans:
        sys.exit(f"writers: no Active loans in {args.loans_file}")
    bench = Bench(args, loans)
    sending, total = asyncio.run(bench.run())
    ms = lambda xs: [x * 1000 for x in xs]  # noqa: E731
    result = {
        "officers": len(loans), "rate_target": args.rate, "sending_seconds": sending, "total_seconds": total,
        "posted": bench.sent, "rate_achieved": bench.sent / sending if sending else 0.0,
        "shown": bench.shown, "never_shown": bench.never_shown, "exact": bench.exact, "inexact": bench.inexact[:20],
        "inexact_count": len(bench.inexact), "errors": bench.errors, "busy_slots": bench.busy_slots, "batch": args.batch, "requests": bench.requests,
        "late_ticks": bench.late_ticks, "polls": bench.polls, "connections": bench.pool.opened,
        "lag_ms": {k: percentile(ms(bench.lags), q) for k, q in (("p50", 50), ("p95", 95), ("p99", 99), ("max", 100))},
        "lag_sent_ms": {k: percentile(ms(bench.lags_sent), q) for k, q in (("p50", 50), ("p95", 95), ("max", 100))},
        "post_ms": {k: percentile(ms(bench.post_times), q) for k, q in (("p50", 50), ("p95", 95), ("p99", 99), ("max", 100))},
        "get_ms": {k: percentile(ms(bench.get_times), q) for k, q in (("p50", 50), ("p95", 95), ("p99", 99), ("max", 100))},
        "poll_ms": args.poll_ms, "timeout_s": args.timeout,
    }
    with open(args.out, "w") as f:
        json.dump(result, f, indent=1, default=str)
    print(f"writers: {bench.sent} repayments {'published as Fineract events' if args.sink == 'events' else 'posted'} in {sending:.1f} s ({result['rate_achieved']:.1f}/s, target "
          f"{args.rate:g}/s) over {len(loans)} officers, "
          + ("one repayment per request" if args.batch == 1 else f"{args.batch} repayments (of {args.batch} officers) per request")
          + f", {bench.requests} requests answered"
          + (f", {bench.busy_slots} not sent (every officer busy)" if bench.busy_slots else "")
          + (f", {bench.late_ticks} ticks sent >100 ms late" if bench.late_ticks else ""))
    events = args.sink == "events"
    print(("  publication (event sent -> broker's RECEIPT): " if events else "  POST /api/v1/ingest: ")
          + summary_line(ms(bench.post_times), "ms"))
    print(f"  publication to dashboard ({'RECEIPT' if events else 'POST answer'} -> GET answer showing it, polled every {args.poll_ms:g} ms): "
          + summary_line(ms(bench.lags), "ms"))
    print("  the same, to the sending of that GET (lower bound): " + summary_line(ms(bench.lags_sent), "ms"))
    print(f"  shown {bench.shown}, never shown within {args.timeout:g} s: {bench.never_shown}; "
          f"exact to the cent (interest_collected + interest_paid, total_entries + 1): {bench.exact}"
          + (f", not exact: {len(bench.inexact)} e.g. {bench.inexact[:3]}" if bench.inexact else ""))
    print(f"  officer GETs by the writers ({bench.polls} polls): " + summary_line(ms(bench.get_times), "ms"))
    if bench.errors:
        print(f"  writer errors: {bench.errors}")


if __name__ == "__main__":
    main()
