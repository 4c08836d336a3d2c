#!/usr/bin/env bash
# uprobes.sh: the time to attach a wildcard uprobe to N functions of one
# binary (500 by default) and detach it, with one uprobe-multi link and
# with a uprobe per function (--no-feature uprobe_multi), and with
# bpftrace when one is installed. The traced program runs each function
# once under -c, so the run is attach, run, print, detach.
#
# Run as root from the repository: bash tests/bench/uprobes.sh
# Environment: N (functions), RUNS (runs of each case, 3 by default),
# GOTRACE (a gotrace binary to use instead of building one), BPFTRACE
# (the bpftrace to compare with; "none" to leave it out).
set -euo pipefail

N=${N:-500}
RUNS=${RUNS:-3}
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if [ "$(id -u)" != 0 ]; then
	echo "uprobes.sh: run as root (the tracers attach uprobes)" >&2
	exit 1
fi
gotrace=${GOTRACE:-}
if [ -z "$gotrace" ]; then
	(cd "$repo" && CGO_ENABLED=0 go build -o "$tmp/gotrace" ./cmd/gotrace)
	gotrace=$tmp/gotrace
fi
bpftrace=${BPFTRACE:-$(command -v bpftrace || true)}
[ "$bpftrace" = none ] && bpftrace=

# fn0 .. fnN-1, each called once by main
{
	for ((i = 0; i < N; i++)); do
		echo "__attribute__((noinline)) int fn$i(int x) { return x + $i; }"
	done
	echo "int main(void) { int s = 0;"
	for ((i = 0; i < N; i++)); do echo "s += fn$i(s);"; done
	echo "return s == 0; }"
} > "$tmp/many.c"
gcc -O0 -o "$tmp/many" "$tmp/many.c"
cd "$tmp"

script="uprobe:./many:fn* { @ = count(); }"
run() { # name, command...
	local name=$1
	shift
	for ((r = 0; r < RUNS; r++)); do
		local t0 t1
		t0=$(date +%s%N)
		out=$("$@" 2>&1)
		t1=$(date +%s%N)
		grep -q "^@: $N\$" <<<"$out" || { echo "$name: unexpected output: $out" >&2; exit 1; }
		echo "$(((t1 - t0) / 1000000))"
	done | sort -n | awk -v name="$name" '{ v[NR] = $1 } END { printf "| %s | %d |\n", name, v[int((NR + 1) / 2)] }'
}
echo "| $script, $N functions | ms (median of $RUNS) |"
echo "| --- | ---: |"
run "gotrace, uprobe-multi" "$gotrace" -c ./many -e "$script"
run "gotrace, a uprobe per function" "$gotrace" --no-feature uprobe_multi -c ./many -e "$script"
if [ -n "$bpftrace" ]; then
	run "bpftrace $("$bpftrace" --version | awk '{print $2}')" "$bpftrace" -c ./many -e "$script"
fi
