package mysql

import (
	"fmt"
	"time"
)

// redacted describes the arguments of a statement a dry run logs without
// their values, which are the identity provider's attribute values (names,
// e-mail addresses: personal data): each becomes its type and size, such
// as string(17), int or NULL, enough to see which parameter is which.
func redacted(args []any) []string {
	out := make([]string, len(args))
	for i, a := range args {
		switch v := a.(type) {
		case nil:
			out[i] = "NULL"
		case string:
			out[i] = fmt.Sprintf("string(%d)", len(v))
		case []byte:
			out[i] = fmt.Sprintf("bytes(%d)", len(v))
		case time.Time:
			out[i] = "time"
		case bool:
			out[i] = "bool"
		case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
			out[i] = "int"
		case float32, float64:
			out[i] = "float"
		default:
			out[i] = fmt.Sprintf("%T", a)
		}
	}
	return out
}
