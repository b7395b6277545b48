#!/usr/bin/env bash
# Installs the system packages the tests drive for real, with apt, once: Debian's chromium (playwright-core
# cannot download its own browsers here), mosquitto with its clients (a broker twinbed did not write, and
# mosquitto_pub/sub over TLS), the PostgreSQL server (test/support/postgres.ts starts a throwaway one per test
# file), socat and xmllint (libxml2-utils). Idempotent: does nothing when everything is present.
set -euo pipefail
declare -A need=()
[[ -x ${TWINBED_CHROMIUM:-/usr/bin/chromium} ]] || need[chromium]=1
command -v mosquitto >/dev/null 2>&1 || [[ -x /usr/sbin/mosquitto ]] || need[mosquitto]=1
command -v mosquitto_pub >/dev/null 2>&1 || need[mosquitto-clients]=1
# Debian keeps the server binaries off PATH, under /usr/lib/postgresql/<version>/bin.
compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null || need[postgresql]=1
command -v socat >/dev/null 2>&1 || need[socat]=1
command -v xmllint >/dev/null 2>&1 || need[libxml2-utils]=1
(( ${#need[@]} == 0 )) && exit 0
packages="${!need[*]}"
if [[ $(id -u) -ne 0 ]]; then
  echo "twinbed: the tests need these Debian packages, which are missing: $packages" >&2
  echo "  Install them with:  sudo apt-get install -y $packages" >&2
  exit 1
fi
echo "twinbed: installing $packages for the tests (once)…" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $packages >/dev/null
# The mosquitto package starts a system broker on 1883; the tests start their own on free ports.
if command -v systemctl >/dev/null 2>&1; then systemctl disable --now mosquitto >/dev/null 2>&1 || true; fi
# The postgresql package creates a cluster and may start it on 5432; the tests start their own, so stop it.
if [[ -n ${need[postgresql]:-} ]]; then
  if command -v systemctl >/dev/null 2>&1; then systemctl disable --now postgresql >/dev/null 2>&1 || true; fi
  if command -v pg_lsclusters >/dev/null 2>&1; then
    while read -r version cluster _port status _rest; do
      [[ $status == online* ]] && { pg_ctlcluster "$version" "$cluster" stop >/dev/null 2>&1 || true; }
    done < <(pg_lsclusters --no-header 2>/dev/null || true)
  fi
  service postgresql stop >/dev/null 2>&1 || true
fi
