package runtime

import (
	"context"
	"encoding/binary"
	"github.com/cilium/ebpf"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cilium/ebpf/ringbuf"

	"github.com/gotrace/gotrace/codegen"
	"github.com/gotrace/gotrace/lang/printf"
	"github.com/gotrace/gotrace/lang/types"
	"github.com/gotrace/gotrace/probes"
	"github.com/gotrace/gotrace/runtime/output"
)

// TestBufferPages: perf_rb_pages sizes the event ring buffer in pages,
// at least one per CPU, in a power of two, and skboutput's perf buffer in
// pages per CPU, the setting shared among them; unset (0) both take
// bpftrace's automatic size from the memory available.
func TestBufferPages(t *testing.T) {
	for _, tc := range []struct {
		setting                 int
		perCPU                  bool
		ncpu, pageSize, availKB int
		want                    int
	}{
		{0, false, 2, 4096, 0, 1024},          // automatic, memory unknown: 4 MiB
		{0, false, 2, 4096, 24_000_000, 1024}, // at most 4 MiB
		{0, false, 2, 4096, 3000, 512},        // 750 pages: 512 the closest power of two
		{0, false, 2, 4096, 1000, 256},        // 250 pages
		{0, false, 2, 4096, 100, 64},          // at least 256 KiB
		{0, false, 2, 65536, 0, 64},           // 64 KiB pages: 4 MiB all the same
		{64, false, 2, 4096, 0, 64},           // set: as many pages as it says
		{1, false, 4, 4096, 0, 4},             // one page per CPU at least
		{8, false, 2, 4096, 0, 8},
		{100, false, 2, 4096, 0, 128}, // the closest power of two
		{96, false, 2, 4096, 0, 64},   // a tie: the smaller
		{8192, false, 2, 4096, 0, 8192},
		{0, true, 2, 4096, 0, 512}, // per CPU: 4 MiB shared by 2 CPUs
		{0, true, 8, 4096, 100, 8}, // 256 KiB shared by 8 CPUs
		{64, true, 2, 4096, 0, 32}, // the setting shared by the CPUs
		{64, true, 3, 4096, 0, 16}, // 22 pages each: 16 the closest power of two
		{1, true, 4, 4096, 0, 1},   // at least one page each
		{1024, true, 1, 4096, 0, 1024},
	} {
		if got := bufferPages(tc.setting, tc.perCPU, tc.ncpu, tc.pageSize, tc.availKB); got != tc.want {
			t.Errorf("bufferPages(%d, perCPU %v, %d CPUs, %d, %d KiB) = %d, want %d", tc.setting, tc.perCPU, tc.ncpu, tc.pageSize, tc.availKB, got, tc.want)
		}
	}
}

// needBPF skips a test that loads programs where that cannot be done,
// and fails it under CI.
func needBPF(tb testing.TB) {
	tb.Helper()
	if os.Geteuid() != 0 {
		if os.Getenv("CI") == "true" {
			tb.Fatal("not root, but CI=true")
		}
		tb.Skip("not root")
	}
}

// TestEventRingSize: the loaded ring buffer has perf_rb_pages pages, and
// the automatic size without the setting; the program's spec is left as
// it was.
func TestEventRingSize(t *testing.T) {
	needBPF(t)
	page := os.Getpagesize()
	for _, tc := range []struct {
		config string
		want   int
	}{
		{"config = { perf_rb_pages = 16 }", 16 * page},
		{"", page * bufferPages(0, false, possibleCPUs(), page, memAvailableKB())},
	} {
		prog, err := compile(t, tc.config+"\nBEGIN { printf(\"hi\\n\"); }")
		if err != nil {
			t.Fatal(err)
		}
		before := prog.Spec.Maps[codegen.EventsMap].MaxEntries
		S, err := Load(prog, Options{Out: io.Discard, Err: io.Discard, NoVerify: true})
		if err != nil {
			t.Fatal(err)
		}
		if got := int(S.s.coll.Maps[codegen.EventsMap].MaxEntries()); got != tc.want {
			t.Errorf("%q: ring buffer of %d bytes, want %d", tc.config, got, tc.want)
		}
		if prog.Spec.Maps[codegen.EventsMap].MaxEntries != before {
			t.Errorf("%q: Load changed the program's spec", tc.config)
		}
		S.Close()
	}
}

// writeLog records the writes made to it.
type writeLog struct {
	mu     sync.Mutex
	writes []string
	wrote  chan struct{}
}

func newWriteLog() *writeLog { return &writeLog{wrote: make(chan struct{}, 1000)} }

func (w *writeLog) Write(b []byte) (int, error) {
	w.mu.Lock()
	w.writes = append(w.writes, string(b))
	w.mu.Unlock()
	w.wrote <- struct{}{}
	return len(b), nil
}

func (w *writeLog) get() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]string(nil), w.writes...)
}

// eventSession loads a program whose BEGIN probe prints one line, for
// the event loop to read what each run of that probe writes.
func eventSession(t *testing.T, out io.Writer, buffer Buffering) (*session, *codegen.ProbeProg, *ringbuf.Reader) {
	t.Helper()
	needBPF(t)
	prog, err := compile(t, `BEGIN { printf("%d %d\n", pid, 42); }`)
	if err != nil {
		t.Fatal(err)
	}
	S, err := Load(prog, Options{Out: out, Err: io.Discard, NoVerify: true, Buffer: buffer})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(S.Close)
	rd, err := ringbuf.NewReader(S.s.coll.Maps[codegen.EventsMap])
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rd.Close() })
	return S.s, prog.Probes[0], rd
}

// runLoop runs the event loop until the test ends.
func runLoop(t *testing.T, s *session, rd *ringbuf.Reader) {
	done := make(chan struct{})
	go func() {
		s.readEvents(context.Background(), rd)
		close(done)
	}()
	t.Cleanup(func() {
		rd.Close() // ends the loop's wait
		<-done
	})
}

// TestFlushOnDrain: with line buffering, the line of a single event is
// written as soon as the ring buffer is drained, long before the poll
// timeout; a backlog goes out in one write.
func TestFlushOnDrain(t *testing.T) {
	w := newWriteLog()
	s, begin, rd := eventSession(t, w, LineBuffered)
	line := strconv.Itoa(os.Getpid()) + " 42\n"

	// A backlog of 500 records, then the loop: one write of them all.
	for i := 0; i < 500; i++ {
		if err := s.trigger(begin); err != nil {
			t.Fatal(err)
		}
	}
	s.pollTimeout = time.Hour // a line written at all was written on drain
	runLoop(t, s, rd)
	select {
	case <-w.wrote:
	case <-time.After(10 * time.Second):
		t.Fatal("the backlog was not written")
	}
	if got := w.get(); len(got) != 1 || got[0] != strings.Repeat(line, 500) {
		t.Fatalf("the backlog of 500 lines was written in %d writes (%d bytes in the first)", len(got), len(got[0]))
	}

	// Then one event at a time: each line at once.
	for i := 0; i < 3; i++ {
		start := time.Now()
		if err := s.trigger(begin); err != nil {
			t.Fatal(err)
		}
		select {
		case <-w.wrote:
		case <-time.After(10 * time.Second):
			t.Fatalf("event %d: no line written after 10 s (the poll timeout is an hour)", i)
		}
		if got := w.get(); len(got) != 2+i || got[1+i] != line {
			t.Fatalf("event %d: writes %q", i, got)
		}
		t.Logf("event %d written after %v", i, time.Since(start))
	}
}

// TestBufferModes: -B full writes nothing until its buffer fills or the
// session ends; -B none writes each record by itself.
func TestBufferModes(t *testing.T) {
	t.Run("full", func(t *testing.T) {
		w := newWriteLog()
		s, begin, rd := eventSession(t, w, FullyBuffered)
		runLoop(t, s, rd)
		for i := 0; i < 3; i++ {
			s.trigger(begin)
		}
		select {
		case <-w.wrote:
			t.Fatalf("-B full wrote before the end: %q", w.get())
		case <-time.After(300 * time.Millisecond):
		}
		s.flush()
		if got := w.get(); len(got) != 1 || strings.Count(got[0], "\n") != 3 {
			t.Errorf("-B full at the end: %q", got)
		}
	})
	t.Run("none", func(t *testing.T) {
		w := newWriteLog()
		s, begin, rd := eventSession(t, w, Unbuffered)
		for i := 0; i < 3; i++ {
			s.trigger(begin)
		}
		s.drain(rd, false)
		if got := w.get(); len(got) != 3 {
			t.Errorf("-B none: %d writes for 3 records: %q", len(got), got)
		}
	})
}

// printfSession is a session of one printf("%d %d\n", pid, tid) event,
// printing into a buffer that is written to io.Discard, without a kernel.
func printfSession(f output.Format) (*session, []byte) {
	prog := &codegen.Program{Events: []*codegen.Event{{
		Kind: codegen.EventPrintf, Format: "%d %d\n", Conversions: printf.Parse("%d %d\n"), Size: 24,
		Args: []codegen.EventArg{{Type: types.Uint32, Offset: 8}, {Type: types.Uint32, Offset: 16}},
	}}}
	s := newSession(prog, Options{Out: io.Discard, Err: io.Discard, Format: f})
	rec := binary.LittleEndian.AppendUint64(nil, 0)
	rec = binary.LittleEndian.AppendUint64(rec, 123456)
	rec = binary.LittleEndian.AppendUint64(rec, 123457)
	return s, rec
}

// BenchmarkHandlePrintf: what the event loop does with a printf record
// once it is read: decode, format, and gather it for writing.
func BenchmarkHandlePrintf(b *testing.B) {
	for _, f := range []output.Format{output.Text, output.JSON} {
		name := map[output.Format]string{output.Text: "text", output.JSON: "json"}[f]
		b.Run(name, func(b *testing.B) {
			s, rec := printfSession(f)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				s.handle(rec)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
		})
	}
}

// TestHandleAllocs: handling a printf record allocates nothing.
func TestHandleAllocs(t *testing.T) {
	for _, f := range []output.Format{output.Text, output.JSON} {
		s, rec := printfSession(f)
		s.handle(rec)
		if n := testing.AllocsPerRun(1000, func() { s.handle(rec) }); n != 0 {
			t.Errorf("format %d: %v allocations per record", f, n)
		}
	}
}

// BenchmarkReadEvents: records read from the kernel's ring buffer,
// formatted and written (to io.Discard through the session's buffer),
// per second: the ring buffer is filled by BEGIN's program outside the
// timer, then drained.
func BenchmarkReadEvents(b *testing.B) {
	needBPF(b)
	prog, err := compile(b, `BEGIN { printf("%d %d\n", pid, tid); }`)
	if err != nil {
		b.Fatal(err)
	}
	S, err := Load(prog, Options{Out: io.Discard, Err: io.Discard, NoVerify: true})
	if err != nil {
		b.Fatal(err)
	}
	defer S.Close()
	s := S.s
	rd, err := ringbuf.NewReader(s.coll.Maps[codegen.EventsMap])
	if err != nil {
		b.Fatal(err)
	}
	defer rd.Close()
	const batch = 20000
	b.ReportAllocs()
	b.ResetTimer()
	for done := 0; done < b.N; done += batch {
		b.StopTimer()
		for i := 0; i < min(batch, b.N-done); i++ {
			if err := s.trigger(prog.Probes[0]); err != nil {
				b.Fatal(err)
			}
		}
		b.StartTimer()
		s.drain(rd, false)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
}

// compile compiles src against the fake host of ../probes/testdata, up to
// the program (the tests load it themselves).
func compile(t testing.TB, src string) (*codegen.Program, error) {
	t.Helper()
	c, err := Compile("t.gt", []byte(src), CompileOptions{Target: probes.NewDirTarget("../probes/testdata"), Stop: StageCompile})
	if err != nil {
		return nil, err
	}
	return c.Prog, nil
}

// TestExitSeenInCountersFirst: when the poll finds exit()'s code in the
// globals before the reader reached exit()'s record, what the programs
// printed before exit() is still printed (it waits in the ring buffer,
// and what is left there at exit is dropped).
func TestExitSeenInCountersFirst(t *testing.T) {
	needBPF(t)
	prog, err := compile(t, `BEGIN { printf("before exit\n"); exit(); }`)
	if err != nil {
		t.Fatal(err)
	}
	w := newWriteLog()
	S, err := Load(prog, Options{Out: w, Err: io.Discard, NoVerify: true, Buffer: LineBuffered})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(S.Close)
	s := S.s
	rd, err := ringbuf.NewReader(s.coll.Maps[codegen.EventsMap])
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rd.Close() })
	s.events = rd
	if err := s.trigger(prog.Probes[0]); err != nil {
		t.Fatal(err)
	}
	s.reportLost() // the poll, before any record was read
	if !s.isExited() {
		t.Fatal("exit() in the globals was not seen")
	}
	if got := strings.Join(w.get(), ""); got != "before exit\n" {
		t.Fatalf("printed %q before the exit, want the line printf wrote", got)
	}
}

// TestBigScratch: a program whose scratch memory is more than a per-CPU
// map value may hold (32 KiB) takes it from an array with one value per
// possible CPU; the others keep the per-CPU array.
func TestBigScratch(t *testing.T) {
	prog, err := compile(t, `config = { max_strlen = 20000 } BEGIN { $a = str((int8 *)nsecs); @m[$a] = str((int8 *)nsecs); for ($kv : @m) { print($kv); } } END { $s = "small"; print($s); }`)
	if err != nil {
		t.Fatal(err)
	}
	big, ok := prog.Spec.Maps[codegen.BigScratchMap]
	if !ok || big.Type != ebpf.Array || big.ValueSize < 40000 || big.MaxEntries < 1 {
		t.Fatalf("big scratch map: %+v", big)
	}
	if small, ok := prog.Spec.Maps[codegen.ScratchMap]; ok && small.ValueSize > 32<<10 {
		t.Errorf("per-CPU scratch of %d bytes", small.ValueSize)
	}
}
