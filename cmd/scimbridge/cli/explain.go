package cli

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"

	"github.com/scimbridge/scimbridge/adapters"
)

const explainUsage = `usage: scimbridge explain [-config FILE] [-directory NAME] METHOD PATH [BODY]

Runs one SCIM request through the mapping against the live database and
prints every SQL statement it sends, with its arguments, then the answer.
It runs as serve -dry-run does: reads run, and every write runs inside a
transaction that is rolled back, so nothing is stored (an AUTO_INCREMENT
counter may still move, as after any rolled-back insert).

  PATH       relative to the base path: /Users, '/Users?filter=userName eq "x"',
             /Groups/g-7 (the base path may be included)
  BODY       the JSON body: inline, @FILE, or - for standard input
  -directory the token name (directory) to act as; default the first token's

Example:
  scimbridge explain POST /Users '{"userName":"alice@example.com","active":true}'
  scimbridge explain PATCH /Users/42 @deactivate.json
`

// runExplain is the explain command.
func runExplain(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("explain")
	var configFlag string
	defineConfigFlag(fs, &configFlag)
	dir := fs.String("directory", "", "the token name (directory) to act as")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, explainUsage)
			return exitOK
		}
		usageError("explain", stderr, "%v", err)
		return exitUsage
	}
	if fs.NArg() < 2 || fs.NArg() > 3 {
		usageError("explain", stderr, "expected METHOD PATH [BODY], got %d arguments", fs.NArg())
		return exitUsage
	}
	path := new(string)
	*path = configPath(configFlag)
	method, target := strings.ToUpper(fs.Arg(0)), fs.Arg(1)
	var body string
	if fs.NArg() == 3 {
		b, err := readBody(fs.Arg(2))
		if err != nil {
			fmt.Fprintf(stderr, "scimbridge explain: %v\n", err)
			return exitUsage
		}
		body = b
	}

	cfg, err := loadConfig(*path)
	if err == nil {
		err = cfg.setDryRun()
	}
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", *path, allProblems(ctx, cfg, err))
		return exitFailure
	}
	// explain stores nothing, so it records no audit.
	cfg.Audit.Output = auditOff
	var (
		mu    sync.Mutex
		stmts []adapters.Statement
	)
	tracer, ok := cfg.Database.adapter.(adapters.Tracer)
	if !ok {
		fmt.Fprintf(stderr, "%s: the %s adapter cannot show its statements\n", *path, cfg.Database.Type)
		return exitFailure
	}
	tracer.SetTrace(func(s adapters.Statement) {
		mu.Lock()
		stmts = append(stmts, s)
		mu.Unlock()
	})
	bearer, err := explainToken(cfg, *dir)
	if err != nil {
		fmt.Fprintf(stderr, "scimbridge explain: %v\n", err)
		return exitUsage
	}
	sc, err := Build(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		fmt.Fprintf(stderr, "scimbridge: %v\n", err)
		return exitFailure
	}
	defer sc.Close()
	// Statements of the start-up (reading the schema) are not the
	// request's.
	mu.Lock()
	stmts = nil
	mu.Unlock()

	if !strings.HasPrefix(target, "/") {
		target = "/" + target
	}
	if base := strings.TrimSuffix(cfg.Server.BasePath, "/"); base != "" && !strings.HasPrefix(target, base+"/") {
		target = base + target
	}
	req := httptest.NewRequest(method, "http://scimbridge"+encodeQuery(target), strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+bearer)
	if body != "" {
		req.Header.Set("Content-Type", "application/scim+json")
	}
	w := httptest.NewRecorder()
	sc.Handler.ServeHTTP(w, req)

	fmt.Fprintf(stdout, "%s %s (dry run: writes rolled back, nothing stored)\n\n", method, target)
	mu.Lock()
	for i, s := range stmts {
		q := s.Query
		if hook, rest, ok := hookStatement(q); ok {
			// A hook's statement carries its name in a comment.
			fmt.Fprintf(stdout, "%3d  [hook %s]\n     %s\n", i+1, hook, rest)
			if len(s.Args) > 0 {
				fmt.Fprintf(stdout, "     args: %s\n", argsText(s.Args))
			}
			continue
		}
		fmt.Fprintf(stdout, "%3d  %s\n", i+1, q)
		if len(s.Args) > 0 {
			fmt.Fprintf(stdout, "     args: %s\n", argsText(s.Args))
		}
	}
	mu.Unlock()
	fmt.Fprintf(stdout, "\n-> %d %s\n", w.Code, http.StatusText(w.Code))
	if w.Body.Len() > 0 {
		var v any
		if json.Unmarshal(w.Body.Bytes(), &v) == nil {
			out, _ := json.MarshalIndent(v, "", "  ")
			fmt.Fprintf(stdout, "%s\n", out)
		} else {
			fmt.Fprintf(stdout, "%s\n", w.Body.String())
		}
	}
	return exitOK
}

// hookStatement reports whether q is the statement of a hook (see
// resources.*.hooks), which the store sends as "/* scimbridge hook NAME */
// SQL", and returns the hook's name and its SQL.
func hookStatement(q string) (hook, sql string, ok bool) {
	rest, ok := strings.CutPrefix(q, "/* scimbridge hook ")
	if !ok {
		return "", "", false
	}
	hook, sql, ok = strings.Cut(rest, " */ ")
	return hook, sql, ok
}

// readBody reads BODY: inline JSON, @FILE or - for standard input.
func readBody(arg string) (string, error) {
	switch {
	case arg == "-":
		b, err := io.ReadAll(os.Stdin)
		return string(b), err
	case strings.HasPrefix(arg, "@"):
		b, err := os.ReadFile(arg[1:])
		return string(b), err
	}
	return arg, nil
}

// encodeQuery escapes the query of a target written as a person types it
// (filter=userName eq "x"), leaving one already escaped as it is.
func encodeQuery(target string) string {
	p, q, ok := strings.Cut(target, "?")
	if !ok {
		return target
	}
	var parts []string
	for _, kv := range strings.Split(q, "&") {
		k, v, _ := strings.Cut(kv, "=")
		if strings.ContainsAny(v, " \"") {
			v = strings.NewReplacer(" ", "%20", "\"", "%22", "[", "%5B", "]", "%5D").Replace(v)
		}
		parts = append(parts, k+"="+v)
	}
	return p + "?" + strings.Join(parts, "&")
}

// explainToken replaces the config's tokens by fresh random ones, keeping
// their names and scopes, and returns the one of directory dir (the first
// token's when dir is ""): explain needs no IdP's secret, and acts with
// the scope of the directory it is told.
func explainToken(cfg *Config, dir string) (string, error) {
	if len(cfg.Server.Tokens) == 0 {
		return "", fmt.Errorf("the config has no server.tokens")
	}
	if dir == "" {
		dir = cfg.Server.Tokens[0].Name
	}
	chosen := ""
	for i := range cfg.Server.Tokens {
		t := &cfg.Server.Tokens[i]
		b := make([]byte, 24)
		if _, err := rand.Read(b); err != nil {
			return "", err
		}
		v := hex.EncodeToString(b)
		t.Token, t.SHA256 = adapters.Secret{Value: v}, ""
		if t.Name == dir && chosen == "" {
			chosen = v
		}
	}
	if chosen == "" {
		var names []string
		for _, t := range cfg.Server.Tokens {
			names = append(names, t.Name)
		}
		return "", fmt.Errorf("no token is named %q (directories: %s)", dir, strings.Join(names, ", "))
	}
	return chosen, nil
}

// argsText renders statement arguments as SQL literals would read.
func argsText(args []any) string {
	parts := make([]string, len(args))
	for i, a := range args {
		switch v := a.(type) {
		case nil:
			parts[i] = "NULL"
		case string:
			parts[i] = fmt.Sprintf("%q", v)
		case []byte:
			parts[i] = fmt.Sprintf("%q", string(v))
		default:
			parts[i] = fmt.Sprint(v)
		}
	}
	return "[" + strings.Join(parts, ", ") + "]"
}
