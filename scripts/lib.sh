# lib.sh: what the benchmark scripts share; they source it.

# machine prints the line each script's output starts with: the machine's
# CPUs, memory and Go, then any words given.
machine() {
	echo "machine: $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')), $(free -g | awk '/^Mem:/ {print $2}') GiB RAM, $(go version | cut -d' ' -f3)$*"
}

# revision prints the short commit of the checkout at $root, or ? outside
# a git checkout.
revision() { (cd "$root" && git rev-parse --short HEAD 2>/dev/null) || echo '?'; }

# busy prints the CPU ticks all CPUs spent busy since boot, and those the
# hypervisor took from them (steal): two numbers.
busy() { awk '/^cpu / {print $2 + $3 + $4 + $7 + $8, $9}' /proc/stat; }

# others BUSY0 BUSY1 CPU prints, for a step between the busy readings BUSY0
# and BUSY1 that took CPU seconds of its own (user + system), the CPU seconds
# the machine's other processes took meanwhile and the seconds the
# hypervisor stole: two numbers.
others() {
	awk -v a="$1" -v b="$2" -v c="$3" -v hz="$(getconf CLK_TCK)" 'BEGIN {split(a, x, " "); split(b, y, " "); printf "%.1f %.1f\n", (y[1] - x[1]) / hz - c, (y[2] - x[2]) / hz}'
}
