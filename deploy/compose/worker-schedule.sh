#!/usr/bin/env bash
# The worker schedule (ARCHITECTURE.md "Schedules") as a loop: the alternative to
# `metrics-worker daemon` for places without CronJobs (the compose `worker` service, profile
# schedule-loop, and scripts/local-cluster.sh --schedule-loop). Wakes each minute in ANALYTICS_TIMEZONE:
#   every 15 min  refresh-loans --changed-only, then calculate-officer-metrics
#   every 30 min  calculate-branch-metrics        02:00 full-refresh
#   15th 12:00    capture-par15-snapshot          03:00 archive-old-data
#   every 5 min   sync-fineract, only when FINERACT_DATABASE_URL is set (docs/fineract.md)
# Jobs run one after another, so no two overlap (the CronJobs' concurrencyPolicy: Forbid).
# METRICS_WORKER: the worker executable (default: metrics-worker on PATH).
set -uo pipefail
worker=${METRICS_WORKER:-metrics-worker}
zone=${ANALYTICS_TIMEZONE:-Africa/Lagos}

run() {
  "$worker" "$@"
  local rc=$?
  case $rc in
    0) ;;
    75) echo "schedule: $* skipped (exit 75: lock held or prerequisites incomplete), next slot retries" >&2 ;;
    *) echo "schedule: $* failed with exit $rc" >&2 ;;
  esac
  return $rc
}

while true; do
  read -r hour minute day < <(TZ=$zone date '+%H %M %d')
  hour=$((10#$hour)); minute=$((10#$minute)); day=$((10#$day))
  # The daily jobs first: after 02:00's full-refresh the 15-minute pair finds little to do.
  if ((hour == 2 && minute == 0)); then run full-refresh; fi
  if ((hour == 3 && minute == 0)); then run archive-old-data; fi
  if [ -n "${FINERACT_DATABASE_URL:-}" ] && ((minute % 5 == 0)); then run sync-fineract; fi
  if ((minute % 15 == 0)); then run refresh-loans --changed-only && run calculate-officer-metrics; fi
  if ((minute % 30 == 0)); then run calculate-branch-metrics; fi
  if ((day == 15 && hour == 12 && minute == 0)); then run capture-par15-snapshot; fi
  # Sleep to the start of the next minute (a job that ran past it skips those slots, like a
  # CronJob whose previous run is still going).
  sleep $((60 - 10#$(date +%S)))
done
