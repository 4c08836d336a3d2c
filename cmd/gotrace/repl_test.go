package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"

	"github.com/gotrace/gotrace/internal/livetest"
)

// session drives the REPL of a built gotrace through a pseudo-terminal.
type session struct {
	t    *testing.T
	tty  *os.File
	mu   sync.Mutex
	buf  bytes.Buffer
	seen int
}

func (s *session) send(keys string) {
	s.t.Helper()
	if _, err := s.tty.Write([]byte(keys)); err != nil {
		s.t.Fatal(err)
	}
}

// expect waits until the output after the last match matches re.
func (s *session) expect(re string) string {
	s.t.Helper()
	rx := regexp.MustCompile(re)
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		s.mu.Lock()
		out := s.buf.String()[s.seen:]
		if loc := rx.FindStringIndex(out); loc != nil {
			s.seen += loc[1]
			s.mu.Unlock()
			return out[loc[0]:loc[1]]
		}
		s.mu.Unlock()
		time.Sleep(20 * time.Millisecond)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.t.Fatalf("no %q in the REPL's output:\n%s", re, s.buf.String()[s.seen:])
	return ""
}

func startREPL(t *testing.T) *session {
	return startREPLHome(t, t.TempDir())
}

var builtBinary struct {
	once sync.Once
	path string
	err  error
	out  []byte
}

// gotraceBinary builds gotrace once for the tests that run it.
func gotraceBinary(t *testing.T) string {
	builtBinary.once.Do(func() {
		dir, err := os.MkdirTemp("", "gotrace-bin")
		if err != nil {
			builtBinary.err = err
			return
		}
		builtBinary.path = filepath.Join(dir, "gotrace")
		builtBinary.out, builtBinary.err = exec.Command("go", "build", "-o", builtBinary.path, ".").CombinedOutput()
	})
	if builtBinary.err != nil {
		t.Fatalf("build: %v\n%s", builtBinary.err, builtBinary.out)
	}
	return builtBinary.path
}

// startREPLHome starts the REPL with HOME set to home (where its history
// file is).
func startREPLHome(t *testing.T, home string) *session {
	cmd := exec.Command(gotraceBinary(t), "-i")
	cmd.Env = append(os.Environ(), "HOME="+home, "TERM=xterm")
	tty, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 50, Cols: 200})
	if err != nil {
		t.Fatal(err)
	}
	s := &session{t: t, tty: tty}
	go func() {
		b := make([]byte, 4096)
		for {
			n, err := tty.Read(b)
			s.mu.Lock()
			s.buf.Write(b[:n])
			s.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		tty.Close()
	})
	s.expect(`gotrace> `)
	return s
}

// TestREPLEditing: completion, multi-line input and errors at their place
// in the typed line. Needs no BPF.
func TestREPLEditing(t *testing.T) {
	s := startREPL(t)
	s.send(".hel\t\r")
	s.expect(`Commands:`)
	s.expect(`gotrace> `)
	s.send("BEGIN { @x = ; }\r")
	s.expect(`repl:1:14-15: ERROR: syntax error: unexpected ";"`)
	s.expect(`\n {13}~\r?\n`)
	s.expect(`gotrace> `)
	s.send("BEGIN { printf(\"%d\\n\", pdi); }\r")
	s.expect(`did you mean pid`)
	s.send("BEGIN { printf\t")
	s.expect(`printf\(`)
	s.send("\x03") // Ctrl-C cancels the line
	s.expect(`gotrace> `)
	s.send(".bogus\r")
	s.expect(`unknown command \.bogus`)
	s.send("\x04") // Ctrl-D leaves
}

// TestREPLPrograms: a foreground program streams and Ctrl-C prints its
// maps; a background program's map is printed twice while it runs, then
// it is stopped. Needs BPF.
func TestREPLPrograms(t *testing.T) {
	livetest.NeedBPF(t)
	s := startREPL(t)
	// Multi-line input: the program continues while braces are open.
	s.send("BEGIN {\r")
	s.expect(`\.\.\.> `)
	s.send("printf(\"multi %d\\n\", 6 * 7); exit(); }\r")
	s.expect(`multi 42`)
	s.expect(`gotrace> `)
	// Foreground: stream, then Ctrl-C detaches and prints the maps.
	s.send("interval:ms:20 { @fg = count(); if (@fg == 3) { printf(\"tick\\n\"); } }\r")
	// the program's line, not the echo of the typed one, which has tick too
	s.expect(`(?m)^tick\r?$`)
	s.send("\x03")
	s.expect(`@fg: [0-9]+`)
	s.expect(`gotrace> `)
	// Background job: print its map twice while it runs, then stop it.
	s.send("interval:ms:20 { @bg = count(); } &\r")
	s.expect(`\[1\] running in the background`)
	time.Sleep(300 * time.Millisecond)
	s.send(".jobs\r")
	s.expect(`\[1\] running +interval:ms:20`)
	s.send(".print 1 @bg\r")
	first := s.expect(`@bg: [0-9]+`)
	time.Sleep(300 * time.Millisecond)
	s.send(".print @bg\r")
	second := s.expect(`@bg: [0-9]+`)
	if first >= second && len(first) == len(second) {
		t.Errorf("the background map did not grow: %s then %s", first, second)
	}
	s.send(".stop 1\r")
	s.expect(`@bg: [0-9]+`)
	s.send(".jobs\r")
	s.expect(`no background programs`)
	s.send(".asm\r")
	s.expect(`interval:ms:20 \(p0_interval`)
	dir := t.TempDir()
	saved := filepath.Join(dir, "typed.gt")
	s.send(".save " + saved + "\r")
	s.expect(`saved 3 program`)
	b, _ := os.ReadFile(saved)
	if !strings.HasPrefix(string(b), "#!/usr/bin/env gotrace\n") || !strings.Contains(string(b), "@bg = count()") {
		t.Errorf(".save wrote:\n%s", b)
	}
	s.send("\x04")
}

// TestREPLHistory: an entry typed on several lines is one line of the
// history file, which only its owner can read, and comes back whole
// with one Up in the next session. Tab twice lists the candidates of
// the builtin table. Needs no BPF.
func TestREPLHistory(t *testing.T) {
	home := t.TempDir()
	s := startREPLHome(t, home)
	s.send("pri\t\t")
	s.expect(`print\(\s+printf\(`)
	s.send("\x03")
	s.expect(`gotrace> `)
	s.send("BEGIN {\r")
	s.expect(`\.\.\.> `)
	s.send("@x = 1; // one\r")
	s.expect(`\.\.\.> `)
	s.send("exit(); }\r")
	s.expect(`gotrace> `)
	s.send("\x04")
	hist := filepath.Join(home, ".gotrace_history")
	deadline := time.Now().Add(20 * time.Second)
	var fi os.FileInfo
	var err error
	for time.Now().Before(deadline) {
		if fi, err = os.Stat(hist); err == nil && fi.Size() > 0 {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("%s has mode %v, want 0600", hist, fi.Mode().Perm())
	}
	b, _ := os.ReadFile(hist)
	if want := "BEGIN { @x = 1; /* one */ exit(); }\n"; !strings.HasSuffix(string(b), want) {
		t.Errorf("history file:\n%s\nwant it to end with %q", b, want)
	}
	s = startREPLHome(t, home)
	s.send("\x1b[A")
	s.expect(`BEGIN \{ @x = 1; /\* one \*/ exit\(\); \}`)
	s.send("\x03\x04")
}

// TestREPLBackgroundOutput: what a background program prints while a
// line is being typed appears above the prompt, and the typed line is
// drawn again below it, unbroken. Needs BPF.
func TestREPLBackgroundOutput(t *testing.T) {
	livetest.NeedBPF(t)
	s := startREPL(t)
	s.send("interval:ms:200 { printf(\"bg tick\\n\"); } &\r")
	s.expect(`\[1\] running in the background`)
	s.expect(`gotrace> `)
	s.send("BEGIN { printf(\"typed")
	// the prompt and the typed text are erased, the output written, and
	// both drawn again below it, twice
	for i := 0; i < 2; i++ {
		s.expect(`\r\x1b\[Kbg tick\r?\n`)
		s.expect(`gotrace> BEGIN \{ printf\("typed`)
	}
	s.send(" %d\\n\", 6 * 7); exit(); }\r")
	s.expect(`(?m)^typed 42\r?$`)
	s.send(".stop 1\r")
	s.send(".jobs\r")
	s.expect(`no background programs`)
	s.send("\x04")
}

// TestHistoryEntry: entries typed on several lines become one line that
// means the same program.
func TestHistoryEntry(t *testing.T) {
	for in, want := range map[string]string{
		"BEGIN { exit(); }":                          "BEGIN { exit(); }",
		"BEGIN {\n  printf(\"http://x\\n\");\n}":     "BEGIN {   printf(\"http://x\\n\"); }",
		"BEGIN { // go\n  exit(); /* a\n b */ }":     "BEGIN { /* go */   exit(); /* a  b */ }",
		"BEGIN { // a */ b\n exit(); }":              "BEGIN {   exit(); }",
		"BEGIN {\n  printf(\"\\\"//\\\"\"); // q\n}": "BEGIN {   printf(\"\\\"//\\\"\"); /* q */ }",
	} {
		if got := historyEntry(in); got != want {
			t.Errorf("historyEntry(%q) = %q, want %q", in, got, want)
		}
	}
}
