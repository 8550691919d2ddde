package cli

import (
	"fmt"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// entry is one key of the configuration init writes, with the comments
// above it: a value written inline, or a block of further entries.
type entry struct {
	// comment is said above the key; guess says what to verify and is
	// marked GUESS.
	comment, guess string
	key, value     string
	block          []entry
}

// commentWidth is where init wraps its comments.
const commentWidth = 76

// writeEntries writes entries as YAML mapping keys at indent spaces; an
// entry keyed "-" is a list item holding its block.
func writeEntries(b *strings.Builder, indent int, entries []entry) {
	for _, e := range entries {
		pad := strings.Repeat(" ", indent)
		writeComment(b, pad, "", e.comment)
		writeComment(b, pad, "GUESS: ", e.guess)
		if e.key == "-" {
			// A list item: its first entry on the dash's line.
			var item strings.Builder
			writeEntries(&item, indent+2, e.block)
			b.WriteString(pad + "- " + strings.TrimPrefix(item.String(), pad+"  "))
			continue
		}
		if len(e.block) == 0 {
			fmt.Fprintf(b, "%s%s: %s\n", pad, yamlKey(e.key), e.value)
			continue
		}
		fmt.Fprintf(b, "%s%s:\n", pad, yamlKey(e.key))
		writeEntries(b, indent+2, e.block)
	}
}

// writeComment writes text as comment lines at pad, wrapped, the first
// line starting with lead and the others indented under it.
func writeComment(b *strings.Builder, pad, lead, text string) {
	if text == "" {
		return
	}
	for _, para := range strings.Split(text, "\n") {
		line := pad + "# " + lead
		empty := true
		for _, w := range strings.Fields(para) {
			if !empty && len(line)+1+len(w) > commentWidth {
				b.WriteString(line + "\n")
				line, empty = pad+"# "+strings.Repeat(" ", len(lead)), true
			}
			if !empty {
				line += " "
			}
			line += w
			empty = false
		}
		b.WriteString(line + "\n")
		lead = strings.Repeat(" ", len(lead))
	}
}

// yamlKey writes a mapping key, quoted where YAML needs it.
func yamlKey(k string) string {
	if plainKey(k) {
		return k
	}
	return yamlString(k)
}

func plainKey(k string) bool {
	if k == "" || strings.ContainsAny(k[:1], "-?:,[]{}#&*!|>'\"%@`0123456789 ") {
		return false
	}
	for _, r := range k {
		if !(r == '_' || r == '.' || r == ':' || r == '-' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return !strings.Contains(k, ": ") && yamlString(k) == k
}

// yamlString writes s as a YAML string scalar, quoted where a plain
// scalar would read as something else (a number, a boolean, null).
func yamlString(s string) string {
	out, err := yaml.Marshal(s)
	if err != nil {
		return strconv.Quote(s)
	}
	v := strings.TrimSuffix(string(out), "\n")
	if strings.ContainsAny(v, "\n") || strings.HasPrefix(v, "|") || strings.HasPrefix(v, ">") {
		return strconv.Quote(s)
	}
	return v
}

// yamlValue writes a stored value as the YAML scalar the mapping reads:
// an integer column's values as numbers, others as strings.
func yamlValue(v string, integer bool) string {
	if integer {
		if _, err := strconv.ParseInt(v, 10, 64); err == nil {
			return v
		}
	}
	return yamlString(v)
}

// flow writes keys and values (already YAML) as a flow mapping.
func flow(kv ...string) string {
	parts := make([]string, 0, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		parts = append(parts, yamlKey(kv[i])+": "+kv[i+1])
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// flowList writes values (already YAML) as a flow sequence.
func flowList(vs []string) string { return "[" + strings.Join(vs, ", ") + "]" }
