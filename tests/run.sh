#!/usr/bin/env bash
# Set up everything the test suite needs on a fresh Debian machine, then run all of it.
#   bash tests/run.sh            # the whole suite (what CI runs)
#   bash tests/run.sh -k store   # extra arguments go to pytest
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages: headless Chromium + its driver (browser tests), PostgreSQL (store tests).
missing=()
command -v chromium >/dev/null || missing+=(chromium)
command -v chromedriver >/dev/null || missing+=(chromium-driver)
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || missing+=(postgresql)
if ((${#missing[@]})); then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    echo "installing Debian packages: ${missing[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# A virtual environment with gridlab and its test extra.
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e ".[test]"

.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy

# A screenshot of each failing browser test lands in test-artifacts/ (kept as CI output).
rm -rf test-artifacts
export GRIDLAB_TEST_ARTIFACTS="$PWD/test-artifacts"
# Two test processes (fewer on a one-core machine): most tests wait on workers, browsers and
# servers rather than compute. Tests are handed out as processes free up (worksteal); the
# 25 slowest are listed at the end.
exec .venv/bin/pytest --numprocesses auto --maxprocesses 2 --dist worksteal --durations=25 "$@"
