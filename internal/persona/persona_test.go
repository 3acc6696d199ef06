package persona

import "testing"

func TestNormalize(t *testing.T) {
	for _, tc := range []struct {
		kind     Kind
		raw, out string
		bad      bool
	}{
		{KindEmail, " Ana.Silva@Example.COM ", "ana.silva@example.com", false},
		{KindEmail, "Ana <ana@example.com>", "ana@example.com", false},
		{KindEmail, "not an address", "", true},
		{KindPhone, "+44 20 7946-0958", "+442079460958", false},
		{KindPhone, "0044 (20) 7946.0958", "+442079460958", false},
		{KindPhone, "020 7946 0958", "", true},
		{KindPhone, "+0123456789", "", true},
		{KindPhone, "+12", "", true},
		{KindPhone, "+1 555 CALL ME", "", true},
		{KindWidget, "visitor-42", "visitor-42", false},
		{KindWidget, "", "", true},
		{"social:twitter", "@NorthwindBank", "northwindbank", false},
		{"social:", "x", "", true},
		{"fax", "123", "", true},
	} {
		got, err := Normalize(tc.kind, tc.raw)
		if (err != nil) != tc.bad || (!tc.bad && got.Value != tc.out) {
			t.Errorf("Normalize(%s, %q) = %q, %v; want %q (bad=%v)", tc.kind, tc.raw, got.Value, err, tc.out, tc.bad)
		}
	}
}
