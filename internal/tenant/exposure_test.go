package tenant

import (
	"testing"
	"time"
)

func TestExposureOf(t *testing.T) {
	sus := Suspension{Reason: "unpaid", Since: time.Unix(1, 0)}
	cases := []struct {
		name    string
		t       Tenant
		s       Suspension
		pending bool
		want    Exposure
		serves  bool
		indexed bool
		status  int
	}{
		{"live", Tenant{}, Suspension{}, false, ExposeOpen, true, true, 200},
		{"sandbox", Tenant{Sandbox: true}, Suspension{}, false, ExposeUnlisted, true, false, 200},
		{"suspended", Tenant{}, sus, false, ExposeClosed, false, false, 404},
		{"suspended sandbox", Tenant{Sandbox: true}, sus, false, ExposeClosed, false, false, 404},
		{"deletion pending", Tenant{}, Suspension{}, true, ExposeGone, false, false, 410},
		{"deletion pending and suspended", Tenant{}, sus, true, ExposeGone, false, false, 410},
	}
	for _, c := range cases {
		e := ExposureOf(c.t, c.s, c.pending)
		if e != c.want || e.Serves() != c.serves || e.Indexed() != c.indexed || e.Status() != c.status {
			t.Errorf("%s: got %d (serves %v, indexed %v, status %d), want %d (%v, %v, %d)",
				c.name, e, e.Serves(), e.Indexed(), e.Status(), c.want, c.serves, c.indexed, c.status)
		}
	}
}
