package main

import (
	"fmt"
	"sort"
	"strings"
)

// The objects the plugin makes: the Job that traces one pod or node
// (kubectl gotrace run), and the DaemonSet that runs one script on every
// node and serves its maps as metrics (kubectl gotrace manifest, and
// deploy/kubernetes/gotrace.yaml, which is its output for the example
// script). Both are built from their inputs only, so that the same
// inputs give the same bytes (tests keep them as golden files).

// Labels every object of gotrace's carries.
const (
	labelName  = "app.kubernetes.io/name"
	labelTrace = "gotrace.dev/trace"
	labelPart  = "app.kubernetes.io/component"
)

// Where the node's kernel interfaces are mounted in gotrace's container,
// at the same paths as on the node.
var hostMounts = []struct {
	name, path string
	readOnly   bool
	typ        string
}{
	{"tracefs", "/sys/kernel/tracing", false, ""}, // tracepoints, uprobes (gotrace mounts tracefs there if the node has not)
	{"debugfs", "/sys/kernel/debug", false, ""},   // tracefs of older kernels
	{"btf", "/sys/kernel/btf", true, ""},          // the kernel's types: fentry, iter, args of kfuncs
	{"cgroup", "/sys/fs/cgroup", true, ""},        // cgroup ids of --cgroup, cgroup_path()
}

func hostVolumes() ([]Volume, []VolumeMount) {
	var vs []Volume
	var ms []VolumeMount
	for _, m := range hostMounts {
		vs = append(vs, Volume{Name: m.name, HostPath: &HostPathVolume{Path: m.path, Type: m.typ}})
		ms = append(ms, VolumeMount{Name: m.name, MountPath: m.path, ReadOnly: m.readOnly})
	}
	return vs, ms
}

// CgroupDriver is how the node's kubelet names cgroups.
type CgroupDriver string

const (
	Systemd  CgroupDriver = "systemd"  // kubepods.slice/kubepods-burstable.slice/...: kubeadm's default since 1.22, most managed clusters
	Cgroupfs CgroupDriver = "cgroupfs" // kubepods/burstable/pod<uid>/...
)

// CgroupPath is the cgroup (v2) directory of a pod, or of one of its
// containers when container is set, as the node's kubelet and container
// runtime make it, under /sys/fs/cgroup.
func CgroupPath(pod *Pod, container string, driver CgroupDriver) (string, error) {
	uid := pod.Metadata.UID
	if uid == "" {
		return "", fmt.Errorf("pod %s has no uid", pod.Metadata.Name)
	}
	qos := strings.ToLower(pod.Status.QOSClass)
	var cid, runtime string
	if container != "" {
		for _, cs := range pod.Status.ContainerStatuses {
			if cs.Name == container {
				runtime, cid, _ = strings.Cut(cs.ContainerID, "://")
			}
		}
		if cid == "" {
			return "", fmt.Errorf("container %s of pod %s is not running (it has no container id)", container, pod.Metadata.Name)
		}
	}
	switch driver {
	case Systemd, "":
		u := strings.ReplaceAll(uid, "-", "_")
		p := "/sys/fs/cgroup/kubepods.slice"
		switch qos {
		case "burstable", "besteffort":
			p += "/kubepods-" + qos + ".slice/kubepods-" + qos + "-pod" + u + ".slice"
		case "guaranteed", "":
			p += "/kubepods-pod" + u + ".slice"
		default:
			return "", fmt.Errorf("pod %s has an unknown QoS class %q", pod.Metadata.Name, pod.Status.QOSClass)
		}
		if cid != "" {
			prefix := map[string]string{"containerd": "cri-containerd", "cri-o": "crio", "docker": "docker"}[runtime]
			if prefix == "" {
				return "", fmt.Errorf("container runtime %q of container %s: its cgroup name is not known (use --cgroup-driver and check /sys/fs/cgroup on the node)", runtime, container)
			}
			p += "/" + prefix + "-" + cid + ".scope"
		}
		return p, nil
	case Cgroupfs:
		p := "/sys/fs/cgroup/kubepods"
		switch qos {
		case "burstable", "besteffort":
			p += "/" + qos
		case "guaranteed", "":
		default:
			return "", fmt.Errorf("pod %s has an unknown QoS class %q", pod.Metadata.Name, pod.Status.QOSClass)
		}
		p += "/pod" + uid
		if cid != "" {
			p += "/" + cid
		}
		return p, nil
	}
	return "", fmt.Errorf("unknown cgroup driver %q: systemd or cgroupfs", driver)
}

// JobOptions say what a trace Job runs.
type JobOptions struct {
	ID        string // the trace's id: the Job's name ends with it
	Namespace string // where the Job is made
	Image     string
	Program   string   // the script
	Args      []string // more arguments of gotrace (before the program)
	Node      string   // the node to run on
	Cgroup    string   // --cgroup PATH, "" for a whole node
	Target    string   // what is traced ("pod/NS/NAME", "node/NAME"), an annotation
	Deadline  int64    // seconds the trace may run (activeDeadlineSeconds)
}

// TraceJob builds the Job that runs gotrace once on a node.
func TraceJob(o JobOptions) *Job {
	name := "gotrace-" + o.ID
	labels := map[string]string{labelName: "gotrace", labelPart: "trace", labelTrace: o.ID}
	args := append([]string{}, o.Args...)
	if o.Cgroup != "" {
		args = append(args, "--cgroup", o.Cgroup)
	}
	args = append(args, "-e", o.Program)
	vols, mounts := hostVolumes()
	return &Job{
		TypeMeta: TypeMeta{APIVersion: "batch/v1", Kind: "Job"},
		Metadata: ObjectMeta{Name: name, Namespace: o.Namespace, Labels: labels,
			Annotations: map[string]string{"gotrace.dev/target": o.Target}},
		Spec: JobSpec{
			BackoffLimit:            ptr(int32(0)),
			ActiveDeadlineSeconds:   ptr(o.Deadline),
			TTLSecondsAfterFinished: ptr(int32(60)),
			Template: PodTemplateSpec{
				Metadata: ObjectMeta{Labels: labels},
				Spec: PodSpec{
					NodeName:                      o.Node,
					HostPID:                       true,
					RestartPolicy:                 "Never",
					TerminationGracePeriodSeconds: ptr(int64(30)),
					Tolerations:                   []Toleration{{Operator: "Exists"}},
					Containers: []Container{{
						Name:            "gotrace",
						Image:           o.Image,
						ImagePullPolicy: "IfNotPresent",
						Args:            args,
						Env:             []EnvVar{nodeNameEnv()},
						SecurityContext: &SecurityContext{Privileged: ptr(true)},
						VolumeMounts:    mounts,
					}},
					Volumes: vols,
				},
			},
		},
	}
}

func nodeNameEnv() EnvVar {
	return EnvVar{Name: "GOTRACE_HOST", ValueFrom: &EnvVarSource{FieldRef: &FieldRef{FieldPath: "spec.nodeName"}}}
}

// FleetOptions say what the DaemonSet runs.
type FleetOptions struct {
	Namespace    string // "" means gotrace
	Image        string
	Script       string // the script's text, kept in a ConfigMap
	MetricsPort  int32  // --metrics :PORT, with Prometheus scrape annotations
	Args         []string
	NodeSelector map[string]string
}

// Fleet builds the objects that run a script on every node: its
// namespace, the ConfigMap holding the script, and the DaemonSet.
func Fleet(o FleetOptions) []any {
	ns := o.Namespace
	if ns == "" {
		ns = "gotrace"
	}
	labels := map[string]string{labelName: "gotrace", labelPart: "fleet"}
	port := fmt.Sprint(o.MetricsPort)
	args := []string{"--metrics", ":" + port, "-f", "json", "--json-meta"}
	args = append(args, o.Args...)
	args = append(args, "/etc/gotrace/script.gt")
	vols, mounts := hostVolumes()
	vols = append(vols, Volume{Name: "script", ConfigMap: &ConfigMapVolume{Name: "gotrace-script"}})
	mounts = append(mounts, VolumeMount{Name: "script", MountPath: "/etc/gotrace", ReadOnly: true})
	podLabels := map[string]string{}
	for k, v := range labels {
		podLabels[k] = v
	}
	return []any{
		&Namespace{TypeMeta: TypeMeta{APIVersion: "v1", Kind: "Namespace"}, Metadata: ObjectMeta{Name: ns, Labels: map[string]string{
			labelName: "gotrace",
			// gotrace's pods are privileged: the namespace must allow it
			"pod-security.kubernetes.io/enforce": "privileged",
		}}},
		&ConfigMap{TypeMeta: TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
			Metadata: ObjectMeta{Name: "gotrace-script", Namespace: ns, Labels: labels},
			Data:     map[string]string{"script.gt": o.Script}},
		&DaemonSet{
			TypeMeta: TypeMeta{APIVersion: "apps/v1", Kind: "DaemonSet"},
			Metadata: ObjectMeta{Name: "gotrace", Namespace: ns, Labels: labels},
			Spec: DaemonSetSpec{
				Selector:       LabelSelector{MatchLabels: labels},
				UpdateStrategy: &UpdateStrategy{Type: "RollingUpdate", RollingUpdate: &RollingUpdateDaemons{MaxUnavailable: "10%"}},
				Template: PodTemplateSpec{
					Metadata: ObjectMeta{Labels: podLabels, Annotations: map[string]string{
						"prometheus.io/scrape": "true",
						"prometheus.io/port":   port,
						"prometheus.io/path":   "/metrics",
					}},
					Spec: PodSpec{
						HostPID:                       true,
						TerminationGracePeriodSeconds: ptr(int64(30)),
						Tolerations:                   []Toleration{{Operator: "Exists"}},
						NodeSelector:                  o.NodeSelector,
						Containers: []Container{{
							Name:            "gotrace",
							Image:           o.Image,
							ImagePullPolicy: "IfNotPresent",
							Args:            args,
							Env:             []EnvVar{nodeNameEnv()},
							Ports:           []ContainerPort{{Name: "metrics", ContainerPort: o.MetricsPort, Protocol: "TCP"}},
							Resources: &Resources{
								Requests: map[string]string{"cpu": "50m", "memory": "64Mi"},
								Limits:   map[string]string{"memory": "512Mi"},
							},
							SecurityContext: &SecurityContext{Privileged: ptr(true)},
							VolumeMounts:    mounts,
						}},
						Volumes: vols,
					},
				},
			},
		},
	}
}

// manifests renders objects as one YAML stream.
func manifests(header string, objs ...any) ([]byte, error) {
	var b strings.Builder
	b.WriteString(header)
	for i, o := range objs {
		if i > 0 || header != "" {
			b.WriteString("---\n")
		}
		y, err := toYAML(o)
		if err != nil {
			return nil, err
		}
		b.Write(y)
	}
	return []byte(b.String()), nil
}

// sortedKeys is for tests and messages.
func sortedKeys(m map[string]string) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// fleetHeader heads the manifests of kubectl gotrace manifest.
const fleetHeader = `# gotrace on every node: a Namespace, a ConfigMap holding the script and a
# DaemonSet running it (made by kubectl gotrace manifest; see
# docs/profiles-metrics-fleet.md).
#
# Each node's gotrace serves the script's maps as Prometheus metrics on
# the metrics port (the prometheus.io/* annotations let Prometheus's
# kubernetes_sd find it) and prints JSON records with a time and the
# node's name (GOTRACE_HOST) on its log.
#
# It is privileged and shares the node's process ids (hostPID) because it
# loads BPF programs and reads every process's files through
# /proc/PID/root; tracefs, BTF and the cgroup tree are the node's.
`

// fleetManifest is kubectl gotrace manifest.
func fleetManifest(o *options) ([]byte, error) {
	return manifests(fleetHeader, Fleet(FleetOptions{Namespace: o.namespace, Image: o.image, Script: o.program,
		MetricsPort: o.metricsPort, Args: o.gotraceArgs})...)
}
