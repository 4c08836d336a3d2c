package runtime

import (
	"path/filepath"
	"testing"
)

// TestNeededObjects checks that a -c command's libraries are found as the
// dynamic loader finds them, before it starts: its interpreter and libc.
func TestNeededObjects(t *testing.T) {
	objs := neededObjects("/bin/ls")
	if len(objs) == 0 || objs[0] != "/bin/ls" {
		t.Fatalf("objects of /bin/ls: %v", objs)
	}
	found := map[string]bool{}
	for _, o := range objs[1:] {
		found[filepath.Base(o)] = true
	}
	for _, want := range []string{"libc.so.6", "ld-linux-x86-64.so.2"} {
		if !found[want] {
			t.Errorf("%s is not among %v", want, objs)
		}
	}
}
