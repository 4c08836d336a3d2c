package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (go test -update rewrites it); got:\n%s", path, got)
	}
}

func testPod(t *testing.T) *Pod {
	t.Helper()
	raw, err := os.ReadFile("testdata/pod.json")
	if err != nil {
		t.Fatal(err)
	}
	var p Pod
	if err := json.Unmarshal(raw, &p); err != nil {
		t.Fatal(err)
	}
	return &p
}

func TestCgroupPath(t *testing.T) {
	pod := testPod(t)
	for _, tc := range []struct {
		qos, container, runtime string
		driver                  CgroupDriver
		want                    string
	}{
		{"Burstable", "", "", Systemd, "/sys/fs/cgroup/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod0f3c9a52_1e44_4d2b_9a7e_5c1d2b3a4f60.slice"},
		{"BestEffort", "", "", Systemd, "/sys/fs/cgroup/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod0f3c9a52_1e44_4d2b_9a7e_5c1d2b3a4f60.slice"},
		{"Guaranteed", "", "", Systemd, "/sys/fs/cgroup/kubepods.slice/kubepods-pod0f3c9a52_1e44_4d2b_9a7e_5c1d2b3a4f60.slice"},
		{"Burstable", "app", "containerd", Systemd, "/sys/fs/cgroup/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod0f3c9a52_1e44_4d2b_9a7e_5c1d2b3a4f60.slice/cri-containerd-4a1b2c3d4e5f.scope"},
		{"Guaranteed", "app", "cri-o", Systemd, "/sys/fs/cgroup/kubepods.slice/kubepods-pod0f3c9a52_1e44_4d2b_9a7e_5c1d2b3a4f60.slice/crio-4a1b2c3d4e5f.scope"},
		{"Burstable", "", "", Cgroupfs, "/sys/fs/cgroup/kubepods/burstable/pod0f3c9a52-1e44-4d2b-9a7e-5c1d2b3a4f60"},
		{"Guaranteed", "app", "docker", Cgroupfs, "/sys/fs/cgroup/kubepods/pod0f3c9a52-1e44-4d2b-9a7e-5c1d2b3a4f60/4a1b2c3d4e5f"},
	} {
		p := *pod
		p.Status.QOSClass = tc.qos
		p.Status.ContainerStatuses = append([]ContainerStatus{}, pod.Status.ContainerStatuses...)
		if tc.runtime != "" {
			p.Status.ContainerStatuses[0].ContainerID = tc.runtime + "://4a1b2c3d4e5f"
		}
		got, err := CgroupPath(&p, tc.container, tc.driver)
		if err != nil || got != tc.want {
			t.Errorf("%s %s %s %s: %s, %v; want %s", tc.qos, tc.container, tc.runtime, tc.driver, got, err, tc.want)
		}
	}
	p := *pod
	p.Status.ContainerStatuses = nil
	if _, err := CgroupPath(&p, "app", Systemd); err == nil {
		t.Error("a container without an id has a cgroup")
	}
}

// fakeKubectl answers the plugin's kubectl commands from a script of
// answers and records them.
type fakeKubectl struct {
	mu      sync.Mutex
	calls   []string
	stdin   map[string][]byte
	answer  func(args []string) ([]byte, error)
	stream  func(ctx context.Context, w io.Writer, args []string) error
	deleted chan struct{}
}

func (f *fakeKubectl) Output(ctx context.Context, stdin []byte, args ...string) ([]byte, error) {
	f.mu.Lock()
	f.calls = append(f.calls, strings.Join(args, " "))
	if stdin != nil {
		if f.stdin == nil {
			f.stdin = map[string][]byte{}
		}
		f.stdin[args[0]] = stdin
	}
	f.mu.Unlock()
	if args[0] == "delete" && f.deleted != nil {
		select {
		case <-f.deleted:
		default:
			close(f.deleted)
		}
	}
	return f.answer(args)
}

func (f *fakeKubectl) Stream(ctx context.Context, w io.Writer, args ...string) error {
	f.mu.Lock()
	f.calls = append(f.calls, strings.Join(args, " "))
	f.mu.Unlock()
	return f.stream(ctx, w, args)
}

func (f *fakeKubectl) Calls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string{}, f.calls...)
}

// cluster answers like a cluster where the pod of testdata/pod.json
// runs and the trace's pod starts after one look.
func cluster(t *testing.T, exitCode int) func(args []string) ([]byte, error) {
	pod, _ := os.ReadFile("testdata/pod.json")
	looks := 0
	return func(args []string) ([]byte, error) {
		if args[0] == "get" && strings.HasPrefix(args[1], "pod/") {
			return []byte(fmt.Sprintf(`{"status": {"phase": "Succeeded", "containerStatuses": [{"name": "gotrace", "state": {"terminated": {"exitCode": %d}}}]}}`, exitCode)), nil
		}
		switch strings.Join(args[:2], " ") {
		case "get pod":
			return pod, nil
		case "create -f":
			return []byte("job.batch/gotrace-abcd1234\n"), nil
		case "get pods":
			looks++
			if looks == 1 {
				return []byte(`{"items": [{"metadata": {"name": "gotrace-abcd1234-xyz"}, "status": {"phase": "Pending", "containerStatuses": [{"name": "gotrace", "state": {"waiting": {"reason": "ContainerCreating"}}}]}}]}`), nil
			}
			return []byte(`{"items": [{"metadata": {"name": "gotrace-abcd1234-xyz"}, "status": {"phase": "Running"}}]}`), nil
		case "delete job":
			return []byte("job.batch \"gotrace-abcd1234\" deleted\n"), nil
		}
		t.Errorf("unexpected kubectl %v", args)
		return nil, fmt.Errorf("unexpected")
	}
}

func newTracer(k kubectl, out, errOut io.Writer, interrupt chan struct{}) *tracer {
	return &tracer{k: k, out: out, errOut: errOut, interrupt: interrupt, newID: func() string { return "abcd1234" },
		poll: time.Millisecond, startTimeout: 5 * time.Second}
}

func opts(t *testing.T, args ...string) *options {
	t.Helper()
	o, err := parseArgs("run", args, func(string) string { return "registry.example/gotrace:1.0" }, os.ReadFile)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// TestTraceJobs: the Jobs of a pod, one of its containers and a node,
// as golden files; --dry-run prints the Job and makes nothing.
func TestTraceJobs(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"pod", []string{"pod/web-7d9c", "-n", "shop", "-e", `profile:hz:99 { @[ustack] = count(); }`, "--deadline", "10m", "--", "-f", "json"}},
		{"container", []string{"web-7d9c", "-c", "app", "-e", `tracepoint:syscalls:sys_enter_openat { printf("%s\n", str(args.filename)); }`, "--trace-namespace", "tracing", "--cgroup-driver=cgroupfs"}},
		{"node", []string{"node/worker-3", "-e", `BEGIN { printf("hello\n"); exit(); }`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k := &fakeKubectl{answer: cluster(t, 0)}
			var out bytes.Buffer
			code, err := newTracer(k, &out, io.Discard, nil).trace(context.Background(), opts(t, append([]string{"--dry-run"}, tc.args...)...))
			if err != nil || code != 0 {
				t.Fatal(code, err)
			}
			golden(t, filepath.Join("testdata", "job-"+tc.name+".yaml"), out.Bytes())
			for _, c := range k.Calls() {
				if !strings.HasPrefix(c, "get pod ") {
					t.Errorf("--dry-run ran kubectl %s", c)
				}
			}
			job, err := newTracer(k, io.Discard, io.Discard, nil).plan(context.Background(), opts(t, tc.args...))
			if err != nil {
				t.Fatal(err)
			}
			checkObjects(t, job)
		})
	}
}

// TestTraceRun: a trace makes its Job, waits for its pod, streams its
// output, returns gotrace's exit code and deletes the Job.
func TestTraceRun(t *testing.T) {
	k := &fakeKubectl{answer: cluster(t, 3)}
	k.stream = func(ctx context.Context, w io.Writer, args []string) error {
		io.WriteString(w, "Attached 1 probe\n@: 42\n")
		return nil
	}
	var out, errOut bytes.Buffer
	code, err := newTracer(k, &out, &errOut, nil).trace(context.Background(), opts(t, "pod/web-7d9c", "-n", "shop", "-e", "BEGIN { @ = 42; exit(3); }"))
	if err != nil || code != 3 {
		t.Fatalf("exit %d, %v; want 3", code, err)
	}
	want := []string{
		"get pod web-7d9c -o json -n shop",
		"create -f - -o name -n shop",
		"get pods -l gotrace.dev/trace=abcd1234 -o json -n shop",
		"get pods -l gotrace.dev/trace=abcd1234 -o json -n shop",
		"logs -f pod/gotrace-abcd1234-xyz -c gotrace -n shop",
		"get pod/gotrace-abcd1234-xyz -o json -n shop",
		"delete job gotrace-abcd1234 --ignore-not-found --wait=false -n shop",
	}
	if got := k.Calls(); !reflect.DeepEqual(got, want) {
		t.Errorf("kubectl calls:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if out.String() != "Attached 1 probe\n@: 42\n" {
		t.Errorf("output %q", out.String())
	}
	if !strings.Contains(errOut.String(), "tracing pod/shop/web-7d9c in job gotrace-abcd1234 on node worker-3") {
		t.Errorf("stderr %q", errOut.String())
	}
	var job Job
	if err := json.Unmarshal(k.stdin["create"], &job); err != nil || job.Metadata.Name != "gotrace-abcd1234" {
		t.Errorf("created %s: %v", k.stdin["create"], err)
	}
}

// TestTraceInterrupt: Ctrl-C deletes the Job (gotrace is stopped
// gracefully and prints its maps) while the output is still streamed.
func TestTraceInterrupt(t *testing.T) {
	interrupt := make(chan struct{})
	k := &fakeKubectl{answer: cluster(t, 0), deleted: make(chan struct{})}
	k.stream = func(ctx context.Context, w io.Writer, args []string) error {
		io.WriteString(w, "Attached 1 probe\n")
		close(interrupt)
		select {
		case <-k.deleted: // SIGTERM reaches gotrace, which prints its maps
			io.WriteString(w, "\n\n@[ustack]: 10\n")
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	var out bytes.Buffer
	code, err := newTracer(k, &out, io.Discard, interrupt).trace(context.Background(), opts(t, "node/worker-3", "-e", "profile:hz:99 { @[ustack] = count(); }"))
	if err != nil || code != 0 {
		t.Fatalf("exit %d, %v", code, err)
	}
	if out.String() != "Attached 1 probe\n\n\n@[ustack]: 10\n" {
		t.Errorf("output %q", out.String())
	}
	deletes := 0
	for _, c := range k.Calls() {
		if strings.HasPrefix(c, "delete job") {
			deletes++
		}
	}
	if deletes != 1 {
		t.Errorf("%d deletes: %v", deletes, k.Calls())
	}
}

// TestTraceCannotStart: an image that cannot be pulled is reported, and
// the Job deleted.
func TestTraceCannotStart(t *testing.T) {
	base := cluster(t, 0)
	k := &fakeKubectl{answer: func(args []string) ([]byte, error) {
		if args[0] == "get" && args[1] == "pods" {
			return []byte(`{"items": [{"metadata": {"name": "p"}, "status": {"phase": "Pending", "containerStatuses": [{"name": "gotrace", "state": {"waiting": {"reason": "ImagePullBackOff", "message": "Back-off pulling image"}}}]}}]}`), nil
		}
		return base(args)
	}}
	_, err := newTracer(k, io.Discard, io.Discard, nil).trace(context.Background(), opts(t, "node/worker-3", "-e", "BEGIN {}"))
	if err == nil || !strings.Contains(err.Error(), "ImagePullBackOff: Back-off pulling image") {
		t.Errorf("error %v", err)
	}
	if calls := k.Calls(); !strings.HasPrefix(calls[len(calls)-1], "delete job gotrace-abcd1234") {
		t.Errorf("the job was not deleted: %v", calls)
	}
}

func TestParseArgs(t *testing.T) {
	env := func(string) string { return "" }
	files := func(p string) ([]byte, error) { return []byte("BEGIN { exit(); }"), nil }
	for _, tc := range []struct {
		args []string
		err  string
	}{
		{[]string{"pod/x", "-e", "BEGIN {}"}, "no gotrace image"},
		{[]string{"--image", "i", "-e", "BEGIN {}"}, "what to trace"},
		{[]string{"pod/x", "--image", "i"}, "no program"},
		{[]string{"pod/x", "--image", "i", "-e", "x", "-f", "y"}, "-e and -f both"},
		{[]string{"pod/x", "--image", "i", "-e", "x", "--deadline", "1ms"}, "at least 1s"},
		{[]string{"pod/x", "--image", "i", "-e", "x", "--cgroup-driver", "cgroupv1"}, "systemd or cgroupfs"},
		{[]string{"pod/x", "--image", "i", "-e", "x", "--bogus"}, "unknown flag --bogus"},
		{[]string{"pod/x", "pod/y", "--image", "i", "-e", "x"}, `unexpected argument "pod/y"`},
		{[]string{"pod/x", "--image=i", "-f", "p.gt", "--context", "prod", "--", "-q"}, ""},
	} {
		o, err := parseArgs("run", tc.args, env, files)
		if tc.err == "" {
			if err != nil || o.program != "BEGIN { exit(); }" || !reflect.DeepEqual(o.global, []string{"--context=prod"}) || !reflect.DeepEqual(o.gotraceArgs, []string{"-q"}) {
				t.Errorf("%v: %+v, %v", tc.args, o, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("%v: %v, want %q", tc.args, err, tc.err)
		}
	}
}

// TestDeployManifest: deploy/kubernetes/gotrace.yaml is what kubectl
// gotrace manifest makes of deploy/kubernetes/script.gt.
func TestDeployManifest(t *testing.T) {
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"manifest", "--image", "registry.example/gotrace:latest", "-f", "../../deploy/kubernetes/script.gt"}, &out, &errOut, nil)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	golden(t, "../../deploy/kubernetes/gotrace.yaml", out.Bytes())
	script, _ := os.ReadFile("../../deploy/kubernetes/script.gt")
	checkObjects(t, Fleet(FleetOptions{Image: "registry.example/gotrace:latest", Script: string(script), MetricsPort: 9436})...)
}

// checkObjects checks objects the plugin writes: in Go, their structure
// (the fields the API server requires, names it accepts, volumes mounted
// that exist, a selector that selects the template); then, where kubectl
// is installed, that kubectl decodes each workload offline into the
// API's own types (kubectl set env --local) and loses none of its fields
// (a misspelled field would vanish).
func checkObjects(t *testing.T, objs ...any) {
	t.Helper()
	for _, o := range objs {
		checkStructure(t, o)
	}
	kubectl, err := exec.LookPath("kubectl")
	if err != nil {
		t.Log("no kubectl: the objects are checked in Go only")
		return
	}
	dir := t.TempDir()
	for i, o := range objs {
		switch o.(type) {
		case *Job, *DaemonSet:
		default:
			continue
		}
		y, err := toYAML(o)
		if err != nil {
			t.Fatal(err)
		}
		f := filepath.Join(dir, fmt.Sprintf("%d.yaml", i))
		os.WriteFile(f, y, 0o644)
		cmd := exec.Command(kubectl, "set", "env", "--local", "-f", f, "GOTRACE_CHECK=1", "-o", "json")
		cmd.Env = append(os.Environ(), "KUBECONFIG="+filepath.Join(dir, "none"))
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Errorf("kubectl does not take the object: %v\n%s\n%s", err, stderr.String(), y)
			continue
		}
		have, ours := map[string]bool{}, map[string]bool{}
		var theirs, mine any
		if err := json.Unmarshal(out, &theirs); err != nil {
			t.Fatal(err)
		}
		raw, _ := json.Marshal(o)
		json.Unmarshal(raw, &mine)
		paths(theirs, "", have)
		paths(mine, "", ours)
		var lost []string
		for p := range ours {
			if !have[p] {
				lost = append(lost, p)
			}
		}
		sort.Strings(lost)
		if len(lost) > 0 {
			t.Errorf("kubectl lost fields of the %T (misspelled?): %v", o, lost)
		}
	}
}

// paths lists the leaf paths of a JSON value (list items as []).
func paths(v any, prefix string, out map[string]bool) {
	switch t := v.(type) {
	case map[string]any:
		for k, e := range t {
			paths(e, prefix+"."+k, out)
		}
	case []any:
		for _, e := range t {
			paths(e, prefix+"[]", out)
		}
	default:
		out[prefix] = true
	}
}

var (
	dns1123  = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)
	labelVal = regexp.MustCompile(`^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$`)
	labelKey = regexp.MustCompile(`^([a-z0-9.-]+/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$`)
)

func checkMeta(t *testing.T, m ObjectMeta, namespaced bool) {
	t.Helper()
	if !dns1123.MatchString(m.Name) || len(m.Name) > 63 {
		t.Errorf("name %q is not a DNS-1123 label", m.Name)
	}
	if namespaced != (m.Namespace != "") && namespaced {
		// kubectl's namespace is used; nothing to check
	}
	checkLabels(t, m.Labels)
}

func checkLabels(t *testing.T, labels map[string]string) {
	t.Helper()
	for k, v := range labels {
		if !labelKey.MatchString(k) || !labelVal.MatchString(v) || len(v) > 63 {
			t.Errorf("label %s=%s is not valid", k, v)
		}
	}
}

func checkPodSpec(t *testing.T, s PodSpec) {
	t.Helper()
	if len(s.Containers) == 0 {
		t.Fatal("no containers")
	}
	vols := map[string]bool{}
	for _, v := range s.Volumes {
		if !dns1123.MatchString(v.Name) || vols[v.Name] {
			t.Errorf("volume %q: bad or repeated name", v.Name)
		}
		vols[v.Name] = true
		switch {
		case v.HostPath != nil && v.ConfigMap == nil:
			if !filepath.IsAbs(v.HostPath.Path) {
				t.Errorf("volume %s: host path %q", v.Name, v.HostPath.Path)
			}
		case v.ConfigMap != nil && v.HostPath == nil:
		default:
			t.Errorf("volume %s has not one source", v.Name)
		}
	}
	for _, c := range s.Containers {
		if !dns1123.MatchString(c.Name) || c.Image == "" {
			t.Errorf("container %q, image %q", c.Name, c.Image)
		}
		for _, m := range c.VolumeMounts {
			if !vols[m.Name] || !filepath.IsAbs(m.MountPath) {
				t.Errorf("mount %s at %s: no such volume, or a relative path", m.Name, m.MountPath)
			}
		}
		for _, p := range c.Ports {
			if p.ContainerPort < 1 || p.ContainerPort > 65535 {
				t.Errorf("port %d", p.ContainerPort)
			}
		}
		if c.SecurityContext == nil || c.SecurityContext.Privileged == nil || !*c.SecurityContext.Privileged {
			t.Errorf("container %s is not privileged: gotrace loads BPF programs", c.Name)
		}
	}
	if !s.HostPID {
		t.Error("not hostPID: gotrace must see the node's processes")
	}
}

func checkStructure(t *testing.T, o any) {
	t.Helper()
	switch v := o.(type) {
	case *Namespace:
		checkMeta(t, v.Metadata, false)
	case *ConfigMap:
		checkMeta(t, v.Metadata, true)
		if len(v.Data) == 0 {
			t.Error("an empty ConfigMap")
		}
	case *DaemonSet:
		checkMeta(t, v.Metadata, true)
		if v.APIVersion != "apps/v1" || len(v.Spec.Selector.MatchLabels) == 0 {
			t.Errorf("DaemonSet %s: apiVersion %s, selector %v", v.Metadata.Name, v.APIVersion, v.Spec.Selector)
		}
		for k, val := range v.Spec.Selector.MatchLabels {
			if v.Spec.Template.Metadata.Labels[k] != val {
				t.Errorf("the selector's %s=%s does not select the template", k, val)
			}
		}
		checkLabels(t, v.Spec.Template.Metadata.Labels)
		checkPodSpec(t, v.Spec.Template.Spec)
		if v.Spec.Template.Spec.RestartPolicy != "" && v.Spec.Template.Spec.RestartPolicy != "Always" {
			t.Error("a DaemonSet's pods restart Always")
		}
	case *Job:
		checkMeta(t, v.Metadata, true)
		if v.APIVersion != "batch/v1" {
			t.Errorf("Job apiVersion %s", v.APIVersion)
		}
		checkLabels(t, v.Spec.Template.Metadata.Labels)
		checkPodSpec(t, v.Spec.Template.Spec)
		if rp := v.Spec.Template.Spec.RestartPolicy; rp != "Never" && rp != "OnFailure" {
			t.Errorf("a Job's pods restart Never or OnFailure, not %q", rp)
		}
		if v.Spec.ActiveDeadlineSeconds == nil || *v.Spec.ActiveDeadlineSeconds < 1 {
			t.Error("no deadline")
		}
	default:
		t.Errorf("unknown object %T", o)
	}
}
