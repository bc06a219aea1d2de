//go:build linux

package scanner

import (
	"runtime"
	"time"

	"golang.org/x/sys/unix"
)

// threadCPU returns a clock of the CPU time the calling OS thread has used (nanosecond
// resolution), and a func to unlock the thread: benchmarks measure one decode's work on one
// core even when other processes share the CPU.
func threadCPU() (func() time.Duration, func()) {
	runtime.LockOSThread()
	now := func() time.Duration {
		var ts unix.Timespec
		if err := unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &ts); err != nil {
			return 0
		}
		return time.Duration(ts.Nano())
	}
	return now, runtime.UnlockOSThread
}
