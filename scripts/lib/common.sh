# Shared by scripts/up and scripts/test: install what is missing, build, run throwaway or local
# PostgreSQL and Redis servers without systemd. Source it; it defines functions only.

SPORTELLI_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

# Debian 12 packages the build, the tests and the local stack need.
SPORTELLI_PACKAGES=(
  cmake g++ ninja-build pkg-config
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  libhiredis-dev libpqxx-dev prometheus-cpp-dev libgtest-dev libgmock-dev libbenchmark-dev
  libabsl-dev libssl-dev nlohmann-json3-dev libcpp-jwt-dev libicu-dev
  postgresql postgresql-contrib redis-server prometheus
  python3 python3-grpcio python3-protobuf python3-jwt python3-cryptography tzdata openssl
  clang-format faketime
  libcurl4-openssl-dev python3-aiosmtpd libcivetweb-dev
)

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

ensure_packages() {
  local missing=()
  for package in "${SPORTELLI_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
  done
  # Node.js may come from elsewhere (this project's machines ship NodeSource's, which bundles
  # npm and conflicts with Debian's npm package): only install Debian's when there is none.
  command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing: ${missing[*]}"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
  fi
}

# kubectl (with its built-in kustomize) renders the manifests for validation. It is no Debian 12
# package; this project's machines ship it. Fail early and say so rather than deep in the tests.
ensure_kubectl() {
  command -v kubectl >/dev/null 2>&1 && return 0
  echo "kubectl not found: the Kubernetes manifest validation needs it (client >= 1.27, with kustomize)." >&2
  return 1
}

ensure_npm_tools() {
  if [ ! -x "$SPORTELLI_ROOT/tools/node_modules/.bin/buf" ] ||
     [ "$SPORTELLI_ROOT/tools/package-lock.json" -nt "$SPORTELLI_ROOT/tools/node_modules/.package-lock.json" ]; then
    log "installing npm tooling (buf, manifest validation)"
    npm ci --prefix "$SPORTELLI_ROOT/tools" --no-audit --no-fund --loglevel=error
  fi
}

# build DIR [cmake args...]
build() {
  local dir=$1
  shift
  cmake -S "$SPORTELLI_ROOT" -B "$dir" -G Ninja "$@" >/dev/null
  cmake --build "$dir" -j 2
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)

# Runs a PostgreSQL binary as the `postgres` user when we are root (initdb refuses root).
pg_run() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# pg_start DATA_DIR SOCKET_DIR PORT EXTRA_OPTIONS
pg_start() {
  local data=$1 sockets=$2 port=$3 extra=${4:-}
  mkdir -p "$sockets"
  if [ "$(id -u)" -eq 0 ]; then chown postgres: "$sockets" "$(dirname "$data")"; fi
  if [ ! -f "$data/PG_VERSION" ]; then
    pg_run "$PG_BIN/initdb" -D "$data" -U postgres --auth=trust -E UTF8 --no-sync >/dev/null
  fi
  pg_run "$PG_BIN/pg_ctl" -D "$data" -l "$data/../postgres.log" -w start \
    -o "-p $port -k $sockets -c listen_addresses=127.0.0.1 $extra" >/dev/null
}

pg_stop() {
  local data=$1
  [ -f "$data/postmaster.pid" ] && pg_run "$PG_BIN/pg_ctl" -D "$data" -w stop -m fast >/dev/null 2>&1 || true
}

# pg_bootstrap SOCKET_DIR PORT SERVICE... — database `sportelli` and, per service, its owner
# role (`migrate`), its runtime role (`serve`) and its schema: the SQL the dev overlay's
# PostgreSQL runs too (deploy/k8s/overlays/dev/postgres-init/service-roles.psql). Local
# connections are trusted (pg_start's initdb): no passwords. Idempotent.
pg_bootstrap() {
  local sockets=$1 port=$2
  shift 2
  local psql=("$PG_BIN/psql" -h "$sockets" -p "$port" -U postgres -v ON_ERROR_STOP=1 -q)
  "${psql[@]}" -d postgres -tc "SELECT 1 FROM pg_database WHERE datname = 'sportelli'" | grep -q 1 ||
    "${psql[@]}" -d postgres -c "CREATE DATABASE sportelli"
  local service
  for service in "$@"; do
    [[ "$service" =~ ^[a-z][a-z0-9_]*$ ]] || { echo "pg_bootstrap: bad service name $service" >&2; return 1; }
    "${psql[@]}" -d sportelli -v database=sportelli -v schema="$service" \
      -v runtime="sportelli_$service" -v owner="sportelli_${service}_owner" \
      -f "$SPORTELLI_ROOT/deploy/k8s/overlays/dev/postgres-init/service-roles.psql"
  done
}

# redis_start DIR PORT
redis_start() {
  local dir=$1 port=$2
  mkdir -p "$dir"
  redis-server --port "$port" --bind 127.0.0.1 --dir "$dir" --save '' --appendonly no \
    --daemonize yes --pidfile "$dir/redis.pid" --logfile "$dir/redis.log"
  for _ in $(seq 50); do
    redis-cli -p "$port" ping >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "redis did not start on port $port" >&2
  return 1
}

redis_stop() {
  local port=$1
  redis-cli -p "$port" shutdown nosave >/dev/null 2>&1 || true
}
