#!/usr/bin/env bash
# Makes sure Debian's chromium is at /usr/bin/chromium for the browser tests (playwright-core cannot download
# its own browsers here). Idempotent: does nothing when chromium is already installed.
set -euo pipefail
CHROMIUM=${TWINBED_CHROMIUM:-/usr/bin/chromium}
if [[ -x "$CHROMIUM" ]]; then
  exit 0
fi
if [[ $(id -u) -ne 0 ]]; then
  echo "twinbed: the browser tests need Chromium at $CHROMIUM and it is missing." >&2
  echo "  Install it with:  sudo apt-get install -y chromium   (Debian/Ubuntu)" >&2
  echo "  or point TWINBED_CHROMIUM at an existing Chromium binary." >&2
  exit 1
fi
echo "twinbed: installing Debian's chromium for the browser tests (once)…" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium >/dev/null
if [[ ! -x "$CHROMIUM" ]]; then
  echo "twinbed: apt-get installed chromium but $CHROMIUM is still missing" >&2
  exit 1
fi
