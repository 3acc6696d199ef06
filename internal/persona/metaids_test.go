package persona

import "testing"

func TestNormalizeMetaIDs(t *testing.T) {
	for _, tc := range []struct {
		kind Kind
		raw  string
		want string
		ok   bool
	}{
		{KindPSID, " 6254010714638117 ", "6254010714638117", true},
		{KindIGSID, "1784140530921184", "1784140530921184", true},
		{KindPSID, "", "", false},
		{KindPSID, "ana@example.com", "", false},
		{KindIGSID, "@rui.costa", "", false}, // a username is no IGSID
		{KindPSID, "12345678901234567890123456789012345678901234567890123456789012345", "", false},
	} {
		got, err := Normalize(tc.kind, tc.raw)
		if (err == nil) != tc.ok || got.Value != tc.want {
			t.Errorf("Normalize(%s, %q) = %q, %v; want %q ok=%v", tc.kind, tc.raw, got.Value, err, tc.want, tc.ok)
		}
	}
	if !MethodMetaSender.Proven() {
		t.Error("a signed Meta webhook's sender is not counted as proof")
	}
}
