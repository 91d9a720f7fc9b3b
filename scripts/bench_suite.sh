#!/usr/bin/env bash
# bench_suite.sh: the README's two set-up commands on fresh clones, timed, as
# issue 13 checks the test suite ("go test ./... on a fresh clone, 2 cores,
# warm build cache: <= 60 s").
#
#   scripts/bench_suite.sh [REV ...]      default: HEAD
#
# For each run and each REV in turn (two REVs alternate, so that the hour
# weighs on both alike; a REV given twice runs twice a round), it
#
#   - clones this repository into a new temporary directory, a new path each
#     run (below), and checks out REV;
#   - clears the test results, so that every test runs: go clean -testcache
#     (of the whole build cache's test results, not only fgen's; the compiled
#     packages stay, which is the "warm build cache");
#   - runs the README's commands as written there:
#       go run ./cmd/fgen demo     (the temporary directory it leaves,
#                                   fgen-demo-* in $TMPDIR or /tmp, is removed)
#       go test ./...
#     under GNU time, and removes the clone;
#
# and prints one line per run: when it started, the demo's wall time, the suite's wall and CPU
# time (user + system, of go test and every process it ran), cmd/fgen's own
# test time (the longest package), the packages that passed, the CPU time the
# machine's other processes took meanwhile and the time the hypervisor stole,
# the 1-minute load average before the run, and whether the run met the goal.
# Then the median wall time of each REV.
#
# A clone at a new path compiles fgen's packages again, as the first build of
# any clean clone does: the build cache's keys hold the package's directory
# (two clones at the path of an earlier one found them compiled, and their
# demos took 6 s instead of 11). The dependencies, DuckDB's bindings above
# all, come from the build cache. Run it once before measuring on a machine
# whose build cache is cold, and after a job that filled the memory with
# other files: the first demo after scripts/bench.sh at 50 M events took
# 32 s, the next 12 s.
#
# Environment:
#   RUNS=1     rounds (each runs every REV once)
#   PAUSE=0    seconds to wait before each run, so that one run's tail does
#              not weigh on the next (45 spreads them over the hour's noise)
#
# The figures move with the machine's hour more than with most changes: the
# same code took 57-61 s and 63-86 s on one afternoon (BENCHMARKS.md, "The
# log"). Compare REVs in one invocation, alternating.
#
# GNU time must be at /usr/bin/time (apt-get install -y time).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/scripts/lib.sh"
revs=("$@")
[ ${#revs[@]} -gt 0 ] || revs=(HEAD)
runs=${RUNS:-1}
pause=${PAUSE:-0}
goal=60

if [ ! -x /usr/bin/time ] || ! /usr/bin/time -f %e true >/dev/null 2>&1; then
	echo "bench_suite.sh: needs GNU time at /usr/bin/time; install it with: apt-get install -y time" >&2
	exit 1
fi
# Resolve each REV once, so that a moving HEAD or branch cannot change
# what a later round measures, and a typo fails here.
ids=()
for rev in "${revs[@]}"; do
	id=$(cd "$root" && git rev-parse --verify --quiet "$rev^{commit}") || {
		echo "bench_suite.sh: $rev is no commit of $root" >&2
		exit 1
	}
	ids+=("$id")
done

machine

tmp=${TMPDIR:-/tmp}
tmp=${tmp%/}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

printf '%-5s %-9s %6s %7s %7s %7s %8s %11s %7s %6s  %s\n' time rev demo_s wall_s cpu_s fgen_s packages other_cpu_s steal_s load1 "goal <= ${goal} s"
declare -A walls
shorts=() # in the order given, each once
for id in "${ids[@]}"; do
	[[ " ${shorts[*]} " == *" ${id:0:9} "* ]] || shorts+=("${id:0:9}")
done
failed=0
for ((round = 1; round <= runs; round++)); do
	for i in "${!ids[@]}"; do
		id=${ids[$i]} short=${ids[$i]:0:9}
		[ "$pause" = 0 ] || sleep "$pause"
		started=$(date +%H:%M)
		# A directory of its own: a clone at the path of an earlier one
		# would find its packages compiled in the build cache.
		dir=$(mktemp -d "$work/run.XXXXXX")
		git clone -q "$root" "$dir/fgen"
		(cd "$dir/fgen" && git checkout -q "$id")
		go clean -testcache
		load=$(cut -d' ' -f1 /proc/loadavg)
		# The demo's directories before it, so that only the one it made is
		# removed.
		ls -d "$tmp"/fgen-demo-* 2>/dev/null | sort >"$dir/demos" || true
		start=$(date +%s.%N)
		demo_rc=0
		(cd "$dir/fgen" && go run ./cmd/fgen demo >"$dir/demo.log" 2>&1) || demo_rc=$?
		if [ "$demo_rc" != 0 ]; then
			cat "$dir/demo.log" >&2
			failed=1
		fi
		demo=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN {printf "%.1f", b - a}')
		ls -d "$tmp"/fgen-demo-* 2>/dev/null | sort | comm -13 "$dir/demos" - | xargs -r rm -rf
		busy0=$(busy)
		rc=0
		(cd "$dir/fgen" && /usr/bin/time -f '%e %U %S' -o "$dir/time" go test ./... >"$dir/test.log" 2>&1) || rc=$?
		busy1=$(busy)
		read -r wall user sys <"$dir/time"
		cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN {printf "%.1f", u + s}')
		read -r other steal < <(others "$busy0" "$busy1" "$cpu")
		fgen=$(awk '$2 ~ /\/cmd\/fgen$/ {sub(/s$/, "", $3); print $3}' "$dir/test.log")
		ok=$(grep -c '^ok ' "$dir/test.log" || true)
		verdict=met
		if [ "$demo_rc" != 0 ]; then
			verdict="demo FAILED (exit $demo_rc)"
		elif [ "$rc" != 0 ]; then
			grep -E '^(FAIL|---)' "$dir/test.log" >&2 || cat "$dir/test.log" >&2
			verdict="FAILED (exit $rc)"
			failed=1
		elif awk -v w="$wall" -v g="$goal" 'BEGIN {exit !(w > g)}'; then
			verdict="NOT met"
		fi
		printf '%-5s %-9s %6s %7s %7s %7s %8s %11s %7s %6s  %s\n' "$started" "$short" "$demo" "$wall" "$cpu" "${fgen:--}" "$ok" "$other" "$steal" "$load" "$verdict"
		walls[$short]+="$wall "
		rm -rf "$dir"
	done
done

echo
for short in "${shorts[@]}"; do
	echo "$short: median $(printf '%s\n' ${walls[$short]} | sort -n | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}') s of wall time over $(wc -w <<<"${walls[$short]}") run(s)"
done
exit "$failed"
