#!/usr/bin/env bash
# events.sh: the event path at a million events per second, side by side
# with bpftrace.
#
# A C loop (loop.c) makes N getppid system calls (2,000,000 by default)
# and says how long each took. It runs untraced, then under
#
#   tracepoint:syscalls:sys_enter_getppid { printf("%d %d\n", pid, tid); }
#
# with gotrace (default line buffering, -B full, and -f json) and with
# bpftrace where it is installed, the tracer's output going to a file and
# to a pipe.
# For each it prints how much slower the loop got (wall-clock time per
# system call, and the CPU time the loop itself used per call, which other
# processes on a busy machine disturb less), how many of the loop's events
# were printed and how many were lost (N minus the lines printed with the
# loop's pid). Each case runs REPEAT times (3 by default); the table shows
# the median run by wall-clock time.
#
# Run as root from the repository: bash tests/bench/events.sh
# Environment: N (system calls), REPEAT (runs per case), BPFTRACE (the
# bpftrace to compare with; "none" to leave it out), GOTRACE (a gotrace
# binary to use instead of building one), CASES (a regular expression:
# only the rows whose name it matches, besides the untraced one).
set -euo pipefail

N=${N:-2000000}
REPEAT=${REPEAT:-3}
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if [ "$(id -u)" != 0 ]; then
	echo "events.sh: run as root (the tracers load BPF programs)" >&2
	exit 1
fi
if [ ! -d /sys/kernel/tracing/events ]; then
	mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null || true
fi

gotrace=${GOTRACE:-}
if [ -z "$gotrace" ]; then
	(cd "$repo" && CGO_ENABLED=0 go build -o "$tmp/gotrace" ./cmd/gotrace)
	gotrace=$tmp/gotrace
fi
${CC:-cc} -O2 -o "$tmp/loop" "$here/loop.c"
bpftrace=${BPFTRACE:-$(command -v bpftrace || true)}
[ "$bpftrace" = none ] && bpftrace=

script='tracepoint:syscalls:sys_enter_getppid { printf("%d %d\n", pid, tid); }'
# The "mixed" rows add a time() and a print() record to about one event
# in 1,000 (those whose nsecs end in 000), as scripts that report as they
# go do.
mixed='tracepoint:syscalls:sys_enter_getppid { printf("%d %d\n", pid, tid); if (nsecs % 1000 == 0) { time("%H:%M:%S "); print(@n); @n = count(); } }'

# run_case OUT TRACER ARGS...: one run of the loop under the tracer (no
# tracer when TRACER is "-"), its output to a file (OUT=file) or through a
# pipe into a file (OUT=pipe). Prints "wall-ns cpu-ns lines".
run_case() {
	local out=$1 tracer=$2 prog=$script
	shift 2
	if [ "${1:-}" = --mixed ]; then
		prog=$mixed
		shift
	fi
	local res=$tmp/out err=$tmp/err pid=
	rm -f "$res" "$err" "$tmp/fifo"
	if [ "$tracer" != - ]; then
		if [ "$out" = pipe ]; then
			mkfifo "$tmp/fifo"
			cat <"$tmp/fifo" >"$res" &
			local catpid=$!
			"$tracer" "$@" -e "$prog" >"$tmp/fifo" 2>"$err" &
			pid=$!
		else
			"$tracer" "$@" -e "$prog" >"$res" 2>"$err" &
			pid=$!
		fi
		# bpftrace 0.17 says "Attaching 1 probe..." on stdout, gotrace
		# "Attached 1 probe" on stderr (in JSON, attached_probes on stdout).
		local i=0
		until grep -qsi attach "$res" "$err"; do
			sleep 0.1
			i=$((i + 1))
			if [ $i -gt 300 ] || ! kill -0 $pid 2>/dev/null; then
				echo "events.sh: $tracer did not attach:" >&2
				cat "$err" >&2
				kill $pid 2>/dev/null || true
				exit 1
			fi
		done
		sleep 0.5
	fi
	"$tmp/loop" "$N" >"$tmp/ns" &
	local lpid=$!
	wait $lpid
	local lines=0
	if [ -n "$pid" ]; then
		sleep 0.5
		kill -INT $pid
		wait $pid || true
		[ "$out" = pipe ] && wait "$catpid"
		# text: "PID TID" lines; JSON: {"type": "printf", "data": "PID TID\n"}
		lines=$(awk -v p=$lpid '$1 == p || $4 == "\"" p' "$res" | wc -l)
	fi
	echo "$(cat "$tmp/ns") $lines"
}

# median_case prints the median run (by ns/syscall) of REPEAT runs.
median_case() {
	local r
	for r in $(seq "$REPEAT"); do
		run_case "$@"
	done | sort -n | awk '{ a[NR] = $0 } END { print a[int((NR + 1) / 2)] }'
}

printf '%s\n' "$(uname -r), $(nproc) CPUs, N=$N system calls, median of $REPEAT runs"
read -r base_ns base_cpu _ <<<"$(median_case file -)"
row() {
	local name=$1 out=$2 ns cpu lines
	shift 2
	[[ $name =~ ${CASES:-.} ]] || return 0
	read -r ns cpu lines <<<"$(median_case "$out" "$@")"
	awk -v name="$name" -v out="$out" -v ns="$ns" -v base="$base_ns" -v cpu="$cpu" -v bcpu="$base_cpu" \
		-v lines="$lines" -v n="$N" 'BEGIN {
		printf "| %-23s | %-4s | %6d ns (%4.1fx) | %6d ns (%4.1fx) | %9d | %9d (%2.0f%%) |\n",
			name, out, ns, ns / base, cpu, cpu / bcpu, lines, n - lines, 100 * (n - lines) / n }'
}
echo "| tracer                  | out  | loop, wall/syscall | loop, CPU/syscall  | printed   | lost           |"
echo "| ---                     | ---  | ---                | ---                | ---       | ---            |"
printf "| %-23s | %-4s | %6d ns (%4.1fx) | %6d ns (%4.1fx) | %9s | %14s |\n" untraced - "$base_ns" 1 "$base_cpu" 1 - -
row "gotrace" file "$gotrace"
row "gotrace" pipe "$gotrace"
row "gotrace -B full" file "$gotrace" -B full
row "gotrace -B full" pipe "$gotrace" -B full
row "gotrace -f json" file "$gotrace" -f json
row "gotrace -f json" pipe "$gotrace" -f json
row "gotrace, mixed" file "$gotrace" --mixed
row "gotrace -f json, mixed" file "$gotrace" --mixed -f json
if [ -n "$bpftrace" ]; then
	v=$("$bpftrace" --version | awk '{ print $2 }')
	row "bpftrace $v" file "$bpftrace"
	row "bpftrace $v" pipe "$bpftrace"
	row "bpftrace $v, mixed" file "$bpftrace" --mixed
fi
