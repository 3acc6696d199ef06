package bus

import (
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// embeddedStartTimeout bounds how long the in-process server may take to become
// ready; JetStream recovering a large store is the slow case.
const embeddedStartTimeout = 30 * time.Second

// startEmbedded runs a NATS server inside this process with no network listener.
func startEmbedded(opts Options, log *slog.Logger) (*server.Server, error) {
	sopts := &server.Options{
		ServerName: "switchboard-embedded",
		DontListen: true,
		NoSigs:     true,
		JetStream:  true,
		StoreDir:   filepath.Join(opts.DataDir, "nats"),
	}
	if opts.DataDir == "" {
		// Without it JetStream would pick a directory under /tmp, shared by every
		// process on the machine.
		return nil, errors.New("start embedded nats: no data dir for the JetStream store")
	}
	ns, err := server.NewServer(sopts)
	if err != nil {
		return nil, fmt.Errorf("start embedded nats: %w", err)
	}
	ns.SetLoggerV2(serverLogger{log: log.With("component", "nats-server")}, false, false, false)
	ns.Start()
	if !ns.ReadyForConnections(embeddedStartTimeout) {
		ns.Shutdown()
		return nil, fmt.Errorf("start embedded nats: not ready after %s", embeddedStartTimeout)
	}
	return ns, nil
}

// serverLogger sends the embedded server's own log lines to slog, so one process
// has one log stream. Notices are routine start-up chatter, hence debug.
type serverLogger struct{ log *slog.Logger }

func (l serverLogger) Noticef(format string, v ...any) { l.log.Debug(fmt.Sprintf(format, v...)) }
func (l serverLogger) Warnf(format string, v ...any)   { l.log.Warn(fmt.Sprintf(format, v...)) }
func (l serverLogger) Errorf(format string, v ...any)  { l.log.Error(fmt.Sprintf(format, v...)) }
func (l serverLogger) Debugf(format string, v ...any)  { l.log.Debug(fmt.Sprintf(format, v...)) }
func (l serverLogger) Tracef(format string, v ...any)  { l.log.Debug(fmt.Sprintf(format, v...)) }

// Fatalf is logged, not fatal: the process that embeds the server decides when to
// exit, and Healthy will report the server gone.
func (l serverLogger) Fatalf(format string, v ...any) { l.log.Error(fmt.Sprintf(format, v...)) }
