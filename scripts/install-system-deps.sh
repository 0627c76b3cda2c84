#!/usr/bin/env bash
# Installs the Debian packages the test suite needs (PostgreSQL, Chromium, the OpenMP runtime
# LightGBM links against, and for the several-node tests Redis and nginx), only when missing.
set -euo pipefail

have_postgres() { compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null; }

missing=()
have_postgres || missing+=(postgresql)
# The browser tests (tests/web) drive Debian's Chromium with Playwright; never `playwright install`.
[ -x /usr/bin/chromium ] || missing+=(chromium)
# lightgbm (the learned ranker) loads libgomp.so.1; without it the linear scorer serves.
ldconfig -p | grep -q 'libgomp\.so\.1 ' || missing+=(libgomp1)
# Rate limits across nodes (tests/api/test_limits.py) and scripts/cluster.sh's load balancer.
command -v redis-server >/dev/null || [ -x /usr/bin/redis-server ] || missing+=(redis-server)
[ -x /usr/sbin/nginx ] || missing+=(nginx-light)

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "Missing Debian packages: ${missing[*]}. Install them with: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "Installing ${missing[*]} ..." >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${missing[@]}" >/dev/null
# The Debian packages start servers of their own; the tests start their own instead.
for name in postgresql redis-server nginx; do
  service "$name" stop >/dev/null 2>&1 || true
done
