package mysql

import (
	"testing"

	"github.com/scimbridge/scimbridge/adapters"
	"github.com/scimbridge/scimbridge/adapters/conformance"
	"github.com/scimbridge/scimbridge/adapters/mysql/mysqltest"
)

// TestConformance runs the port's conformance suite on this adapter: on
// the server SCIMBRIDGE_TEST_DSN names, else on the embedded engine.
func TestConformance(t *testing.T) {
	conformance.Run(t, func(t *testing.T) adapters.Adapter {
		return openSchema(t, &Config{DSN: adapters.Secret{Value: mysqltest.NewDatabase(t)}}, nil,
			"CREATE TABLE users (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, login VARCHAR(100) NOT NULL, display VARCHAR(100) NULL, tenant VARCHAR(10) NOT NULL)",
			"CREATE TABLE roles (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, name VARCHAR(64) NOT NULL, tenant VARCHAR(10) NOT NULL)",
			"CREATE TABLE user_roles (user_id INT NOT NULL, role_id INT NOT NULL, PRIMARY KEY (role_id, user_id))",
		)
	})
}
