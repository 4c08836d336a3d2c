// Command kubectl-gotrace runs gotrace on Kubernetes nodes: a one-liner
// on the node of a pod, filtered to the pod's cgroup, with its output
// streamed back (as kubectl-trace does for bpftrace), or a script on
// every node as a DaemonSet serving its maps as Prometheus metrics.
//
// Installed on PATH as kubectl-gotrace, kubectl runs it as a plugin:
//
//	kubectl gotrace run pod/web-7d9c -n shop -e 'profile:hz:99 { @[ustack] = count(); }'
//	kubectl gotrace run node/worker-3 -e 'tracepoint:syscalls:sys_enter_openat { printf("%s %s\n", comm, str(args.filename)); }'
//	kubectl gotrace manifest --image REGISTRY/gotrace:TAG -f tools/syscalls.gt | kubectl apply -f -
//
// It drives the kubectl on PATH (with the same --context and
// --kubeconfig), so it needs nothing but kubectl and a gotrace image
// (deploy/Dockerfile).
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"syscall"
)

const usage = `kubectl gotrace: run gotrace on Kubernetes nodes.

Usage:
  kubectl gotrace run TARGET [flags] -e PROGRAM [-- GOTRACE-FLAGS]
  kubectl gotrace run TARGET [flags] -f FILE    [-- GOTRACE-FLAGS]
  kubectl gotrace manifest --image IMAGE (-e PROGRAM | -f FILE) [flags] [-- GOTRACE-FLAGS]

run traces on the node of a pod, or on a node, in a Job of its own, and
streams gotrace's output until the program exits, the deadline passes or
Ctrl-C (gotrace then prints its maps, as it does at exit); the Job is
deleted at the end. A pod's trace is filtered to the pod's cgroup (or one
container's, with -c): gotrace gets --cgroup PATH.

TARGET is POD, pod/POD or node/NODE.

Flags of run:
  -n, --namespace NS        the pod's namespace (default: kubectl's)
  -c, --container NAME      trace this container of the pod only
  -e PROGRAM                the gotrace program
  -f FILE                   the gotrace program, from a file
      --image IMAGE         the gotrace image (default: $KUBECTL_GOTRACE_IMAGE)
      --deadline DURATION   how long the trace may run (default 1h)
      --trace-namespace NS  where the Job runs (default: the pod's namespace)
      --cgroup-driver D     how the node's kubelet names cgroups: systemd (default) or cgroupfs
      --dry-run             print the Job and do nothing
      --context, --kubeconfig  passed to kubectl

Flags of manifest (prints a Namespace, a ConfigMap with the script and a
DaemonSet that runs it on every node with --metrics):
  -e PROGRAM, -f FILE       the script
      --image IMAGE         the gotrace image (default: $KUBECTL_GOTRACE_IMAGE)
  -n, --namespace NS        the namespace (default gotrace)
      --metrics-port PORT   the port of --metrics, with Prometheus scrape annotations (default 9436)
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr, ctx.Done()))
}

// run is the plugin; interrupt is closed on Ctrl-C.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, interrupt <-chan struct{}) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		io.WriteString(stdout, usage)
		return 0
	}
	o, err := parseArgs(args[0], args[1:], os.Getenv, os.ReadFile)
	if err != nil {
		fmt.Fprintf(stderr, "kubectl gotrace: %v\n", err)
		return 2
	}
	switch args[0] {
	case "manifest":
		y, err := fleetManifest(o)
		if err != nil {
			fmt.Fprintf(stderr, "kubectl gotrace: %v\n", err)
			return 1
		}
		stdout.Write(y)
		return 0
	case "run":
		k := &execKubectl{global: o.global}
		r := &tracer{k: k, out: stdout, errOut: stderr, interrupt: interrupt, newID: randomID}
		code, err := r.trace(ctx, o)
		if err != nil {
			fmt.Fprintf(stderr, "kubectl gotrace: %v\n", err)
			if code == 0 {
				code = 1
			}
		}
		return code
	}
	fmt.Fprintf(stderr, "kubectl gotrace: unknown command %q (run or manifest)\n", args[0])
	return 2
}

// execKubectl runs the kubectl on PATH.
type execKubectl struct{ global []string }

func (k *execKubectl) command(ctx context.Context, args []string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, "kubectl", append(append([]string{}, k.global...), args...)...)
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	return cmd
}

func (k *execKubectl) Output(ctx context.Context, stdin []byte, args ...string) ([]byte, error) {
	cmd := k.command(ctx, args)
	if stdin != nil {
		cmd.Stdin = bytesReader(stdin)
	}
	out, err := cmd.Output()
	if ee, ok := err.(*exec.ExitError); ok && len(ee.Stderr) > 0 {
		return out, fmt.Errorf("kubectl %s: %s", args[0], trimNL(string(ee.Stderr)))
	}
	return out, err
}

func (k *execKubectl) Stream(ctx context.Context, w io.Writer, args ...string) error {
	cmd := k.command(ctx, args)
	cmd.Stdout, cmd.Stderr = w, os.Stderr
	return cmd.Run()
}
