package cli

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// TestKubernetesConfig checks the configuration that
// deploy/kubernetes/configmap.yaml ships: it validates, its mapping
// compiles against the demo's schema, and every variable it reads with
// fromEnv is set on the scimbridge container of deployment.yaml. The
// manifests' own schema is checked by deploy/kubernetes/validate.
func TestKubernetesConfig(t *testing.T) {
	dir := filepath.Join(exampleRoot, "deploy", "kubernetes")
	var cm struct {
		Data map[string]string `yaml:"data"`
	}
	readYAML(t, filepath.Join(dir, "configmap.yaml"), &cm)
	text := cm.Data["scimbridge.yaml"]
	if text == "" {
		t.Fatal("configmap.yaml has no data.scimbridge.yaml")
	}
	dsn := newSchemaDB(t, filepath.Join(exampleRoot, "examples", "demo", "schema.sql"))
	t.Setenv("SCIMBRIDGE_DB_DSN", dsn)
	cfg, err := ParseConfig([]byte(text))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Telemetry.Listen != "0.0.0.0:9090" {
		t.Errorf("telemetry.listen %q: probes from outside the pod cannot reach it", cfg.Telemetry.Listen)
	}
	ad, _, err := cfg.compile(context.Background(), nil, openAdapter(context.Background(), nil))
	if err != nil {
		t.Fatal(err)
	}
	ad.Close()

	var dep struct {
		Spec struct {
			Template struct {
				Spec struct {
					Containers []struct {
						Name string `yaml:"name"`
						Env  []struct {
							Name string `yaml:"name"`
						} `yaml:"env"`
					} `yaml:"containers"`
				} `yaml:"spec"`
			} `yaml:"template"`
		} `yaml:"spec"`
	}
	readYAML(t, filepath.Join(dir, "deployment.yaml"), &dep)
	env := map[string]bool{}
	for _, c := range dep.Spec.Template.Spec.Containers {
		if c.Name == "scimbridge" {
			for _, e := range c.Env {
				env[e.Name] = true
			}
		}
	}
	refs := regexp.MustCompile(`fromEnv: (\w+)`).FindAllStringSubmatch(text, -1)
	if len(refs) == 0 {
		t.Error("the config reads no secret from the environment")
	}
	for _, m := range refs {
		if !env[m[1]] {
			t.Errorf("the config reads $%s, which the scimbridge container does not set", m[1])
		}
	}
	if !env["SCIMBRIDGE_TELEMETRY_LISTEN"] {
		t.Error("the scimbridge container does not set SCIMBRIDGE_TELEMETRY_LISTEN")
	}
}

func readYAML(t *testing.T, path string, v any) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(data, v); err != nil {
		t.Fatalf("%s: %v", path, strings.TrimPrefix(err.Error(), "yaml: "))
	}
}
