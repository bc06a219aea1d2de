//go:build !unix

package storage

import "os"

// lockOwnerFile is not available here: liveness is unknown, and rows fall back to their lease.
func lockOwnerFile(*os.File) (bool, error) { return false, nil }

const ownerLocksSupported = false
