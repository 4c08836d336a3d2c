package main

import (
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// options are the plugin's flags.
type options struct {
	target         string
	namespace      string
	container      string
	program        string
	image          string
	deadline       time.Duration
	traceNamespace string
	driver         CgroupDriver
	dryRun         bool
	metricsPort    int32
	global         []string // --context, --kubeconfig for kubectl
	gotraceArgs    []string // after --
}

// parseArgs reads the flags of a command; flags may come before or after
// the target, as kubectl takes them, and what follows -- goes to gotrace.
func parseArgs(cmd string, args []string, getenv func(string) string, readFile func(string) ([]byte, error)) (*options, error) {
	o := &options{deadline: time.Hour, driver: Systemd, metricsPort: 9436, image: getenv("KUBECTL_GOTRACE_IMAGE")}
	if cmd != "run" && cmd != "manifest" {
		return nil, fmt.Errorf("unknown command %q (run or manifest)", cmd)
	}
	var file string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			o.gotraceArgs = args[i+1:]
			break
		}
		if !strings.HasPrefix(a, "-") || a == "-" {
			if o.target != "" || cmd != "run" {
				return nil, fmt.Errorf("unexpected argument %q", a)
			}
			o.target = a
			continue
		}
		name, val, hasVal := strings.Cut(a, "=")
		value := func() (string, error) {
			if hasVal {
				return val, nil
			}
			if i+1 >= len(args) {
				return "", fmt.Errorf("%s needs a value", name)
			}
			i++
			return args[i], nil
		}
		var err error
		switch name {
		case "-n", "--namespace":
			o.namespace, err = value()
		case "-c", "--container":
			o.container, err = value()
		case "-e":
			o.program, err = value()
		case "-f", "--filename":
			file, err = value()
		case "--image":
			o.image, err = value()
		case "--deadline":
			var v string
			if v, err = value(); err == nil {
				o.deadline, err = time.ParseDuration(v)
				if err == nil && o.deadline < time.Second {
					err = fmt.Errorf("--deadline %s: at least 1s", v)
				}
			}
		case "--trace-namespace":
			o.traceNamespace, err = value()
		case "--cgroup-driver":
			var v string
			if v, err = value(); err == nil {
				o.driver = CgroupDriver(v)
				if o.driver != Systemd && o.driver != Cgroupfs {
					err = fmt.Errorf("--cgroup-driver %s: systemd or cgroupfs", v)
				}
			}
		case "--metrics-port":
			var v string
			if v, err = value(); err == nil {
				var p int
				p, err = strconv.Atoi(v)
				if err == nil && (p < 1 || p > 65535) {
					err = fmt.Errorf("--metrics-port %s: not a port", v)
				}
				o.metricsPort = int32(p)
			}
		case "--dry-run":
			o.dryRun = true
			if hasVal && val != "true" && val != "client" {
				err = fmt.Errorf("--dry-run=%s: true or client", val)
			}
		case "--context", "--kubeconfig":
			var v string
			if v, err = value(); err == nil {
				o.global = append(o.global, name+"="+v)
			}
		default:
			err = fmt.Errorf("unknown flag %s", name)
		}
		if err != nil {
			return nil, err
		}
	}
	if file != "" {
		if o.program != "" {
			return nil, fmt.Errorf("-e and -f both give the program: one of them")
		}
		b, err := readFile(file)
		if err != nil {
			return nil, err
		}
		o.program = string(b)
	}
	if o.program == "" {
		return nil, fmt.Errorf("no program: -e PROGRAM or -f FILE")
	}
	if o.image == "" {
		return nil, fmt.Errorf("no gotrace image: --image REGISTRY/gotrace:TAG or $KUBECTL_GOTRACE_IMAGE (deploy/Dockerfile builds one)")
	}
	if cmd == "run" && o.target == "" {
		return nil, fmt.Errorf("what to trace: POD, pod/POD or node/NODE")
	}
	if cmd == "manifest" && o.container != "" {
		return nil, fmt.Errorf("-c: manifest runs on whole nodes")
	}
	return o, nil
}

func bytesReader(b []byte) io.Reader { return bytes.NewReader(b) }

func trimNL(s string) string { return strings.TrimRight(s, "\n") }
