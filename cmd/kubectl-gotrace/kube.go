package main

// The few Kubernetes API objects the plugin writes and reads, with the
// API's own field names (k8s.io/api core/v1, apps/v1, batch/v1), so that
// kubectl and the API server take them as they are. Only the fields
// gotrace uses are here.

type TypeMeta struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
}

type ObjectMeta struct {
	Name        string            `json:"name,omitempty"`
	Namespace   string            `json:"namespace,omitempty"`
	UID         string            `json:"uid,omitempty"`
	Labels      map[string]string `json:"labels,omitempty"`
	Annotations map[string]string `json:"annotations,omitempty"`
}

type Namespace struct {
	TypeMeta `json:",inline"`
	Metadata ObjectMeta `json:"metadata"`
}

type ConfigMap struct {
	TypeMeta `json:",inline"`
	Metadata ObjectMeta        `json:"metadata"`
	Data     map[string]string `json:"data"`
}

type DaemonSet struct {
	TypeMeta `json:",inline"`
	Metadata ObjectMeta    `json:"metadata"`
	Spec     DaemonSetSpec `json:"spec"`
}

type DaemonSetSpec struct {
	Selector       LabelSelector   `json:"selector"`
	UpdateStrategy *UpdateStrategy `json:"updateStrategy,omitempty"`
	Template       PodTemplateSpec `json:"template"`
}

type UpdateStrategy struct {
	Type          string                `json:"type"`
	RollingUpdate *RollingUpdateDaemons `json:"rollingUpdate,omitempty"`
}

type RollingUpdateDaemons struct {
	MaxUnavailable string `json:"maxUnavailable"`
}

type LabelSelector struct {
	MatchLabels map[string]string `json:"matchLabels"`
}

type Job struct {
	TypeMeta `json:",inline"`
	Metadata ObjectMeta `json:"metadata"`
	Spec     JobSpec    `json:"spec"`
}

type JobSpec struct {
	BackoffLimit            *int32          `json:"backoffLimit,omitempty"`
	ActiveDeadlineSeconds   *int64          `json:"activeDeadlineSeconds,omitempty"`
	TTLSecondsAfterFinished *int32          `json:"ttlSecondsAfterFinished,omitempty"`
	Template                PodTemplateSpec `json:"template"`
}

type PodTemplateSpec struct {
	Metadata ObjectMeta `json:"metadata"`
	Spec     PodSpec    `json:"spec"`
}

type PodSpec struct {
	NodeName                      string            `json:"nodeName,omitempty"`
	HostPID                       bool              `json:"hostPID,omitempty"`
	RestartPolicy                 string            `json:"restartPolicy,omitempty"`
	TerminationGracePeriodSeconds *int64            `json:"terminationGracePeriodSeconds,omitempty"`
	Tolerations                   []Toleration      `json:"tolerations,omitempty"`
	Containers                    []Container       `json:"containers"`
	Volumes                       []Volume          `json:"volumes,omitempty"`
	NodeSelector                  map[string]string `json:"nodeSelector,omitempty"`
}

type Toleration struct {
	Operator string `json:"operator"`
}

type Container struct {
	Name            string           `json:"name"`
	Image           string           `json:"image"`
	ImagePullPolicy string           `json:"imagePullPolicy,omitempty"`
	Args            []string         `json:"args,omitempty"`
	Env             []EnvVar         `json:"env,omitempty"`
	Ports           []ContainerPort  `json:"ports,omitempty"`
	Resources       *Resources       `json:"resources,omitempty"`
	SecurityContext *SecurityContext `json:"securityContext,omitempty"`
	VolumeMounts    []VolumeMount    `json:"volumeMounts,omitempty"`
}

type EnvVar struct {
	Name      string        `json:"name"`
	Value     string        `json:"value,omitempty"`
	ValueFrom *EnvVarSource `json:"valueFrom,omitempty"`
}

type EnvVarSource struct {
	FieldRef *FieldRef `json:"fieldRef,omitempty"`
}

type FieldRef struct {
	FieldPath string `json:"fieldPath"`
}

type ContainerPort struct {
	Name          string `json:"name,omitempty"`
	ContainerPort int32  `json:"containerPort"`
	Protocol      string `json:"protocol,omitempty"`
}

type Resources struct {
	Requests map[string]string `json:"requests,omitempty"`
	Limits   map[string]string `json:"limits,omitempty"`
}

type SecurityContext struct {
	Privileged *bool `json:"privileged,omitempty"`
}

type VolumeMount struct {
	Name      string `json:"name"`
	MountPath string `json:"mountPath"`
	ReadOnly  bool   `json:"readOnly,omitempty"`
}

type Volume struct {
	Name      string           `json:"name"`
	HostPath  *HostPathVolume  `json:"hostPath,omitempty"`
	ConfigMap *ConfigMapVolume `json:"configMap,omitempty"`
}

type HostPathVolume struct {
	Path string `json:"path"`
	Type string `json:"type,omitempty"`
}

type ConfigMapVolume struct {
	Name string `json:"name"`
}

// Pod is what the plugin reads of a pod (kubectl get pod -o json).
type Pod struct {
	TypeMeta
	Metadata ObjectMeta `json:"metadata"`
	Spec     struct {
		NodeName   string `json:"nodeName"`
		Containers []struct {
			Name string `json:"name"`
		} `json:"containers"`
	} `json:"spec"`
	Status struct {
		Phase             string            `json:"phase"`
		QOSClass          string            `json:"qosClass"`
		ContainerStatuses []ContainerStatus `json:"containerStatuses"`
	} `json:"status"`
}

type ContainerStatus struct {
	Name        string `json:"name"`
	ContainerID string `json:"containerID"`
	State       struct {
		Waiting *struct {
			Reason  string `json:"reason"`
			Message string `json:"message"`
		} `json:"waiting"`
		Terminated *struct {
			ExitCode int32  `json:"exitCode"`
			Reason   string `json:"reason"`
			Message  string `json:"message"`
		} `json:"terminated"`
	} `json:"state"`
}

// PodList is kubectl get pods -o json.
type PodList struct {
	Items []Pod `json:"items"`
}

func ptr[T any](v T) *T { return &v }
