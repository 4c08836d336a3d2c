package probes

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/cilium/ebpf/btf"
)

// Tracepoint layouts without tracefs.
//
// tracefs, where each tracepoint's format file is, is often readable by
// root only, while the kernel's BTF (/sys/kernel/btf/vmlinux) is
// readable by everyone. For each event class the kernel's BTF holds the
// record's layout as struct trace_event_raw_CLASS: a struct trace_entry
// (the common_ fields), the event's fields, and a flexible __data array;
// a variable-length field is a u32 named __data_loc_NAME. An event that
// is its own class (TRACE_EVENT) has its layout under its own name, so
// --check can compile such tracepoints without privileges. Syscall
// tracepoints share two generic classes whose arguments are untyped, and
// events defined from a shared class (DEFINE_EVENT) go by the class's
// name: those need tracefs.

// formatFromBTF is the format of tracepoint category:event where tracefs
// refused to give it (denied, the error it gave): the kernel's BTF's,
// or an error that says what reading tracefs needs.
func (e *env) formatFromBTF(category, event string, denied error) ([]byte, error) {
	if spec, err := e.t.KernelBTF(); err == nil {
		if text, err := btfTracepointFormat(spec, event); err == nil {
			return text, nil
		}
	}
	return nil, tracefsDenied("cannot read the layout of tracepoint "+category+":"+event, e.t, ", and the kernel's BTF does not describe this event on its own")
}

// tracefsDenied is the error of what could not be done (what) because
// tracefs is root's, and why no other source helps (more).
func tracefsDenied(what string, t Target, more string) *SpecError {
	root, _ := t.Tracefs()
	return &SpecError{
		Msg:  fmt.Sprintf("%s: tracefs (%s) is readable by root only here%s", what, root, more),
		Hint: "run gotrace as root, or let this user read tracefs (mount -o remount,mode=755 " + root + "); raw tracepoints (rawtracepoint:NAME) need only CAP_BPF and CAP_PERFMON",
	}
}

// btfTracepointFormat writes the format file of tracepoint event as
// tracefs would, from the kernel's BTF.
func btfTracepointFormat(spec *btf.Spec, event string) ([]byte, error) {
	var st *btf.Struct
	if err := spec.TypeByName("trace_event_raw_"+event, &st); err != nil {
		return nil, err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "name: %s\nformat:\n", event)
	b.WriteString("\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n")
	b.WriteString("\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n")
	b.WriteString("\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n")
	b.WriteString("\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n\n")
	fields := 0
	for _, m := range st.Members {
		if m.Name == "ent" || m.Name == "__data" || m.Name == "" {
			continue
		}
		if m.BitfieldSize > 0 {
			return nil, fmt.Errorf("field %s is a bit field", m.Name)
		}
		off := int(m.Offset.Bytes())
		size, err := btf.Sizeof(m.Type)
		if err != nil {
			return nil, fmt.Errorf("field %s: %v", m.Name, err)
		}
		if name, ok := strings.CutPrefix(m.Name, "__data_loc_"); ok {
			fmt.Fprintf(&b, "\tfield:__data_loc char[] %s;\toffset:%d;\tsize:%d;\tsigned:0;\n", name, off, size)
			fields++
			continue
		}
		decl, signed := formatDecl(m.Type, m.Name)
		fmt.Fprintf(&b, "\tfield:%s;\toffset:%d;\tsize:%d;\tsigned:%d;\n", decl, off, size, boolInt(signed))
		fields++
	}
	if fields == 0 && len(st.Members) == 0 {
		return nil, errors.New("empty layout")
	}
	return []byte(b.String()), nil
}

// formatDecl declares name with type t as a format file does ("const
// char * filename", "char prev_comm[16]"), and says whether the value is
// signed.
func formatDecl(t btf.Type, name string) (string, bool) {
	suffix := ""
	for {
		arr, ok := btf.UnderlyingType(t).(*btf.Array)
		if !ok {
			break
		}
		suffix += "[" + strconv.Itoa(int(arr.Nelems)) + "]"
		t = arr.Type
	}
	signed := false
	switch v := btf.UnderlyingType(t).(type) {
	case *btf.Int:
		signed = v.Encoding == btf.Signed
	case *btf.Enum:
		signed = v.Signed
	}
	return cDecl(t) + " " + name + suffix, signed
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
