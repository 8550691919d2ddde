// Module compare measures and checks scim/filter against what it replaced:
// github.com/scim2/filter-parser/v2 and scimbridge's own one-comparison
// fast path. It is a separate module so that the library stays out of
// scimbridge's go.mod; make bench and .ci/run run it.
module github.com/scimbridge/scimbridge/scim/filter/compare

go 1.26.8

require (
	github.com/scim2/filter-parser/v2 v2.3.1
	github.com/scimbridge/scimbridge v0.0.0
)

require github.com/q-uint/parser v0.3.1 // indirect

replace github.com/scimbridge/scimbridge => ../../..
