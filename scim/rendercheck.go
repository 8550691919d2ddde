package scim

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/scimbridge/scimbridge/internal/jsonenc"
)

// checkRendering is on in test binaries: there every document written
// straight from its row (mapping's AppendDocument) is built again as a
// map by FromRecord, the way a projection or a write needs it, and the
// two must encode byte for byte alike, or the request fails. So every
// test that reads a resource, on every example's mapping and on both
// engines, checks the one against the other.
var checkRendering = testing.Testing()

// checkRendered checks the document got, written from it.rec, against
// FromRecord's.
func (s *Server) checkRendered(c *gin.Context, it item, got []byte) error {
	base := s.baseURL(c)
	want := s.render(base, it.r, it.rec)
	if len(it.groups) > 0 {
		want.doc["groups"] = groupEntries(base, it.r.groupsOf, it.groups)
	}
	b, err := jsonenc.Append(nil, want.doc)
	if err != nil {
		return err
	}
	if !bytes.Equal(b, got) {
		return fmt.Errorf("checking rendering: AppendDocument wrote\n%s\nwhere FromRecord gives\n%s", got, b)
	}
	return nil
}
