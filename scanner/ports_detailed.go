//go:build linux || windows || (darwin && cgo)

package scanner

import (
	"fmt"

	"go.bug.st/serial/enumerator"
)

// ListPorts returns the serial ports of this machine, USB ones with their vendor and product.
// Pseudo-terminals (socat pairs, tests) are not listed: give their path in SerialConfig.Port.
func ListPorts() ([]PortInfo, error) {
	ports, err := enumerator.GetDetailedPortsList()
	if err != nil {
		return nil, fmt.Errorf("list serial ports: %w", err)
	}
	out := make([]PortInfo, 0, len(ports))
	for _, p := range ports {
		out = append(out, PortInfo{Name: p.Name, USB: p.IsUSB, VID: p.VID, PID: p.PID, Product: p.Product, SerialNumber: p.SerialNumber})
	}
	return out, nil
}
