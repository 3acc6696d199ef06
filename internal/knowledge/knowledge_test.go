package knowledge

import (
	"errors"
	"testing"
)

func TestMove(t *testing.T) {
	cases := []struct {
		from, to  State
		publisher bool
		want      error
	}{
		{WorkInProgress, NotValidated, false, nil},
		{NotValidated, WorkInProgress, false, nil},
		{NotValidated, Validated, false, ErrForbidden},
		{NotValidated, Validated, true, nil},
		{Validated, Published, true, nil},
		{Validated, Published, false, ErrForbidden},
		{Published, WorkInProgress, false, ErrForbidden},
		{Published, Archived, true, nil},
		{Archived, NotValidated, true, ErrTransition},
		{Archived, Published, true, nil},
		{WorkInProgress, WorkInProgress, true, ErrTransition},
		{WorkInProgress, "gone", true, ErrTransition},
	}
	for _, c := range cases {
		if got := Move(c.from, c.to, c.publisher); !errors.Is(got, c.want) {
			t.Errorf("Move(%s→%s, publisher=%v) = %v, want %v", c.from, c.to, c.publisher, got, c.want)
		}
	}
}

func TestMayEdit(t *testing.T) {
	if err := MayEdit(NotValidated, false); err != nil {
		t.Errorf("an agent may not fix a not-validated article: %v", err)
	}
	if err := MayEdit(Published, false); !errors.Is(err, ErrForbidden) {
		t.Errorf("an agent edits a published article: %v", err)
	}
	if err := MayEdit(Published, true); err != nil {
		t.Errorf("a publisher may not fix a published article: %v", err)
	}
	if err := MayEdit(Archived, true); !errors.Is(err, ErrTransition) {
		t.Errorf("an archived article is edited in place: %v", err)
	}
}

func TestForCustomers(t *testing.T) {
	a := Article{State: Published, Audience: AgentsOnly}
	if a.ForCustomers() {
		t.Error("an agents-only article reaches customers")
	}
	a.Audience = Everyone
	if !a.ForCustomers() {
		t.Error("a published article for both does not reach customers")
	}
	a.State = Validated
	if a.ForCustomers() || !a.ForAgents() {
		t.Error("a validated article: customers see it, or agents do not")
	}
}
