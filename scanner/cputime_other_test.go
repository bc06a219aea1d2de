//go:build !linux

package scanner

import "time"

// threadCPU is unavailable here: the benchmarks report wall time only.
func threadCPU() (func() time.Duration, func()) {
	return func() time.Duration { return 0 }, func() {}
}
