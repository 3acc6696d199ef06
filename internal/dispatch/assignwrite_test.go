package dispatch_test

import (
	"testing"

	"github.com/switchboard-cx/switchboard/internal/dispatch"
	"github.com/switchboard-cx/switchboard/internal/store/storetest"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// An accept whose work moved to the agent but whose conversation could not
// be written as theirs (PostgreSQL refused the update: here a trigger) was
// answered done; at the conversation's next change routing took the
// unassigned conversation for an unassignment by hand and offered it again,
// so a second agent could accept it too. It must write the assignment
// instead.
func TestAssignmentWrittenLate(t *testing.T) {
	f := newFixture(t, storetest.OpenPostgres)
	n := f.start(t, externalBus(t), true)
	f.queue(t, dispatch.QueueConfig{Name: "Support", Default: true})
	ana := f.agent(t, "ana@bank.test", tenant.RoleAgent)
	c := f.chat(t, "visitor-1", "my card is blocked")
	o := f.offerFor(t, n, ana)
	ben := f.agent(t, "ben@bank.test", tenant.RoleAgent)

	ctx := t.Context()
	if _, err := f.db.SQL().ExecContext(ctx, `CREATE FUNCTION refuse_assign() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN
			IF COALESCE(NEW.assignee_id, '') <> '' AND COALESCE(OLD.assignee_id, '') = '' THEN
				RAISE EXCEPTION 'assignment refused by the test';
			END IF;
			RETURN NEW;
		END $$`); err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.SQL().ExecContext(ctx, `CREATE TRIGGER refuse_assign BEFORE UPDATE ON conversations
		FOR EACH ROW EXECUTE FUNCTION refuse_assign()`); err != nil {
		t.Fatal(err)
	}
	if err := n.svc.Accept(ctx, dispatch.Actor{TenantID: f.tenant, UserID: ana}, o.ID); err != nil {
		t.Fatalf("accept: %v", err)
	}
	if got := f.conversation(t, c.ID).AssigneeID; got != "" {
		t.Fatalf("the trigger let the assignment through: %q", got)
	}
	if _, err := f.db.SQL().ExecContext(ctx, `DROP TRIGGER refuse_assign ON conversations`); err != nil {
		t.Fatal(err)
	}

	// The customer writes again: the conversation changes.
	if again := f.chat(t, "visitor-1", "hello?"); again.ID != c.ID {
		t.Fatalf("the message opened another conversation %s", again.ID)
	}
	eventually(t, "the conversation is ana's", func() bool { return f.conversation(t, c.ID).AssigneeID == ana })
	for _, who := range []string{ana, ben} {
		if offers := f.offers(t, who); len(offers) != 0 {
			t.Fatalf("the accepted conversation was offered again: %+v", offers)
		}
	}
}
