package types

import (
	"net/netip"

	"github.com/gotrace/gotrace/lang"
)

// Network: addresses (ntop, pton, macaddr), sockets (socket_cookie) and
// packets (skboutput).

// InetType is the type of ntop(): the address family as an int64 and 16
// bytes of address (the first 4 for IPv4).
var InetType = &Type{Kind: View, Size: 24, Name: "inet"}

const (
	BuiltinNtop Builtin = netFamily + iota
	BuiltinPton
	BuiltinMacaddr
	BuiltinSocketCookie
	BuiltinSkboutput
)

func init() {
	define(
		&builtin{id: BuiltinNtop, name: "ntop", minArgs: 1, maxArgs: 2, call: (*checker).ntopCall},
		&builtin{id: BuiltinPton, name: "pton", minArgs: 1, maxArgs: 1, call: (*checker).ptonCall},
		&builtin{id: BuiltinMacaddr, name: "macaddr", minArgs: 1, maxArgs: 1, call: (*checker).macaddrCall},
		&builtin{id: BuiltinSocketCookie, name: "socket_cookie", minArgs: 1, maxArgs: 1, call: (*checker).socketCookieCall},
		&builtin{id: BuiltinSkboutput, name: "skboutput", minArgs: 4, maxArgs: 4, call: (*checker).skboutputCall},
	)
}

// ntopCall checks ntop([family, ]addr): an IPv4 address as an integer or
// 4 bytes, or an IPv6 address as 16 bytes, printed as text.
func (c *checker) ntopCall(e *lang.Call) *Type {
	addr := e.Args[len(e.Args)-1]
	if len(e.Args) == 2 {
		if t := c.expr(e.Args[0]); t.Kind != Invalid && !t.IsInteger() {
			c.errorf(e.Args[0].Pos(), "ntop() takes the address family (AF_INET or AF_INET6) first, not %s", t)
			return nil
		}
	}
	t := c.expr(addr)
	switch {
	case t.Kind == Invalid:
		return nil
	case t.IsInteger():
	case (t.Kind == Array || t.Kind == Str) && (t.Size == 4 || t.Size == 16):
	default:
		c.errorf(addr.Pos(), "ntop() takes an IPv4 address as an integer or 4 bytes, or an IPv6 address as 16 bytes, not %s", t)
		return nil
	}
	return InetType
}

// ptonCall checks pton(text): the bytes of an address, known when
// compiling.
func (c *checker) ptonCall(e *lang.Call) *Type {
	lit := c.litArg(e, 0, "an address")
	if lit == nil {
		return nil
	}
	a, err := netip.ParseAddr(lit.Val)
	if err != nil || a.Zone() != "" {
		c.errorf(lit.At, "pton(%q): not an IPv4 or IPv6 address", lit.Val)
		return nil
	}
	b := a.AsSlice()
	c.info.Consts.Set(e, Const{Bytes: b})
	return ArrayOf(Uint8, len(b))
}

func (c *checker) macaddrCall(e *lang.Call) *Type {
	t := c.expr(e.Args[0])
	switch {
	case t.Kind == Invalid:
		return nil
	case t.IsInteger():
	case (t.Kind == Array || t.Kind == Str) && t.Size >= 6:
	default:
		c.errorf(e.Args[0].Pos(), "macaddr() takes 6 bytes (an array) or their address, not %s", t)
		return nil
	}
	return &Type{Kind: View, Size: 6, Name: "macaddr"}
}

func (c *checker) socketCookieCall(e *lang.Call) *Type {
	if t := c.expr(e.Args[0]); t.Kind != Invalid && t.Kind != Ptr {
		c.errorf(e.Args[0].Pos(), "socket_cookie() takes a struct sock pointer, not %s", t)
		return nil
	}
	for _, ctx := range c.ctxs {
		if ctx.Kind != ProgTracing {
			c.errorf(e.At, "socket_cookie() needs a socket pointer the kernel's BTF types, which only fentry, fexit, iter and BTF-typed rawtracepoint probes have (not %s)", ctx.Name)
			return nil
		}
	}
	return Uint64
}

// skboutputCall checks skboutput(path, skb, len, offset): packets written
// to a pcap file.
func (c *checker) skboutputCall(e *lang.Call) *Type {
	lit := c.litArg(e, 0, "the pcap file's path")
	if lit == nil {
		return nil
	}
	if t := c.expr(e.Args[1]); t.Kind != Invalid && t.Kind != Ptr {
		c.errorf(e.Args[1].Pos(), "skboutput() takes a struct sk_buff pointer, not %s", t)
		return nil
	}
	if !c.intArg(e, 2, "the number of bytes to capture as an integer") {
		return nil
	}
	c.expr(e.Args[3])
	off, ok := c.constValue(e.Args[3])
	if !ok || off < 0 {
		c.errorf(e.Args[3].Pos(), "skboutput() takes the offset as a non-negative integer literal")
		return nil
	}
	c.info.Consts.Set(e.Args[3], Const{Int: off})
	for _, ctx := range c.ctxs {
		if ctx.Kind != ProgTracing || ctx.Iter {
			c.errorf(e.At, "skboutput() needs the sk_buff pointer typed by the kernel's BTF, which only fentry, fexit and BTF-typed rawtracepoint probes have (not %s)", ctx.Name)
			return nil
		}
	}
	return Uint32
}
