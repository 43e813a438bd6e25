#!/usr/bin/env bash
# `make run-cluster`: three partyhost nodes on this machine, on PORT, PORT+1 and PORT+2, sharing a
# PostgreSQL server this script starts in ./data/postgres (initialised on first use). Ctrl-C stops
# the nodes (each gives its rooms up) and then PostgreSQL.
set -euo pipefail
port=${1:-1999}
jar=${2:-host/target/partyhost.jar}
parties=${3:-build/wasm}
main_party=${4:-chat}
java_opts=${JAVA_OPTS:--Xmx1g -XX:+UseG1GC}
data=$(pwd)/data
pg_port=$((port + 3))
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
as_pg=()
[ "$(id -u)" = 0 ] && as_pg=(runuser -u postgres --) # initdb and postgres refuse to run as root

mkdir -p "$data"
if [ ! -d "$data/postgres/db" ]; then
  mkdir -p "$data/postgres"
  [ "$(id -u)" = 0 ] && chown postgres:postgres "$data/postgres"
  "${as_pg[@]}" "$bin/initdb" -D "$data/postgres/db" -U postgres --auth=trust -E UTF8 >/dev/null
fi
"${as_pg[@]}" "$bin/pg_ctl" -D "$data/postgres/db" -l "$data/postgres/log" -w \
  -o "-p $pg_port -k $data/postgres -c listen_addresses=127.0.0.1" start >/dev/null
"$bin/psql" -h 127.0.0.1 -p "$pg_port" -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'partyhost'" \
  | grep -q 1 || "$bin/psql" -h 127.0.0.1 -p "$pg_port" -U postgres -qc "CREATE DATABASE partyhost"

# The nodes show each other this secret on forwarded connections: one per cluster, kept in ./data.
[ -f "$data/cluster-secret" ] || head -c 32 /dev/urandom | base64 > "$data/cluster-secret"
export PARTYHOST_CLUSTER_SECRET=$(cat "$data/cluster-secret")

members=127.0.0.1:5701,127.0.0.1:5702,127.0.0.1:5703
pids=()
stop() {
  trap - INT TERM EXIT
  kill -TERM "${pids[@]}" 2>/dev/null || true
  wait "${pids[@]}" 2>/dev/null || true
  "${as_pg[@]}" "$bin/pg_ctl" -D "$data/postgres/db" -m fast stop >/dev/null || true
}
trap stop INT TERM EXIT
for i in 0 1 2; do
  # shellcheck disable=SC2086
  java $java_opts -jar "$jar" --port $((port + i)) --parties "$parties" --main-party "$main_party" \
    --cluster --cluster-port $((5701 + i)) --cluster-members "$members" \
    --postgres-url "postgresql://postgres@127.0.0.1:$pg_port/partyhost" \
    > >(sed -u "s/^/[node-$((port + i))] /") 2>&1 &
  pids+=($!)
done
echo "partyhost cluster: http://127.0.0.1:$port, :$((port + 1)), :$((port + 2)) (PostgreSQL on $pg_port); Ctrl-C stops it"
wait
