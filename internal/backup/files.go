package backup

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// copyChunk is how much is read between progress reports and cancellation checks.
const copyChunk = 4 << 20

// hashFile returns the size and SHA-256 of path, reporting progress as stage.
func hashFile(ctx context.Context, path, stage string, report func(Progress)) (File, error) {
	f, err := os.Open(path)
	if err != nil {
		return File{}, fmt.Errorf("hash %s: %w", filepath.Base(path), err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return File{}, fmt.Errorf("hash %s: %w", filepath.Base(path), err)
	}
	h := sha256.New()
	n, err := copyWithProgress(ctx, h, f, info.Size(), stage, report)
	if err != nil {
		return File{}, fmt.Errorf("hash %s: %w", filepath.Base(path), err)
	}
	return File{Path: filepath.Base(path), Size: n, SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}

// copyVerified copies src to a new file dst (0600), fsyncs it, and checks that
// what was read matches want; on any failure dst is removed.
func copyVerified(ctx context.Context, src, dst string, want File, report func(Progress)) (err error) {
	in, err := os.Open(src)
	if err != nil {
		return fmt.Errorf("open %s: %w", want.Path, err)
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("create %s: %w", filepath.Base(dst), err)
	}
	defer func() {
		if cerr := out.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("close %s: %w", filepath.Base(dst), cerr)
		}
		if err != nil {
			os.Remove(dst)
		}
	}()
	h := sha256.New()
	n, err := copyWithProgress(ctx, io.MultiWriter(out, h), in, want.Size, "restore "+want.Path, report)
	if err != nil {
		return fmt.Errorf("copy %s: %w", want.Path, err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); n != want.Size || got != want.SHA256 {
		return fmt.Errorf("%w: %s is %d bytes with sha256 %s; the manifest says %d bytes, %s", ErrCorrupt, want.Path, n, got, want.Size, want.SHA256)
	}
	if err := out.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", filepath.Base(dst), err)
	}
	return nil
}

// copyWithProgress copies in chunks, checking ctx and reporting after each.
func copyWithProgress(ctx context.Context, w io.Writer, r io.Reader, total int64, stage string, report func(Progress)) (int64, error) {
	var done int64
	for {
		if err := ctx.Err(); err != nil {
			return done, err
		}
		n, err := io.CopyN(w, r, copyChunk)
		done += n
		if report != nil {
			report(Progress{Stage: stage, Done: done, Total: max(total, done)})
		}
		if errors.Is(err, io.EOF) {
			return done, nil
		}
		if err != nil {
			return done, err
		}
	}
}

// writeFileAtomic writes data to path through a synced temporary file and a rename.
func writeFileAtomic(path string, data []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		return fmt.Errorf("write %s: %w", filepath.Base(path), err)
	}
	f, err := os.Open(tmp)
	if err == nil {
		err = f.Sync()
		f.Close()
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", filepath.Base(path), err)
	}
	return syncDir(filepath.Dir(path))
}

// syncDir makes a directory's entries (a rename, a new file) durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}

// dirEntries lists dir's entries; a missing directory has none.
func dirEntries(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", dir, err)
	}
	names := make([]string, len(entries))
	for i, e := range entries {
		names[i] = e.Name()
	}
	return names, nil
}
