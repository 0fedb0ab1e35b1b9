#!/usr/bin/env python3
"""Checks on the running local three-replica cluster (scripts/local-cluster.sh), one mode per check.

  check_cluster.py CLUSTER_ENV balance    30 requests through nginx reach all three replicas
  check_cluster.py CLUSTER_ENV audit      an audit write through replica 1 shows at once on 2 and 3
  check_cluster.py CLUSTER_ENV recalc     after new source data and a calculate-officer-metrics run,
                                          no replica serves the old rows
  check_cluster.py CLUSTER_ENV drain SCRAPE_OUT   a 20 s wrk run through nginx while replica 1 gets
                                          SIGTERM loses no request; saves a /metrics scrape

Every request goes to 127.0.0.1 with a timeout. Exits 1 with the reason on the first failure.
"""
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid


def fail(message):
    print(f"   - {message}")
    sys.exit(1)


def load_env(path):
    env = {}
    with open(path) as f:
        for line in f:
            key, _, value = line.rstrip("\n").partition("=")
            env[key] = value
    return env


ENV = load_env(sys.argv[1])
REPLICAS = [f"http://127.0.0.1:{ENV[f'API_{i}_PORT']}" for i in (1, 2, 3)]
LB = ENV["LB_URL"]
WORKER = os.path.join(ENV["BIN_DIR"], "metrics-worker")


def worker(*args):
    env = dict(os.environ, **{k: ENV[k] for k in ("DATABASE_URL", "REDIS_URL", "JWT_SECRET", "MIGRATIONS_DIR")})
    done = subprocess.run([WORKER, *args], env=env, capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        fail(f"metrics-worker {' '.join(args)} exited {done.returncode}: {done.stderr.strip()[-400:]}")
    return done.stdout.strip()


TOKEN = worker("dev-token", "--role", "auditor", "--sub", "deploy-check")


def request(base, path, method="GET", body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method,
                                 headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, dict(resp.headers), json.loads(resp.read() or b"null")
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read().decode(errors="replace")[:300]


def get_ok(base, path):
    status, headers, body = request(base, path)
    if status != 200:
        fail(f"GET {base}{path}: {status} {body}")
    return headers, body


def first_officer():
    _, body = get_ok(LB, "/api/v1/metrics/officers?per_page=1")
    return body["data"][0]["officer_id"]


def balance():
    seen = {}
    for _ in range(30):
        headers, _ = get_ok(LB, "/api/v1/metrics/officers?per_page=5")
        upstream = headers.get("X-Upstream", "?")
        seen[upstream] = seen.get(upstream, 0) + 1
    wanted = {r.removeprefix("http://") for r in REPLICAS}
    if set(seen) != wanted:
        fail(f"30 requests reached {seen}, expected all of {sorted(wanted)}")
    print(f"   30 requests through nginx, all 200, per replica: {seen}")


def audit():
    officer = first_officer()
    path = f"/api/v1/metrics/officers/{officer}"
    for base in REPLICAS[1:]:
        get_ok(base, path)  # warm replicas 2 and 3: they must not answer from what they cached
    _, members = get_ok(REPLICAS[0], "/api/v1/audit/team-members?is_active=true")
    member = members["data"][0]["member_id"]
    status, _, body = request(REPLICAS[0], f"/api/v1/audit/officers/{officer}/assignee", "PUT", {"assignee_id": member})
    if status != 200:
        fail(f"PUT assignee through replica 1: {status} {body}")
    note = f"deploy-check {uuid.uuid4().hex[:8]}"
    status, _, body = request(REPLICAS[0], f"/api/v1/audit/officers/{officer}/status", "PUT",
                              {"audit_status": "In Progress", "audit_notes": note})
    if status != 200:
        fail(f"PUT status through replica 1: {status} {body}")
    for i, base in enumerate(REPLICAS[1:], start=2):
        info = get_ok(base, path)[1]["data"]["audit_info"]
        if info["assignee_id"] != member or info["audit_status"] != "In Progress" or info["audit_notes"] != note:
            fail(f"replica {i} shows {info} right after the write through replica 1")
    print(f"   officer {officer}: assignee {member} and status 'In Progress' ({note}) written via replica 1, "
          "seen at once on replicas 2 and 3")


def snapshot(base, path):
    body = get_ok(base, path)[1]
    return body["meta"].get("calculated_at"), json.dumps(body["data"], sort_keys=True)


def recalc():
    path = "/api/v1/metrics/officers?per_page=100"
    before = [snapshot(base, path) for base in REPLICAS]  # every replica now has the page cached
    # New source data through the real ingest path: the same demo portfolio (same seed) a week on,
    # so more repayments and new loans exist; then the 15-minute job pair.
    as_of = time.strftime("%Y-%m-%d", time.gmtime(time.time() + 7 * 86400))
    worker("seed-demo", "--officers", os.environ.get("DEMO_OFFICERS", "30"), "--loans", os.environ.get("DEMO_LOANS", "3000"),
           "--seed", "6", "--as-of", as_of)
    worker("refresh-loans", "--changed-only")
    worker("calculate-officer-metrics")
    after = [snapshot(base, path) for base in REPLICAS]
    for i, (old, new) in enumerate(zip(before, after), start=1):
        if new[0] == old[0]:
            fail(f"replica {i} still serves the page calculated at {old[0]}")
    if len({a for a in after}) != 1:
        fail(f"replicas disagree after the run: calculated_at {[a[0] for a in after]}")
    changed = after[0][1] != before[0][1]
    if not changed:
        fail("the officer rows did not change after new source data and a recalculation")
    print(f"   after new data + calculate-officer-metrics: all 3 replicas serve the new rows "
          f"(calculated_at {before[0][0]} -> {after[0][0]}), identical on every replica")


def drain(scrape_out):
    path = f"/api/v1/metrics/officers/{first_officer()}"
    pid = int(open(os.path.join(ENV["CLUSTER_DIR"], "api-1.pid")).read())
    wrk = subprocess.Popen(["wrk", "-t1", "-c8", "-d20s", "--timeout", "5s", "-H", f"Authorization: Bearer {TOKEN}", LB + path],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    time.sleep(6)
    os.kill(pid, signal.SIGTERM)
    out, _ = wrk.communicate(timeout=60)
    for _ in range(300):  # the replica must finish draining and exit
        try:
            os.kill(pid, 0)
            time.sleep(0.1)
        except ProcessLookupError:
            break
    else:
        fail(f"replica 1 (pid {pid}) still runs 30 s after SIGTERM")
    total = re.search(r"(\d+) requests in", out)
    if not total or int(total.group(1)) == 0:
        fail(f"wrk made no requests:\n{out}")
    if "Non-2xx" in out or "Socket errors" in out:
        fail(f"requests lost while replica 1 stopped:\n{out}")
    with open(scrape_out, "w") as f:
        f.write(urllib.request.urlopen(REPLICAS[1] + "/metrics", timeout=10).read().decode())
    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    print(f"   {total.group(1)} requests in 20 s through nginx ({rate.group(1) if rate else '?'}/s), "
          "replica 1 stopped by SIGTERM at 6 s: 0 errors, 0 non-2xx; replica 1 exited")


mode = sys.argv[2]
{"balance": balance, "audit": audit, "recalc": recalc}.get(mode, lambda: drain(sys.argv[3]))()
