package backup

import (
	"fmt"
	"io"
)

// Progress is how far one stage of a backup or restore has come, in bytes.
type Progress struct {
	Stage       string
	Done, Total int64
}

// Meter prints progress lines for people watching a long copy: one when a
// stage starts, one each time it passes another Step percent, and one when it
// ends, so a multi-gigabyte copy prints a few dozen lines, not thousands.
type Meter struct {
	w     io.Writer
	step  int
	stage string
	last  int // percent last printed for stage; -1 before the first line
}

// NewMeter returns a Meter writing to w every step percent (1–100).
func NewMeter(w io.Writer, step int) *Meter {
	return &Meter{w: w, step: min(max(step, 1), 100), last: -1}
}

// Report prints p if it is worth a line. It is a func(Progress), for Options.
func (m *Meter) Report(p Progress) {
	if line, ok := m.next(p); ok {
		fmt.Fprintln(m.w, line)
	}
}

// next decides whether p deserves a line and renders it.
func (m *Meter) next(p Progress) (string, bool) {
	if p.Stage != m.stage {
		m.stage, m.last = p.Stage, -1
	}
	pct := 100
	if p.Total > 0 {
		pct = int(p.Done * 100 / p.Total)
	}
	if m.last >= 0 && pct < 100 && pct < m.last+m.step {
		return "", false
	}
	if m.last == 100 {
		return "", false
	}
	m.last = pct
	return fmt.Sprintf("%s: %3d%% (%s of %s)", p.Stage, pct, size(p.Done), size(p.Total)), true
}

// size renders a byte count for people: 512 B, 4.0 MiB, 1.2 GiB.
func size(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for v := n / unit; v >= unit; v /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
