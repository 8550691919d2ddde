package validate

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	"sigs.k8s.io/kustomize/api/types"
)

// manifestDir holds the manifests under test.
const manifestDir = ".."

// readManifests decodes every *.yaml file of dir, keyed by file name.
func readManifests(t *testing.T, dir string) map[string][]Object {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no manifests in %s: %v", dir, err)
	}
	out := map[string][]Object{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		objs, err := Decode(filepath.Base(f), data)
		if err != nil {
			t.Errorf("%v", err)
		}
		out[filepath.Base(f)] = objs
	}
	return out
}

// all flattens the decoded files, in file name order.
func all(m map[string][]Object) []Object {
	var names []string
	for n := range m {
		names = append(names, n)
	}
	slices.Sort(names)
	var out []Object
	for _, n := range names {
		out = append(out, m[n]...)
	}
	return out
}

// TestManifests decodes every manifest strictly, checks that the
// kustomization lists each of them but the example Secret, checks them
// against each other, and builds the kustomization.
func TestManifests(t *testing.T) {
	files := readManifests(t, manifestDir)
	var k *types.Kustomization
	for _, o := range files["kustomization.yaml"] {
		k, _ = o.Value.(*types.Kustomization)
	}
	if k == nil {
		t.Fatal("kustomization.yaml holds no Kustomization")
	}
	for name := range files {
		listed := slices.Contains(k.Resources, name)
		if wantListed := name != "kustomization.yaml" && name != "secret.example.yaml"; listed != wantListed {
			t.Errorf("%s: listed in kustomization.yaml resources: %v, want %v", name, listed, wantListed)
		}
	}
	for _, p := range Check(all(files)) {
		t.Error(p)
	}

	built, err := Build(manifestDir)
	if err != nil {
		t.Fatalf("kustomize build: %v", err)
	}
	objs, err := Decode("kustomize build", built)
	if err != nil {
		t.Fatal(err)
	}
	if len(objs) != len(k.Resources) {
		t.Errorf("kustomize build made %d objects, want one per resource file (%d)", len(objs), len(k.Resources))
	}
	for _, p := range Check(append(objs, files["secret.example.yaml"]...)) {
		t.Errorf("after kustomize build: %s", p)
	}
	image := ""
	for _, o := range objs {
		if d, ok := o.Value.(*appsv1.Deployment); ok {
			for _, c := range d.Spec.Template.Spec.Containers {
				if c.Name == "scimbridge" {
					image = c.Image
				}
			}
		}
	}
	if image != "registry.example.com/scimbridge:v1.0.0" {
		t.Errorf("scimbridge image after kustomize build: %q, want the one images: sets", image)
	}
}

// TestBrokenManifestsFail makes one mistake at a time in the real
// manifests and checks that the validator reports it: a validator that
// accepts anything would pass TestManifests too.
func TestBrokenManifestsFail(t *testing.T) {
	cases := []struct {
		name, file, old, new, want string
	}{
		{"unknown field", "deployment.yaml", "readinessProbe:", "readinessProb:", `unknown field "spec.template.spec.containers[1].readinessProb"`},
		{"wrong type", "deployment.yaml", "replicas: 2", `replicas: "two"`, "cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32"},
		{"duplicate field", "service.yaml", "  ports:\n", "  ports: []\n  ports:\n", `key "ports" already set in map`},
		{"unknown kind", "service.yaml", "kind: Service", "kind: Servize", `unknown kind "Servize"`},
		{"unknown ServiceMonitor field", "servicemonitor.yaml", "path: /metrics", "paht: /metrics", `unknown field "spec.endpoints[0].paht"`},
		{"wrong ServiceMonitor type", "servicemonitor.yaml", "interval: 30s", "interval: [30s]", "spec.endpoints.interval of type v1.Duration"},
		{"unknown kustomization field", "kustomization.yaml", "resources:", "resourcez:", `unknown field "resourcez"`},
		{"probe on a missing port", "deployment.yaml", "path: /healthz/ready, port: telemetry", "path: /healthz/ready, port: metrics", "readinessProbe: port metrics is not a port of the container"},
		{"liveness on readiness", "deployment.yaml", "path: /healthz/live,", "path: /healthz/ready,", "expected an httpGet probe of /healthz/live on port telemetry"},
		{"telemetry on loopback", "deployment.yaml", `value: ":9090"`, `value: "127.0.0.1:9090"`, `SCIMBRIDGE_TELEMETRY_LISTEN: "127.0.0.1:9090"; expected :9090`},
		{"writable root", "deployment.yaml", "readOnlyRootFilesystem: true", "readOnlyRootFilesystem: false", "expected runAsNonRoot, readOnlyRootFilesystem"},
		{"one replica", "deployment.yaml", "replicas: 2", "replicas: 1", "spec.replicas: fewer than 2"},
		{"no resources", "deployment.yaml", "requests: {cpu: 50m, memory: 64Mi}", "requests: {memory: 64Mi}", "containers[1] (scimbridge).resources"},
		{"selector mismatch", "deployment.yaml", "    matchLabels:\n      app.kubernetes.io/name: legacy-app", "    matchLabels:\n      app.kubernetes.io/name: other", "does not match spec.template.metadata.labels"},
		{"service selects nothing", "service.yaml", "app.kubernetes.io/name: legacy-app", "app.kubernetes.io/name: legacy", "selects the pods of no Deployment"},
		{"service target port", "service.yaml", "targetPort: scim", "targetPort: api", "spec.ports[0].targetPort: api is not a port"},
		{"servicemonitor selects nothing", "servicemonitor.yaml", "app.kubernetes.io/component: telemetry", "app.kubernetes.io/component: metrics", "spec.selector: selects no Service"},
		{"servicemonitor port", "servicemonitor.yaml", "- port: telemetry", "- port: metrics", `Service scimbridge-telemetry has no port named "metrics"`},
		{"missing ConfigMap", "configmap.yaml", "name: scimbridge\n  labels", "name: scimbridge-config\n  labels", `no ConfigMap "scimbridge"`},
		{"missing Secret key", "secret.example.yaml", "db-dsn:", "dsn:", `Secret "scimbridge" has no key "db-dsn"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			src, _ := filepath.Glob(filepath.Join(manifestDir, "*.yaml"))
			for _, f := range src {
				data, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				if filepath.Base(f) == c.file {
					if !strings.Contains(string(data), c.old) {
						t.Fatalf("%s no longer contains %q: update this case", c.file, c.old)
					}
					data = []byte(strings.Replace(string(data), c.old, c.new, 1))
				}
				if err := os.WriteFile(filepath.Join(dir, filepath.Base(f)), data, 0o600); err != nil {
					t.Fatal(err)
				}
			}
			// Schema errors first, as kubectl would stop there; the
			// cross-checks only on manifests that decode.
			var msgs []string
			var objs []Object
			for _, f := range src {
				data, _ := os.ReadFile(filepath.Join(dir, filepath.Base(f)))
				o, err := Decode(filepath.Base(f), data)
				if err != nil {
					msgs = append(msgs, err.Error())
				}
				objs = append(objs, o...)
			}
			if len(msgs) == 0 {
				msgs = Check(objs)
			}
			got := strings.Join(msgs, "\n")
			if !strings.Contains(got, c.want) {
				t.Errorf("validator said:\n%s\nwant a problem containing %q", orNothing(got), c.want)
			}
		})
	}
}

func orNothing(s string) string {
	if s == "" {
		return "(nothing: the broken manifest was accepted)"
	}
	return s
}
