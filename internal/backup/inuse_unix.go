//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package backup

import (
	"errors"
	"fmt"
	"io"
	"os"
	"syscall"
)

// shmDMSByte is the byte of a WAL database's -shm file on which every process
// with the database open holds a shared POSIX lock for as long as it keeps a
// connection ("dead man switch", UNIX_SHM_DMS in SQLite's os_unix.c: 22+8
// 4-byte slots, then 8 lock bytes).
const shmDMSByte = (22+8)*4 + 8

// openedBy returns the id of another process that has the SQLite database at
// dbPath open, or 0 when none has. A serving node always has: its pools keep
// connections open, each holding the shared lock SQLite takes on the -shm file.
func openedBy(dbPath string) (int, error) {
	f, err := os.OpenFile(dbPath+"-shm", os.O_RDWR, 0)
	if errors.Is(err, os.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("check whether a node has %s open: %w", dbPath, err)
	}
	defer f.Close()
	lk := syscall.Flock_t{Type: syscall.F_WRLCK, Whence: io.SeekStart, Start: shmDMSByte, Len: 1}
	if err := syscall.FcntlFlock(f.Fd(), syscall.F_GETLK, &lk); err != nil {
		return 0, fmt.Errorf("check whether a node has %s open: %w", dbPath, err)
	}
	if lk.Type == syscall.F_UNLCK {
		return 0, nil
	}
	return int(lk.Pid), nil
}
