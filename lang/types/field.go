package types

import (
	"strconv"

	"github.com/gotrace/gotrace/lang"
)

func (c *checker) field(e *lang.Field) *Type {
	t := c.expr(e.X)
	if t.Kind == Invalid {
		return nil
	}
	user := false
	if t.Kind == Ptr && t.Elem != nil && t.Elem.Kind == Struct {
		t, user = t.Elem, t.User
	}
	switch t.Kind {
	case Struct:
		c.complete(e.At, t)
		f, ok := t.Field(e.Name)
		if !ok {
			err := c.errorf(e.At, "%s has no field '%s'", t, e.Name)
			var names []string
			for _, f := range t.Fields {
				names = append(names, f.Name)
			}
			if s := suggest(e.Name, names); s != "" {
				err.Hint = "did you mean " + s + "?"
			}
			return nil
		}
		if f.DataLoc {
			return StrType(c.info.Settings.MaxStrlen)
		}
		if f.Type.Kind == Array && f.Type.Elem.Kind == Int && f.Type.Elem.Size == 1 && (!t.FromC || f.Type.Elem.Name == "char") {
			return StrType(f.Type.Size) // char arrays are strings
		}
		if user {
			return inUserMemory(f.Type)
		}
		return f.Type
	case Tuple:
		if f, ok := t.Field(e.Name); ok {
			return f.Type
		}
		i, err := strconv.Atoi(e.Name)
		if err != nil || i < 0 || i >= len(t.Fields) {
			c.errorf(e.At, "tuple %s has no element %s", t, e.Name)
			return nil
		}
		return t.Fields[i].Type
	}
	c.errorf(e.At, "%s has no fields", t)
	return nil
}

// kernelStruct looks a kernel struct up in the Env's BTF.
func (c *checker) kernelStruct(pos lang.Pos, name string) *Type {
	se, ok := c.env.(StructEnv)
	if !ok {
		c.errorf(pos, "kernel types (BTF) are not available")
		return nil
	}
	t, err := se.KernelStruct(name)
	if err != nil {
		c.errorf(pos, "cannot find %s in the kernel's BTF: %v", name, err)
		return nil
	}
	return t
}

// inUserMemory is t, a member of a struct in user memory, with the
// pointers it holds (itself, or an array's elements) marked as pointing
// into user memory too.
func inUserMemory(t *Type) *Type {
	switch {
	case t.Kind == Ptr && !t.User:
		return PtrTo(t.Elem, true)
	case t.Kind == Array && t.Elem.Kind == Ptr && !t.Elem.User:
		u := *t
		u.Elem = PtrTo(t.Elem.Elem, true)
		return &u
	}
	return t
}
