package cli

import (
	"errors"
	"fmt"
	"net"
	"syscall"
)

// check tries the listen addresses the way serve opens them, so that an
// address serve cannot listen on is reported before serve fails on it.
// An address in use is only a warning: check is run beside a scimbridge
// that is already serving the same configuration (before a reload, or in
// the same container), and that scimbridge holds the addresses. Every
// other failure (an address this host does not have, a port this user
// may not open, an unknown host, two keys on one address) would stop
// serve with this configuration on this host whatever else runs there,
// and is a problem. The test is check's alone: serve listens for real,
// and a reload keeps the listeners it has.

// listenKey is one listen address of the configuration.
type listenKey struct {
	// label names the value in messages: its YAML path, or the flag or
	// variable overriding it.
	label string
	addr  string
}

// listenKeys returns the addresses serve would listen on, labelled by
// where they come from.
func listenKeys(cfg *Config, ov *overrides) []listenKey {
	var out []listenKey
	for _, s := range settings {
		if s.key != "server.listen" && s.key != "telemetry.listen" {
			continue
		}
		v := *s.field(cfg)
		if v == "" || v == "off" {
			continue
		}
		label := s.key
		if _, from, ok := ov.lookup(s); ok {
			label = fmt.Sprintf("%s (overriding %s)", from, s.key)
		}
		out = append(out, listenKey{label, v})
	}
	return out
}

// listenProblems listens on each address in turn, holding the ones it
// could open, and returns what would stop serve (as "label: problem") and
// the addresses in use (as warnings). serve listens on server.listen
// first, then on telemetry.listen, and so does this.
func listenProblems(keys []listenKey) (probs, warnings []string) {
	var held []net.Listener
	defer func() {
		for _, l := range held {
			l.Close()
		}
	}()
	for _, k := range keys {
		if p := checkAddress(k.addr); p != "" {
			probs = append(probs, k.label+": "+p)
			continue
		}
		ln, err := net.Listen("tcp", k.addr)
		if err == nil {
			held = append(held, ln)
			continue
		}
		overlaps := false
		if errors.Is(err, syscall.EADDRINUSE) && len(held) > 0 {
			// In use by the first key's listener, or by another program?
			overlaps = freeAlone(k.addr, held)
			held = nil
		}
		switch {
		case overlaps:
			probs = append(probs, fmt.Sprintf("%s: %s overlaps %s (%s), which serve listens on first; expected another port", k.label, k.addr, keys[0].label, keys[0].addr))
		case errors.Is(err, syscall.EADDRINUSE):
			warnings = append(warnings, fmt.Sprintf("%s: %s is in use: serve would not start on this host, unless this is the scimbridge already serving there", k.label, k.addr))
		case errors.Is(err, syscall.EACCES):
			probs = append(probs, fmt.Sprintf("%s: cannot listen on %s (%v); expected a port from 1024 up, or CAP_NET_BIND_SERVICE for this user", k.label, k.addr, cause(err)))
		case errors.Is(err, syscall.EADDRNOTAVAIL):
			probs = append(probs, fmt.Sprintf("%s: cannot listen on %s (%v): the host has no such address; expected one of its addresses, or :PORT for all", k.label, k.addr, cause(err)))
		default:
			probs = append(probs, fmt.Sprintf("%s: cannot listen on %s (%v)", k.label, k.addr, cause(err)))
		}
	}
	return probs, warnings
}

// freeAlone closes held and reports whether addr, in use while they were
// open, can then be listened on: it overlaps one of them, not another
// program's address.
func freeAlone(addr string, held []net.Listener) bool {
	for _, l := range held {
		l.Close()
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return false
	}
	ln.Close()
	return true
}

// cause is a listen error without the operation and address it repeats
// ("bind: permission denied").
func cause(err error) error {
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Err != nil {
		return oe.Err
	}
	return err
}
