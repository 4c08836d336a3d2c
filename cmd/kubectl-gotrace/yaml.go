package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// toYAML renders a value as YAML through its JSON encoding, keeping the
// order of the struct fields (apiVersion, kind, metadata, spec, as
// Kubernetes manifests are written). Strings are plain where YAML reads
// them back as the same string, double-quoted (as JSON quotes them)
// otherwise, and multi-line strings are literal blocks (|), so that a
// script in a ConfigMap reads as it is written.
func toYAML(v any) ([]byte, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	n, err := parseNode(d)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	writeNode(&b, n, 0, false)
	return b.Bytes(), nil
}

// node is a JSON value with the order of its object's keys.
type node struct {
	keys   []string
	fields []*node // object
	items  []*node // array
	scalar any     // json.Number, string, bool, nil
	kind   byte    // 'o' object, 'a' array, 's' scalar
}

func parseNode(d *json.Decoder) (*node, error) {
	tok, err := d.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			n := &node{kind: 'o'}
			for d.More() {
				k, err := d.Token()
				if err != nil {
					return nil, err
				}
				v, err := parseNode(d)
				if err != nil {
					return nil, err
				}
				n.keys = append(n.keys, k.(string))
				n.fields = append(n.fields, v)
			}
			_, err := d.Token()
			return n, err
		case '[':
			n := &node{kind: 'a'}
			for d.More() {
				v, err := parseNode(d)
				if err != nil {
					return nil, err
				}
				n.items = append(n.items, v)
			}
			_, err := d.Token()
			return n, err
		}
		return nil, fmt.Errorf("unexpected %v", t)
	}
	return &node{kind: 's', scalar: tok}, nil
}

func (n *node) empty() bool {
	return (n.kind == 'o' && len(n.keys) == 0) || (n.kind == 'a' && len(n.items) == 0)
}

// writeNode writes n at indent; inline says the line is already started
// (after "key:" or "- ").
func writeNode(w io.Writer, n *node, indent int, inline bool) {
	pad := strings.Repeat("  ", indent)
	switch n.kind {
	case 'o':
		if n.empty() {
			io.WriteString(w, " {}\n")
			return
		}
		if inline {
			io.WriteString(w, "\n")
		}
		for i, k := range n.keys {
			v := n.fields[i]
			io.WriteString(w, pad+yamlString(k)+":")
			writeValue(w, v, indent+1)
		}
	case 'a':
		if n.empty() {
			io.WriteString(w, " []\n")
			return
		}
		if inline {
			io.WriteString(w, "\n")
		}
		for _, it := range n.items {
			io.WriteString(w, pad+"-")
			if it.kind == 'o' && !it.empty() {
				// the first key on the dash's line
				io.WriteString(w, " ")
				var b bytes.Buffer
				writeNode(&b, it, indent+1, false)
				io.WriteString(w, strings.TrimPrefix(b.String(), strings.Repeat("  ", indent+1)))
				continue
			}
			writeValue(w, it, indent+1)
		}
	default:
		io.WriteString(w, pad+scalarText(n.scalar, indent)+"\n")
	}
}

// writeValue writes a value after "key:" or "-".
func writeValue(w io.Writer, v *node, indent int) {
	switch {
	case v.kind == 's':
		if s, ok := v.scalar.(string); ok && strings.Contains(s, "\n") {
			writeBlock(w, s, indent)
			return
		}
		io.WriteString(w, " "+scalarText(v.scalar, indent)+"\n")
	case v.empty():
		writeNode(w, v, indent, true)
	case v.kind == 'a':
		// sequences in mappings at the key's indent, as kubectl writes them
		writeNode(w, v, indent-1, true)
	default:
		writeNode(w, v, indent, true)
	}
}

// writeBlock writes a multi-line string as a literal block.
func writeBlock(w io.Writer, s string, indent int) {
	chomp := "-"
	body := s
	if strings.HasSuffix(s, "\n") {
		chomp = ""
		body = strings.TrimSuffix(s, "\n")
		if strings.HasSuffix(body, "\n") {
			chomp = "+"
		}
	}
	indicator := ""
	if strings.HasPrefix(body, " ") || strings.HasPrefix(body, "\n") {
		indicator = "2"
	}
	io.WriteString(w, " |"+indicator+chomp+"\n")
	pad := strings.Repeat("  ", indent)
	for _, line := range strings.Split(body, "\n") {
		if line == "" {
			io.WriteString(w, "\n")
			continue
		}
		io.WriteString(w, pad+line+"\n")
	}
}

func scalarText(v any, indent int) string {
	switch t := v.(type) {
	case nil:
		return "null"
	case bool:
		return strconv.FormatBool(t)
	case json.Number:
		return t.String()
	case string:
		return yamlString(t)
	}
	return fmt.Sprint(v)
}

// yamlString writes a string plain when YAML 1.1 and 1.2 both read it
// back as that string, else double-quoted.
func yamlString(s string) string {
	if plainSafe(s) {
		return s
	}
	q, _ := json.Marshal(s)
	return string(q)
}

func plainSafe(s string) bool {
	if s == "" || strings.TrimSpace(s) != s {
		return false
	}
	switch strings.ToLower(s) {
	case "true", "false", "yes", "no", "on", "off", "y", "n", "null", "~":
		return false
	}
	if _, err := strconv.ParseFloat(s, 64); err == nil {
		return false
	}
	if strings.ContainsAny(s[:1], "?:,[]{}#&*!|>'\"%@`0123456789.+") {
		return false
	}
	if s[0] == '-' && (len(s) == 1 || s[1] == ' ' || strings.HasPrefix(s, "---")) {
		return false
	}
	for i, r := range s {
		if r < 0x20 || r == 0x7f || r > 0x7e {
			return false
		}
		switch r {
		case '#':
			if i > 0 && s[i-1] == ' ' {
				return false
			}
		case ':':
			if i == len(s)-1 || s[i+1] == ' ' {
				return false
			}
		case '\'', '"', '{', '}', '[', ']', ',', '`':
			return false
		}
	}
	return true
}
