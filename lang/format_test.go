package lang

import (
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/tools/txtar"
)

// formatCorpus is every script the repository holds: the examples, the
// scripts of the script tests (files and -e programs), and this
// package's test scripts.
func formatCorpus(t testing.TB) map[string][]byte {
	scripts := map[string][]byte{}
	root := filepath.Join("..")
	for _, pat := range []string{"examples/*.gt", "examples/*/*.gt", "deploy/kubernetes/*.gt", "lang/types/testdata/*.gt", "lang/testdata/*.gt"} {
		files, _ := filepath.Glob(filepath.Join(root, pat))
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			scripts[f] = b
		}
	}
	oneLiner := regexp.MustCompile(`-e '((?:[^']|'')*)'`)
	archives, _ := filepath.Glob(filepath.Join(root, "tests/testdata/script/*.txtar"))
	for _, a := range archives {
		ar, err := txtar.ParseFile(a)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range ar.Files {
			if strings.HasSuffix(f.Name, ".gt") || strings.HasSuffix(f.Name, ".bt") {
				scripts[a+":"+f.Name] = f.Data
			}
		}
		for i, m := range oneLiner.FindAllStringSubmatch(string(ar.Comment), -1) {
			scripts[a+":-e#"+string(rune('0'+i%10))+strings.Repeat("'", i/10)] = []byte(strings.ReplaceAll(m[1], "''", "'"))
		}
	}
	if len(scripts) < 100 {
		t.Fatalf("only %d scripts found", len(scripts))
	}
	return scripts
}

// TestFormatCorpus formats every script of the repository: the result
// parses to the same tree, and formatting it again changes nothing.
func TestFormatCorpus(t *testing.T) {
	parsed := 0
	for name, src := range formatCorpus(t) {
		checkFormat(t, name, src)
		if _, err := Parse(name, src); err == nil {
			parsed++
		}
	}
	if parsed < 100 {
		t.Errorf("only %d scripts parse", parsed)
	}
}

// checkFormat checks FormatScript on one script.
func checkFormat(t *testing.T, name string, src []byte) {
	t.Helper()
	orig, perr := Parse(name, src)
	out, err := FormatScript(name, src)
	if err != nil {
		if perr == nil {
			t.Errorf("%s parses but does not format: %v", name, err)
		}
		return
	}
	again, err := FormatScript(name, out)
	if err != nil {
		t.Errorf("%s: the formatted script does not format: %v\n%s", name, err, out)
		return
	}
	if string(again) != string(out) {
		t.Errorf("%s: formatting twice differs:\n--- once\n%s--- twice\n%s", name, out, again)
	}
	if perr != nil {
		return
	}
	formatted, err := Parse(name, out)
	if err != nil {
		t.Errorf("%s: the formatted script does not parse: %v\n%s", name, err, out)
		return
	}
	if a, b := treeOf(orig), treeOf(formatted); !reflect.DeepEqual(a, b) {
		var da, db strings.Builder
		Dump(&da, orig)
		Dump(&db, formatted)
		t.Errorf("%s: the formatted script parses to another tree:\n%s\n--- tree before\n%s--- tree after\n%s", name, out, da.String(), db.String())
	}
	if c := countComments(src); c != countComments(out) {
		t.Errorf("%s: %d comments before, %d after:\n%s", name, c, countComments(out), out)
	}
}

// treeOf is the tree of f without positions, source, expression count
// and numbers.
func treeOf(f *File) *File {
	cp := *f
	cp.Src = nil
	cp.Exprs = 0 // a count, which parentheses the formatter adds or drops change
	clearPos(reflect.ValueOf(&cp).Elem())
	return &cp
}

var posType, numberedType = reflect.TypeOf(Pos{}), reflect.TypeOf(Numbered{})

func clearPos(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			clearPos(v.Elem())
		}
	case reflect.Struct:
		if v.Type() == posType || v.Type() == numberedType {
			if v.CanSet() {
				v.Set(reflect.Zero(v.Type()))
			}
			return
		}
		for i := 0; i < v.NumField(); i++ {
			clearPos(v.Field(i))
		}
	case reflect.Slice, reflect.Array:
		for i := 0; i < v.Len(); i++ {
			clearPos(v.Index(i))
		}
	}
}

func countComments(src []byte) int {
	d := scriptLexDef
	d.skip = false
	toks, err := d.tokens(nil, string(src), lexerPos("x"))
	if err != nil {
		return -1
	}
	n := 0
	for _, t := range toks {
		if t.Type == tokComment {
			n++
		}
	}
	return n
}

// TestFormatLayout: the layout of a script with every kind of item and
// statement, and its comments.
func TestFormatLayout(t *testing.T) {
	src := `#!/usr/bin/env gotrace
// a tool
#include <linux/sched.h>
#define MAX 10
config = { max_map_keys = 100; missing_probes = warn }
let @q = lruhash(MAX);
macro twice(x) { x * 2 }
kprobe:a,kprobe:b /pid>1&&(comm=="x")/{@[kstack,comm]=count(); // count them
  $x=-  -1; if($x>0){printf("%d\n",$x)}else if($x<0){$y=(uint8)$x;}else{exit()}

  for($k:@q){ delete(@q,$k); }
  // before the end
}
BEGIN{ $t = (1, "a"); $r = (a = 1, b = 2); $v = $t.0 ? : 2; @x[1,2]++; let $z: uint32 = twice!(3); $b = { let $i = 1; $i + 1 }; }
`
	want := `#!/usr/bin/env gotrace
// a tool
#include <linux/sched.h>
#define MAX 10

config = {
  max_map_keys = 100;
  missing_probes = warn;
}

let @q = lruhash(MAX);

macro twice(x)
{
  x * 2
}

kprobe:a,
kprobe:b
/pid > 1 && (comm == "x")/
{
  @[kstack, comm] = count(); // count them
  $x = - -1;
  if ($x > 0) {
    printf("%d\n", $x)
  } else if ($x < 0) {
    $y = (uint8)$x;
  } else {
    exit()
  }

  for $k : @q {
    delete(@q, $k);
  }
  // before the end
}

BEGIN
{
  $t = (1, "a");
  $r = (a = 1, b = 2);
  $v = $t.0 ?: 2;
  @x[1, 2]++;
  let $z: uint32 = twice!(3);
  $b = {
    let $i = 1;
    $i + 1
  };
}
`
	wantFormat(t, src, want)
	checkFormat(t, "layout", []byte(src))
}

// wantFormat checks that src formats to want.
func wantFormat(t *testing.T, src, want string) {
	t.Helper()
	out, err := FormatScript("stdin", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if string(out) != want {
		t.Errorf("got\n%s\nwant\n%s", out, want)
	}
}

// FuzzFormat: whatever parses formats to a script with the same tree,
// and formatting is stable.
func FuzzFormat(f *testing.F) {
	for _, src := range formatCorpus(f) {
		f.Add(src)
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		if _, err := Parse("fuzz", src); err != nil {
			return
		}
		checkFormat(t, "fuzz", src)
	})
}

// TestFormatWrap: long calls, predicates and if conditions are broken
// where the earliest breaks make them fit in 90 columns.
func TestFormatWrap(t *testing.T) {
	src := `tracepoint:syscalls:sys_enter_openat /comm == "some_long_command_name" && pid > 1000 && uid == 0 && args.flags != 0 && cpu < 64 && args.mode != 0/ {
  printf("%-16s %-6d %-6d %-8d %s\n", comm, pid, tid, args.flags, str(args.filename), nsecs / 1000000);
  $short = 1;
  if ($short > 0 && comm != "another_long_command_name" && pid != 424242 && tid != 424242 && cpu > 0) { $short = 2; }
  @open_calls_by_command_and_file[comm, str(args.filename)] = hist(nsecs - @start_of_the_call[tid]);
}
`
	want := `tracepoint:syscalls:sys_enter_openat
/comm == "some_long_command_name" &&
 pid > 1000 && uid == 0 && args.flags != 0 && cpu < 64 && args.mode != 0/
{
  printf("%-16s %-6d %-6d %-8d %s\n",
         comm, pid, tid, args.flags, str(args.filename), nsecs / 1000000);
  $short = 1;
  if ($short > 0 &&
      comm != "another_long_command_name" && pid != 424242 && tid != 424242 && cpu > 0) {
    $short = 2;
  }
  @open_calls_by_command_and_file[comm, str(args.filename)] = hist(nsecs - @start_of_the_call[tid]);
}
`
	wantFormat(t, src, want)
	checkFormat(t, "wrap", []byte(src))
}
