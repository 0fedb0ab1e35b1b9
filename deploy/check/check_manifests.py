#!/usr/bin/env python3
"""Checks on rendered Kubernetes manifests (the output of kustomize build), one mode per check.

  check_manifests.py subcommands WORKER_BIN RENDERED...   every Job/CronJob (and every Deployment
      that runs metrics-worker: the daemon) runs a real `metrics-worker` subcommand with options that
      subcommand accepts (from its --help)
  check_manifests.py env SOURCES SECRET_TEMPLATE RENDERED...   every env var set reaches an
      executable that reads it (grep of Sources/AnalyticsAPI or Sources/MetricsWorker, plus the
      shared settings of Sources/AnalyticsLogging), and the
      settings each one requires are set
  check_manifests.py compose SOURCES COMPOSE_CONFIG   the same for deploy/compose.yaml (the output
      of `docker-compose config`): each service of our image sets only variables it reads
  check_manifests.py policy RENDERED...   the deployment rules of issue #6 (replicas, probes,
      security context, resources, schedules, time zone, history limits, one image) and of the
      daemon (issue #14: two or more replicas, probes, a grace period that covers its shutdown,
      the design's schedule in its ConfigMap)
  check_manifests.py one-schedule RENDERED   the job schedule runs once: the daemon or the
      CronJobs, not both

Prints one line per problem and exits 1 if there is any.
"""
import os
import re
import subprocess
import sys

import yaml

EXECUTABLES = {"analytics-api": "AnalyticsAPI", "metrics-worker": "MetricsWorker"}
# Library targets that read settings on the executables' behalf (LogSettings: LOG_LEVEL, LOG_FORMAT).
SHARED_SETTINGS = ["AnalyticsLogging"]
REQUIRED = {"analytics-api": {"DATABASE_URL", "JWT_SECRET"}, "metrics-worker": {"DATABASE_URL"}}
# Which command a schedule must run (ARCHITECTURE.md "Schedules"); init containers run first.
SCHEDULES = {
    ("refresh-loans", "calculate-officer-metrics"): "*/15 * * * *",
    ("calculate-branch-metrics",): "*/30 * * * *",
    ("full-refresh",): "0 2 * * *",
    ("capture-par15-snapshot",): "0 12 15 * *",
    ("archive-old-data",): "0 3 * * *",
}
# Schedules a deployment runs only when it follows a source (k8s/schedule/fineract): when present,
# at this schedule.
OPTIONAL_SCHEDULES = {
    ("sync-fineract",): "*/5 * * * *",
}
# The daemon's settings for the same schedule (deploy/k8s/schedule/daemon/daemon-config.yaml).
DAEMON_SCHEDULE_KEYS = {
    ("refresh-loans", "calculate-officer-metrics"): "DAEMON_SCHEDULE_OFFICER_METRICS",
    ("calculate-branch-metrics",): "DAEMON_SCHEDULE_BRANCH_METRICS",
    ("full-refresh",): "DAEMON_SCHEDULE_FULL_REFRESH",
    ("capture-par15-snapshot",): "DAEMON_SCHEDULE_PAR15_SNAPSHOT",
    ("archive-old-data",): "DAEMON_SCHEDULE_ARCHIVE_OLD_DATA",
    ("sync-fineract",): "DAEMON_SCHEDULE_SYNC_FINERACT",
}
problems = []


def load(paths):
    objs = []
    for p in paths:
        with open(p) as f:
            objs += [d for d in yaml.safe_load_all(f) if d]
    return objs


def pod_specs(objs):
    """(object, pod spec) for every workload."""
    for o in objs:
        kind, spec = o["kind"], o.get("spec", {})
        if kind in ("Deployment", "Job", "StatefulSet", "DaemonSet"):
            yield o, spec["template"]["spec"]
        elif kind == "CronJob":
            yield o, spec["jobTemplate"]["spec"]["template"]["spec"]


def containers(spec):
    return spec.get("initContainers", []) + spec.get("containers", [])


def argv(c):
    return list(c.get("command", [])) + list(c.get("args", []))


def runs_daemon(spec):
    """True for a pod spec whose container runs `metrics-worker daemon`."""
    return any(os.path.basename((argv(c) or ["?"])[0]) == "metrics-worker" and argv(c)[1:2] == ["daemon"]
               for c in containers(spec))


def where(o, c):
    return f"{o['kind']}/{o['metadata']['name']} container {c['name']}"


def help_text(worker, *args):
    return subprocess.run([worker, *args, "--help"], capture_output=True, text=True, check=True).stdout


def check_subcommands(worker, objs):
    text = help_text(worker)
    section = text.split("SUBCOMMANDS:", 1)[1] if "SUBCOMMANDS:" in text else ""
    # Subcommand lines are indented two spaces; wrapped descriptions are indented much further.
    subs = set(re.findall(r"^  ([a-z][a-z0-9-]*)(?=\s|$)", section, re.M))
    if not subs:
        problems.append(f"no subcommands found in `{worker} --help`")
    seen = 0
    for o, spec in pod_specs(objs):
        if o["kind"] not in ("Job", "CronJob") and not runs_daemon(spec):
            continue
        for c in containers(spec):
            words = argv(c)
            if not words or os.path.basename(words[0]) != "metrics-worker":
                problems.append(f"{where(o, c)}: runs {words[:1]}, not metrics-worker")
                continue
            if len(words) < 2 or words[1] not in subs:
                problems.append(f"{where(o, c)}: '{' '.join(words[1:2])}' is not a metrics-worker subcommand {sorted(subs)}")
                continue
            options = set(re.findall(r"(--[a-z][a-z0-9-]*)", help_text(worker, words[1])))
            for w in words[2:]:
                if w.startswith("--") and w.split("=")[0] not in options:
                    problems.append(f"{where(o, c)}: {words[1]} has no option {w}")
            seen += 1
    if seen == 0:
        problems.append("no Job or CronJob containers found")
    return seen


def code_reads(sources, target):
    names = set()
    pattern = re.compile(r'environment\["([A-Z][A-Z0-9_]*)"\]|\b(?:value|required|integer)\("([A-Z][A-Z0-9_]*)"')
    for root, _, files in [w for t in [target] + SHARED_SETTINGS for w in os.walk(os.path.join(sources, t))]:
        for name in files:
            if name.endswith(".swift"):
                with open(os.path.join(root, name)) as f:
                    for m in pattern.finditer(f.read()):
                        names.add(m.group(1) or m.group(2))
    return names


def check_env(sources, secret_template, objs):
    reads = {exe: code_reads(sources, target) for exe, target in EXECUTABLES.items()}
    for exe, names in reads.items():
        if "DATABASE_URL" not in names:
            problems.append(f"found no environment reads for {exe} in {sources} (pattern out of date?)")
    maps = {o["metadata"]["name"]: set(o.get("data", {})) for o in objs if o["kind"] == "ConfigMap"}
    secrets = {o["metadata"]["name"]: set(o.get("stringData", {})) | set(o.get("data", {}))
               for o in load([secret_template]) if o["kind"] == "Secret"}
    checked = 0
    for o, spec in pod_specs(objs):
        for c in containers(spec):
            words = argv(c)
            exe = os.path.basename(words[0]) if words else "?"
            if exe not in reads:
                problems.append(f"{where(o, c)}: unknown executable {exe}")
                continue
            given = set()
            for e in c.get("env", []):
                # A variable only referenced as $(NAME) in args is consumed by Kubernetes itself.
                if any(f"$({e['name']})" in w for w in words):
                    continue
                given.add(e["name"])
                ref = e.get("valueFrom", {})
                if "configMapKeyRef" in ref and ref["configMapKeyRef"]["key"] not in maps.get(ref["configMapKeyRef"]["name"], set()):
                    problems.append(f"{where(o, c)}: {e['name']} refers to a missing ConfigMap key")
                if "secretKeyRef" in ref and ref["secretKeyRef"]["key"] not in secrets.get(ref["secretKeyRef"]["name"], set()):
                    problems.append(f"{where(o, c)}: {e['name']} refers to a key missing from the Secret template")
            for src in c.get("envFrom", []):
                if "configMapRef" in src:
                    name = src["configMapRef"]["name"]
                    if name not in maps:
                        problems.append(f"{where(o, c)}: ConfigMap {name} is not in the manifests")
                    given |= maps.get(name, set())
                if "secretRef" in src:
                    name = src["secretRef"]["name"]
                    if name not in secrets:
                        problems.append(f"{where(o, c)}: Secret {name} is not in {secret_template}")
                    given |= secrets.get(name, set())
            for name in sorted(given - reads[exe]):
                problems.append(f"{where(o, c)}: sets {name}, which {exe} never reads")
            for name in sorted(REQUIRED[exe] - given):
                problems.append(f"{where(o, c)}: does not set {name}, which {exe} requires")
            checked += 1
    return checked


def check_compose(sources, config):
    reads = {exe: code_reads(sources, target) for exe, target in EXECUTABLES.items()}
    services = yaml.safe_load(open(config))["services"]
    checked = 0
    for name, svc in services.items():
        if not str(svc.get("image", "")).startswith("loan-analytics"):
            continue
        words = " ".join(str(w) for w in (svc.get("entrypoint") or []) + (svc.get("command") or []))
        # The schedule loop and the seed run the worker; a service with neither runs the image's CMD.
        exe = "metrics-worker" if "metrics-worker" in words or "worker-schedule" in words else "analytics-api"
        given = set(svc.get("environment") or {})
        for var in sorted(given - reads[exe]):
            problems.append(f"compose service {name} ({exe}): sets {var}, which {exe} never reads")
        for var in sorted(REQUIRED[exe] - given):
            problems.append(f"compose service {name} ({exe}): does not set {var}, which {exe} requires")
        checked += 1
    return checked


def check_policy(objs):
    by_kind = {}
    for o in objs:
        by_kind.setdefault(o["kind"], []).append(o)
    images = {c["image"] for _, s in pod_specs(objs) for c in containers(s)}
    if len(images) > 1:
        problems.append(f"more than one image: {sorted(images)}")
    for o, spec in pod_specs(objs):
        sc = spec.get("securityContext", {})
        if not sc.get("runAsNonRoot"):
            problems.append(f"{o['kind']}/{o['metadata']['name']}: pod securityContext.runAsNonRoot is not true")
        for c in containers(spec):
            csc = c.get("securityContext", {})
            if csc.get("readOnlyRootFilesystem") is not True or csc.get("allowPrivilegeEscalation") is not False:
                problems.append(f"{where(o, c)}: needs readOnlyRootFilesystem: true and allowPrivilegeEscalation: false")
            res = c.get("resources", {})
            if not res.get("requests") or not res.get("limits", {}).get("memory"):
                problems.append(f"{where(o, c)}: needs resource requests and a memory limit")
    maps = {o["metadata"]["name"]: o.get("data", {}) for o in by_kind.get("ConfigMap", [])}
    for d in by_kind.get("Deployment", []):
        spec, c = d["spec"], d["spec"]["template"]["spec"]["containers"][0]
        name = d["metadata"]["name"]
        if runs_daemon(d["spec"]["template"]["spec"]):
            # The daemon: a standby for the lease holder; its grace period covers the job's.
            if (spec.get("replicas") or 1) < 2 or spec["strategy"]["rollingUpdate"].get("maxUnavailable") != 0:
                problems.append(f"Deployment/{name}: the daemon needs 2 or more replicas (a standby) and maxUnavailable 0")
            settings = {}
            for src in c.get("envFrom", []):
                settings.update(maps.get(src.get("configMapRef", {}).get("name"), {}))
            grace = int(settings.get("DAEMON_SHUTDOWN_GRACE_SECONDS", 60))
            if d["spec"]["template"]["spec"].get("terminationGracePeriodSeconds", 30) < grace + 15:
                problems.append(f"Deployment/{name}: terminationGracePeriodSeconds must be at least "
                                f"DAEMON_SHUTDOWN_GRACE_SECONDS ({grace}) + 15")
            for commands, key in DAEMON_SCHEDULE_KEYS.items():
                expected = {**SCHEDULES, **OPTIONAL_SCHEDULES}[commands]
                if settings.get(key) != expected:
                    problems.append(f"Deployment/{name}: {key} is {settings.get(key)!r}, the design's schedule is {expected!r}")
            annotations = d["spec"]["template"]["metadata"].get("annotations", {})
            port = str(settings.get("DAEMON_METRICS_PORT", "9464"))
            if annotations.get("prometheus.io/scrape") != "true" or annotations.get("prometheus.io/port") != port:
                problems.append(f"Deployment/{name}: needs the prometheus.io scrape annotations for port {port}")
        elif spec.get("replicas") != 3 or spec["strategy"]["rollingUpdate"].get("maxUnavailable") != 0:
            problems.append(f"Deployment/{name}: needs replicas 3 and maxUnavailable 0")
        if c.get("readinessProbe", {}).get("httpGet", {}).get("path") != "/ready" \
                or c.get("livenessProbe", {}).get("httpGet", {}).get("path") != "/health":
            problems.append(f"Deployment/{d['metadata']['name']}: readiness must be /ready, liveness /health")
    for kind in ("Deployment", "Service", "PodDisruptionBudget", "HorizontalPodAutoscaler", "NetworkPolicy"):
        if "Deployment" in by_kind and kind not in by_kind:
            problems.append(f"no {kind} in the manifests")
    zones = {o["data"].get("ANALYTICS_TIMEZONE") for o in by_kind.get("ConfigMap", [])} - {None}
    found = {}
    for cj in by_kind.get("CronJob", []):
        s, name = cj["spec"], cj["metadata"]["name"]
        job = s["jobTemplate"]["spec"]
        if s.get("concurrencyPolicy") != "Forbid" or "startingDeadlineSeconds" not in s \
                or "activeDeadlineSeconds" not in job or "successfulJobsHistoryLimit" not in s \
                or "failedJobsHistoryLimit" not in s:
            problems.append(f"CronJob/{name}: needs Forbid, both deadlines and both history limits")
        if {s.get("timeZone")} != zones:
            problems.append(f"CronJob/{name}: timeZone {s.get('timeZone')} differs from ANALYTICS_TIMEZONE {zones}")
        commands = tuple(argv(c)[1] for c in containers(job["template"]["spec"]) if len(argv(c)) > 1)
        found[commands] = s["schedule"]
    optional = {k: v for k, v in found.items() if k in OPTIONAL_SCHEDULES}
    core = {k: v for k, v in found.items() if k not in OPTIONAL_SCHEDULES}
    if core and core != SCHEDULES:
        problems.append(f"CronJob schedules {core} differ from the design's {SCHEDULES}")
    for commands, schedule in optional.items():
        if schedule != OPTIONAL_SCHEDULES[commands]:
            problems.append(f"CronJob schedule of {commands} is {schedule!r}, the design's is {OPTIONAL_SCHEDULES[commands]!r}")
    for j in by_kind.get("Job", []):
        s = j["spec"]
        if s.get("completionMode") == "Indexed":
            n = s.get("completions")
            words = argv(s["template"]["spec"]["containers"][0])
            if s.get("parallelism") != n or f"$(JOB_COMPLETION_INDEX)/{n}" not in words:
                problems.append(f"Job/{j['metadata']['name']}: --partition must be $(JOB_COMPLETION_INDEX)/{n} with parallelism {n}")


def check_one_schedule(objs):
    daemons = [o["metadata"]["name"] for o, spec in pod_specs(objs) if o["kind"] == "Deployment" and runs_daemon(spec)]
    cronjobs = [o["metadata"]["name"] for o in objs if o["kind"] == "CronJob"]
    if daemons and cronjobs:
        problems.append(f"both the daemon ({', '.join(daemons)}) and CronJobs ({', '.join(cronjobs)}) run the schedule: choose one")
    if not daemons and not cronjobs:
        problems.append("nothing runs the job schedule (no daemon Deployment, no CronJob)")
    return "the daemon" if daemons else "CronJobs"


def main():
    mode, rest = sys.argv[1], sys.argv[2:]
    if mode == "subcommands":
        n = check_subcommands(rest[0], load(rest[1:]))
        what = f"{n} worker containers run real subcommands"
    elif mode == "env":
        n = check_env(rest[0], rest[1], load(rest[2:]))
        what = f"{n} containers set only variables their executable reads"
    elif mode == "compose":
        n = check_compose(rest[0], rest[1])
        what = f"{n} compose services of our image set only variables they read"
    elif mode == "one-schedule":
        what = f"the schedule runs once ({check_one_schedule(load(rest))})"
    elif mode == "policy":
        check_policy(load(rest))
        what = "deployment rules hold"
    else:
        sys.exit(f"unknown mode {mode}")
    for p in problems:
        print(f"   - {p}")
    if problems:
        sys.exit(1)
    print(f"   {what}")


if __name__ == "__main__":
    main()
