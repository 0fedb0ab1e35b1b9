#!/usr/bin/env bash
# Builds both executables and lays out the image's /app tree in OUT:
#   OUT/bin/analytics-api, OUT/bin/metrics-worker, OUT/bin/*.resources (the API's bundle: openapi.json),
#   OUT/migrations/ (MIGRATIONS_DIR)
#
#   deploy/docker/stage.sh debug|release OUT
#
# The Dockerfile runs it with `release`; scripts/check-deploy.sh and scripts/local-cluster.sh run it
# with `debug`, so CI proves the same build command and the same layout the image ships. Two
# differences, both deliberate: the optimisation level, and --static-swift-stdlib (release only).
# The image carries no Swift runtime, so it needs the static stdlib; CI stages from the warm debug
# build the tests just made, and SwiftPM does not recompile when that flag is switched on a warm
# build folder: the objects keep the dynamic Foundation's link entries and the link fails
# (undefined swift_udat_applyPattern from lib_FoundationICU). The Docker build is always clean.
# SWIFT_SCRATCH_PATH builds in another folder, as in scripts/test.sh.
set -euo pipefail
config=${1:?usage: stage.sh debug|release OUT}
out=${2:?usage: stage.sh debug|release OUT}
case "$config" in debug|release) ;; *) echo "stage.sh: configuration must be debug or release" >&2; exit 64 ;; esac
cd "$(dirname "$0")/../.."

# The pkg-config view scripts/test.sh uses (a hiredis.pc without the flag SwiftPM rejects), so the
# warm build folder the tests left is reused as is. scripts/ is not in the image's build context:
# there this is skipped and costs only a warning.
if pc=$(bash scripts/servers.sh pkgconfig "$PWD/.local/pkgconfig" 2>/dev/null); then
  export PKG_CONFIG_PATH="$pc${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
fi

scratch=()
[ -n "${SWIFT_SCRATCH_PATH:-}" ] && scratch=(--scratch-path "$SWIFT_SCRATCH_PATH")
flags=("${scratch[@]}" -c "$config")
[ "$config" = release ] && flags+=(--static-swift-stdlib)

for product in analytics-api metrics-worker; do
  swift build "${flags[@]}" --product "$product"
done
bin=$(swift build "${flags[@]}" --show-bin-path)

mkdir -p "$out/bin"
cp "$bin/analytics-api" "$bin/metrics-worker" "$out/bin/"
# SwiftPM's resource accessor looks for the bundle next to the executable (then at the build path,
# which does not exist in the image): without this copy /openapi.json would crash the API.
for bundle in "$bin"/*.resources; do
  [ -d "$bundle" ] || continue
  rm -rf "$out/bin/$(basename "$bundle")"
  cp -R "$bundle" "$out/bin/"
done
rm -rf "$out/migrations"
cp -R migrations "$out/migrations"
echo "staged $config build in $out"
