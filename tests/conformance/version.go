package main

import (
	"regexp"
	"strconv"
)

var versionPart = regexp.MustCompile(`\d+|[a-z]+|\.`)

// versionParts splits a version like Python's LooseVersion: runs of
// digits (numbers), runs of lower-case letters, and whatever lies between
// them; dots are dropped.
func versionParts(v string) []any {
	var parts []any
	last := 0
	add := func(s string) {
		if s == "" || s == "." {
			return
		}
		if n, err := strconv.Atoi(s); err == nil {
			parts = append(parts, n)
		} else {
			parts = append(parts, s)
		}
	}
	for _, loc := range versionPart.FindAllStringIndex(v, -1) {
		add(v[last:loc[0]])
		add(v[loc[0]:loc[1]])
		last = loc[1]
	}
	add(v[last:])
	return parts
}

// compareVersions compares two kernel versions as LooseVersion does
// (numbers before words where the two differ in kind).
func compareVersions(a, b string) int {
	pa, pb := versionParts(a), versionParts(b)
	for i := 0; i < len(pa) && i < len(pb); i++ {
		x, y := pa[i], pb[i]
		xi, xNum := x.(int)
		yi, yNum := y.(int)
		switch {
		case xNum && yNum:
			if xi != yi {
				if xi < yi {
					return -1
				}
				return 1
			}
		case xNum != yNum:
			if xNum {
				return -1
			}
			return 1
		default:
			xs, ys := x.(string), y.(string)
			if xs != ys {
				if xs < ys {
					return -1
				}
				return 1
			}
		}
	}
	switch {
	case len(pa) < len(pb):
		return -1
	case len(pa) > len(pb):
		return 1
	}
	return 0
}
