//go:build !(linux || windows || (darwin && cgo))

package scanner

import (
	"fmt"

	"go.bug.st/serial"
)

// ListPorts returns the serial ports of this machine (names only on this platform).
// Pseudo-terminals (socat pairs, tests) are not listed: give their path in SerialConfig.Port.
func ListPorts() ([]PortInfo, error) {
	names, err := serial.GetPortsList()
	if err != nil {
		return nil, fmt.Errorf("list serial ports: %w", err)
	}
	out := make([]PortInfo, 0, len(names))
	for _, n := range names {
		out = append(out, PortInfo{Name: n})
	}
	return out, nil
}
