package configref

import (
	"reflect"
	"strconv"

	"github.com/scimbridge/scimbridge/adapters/mysql"
	"github.com/scimbridge/scimbridge/cmd/scimbridge/cli"
)

// The command's side of the reference: its configuration type, what the
// types cannot say about its own keys and those of the MySQL adapter's
// config, and which type database.config decodes into. Only this test
// file imports the command, so that package configref depends on none.
func init() {
	Use(Program{
		Root: reflect.TypeFor[cli.Config](),
		Fields: map[fieldKey]FieldInfo{
			key[cli.Config]("server"):    {Required: true},
			key[cli.Config]("database"):  {Required: true},
			key[cli.Config]("resources"): {Required: true},

			key[cli.TelemetryConfig]("listen"): {Default: cli.DefaultTelemetryListen, Const: "DefaultTelemetryListen"},
			// newLogger falls back to text and info.
			key[cli.LogConfig]("format"):   {DefaultText: "text", Enum: []string{"text", "json"}},
			key[cli.LogConfig]("level"):    {DefaultText: "info", Enum: []string{"debug", "info", "warn", "error"}},
			key[cli.AuditConfig]("output"): {Default: "stdout", Example: "/var/log/scimbridge/audit.log"},

			key[cli.DatabaseConfig]("type"):   {Required: true, Enum: []string{"mysql"}},
			key[cli.DatabaseConfig]("config"): {Required: true},

			// mysql.Config.FormatDSN fills in host and port.
			key[mysql.Config]("dsn"):             {Example: "{fromEnv: SCIMBRIDGE_DSN}"},
			key[mysql.Config]("host"):            {DefaultText: "127.0.0.1"},
			key[mysql.Config]("port"):            {DefaultText: "3306"},
			key[mysql.Config]("params"):          {MapKey: "parameter", Sample: "tls"},
			key[mysql.Config]("maxOpenConns"):    {DefaultText: strconv.Itoa(mysql.DefaultMaxOpenConns), Const: "DefaultMaxOpenConns"},
			key[mysql.Config]("maxIdleConns"):    {DefaultText: strconv.Itoa(mysql.DefaultMaxIdleConns), Const: "DefaultMaxIdleConns"},
			key[mysql.Config]("connMaxLifetime"): {DefaultText: duration(mysql.DefaultConnMaxLifetime), Const: "DefaultConnMaxLifetime"},
			key[mysql.Config]("uniquenessLocks"): {Default: mysql.LocksNamed, Enum: []string{mysql.LocksNamed, mysql.LocksTableMode}, Example: mysql.LocksTableMode},
		},
		Decoded: map[fieldKey]reflect.Type{
			// database.config, by database.type; mysql is the only adapter.
			key[cli.DatabaseConfig]("config"): reflect.TypeFor[mysql.Config](),
		},
	})
}
