#!/usr/bin/env bash
# Checks deploy/ against the code, and the three-replica topology on this machine (issue #6):
#   - kustomize build of base, jobs, the two schedules (daemon, CronJobs) and the production overlays;
#     offline schema validation (k8s 1.30)
#   - every Job/CronJob and the daemon run a real metrics-worker subcommand with options it accepts
#   - the production overlay runs the schedule once (the daemon or the CronJobs, not both)
#   - every env var the manifests set is one the executable reads (grep of Sources/), required ones set
#   - deployment rules (replicas, probes, security context, schedules, time zone, one image)
#   - docker-compose config parses, refuses to run without JWT_SECRET, sets only variables read;
#     Dockerfile rules
#   - scripts/local-cluster.sh: 30 requests reach all 3 replicas, audit write visible at once on the
#     others, no old rows after calculate-officer-metrics, no lost request when a replica gets SIGTERM
#     under load; a daemon serves its endpoints and exits 0 on SIGTERM; alerts and dashboard use
#     only metrics a replica or the daemon really exports
# Exits non-zero on any failure; the last line is `deploy checks: N passed, M failed`.
#
#   scripts/check-deploy.sh                 everything (CI: run by scripts/test.sh)
#   scripts/check-deploy.sh --static-only   skip the cluster (quick, while editing manifests)
#
# ANALYTICS_BIN_DIR: use those executables instead of building (deploy/docker/stage.sh debug).
set -uo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
static_only=0
[ "${1:-}" = --static-only ] && static_only=1

passed=0 failed=0
check() { # NAME COMMAND...: run one check, count it
  local name=$1
  shift
  echo "== $name"
  if "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "   FAILED: $name"; fi
}
finish() {
  echo "deploy checks: $passed passed, $failed failed"
  [ "$failed" = 0 ]
}

work=$(mktemp -d /tmp/check-deploy.XXXXXX)
chmod 755 "$work"  # the postgres user must reach the cluster's data folder inside
cluster_dir=$work/cluster
cleanup() {
  [ -f "$cluster_dir/cluster.env" ] && LOCAL_CLUSTER_DIR=$cluster_dir bash scripts/local-cluster.sh stop >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT

# --- tools -------------------------------------------------------------------------------------
# Python venv with pinned kubernetes-validate (PyPI); git-ignored (.build-*).
venv=$repo/.build-deploy/venv
if ! "$venv/bin/python" -c 'import kubernetes_validate, yaml' 2>/dev/null; then
  python3 -m venv "$venv" && "$venv/bin/pip" install -q -r deploy/check/requirements.txt \
    || { echo "cannot install deploy/check/requirements.txt"; exit 1; }
fi
py=$venv/bin/python
# Debian packages: docker-compose (config needs no engine), wrk (the load run); nginx-light is
# installed by scripts/local-cluster.sh.
missing=()
for tool in docker-compose wrk; do command -v "$tool" >/dev/null 2>&1 || missing+=("$tool"); done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# The real kustomize when there is one (kubectl embeds it); else the small renderer in deploy/check.
render_tool=""
if command -v kustomize >/dev/null 2>&1; then render_tool="kustomize build"
elif command -v kubectl >/dev/null 2>&1 && kubectl kustomize --help >/dev/null 2>&1; then render_tool="kubectl kustomize"
fi

# --- executables: the image's build command and layout, in debug --------------------------------
if [ -n "${ANALYTICS_BIN_DIR:-}" ]; then
  bin=$ANALYTICS_BIN_DIR
else
  bash deploy/docker/stage.sh debug "$work/app" >"$work/stage.log" 2>&1 || { tail -n 30 "$work/stage.log"; echo "build failed"; failed=$((failed + 1)); finish; exit 1; }
  bin=$work/app/bin
fi
worker=$bin/metrics-worker

# --- Kubernetes ----------------------------------------------------------------------------------
kustomizations=(base jobs schedule/daemon schedule/cronjobs schedule/fineract overlays/production overlays/production/backfill
  overlays/production/cronjobs overlays/production/fineract)
render() { # KUSTOMIZATION: render into $work/render/<name>.yaml
  local out=$work/render/${1//\//_}.yaml
  mkdir -p "$work/render"
  if [ -n "$render_tool" ]; then
    $render_tool "deploy/k8s/$1" >"$out" || return 1
    # Keep the fallback honest: it must agree with the real tool on everything we ship.
    "$py" deploy/check/kustomize_lite.py "deploy/k8s/$1" >"$out.lite" || return 1
    "$py" - "$out" "$out.lite" <<'PY' || { echo "   kustomize_lite.py disagrees with $render_tool"; return 1; }
import sys, yaml
def index(p): return {(d["kind"], d["metadata"].get("namespace"), d["metadata"]["name"]): d for d in yaml.safe_load_all(open(p)) if d}
sys.exit(index(sys.argv[1]) != index(sys.argv[2]))
PY
  else
    "$py" deploy/check/kustomize_lite.py "deploy/k8s/$1" >"$out" || return 1
  fi
  echo "   $(grep -c '^kind:' "$out") objects (${render_tool:-kustomize_lite.py: no kustomize or kubectl here})"
}
for k in "${kustomizations[@]}"; do check "render deploy/k8s/$k" render "$k"; done
r() { echo "$work/render/${1//\//_}.yaml"; }

validate() {
  "$venv/bin/kubernetes-validate" --strict --quiet -k 1.30.0 "$@" || return 1
  # The validator must reject a known-bad manifest, or the line above proves nothing.
  if "$venv/bin/kubernetes-validate" --strict --quiet -k 1.30.0 deploy/check/bad-deployment.yaml >/dev/null 2>&1; then
    echo "   the validator accepted deploy/check/bad-deployment.yaml"; return 1
  fi
  echo "   all objects valid against the Kubernetes 1.30 schemas (strict)"
}
check "schema validation (kubernetes-validate, offline)" validate "$(r base)" "$(r jobs)" "$(r schedule/daemon)" \
  "$(r schedule/cronjobs)" "$(r schedule/fineract)" "$(r overlays/production)" "$(r overlays/production/backfill)" \
  "$(r overlays/production/cronjobs)" "$(r overlays/production/fineract)" deploy/k8s/base/secret.template.yaml

# Production as shipped (the daemon), its one-off Jobs, and the CronJobs that are its alternative.
prod=("$(r overlays/production)" "$(r overlays/production/backfill)" "$(r overlays/production/cronjobs)"
  "$(r overlays/production/fineract)")
check "production runs the job schedule once (daemon or CronJobs)" "$py" deploy/check/check_manifests.py one-schedule "$(r overlays/production)"
check "Jobs, CronJobs and the daemon run real metrics-worker subcommands" "$py" deploy/check/check_manifests.py subcommands "$worker" "${prod[@]}"
check "env vars set are read by the executables" "$py" deploy/check/check_manifests.py env Sources deploy/k8s/base/secret.template.yaml "${prod[@]}"
check "deployment rules (production)" "$py" deploy/check/check_manifests.py policy "${prod[@]}"
check "deployment rules (base)" "$py" deploy/check/check_manifests.py policy "$(r base)"

# --- compose and Dockerfile ---------------------------------------------------------------------
compose_config() {
  JWT_SECRET=placeholder-for-config-check-0123456789abcdef docker-compose -f deploy/compose.yaml config >"$work/compose.yaml" || return 1
  # Without JWT_SECRET the stack must refuse to start (no secret committed, no weak default).
  if env -u JWT_SECRET docker-compose -f deploy/compose.yaml config >/dev/null 2>&1; then
    echo "   compose accepted a missing JWT_SECRET"; return 1
  fi
  echo "   $(grep -c '^  [a-z0-9-]*:$' "$work/compose.yaml") services parse; JWT_SECRET is required"
}
check "docker-compose config" compose_config
check "compose env vars are read by the executables" "$py" deploy/check/check_manifests.py compose Sources "$work/compose.yaml"

dockerfile_rules() {
  local f=deploy/docker/Dockerfile ok=0
  grep -q '^FROM swift:6.3' "$f" || { echo "   build stage is not Swift 6.3"; ok=1; }
  grep -q 'bash deploy/docker/stage.sh release' "$f" || { echo "   does not build with deploy/docker/stage.sh"; ok=1; }
  grep -q '^USER 10001' "$f" || { echo "   does not run as uid 10001"; ok=1; }
  grep -q '^HEALTHCHECK' "$f" || { echo "   no HEALTHCHECK"; ok=1; }
  grep -q 'libpq5 libhiredis0.14 ca-certificates' "$f" || { echo "   runtime libraries changed"; ok=1; }
  grep -Eiq '^(ENV|ARG).*(SECRET|PASSWORD|DATABASE_URL|REDIS_URL)' "$f" && { echo "   a secret-looking ENV/ARG"; ok=1; }
  [ -f .dockerignore ] && grep -qx '.git' .dockerignore || { echo "   .dockerignore missing or does not exclude .git"; ok=1; }
  [ "$ok" = 0 ] && echo "   Swift 6.3 build via stage.sh, non-root, HEALTHCHECK, no secrets (not built: no Docker engine)"
  return $ok
}
check "Dockerfile rules" dockerfile_rules

# --- the three-replica topology ------------------------------------------------------------------
if [ "$static_only" = 1 ]; then
  echo "(--static-only: cluster checks not run)"
  finish; exit
fi
env_file=$cluster_dir/cluster.env
# A daemon against the cluster's database, its schedule entries off and not following changes (so
# it changes nothing under the other checks): it takes the lease, serves its endpoints, and its
# /metrics scrape goes to FILE for the monitoring check; then SIGTERM must end it with exit 0.
daemon_scrape() { # FILE
  local out=$1 log=$work/daemon.log pid port="" rc
  (
    # shellcheck disable=SC1090
    . "$env_file"
    export DATABASE_URL REDIS_URL
    DAEMON_METRICS_PORT=0 DAEMON_SCHEDULE_FULL_REFRESH=off DAEMON_SCHEDULE_ARCHIVE_OLD_DATA=off \
      DAEMON_SCHEDULE_OFFICER_METRICS=off DAEMON_SCHEDULE_BRANCH_METRICS=off DAEMON_SCHEDULE_PAR15_SNAPSHOT=off \
      exec "$worker" daemon --no-follow >"$log" 2>&1
  ) &
  pid=$!
  for _ in $(seq 1 300); do
    port=$(grep '"message":"metrics_listening"' "$log" 2>/dev/null | grep -o '"port":[0-9]*' | cut -d: -f2 | head -n 1)
    [ -n "$port" ] && curl -s --max-time 2 "http://127.0.0.1:$port/metrics" | grep -q '^analytics_daemon_lease_held 1' && break
    sleep 0.1
  done
  local ok=0
  [ -n "$port" ] || { echo "   the daemon never listened: $(tail -n 5 "$log")"; ok=1; }
  if [ "$ok" = 0 ]; then
    curl -s --max-time 5 "http://127.0.0.1:$port/metrics" >"$out"
    grep -q '^analytics_daemon_lease_held 1' "$out" || { echo "   the daemon did not take the lease"; ok=1; }
    [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "http://127.0.0.1:$port/health")" = 200 ] || { echo "   /health is not 200"; ok=1; }
    [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "http://127.0.0.1:$port/ready")" = 200 ] || { echo "   /ready is not 200"; ok=1; }
  fi
  kill -TERM "$pid" 2>/dev/null
  wait "$pid"
  rc=$?
  [ "$rc" = 0 ] || { echo "   exit $rc after SIGTERM: $(tail -n 5 "$log")"; ok=1; }
  [ "$ok" = 0 ] && echo "   port $port: lease held, /health and /ready 200, $(grep -c '^analytics_daemon_' "$out") series; exit 0 on SIGTERM"
  return $ok
}
start_cluster() {
  LOCAL_CLUSTER_DIR=$cluster_dir ANALYTICS_BIN_DIR=$bin bash scripts/local-cluster.sh start --no-schedule >"$work/cluster-start.log" 2>&1 \
    || { tail -n 30 "$work/cluster-start.log"; return 1; }
  tail -n 2 "$work/cluster-start.log" | head -n 1 | sed 's/^/   /'
}
check "local cluster starts (PostgreSQL, Redis, migrate, seed, full-refresh, 3 APIs, nginx)" start_cluster
if [ -f "$env_file" ]; then
  check "balancer reaches all three replicas" "$py" deploy/check/check_cluster.py "$env_file" balance
  check "audit write via replica 1 visible at once on 2 and 3" "$py" deploy/check/check_cluster.py "$env_file" audit
  check "no replica serves old rows after calculate-officer-metrics" "$py" deploy/check/check_cluster.py "$env_file" recalc
  check "SIGTERM on a replica under 20 s of load loses no request" "$py" deploy/check/check_cluster.py "$env_file" drain "$work/scrape.txt"
  check "metrics-worker daemon serves /metrics, /health, /ready and exits 0 on SIGTERM" daemon_scrape "$work/daemon-scrape.txt"
fi
scrape=()
[ -s "$work/scrape.txt" ] && [ -s "$work/daemon-scrape.txt" ] && scrape=("$work/scrape.txt" "$work/daemon-scrape.txt")
check "alerts and dashboard use exported metrics" "$py" deploy/check/check_monitoring.py \
  deploy/monitoring/alerts.yaml deploy/monitoring/grafana-dashboard.json Sources/AnalyticsAPI "${scrape[@]}"
[ ${#scrape[@]} = 2 ] || { echo "   FAILED: no live /metrics scrapes (API and daemon) to compare with"; failed=$((failed + 1)); }

finish
