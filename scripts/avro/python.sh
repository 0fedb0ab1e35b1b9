#!/usr/bin/env bash
# Prints the path of a Python that has the `avro` package of scripts/avro/requirements.txt, making a
# virtual environment for it under .build-avro/ (git-ignored) the first time. The tests use it for
# Avro's own specification test vectors (scripts/avro/spec-vectors.py) and as the reference encoder.
set -euo pipefail
cd "$(dirname "$0")/../.."
venv=$PWD/.build-avro/venv
if ! "$venv/bin/python" -c 'import avro.test.test_schema' >/dev/null 2>&1; then
  rm -rf "$venv"
  python3 -m venv "$venv" >&2
  "$venv/bin/pip" install -q --disable-pip-version-check -r scripts/avro/requirements.txt >&2
fi
echo "$venv/bin/python"
