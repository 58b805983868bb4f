#!/usr/bin/env bash
# Start/stop one background Celery worker for `make run` (idempotent). It embeds celery
# beat (-B): the plan-job reaper (`plans.reap`) every minute, the reminder tick every 10 min,
# the tile change log pruning (`tiles.prune_map_changes`) every hour.
set -euo pipefail
cd "$(dirname "$0")/.."
pidfile=.run/worker.pid
mkdir -p .run
running() { [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; }
case "${1:-start}" in
  start)
    if running; then echo "worker already running (pid $(cat "$pidfile"))"; exit 0; fi
    nohup .venv/bin/celery -A api.celery_app worker --loglevel=info \
      -B --schedule=.run/celerybeat-schedule \
      >.run/worker.log 2>&1 &
    echo $! >"$pidfile"
    echo "worker started (pid $!, log .run/worker.log)" ;;
  stop)
    if running; then kill "$(cat "$pidfile")"; fi
    rm -f "$pidfile" ;;
esac
