//go:build linux

package scanner

import (
	"runtime"
	"syscall"
	"time"
)

// threadCPU returns the CPU time the calling OS thread has used, and a func to unlock it:
// benchmarks measure one decode's work on one core even when other processes share the CPU.
func threadCPU() (func() time.Duration, func()) {
	runtime.LockOSThread()
	const rusageThread = 1 // RUSAGE_THREAD
	now := func() time.Duration {
		var ru syscall.Rusage
		if err := syscall.Getrusage(rusageThread, &ru); err != nil {
			return 0
		}
		return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	return now, runtime.UnlockOSThread
}
