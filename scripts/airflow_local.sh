#!/usr/bin/env bash
# Local Airflow for this project: `scripts/airflow_local.sh start|stop` (what `make airflow` and
# `make airflow-stop` run), and `cli ...` for any other airflow command with the same settings.
# `airflow standalone` runs in its own session (setsid), so stop can kill the whole
# process group: killing only its PID would orphan the scheduler, DAG processor and API server.
#
# Environment: PCP_VAR_DIR (runtime folder, default ./var), AIRFLOW_HOME (default $PCP_VAR_DIR/airflow),
# AIRFLOW_PORT (default 8080), PCP_AIRFLOW_UNPAUSE (regex of DAG ids to unpause, default all),
# AIRFLOW__DATABASE__SQL_ALCHEMY_CONN (metadata DB, default SQLite $AIRFLOW_HOME/airflow.db).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BIN="${BIN:-$ROOT/.venv/bin}"
export PATH="$BIN:$PATH"   # standalone starts its components as `airflow ...` from PATH
export PCP_VAR_DIR="${PCP_VAR_DIR:-$ROOT/var}"
export AIRFLOW_HOME="${AIRFLOW_HOME:-$PCP_VAR_DIR/airflow}"
export AIRFLOW__CORE__DAGS_FOLDER="$ROOT/dags"
export AIRFLOW__CORE__LOAD_EXAMPLES=False
export AIRFLOW__CORE__PARALLELISM="${AIRFLOW__CORE__PARALLELISM:-4}"   # default 32 forks idle workers on 2 cores
# with PCP_AIRFLOW_UNPAUSE set (tests), only the DAGs it matches run; otherwise every DAG is unpaused
if [[ -n "${PCP_AIRFLOW_UNPAUSE:-}" ]]; then export AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION=True; else export AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION=False; fi
export AIRFLOW__API__HOST=127.0.0.1                                      # standalone binds 0.0.0.0 otherwise
export AIRFLOW__API__PORT="${AIRFLOW_PORT:-8080}"
export AIRFLOW__API__BASE_URL="http://127.0.0.1:${AIRFLOW__API__PORT}"
export GX_ANALYTICS_ENABLED=False DBT_SEND_ANONYMOUS_USAGE_STATS=False
# Metadata DB: SQLite in AIRFLOW_HOME unless this variable names another (one value for every step here).
# SQLite waits up to 60 s for another process's lock instead of failing after 5 s with "database is
# locked" (warehouse/airflow_sqlite.py).
export AIRFLOW__DATABASE__SQL_ALCHEMY_CONN="${AIRFLOW__DATABASE__SQL_ALCHEMY_CONN:-sqlite:///$AIRFLOW_HOME/airflow.db}"
if [[ "$AIRFLOW__DATABASE__SQL_ALCHEMY_CONN" == sqlite* ]]; then
  export AIRFLOW__DATABASE__SQL_ALCHEMY_CONNECT_ARGS=warehouse.airflow_sqlite.CONNECT_ARGS
  export AIRFLOW__DATABASE__SQL_ALCHEMY_CONNECT_ARGS_ASYNC=warehouse.airflow_sqlite.CONNECT_ARGS
fi
PIDFILE="$AIRFLOW_HOME/standalone.pgid"
URL="http://127.0.0.1:${AIRFLOW__API__PORT}"

running() { [[ -f "$PIDFILE" ]] && kill -0 -- "-$(cat "$PIDFILE")" 2>/dev/null; }

start() {
  mkdir -p "$AIRFLOW_HOME"
  if running; then echo "Airflow already running at $URL (process group $(cat "$PIDFILE"))"; return 0; fi
  "$BIN/airflow" db migrate >"$AIRFLOW_HOME/migrate.log" 2>&1
  # WAL, so the API server's reads never wait for the scheduler's writes (kept in the file; no-op if not SQLite)
  "$BIN/python" -m warehouse.airflow_sqlite "$AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"
  "$BIN/airflow" pools set duckdb_writer 1 "One slot: every task that writes DuckDB runs alone" >/dev/null 2>&1
  # register DAGs now, not in 5 min; paused until the API server answers (see the unpause below)
  AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION=True "$BIN/airflow" dags reserialize >"$AIRFLOW_HOME/reserialize.log" 2>&1
  setsid "$BIN/airflow" standalone >"$AIRFLOW_HOME/standalone.log" 2>&1 </dev/null &
  echo $! >"$PIDFILE"   # setsid execs in place here, so this PID is also the process group id
  for _ in $(seq 1 300); do   # ~10 s on an idle 2-core machine; minutes when it is busy
    if curl -sf "$URL/api/v2/monitor/health" >/dev/null 2>&1; then break; fi
    if ! running; then echo "Airflow exited; see $AIRFLOW_HOME/standalone.log" >&2; exit 1; fi
    sleep 1
  done
  if ! curl -sf "$URL/api/v2/monitor/health" >/dev/null; then
    echo "Airflow not healthy after 300 s; see $AIRFLOW_HOME/standalone.log" >&2
    stop >&2; exit 1
  fi
  # unpause only now: a run queued before the API server answers fails its first try (the task
  # supervisor cannot reach the execution API) and waits out the retry delay
  "$BIN/airflow" dags unpause -y --treat-dag-id-as-regex "${PCP_AIRFLOW_UNPAUSE:-.*}" >/dev/null 2>&1 || true
  echo "Airflow UI:      $URL   (log: $AIRFLOW_HOME/standalone.log)"
  echo "Login: admin; password in $AIRFLOW_HOME/simple_auth_manager_passwords.json.generated"
  echo "Stop with:       make airflow-stop"
}

stop() {
  if ! running; then echo "Airflow is not running"; rm -f "$PIDFILE"; return 0; fi
  local pgid; pgid="$(cat "$PIDFILE")"
  kill -TERM -- "-$pgid" 2>/dev/null || true
  for _ in $(seq 1 30); do kill -0 -- "-$pgid" 2>/dev/null || break; sleep 1; done
  kill -KILL -- "-$pgid" 2>/dev/null || true
  rm -f "$PIDFILE"
  echo "Airflow stopped (process group $pgid)"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  # any other airflow command with this project's settings (DAGs folder, AIRFLOW_HOME, var/), e.g.
  # `scripts/airflow_local.sh cli dags test panel_reports 2026-11-17`; run `start` once first (it migrates the DB)
  cli) shift; exec "$BIN/airflow" "$@" ;;
  *) echo "usage: $0 start|stop|cli <airflow arguments>" >&2; exit 2 ;;
esac
