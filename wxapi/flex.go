package wxapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
)

// flexBool reads a JSON bool, the strings "true"/"false", or 1/0, and remembers whether it was present.
type flexBool struct {
	V   bool
	Set bool
}

// UnmarshalJSON accepts true, false, "true", "false", 1, 0 and null.
func (b *flexBool) UnmarshalJSON(p []byte) error {
	p = bytes.TrimSpace(p)
	switch string(p) {
	case "null":
		return nil
	case "true", `"true"`, "1", `"1"`, `"TRUE"`, `"True"`:
		b.V, b.Set = true, true
	case "false", `"false"`, "0", `"0"`, `""`, `"FALSE"`, `"False"`:
		b.V, b.Set = false, true
	default:
		return fmt.Errorf("wxapi: %s is not a boolean", p)
	}
	return nil
}

// flexInt reads a JSON integer or a string holding one.
type flexInt int64

// UnmarshalJSON accepts 123, "123", "" (0) and null.
func (n *flexInt) UnmarshalJSON(p []byte) error {
	p = bytes.TrimSpace(p)
	if string(p) == "null" {
		return nil
	}
	if len(p) > 0 && p[0] == '"' {
		var s string
		if err := json.Unmarshal(p, &s); err != nil {
			return err
		}
		if s == "" {
			*n = 0
			return nil
		}
		p = []byte(s)
	}
	v, err := strconv.ParseInt(string(p), 10, 64)
	if err != nil {
		f, ferr := strconv.ParseFloat(string(p), 64)
		if ferr != nil {
			return fmt.Errorf("wxapi: %s is not an integer", p)
		}
		v = int64(f)
	}
	*n = flexInt(v)
	return nil
}

// flexString reads a JSON string or a number (membership numbers come either way).
type flexString string

// UnmarshalJSON accepts "abc", 123 and null.
func (s *flexString) UnmarshalJSON(p []byte) error {
	p = bytes.TrimSpace(p)
	if string(p) == "null" {
		return nil
	}
	if len(p) > 0 && p[0] == '"' {
		var v string
		if err := json.Unmarshal(p, &v); err != nil {
			return err
		}
		*s = flexString(v)
		return nil
	}
	*s = flexString(p)
	return nil
}
