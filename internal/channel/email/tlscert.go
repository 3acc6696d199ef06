package email

import (
	"crypto/tls"
	"fmt"
	"os"
	"sync"
	"time"
)

// certFiles serves the listener's certificate for STARTTLS from a PEM
// certificate and key on disk, re-reading them at a handshake after either
// file changed (its modification time or size): a renewed certificate
// (certbot, an ACME client, a mounted secret) is presented from the next
// connection on, without a restart or a signal. A renewal that cannot be read
// yet — the key written a moment after the certificate — keeps the last good
// pair and is tried again at the next handshake.
type certFiles struct {
	certPath, keyPath string

	mu             sync.Mutex
	cert           *tls.Certificate
	certAt, keyAt  fileStamp
	onReloadFailed func(error)
}

type fileStamp struct {
	mod  time.Time
	size int64
}

func stamp(path string) (fileStamp, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return fileStamp{}, err
	}
	return fileStamp{mod: fi.ModTime(), size: fi.Size()}, nil
}

// loadCertFiles reads the pair once, so a wrong path or a key that does not
// match is reported at start-up.
func loadCertFiles(certPath, keyPath string, onReloadFailed func(error)) (*certFiles, error) {
	c := &certFiles{certPath: certPath, keyPath: keyPath, onReloadFailed: onReloadFailed}
	if err := c.reload(); err != nil {
		return nil, err
	}
	return c, nil
}

func (c *certFiles) reload() error {
	certAt, err := stamp(c.certPath)
	if err != nil {
		return fmt.Errorf("smtp tls certificate: %w", err)
	}
	keyAt, err := stamp(c.keyPath)
	if err != nil {
		return fmt.Errorf("smtp tls key: %w", err)
	}
	if c.cert != nil && certAt == c.certAt && keyAt == c.keyAt {
		return nil
	}
	pair, err := tls.LoadX509KeyPair(c.certPath, c.keyPath)
	if err != nil {
		return fmt.Errorf("smtp tls certificate and key: %w", err)
	}
	c.cert, c.certAt, c.keyAt = &pair, certAt, keyAt
	return nil
}

// GetCertificate is tls.Config's hook: the current pair, re-read if the files
// changed since it was loaded.
func (c *certFiles) GetCertificate(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.reload(); err != nil && c.onReloadFailed != nil {
		c.onReloadFailed(err)
	}
	return c.cert, nil
}

// tlsConfig is the listener's STARTTLS configuration.
func (c *certFiles) tlsConfig() *tls.Config {
	return &tls.Config{GetCertificate: c.GetCertificate, MinVersion: tls.VersionTLS12}
}
