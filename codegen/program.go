package codegen

import (
	"github.com/cilium/ebpf"

	"github.com/gotrace/gotrace/lang"
	"github.com/gotrace/gotrace/lang/printf"
	"github.com/gotrace/gotrace/lang/types"
)

// Target holds the facts about the machine the program will run on that
// change the generated code. The zero value is a safe default.
type Target struct {
	NumCPU int // possible CPUs (0: 1)
	// Self is gotrace's own process id: probes that fire in the context
	// of a process (tracepoints, kprobes, uprobes, USDT, fentry) skip its
	// events, since the Go runtime's scheduler sleeps and wakes as events
	// arrive and would feed them back into a script that prints on each
	// one. 0 filters nothing.
	Self int
	// Child is set when gotrace runs a command (-c): until the command
	// execs, its process is gotrace's and filtered with it (HeldMap).
	Child bool
	// PID is the process of -p: the programs of probes that fire in
	// every process (tracepoints, raw tracepoints, kprobes, fentry) do
	// nothing in the others, as bpftrace's do; uprobes, USDT and perf
	// events are attached to that process instead. 0 filters nothing.
	PID int
	// Cgroup is --cgroup: the probes that fire in a process's context
	// skip the events of processes outside one cgroup v2 and the cgroups
	// below it. The zero value filters nothing.
	Cgroup CgroupFilter
	// RuntimeWarnings (-k) makes the programs check what probe reads and
	// map lookups return, and report failures (runtime_errors.go).
	RuntimeWarnings bool
	// PidNS is the pid namespace gotrace runs in, whose view pid and tid
	// give (bpftrace's curr_ns); the zero value is the initial one.
	PidNS PidNS
}

// PidNS names a pid namespace by the device and inode of its
// /proc/PID/ns/pid.
type PidNS struct{ Dev, Ino uint64 }

// CgroupFilter names a cgroup v2 by its id (the inode of its directory)
// and its level (its depth below the hierarchy's root, which is level 0):
// a process is in it, or below it, when its cgroup's ancestor at that
// level is it (bpf_get_current_ancestor_cgroup_id).
type CgroupFilter struct {
	ID    uint64
	Level int
}

// Names of the maps every program may use.
const (
	EventsMap  = "events"  // ring buffer of printf/exit records
	ScratchMap = "scratch" // per-CPU array: one big value of scratch memory
	// BigScratchMap is the scratch memory of programs that need more
	// than a per-CPU value holds: an array, one value per possible CPU.
	BigScratchMap = "scratch_big"
	GlobalsMap    = "globals" // array: one value of Globals layout
	// SkbMap is the perf event array skboutput() writes packets to: a
	// SkbHeader, then the packet's first bytes.
	SkbMap = "skb_events"
	// HeldMap is an array of one u64: the pid of the -c child while it
	// waits to exec its command (0 once it may), whose events probes
	// skip like gotrace's own (Target.Self).
	HeldMap = "held"
	// StopMap is an array of one u64, the stop flag: exit() sets it, and
	// so does gotrace when it ends for another reason (Ctrl-C, the -c
	// command or the -p process ending), before anything is detached.
	// The programs whose attachment user space cannot stop at once
	// (types.FreezeByFlag) return at entry while it is set, so the maps
	// printed at exit hold the counts at exit; a program of none of them
	// has no StopMap.
	StopMap = "stop"
)

// SkbHeader is the record skboutput() puts before the packet's bytes: the
// index of the call in Program.SkbOutputs (u64), the time in nanoseconds
// since boot (u64), and the number of packet bytes that follow (u64; the
// perf buffer pads the record after them).
const SkbHeader = 24

// SkbOutput is one skboutput(path, skb, len, offset) call: the pcap file
// it writes and how many leading bytes of each packet it drops.
type SkbOutput struct {
	Path   string
	Offset int
}

// Globals layout (the value of GlobalsMap), written by the runtime before
// any probe runs.
const (
	GlobalStartNs = 0  // u64: bpf_ktime_get_ns() at start, for `elapsed`
	GlobalCpid    = 8  // u64: pid of the -c child, for `cpid`
	GlobalLost    = 16 // u64: records the ring buffer had no room for (added atomically)
	// GlobalExit is exit()'s code plus one (0: no exit yet), written as
	// well as the exit record, which a full ring buffer could lose.
	GlobalExit = 24
	// GlobalTaiDelta is CLOCK_TAI minus CLOCK_BOOTTIME in nanoseconds:
	// tseries() adds it to bpf_ktime_get_boot_ns() for the TAI time.
	GlobalTaiDelta = 32
	// GlobalOne is the constant 1: the value a new count() key or
	// histogram bucket starts with. The map's spec holds it from its
	// creation (Contents), and the runtime writes it again with the rest.
	GlobalOne   = 40
	GlobalsSize = 48 // then one u64 per user map: updates refused because it was full (MapMeta.FullOff), then one per Program.LongLoops
)

// LongLoop is a for range whose bound bpf_loop may refuse: Off is its
// count in the globals map, Pos the loop.
type LongLoop struct {
	Off int
	Pos lang.Pos
}

// EventKind says what a ring buffer record means.
type EventKind int

const (
	EventPrintf         EventKind = iota
	EventExit                     // payload: int64 exit code
	EventPrintMap                 // print(@m[, top[, div]]), print(@m, "format"[, top]): Map, Top, Div, As
	EventClear                    // clear(@m): Map
	EventZero                     // zero(@m): Map
	EventPrintValue               // print(value): Args[0] is the value
	EventTime                     // time(fmt): Format is the strftime format
	EventCat                      // cat(fmt, args): print the named file
	EventSystem                   // system(fmt, args): run the command
	EventErrorf                   // errorf(fmt, args): a message at Pos
	EventWarnf                    // warnf(fmt, args)
	EventJoin                     // join(arr, sep): JoinArgs strings of JoinArgSize bytes; Format is the separator
	EventUnwatch                  // unwatch(addr): payload u64 address; user space removes the watchpoints on it
	EventHelperError              // a helper failed (-k): payload int64 return code; Helper names it, Pos is the expression
	EventRuntimeWarning           // Format is a warning about the expression at Pos (an array index out of bounds, a division by 0)
)

// EventArg is one argument of a printf record: its type and its offset
// from the start of the record.
type EventArg struct {
	Type   *types.Type
	Offset int
}

// Event describes one kind of ring buffer record; its index in
// Program.Events is the u64 id the record starts with.
type Event struct {
	Kind EventKind
	Pos  lang.Pos
	// EndCol: errorf, warnf: the column just past the call, on Pos's line
	// (0: unknown), for the range the message names.
	EndCol int
	Format string // printf: the format string, escapes decoded
	// Conversions is Format as the checker parsed it (lang/printf), for
	// the printers: printf, errorf, warnf, cat and system events.
	Conversions []printf.Segment
	Args        []EventArg
	Size        int    // bytes of the record
	Map         string // EventPrintMap, EventClear, EventZero: the map's "@name"
	Top         int    // EventPrintMap: print only the top entries (0: all)
	Div         int    // EventPrintMap: divide values by this (0: 1)
	Helper      string // EventHelperError: the helper, as bpftrace names it ("probe_read_user")
	// As is the format print(@m, "format") asks for (EventPrintMap).
	As types.MapFormat
}

// MapMeta describes a user map (@name) and how its values are stored.
//
// Value layouts: plain values as their type (integers 8 bytes); count and
// sum: one u64/int64 per CPU; min and max: {int64 value; u64 set} per CPU;
// avg and stats: {int64 total; u64 count} per CPU; hist and lhist: one
// u64 count per CPU, with the bucket index as a u64 after the user's key
// (at BucketOff). A map without keys has one u64 key 0, or, bucketed,
// the bucket index alone.
//
// hist buckets (k = AggParams[0] sub-bucket bits, 0 by default): 0 holds
// negative values, 1 holds 0; for k = 0, bucket 2+i holds [2^i, 2^(i+1)).
// For k > 0, values below 2^k get one bucket each (bucket 1+n), and each
// power of two 2^i (i >= k) above is split into 2^k equal buckets:
// bucket 1 + 2^k + (i-k)*2^k + ((n >> (i-k)) - 2^k).
// lhist(min, max, step): bucket 0 holds values below min, bucket
// 1+(n-min)/step the values in range, bucket 1+(max-min)/step values from
// max up.
type MapMeta struct {
	Name     string // "@name"
	SpecName string // name of the map in the CollectionSpec
	Keys     []*types.Type
	Key      *types.Type // nil without keys; a Tuple for several keys
	Value    *types.Type
	PerCPU   bool
	KeySize  int
	ValSize  int
	// FullOff is the offset in the globals map of the count of updates
	// refused because the map was full, kept as the sum of the helper's
	// -E2BIG (-7) results (RefusedUpdates reads it); FullPos the first
	// update's place.
	FullOff int
	FullPos lang.Pos
	// Bucketed maps (hist, lhist) keep the bucket index as a u64 at
	// BucketOff in the key.
	Bucketed  bool
	BucketOff int
}

// ProbeProg is one compiled program and where it attaches.
type ProbeProg struct {
	Prog      string // name of the program in the CollectionSpec
	Ctx       *types.Context
	Probe     *lang.Probe
	Positions Positions // script position of each raw instruction slot
	StackSize int
	// TestsStop: the program tests the stop flag at entry (StopMap), so
	// stopping the script need not freeze its attachment.
	TestsStop bool
}

// Program is the product of Compile.
type Program struct {
	Spec   *ebpf.CollectionSpec
	Probes []*ProbeProg
	Events []*Event
	Maps   []*MapMeta // in name order
	// LongLoops are the for ranges whose bounds are known only at run
	// time, each with the offset of its count, in the globals map after
	// the maps' counts, of the times bpf_loop refused it for more
	// iterations than the kernel allows (types.MaxLoopIterations).
	LongLoops   []LongLoop
	ScratchSize int
	Settings    types.Settings // the script's resolved configuration
	File        *lang.File
	SkbOutputs  []SkbOutput // skboutput() calls, by index
}

// MapByName returns the metadata of a user map.
func (p *Program) MapByName(name string) *MapMeta {
	for _, m := range p.Maps {
		if m.Name == name {
			return m
		}
	}
	return nil
}

// RefusedUpdates reads the count of updates a full map refused from its
// counter in the globals map (MapMeta.FullOff): each refusal adds -7.
func RefusedUpdates(counter uint64) uint64 { return uint64(-int64(counter)) / 7 }
