package cli

import (
	"github.com/scimbridge/scimbridge/adapters"
	"github.com/scimbridge/scimbridge/adapters/mysql"
)

// adapterTypes maps database.type to a new empty config of that adapter:
// the one place serve, check and explain name a storage adapter (init,
// which reads a MySQL DSN, is the other). A second backend is a package
// implementing adapters.Config (and whichever optional capabilities of
// package adapters it has), and one line here; nothing in scim or mapping
// changes.
var adapterTypes = map[string]func() adapters.Config{
	"mysql": func() adapters.Config { return new(mysql.Config) },
}
