package output

import (
	"fmt"
	"hash/fnv"
	"html"
	"io"
	"sort"
	"strconv"
	"strings"
)

// Flame graphs: an interactive SVG of profile maps that any browser
// opens, with no other tool and nothing fetched.
//
// Each frame is a box as wide as the samples that passed through it; a
// box's callees stand on it (the root at the bottom), ordered by name,
// as flamegraph.pl draws them. The profile's labels (comm, pid, ...) are
// the first frames above the root; with several maps, each map's name
// comes first. Kernel frames are drawn in orange, user frames in red
// (flamegraph.pl's palettes for them), labels in grey; a frame's color
// depends on its name only, so two runs compare at a glance. Frames narrower than a tenth of
// a pixel are left out (their time is in their caller).
//
// In the browser: hovering shows a frame's name, samples and share at
// the bottom; a click zooms into a frame (its callers stay, greyed);
// "Reset Zoom" or Escape zooms out; "Search" (or Ctrl-F, or /) takes a
// regular expression, colors the frames it matches in magenta and shows
// their share of the whole.

// FlameGraphOptions are the titles of a flame graph.
type FlameGraphOptions struct {
	Title    string // "" means "Flame Graph"
	Subtitle string // "" means the maps drawn and their total
	Width    int    // pixels; 0 means 1200
}

type flameKind int

const (
	flameLabel flameKind = iota
	flameKernel
	flameUser
)

type flameNode struct {
	name     string
	kind     flameKind
	value    int64
	children map[string]*flameNode
}

func (n *flameNode) child(name string, kind flameKind) *flameNode {
	k := strconv.Itoa(int(kind)) + name
	c := n.children[k]
	if c == nil {
		if n.children == nil {
			n.children = map[string]*flameNode{}
		}
		c = &flameNode{name: name, kind: kind}
		n.children[k] = c
	}
	return c
}

// flameTree merges the samples of profiles into one tree of frames,
// from the root ("all") up. Samples whose value is not positive are left
// out.
func flameTree(ps []*StackProfile) *flameNode {
	root := &flameNode{name: "all", kind: flameLabel}
	for _, p := range ps {
		for _, s := range p.Samples {
			if s.Value <= 0 {
				continue
			}
			n := root
			n.value += s.Value
			if len(ps) > 1 {
				n = n.child(p.Map, flameLabel)
				n.value += s.Value
			}
			for _, l := range s.Labels {
				n = n.child(l.Str, flameLabel)
				n.value += s.Value
			}
			for i := len(s.Stack) - 1; i >= 0; i-- {
				f := s.Stack[i]
				kind := flameUser
				if f.Kernel {
					kind = flameKernel
				}
				n = n.child(f.Name(), kind)
				n.value += s.Value
			}
		}
	}
	return root
}

func (n *flameNode) sorted() []*flameNode {
	cs := make([]*flameNode, 0, len(n.children))
	for _, c := range n.children {
		cs = append(cs, c)
	}
	sort.Slice(cs, func(i, j int) bool {
		if cs[i].name != cs[j].name {
			return cs[i].name < cs[j].name
		}
		return cs[i].kind < cs[j].kind
	})
	return cs
}

func (n *flameNode) depth() int {
	d := 0
	for _, c := range n.children {
		d = max(d, c.depth()+1)
	}
	return d
}

// flameColor is a frame's fill: a hue of its kind, varied by a hash of
// its name.
func flameColor(name string, kind flameKind) string {
	h := fnv.New32a()
	h.Write([]byte(name))
	v := h.Sum32()
	v1, v2, v3 := float64(v&0xff)/255, float64(v>>8&0xff)/255, float64(v>>16&0xff)/255
	// flamegraph.pl's palettes: orange for the kernel, red for user code
	switch kind {
	case flameKernel:
		return fmt.Sprintf("rgb(%d,%d,0)", 190+int(65*v1), 90+int(65*v1))
	case flameLabel:
		g := 170 + int(40*v1)
		return fmt.Sprintf("rgb(%d,%d,%d)", g, g, g+20)
	}
	g := 50 + int(80*v2)
	return fmt.Sprintf("rgb(%d,%d,%d)", 200+int(55*v3), g, g)
}

const (
	flameFrameHeight = 16
	flamePad         = 10
	flameTop         = 52 // title, subtitle and controls
	flameBottom      = 28 // details line
	flameCharWidth   = 7.0
)

// WriteFlameGraph writes profile maps as one interactive SVG flame
// graph.
func WriteFlameGraph(w io.Writer, ps []*StackProfile, opts FlameGraphOptions) error {
	width := opts.Width
	if width <= 0 {
		width = 1200
	}
	root := flameTree(ps)
	depth := root.depth()
	height := flameTop + (depth+1)*flameFrameHeight + flameBottom
	title := opts.Title
	if title == "" {
		title = "Flame Graph"
	}
	sub := opts.Subtitle
	if sub == "" {
		var names []string
		for _, p := range ps {
			names = append(names, p.Map)
		}
		sub = strings.Join(names, ", ") + ": " + strconv.FormatInt(root.value, 10) + " in all"
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<?xml version="1.0" standalone="no"?>
<svg version="1.1" width="%d" height="%d" viewBox="0 0 %d %d" xmlns="http://www.w3.org/2000/svg" onload="init(evt)">
<style type="text/css">
text { font-family: Verdana, Helvetica, sans-serif; font-size: 12px; fill: rgb(0,0,0); }
#title { font-size: 17px; text-anchor: middle; }
#subtitle { fill: rgb(90,90,90); text-anchor: middle; }
.ctl { cursor: pointer; fill: rgb(40,40,160); }
#search, #matched { text-anchor: end; }
.ctl:hover { text-decoration: underline; }
.hide { display: none; }
.f { cursor: pointer; }
.f:hover rect { stroke: rgb(0,0,0); stroke-width: 0.6; }
.f text { pointer-events: none; }
.anc rect { opacity: 0.5; }
</style>
<script type="text/ecmascript"><![CDATA[
%s
]]></script>
<defs><linearGradient id="bg" y1="0" y2="1" x1="0" x2="0"><stop stop-color="#eeeeee" offset="5%%"/><stop stop-color="#eeeeb0" offset="95%%"/></linearGradient></defs>
<rect x="0" y="0" width="100%%" height="100%%" fill="url(#bg)"/>
<text id="title" x="%d" y="24">%s</text>
<text id="subtitle" x="%d" y="42">%s</text>
<text id="unzoom" class="ctl hide" x="%d" y="24">Reset Zoom</text>
<text id="search" class="ctl" x="%d" y="24">Search</text>
<text id="details" x="%d" y="%d"> </text>
<text id="matched" x="%d" y="%d"> </text>
<g id="frames">
`, width, height, width, height, flameScript(width), width/2, html.EscapeString(title), width/2, html.EscapeString(sub),
		flamePad, width-flamePad, flamePad, height-10, width-flamePad, height-10)
	if root.value > 0 {
		span := float64(width - 2*flamePad)
		var walk func(n *flameNode, x float64, d int)
		walk = func(n *flameNode, x float64, d int) {
			frac := float64(n.value) / float64(root.value)
			if frac*span < 0.1 {
				return
			}
			px := flamePad + x*span
			pw := frac * span
			y := height - flameBottom - (d+1)*flameFrameHeight
			info := fmt.Sprintf("%s (%s, %.2f%%)", n.name, strconv.FormatInt(n.value, 10), 100*frac)
			fmt.Fprintf(&b, `<g class="f" data-x="%.8f" data-w="%.8f" data-n="%s"><title>%s</title><rect x="%.2f" y="%d" width="%.2f" height="%d" rx="2" ry="2" fill="%s"/><text x="%.2f" y="%d">%s</text></g>`+"\n",
				x, frac, html.EscapeString(n.name), html.EscapeString(info), px, y, pw, flameFrameHeight-1,
				flameColor(n.name, n.kind), px+3, y+11, html.EscapeString(fitName(n.name, pw)))
			cx := x
			for _, c := range n.sorted() {
				walk(c, cx, d+1)
				cx += float64(c.value) / float64(root.value)
			}
		}
		walk(root, 0, 0)
	}
	b.WriteString("</g>\n</svg>\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// fitName cuts a name to the characters a box of pw pixels holds.
func fitName(name string, pw float64) string {
	n := int((pw - 6) / flameCharWidth)
	if n < 3 {
		return ""
	}
	if len(name) <= n {
		return name
	}
	return name[:n-2] + ".."
}

// flameScript is the SVG's script: zoom, search, details.
func flameScript(width int) string {
	return strings.NewReplacer("WIDTH", strconv.Itoa(width), "PAD", strconv.Itoa(flamePad),
		"CHARW", strconv.FormatFloat(flameCharWidth, 'f', 1, 64)).Replace(`"use strict";
var frames = [], details, matched, unzoomBtn, searchBtn, zoomed = null, searching = null;
function init(evt) {
	details = document.getElementById("details").firstChild;
	matched = document.getElementById("matched").firstChild;
	unzoomBtn = document.getElementById("unzoom");
	searchBtn = document.getElementById("search");
	var gs = document.getElementById("frames").getElementsByTagName("g");
	for (var i = 0; i < gs.length; i++) {
		var g = gs[i], r = g.getElementsByTagName("rect")[0];
		var f = {g: g, rect: r, text: g.getElementsByTagName("text")[0], x: +g.getAttribute("data-x"),
			w: +g.getAttribute("data-w"), name: g.getAttribute("data-n"), fill: r.getAttribute("fill"),
			info: g.getElementsByTagName("title")[0].textContent};
		frames.push(f);
		g.addEventListener("click", zoomer(f));
		g.addEventListener("mouseover", shower(f));
		g.addEventListener("mouseout", function () { details.nodeValue = " "; });
	}
	unzoomBtn.addEventListener("click", unzoom);
	searchBtn.addEventListener("click", searchPrompt);
	window.addEventListener("keydown", function (e) {
		if ((e.ctrlKey || e.metaKey) && e.key === "f" || e.key === "/") { e.preventDefault(); searchPrompt(); }
		else if (e.key === "Escape") { unzoom(); clearSearch(); }
	});
}
function zoomer(f) { return function () { zoom(f); }; }
function shower(f) { return function () { details.nodeValue = f.info; }; }
function fit(name, pw) {
	var n = Math.floor((pw - 6) / CHARW);
	if (n < 3) return "";
	return name.length <= n ? name : name.substring(0, n - 2) + "..";
}
var eps = 1e-9;
function layout(x0, w0) {
	var span = WIDTH - 2 * PAD;
	for (var i = 0; i < frames.length; i++) {
		var f = frames[i];
		var inside = f.x >= x0 - eps && f.x + f.w <= x0 + w0 + eps;
		var above = f.x <= x0 + eps && f.x + f.w >= x0 + w0 - eps;
		if (!inside && !above) { f.g.setAttribute("class", "f hide"); continue; }
		var lo = Math.max(f.x, x0), hi = Math.min(f.x + f.w, x0 + w0);
		var px = PAD + (lo - x0) / w0 * span, pw = (hi - lo) / w0 * span;
		f.g.setAttribute("class", inside ? "f" : "f anc");
		f.rect.setAttribute("x", px.toFixed(2));
		f.rect.setAttribute("width", pw.toFixed(2));
		f.text.setAttribute("x", (px + 3).toFixed(2));
		f.text.textContent = fit(f.name, pw);
	}
}
function zoom(f) {
	zoomed = f;
	layout(f.x, f.w);
	unzoomBtn.setAttribute("class", "ctl");
}
function unzoom() {
	zoomed = null;
	layout(0, 1);
	unzoomBtn.setAttribute("class", "ctl hide");
}
function clearSearch() {
	searching = null;
	for (var i = 0; i < frames.length; i++) frames[i].rect.setAttribute("fill", frames[i].fill);
	matched.nodeValue = " ";
	searchBtn.textContent = "Search";
}
function searchPrompt() {
	if (searching !== null) { clearSearch(); return; }
	var term = prompt("Search for (a regular expression):", "");
	if (term) search(term);
}
function search(term) {
	var re;
	try { re = new RegExp(term); } catch (e) { alert("Not a regular expression: " + e.message); return; }
	var spans = [];
	for (var i = 0; i < frames.length; i++) {
		var f = frames[i];
		if (re.test(f.name)) { f.rect.setAttribute("fill", "rgb(230,0,230)"); spans.push([f.x, f.x + f.w]); }
		else f.rect.setAttribute("fill", f.fill);
	}
	spans.sort(function (a, b) { return a[0] - b[0]; });
	var total = 0, end = -1;
	for (var j = 0; j < spans.length; j++) {
		var s = Math.max(spans[j][0], end), e = spans[j][1];
		if (e > s) { total += e - s; end = e; }
	}
	searching = term;
	searchBtn.textContent = "Reset Search";
	matched.nodeValue = "Matched: " + (100 * total).toFixed(2) + "%";
}`)
}
