#!/usr/bin/env bash
# clickhouse.sh: a private ClickHouse server for comparing fgen's ordered funnel
# with ClickHouse's windowFunnel (internal/e2e's TestOrderedMatchesWindowFunnel,
# scripts/bench_funnels.sh).
#
#   scripts/clickhouse.sh start     start a server unless one answers already
#   scripts/clickhouse.sh stop      stop the server this script started
#   scripts/clickhouse.sh status    exit 0 if a server answers, print its version
#
# Install ClickHouse first (Debian 12 packages ClickHouse 18.16):
#
#   apt-get update && apt-get install -y clickhouse-server clickhouse-client
#
# The server listens on 127.0.0.1 only, keeps its data, logs and pid file in
# FGEN_CLICKHOUSE_DIR, runs as the calling user with the default user and no
# password, and needs no systemd. The tests and benchmarks find it through the
# same variables:
#
#   FGEN_CLICKHOUSE_PORT=9000                      native protocol port
#   FGEN_CLICKHOUSE_DIR=${TMPDIR:-/tmp}/fgen-clickhouse
#
# With FGEN_CLICKHOUSE=1, 'go test ./internal/e2e' starts and stops its own
# server through this script when none answers.
set -euo pipefail

# Debian installs clickhouse-server in /usr/sbin, which is not on other users' PATH.
PATH=$PATH:/usr/sbin:/sbin
port=${FGEN_CLICKHOUSE_PORT:-9000}
dir=${FGEN_CLICKHOUSE_DIR:-${TMPDIR:-/tmp}/fgen-clickhouse}

answers() {
	clickhouse-client --host 127.0.0.1 --port "$port" --query 'SELECT version()' 2>/dev/null
}

need() {
	if ! command -v "$1" >/dev/null 2>&1; then
		echo "clickhouse.sh: $1 not found; install it with: apt-get install -y clickhouse-server clickhouse-client" >&2
		exit 1
	fi
}

# ours PID: the process PID runs and is the server started from $dir: a pid
# file that outlived its server may name another process by now.
ours() {
	[ -n "$1" ] && kill -0 "$1" 2>/dev/null && ps -p "$1" -o args= 2>/dev/null | grep -qF -- "--config-file=$dir/config.xml"
}

case ${1:-} in
start)
	need clickhouse-client
	if v=$(answers); then
		echo "clickhouse.sh: ClickHouse $v already answers on 127.0.0.1:$port"
		exit 0
	fi
	need clickhouse-server
	if [ -f "$dir/server.pid" ] && ours "$(cat "$dir/server.pid")"; then
		echo "clickhouse.sh: a server started from $dir (pid $(cat "$dir/server.pid")) runs but does not answer on 127.0.0.1:$port; stop it first: FGEN_CLICKHOUSE_DIR=$dir scripts/clickhouse.sh stop" >&2
		exit 1
	fi
	mkdir -p "$dir/data" "$dir/tmp" "$dir/user_files" "$dir/format_schemas"
	cat >"$dir/config.xml" <<EOF
<?xml version="1.0"?>
<yandex>
    <logger>
        <level>warning</level>
        <log>$dir/server.log</log>
        <errorlog>$dir/server.err.log</errorlog>
    </logger>
    <listen_host>127.0.0.1</listen_host>
    <tcp_port>$port</tcp_port>
    <path>$dir/data/</path>
    <tmp_path>$dir/tmp/</tmp_path>
    <user_files_path>$dir/user_files/</user_files_path>
    <format_schema_path>$dir/format_schemas/</format_schema_path>
    <users_config>$dir/users.xml</users_config>
    <default_profile>default</default_profile>
    <default_database>default</default_database>
    <mark_cache_size>1073741824</mark_cache_size>
    <timezone>UTC</timezone>
</yandex>
EOF
	cat >"$dir/users.xml" <<'EOF'
<?xml version="1.0"?>
<yandex>
    <profiles>
        <default>
            <max_memory_usage>10000000000</max_memory_usage>
        </default>
    </profiles>
    <users>
        <default>
            <password></password>
            <networks>
                <ip>127.0.0.1</ip>
                <ip>::1</ip>
            </networks>
            <profile>default</profile>
            <quota>default</quota>
        </default>
    </users>
    <quotas>
        <default>
        </default>
    </quotas>
</yandex>
EOF
	# setsid: the server outlives this shell and its terminal.
	setsid clickhouse-server --config-file="$dir/config.xml" >"$dir/stdout.log" 2>&1 </dev/null &
	echo $! >"$dir/server.pid"
	for _ in $(seq 1 100); do
		if v=$(answers); then
			echo "clickhouse.sh: started ClickHouse $v on 127.0.0.1:$port (pid $(cat "$dir/server.pid"), files in $dir)"
			exit 0
		fi
		if ! ours "$(cat "$dir/server.pid")"; then
			echo "clickhouse.sh: the server exited; see $dir/stdout.log and $dir/server.err.log" >&2
			tail -n 20 "$dir/stdout.log" "$dir/server.err.log" >&2 || true
			exit 1
		fi
		sleep 0.2
	done
	echo "clickhouse.sh: the server did not answer within 20 s; see $dir/server.err.log" >&2
	exit 1
	;;
stop)
	if [ ! -f "$dir/server.pid" ]; then
		echo "clickhouse.sh: no server started from $dir"
		exit 0
	fi
	pid=$(cat "$dir/server.pid")
	if ! ours "$pid"; then
		# Gone, and its pid perhaps another process's now: leave that be.
		rm -f "$dir/server.pid"
		echo "clickhouse.sh: the server from $dir no longer runs"
		exit 0
	fi
	if kill "$pid" 2>/dev/null; then
		for _ in $(seq 1 100); do
			ours "$pid" || break
			sleep 0.2
		done
		if ours "$pid"; then
			echo "clickhouse.sh: the server from $dir (pid $pid) did not exit within 20 s of SIGTERM; kill -KILL $pid to end it" >&2
			exit 1
		fi
	fi
	rm -f "$dir/server.pid"
	echo "clickhouse.sh: stopped the server from $dir"
	;;
status)
	need clickhouse-client
	if v=$(answers); then
		echo "ClickHouse $v answers on 127.0.0.1:$port"
	else
		echo "no ClickHouse server answers on 127.0.0.1:$port"
		exit 1
	fi
	;;
*)
	sed -n '2,22p' "$0" >&2
	exit 2
	;;
esac
