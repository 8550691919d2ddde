package scim

// WithoutRenderingCheck turns checkRendering off until the function it
// returns is called: the benchmarks and allocation counts of requests
// measure the sidecar as it serves, not the check.
func WithoutRenderingCheck() (restore func()) {
	was := checkRendering
	checkRendering = false
	return func() { checkRendering = was }
}
