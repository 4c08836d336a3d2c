package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"

	"github.com/peterh/liner"

	"github.com/gotrace/gotrace/codegen"
	"github.com/gotrace/gotrace/lang"
	"github.com/gotrace/gotrace/lang/types"
	"github.com/gotrace/gotrace/probes"
	"github.com/gotrace/gotrace/runtime"
)

// The REPL (gotrace -i, or gotrace with no program on a terminal).
//
// Each entry is a program or a dot command. A program is read until its
// braces and parentheses balance, compiled, loaded and attached; its
// output streams until exit() or Ctrl-C, which detaches it and prints its
// maps as bpftrace does at exit. A program ending in `&` runs in the
// background as a job: .jobs lists them, .print and .clear act on their
// maps while they run, .stop ends one (its END probes run and its maps
// print). Mistakes are shown at their place in the typed text, and no
// line ends the REPL but .quit or Ctrl-D.

const replHelp = `Type a program to run it, e.g.
    tracepoint:syscalls:sys_enter_openat { @[comm] = count(); }
Ctrl-C stops it and prints its maps. End a program with & to keep it
running in the background.

Commands:
    .help                 this text
    .jobs                 list background programs
    .stop N               stop background program N (runs END, prints maps)
    .print [N] @map       print a map of program N (default: the newest)
    .clear [N] @map       clear a map of program N
    .probes PATTERN       list probes (as gotrace -l)
    .load FILE.gt         run a script file
    .save FILE.gt         save the programs typed so far as a script
    .asm                  show the last program's instructions
    .quit                 leave (also Ctrl-D)
`

type job struct {
	id     int
	src    string
	prog   *codegen.Program
	sess   *runtime.Session
	cancel context.CancelFunc
	done   chan struct{}
}

type repl struct {
	in     io.Reader
	out    io.Writer
	errOut io.Writer
	// progOut and progErr are where programs write: out and errOut,
	// through the prompt while one is shown (promptWriter).
	progOut, progErr io.Writer
	screen           *screen
	line             *liner.State
	target           probes.Target
	mu               sync.Mutex
	jobs             map[int]*job
	nextJob          int
	typed            []string // programs that compiled, for .save
	last             *codegen.Program
}

func runREPL(stdin io.Reader, stdout, stderr io.Writer) int {
	r := &repl{in: stdin, out: stdout, errOut: stderr, target: probes.HostTarget(), jobs: map[int]*job{}, nextJob: 1}
	r.screen = &screen{tty: isTerminal(os.Stdin) && isTerminal(os.Stdout)}
	r.progOut = &promptWriter{s: r.screen, w: stdout}
	r.progErr = &promptWriter{s: r.screen, w: stderr}
	r.line = liner.NewLiner()
	defer r.line.Close()
	r.line.SetCtrlCAborts(true)
	// One line that scrolls sideways: liner redraws it exactly where the
	// cursor is, which is what background output needs (promptWriter).
	r.line.SetMultiLineMode(false)
	r.line.SetWordCompleter(r.complete)
	r.line.SetTabCompletionStyle(liner.TabPrints)
	hist := historyFile()
	if f, err := os.Open(hist); err == nil {
		r.line.ReadHistory(f)
		f.Close()
	}
	defer saveHistory(r.line, hist, stderr)
	fmt.Fprintf(stdout, "gotrace %s — type .help for help, Ctrl-D to leave\n", version)
	for {
		entry, err := r.read()
		if err == io.EOF {
			fmt.Fprintln(stdout)
			break
		}
		if err != nil {
			continue // Ctrl-C on the prompt cancels the line
		}
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		r.line.AppendHistory(historyEntry(entry))
		if strings.HasPrefix(entry, ".") {
			if r.command(entry) {
				break
			}
			continue
		}
		r.program(entry, "repl")
	}
	r.stopAll()
	return 0
}

func historyFile() string {
	home, err := os.UserHomeDir()
	if err != nil {
		return filepath.Join(os.TempDir(), ".gotrace_history")
	}
	return filepath.Join(home, ".gotrace_history")
}

// saveHistory writes the history to path, readable by its owner only
// (a traced command line may hold secrets), even if the file was made
// with another mode.
func saveHistory(line *liner.State, path string, stderr io.Writer) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err == nil {
		err = f.Chmod(0o600)
		if _, werr := line.WriteHistory(f); err == nil {
			err = werr
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "history not saved: %v\n", err)
	}
}

// historyEntry is an entry as history keeps it: one line, so that an
// entry typed on several lines comes back whole with one Up, and is one
// line of the history file. Its line breaks become spaces, and its //
// comments /* */ comments (a comment holding */ is left out).
func historyEntry(entry string) string {
	if !strings.Contains(entry, "\n") {
		return entry
	}
	var b strings.Builder
	inStr := false
	for i := 0; i < len(entry); i++ {
		c := entry[i]
		switch {
		case inStr:
			if c == '\\' && i+1 < len(entry) {
				b.WriteByte(c)
				i++
				c = entry[i]
			} else if c == '"' {
				inStr = false
			}
		case c == '"':
			inStr = true
		case c == '/' && i+1 < len(entry) && entry[i+1] == '*':
			end := strings.Index(entry[i+2:], "*/")
			if end < 0 {
				end = len(entry) - i - 2
			} else {
				end += 2
			}
			b.WriteString(strings.ReplaceAll(entry[i:i+2+end], "\n", " "))
			i += 1 + end
			continue
		case c == '/' && i+1 < len(entry) && entry[i+1] == '/':
			end := strings.IndexByte(entry[i:], '\n')
			if end < 0 {
				end = len(entry) - i
			}
			if text := strings.TrimSpace(entry[i+2 : i+end]); !strings.Contains(text, "*/") {
				b.WriteString("/* " + text + " */")
			}
			i += end - 1
			continue
		case c == '\n':
			c = ' '
		}
		b.WriteByte(c)
	}
	return b.String()
}

// read reads one entry: lines are joined while braces or parentheses are
// open.
func (r *repl) read() (string, error) {
	var b strings.Builder
	prompt := "gotrace> "
	for {
		r.screen.prompting(true)
		l, err := r.line.Prompt(prompt)
		r.screen.prompting(false)
		if err == liner.ErrPromptAborted {
			return "", err
		}
		if err != nil {
			if b.Len() > 0 {
				return b.String(), nil
			}
			return "", io.EOF
		}
		b.WriteString(l)
		if open(b.String()) <= 0 {
			return b.String(), nil
		}
		b.WriteByte('\n')
		prompt = "   ...> "
	}
}

// open counts unclosed braces and parentheses outside strings and comments.
func open(s string) int {
	depth := 0
	inStr := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case inStr:
			if c == '\\' {
				i++
			} else if c == '"' {
				inStr = false
			}
		case c == '"':
			inStr = true
		case c == '/' && i+1 < len(s) && s[i+1] == '/':
			for i < len(s) && s[i] != '\n' {
				i++
			}
		case c == '{' || c == '(':
			depth++
		case c == '}' || c == ')':
			depth--
		}
	}
	return depth
}

// command runs a dot command; true means leave.
func (r *repl) command(entry string) bool {
	f := strings.Fields(entry)
	switch f[0] {
	case ".quit", ".exit", ".q":
		return true
	case ".help", ".h":
		fmt.Fprint(r.out, replHelp)
	case ".jobs":
		r.mu.Lock()
		ids := r.jobIDs()
		for _, id := range ids {
			j := r.jobs[id]
			state := "running"
			select {
			case <-j.done:
				state = "done"
			default:
			}
			fmt.Fprintf(r.out, "[%d] %-7s %s\n", id, state, oneLine(j.src))
		}
		if len(ids) == 0 {
			fmt.Fprintln(r.out, "no background programs")
		}
		r.mu.Unlock()
	case ".stop":
		j := r.jobArg(f[1:], false)
		if j == nil {
			return false
		}
		j.cancel()
		<-j.done
		r.mu.Lock()
		delete(r.jobs, j.id)
		r.mu.Unlock()
		j.sess.Close()
	case ".print", ".clear":
		j := r.jobArg(f[1:len(f)-1], true)
		if j == nil || len(f) < 2 || !strings.HasPrefix(f[len(f)-1], "@") {
			if j != nil {
				fmt.Fprintf(r.errOut, "usage: %s [N] @map\n", f[0])
			}
			return false
		}
		var err error
		if f[0] == ".print" {
			err = j.sess.PrintMap(f[len(f)-1])
		} else {
			err = j.sess.ClearMap(f[len(f)-1])
		}
		if err != nil {
			fmt.Fprintf(r.errOut, "%s: %v\n", f[0], err)
		}
	case ".probes":
		pattern := ""
		if len(f) > 1 {
			pattern = f[1]
		}
		lines, err := probes.List(r.target, pattern)
		if err != nil {
			fmt.Fprintf(r.errOut, ".probes: %v\n", err)
		}
		for _, l := range lines {
			fmt.Fprintln(r.out, l)
		}
	case ".load":
		if len(f) != 2 {
			fmt.Fprintln(r.errOut, "usage: .load FILE.gt")
			return false
		}
		b, err := os.ReadFile(f[1])
		if err != nil {
			fmt.Fprintf(r.errOut, ".load: %v\n", err)
			return false
		}
		r.program(string(b), f[1])
	case ".save":
		if len(f) != 2 {
			fmt.Fprintln(r.errOut, "usage: .save FILE.gt")
			return false
		}
		text := "#!/usr/bin/env gotrace\n" + strings.Join(r.typed, "\n\n") + "\n"
		if err := os.WriteFile(f[1], []byte(text), 0o755); err != nil {
			fmt.Fprintf(r.errOut, ".save: %v\n", err)
		} else {
			fmt.Fprintf(r.out, "saved %d program(s) to %s\n", len(r.typed), f[1])
		}
	case ".asm":
		if r.last == nil {
			fmt.Fprintln(r.errOut, "no program yet")
			return false
		}
		printAsm(r.out, r.last)
	default:
		fmt.Fprintf(r.errOut, "unknown command %s (try .help)\n", f[0])
	}
	return false
}

func (r *repl) jobIDs() []int {
	var ids []int
	for id := range r.jobs {
		ids = append(ids, id)
	}
	sort.Ints(ids)
	return ids
}

// jobArg finds the job named by args ([N]); with newest, no N means the
// newest job.
func (r *repl) jobArg(args []string, newest bool) *job {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(args) == 0 {
		ids := r.jobIDs()
		if newest && len(ids) > 0 {
			return r.jobs[ids[len(ids)-1]]
		}
		fmt.Fprintln(r.errOut, "which program? (see .jobs)")
		return nil
	}
	id, err := strconv.Atoi(strings.TrimPrefix(args[0], "%"))
	if err != nil || r.jobs[id] == nil {
		fmt.Fprintf(r.errOut, "no background program %s (see .jobs)\n", args[0])
		return nil
	}
	return r.jobs[id]
}

// program compiles and runs one program: in the foreground until exit()
// or Ctrl-C, or as a background job when it ends in &.
func (r *repl) program(src, name string) {
	bg := false
	if t := strings.TrimSpace(src); strings.HasSuffix(t, "&") {
		bg, src = true, strings.TrimSuffix(t, "&")
	}
	c, err := runtime.Compile(name, []byte(src), runtime.CompileOptions{
		Target: r.target,
		Config: types.Config{Env: bpftraceEnv()},
		Self:   os.Getpid(), PidNS: runtime.PidNamespace(),
	})
	if c.Prog != nil {
		// .asm and .save have it even when the verifier refuses it
		r.typed = append(r.typed, strings.TrimSpace(src))
		r.last = c.Prog
	}
	if err != nil {
		io.WriteString(r.errOut, lang.Format(err, []byte(src)))
		return
	}
	prog := c.Prog
	sess, err := runtime.Load(prog, runtime.Options{Out: r.progOut, Err: r.progErr, Attach: probes.Attach, NoSignals: true, Target: c.Target, NoVerify: true})
	if err != nil {
		io.WriteString(r.errOut, lang.Format(err, []byte(src)))
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	j := &job{src: src, prog: prog, sess: sess, cancel: cancel, done: make(chan struct{})}
	// A foreground program is detached by Ctrl-C: catch it before the
	// program starts, so that no SIGINT can arrive unhandled.
	var sigs chan os.Signal
	if !bg {
		sigs = make(chan os.Signal, 1)
		signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	}
	go func() {
		defer close(j.done)
		if _, err := sess.Run(ctx); err != nil {
			io.WriteString(r.errOut, lang.Format(err, []byte(src)))
		}
	}()
	if bg {
		r.mu.Lock()
		j.id = r.nextJob
		r.nextJob++
		r.jobs[j.id] = j
		r.mu.Unlock()
		fmt.Fprintf(r.out, "[%d] running in the background (.jobs, .print %d @map, .stop %d)\n", j.id, j.id, j.id)
		return
	}
	select {
	case <-j.done:
	case <-sigs:
		cancel()
		<-j.done
	}
	signal.Stop(sigs)
	cancel()
	sess.Close()
}

func (r *repl) stopAll() {
	r.mu.Lock()
	jobs := r.jobs
	r.jobs = map[int]*job{}
	r.mu.Unlock()
	for _, j := range jobs {
		j.cancel()
		<-j.done
		j.sess.Close()
	}
}

// complete offers completions for the word under the cursor: commands,
// probe names (once the word has a ':'), builtins, functions and the maps
// of running programs.
func (r *repl) complete(line string, pos int) (head string, completions []string, tail string) {
	head, tail = line[:pos], line[pos:]
	start := strings.LastIndexAny(head, " \t{}()/;,=") + 1
	word := head[start:]
	head = head[:start]
	var cands []string
	switch {
	case strings.HasPrefix(word, "."):
		cands = []string{".help", ".jobs", ".stop ", ".print ", ".clear ", ".probes ", ".load ", ".save ", ".asm", ".quit"}
	case strings.HasPrefix(word, "@"):
		r.mu.Lock()
		for _, j := range r.jobs {
			for _, m := range j.sess.MapNames() {
				cands = append(cands, m)
			}
		}
		r.mu.Unlock()
	case strings.Contains(word, ":"):
		lines, _ := probes.List(r.target, word+"*")
		if len(lines) > 500 {
			lines = lines[:500]
		}
		cands = lines
	default:
		cands = append(cands, types.BuiltinNames()...)
		for _, f := range types.Functions() {
			cands = append(cands, f+"(")
		}
		cands = append(cands, "tracepoint:", "rawtracepoint:", "kprobe:", "kretprobe:", "uprobe:", "uretprobe:",
			"usdt:", "fentry:", "fexit:", "profile:", "interval:", "software:", "hardware:", "BEGIN", "END")
	}
	for _, c := range cands {
		if strings.HasPrefix(c, word) {
			completions = append(completions, c)
		}
	}
	sort.Strings(completions)
	return head, completions, tail
}

func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 70 {
		s = s[:67] + "..."
	}
	return s
}
