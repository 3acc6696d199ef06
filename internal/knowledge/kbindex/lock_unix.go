//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package kbindex

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// lockDir takes the node's index directory for this process: an exclusive
// lock on its lock file, held until release. Another holder (a node serving
// from the same data directory) makes it fail with ErrInUse.
func lockDir(dir string) (release func(), err error) {
	f, err := os.OpenFile(filepath.Join(dir, "lock"), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("kbindex: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, ErrInUse
		}
		return nil, fmt.Errorf("kbindex: lock %s: %w", dir, err)
	}
	return func() { f.Close() }, nil
}
