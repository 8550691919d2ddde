package validate

import "k8s.io/apimachinery/pkg/labels"

// labelSet adapts a label map to a selector's input.
func labelSet(m map[string]string) labels.Set { return labels.Set(m) }
