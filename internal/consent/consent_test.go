package consent_test

import (
	"errors"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/consent"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

var t0 = time.Date(2026, 11, 25, 9, 0, 0, 123456789, time.UTC)

// step is one decision to append in a test chain.
type step struct {
	scope   string
	granted bool
	source  string
}

// build appends steps to a fresh chain for tenant t1, persona p1, a minute apart.
func build(t *testing.T, steps ...step) []consent.Record {
	t.Helper()
	var chain []consent.Record
	for i, s := range steps {
		r, err := consent.Append(chain, consent.Record{
			TenantID: "t1", PersonaID: "p1", Scope: s.scope, Granted: s.granted,
			Source: s.source, Actor: "persona", At: t0.Add(time.Duration(i) * time.Minute),
		})
		if err != nil {
			t.Fatalf("append %d: %v", i, err)
		}
		chain = append(chain, r)
	}
	if err := consent.Verify(chain); err != nil {
		t.Fatalf("verify fresh chain: %v", err)
	}
	return chain
}

func TestAppendLinks(t *testing.T) {
	chain := build(t,
		step{"channel:sms", true, consent.SourceCustomer},
		step{"category:marketing", true, consent.SourceAgent},
		step{"channel:sms", false, consent.SourceStopKeyword},
	)
	yes := true
	for i, want := range []struct {
		seq      int64
		previous *bool
	}{{1, nil}, {2, nil}, {3, &yes}} {
		r := chain[i]
		if r.Seq != want.seq {
			t.Errorf("record %d: seq %d, want %d", i, r.Seq, want.seq)
		}
		if (r.Previous == nil) != (want.previous == nil) || r.Previous != nil && *r.Previous != *want.previous {
			t.Errorf("record %d: previous %v, want %v", i, r.Previous, want.previous)
		}
		wantPrev := ""
		if i > 0 {
			wantPrev = chain[i-1].Hash
		}
		if r.PrevHash != wantPrev {
			t.Errorf("record %d: prev_hash %q, want %q", i, r.PrevHash, wantPrev)
		}
		if len(r.Hash) != 64 || r.Hash != consent.Sum(r) {
			t.Errorf("record %d: hash %q is not the record's sum", i, r.Hash)
		}
		if r.At.Nanosecond()%1000 != 0 || r.At.Location() != time.UTC {
			t.Errorf("record %d: at %v not cut to UTC microseconds", i, r.At)
		}
	}
}

func TestAppendRefusesBadInput(t *testing.T) {
	good := consent.Record{TenantID: "t1", PersonaID: "p1", Scope: "all", Granted: true,
		Source: consent.SourceAPI, Actor: "key_1", At: t0}
	for _, tc := range []struct {
		field string
		edit  func(*consent.Record)
	}{
		{"tenant_id", func(r *consent.Record) { r.TenantID = "" }},
		{"persona_id", func(r *consent.Record) { r.PersonaID = "" }},
		{"scope", func(r *consent.Record) { r.Scope = "" }},
		{"scope", func(r *consent.Record) { r.Scope = "colour:blue" }},
		{"scope", func(r *consent.Record) { r.Scope = "type:" }},
		{"source", func(r *consent.Record) { r.Source = "rumour" }},
		{"source", func(r *consent.Record) { r.Source = consent.SourceErasure }},
		{"actor", func(r *consent.Record) { r.Actor = "" }},
		{"at", func(r *consent.Record) { r.At = time.Time{} }},
	} {
		r := good
		tc.edit(&r)
		_, err := consent.Append(nil, r)
		var fe *tenant.FieldError
		if !errors.As(err, &fe) || fe.Field != tc.field {
			t.Errorf("%+v: error %v, want a field error on %s", r, err, tc.field)
		}
	}
	if _, err := consent.Append(nil, good); err != nil {
		t.Fatalf("good record refused: %v", err)
	}
}

func TestAppendRefusesAnotherPersonasChain(t *testing.T) {
	chain := build(t, step{"all", true, consent.SourceCustomer})
	_, err := consent.Append(chain, consent.Record{TenantID: "t1", PersonaID: "p2", Scope: "all",
		Source: consent.SourceCustomer, Actor: "persona", At: t0})
	if err == nil {
		t.Fatal("appended persona p2's record to persona p1's chain")
	}
	_, err = consent.Append(chain, consent.Record{TenantID: "t2", PersonaID: "p1", Scope: "all",
		Source: consent.SourceCustomer, Actor: "persona", At: t0})
	if err == nil {
		t.Fatal("appended tenant t2's record to tenant t1's chain")
	}
}

func TestState(t *testing.T) {
	for _, tc := range []struct {
		name  string
		steps []step
		want  map[string]bool
	}{
		{"empty", nil, map[string]bool{}},
		{"one", []step{{"channel:sms", true, "customer"}}, map[string]bool{"channel:sms": true}},
		{"later wins", []step{{"channel:sms", true, "customer"}, {"channel:sms", false, "stop_keyword"}},
			map[string]bool{"channel:sms": false}},
		{"scopes apart", []step{{"channel:sms", true, "customer"}, {"category:marketing", false, "unsubscribe"}, {"channel:sms", false, "stop_keyword"}, {"channel:sms", true, "stop_keyword"}},
			map[string]bool{"channel:sms": true, "category:marketing": false}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := consent.State(build(t, tc.steps...))
			if len(got) != len(tc.want) {
				t.Fatalf("state %v, want %v", got, tc.want)
			}
			for k, v := range tc.want {
				if g, ok := got[k]; !ok || g != v {
					t.Errorf("state %v, want %v", got, tc.want)
				}
			}
		})
	}
}

func TestGranted(t *testing.T) {
	statementBySMS := []string{"type:statement_ready", "category:transactional", "channel:sms", "all"}
	newsletterByEmail := []string{"type:newsletter", "category:marketing", "channel:email", "all"}
	promoBySMS := []string{"type:promo", "category:marketing", "channel:sms", "all"}
	for _, tc := range []struct {
		name    string
		steps   []step
		def     bool
		scopes  []string
		want    bool
		wantSeq int64 // the deciding record; 0 for the default
	}{
		{"no record, default yes", nil, true, statementBySMS, true, 0},
		{"no record, default no", nil, false, newsletterByEmail, false, 0},
		{"records on other scopes only", []step{{"channel:email", false, "customer"}}, true, statementBySMS, true, 0},
		{"all granted", []step{{"all", true, "customer"}}, false, newsletterByEmail, true, 1},
		{"type beats all", []step{{"type:statement_ready", true, "customer"}, {"all", false, "customer"}}, false, statementBySMS, false, 2},
		{"later type beats all", []step{{"all", false, "customer"}, {"type:statement_ready", true, "customer"}}, false, statementBySMS, true, 2},
		{"type beats category", []step{{"category:marketing", true, "customer"}, {"type:newsletter", false, "unsubscribe"}}, true, newsletterByEmail, false, 2},
		{"specific revocation stands against later broad grant", []step{{"type:newsletter", false, "unsubscribe"}, {"category:marketing", true, "agent"}}, true, newsletterByEmail, false, 1},
		{"later broad revocation beats grant", []step{{"type:newsletter", true, "customer"}, {"category:marketing", false, "unsubscribe"}}, true, newsletterByEmail, false, 2},
		{"category beats channel", []step{{"channel:sms", true, "customer"}, {"category:marketing", true, "customer"}}, false, promoBySMS, true, 2},
		{"STOP beats earlier type grant", []step{{"type:promo", true, "customer"}, {"channel:sms", false, "stop_keyword"}}, true, promoBySMS, false, 2},
		{"STOP stands against later category grant", []step{{"channel:sms", false, "stop_keyword"}, {"category:marketing", true, "customer"}}, true, promoBySMS, false, 1},
		{"START lifts STOP", []step{{"type:promo", true, "customer"}, {"channel:sms", false, "stop_keyword"}, {"channel:sms", true, "stop_keyword"}}, false, promoBySMS, true, 1},
		{"STOP on SMS leaves email", []step{{"category:marketing", true, "customer"}, {"channel:sms", false, "stop_keyword"}}, false, newsletterByEmail, true, 1},
		{"scope order given does not matter", []step{{"all", false, "customer"}, {"type:promo", true, "customer"}}, false, []string{"all", "channel:sms", "category:marketing", "type:promo"}, true, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, r := consent.Granted(build(t, tc.steps...), tc.def, tc.scopes...)
			if got != tc.want || r.Seq != tc.wantSeq {
				t.Errorf("granted %v by seq %d, want %v by seq %d", got, r.Seq, tc.want, tc.wantSeq)
			}
		})
	}
}

func TestTombstone(t *testing.T) {
	chain := build(t, step{"type:statement_ready", true, consent.SourceCustomer}, step{"channel:sms", true, consent.SourceCustomer})
	noted, err := consent.Append(chain, consent.Record{TenantID: "t1", PersonaID: "p1", Scope: "category:marketing",
		Granted: true, Source: consent.SourceAgent, Actor: "u_7", Note: "said yes on the call, reach me at +351912345678", At: t0.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	chain = append(chain, noted)
	if noted.NoteSalt == "" || noted.NoteDigest == "" {
		t.Fatalf("note not committed: %+v", noted)
	}
	if err := consent.Verify(consent.Redact(chain)); err == nil {
		t.Fatal("verify accepted a blanked note without erasure")
	}

	tomb, err := consent.Tombstone(chain, "t1", "p1", t0.Add(2*time.Hour), "u_admin")
	if err != nil {
		t.Fatal(err)
	}
	if tomb.Scope != "all" || tomb.Granted || tomb.Source != consent.SourceErasure || tomb.Note != "" || tomb.Seq != 4 {
		t.Fatalf("tombstone %+v", tomb)
	}
	erased := consent.Redact(append(chain, tomb))
	for _, r := range erased {
		if r.Note != "" || r.NoteSalt != "" {
			t.Fatalf("redacted record keeps its note: %+v", r)
		}
	}
	if err := consent.Verify(erased); err != nil {
		t.Fatalf("erased chain: %v", err)
	}
	if ok, r := consent.Granted(erased, true, "type:statement_ready", "channel:sms", "all"); ok || r.Seq != 4 {
		t.Errorf("erased persona granted %v by seq %d", ok, r.Seq)
	}
	_, err = consent.Append(erased, consent.Record{TenantID: "t1", PersonaID: "p1", Scope: "all", Granted: true,
		Source: consent.SourceAPI, Actor: "key_1", At: t0.Add(3 * time.Hour)})
	if !errors.Is(err, consent.ErrErased) {
		t.Errorf("append after tombstone: %v, want ErrErased", err)
	}

	// A persona erased before any consent was recorded still leaves a tombstone.
	alone, err := consent.Tombstone(nil, "t1", "p9", t0, "u_admin")
	if err != nil || alone.Seq != 1 || consent.Verify([]consent.Record{alone}) != nil {
		t.Errorf("lone tombstone %+v: %v", alone, err)
	}
}
