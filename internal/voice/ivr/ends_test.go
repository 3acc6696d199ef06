package ivr_test

import (
	"fmt"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/switchboard-cx/switchboard/internal/voice/ivr"
)

// genNode draws a menu (depth ≤ max) or an action.
func genNode(t *rapid.T, depth, maxDepth int, label string) *ivr.Node {
	if depth > 1 && (depth == maxDepth || rapid.Bool().Draw(t, label+".leaf")) {
		a := ivr.Action{Type: rapid.SampledFrom([]string{ivr.ActionQueue, ivr.ActionVoicemail, ivr.ActionOperator,
			ivr.ActionHangup, ivr.ActionRepeat, ivr.ActionBack}).Draw(t, label+".action")}
		if a.Type == ivr.ActionQueue {
			a.Queue = "q" + label
		}
		return &ivr.Node{Action: &a}
	}
	if depth < maxDepth && rapid.IntRange(0, 3).Draw(t, label+".collect") == 0 {
		lo := rapid.IntRange(1, 4).Draw(t, label+".min")
		next := genNode(t, depth+1, maxDepth, label+"n")
		for next.Action != nil && (next.Action.Type == ivr.ActionRepeat || next.Action.Type == ivr.ActionBack) {
			next = genNode(t, depth+1, maxDepth, label+"n")
		}
		return &ivr.Node{Prompt: ivr.Text{"en": "Number " + label}, Next: next,
			Collect: &ivr.Collect{Field: "f", Min: lo, Max: lo + rapid.IntRange(0, 4).Draw(t, label+".max")}}
	}
	n := &ivr.Node{Prompt: ivr.Text{"en": "Menu " + label}, Options: map[string]*ivr.Node{}}
	keys := rapid.SliceOfNDistinct(rapid.SampledFrom([]string{"0", "1", "2", "3", "9", "*", "#"}), 1, 4, rapid.ID[string]).Draw(t, label+".keys")
	for _, k := range keys {
		n.Options[k] = genNode(t, depth+1, maxDepth, label+k)
	}
	return n
}

// dialogue draws one of the machines.
func dialogue(t *rapid.T) ivr.Dialogue {
	switch rapid.IntRange(0, 2).Draw(t, "kind") {
	case 0:
		retries := rapid.IntRange(0, 5).Draw(t, "retries")
		cfg := &ivr.MenuConfig{Language: "en", Retries: &retries, Menu: *genNode(t, 1, ivr.MaxDepth, "m")}
		if err := cfg.Validate(); err != nil {
			t.Fatalf("generated an invalid menu: %v", err)
		}
		m, err := ivr.NewMenu(cfg, rapid.SampledFrom([]string{"en", "de", "xx"}).Draw(t, "lang"), rapid.Bool().Draw(t, "open"))
		if err != nil {
			t.Fatal(err)
		}
		return m
	case 1:
		d, err := ivr.NewNoticeDialogue(payment(rapid.SampledFrom([]string{"en", "de"}).Draw(t, "lang")))
		if err != nil {
			t.Fatal(err)
		}
		return d
	default:
		vm, err := ivr.NewVoicemail(ivr.VoicemailConfig{Language: "es"})
		if err != nil {
			t.Fatal(err)
		}
		return vm
	}
}

// TestEveryDialogueEnds: whatever happened before, a caller who then does
// nothing at all (no key, no sound, not even a PlayDone from the driver)
// comes to an end with a reason, and a tick never asks for a tick at or
// before itself.
func TestEveryDialogueEnds(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		d := dialogue(t)
		now := t0
		step := d.Start(now)
		check := func(what string) {
			if step.End == nil && step.Until.IsZero() {
				t.Fatalf("%s: not ended and no deadline", what)
			}
			if step.End != nil && (step.End.Reason == "" || step.End.Action.Type == "") {
				t.Fatalf("%s: ended without a reason or action: %+v", what, step.End)
			}
		}
		// A driver ticks at every deadline (its timer), so an input never
		// comes after a deadline that has not been ticked.
		tickDue := func(what string) {
			for step.End == nil && !step.Until.After(now) {
				at := step.Until
				step = d.Tick(at)
				if step.End == nil && !step.Until.After(at) {
					t.Fatalf("%s: ticked at %v, next deadline %v is not later", what, at, step.Until)
				}
			}
		}
		check("start")
		// Some input first: keys, played prompts, sound, time.
		for i := range rapid.IntRange(0, 30).Draw(t, "inputs") {
			if step.End != nil {
				break
			}
			now = now.Add(time.Duration(rapid.IntRange(0, 3000).Draw(t, fmt.Sprint("gap", i))) * time.Millisecond)
			tickDue(fmt.Sprint("before input ", i))
			if step.End != nil {
				break
			}
			switch rapid.IntRange(0, 3).Draw(t, fmt.Sprint("input", i)) {
			case 0:
				step = d.Digit(now, rapid.SampledFrom([]rune("0123456789*#x")).Draw(t, fmt.Sprint("key", i)))
			case 1:
				step = d.PlayDone(now)
			case 2:
				if vm, ok := d.(*ivr.Voicemail); ok {
					step = vm.Audio(now, rapid.Float64Range(0, 0.2).Draw(t, fmt.Sprint("energy", i)))
				} else {
					step = d.Tick(now)
				}
			default:
				step = d.Tick(now)
			}
			check(fmt.Sprint("input ", i))
		}
		// Then nothing: only time passes, to each deadline in turn.
		for n := 0; step.End == nil; n++ {
			if n > 100 {
				t.Fatalf("still going after 100 deadlines with no input (now %v)", now)
			}
			now = step.Until
			tickDue(fmt.Sprint("silence ", n))
			check(fmt.Sprint("silence ", n))
		}
		if now.Sub(t0) > 2*time.Hour {
			t.Fatalf("took %v to end", now.Sub(t0))
		}
	})
}
