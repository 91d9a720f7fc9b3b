#!/usr/bin/env bash
# bench.sh: end-to-end speed and peak memory of fgen's local DuckDB engine.
#
#   scripts/bench.sh [EVENTS ...]          default: 1000000 10000000
#
# For each size (events in one day; --users is EVENTS / 8.858818, what
# 'fgen sample' makes per user) it builds fgen and the nodetimes helper once,
# then in a fresh directory runs:
#
#   fgen init
#   fgen sample --users U --load           generate the day and load it into ODS
#   fgen apply --bizdate D                 create the tables, DW node, RPT node
#   fgen apply --bizdate D --all           again: both nodes replace their day (without
#                                          --all apply skips a day that is up to date)
#   nodetimes -runs RUNS                   bare DuckDB count(*) GROUP BY event over the
#                                          day's ODS rows and DW rows, against the DW
#                                          and RPT nodes: best and median of RUNS
#   fgen sample -o events.jsonl / .csv     write the same events to files
#   fgen load --bizdate D events.jsonl     strict load of each file
#   fgen load --bizdate D events.csv
#
# and prints a table of wall time, events (rows) per second and peak resident
# memory per step. Peak memory is GNU time's "Maximum resident set size" of
# the step's process, so GNU time must be installed at /usr/bin/time:
#
#   apt-get install -y time
#
# Environment:
#   BIZDATE=20210303   the business date
#   RUNS=3             runs per nodetimes step
#   CONFIG=            a funnel.toml to use instead of fgen init's one events
#                      funnel, e.g. generator/testdata/configs/modes.toml (six
#                      funnels: users, ordered ones with breakdowns and timing
#                      columns), whose nodes hold more per user; the apply
#                      steps run every node, nodetimes times the DW node and
#                      the first funnel's RPT node
#   THREADS=, MEMORY_LIMIT=   written into the local target of funnel.toml
#                      (threads = N, memory_limit = "2GB"); unset: fgen's defaults
#                      (all cores, memory_limit 512MB, README "Memory")
#   FILES=1            0 skips the file steps (sample -o and load)
#   WORKDIR=           where the size directories go (default: mktemp -d); kept
#                      when set, removed when not
#
# Timings move with whatever else runs on the machine. For each step the
# script also prints other_cpu_s: the CPU seconds the rest of the machine
# used meanwhile (all CPUs' busy time from /proc/stat minus the step's own
# user + system time), and steal_s: the CPU seconds the hypervisor took
# from this virtual machine's CPUs meanwhile, which slows every step and no
# process here counts. Trust the rows where both are near 0; run the script
# on an otherwise idle machine, and twice.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/scripts/lib.sh"
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000000 10000000)
bizdate=${BIZDATE:-20210303}
runs=${RUNS:-3}
files=${FILES:-1}

if [ ! -x /usr/bin/time ] || ! /usr/bin/time -v true >/dev/null 2>&1; then
	echo "bench.sh: needs GNU time at /usr/bin/time for peak memory; install it with: apt-get install -y time" >&2
	exit 1
fi

config=
if [ -n "${CONFIG:-}" ]; then
	config=$(realpath "$CONFIG")
fi

work=${WORKDIR:-}
if [ -z "$work" ]; then
	work=$(mktemp -d)
	trap 'rm -rf "$work"' EXIT
fi
mkdir -p "$work/bin"
# Absolute, since each size runs in a directory of its own.
work=$(cd "$work" && pwd)
echo "building fgen and nodetimes ..." >&2
(cd "$root" && go build -o "$work/bin/fgen" ./cmd/fgen && go build -o "$work/bin/nodetimes" ./internal/bench/cmd/nodetimes)
fgen=$work/bin/fgen

machine ", fgen $(revision)${config:+, config $config}"

rows=()
# table prints the steps measured so far.
table() {
	echo
	printf '%-9s %-16s %10s %8s %8s %8s %8s %12s %8s\n' size step events wall_s M_ev/s cpu_s rss_MiB other_cpu_s steal_s
	if [ ${#rows[@]} -gt 0 ]; then printf '%s\n' "${rows[@]}"; fi
}
# fail MESSAGE: says what failed and, so that a later size's failure loses
# nothing measured, prints the steps that ran before it.
fail() {
	echo "bench.sh: $1" >&2
	if [ ${#rows[@]} -gt 0 ]; then
		echo "bench.sh: the steps measured before it:" >&2
		table
	fi
	exit 1
}
# step NAME EVENTS-FROM CMD...: runs CMD under GNU time in the current size
# directory; EVENTS-FROM is a number, or "out" to take the first number of
# the command's output line "wrote N events" / "loaded N rows".
step() {
	local name=$1 events=$2
	shift 2
	local log=$dir/$(echo "$name" | tr ' /' '__').log
	local busy0 busy1
	busy0=$(busy)
	if ! /usr/bin/time -v -o "$log.time" "$@" >"$log" 2>&1; then
		cat "$log" >&2
		fail "$name failed"
	fi
	if [ "$events" = out ]; then
		events=$(grep -Eo '(wrote|loaded) [0-9]+' "$log" | head -1 | grep -Eo '[0-9]+')
	fi
	busy1=$(busy)
	local wall rss cpu other steal
	wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n = split($2, t, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i]; print s}' "$log.time")
	rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2 / 1024}' "$log.time")
	cpu=$(awk -F': ' '/(User|System) time \(seconds\)/ {s += $2} END {print s}' "$log.time")
	read -r other steal < <(others "$busy0" "$busy1" "$cpu")
	rows+=("$(printf '%-9s %-16s %10s %8.2f %8.3f %8.1f %8s %12s %8s' "$size" "$name" "$events" "$wall" "$(echo "$events $wall" | awk '{printf "%.3f", $1 / $2 / 1e6}')" "$cpu" "$rss" "$other" "$steal")")
	LAST_EVENTS=$events
}

for size in "${sizes[@]}"; do
	users=$(awk -v n="$size" 'BEGIN {u = int(n / 8.858818 + 0.5); print (u < 1 ? 1 : u)}')
	dir=$work/$size
	rm -rf "$dir"
	mkdir -p "$dir"
	cd "$dir"
	echo >&2
	echo "== $size events ($users users), $dir; load average: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
	"$fgen" init >/dev/null
	if [ -n "$config" ]; then cp "$config" funnel.toml; fi
	if [ -n "${THREADS:-}" ]; then sed -i "s/^# threads = .*/threads = $THREADS/" funnel.toml; fi
	if [ -n "${MEMORY_LIMIT:-}" ]; then sed -i "s/^# memory_limit = .*/memory_limit = \"$MEMORY_LIMIT\"/" funnel.toml; fi

	step "sample --load" out "$fgen" sample --users "$users" --start "$bizdate" --load
	events=$LAST_EVENTS
	step "apply (first)" "$events" "$fgen" apply --bizdate "$bizdate"
	step "apply (again)" "$events" "$fgen" apply --bizdate "$bizdate" --all
	for f in "$dir"/apply_\(first\).log "$dir"/apply_\(again\).log; do
		if ! grep "done in" "$f" | sed "s/^/  $(basename "$f" .log): /" >&2; then
			fail "no node ran in $f"
		fi
	done
	"$work/bin/nodetimes" -config funnel.toml -bizdate "$bizdate" -runs "$runs" | sed 's/^/  /' >&2 || fail "nodetimes failed"
	if [ "$files" != 0 ]; then
		for ext in jsonl csv; do
			step "sample -o .$ext" out "$fgen" sample --users "$users" --start "$bizdate" -o "events.$ext"
			step "load .$ext" out "$fgen" load --bizdate "$bizdate" "events.$ext"
			rm -f "events.$ext"
		done
	fi
done

table
