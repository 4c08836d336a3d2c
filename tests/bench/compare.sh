#!/usr/bin/env bash
# compare.sh: gotrace and bpftrace side by side on what issue-style
# speed goals are about: start-up, the end of a script on some 360
# tracepoints, the code generated for eight one-liners (instructions as
# the kernel holds them, and nanoseconds per run from
# kernel.bpf_stats_enabled), and a 1,000-line script from start to exit.
# Start-up is measured next to the floor (tests/bench/floor: a static Go
# binary that loads one program and prints from a ring buffer), whose
# time, times 1.5, is gotrace's budget.
#
# Run as root from the repository: bash tests/bench/compare.sh
# Environment: BPFTRACE (the bpftrace to compare with; "none" to leave it
# out), GOTRACE (a gotrace binary to use instead of building one), RUNS
# (runs of the start-up case, 20 by default), SECS (seconds each
# one-liner runs under its workload, 3 by default), PARTS (the numbered
# parts below to run, "1 2 3 4" by default).
set -euo pipefail

RUNS=${RUNS:-20}
SECS=${SECS:-3}
PARTS=${PARTS:-1 2 3 4}
part() { [[ " $PARTS " == *" $1 "* ]]; }
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
tmp=$(mktemp -d)
stats_was=$(cat /proc/sys/kernel/bpf_stats_enabled 2>/dev/null || echo 0)
cleanup() {
	echo "$stats_was" > /proc/sys/kernel/bpf_stats_enabled 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT

if [ "$(id -u)" != 0 ]; then
	echo "compare.sh: run as root (the tracers load BPF programs)" >&2
	exit 1
fi
gotrace=${GOTRACE:-}
if [ -z "$gotrace" ]; then
	(cd "$repo" && CGO_ENABLED=0 go build -o "$tmp/gotrace" ./cmd/gotrace)
	gotrace=$tmp/gotrace
fi
(cd "$repo" && go build -o "$tmp/progstats" ./tests/bench/progstats)
(cd "$repo" && CGO_ENABLED=0 go build -o "$tmp/floor" ./tests/bench/floor)
bpftrace=${BPFTRACE:-$(command -v bpftrace || true)}
[ "$bpftrace" = none ] && bpftrace=
tracers=(gotrace)
[ -n "$bpftrace" ] && tracers+=(bpftrace)
bin() { if [ "$1" = gotrace ]; then echo "$gotrace"; else echo "$bpftrace"; fi; }
now() { date +%s%N; }
ms() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f", (b - a) / 1e6 }'; }

echo "$(uname -r), $(nproc) CPUs; bpftrace: ${bpftrace:-none}${bpftrace:+ ($("$bpftrace" --version))}"
echo

if part 1; then
# 1. Start-up: hello world, the median of RUNS runs to its exit, the
# tracers' runs taking turns with the floor's so that a busy moment of
# the machine falls on all of them alike.
startup() {
	case $1 in
	floor) "$tmp/floor" ;;
	*) "$(bin $1)" -e 'BEGIN { printf("hi\n"); exit(); }' ;;
	esac
}
for i in $(seq "$RUNS"); do
	for t in floor "${tracers[@]}"; do
		s=$(now)
		startup "$t" >/dev/null 2>&1
		echo "$t $(( ($(now) - s) / 10000 ))"
	done
done > "$tmp/startup"
echo "| start-up: BEGIN { printf(\"hi\\n\"); exit(); } | ms (median of $RUNS) | × floor |"
echo "| --- | ---: | ---: |"
for t in floor "${tracers[@]}"; do
	awk -v t="$t" '$1 == t { print $2 }' "$tmp/startup" | sort -n |
		awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'
done | awk -v names="floor ${tracers[*]}" 'BEGIN { split(names, n, " ") }
	{ m[NR] = $1 }
	END { for (i = 1; i <= NR; i++) printf "| %s | %.2f | %.1f |\n", n[i], m[i] / 100, m[i] / m[1] }'
echo
fi

if part 2; then
# 2. The end of a script on every syscalls:sys_enter_* tracepoint:
# when exit() runs (1 s after the probes are attached), when the map has
# been printed, and when the process is gone.
echo "| tracepoint:syscalls:sys_enter_* { @[probe] = count(); } interval:s:1 { exit(); } | attached | map printed | process gone |"
echo "| --- | ---: | ---: | ---: |"
for t in "${tracers[@]}"; do
	s=$(now)
	"$(bin $t)" -e 'tracepoint:syscalls:sys_enter_* { @[probe] = count(); } interval:s:1 { exit(); }' 2>&1 |
		while IFS= read -r line; do
			case "$line" in
			*ttach*) echo "attached $(now)" ;;
			@*) echo "map $(now)" ;;
			esac
		done > "$tmp/times"
	e=$(now)
	a=$(awk '$1 == "attached" { print $2; exit }' "$tmp/times")
	m=$(awk '$1 == "map" { v = $2 } END { print v }' "$tmp/times")
	printf "| %s | %s ms | %s ms | %s ms |\n" "$t" "$(ms "$s" "${a:-$s}")" "$(ms "$s" "${m:-$s}")" "$(ms "$s" "$e")"
done
echo
fi

if part 3; then
# 3. Eight one-liners under a workload: the programs' instructions as
# the kernel holds them (xlated), and the nanoseconds per run.
cc -O1 -fno-inline -o "$tmp/prog" "$repo/probes/testdata/bin/prog.c"
oneliners=(
	'count by pid|tracepoint:raw_syscalls:sys_enter { @[pid] = count(); }'
	'count by pid, comm|tracepoint:raw_syscalls:sys_enter { @[pid, comm] = count(); }'
	'printf of openat|tracepoint:syscalls:sys_enter_openat { printf("%s %s\n", comm, str(args->filename)); }'
	'hist of read sizes|tracepoint:syscalls:sys_exit_read /args->ret > 0/ { @bytes = hist(args->ret); }'
	'read latency|tracepoint:syscalls:sys_enter_read { @start[tid] = nsecs; } tracepoint:syscalls:sys_exit_read /@start[tid]/ { @ns = hist(nsecs - @start[tid]); delete(@start[tid]); }'
	'profile kstack|profile:hz:999 { @[kstack] = count(); }'
	"uprobe lhist|uprobe:$tmp/prog:gt_add { @b = lhist(arg1, 0, 100, 10); }"
	'sched_switch sum|tracepoint:sched:sched_switch { @[args->prev_comm] = sum(args->prev_state); }'
)
workload() {
	# system calls, opens, reads, context switches and calls of gt_add
	local end=$((SECONDS + SECS + 1))
	while [ $SECONDS -lt $end ]; do
		head -c 65536 /dev/zero | cat >/dev/null
		cat /etc/hostname >/dev/null
		"$tmp/prog" 2000 >/dev/null
	done
}
echo 1 > /proc/sys/kernel/bpf_stats_enabled
printf "| one-liner |"
for t in "${tracers[@]}"; do printf " %s insns | %s ns/run |" "$t" "$t"; done
echo
printf "| --- |"
for t in "${tracers[@]}"; do printf " ---: | ---: |"; done
echo
declare -A sum
for o in "${oneliners[@]}"; do
	name=${o%%|*}
	prog=${o#*|}
	printf "| %s |" "$name"
	for t in "${tracers[@]}"; do
		"$(bin $t)" -e "$prog" >/dev/null 2>&1 &
		pid=$!
		for i in $(seq 100); do
			sleep 0.1
			"$tmp/progstats" "$pid" 2>/dev/null | grep -q '^total [1-9]' && break
		done
		workload
		"$tmp/progstats" "$pid" > "$tmp/stats" 2>/dev/null || echo "total 0 0 0" > "$tmp/stats"
		kill -INT "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
		read -r _ insns runs ns < <(grep '^total ' "$tmp/stats")
		sum[$t]=$(( ${sum[$t]:-0} + insns ))
		awk -v i="$insns" -v r="$runs" -v n="$ns" 'BEGIN { printf " %d | %s |", i, (r > 0 ? sprintf("%.0f", n / r) : "-") }'
	done
	echo
done
printf "| total |"
for t in "${tracers[@]}"; do printf " %d | |" "${sum[$t]}"; done
echo
echo
fi

if part 4; then
# 4. A 1,000-line script (BEGIN, 99 probes of ten lines on
# syscalls:sys_enter_openat, exit() in BEGIN) from start to exit.
{
	echo 'BEGIN { printf("start\n"); exit(); }'
	for i in $(seq 99); do
		echo "tracepoint:syscalls:sys_enter_openat /pid != $i/"
		echo '{'
		echo "	@calls[comm, pid] = count();"
		echo "	\$f = args->flags;"
		echo "	if ((\$f & 0x40) != 0) {"
		echo "		printf(\"%s %d %s\\n\", comm, pid, str(args->filename));"
		echo "	} else { @sizes = hist(args->mode + $i); }"
		echo "	@lat[probe] = lhist(nsecs % 1000, 0, 1000, 100);"
		echo "	@flags[\$f & ~0x3] = max(args->dfd);"
		echo '}'
	done
} > "$tmp/large.bt"
echo "| $(wc -l < "$tmp/large.bt")-line script, start to exit | ms |"
echo "| --- | ---: |"
for t in "${tracers[@]}"; do
	s=$(now)
	"$(bin $t)" "$tmp/large.bt" >/dev/null 2>&1 || true
	printf "| %s | %s |\n" "$t" "$(ms "$s" "$(now)")"
done
fi
