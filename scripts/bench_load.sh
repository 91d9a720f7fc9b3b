#!/usr/bin/env bash
# bench_load.sh: 'fgen load' against DuckDB's own reader of the same file.
#
#   scripts/bench_load.sh [ROWS ...]          default: 10000000
#
# For each size it builds fgen and the nativeload helper once, writes one
# day of ROWS sample events (--users is ROWS / 8.858818, what 'fgen sample'
# makes per user) in each format with 'fgen sample -o', and then, RUNS times
# and alternating, each into a fresh database with the ODS table:
#
#   nativeload -bizdate D events.FMT      DuckDB's read_csv / read_json /
#                                         read_parquet of the file, with the
#                                         table's column types, into the table:
#                                         DELETE of the day and INSERT BY NAME in
#                                         one transaction (internal/bench NativeLoad)
#   fgen load --bizdate D events.FMT      fgen's strict load of the same file
#
# It prints per run the wall time, rows (the two must agree with what
# 'fgen sample' wrote, or the script fails), CPU seconds, peak RSS and the
# machine's load, then per format the median and the best wall time of each
# side, their ratios fgen / native, and the ratio of the median CPU seconds.
#
# Timings move with whatever else runs on the machine. For each run the
# script prints other_cpu_s: the CPU seconds the rest of the machine used
# meanwhile (all CPUs' busy time from /proc/stat minus the run's own user +
# system time), steal_s: the CPU seconds the hypervisor took from this
# virtual machine's CPUs meanwhile, which slows both sides and no process
# here counts, and the 1-minute load average before it. Trust the runs
# where other_cpu_s and steal_s are near 0; on a busy machine the best of
# several runs and the CPU seconds move less than the medians.
#
# Environment:
#   FORMATS="jsonl csv parquet"   the formats
#   RUNS=3                        runs of each side per format
#   BIZDATE=20210303              the business date
#   FGEN=                         an fgen binary to measure instead of building
#                                 this checkout's (e.g. an older one); the sample
#                                 files are written by this checkout's fgen
#   WORKDIR=                      where the files go (default: mktemp -d); kept
#                                 when set (and files already there for the same
#                                 size and BIZDATE are reused),
#                                 removed when not
#   NATIVE_UNORDERED=1            run DuckDB's reader with
#                                 preserve_insertion_order = false, as fgen
#                                 load runs it (nativeload -unordered): what
#                                 fgen's checks cost over the reader alone
#                                 with fgen's setting; the default compares
#                                 with DuckDB's reader as it comes
#   NICE=                         run both sides with this niceness, e.g. -20
#                                 (root only) on a machine shared with other
#                                 jobs, which then take less of its CPUs from
#                                 the runs; other_cpu_s still shows what they took
#
# GNU time must be at /usr/bin/time (apt-get install -y time).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/scripts/lib.sh"
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(10000000)
bizdate=${BIZDATE:-20210303}
runs=${RUNS:-3}
formats=(${FORMATS:-jsonl csv parquet})

if [ ! -x /usr/bin/time ] || ! /usr/bin/time -v true >/dev/null 2>&1; then
	echo "bench_load.sh: needs GNU time at /usr/bin/time; install it with: apt-get install -y time" >&2
	exit 1
fi

work=${WORKDIR:-}
if [ -z "$work" ]; then
	work=$(mktemp -d)
	trap 'rm -rf "$work"' EXIT
fi
mkdir -p "$work/bin"
# Absolute, since the builds and the loads run in other directories.
work=$(cd "$work" && pwd)
fgen=$work/bin/fgen
if [ -n "${FGEN:-}" ]; then
	case $FGEN in
	*/*) fgen=$(realpath "$FGEN") ;;
	*) fgen=$(command -v "$FGEN") || { echo "bench_load.sh: FGEN=$FGEN is not on PATH" >&2; exit 1; } ;;
	esac
fi
echo "building fgen and nativeload ..." >&2
(cd "$root" && go build -o "$work/bin/fgen" ./cmd/fgen && go build -o "$work/bin/nativeload" ./internal/bench/cmd/nativeload)
sampler=$work/bin/fgen

machine ", fgen $(revision)${FGEN:+, measuring $FGEN}${NICE:+, niceness $NICE}${NATIVE_UNORDERED:+, native with preserve_insertion_order = false}"

rows=() summary=()
# measure SIDE FILE CMD...: runs CMD under GNU time in a fresh directory with
# the size's funnel.toml; sets WALL and ROWS and adds a table row.
measure() {
	local side=$1 file=$2
	shift 2
	local run=$dir/run
	rm -rf "$run"
	mkdir -p "$run"
	cp "$dir/funnel.toml" "$run/"
	local load busy0 busy1 log=$run/out.log
	load=$(cut -d' ' -f1 /proc/loadavg)
	busy0=$(busy)
	if ! (cd "$run" && /usr/bin/time -v -o "$log.time" ${NICE:+nice -n "$NICE"} "$@" >"$log" 2>&1); then
		cat "$log" >&2
		fail "$side load of $file failed"
	fi
	busy1=$(busy)
	ROWS=$(grep -Eo 'loaded [0-9]+' "$log" | head -1 | grep -Eo '[0-9]+')
	WALL=$(awk -F': ' '/Elapsed \(wall clock\)/ {n = split($2, t, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i]; print s}' "$log.time")
	local rss cpu other steal
	rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2 / 1024}' "$log.time")
	cpu=$(awk -F': ' '/(User|System) time \(seconds\)/ {s += $2} END {print s}' "$log.time")
	read -r other steal < <(others "$busy0" "$busy1" "$cpu")
	CPU=$cpu
	rows+=("$(printf '%-9s %-8s %-7s %10s %8.2f %8.1f %8s %8s %12s %8s' "$size" "$(basename "$file" | sed 's/.*\.//')" "$side" "$ROWS" "$WALL" "$cpu" "$rss" "$load" "$other" "$steal")")
	rm -rf "$run"
}

# tables prints the runs measured so far and the formats summed up.
tables() {
	echo
	printf '%-9s %-8s %-7s %10s %8s %8s %8s %8s %12s %8s\n' size format side rows wall_s cpu_s rss_MiB load1 other_cpu_s steal_s
	if [ ${#rows[@]} -gt 0 ]; then printf '%s\n' "${rows[@]}"; fi
	echo
	printf '%-9s %-8s %10s %9s %9s %7s %9s %9s %7s %8s\n' size format rows native_s fgen_s ratio best_nat best_fgen ratio cpu_ratio
	if [ ${#summary[@]} -gt 0 ]; then printf '%s\n' "${summary[@]}"; fi
	echo "(wall seconds: medians, then bests, of $runs runs; ratios fgen / native; cpu_ratio of the median CPU seconds)"
}
# fail MESSAGE: says what failed and, so that a later format's or size's
# failure loses nothing measured, prints the runs before it.
fail() {
	echo "bench_load.sh: $1" >&2
	if [ ${#rows[@]} -gt 0 ]; then
		echo "bench_load.sh: the runs measured before it:" >&2
		tables
	fi
	exit 1
}

median() { sort -n | awk '{a[NR] = $1} END {if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }

for size in "${sizes[@]}"; do
	users=$(awk -v n="$size" 'BEGIN {u = int(n / 8.858818 + 0.5); print (u < 1 ? 1 : u)}')
	dir=$work/$size-$bizdate
	mkdir -p "$dir"
	(cd "$dir" && rm -f funnel.toml && "$sampler" init >/dev/null)
	for fmt in "${formats[@]}"; do
		file=$dir/events.$fmt
		if [ ! -s "$file" ] || [ ! -s "$file.count" ]; then
			echo "writing $file ($users users) ..." >&2
			if ! "$sampler" sample --users "$users" --start "$bizdate" -o "$file" >"$file.log" 2>&1; then
				cat "$file.log" >&2
				fail "fgen sample -o $file failed"
			fi
			grep -Eo 'wrote [0-9]+' "$file.log" | grep -Eo '[0-9]+' >"$file.count"
			rm -f "$file.log"
		fi
		want=$(cat "$file.count")
		native=() ours=() native_cpu=() ours_cpu=()
		for i in $(seq "$runs"); do
			echo "== $size rows, $fmt, run $i; load average: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
			measure native "$file" "$work/bin/nativeload" -config funnel.toml -bizdate "$bizdate" ${NATIVE_UNORDERED:+-unordered} "$file"
			[ "$ROWS" = "$want" ] || fail "DuckDB loaded $ROWS rows of $file, fgen sample wrote $want"
			native+=("$WALL")
			native_cpu+=("$CPU")
			measure fgen "$file" "$fgen" load --bizdate "$bizdate" "$file"
			[ "$ROWS" = "$want" ] || fail "fgen loaded $ROWS rows of $file, fgen sample wrote $want"
			ours+=("$WALL")
			ours_cpu+=("$CPU")
		done
		n=$(printf '%s\n' "${native[@]}" | median)
		o=$(printf '%s\n' "${ours[@]}" | median)
		nb=$(printf '%s\n' "${native[@]}" | sort -n | head -1)
		ob=$(printf '%s\n' "${ours[@]}" | sort -n | head -1)
		nc=$(printf '%s\n' "${native_cpu[@]}" | median)
		oc=$(printf '%s\n' "${ours_cpu[@]}" | median)
		ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2fx", a / b}'; }
		summary+=("$(printf '%-9s %-8s %10s %9.2f %9.2f %7s %9.2f %9.2f %7s %8s' "$size" "$fmt" "$want" "$n" "$o" "$(ratio "$o" "$n")" "$nb" "$ob" "$(ratio "$ob" "$nb")" "$(ratio "$oc" "$nc")")")
	done
done

tables
