package types

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/gotrace/gotrace/lang"
)

// Settings are the values of the script's configuration: the defaults,
// overridden by the script's config block, overridden in turn by
// BPFTRACE_<KEY> environment variables (as in bpftrace, the environment
// wins).
type Settings struct {
	MaxStrlen        int    // max_strlen: bytes of a string made by str() (1024)
	MaxMapKeys       int    // max_map_keys: entries of a map (4096)
	PrintMapsOnExit  bool   // print_maps_on_exit (true)
	MissingProbes    string // missing_probes: error, warn or ignore (error)
	StackMode        string // stack_mode: bpftrace, perf, raw or build_id (bpftrace)
	MaxCatBytes      int    // max_cat_bytes (10240)
	PerfRbPages      int    // perf_rb_pages (0: sized from the memory available)
	LogSize          int    // log_size: the verifier log (1000000)
	MaxProbes        int    // max_probes (1024)
	MaxBpfProgs      int    // max_bpf_progs (1024)
	StrTruncTrailer  string // str_trunc_trailer ("..")
	CacheUserSymbols string // cache_user_symbols: PER_PROGRAM, PER_PID or NONE
	CppDemangle      bool   // cpp_demangle (true)
	LazySymbolicate  bool   // lazy_symbolication (false)
	SymbolSource     string // symbol_source: dwarf or symbol_table
	ShowDebugInfo    bool   // show_debug_info (true)
	ProbeInline      bool   // probe_inline: uprobes also at the inlined copies of a function (false)
	License          string // license ("GPL")
}

// DefaultSettings are the settings of a script that sets nothing.
func DefaultSettings() Settings {
	return Settings{
		MaxStrlen: 1024, MaxMapKeys: 4096, PrintMapsOnExit: true,
		MissingProbes: "error", StackMode: "bpftrace", MaxCatBytes: 10240,
		LogSize: 1000000, MaxProbes: 1024, MaxBpfProgs: 1024,
		StrTruncTrailer: "..", CacheUserSymbols: "PER_PROGRAM", CppDemangle: true,
		SymbolSource: "symbol_table", License: "GPL", ShowDebugInfo: true,
	}
}

type setting struct {
	kind   string   // int, bool, string or enum
	values []string // enum: the allowed values
	set    func(s *Settings, v any)
	// invalid, when set, is the whole message for a value not allowed
	invalid func(st setting, v string) error
}

var settings = map[string]setting{
	"max_strlen":         {kind: "int", set: func(s *Settings, v any) { s.MaxStrlen = v.(int) }},
	"max_map_keys":       {kind: "int", set: func(s *Settings, v any) { s.MaxMapKeys = v.(int) }},
	"print_maps_on_exit": {kind: "bool", set: func(s *Settings, v any) { s.PrintMapsOnExit = v.(bool) }},
	"missing_probes":     {kind: "enum", values: []string{"error", "warn", "ignore"}, set: func(s *Settings, v any) { s.MissingProbes = v.(string) }},
	"stack_mode":         {kind: "enum", values: []string{"bpftrace", "perf", "raw", "build_id"}, set: func(s *Settings, v any) { s.StackMode = v.(string) }},
	"max_cat_bytes":      {kind: "int", set: func(s *Settings, v any) { s.MaxCatBytes = v.(int) }},
	"perf_rb_pages":      {kind: "int", set: func(s *Settings, v any) { s.PerfRbPages = v.(int) }},
	"log_size":           {kind: "int", set: func(s *Settings, v any) { s.LogSize = v.(int) }},
	"max_probes":         {kind: "int", set: func(s *Settings, v any) { s.MaxProbes = v.(int) }},
	"max_bpf_progs":      {kind: "int", set: func(s *Settings, v any) { s.MaxBpfProgs = v.(int) }},
	"str_trunc_trailer":  {kind: "string", set: func(s *Settings, v any) { s.StrTruncTrailer = v.(string) }},
	"cache_user_symbols": {kind: "enum", values: []string{"PER_PROGRAM", "PER_PID", "NONE"}, set: func(s *Settings, v any) { s.CacheUserSymbols = v.(string) }},
	"cpp_demangle":       {kind: "bool", set: func(s *Settings, v any) { s.CppDemangle = v.(bool) }},
	"lazy_symbolication": {kind: "bool", set: func(s *Settings, v any) { s.LazySymbolicate = v.(bool) }},
	"symbol_source":      {kind: "enum", values: []string{"dwarf", "symbol_table"}, set: func(s *Settings, v any) { s.SymbolSource = v.(string) }},
	"show_debug_info":    {kind: "bool", set: func(s *Settings, v any) { s.ShowDebugInfo = v.(bool) }},
	"probe_inline":       {kind: "bool", set: func(s *Settings, v any) { s.ProbeInline = v.(bool) }},
	"license": {kind: "enum", values: []string{"Dual MIT/GPL", "Dual BSD/GPL", "Dual MPL/GPL", "GPL and additional rights", "GPL v2", "GPL"},
		set: func(s *Settings, v any) { s.License = v.(string) },
		invalid: func(st setting, v string) error {
			return fmt.Errorf("Invalid value for license. Found: %s. Valid values: %s", v, strings.Join(st.values, ", "))
		}},
	// Features upstream marks unstable are stable in gotrace: their
	// switches are accepted and change nothing.
	"unstable_import_statement": unstableSwitch,
	"unstable_tseries":          unstableSwitch,
	"unstable_typeinfo":         unstableSwitch,
	"unstable_dw_ustack":        unstableSwitch,
	// gotrace decides itself what goes on the stack (values over 32 bytes
	// go to scratch memory), so on_stack_limit is accepted and changes
	// nothing.
	"on_stack_limit": {kind: "int", set: func(*Settings, any) {}},
	// Keys upstream has retired: accepted, without effect.
	"max_type_res_iterations": retired,
	"unstable_addr":           retired,
	"unstable_import":         retired,
	"unstable_macro":          retired,
	"unstable_map_decl":       retired,
}

var (
	unstableSwitch = setting{kind: "enum", values: []string{"enable", "warn", "error"}, set: func(*Settings, any) {}}
	retired        = setting{kind: "string", set: func(*Settings, any) {}}
)

// SettingNames lists the configuration keys gotrace knows, sorted.
func SettingNames() []string {
	var names []string
	for k := range settings {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

// settingKey turns "BPFTRACE_STACK_MODE" or "stack_mode" into "stack_mode".
func settingKey(k string) string {
	k = strings.ToLower(k)
	return strings.TrimPrefix(k, "bpftrace_")
}

// resolveSettings applies the config block of f and then the environment.
func (c *checker) resolveSettings(f *lang.File, env map[string]string) Settings {
	s := DefaultSettings()
	for _, it := range f.Config {
		key := settingKey(it.Key)
		st, ok := settings[key]
		if !ok {
			e := c.errorf(it.At, "%s: not a known configuration option", it.Key)
			if near := suggest(key, SettingNames()); near != "" {
				e.Hint = "did you mean " + near + "?"
			}
			continue
		}
		v, err := configValue(st, it.Value)
		if err != nil {
			if st.invalid != nil {
				e := c.errorf(it.Value.Pos(), "%v", err)
				if key == "license" {
					e.Hint = "Read more about BPF programs and licensing: https://docs.kernel.org/bpf/bpf_licensing.html"
				}
			} else {
				c.errorf(it.Value.Pos(), "config %s: %v", key, err)
			}
			continue
		}
		st.set(&s, v)
	}
	var envKeys []string
	for k := range env {
		envKeys = append(envKeys, k)
	}
	sort.Strings(envKeys)
	for _, k := range envKeys {
		st, ok := settings[settingKey(k)]
		if !ok || !strings.HasPrefix(k, "BPFTRACE_") {
			continue
		}
		v, err := parseSetting(st, env[k])
		if err != nil {
			c.errorf(lang.Pos{File: "environment"}, "%s=%s: %v", k, env[k], err)
			continue
		}
		st.set(&s, v)
	}
	if s.MaxStrlen < 1 || s.MaxStrlen > 1<<20 {
		c.errorf(lang.Pos{File: "config"}, "max_strlen must be from 1 to %d, not %d", 1<<20, s.MaxStrlen)
	}
	if s.MaxMapKeys < 1 {
		c.errorf(lang.Pos{File: "config"}, "max_map_keys must be at least 1, not %d", s.MaxMapKeys)
	}
	return s
}

func configValue(st setting, x lang.Expr) (any, error) {
	switch x := x.(type) {
	case *lang.IntLit:
		if st.kind == "bool" && x.Val <= 1 {
			return x.Val == 1, nil
		}
		return parseSetting(st, strconv.FormatUint(x.Val, 10))
	case *lang.BoolLit:
		if st.kind != "bool" {
			return nil, fmt.Errorf("wants %s, not a bool", kindName(st))
		}
		return x.Val, nil
	case *lang.StrLit:
		return parseSetting(st, x.Val)
	case *lang.Ident:
		return parseSetting(st, x.Name)
	}
	return nil, fmt.Errorf("wants a literal %s", kindName(st))
}

func parseSetting(st setting, v string) (any, error) {
	switch st.kind {
	case "int":
		n, err := strconv.ParseInt(v, 0, 64)
		if err != nil || n < 0 || n > 1<<40 {
			return nil, fmt.Errorf("wants a non-negative integer, not %q", v)
		}
		return int(n), nil
	case "bool":
		switch strings.ToLower(v) {
		case "1", "true", "yes", "on":
			return true, nil
		case "0", "false", "no", "off":
			return false, nil
		}
		return nil, fmt.Errorf("wants true or false, not %q", v)
	case "enum":
		for _, a := range st.values {
			if strings.EqualFold(a, v) {
				return a, nil
			}
		}
		if st.invalid != nil {
			return nil, st.invalid(st, v)
		}
		return nil, fmt.Errorf("wants one of %s, not %q", strings.Join(st.values, ", "), v)
	}
	return v, nil
}

func kindName(st setting) string {
	switch st.kind {
	case "int":
		return "an integer"
	case "bool":
		return "true or false"
	case "enum":
		return "one of " + strings.Join(st.values, ", ")
	}
	return "a string"
}

// mapDecls records `let @m = kind(N);` declarations.
func (c *checker) mapDecls(f *lang.File) {
	c.info.Decls = map[string]*MapDecl{}
	for _, d := range f.MapDecls {
		switch d.Kind {
		case "hash", "lruhash", "percpuhash", "percpulruhash":
		default:
			e := c.errorf(d.At, "unknown map kind %s", d.Kind)
			e.Hint = "the kinds are hash, lruhash, percpuhash and percpulruhash"
			continue
		}
		if _, dup := c.info.Decls[d.Name]; dup {
			c.errorf(d.At, "map %s is declared twice", d.Name)
			continue
		}
		n := c.info.Settings.MaxMapKeys
		if d.Size != nil {
			lit, ok := d.Size.(*lang.IntLit)
			if !ok || lit.Val == 0 || lit.Val > 1<<30 {
				c.errorf(d.Size.Pos(), "the size of %s must be a positive integer literal", d.Name)
				continue
			}
			n = int(lit.Val)
		} else {
			c.errorf(d.At, "%s(...) needs the number of entries, e.g. %s(%d)", d.Kind, d.Kind, n)
			continue
		}
		c.info.Decls[d.Name] = &MapDecl{Kind: d.Kind, MaxEntries: n, Pos: d.At}
	}
}

// checkDecls checks declared maps against their use once all maps are known.
func (c *checker) checkDecls() {
	for name, d := range c.info.Decls {
		mi := c.info.Maps[name]
		if mi == nil {
			c.warnf(d.Pos, "Unused map: %s", name)
			continue
		}
		if strings.HasPrefix(d.Kind, "percpu") && mi.Value.Kind != Agg {
			e := c.errorf(d.Pos, "%s is a %s but holds plain %s values", name, d.Kind, mi.Value)
			e.Hint = "per-CPU maps hold aggregations such as count() or sum(); declare it with hash or lruhash"
		}
	}
}
