package output

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/gotrace/gotrace/lang/types"
)

func TestJSONMeta(t *testing.T) {
	at := time.Date(2026, 5, 4, 10, 11, 12, 123456789, time.FixedZone("X", 3600))
	meta := JSONMeta{Host: `node "7"`, Now: func() time.Time { return at }}
	var b bytes.Buffer
	p := New(&b, JSON)
	p.SetJSONMeta(meta)
	p.Attached(nil, 2)
	p.Printf("hello %d\n", []Arg{{types.Int64, u64(5)}})
	p.Map(&Map{Name: "@n", Value: countT, Entries: []Entry{{Key: u64(0), PerCPU: [][]byte{u64(3)}}}})
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	if len(lines) != 3 {
		t.Fatalf("%d lines:\n%s", len(lines), b.String())
	}
	for _, l := range lines {
		var rec map[string]any
		if err := json.Unmarshal([]byte(l), &rec); err != nil {
			t.Fatalf("%s: %v", l, err)
		}
		if rec["time"] != "2026-05-04T09:11:12.123456789Z" || rec["host"] != `node "7"` || rec["type"] == nil {
			t.Errorf("record %s", l)
		}
	}
	if !strings.HasPrefix(lines[1], `{"type": "printf", "data": "hello 5\n", "time": `) {
		t.Errorf("printf record %s", lines[1])
	}

	// a record written in pieces, and lines that are no records
	b.Reset()
	w := NewJSONMetaWriter(&b, meta)
	for _, s := range []string{"plain ", "text\n", `{"ty`, `pe": "x", "data": 1`, "}\n{\"type\": \"y\", \"data\": 2}\nmore\n"} {
		if n, err := w.Write([]byte(s)); n != len(s) || err != nil {
			t.Fatalf("Write(%q) = %d, %v", s, n, err)
		}
	}
	want := "plain text\n" +
		`{"type": "x", "data": 1, "time": "2026-05-04T09:11:12.123456789Z", "host": "node \"7\""}` + "\n" +
		`{"type": "y", "data": 2, "time": "2026-05-04T09:11:12.123456789Z", "host": "node \"7\""}` + "\nmore\n"
	if b.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", b.String(), want)
	}

	// the host from $GOTRACE_HOST
	t.Setenv("GOTRACE_HOST", "worker-3")
	b.Reset()
	NewJSONMetaWriter(&b, JSONMeta{Now: meta.Now}).Write([]byte(`{"type": "x"}` + "\n"))
	if !strings.HasSuffix(b.String(), `"host": "worker-3"}`+"\n") {
		t.Errorf("with GOTRACE_HOST: %s", b.String())
	}
}
