package probes

import (
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/gotrace/gotrace/lang"
	"github.com/gotrace/gotrace/lang/types"
)

// Reading a tracepoint's format from tracefs is a file the kernel
// writes out on each read, then a parse and a layout: for a script of a hundred
// tracepoints, most of the time the checker spends on attach points.
// Prefetch starts reading the formats of a script's tracepoints (those
// it names without a wildcard) on the CPUs the checker does not use,
// while the checker expands the attach points one by one, in order:
// tracepointLayout takes a format that was read ahead, waits for one
// being read, or reads it itself.

// tpFetch is the format of one tracepoint, read once by whoever comes
// first.
type tpFetch struct {
	once     sync.Once
	category string
	event    string
	text     []byte
	err      error
	fields   []tpField   // parsed text, when err is nil
	args     *types.Type // the args layout of fields, when parseErr is nil
	parseErr error
}

func (f *tpFetch) get(t Target) *tpFetch {
	f.once.Do(func() {
		f.text, f.err = t.TracepointFormat(f.category, f.event)
		if f.err == nil {
			f.fields, f.parseErr = parseFormat(string(f.text))
		}
		if f.err == nil && f.parseErr == nil {
			f.args = tracepointArgs(f.category, f.event, f.fields)
		}
	})
	return f
}

// Prefetch implements types.PrefetchEnv.
func (e *env) Prefetch(specs []*lang.ProbeSpec) {
	var list []*tpFetch
	e.mu.Lock()
	if e.tpFetches == nil {
		e.tpFetches = map[string]*tpFetch{}
	}
	for _, spec := range specs {
		s, err := Parse(spec.Raw)
		if err != nil || s.Provider != "tracepoint" || HasWildcard(s.Target) || HasWildcard(s.Func) {
			continue
		}
		key := s.Target + ":" + s.Func
		if _, done := e.tpArgs[key]; done || e.tpFetches[key] != nil {
			continue
		}
		f := &tpFetch{category: s.Target, event: s.Func}
		e.tpFetches[key] = f
		list = append(list, f)
	}
	e.mu.Unlock()
	workers := min(runtime.GOMAXPROCS(0)-1, len(list)-1)
	if workers < 1 {
		return // the checker reads the one there is, or all of them on one CPU
	}
	var next atomic.Int64
	for range workers {
		go func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= len(list) {
					return
				}
				list[i].get(e.t)
			}
		}()
	}
}

// prefetched returns the format of category:event that Prefetch was
// asked for, once it is read, or nil.
func (e *env) prefetched(key string) *tpFetch {
	e.mu.Lock()
	f := e.tpFetches[key]
	e.mu.Unlock()
	if f == nil {
		return nil
	}
	return f.get(e.t)
}
