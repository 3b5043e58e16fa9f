#!/usr/bin/env bash
# Installs what clicktrace needs on a fresh Debian machine with Node and npm: Debian's Chromium
# (chromium-headless-shell, the default and the web UI tests' browser, and chromium, for --browser
# full, the tests of it and the web UI tests where the shell is missing; browser downloads are not
# used), npm dependencies, and the build. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
# --with-test-tools: also Debian's mitmproxy (import tests and the benchmark's baseline), curl,
# openssl (the tests' RFC 3161 time-stamping authority is `openssl ts -reply`), and redis-server
# (the fleet tests and bench start their own on a free loopback port).
packages=()
[ -x /usr/bin/chromium ] || packages+=(chromium)
if [ "${1:-}" = "--with-test-tools" ]; then
  command -v mitmdump >/dev/null || packages+=(mitmproxy)
  command -v curl >/dev/null || packages+=(curl)
  command -v openssl >/dev/null || packages+=(openssl)
  command -v redis-server >/dev/null || packages+=(redis-server)
fi
if [ ${#packages[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${packages[*]}" >&2
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${packages[@]}" >/dev/null
fi
# The headless shell is the default browser; without it clicktrace uses chromium (slower).
if [ ! -x /usr/bin/chromium-headless-shell ]; then
  echo "setup: installing Debian package chromium-headless-shell" >&2
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  { [ ${#packages[@]} -gt 0 ] || $SUDO apt-get update -qq; } &&
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium-headless-shell >/dev/null ||
    echo "setup: chromium-headless-shell could not be installed; clicktrace will use chromium" >&2
fi
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: installing npm dependencies" >&2
  npm ci --no-audit --no-fund --loglevel=error
fi
npm run -s build
