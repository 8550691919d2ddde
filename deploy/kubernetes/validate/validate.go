// Package validate checks the Kubernetes manifests in deploy/kubernetes:
// each document is decoded strictly into the Kubernetes API's own Go types
// (an unknown field, a wrong type or an unknown kind is an error), the
// kustomization is built with kustomize's own library, and the objects are
// checked against each other (selectors, named ports, ConfigMaps and
// Secrets that exist) and against the sidecar's operating rules. It is a
// module of its own so that the Kubernetes libraries stay out of
// scimbridge's go.mod; `go test` in this directory runs it.
package validate

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"strings"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	sigsjson "sigs.k8s.io/json"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/yaml"
)

// Object is one decoded manifest document.
type Object struct {
	// Source names the document: file and index, for messages.
	Source string
	// Kind and Name identify it, such as Deployment/legacy-app.
	Kind, Name string
	// Value is the typed object: *appsv1.Deployment, *corev1.Service, ...
	Value any
}

// kinds maps apiVersion and kind to a new value of the Go type that
// decodes them.
var kinds = map[string]func() any{
	"apps/v1 Deployment": func() any { return new(appsv1.Deployment) },
	"v1 Service":         func() any { return new(corev1.Service) },
	"v1 ConfigMap":       func() any { return new(corev1.ConfigMap) },
	"v1 Secret":          func() any { return new(corev1.Secret) },
	"monitoring.coreos.com/v1 ServiceMonitor":       func() any { return new(monitoringv1.ServiceMonitor) },
	"kustomize.config.k8s.io/v1beta1 Kustomization": func() any { return new(types.Kustomization) },
}

var docSeparator = regexp.MustCompile(`(?m)^---\s*$`)

// Decode strictly decodes every document of a YAML stream. source names
// the stream in errors.
func Decode(source string, data []byte) ([]Object, error) {
	var out []Object
	var errs []error
	for i, doc := range docSeparator.Split(string(data), -1) {
		if strings.TrimSpace(stripComments(doc)) == "" {
			continue
		}
		src := fmt.Sprintf("%s[%d]", source, i)
		var tm metav1.TypeMeta
		if err := yaml.Unmarshal([]byte(doc), &tm); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", src, err))
			continue
		}
		newValue, ok := kinds[tm.APIVersion+" "+tm.Kind]
		if !ok {
			errs = append(errs, fmt.Errorf("%s: unknown kind %q of apiVersion %q", src, tm.Kind, tm.APIVersion))
			continue
		}
		v := newValue()
		if err := decodeStrict([]byte(doc), v); err != nil {
			errs = append(errs, fmt.Errorf("%s (%s): %w", src, tm.Kind, err))
			continue
		}
		name := ""
		if m, ok := v.(metav1.Object); ok {
			name = m.GetName()
		}
		out = append(out, Object{Source: src, Kind: tm.Kind, Name: name, Value: v})
	}
	return out, errors.Join(errs...)
}

// decodeStrict decodes one YAML document into v as the API server would
// with strict field validation: a duplicate key, an unknown field or a
// wrong type is an error, each named by its JSON path.
func decodeStrict(doc []byte, v any) error {
	j, err := yaml.YAMLToJSONStrict(doc)
	if err != nil {
		return err
	}
	strict, err := sigsjson.UnmarshalStrict(j, v)
	if err != nil {
		return err
	}
	return errors.Join(strict...)
}

func stripComments(doc string) string {
	var b bytes.Buffer
	for _, l := range strings.Split(doc, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(l), "#") {
			b.WriteString(l + "\n")
		}
	}
	return b.String()
}

// Check checks the objects against each other and against the rules the
// sidecar is deployed by. It returns every problem found.
func Check(objs []Object) []string {
	var probs []string
	bad := func(o Object, format string, a ...any) {
		probs = append(probs, fmt.Sprintf("%s %s/%s: %s", o.Source, o.Kind, o.Name, fmt.Sprintf(format, a...)))
	}
	var deployments []*appsv1.Deployment
	var services []*corev1.Service
	configMaps := map[string]*corev1.ConfigMap{}
	secrets := map[string]*corev1.Secret{}
	for _, o := range objs {
		switch v := o.Value.(type) {
		case *appsv1.Deployment:
			deployments = append(deployments, v)
		case *corev1.Service:
			services = append(services, v)
		case *corev1.ConfigMap:
			configMaps[v.Name] = v
		case *corev1.Secret:
			secrets[v.Name] = v
		}
	}
	for _, o := range objs {
		switch v := o.Value.(type) {
		case *appsv1.Deployment:
			for _, p := range checkDeployment(v, configMaps, secrets) {
				bad(o, "%s", p)
			}
		case *corev1.Service:
			for _, p := range checkService(v, deployments) {
				bad(o, "%s", p)
			}
		case *monitoringv1.ServiceMonitor:
			for _, p := range checkServiceMonitor(v, services) {
				bad(o, "%s", p)
			}
		}
	}
	return probs
}

// checkDeployment checks one Deployment: its selector, its containers'
// probes, resources and security, and what it mounts and reads.
func checkDeployment(d *appsv1.Deployment, configMaps map[string]*corev1.ConfigMap, secrets map[string]*corev1.Secret) []string {
	var probs []string
	if d.Spec.Replicas == nil || *d.Spec.Replicas < 2 {
		probs = append(probs, "spec.replicas: fewer than 2; one replica is down during every rollout or node drain")
	}
	sel, err := metav1.LabelSelectorAsSelector(d.Spec.Selector)
	switch {
	case err != nil:
		probs = append(probs, "spec.selector: "+err.Error())
	case d.Spec.Selector == nil || sel.Empty():
		probs = append(probs, "spec.selector: missing")
	case !sel.Matches(labelSet(d.Spec.Template.Labels)):
		probs = append(probs, "spec.selector: does not match spec.template.metadata.labels")
	}
	pod := d.Spec.Template.Spec
	if len(pod.Containers) == 0 {
		probs = append(probs, "spec.template.spec.containers: none")
	}
	for i, c := range pod.Containers {
		at := fmt.Sprintf("spec.template.spec.containers[%d] (%s)", i, c.Name)
		if c.Image == "" {
			probs = append(probs, at+".image: missing")
		}
		if c.Resources.Requests.Cpu().IsZero() || c.Resources.Requests.Memory().IsZero() || c.Resources.Limits.Memory().IsZero() {
			probs = append(probs, at+".resources: expected cpu and memory requests and a memory limit")
		}
		for name, p := range map[string]*corev1.Probe{"readinessProbe": c.ReadinessProbe, "livenessProbe": c.LivenessProbe} {
			if p != nil && p.HTTPGet != nil && !containerHasPort(c, p.HTTPGet.Port.String()) {
				probs = append(probs, fmt.Sprintf("%s.%s: port %s is not a port of the container", at, name, p.HTTPGet.Port.String()))
			}
		}
		for _, e := range c.Env {
			if e.ValueFrom == nil || e.ValueFrom.SecretKeyRef == nil {
				continue
			}
			ref := e.ValueFrom.SecretKeyRef
			if s, ok := secrets[ref.Name]; !ok {
				probs = append(probs, fmt.Sprintf("%s.env %s: no Secret %q among the manifests", at, e.Name, ref.Name))
			} else if _, ok := s.StringData[ref.Key]; !ok {
				if _, ok := s.Data[ref.Key]; !ok {
					probs = append(probs, fmt.Sprintf("%s.env %s: Secret %q has no key %q", at, e.Name, ref.Name, ref.Key))
				}
			}
		}
		if c.Name == "scimbridge" {
			probs = append(probs, checkSidecar(c, at)...)
		}
	}
	for _, v := range pod.Volumes {
		if v.ConfigMap != nil {
			if _, ok := configMaps[v.ConfigMap.Name]; !ok {
				probs = append(probs, fmt.Sprintf("spec.template.spec.volumes %s: no ConfigMap %q among the manifests", v.Name, v.ConfigMap.Name))
			}
		}
	}
	return probs
}

// checkSidecar checks the rules of the scimbridge container: both probes
// on the telemetry port, telemetry reachable from outside the pod's
// loopback, non-root with a read-only root file system.
func checkSidecar(c corev1.Container, at string) []string {
	var probs []string
	want := map[string]*corev1.Probe{"/healthz/ready": c.ReadinessProbe, "/healthz/live": c.LivenessProbe}
	for path, p := range want {
		if p == nil || p.HTTPGet == nil || p.HTTPGet.Path != path || p.HTTPGet.Port.String() != "telemetry" {
			probs = append(probs, fmt.Sprintf("%s: expected an httpGet probe of %s on port telemetry", at, path))
		}
	}
	listen := ""
	for _, e := range c.Env {
		if e.Name == "SCIMBRIDGE_TELEMETRY_LISTEN" {
			listen = e.Value
		}
	}
	if listen == "" || strings.HasPrefix(listen, "127.") || strings.HasPrefix(listen, "localhost:") {
		probs = append(probs, fmt.Sprintf("%s.env SCIMBRIDGE_TELEMETRY_LISTEN: %q; expected :9090, so that probes and Prometheus reach it", at, listen))
	}
	sc := c.SecurityContext
	if sc == nil || sc.RunAsNonRoot == nil || !*sc.RunAsNonRoot || sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem ||
		sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation {
		probs = append(probs, at+".securityContext: expected runAsNonRoot, readOnlyRootFilesystem and no privilege escalation")
	}
	return probs
}

// checkService checks that a Service selects the pods of a Deployment and
// that each target port is a port of those pods.
func checkService(s *corev1.Service, deployments []*appsv1.Deployment) []string {
	if len(s.Spec.Selector) == 0 {
		return []string{"spec.selector: missing"}
	}
	var pods []*corev1.PodTemplateSpec
	for _, d := range deployments {
		if labelSet(s.Spec.Selector).AsSelector().Matches(labelSet(d.Spec.Template.Labels)) {
			pods = append(pods, &d.Spec.Template)
		}
	}
	if len(pods) == 0 {
		return []string{fmt.Sprintf("spec.selector %v: selects the pods of no Deployment", s.Spec.Selector)}
	}
	var probs []string
	for i, p := range s.Spec.Ports {
		target := p.TargetPort.String()
		if p.TargetPort.IntValue() == 0 && target == "0" {
			target = fmt.Sprint(p.Port)
		}
		for _, pod := range pods {
			if !podHasPort(pod.Spec, target) {
				probs = append(probs, fmt.Sprintf("spec.ports[%d].targetPort: %s is not a port of the selected pods", i, target))
			}
		}
	}
	return probs
}

// checkServiceMonitor checks that a ServiceMonitor selects a Service and
// scrapes one of its named ports.
func checkServiceMonitor(m *monitoringv1.ServiceMonitor, services []*corev1.Service) []string {
	sel, err := metav1.LabelSelectorAsSelector(&m.Spec.Selector)
	if err != nil {
		return []string{"spec.selector: " + err.Error()}
	}
	var selected []*corev1.Service
	for _, s := range services {
		if !sel.Empty() && sel.Matches(labelSet(s.Labels)) {
			selected = append(selected, s)
		}
	}
	if len(selected) == 0 {
		return []string{"spec.selector: selects no Service"}
	}
	var probs []string
	for i, e := range m.Spec.Endpoints {
		for _, s := range selected {
			found := false
			for _, p := range s.Spec.Ports {
				found = found || (e.Port != "" && p.Name == e.Port)
			}
			if !found {
				probs = append(probs, fmt.Sprintf("spec.endpoints[%d].port: Service %s has no port named %q", i, s.Name, e.Port))
			}
		}
		if e.Path != "/metrics" {
			probs = append(probs, fmt.Sprintf("spec.endpoints[%d].path: %q; scimbridge serves /metrics", i, e.Path))
		}
	}
	return probs
}

func containerHasPort(c corev1.Container, port string) bool {
	for _, p := range c.Ports {
		if p.Name == port || fmt.Sprint(p.ContainerPort) == port {
			return true
		}
	}
	return false
}

func podHasPort(pod corev1.PodSpec, port string) bool {
	for _, c := range pod.Containers {
		if containerHasPort(c, port) {
			return true
		}
	}
	return false
}

// Build runs kustomize on the kustomization in dir, as
// `kubectl apply -k dir` would, and returns the resulting YAML stream.
func Build(dir string) ([]byte, error) {
	k := krusty.MakeKustomizer(krusty.MakeDefaultOptions())
	res, err := k.Run(filesys.MakeFsOnDisk(), dir)
	if err != nil {
		return nil, err
	}
	return res.AsYaml()
}
