package output

import (
	"bytes"
	"io"
	"os"
	"sync"
	"time"
)

// JSON records with a time and a host (--json-meta).
//
// With -f json, every record the printer writes is one object on a
// line. A fleet sends those lines to one place (a log pipeline, a file
// per run gathered later), where a record must say when and where it was
// printed. With JSONMeta set, each record ends with two more members:
//
//	{"type": "printf", "data": "hello\n", "time": "2026-05-04T10:11:12.123456789Z", "host": "node-7"}
//
// time is when gotrace printed the record (the kernel's records carry no
// time of their own), in UTC, RFC 3339 with nanoseconds; host is what
// the caller sets, else $GOTRACE_HOST (the Kubernetes manifests set it to
// the node's name: a pod's host name is the pod's), else the machine's
// host name.
// The members come last, so a record starts as it does without them and
// tools that look at "type" first need no change.

// JSONMeta is what --json-meta adds to every JSON record.
type JSONMeta struct {
	Host string           // "" means $GOTRACE_HOST, else os.Hostname()
	Now  func() time.Time // nil means time.Now
}

// SetJSONMeta makes every JSON record the printer writes from now on end
// with "time" and "host" members. Text output is unchanged.
func (p *Printer) SetJSONMeta(m JSONMeta) {
	p.w = NewJSONMetaWriter(p.w, m)
}

// NewJSONMetaWriter returns a writer that passes what is written to w,
// adding m's time and host to every line that is a JSON record ({"type":
// ...}). Other lines pass unchanged. A record must arrive whole in one
// or more writes before its newline; what is not a record is passed on
// at once.
func NewJSONMetaWriter(w io.Writer, m JSONMeta) io.Writer {
	if m.Host == "" {
		m.Host = os.Getenv("GOTRACE_HOST")
	}
	if m.Host == "" {
		m.Host, _ = os.Hostname()
	}
	if m.Now == nil {
		m.Now = time.Now
	}
	return &metaWriter{w: w, meta: m, host: jsonString(m.Host)}
}

type metaWriter struct {
	w    io.Writer
	meta JSONMeta
	host string // as a JSON string
	mu   sync.Mutex
	line []byte // the start of a record whose newline has not come yet
}

var recordStart = []byte(`{"type":`)

func (mw *metaWriter) Write(b []byte) (int, error) {
	mw.mu.Lock()
	defer mw.mu.Unlock()
	n := len(b)
	var out []byte
	for len(b) > 0 {
		if len(mw.line) == 0 && !bytes.HasPrefix(b, recordStart) && !bytes.HasPrefix(recordStart, b) {
			// not a record: pass this line (or what there is of it) on
			i := bytes.IndexByte(b, '\n')
			if i < 0 {
				out = append(out, b...)
				break
			}
			out = append(out, b[:i+1]...)
			b = b[i+1:]
			continue
		}
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			mw.line = append(mw.line, b...)
			break
		}
		rec := append(mw.line, b[:i]...)
		mw.line = nil
		b = b[i+1:]
		out = append(out, mw.annotate(rec)...)
		out = append(out, '\n')
	}
	if len(out) > 0 {
		if _, err := mw.w.Write(out); err != nil {
			return 0, err
		}
	}
	return n, nil
}

// annotate adds the time and host before a record's closing brace.
func (mw *metaWriter) annotate(rec []byte) []byte {
	end := bytes.LastIndexByte(rec, '}')
	if end < 0 || !bytes.HasPrefix(rec, recordStart) {
		return rec
	}
	t := mw.meta.Now().UTC().Format(time.RFC3339Nano)
	var b []byte
	b = append(b, rec[:end]...)
	b = append(b, `, "time": "`...)
	b = append(b, t...)
	b = append(b, `", "host": `...)
	b = append(b, mw.host...)
	b = append(b, rec[end:]...)
	return b
}
