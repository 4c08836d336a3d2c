package runtime

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/cilium/ebpf/ringbuf"

	"github.com/gotrace/gotrace/codegen"
	"github.com/gotrace/gotrace/lang"
	"github.com/gotrace/gotrace/lang/types"
)

// The event loop.
//
// While the probes are attached, loop reads the event ring buffer until
// exit(), SIGINT, SIGTERM or the context ends the session, running the
// self:signal probes' programs when their signals come. readEvents hands
// each record to handle as it comes and writes what gathered whenever the
// buffer is drained; drain empties the buffer after BEGIN and at the end,
// discard drops what follows exit(). Records the ring buffer had no room
// for, and updates full maps refused, are reported as they are counted.
// The exit state (setExited, readerDone) is kept here too.

// loop reads events until exit(), a signal, or ctx ends.
func (s *session) loop(ctx context.Context, rd *ringbuf.Reader) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if !s.opts.NoSignals {
		sigs := make(chan os.Signal, 1)
		signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
		defer signal.Stop(sigs)
		go func() {
			select {
			case <-sigs:
				cancel()
			case <-ctx.Done():
			}
		}()
	}
	if len(s.selfSig) > 0 {
		usr := make(chan os.Signal, 4)
		for sig := range s.selfSig {
			signal.Notify(usr, sig)
		}
		defer signal.Stop(usr)
		go func() {
			for {
				select {
				case sig := <-usr:
					for _, p := range s.selfSig[sig] {
						s.trigger(p)
					}
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	s.readEvents(ctx, rd)
}

// readEvents handles records as they come until exit(), or ctx ends.
// Records are read into one reused Record; what they print gathers in
// the session's writer, which is written (as -B says) whenever the ring
// buffer is drained, so that a line appears at once when events are few
// and a backlog goes out in large writes. While records flow, the
// clock is looked at only every checkEvery records.
func (s *session) readEvents(ctx context.Context, rd *ringbuf.Reader) {
	lastLost := time.Now()
	rd.SetDeadline(lastLost.Add(s.pollTimeout))
	n, batch := 0, 0
	pause := rd.BufferSize() >= minPauseRing
	for ctx.Err() == nil && !s.readerDone() {
		err := rd.ReadInto(&s.rec)
		if err == nil {
			s.handle(s.rec.RawSample)
			batch++
			if s.readerDone() {
				return
			}
			if s.rec.Remaining > 0 {
				// more records wait: no write, no wait
				if n++; n%checkEvery == 0 {
					if now := time.Now(); now.Sub(lastLost) > lostEvery {
						s.reportLost()
						lastLost = now
					}
				}
				continue
			}
		} else if !errors.Is(err, os.ErrDeadlineExceeded) {
			return
		}
		// The ring buffer is drained (or nothing came for a poll period):
		// write what gathered, then wait for more. After a flood, first
		// let records gather for a moment: each wait costs the producer
		// a wakeup, and the next batch goes out in one larger write.
		s.flushDrained()
		if pause && batch >= floodBatch {
			time.Sleep(floodPause)
		}
		batch = 0
		now := time.Now()
		if now.Sub(lastLost) > lostEvery {
			s.reportLost()
			lastLost = now
		}
		rd.SetDeadline(now.Add(s.pollTimeout))
	}
}

// drain handles every record already in the ring buffer; with
// untilExit, it stops at an exit() record (what follows is dropped).
// Then it writes what gathered.
func (s *session) drain(rd *ringbuf.Reader, untilExit bool) {
	rd.SetDeadline(time.Now())
	for !untilExit || !s.exited.Load() {
		if err := rd.ReadInto(&s.rec); err != nil {
			break
		}
		s.handle(s.rec.RawSample)
	}
	s.flushDrained()
}

// reportLost reports records the ring buffer had no room for since the
// last report ("Lost N events", as bpftrace), and warns once for each map
// that refused an update because it was full.
func (s *session) reportLost() {
	if buf, ok := s.readGlobals(); ok {
		s.reportCounters(buf)
	}
}

// readGlobals reads the value of the globals map (codegen.Globals: the
// counters and exit()'s code); ok is false where there is none.
func (s *session) readGlobals() (buf []byte, ok bool) {
	if s.coll == nil {
		return nil, false
	}
	m := s.coll.Maps[codegen.GlobalsMap]
	buf = make([]byte, m.ValueSize())
	return buf, m.Lookup(uint32(0), &buf) == nil
}

func (s *session) reportCounters(globals []byte) {
	if code := binary.LittleEndian.Uint64(globals[codegen.GlobalExit:]); code != 0 {
		// exit() ran, even if its record found no room. Its record and
		// what the programs printed before it may still wait in the ring
		// buffer (the counter can be read between two reads of it, and
		// the records after exit() are dropped): they are handled first,
		// up to the exit() record.
		if s.events != nil && !s.exited.Load() {
			s.drain(s.events, true)
		}
		s.setExited(int(int64(code - 1)))
	}
	s.out.Lock()
	defer s.out.Unlock()
	if n := binary.LittleEndian.Uint64(globals[codegen.GlobalLost:]); n > s.lost {
		s.beforeStderr()
		s.printer.Lost(s.opts.Err, n-s.lost)
		s.lost = n
	}
	for _, mm := range s.prog.Maps {
		if mm.FullOff+8 > len(globals) || codegen.RefusedUpdates(binary.LittleEndian.Uint64(globals[mm.FullOff:])) == 0 || s.fullWarned[mm.Name] {
			continue
		}
		if s.fullWarned == nil {
			s.fullWarned = map[string]bool{}
		}
		s.fullWarned[mm.Name] = true
		if s.opts.NoWarnings {
			continue
		}
		s.beforeStderr()
		msg := fmt.Sprintf("Map full; can't update element. Try increasing max_map_keys config or manually setting the max entries in a map declaration e.g. `let %s = hash(5000)`", mm.Name)
		endCol := 0
		if mm.FullPos.EndLine == mm.FullPos.Line {
			endCol = mm.FullPos.EndCol
		}
		s.printer.Diagnostic(s.opts.Err, "warnf", msg, mm.FullPos.File, mm.FullPos.Line, mm.FullPos.Col, endCol)
	}
	for _, l := range s.prog.LongLoops {
		if l.Off+8 > len(globals) || binary.LittleEndian.Uint64(globals[l.Off:]) == 0 || s.loopWarned[l.Pos] {
			continue
		}
		if s.loopWarned == nil {
			s.loopWarned = map[lang.Pos]bool{}
		}
		s.loopWarned[l.Pos] = true
		s.beforeStderr()
		msg := fmt.Sprintf("for range with more than %d iterations (the kernel's bpf_loop limit): the loop did not run", types.MaxLoopIterations)
		s.printer.Diagnostic(s.opts.Err, "errorf", msg, l.Pos.File, l.Pos.Line, l.Pos.Col, 0)
	}
}

// discard empties the ring buffer without handling its records.
func (s *session) discard(rd *ringbuf.Reader) {
	rd.SetDeadline(time.Now())
	for rd.ReadInto(&s.rec) == nil {
	}
}

func (s *session) isExited() bool { return s.exited.Load() }

// readerDone says whether the event loop is over: exit() was called,
// and no iteration is under way (an iteration is one run of its probe,
// printed whole, exit() in it included; the loop then ends when the
// walk does).
func (s *session) readerDone() bool { return s.exited.Load() && !s.walking.Load() }

// setExited records exit(code), unless exit() was seen already.
func (s *session) setExited(code int) {
	s.mu.Lock()
	if !s.exited.Load() {
		s.code = code
		s.exited.Store(true)
	}
	s.mu.Unlock()
}

// resetExit forgets an exit() and the errorf() count, between --test
// and --bench runs.
func (s *session) resetExit() {
	s.mu.Lock()
	s.exited.Store(false)
	s.code, s.errorfs = 0, 0
	s.mu.Unlock()
	s.clearGlobalExit()
}
