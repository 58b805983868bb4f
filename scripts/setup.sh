#!/usr/bin/env bash
# Idempotent machine setup shared by `make run` and `make test`:
# virtualenv + project install, PostgreSQL with PostGIS and pgRouting, Redis.
# Every step checks before it acts, so running it twice is harmless.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
VENV=.venv
log() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
apt_updated=0
apt_install() {
  if [ "$apt_updated" = 0 ]; then as_root apt-get update -qq; apt_updated=1; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# --- Python -----------------------------------------------------------------
if [ ! -x "$VENV/bin/python" ]; then
  log "creating virtualenv in $VENV"
  "$PYTHON" -m venv "$VENV"
fi
stamp="$VENV/.installed-$(sha1sum pyproject.toml | cut -c1-12)"
if [ ! -f "$stamp" ]; then
  log "installing the project and its dev tools"
  "$VENV/bin/pip" install -q --upgrade pip
  "$VENV/bin/pip" install -q -e '.[dev]'
  rm -f "$VENV"/.installed-* && touch "$stamp"
fi

# --- PostgreSQL + PostGIS + pgRouting -----------------------------------------
# Only a local server is managed here; a DATABASE_URL pointing elsewhere is the
# deployment's business.
db_url=${DATABASE_URL:-${ARREARS_DATABASE_URL:-}}
case "$db_url" in
  ""|*@127.0.0.1*|*@localhost*|*@/*) manage_pg=1 ;;
  *) manage_pg=0 ;;
esac
if [ "$manage_pg" = 1 ]; then
  if ! command -v pg_lsclusters >/dev/null; then
    log "installing PostgreSQL"
    apt_install postgresql
  fi
  major=$(pg_lsclusters -h | awk 'NR==1 {print $1}')
  if [ -z "$major" ]; then
    log "no PostgreSQL cluster found; creating one"
    major=$(ls /usr/lib/postgresql | sort -n | tail -1)
    as_root pg_createcluster "$major" main --start
  fi
  extdir=/usr/share/postgresql/$major/extension
  if [ ! -f "$extdir/postgis.control" ] || [ ! -f "$extdir/pgrouting.control" ]; then
    log "installing PostGIS and pgRouting for PostgreSQL $major"
    apt_install "postgresql-$major-postgis-3" "postgresql-$major-pgrouting"
  fi
  if ! command -v osm2pgrouting >/dev/null; then
    log "installing osm2pgrouting (road-network import)"
    apt_install osm2pgrouting || log "osm2pgrouting unavailable; road import docs only"
  fi
  if pg_lsclusters -h | awk '{print $4}' | grep -qv online; then
    log "starting PostgreSQL $major"
    as_root pg_ctlcluster --skip-systemctl-redirect "$major" main start
  fi
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
fi

# --- Redis ------------------------------------------------------------------
redis_url=${REDIS_URL:-${ARREARS_REDIS_URL:-redis://127.0.0.1:6379/0}}
case "$redis_url" in
  *127.0.0.1*|*localhost*)
    if ! command -v redis-server >/dev/null; then log "installing Redis"; apt_install redis-server; fi
    if ! redis-cli -h 127.0.0.1 ping >/dev/null 2>&1; then
      log "starting Redis"
      mkdir -p /var/lib/redis /var/log/redis
      redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
        --dir /var/lib/redis --logfile /var/log/redis/arrears.log
      for _ in $(seq 1 20); do redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 && break; sleep 0.5; done
    fi ;;
esac
# --- Web pages and browser tests ----------------------------------------------
# Debian's chromium drives the Playwright tests (Playwright's own browser download is not
# reachable); CJK fonts so the Chinese pages render, in tests and screenshots alike.
if ! command -v chromium >/dev/null || [ ! -d /usr/share/fonts/opentype/noto ]; then
  log "installing chromium and CJK fonts (browser tests)"
  apt_install chromium fonts-noto-cjk
fi
# GDAL's ogrinfo reads the OGC API Features endpoints in a test (its OAPIF driver).
if ! command -v ogrinfo >/dev/null; then
  log "installing gdal-bin (OGC API Features client test)"
  apt_install gdal-bin
fi
# wrk drives bench/load.py's HTTP load (the morning rush).
if ! command -v wrk >/dev/null; then
  log "installing wrk (load benchmark)"
  apt_install wrk
fi
# Each page under web/ has its own package.json and lockfile; npm ci when the lock changes.
# Nothing third-party is committed: node_modules is made here.
for lock in web/*/package-lock.json; do
  [ -f "$lock" ] || continue
  dir=$(dirname "$lock")
  stamp="$dir/node_modules/.installed-$(sha1sum "$lock" | cut -c1-12)"
  if [ ! -f "$stamp" ]; then
    log "installing the npm packages of $dir"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
    touch "$stamp"
  fi
done
log "machine ready"
