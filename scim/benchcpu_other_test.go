//go:build !unix

package scim_test

import "time"

func processCPU() time.Duration { return -1 }
