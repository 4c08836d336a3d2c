package cc

import "strings"

// Tag splits the Name of a struct, union or enum type into its keyword
// and its tag: ("struct", "task_struct") for "struct task_struct",
// ("union", "") for an anonymous union. For other types both are "".
func (t *Type) Tag() (kind, name string) {
	if t == nil || t.Kind != Named {
		return "", ""
	}
	for _, k := range []string{"struct", "union", "enum"} {
		if rest, ok := strings.CutPrefix(t.Name, k+" "); ok {
			return k, rest
		}
	}
	return "", ""
}
