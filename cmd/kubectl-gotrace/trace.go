package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"
)

// kubectl is what the plugin asks of kubectl.
type kubectl interface {
	// Output runs kubectl with args (and stdin, if not nil) and returns
	// its standard output.
	Output(ctx context.Context, stdin []byte, args ...string) ([]byte, error)
	// Stream runs kubectl with its standard output going to w until it
	// ends or ctx is done.
	Stream(ctx context.Context, w io.Writer, args ...string) error
}

// tracer runs one trace: kubectl gotrace run.
type tracer struct {
	k         kubectl
	out       io.Writer
	errOut    io.Writer
	interrupt <-chan struct{} // Ctrl-C
	newID     func() string
	// poll is how often the Job's pod is looked at while it starts
	// (0: every second); startTimeout how long it may take (0: 5 min).
	poll, startTimeout time.Duration
}

func randomID() string {
	b := make([]byte, 4)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// waitingFatal are the reasons a container waits that will not get
// better by themselves.
var waitingFatal = map[string]bool{"ErrImagePull": true, "ImagePullBackOff": true, "InvalidImageName": true,
	"CreateContainerConfigError": true, "CreateContainerError": true, "RunContainerError": true}

// plan decides the Job of a trace: the pod's node and cgroup, or the
// node's.
func (r *tracer) plan(ctx context.Context, o *options) (*Job, error) {
	kind, name, found := strings.Cut(o.target, "/")
	if !found {
		kind, name = "pod", o.target
	}
	jo := JobOptions{ID: r.newID(), Image: o.image, Program: o.program, Args: o.gotraceArgs,
		Deadline: int64(o.deadline / time.Second), Namespace: o.traceNamespace}
	switch kind {
	case "node", "nodes", "no":
		if o.container != "" {
			return nil, fmt.Errorf("-c: a node has no containers to choose")
		}
		jo.Node, jo.Target = name, "node/"+name
		if jo.Namespace == "" {
			jo.Namespace = o.namespace
		}
	case "pod", "pods", "po":
		args := []string{"get", "pod", name, "-o", "json"}
		if o.namespace != "" {
			args = append(args, "-n", o.namespace)
		}
		raw, err := r.k.Output(ctx, nil, args...)
		if err != nil {
			return nil, err
		}
		var pod Pod
		if err := json.Unmarshal(raw, &pod); err != nil {
			return nil, fmt.Errorf("reading pod %s: %v", name, err)
		}
		if pod.Spec.NodeName == "" {
			return nil, fmt.Errorf("pod %s is not on a node yet", name)
		}
		if o.container != "" {
			known := false
			for _, c := range pod.Spec.Containers {
				known = known || c.Name == o.container
			}
			if !known {
				return nil, fmt.Errorf("pod %s has no container %s", name, o.container)
			}
		}
		cg, err := CgroupPath(&pod, o.container, o.driver)
		if err != nil {
			return nil, err
		}
		jo.Node, jo.Cgroup = pod.Spec.NodeName, cg
		jo.Target = "pod/" + pod.Metadata.Namespace + "/" + pod.Metadata.Name
		if o.container != "" {
			jo.Target += "/" + o.container
		}
		if jo.Namespace == "" {
			jo.Namespace = pod.Metadata.Namespace
		}
	default:
		return nil, fmt.Errorf("cannot trace %s: POD, pod/POD or node/NODE", o.target)
	}
	return TraceJob(jo), nil
}

// trace runs a trace and returns gotrace's exit code.
func (r *tracer) trace(ctx context.Context, o *options) (int, error) {
	job, err := r.plan(ctx, o)
	if err != nil {
		return 1, err
	}
	if o.dryRun {
		y, err := toYAML(job)
		if err != nil {
			return 1, err
		}
		r.out.Write(y)
		return 0, nil
	}
	ns := []string{}
	if job.Metadata.Namespace != "" {
		ns = []string{"-n", job.Metadata.Namespace}
	}
	spec, err := json.Marshal(job)
	if err != nil {
		return 1, err
	}
	if _, err := r.k.Output(ctx, spec, append([]string{"create", "-f", "-", "-o", "name"}, ns...)...); err != nil {
		return 1, err
	}
	deleted := false
	deleteJob := func() {
		if deleted {
			return
		}
		deleted = true
		// Background propagation: the pod is stopped gracefully (gotrace
		// gets SIGTERM, detaches and prints its maps), then removed.
		dctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := r.k.Output(dctx, nil, append([]string{"delete", "job", job.Metadata.Name, "--ignore-not-found", "--wait=false"}, ns...)...); err != nil {
			fmt.Fprintf(r.errOut, "kubectl gotrace: deleting job %s: %v\n", job.Metadata.Name, err)
		}
	}
	defer deleteJob()
	fmt.Fprintf(r.errOut, "kubectl gotrace: tracing %s in job %s on node %s\n",
		job.Metadata.Annotations["gotrace.dev/target"], job.Metadata.Name, job.Spec.Template.Spec.NodeName)

	pod, err := r.waitStarted(ctx, job, ns)
	if err != nil {
		return 1, err
	}
	// Stream until the container ends. Ctrl-C stops the trace the way
	// Ctrl-C stops gotrace: its maps are printed, so streaming goes on;
	// a second Ctrl-C stops streaming too.
	sctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()
	go func() {
		select {
		case <-r.interrupt:
		case <-sctx.Done():
			return
		}
		fmt.Fprintf(r.errOut, "kubectl gotrace: stopping (Ctrl-C again to stop at once)\n")
		deleteJob()
		select {
		case <-ctx.Done():
		case <-time.After(45 * time.Second):
		case <-sctx.Done():
			return
		}
		cancel()
	}()
	err = r.k.Stream(sctx, r.out, append([]string{"logs", "-f", pod, "-c", "gotrace"}, ns...)...)
	if sctx.Err() != nil {
		return 130, nil
	}
	if err != nil {
		return 1, err
	}
	return r.exitCode(ctx, pod, ns), nil
}

// waitStarted waits for the Job's pod to run (or to have run) and
// returns its name.
func (r *tracer) waitStarted(ctx context.Context, job *Job, ns []string) (string, error) {
	poll, limit := r.poll, r.startTimeout
	if poll == 0 {
		poll = time.Second
	}
	if limit == 0 {
		limit = 5 * time.Minute
	}
	deadline := time.Now().Add(limit)
	sel := labelTrace + "=" + job.Metadata.Labels[labelTrace]
	for {
		raw, err := r.k.Output(ctx, nil, append([]string{"get", "pods", "-l", sel, "-o", "json"}, ns...)...)
		if err != nil {
			return "", err
		}
		var pods PodList
		if err := json.Unmarshal(raw, &pods); err != nil {
			return "", err
		}
		for _, p := range pods.Items {
			for _, cs := range p.Status.ContainerStatuses {
				if w := cs.State.Waiting; w != nil && waitingFatal[w.Reason] {
					return "", fmt.Errorf("gotrace's container cannot start: %s: %s", w.Reason, w.Message)
				}
			}
			switch p.Status.Phase {
			case "Running", "Succeeded", "Failed":
				return "pod/" + p.Metadata.Name, nil
			}
		}
		if time.Now().After(deadline) {
			return "", fmt.Errorf("the trace's pod did not start in %v", limit)
		}
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-r.interrupt:
			return "", fmt.Errorf("interrupted before the trace started")
		case <-time.After(poll):
		}
	}
}

// exitCode is how gotrace's container ended (0 when it cannot be told).
func (r *tracer) exitCode(ctx context.Context, pod string, ns []string) int {
	for i := 0; i < 10; i++ {
		raw, err := r.k.Output(ctx, nil, append([]string{"get", pod, "-o", "json"}, ns...)...)
		if err != nil {
			return 0
		}
		var p Pod
		if json.Unmarshal(raw, &p) != nil {
			return 0
		}
		for _, cs := range p.Status.ContainerStatuses {
			if t := cs.State.Terminated; cs.Name == "gotrace" && t != nil {
				return int(t.ExitCode)
			}
		}
		time.Sleep(max(r.poll, 100*time.Millisecond))
	}
	return 0
}
