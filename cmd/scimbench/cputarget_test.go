package main

import (
	"testing"
	"time"
)

func TestCPUTargetVerdict(t *testing.T) {
	us := time.Microsecond
	for _, c := range []struct {
		t          cpuTarget
		cpu, floor time.Duration
		want       string
	}{
		{cpuTarget{over: 60 * us}, 130 * us, 73 * us, "<= floor+60: floor+57 met"},
		{cpuTarget{over: 60 * us}, 170 * us, 73 * us, "<= floor+60: floor+97 NOT met"},
		{cpuTarget{over: 150 * us}, 223 * us, 73 * us, "<= floor+150: floor+150 met"},
		{cpuTarget{over: 5 * us, per: 100}, 573 * us, 73 * us, "<= 5 µs/user: 5.0 µs/user met"},
		{cpuTarget{over: 5 * us, per: 100}, 1766 * us, 73 * us, "<= 5 µs/user: 16.9 µs/user NOT met"},
		{cpuTarget{over: 60 * us}, -1, 73 * us, "<= floor+60 unknown"},
		{cpuTarget{over: 60 * us}, 100 * us, -1, "<= floor+60 unknown"},
		{cpuTarget{}, 100 * us, 73 * us, ""},
	} {
		if got := c.t.verdict(c.cpu, c.floor); got != c.want {
			t.Errorf("%+v.verdict(%v, %v) = %q, want %q", c.t, c.cpu, c.floor, got, c.want)
		}
	}
}

func TestBeyondSQL(t *testing.T) {
	const us = time.Microsecond
	for _, c := range []struct {
		sidecar, floor, client time.Duration
		want                   string
	}{
		{166 * us, 50 * us, 83 * us, "+33"},
		{120 * us, 50 * us, 83 * us, "-13"},
		{-1, 50 * us, 83 * us, "-"},
		{166 * us, -1, 83 * us, "-"},
		{166 * us, 50 * us, -1, "-"},
	} {
		if got := beyondSQL(c.sidecar, c.floor, c.client); got != c.want {
			t.Errorf("beyondSQL(%v, %v, %v) = %q, want %q", c.sidecar, c.floor, c.client, got, c.want)
		}
	}
}
