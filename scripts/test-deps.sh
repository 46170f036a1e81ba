#!/usr/bin/env bash
# What the tests need from Debian: installed when missing and we may (root), else the exact command
# to run is printed and we stop. `npm run test:all` runs this before the suite; so does .ci/run.
#
#   scripts/test-deps.sh [--check] [package...]
#     --check     only report: never install, exit 1 if anything is missing
#     package...  check these instead of the list below
set -euo pipefail

# Debian packages the test suite uses.
PACKAGES=(
  chromium          # the browser tests drive Debian's Chromium through playwright-core (no download from npm)
  fonts-tlwg-loma   # Debian's Chromium has no Thai font of its own: the pages would show boxes
  postgresql        # the PostgreSQL tests start their own cluster with its initdb and pg_ctl (test/support/postgres.ts)
  haproxy           # the load balancer the multi-instance tests put in front of several instances (issue 12)
  sox               # decodes uploaded MP3 prompts (src/recordings/audio-normaliser.ts); the tests make an MP3 with it
  libsox-fmt-mp3    # sox's MP3 support (libmad to read, LAME to write)
)

check_only=false
if [[ "${1:-}" == "--check" ]]; then
  check_only=true
  shift
fi
if (($# > 0)); then PACKAGES=("$@"); fi

if ! command -v dpkg-query >/dev/null 2>&1; then
  echo "test-deps: not a Debian system; make sure these are installed: ${PACKAGES[*]}" >&2
  exit 0
fi

missing=()
for pkg in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then missing+=("$pkg"); fi
done
if ((${#missing[@]} == 0)); then
  echo "test-deps: present: ${PACKAGES[*]}"
  exit 0
fi

command="apt-get update && apt-get install -y ${missing[*]}"
if [[ "$check_only" == true || "$(id -u)" != 0 ]]; then
  echo "test-deps: missing Debian packages: ${missing[*]}" >&2
  echo "test-deps: install them as root, then run the tests again:" >&2
  echo "  $command" >&2
  exit 1
fi

echo "test-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# The package lists of a fresh machine are empty or stale: update first, or install finds nothing.
apt-get update -q
apt-get install -y -q "${missing[@]}" >/dev/null
