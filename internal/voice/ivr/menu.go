package ivr

import (
	"errors"
	"time"
)

// Menu is one call's walk through a number's keypad menu. Keys may be
// pressed while a menu is being said (they barge in). After a menu is said
// the caller has the timeout to press a key; no key or a wrong one says the
// menu again, up to the retries, and then the call goes to the menu's
// OnFail action. A Menu is not safe for concurrent use: one call feeds it.
type Menu struct {
	cfg     *MenuConfig
	lang    string
	ph      phrases
	open    bool
	timeout time.Duration
	retries int
	onFail  Action

	stack     []*Node // the menus walked into; the last is the current one
	digits    []rune
	misses    int    // no-input or wrong keys at the current menu
	entry     []rune // digits entered so far at a collect node
	collected map[string]string
	waiting
}

// waiting is the timing shared by the machines: whether prompts are still
// playing, when the machine wants to be ticked, and how it ended.
type waiting struct {
	playing bool
	until   time.Time
	ended   *End
}

// NewMenu starts a caller on cfg (validated by ParseMenu or Validate) in
// their language lang, if the menu speaks it, else in the menu's own. open
// says whether the number is within its hours (sla.Hours.Open at the call's
// start); outside them the caller goes to voicemail.
func NewMenu(cfg *MenuConfig, lang string, open bool) (*Menu, error) {
	if cfg == nil {
		return nil, errors.New("ivr: no menu")
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	use := cfg.Language
	if _, l, err := book(lang); err == nil && cfg.Menu.Prompt[l] != "" {
		use = l
	}
	ph, _, _ := book(use)
	m := &Menu{cfg: cfg, lang: use, ph: ph, open: open, timeout: DefaultTimeout, retries: DefaultRetries,
		onFail: Action{Type: ActionOperator}, stack: []*Node{&cfg.Menu}}
	if cfg.Timeout != 0 {
		m.timeout = time.Duration(cfg.Timeout)
	}
	if cfg.Retries != nil {
		m.retries = *cfg.Retries
	}
	if cfg.OnFail != nil {
		m.onFail = *cfg.OnFail
	}
	return m, nil
}

// Language is the language the caller hears.
func (m *Menu) Language() string { return m.lang }

func (m *Menu) text(t Text) Sound { return Sound{Text: t.In(m.lang, m.cfg.Language), Lang: m.lang} }

func (m *Menu) current() *Node { return m.stack[len(m.stack)-1] }

// Start greets the caller and says the main menu, or, outside hours, says
// the closed message and ends in voicemail.
func (m *Menu) Start(now time.Time) Step {
	if !m.open {
		var play []Sound
		if m.cfg.Closed.In(m.lang, m.cfg.Language) != "" {
			play = append(play, m.text(m.cfg.Closed))
		}
		return m.end(false, play, End{Reason: ReasonClosed, Action: Action{Type: ActionVoicemail}})
	}
	var play []Sound
	if m.cfg.Greeting.In(m.lang, m.cfg.Language) != "" {
		play = append(play, m.text(m.cfg.Greeting))
	}
	return m.say(now, false, append(play, m.text(m.current().Prompt))...)
}

// PlayDone starts the wait for a key.
func (m *Menu) PlayDone(now time.Time) Step { return m.played(now, m.timeout) }

// Tick re-prompts after the timeout, or ends the menu after the retries.
func (m *Menu) Tick(now time.Time) Step {
	if m.ended != nil || now.Before(m.until) {
		return m.idle()
	}
	if m.playing {
		return m.PlayDone(now)
	}
	if c := m.current().Collect; c != nil && len(m.entry) > 0 {
		if len(m.entry) >= c.Min {
			return m.entered(now)
		}
		return m.miss(now, false, ReasonInvalid, m.cfg.Invalid, m.ph.invalid)
	}
	return m.miss(now, false, ReasonNoInput, m.cfg.NoInput, m.ph.noInput)
}

// collect takes a key at a collect node.
func (m *Menu) collect(now time.Time, d rune) Step {
	c := m.current().Collect
	switch {
	case d == '*':
		m.entry = m.entry[:0]
	case d == '#':
		if len(m.entry) < c.Min {
			return m.miss(now, true, ReasonInvalid, m.cfg.Invalid, m.ph.invalid)
		}
		return m.entered(now)
	default:
		m.entry = append(m.entry, d)
		if len(m.entry) == c.Max {
			return m.entered(now)
		}
	}
	m.playing = false
	m.until = now.Add(m.timeout)
	return Step{Interrupt: true, Until: m.until}
}

// entered keeps the number entered and goes on to the node's Next.
func (m *Menu) entered(now time.Time) Step {
	n := m.current()
	if m.collected == nil {
		m.collected = map[string]string{}
	}
	m.collected[n.Collect.Field] = string(m.entry)
	m.entry = nil
	return m.enter(now, n.Next)
}

// Digit follows the key's option in the current menu.
func (m *Menu) Digit(now time.Time, d rune) Step {
	if m.ended != nil || !digitOK(d) {
		return m.idle()
	}
	if m.current().Collect != nil {
		return m.collect(now, d)
	}
	next, ok := m.current().Options[string(d)]
	if !ok {
		return m.miss(now, true, ReasonInvalid, m.cfg.Invalid, m.ph.invalid)
	}
	m.digits = append(m.digits, d)
	return m.enter(now, next)
}

// enter goes to next: a menu or a collect node is said, an action taken.
func (m *Menu) enter(now time.Time, next *Node) Step {
	if next.Action == nil { // a submenu or a number to collect
		m.stack = append(m.stack, next)
		m.misses = 0
		return m.say(now, true, m.text(next.Prompt))
	}
	switch a := *next.Action; a.Type {
	case ActionRepeat:
		return m.say(now, true, m.text(m.current().Prompt))
	case ActionBack:
		if len(m.stack) > 1 {
			m.stack = m.stack[:len(m.stack)-1]
		}
		m.misses = 0
		return m.say(now, true, m.text(m.current().Prompt))
	default:
		return m.end(true, m.handOver(a), End{Reason: ReasonChosen, Action: a})
	}
}

// Hangup ends the menu.
func (m *Menu) Hangup(now time.Time) Step {
	if m.ended != nil {
		return m.idle()
	}
	return m.end(true, nil, End{Reason: ReasonHangup, Action: Action{Type: ActionHangup}})
}

// miss counts a wrong key or a silence: the menu again, or the end.
func (m *Menu) miss(now time.Time, interrupt bool, reason string, custom Text, builtin string) Step {
	m.misses++
	m.entry = m.entry[:0]
	if m.misses > m.retries {
		return m.end(interrupt, m.handOver(m.onFail), End{Reason: reason, Action: m.onFail})
	}
	sorry := Sound{Text: builtin, Lang: m.lang}
	if custom.In(m.lang, m.cfg.Language) != "" {
		sorry = m.text(custom)
	}
	return m.say(now, interrupt, sorry, m.text(m.current().Prompt))
}

// handOver is what is said when the menu hands the call on.
func (m *Menu) handOver(a Action) []Sound {
	switch a.Type {
	case ActionQueue, ActionOperator:
		return []Sound{{Text: m.ph.connecting, Lang: m.lang}}
	case ActionHangup:
		return []Sound{{Text: m.ph.goodbye, Lang: m.lang}}
	}
	return nil
}

func (m *Menu) end(interrupt bool, play []Sound, e End) Step {
	e.Digits = string(m.digits)
	e.Collected = m.collected
	return m.finish(Step{Interrupt: interrupt, Play: play}, e)
}

// say plays sounds and waits for them to be played.
func (w *waiting) say(now time.Time, interrupt bool, sounds ...Sound) Step {
	w.playing = true
	w.until = now.Add(playGuard(sounds))
	return Step{Interrupt: interrupt, Play: sounds, Until: w.until}
}

// played ends the playing and waits wait for what comes next.
func (w *waiting) played(now time.Time, wait time.Duration) Step {
	if w.ended != nil || !w.playing {
		return w.idle()
	}
	w.playing = false
	w.until = now.Add(wait)
	return Step{Until: w.until}
}

// idle is the answer to an input that changes nothing.
func (w *waiting) idle() Step {
	if w.ended != nil {
		return Step{End: w.ended}
	}
	return Step{Until: w.until}
}

// finish ends the dialogue with s and e.
func (w *waiting) finish(s Step, e End) Step {
	w.ended = &e
	w.playing = false
	w.until = time.Time{}
	s.End = w.ended
	return s
}
