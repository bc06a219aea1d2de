//go:build unix

package storage

import (
	"errors"
	"os"
	"syscall"
)

// lockOwnerFile takes an exclusive, non-blocking flock on f. The lock lives as long as the open
// file: the kernel drops it when the process dies, however it dies.
func lockOwnerFile(f *os.File) (bool, error) {
	err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	if errors.Is(err, syscall.EWOULDBLOCK) {
		return false, nil
	}
	return err == nil, err
}

const ownerLocksSupported = true
