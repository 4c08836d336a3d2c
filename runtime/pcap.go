package runtime

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/perf"
	"golang.org/x/sys/unix"

	"github.com/gotrace/gotrace/codegen"
)

// skbWriter writes the packets skboutput() sends through the perf event
// array into pcap files: one file per path, in the classic pcap format
// (microsecond timestamps, link type RAW: IP packets without a link
// header), as tcpdump reads it.
type skbWriter struct {
	rd     *perf.Reader
	outs   []codegen.SkbOutput
	files  []*os.File
	byID   []*bufio.Writer // the writer of each skboutput() call
	bootNs int64           // the wall-clock time of boot, in ns
	stop   atomic.Bool
	done   chan error
	once   sync.Once
	err    error // what close found
}

// pcap file constants.
const (
	pcapMagic   = 0xa1b2c3d4 // microsecond timestamps
	pcapSnapLen = 65535
	pcapLinkRaw = 101 // LINKTYPE_RAW
)

// startSkbOutput creates the pcap files of prog's skboutput() calls and
// starts reading packets from the perf event array m, pages pages per CPU.
func startSkbOutput(prog *codegen.Program, m *ebpf.Map, pages int) (*skbWriter, error) {
	w := &skbWriter{outs: prog.SkbOutputs, done: make(chan error, 1)}
	byPath := map[string]*bufio.Writer{}
	for _, o := range prog.SkbOutputs {
		bw, ok := byPath[o.Path]
		if !ok {
			f, err := os.Create(o.Path)
			if err != nil {
				w.closeFiles()
				return nil, fmt.Errorf("skboutput: %w", err)
			}
			w.files = append(w.files, f)
			bw = bufio.NewWriter(f)
			if err := writePcapHeader(bw); err != nil {
				w.closeFiles()
				return nil, fmt.Errorf("skboutput: %s: %w", o.Path, err)
			}
			byPath[o.Path] = bw
		}
		w.byID = append(w.byID, bw)
	}
	rd, err := perf.NewReader(m, pages*os.Getpagesize())
	if err != nil {
		w.closeFiles()
		return nil, fmt.Errorf("skboutput: cannot read the packets' perf buffer: %w", err)
	}
	w.rd = rd
	w.bootNs = bootWallNs()
	go func() { w.done <- w.read() }()
	return w, nil
}

// bootWallNs is the wall-clock time at which the boot clock read zero:
// the boot clock is read between two readings of the wall clock, and
// the wall time taken as their middle.
func bootWallNs() int64 {
	var boot unix.Timespec
	before := time.Now().UnixNano()
	if err := unix.ClockGettime(unix.CLOCK_BOOTTIME, &boot); err != nil {
		return 0
	}
	after := time.Now().UnixNano()
	return before + (after-before)/2 - boot.Nano()
}

// read writes packets until stop is set and the buffer is empty.
func (w *skbWriter) read() error {
	for {
		w.rd.SetDeadline(time.Now().Add(100 * time.Millisecond))
		rec, err := w.rd.Read()
		if errors.Is(err, os.ErrDeadlineExceeded) {
			if w.stop.Load() {
				return nil
			}
			continue
		}
		if err != nil {
			return err
		}
		if rec.LostSamples > 0 || len(rec.RawSample) < codegen.SkbHeader {
			continue
		}
		id := binary.NativeEndian.Uint64(rec.RawSample)
		ns := int64(binary.NativeEndian.Uint64(rec.RawSample[8:]))
		if id >= uint64(len(w.outs)) {
			continue
		}
		pkt := rec.RawSample[codegen.SkbHeader:]
		if n := binary.NativeEndian.Uint64(rec.RawSample[16:]); n < uint64(len(pkt)) {
			pkt = pkt[:n]
		}
		if off := w.outs[id].Offset; off < len(pkt) {
			if err := writePcapRecord(w.byID[id], w.bootNs+ns, pkt[off:]); err != nil {
				return err
			}
		}
	}
}

// close stops reading once the packets already sent are written, and
// flushes and closes the files.
func (w *skbWriter) close() error {
	w.once.Do(func() { w.err = w.finish() })
	return w.err
}

func (w *skbWriter) finish() error {
	w.stop.Store(true)
	err := <-w.done
	w.rd.Close()
	for _, bw := range w.byID {
		if ferr := bw.Flush(); err == nil {
			err = ferr
		}
	}
	if cerr := w.closeFiles(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("skboutput: %w", err)
	}
	return nil
}

func (w *skbWriter) closeFiles() error {
	var err error
	for _, f := range w.files {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	return err
}

// writePcapHeader writes a pcap file's global header.
func writePcapHeader(w io.Writer) error {
	var h [24]byte
	binary.LittleEndian.PutUint32(h[0:], pcapMagic)
	binary.LittleEndian.PutUint16(h[4:], 2) // version 2.4
	binary.LittleEndian.PutUint16(h[6:], 4)
	// this zone and timestamp accuracy stay 0
	binary.LittleEndian.PutUint32(h[16:], pcapSnapLen)
	binary.LittleEndian.PutUint32(h[20:], pcapLinkRaw)
	_, err := w.Write(h[:])
	return err
}

// writePcapRecord writes one packet captured at ns (wall clock).
func writePcapRecord(w io.Writer, ns int64, pkt []byte) error {
	var h [16]byte
	binary.LittleEndian.PutUint32(h[0:], uint32(ns/1e9))
	binary.LittleEndian.PutUint32(h[4:], uint32(ns%1e9/1e3))
	binary.LittleEndian.PutUint32(h[8:], uint32(len(pkt)))
	binary.LittleEndian.PutUint32(h[12:], uint32(len(pkt)))
	if _, err := w.Write(h[:]); err != nil {
		return err
	}
	_, err := w.Write(pkt)
	return err
}
