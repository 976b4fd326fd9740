# shellcheck shell=bash disable=SC2034 # BENCH_* are read by the scripts that source this
# Shared by the scripts in bench/: the services, a release build
# of `maigie dev` (API + worker in one process) and the bench client, all stopped again
# on exit.
# Source it after scripts/lib.sh and install_traps.

# bench_raise_fd_limit: open files up to the hard limit (many sockets).
bench_raise_fd_limit() {
  ulimit -n "$(ulimit -Hn)" 2>/dev/null || warn "cannot raise the open-file limit (now $(ulimit -n))"
  log "open-file limit: $(ulimit -n)"
}

# bench_setup NAME: a run directory ($BENCH_DIR, removed on exit unless
# MAIGIE_BENCH_KEEP=1), a fresh database, a Temporal dev server of its own (unless
# TEMPORAL_ADDRESS is set: then that server is used), the SMTP sink writing to
# $BENCH_DIR/mail, and release builds of maigie and the bench client.
bench_setup() {
  local name=$1 port hp
  check_services "postgres://postgres@127.0.0.1:5432/postgres" "${REDIS_URL:-redis://127.0.0.1:6379}"
  ensure_venv
  # The product as scripts/dev runs it: written items are embedded for search by the
  # local model. (Without one every index job fails and is retried with backoff, a
  # load no configured deployment has.)
  export EMBEDDING_MODEL_DIR=${EMBEDDING_MODEL_DIR:-$(embedding_model_dir || true)}
  BENCH_DIR=$(mktemp -d "${TMPDIR:-/tmp}/maigie-$name.XXXXXX")
  if [[ "${MAIGIE_BENCH_KEEP:-0}" == 1 ]]; then
    log "run directory (kept): $BENCH_DIR"
  else
    at_exit rm -rf "$BENCH_DIR"
  fi
  BENCH_DB="maigie_${name}_$$"
  export DATABASE_URL="postgres://postgres@127.0.0.1:5432/$BENCH_DB"
  ensure_database "$BENCH_DB"
  at_exit drop_database "postgres://postgres@127.0.0.1:5432/postgres" "$BENCH_DB"
  # A server of our own by default: the bench's workflows never mix with anyone's.
  export TEMPORAL_ADDRESS=${TEMPORAL_ADDRESS:-http://127.0.0.1:$(free_port)}
  export TEMPORAL_NAMESPACE=${TEMPORAL_NAMESPACE:-default}
  ensure_temporal --log "$BENCH_DIR/temporal.log"
  hp=$(url_hostport "$TEMPORAL_ADDRESS" 7233)
  BENCH_TEMPORAL_HP=$hp
  port=$(free_port)
  export SMTP_URL="smtp://127.0.0.1:$port"
  ensure_smtp_sink "$BENCH_DIR/mail" "$port" "$BENCH_DIR/smtp.log"
  ensure_cargo
  log "building the release binaries (maigie, maigie-bench)"
  cargo build --release -q -p maigie -p maigie-bench
  BENCH_CLIENT="$CARGO_TARGET_DIR/release/maigie-bench"
}

# bench_start_server: `maigie dev` with rate limits out of the way (the load comes
# from one IP and a few users) and /metrics on the API behind METRICS_TOKEN (the bench
# client sends it); sets BENCH_PID and BENCH_BASE. Production defaults
# are untouched: these variables live in this process only.
bench_start_server() {
  local port
  port=$(free_port)
  export PORT=$port JWT_SECRET="bench-only-jwt-secret-0123456789abcdef0123456" \
    JWT_ACCESS_TTL_SECS=7200 \
    TEMPORAL_TASK_QUEUE="maigie-bench-$$" REDIS_KEY_PREFIX="maigie-bench-$$" \
    LOG_FORMAT=json RUST_LOG=${RUST_LOG:-warn} \
    RATE_LIMIT_AUTH_PER_MINUTE=100000000 RATE_LIMIT_FREE_PER_MINUTE=100000000 \
    RATE_LIMIT_PREMIUM_PER_MINUTE=100000000 RATE_LIMIT_ANONYMOUS_PER_MINUTE=100000000 \
    METRICS_ADDR="" METRICS_TOKEN="bench-metrics-$$"
  start_bg "maigie" "$BENCH_DIR/maigie.log" "$CARGO_TARGET_DIR/release/maigie" dev
  BENCH_PID=$MAIGIE_BG_PID
  BENCH_BASE="http://127.0.0.1:$port"
  if ! wait_for "maigie" 60 "$BENCH_PID" curl -sf "$BENCH_BASE/health"; then
    tail -n 20 "$BENCH_DIR/maigie.log" >&2 || true
    die "maigie did not start"
  fi
  log "maigie dev (pid $BENCH_PID) serves $BENCH_BASE; log: $BENCH_DIR/maigie.log"
}

# bench_sql SQL: one query on the bench database, unaligned tuples only.
bench_sql() {
  psql -X -q -v ON_ERROR_STOP=1 -d "$DATABASE_URL" -tA -c "$1" </dev/null
}

# json_field JSON KEY: one top-level field of a JSON object.
json_field() { python3 -c 'import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$1" "$2"; }

# bench_rss_mib PID: the process's resident memory (VmRSS) in MiB, one decimal.
bench_rss_mib() { awk '/VmRSS/{printf "%.1f", $2 / 1024}' "/proc/$1/status"; }

# temporal_count TYPE STATUS: workflows of TYPE on the bench's task queue in STATUS
# (Completed, Failed, Running…), as the bench's Temporal server counts them.
temporal_count() {
  "$(temporal_bin)" workflow count --address "$BENCH_TEMPORAL_HP" -n "$TEMPORAL_NAMESPACE" \
    --query "WorkflowType=\"$1\" AND TaskQueue=\"$TEMPORAL_TASK_QUEUE\" AND ExecutionStatus=\"$2\"" 2>/dev/null |
    awk '/Total/{print $2}' || echo "?"
}
