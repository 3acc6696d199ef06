package persona

import (
	"regexp"
	"testing"
)

func TestVisitorName(t *testing.T) {
	form := regexp.MustCompile(`^Visitor \d{4}$`)
	seen := map[string]bool{}
	for _, id := range []string{"01a249e1-7c1e-4d8e-9a51-5b3f0e9c2d11", "demo-visitor-1", "v2", ""} {
		n := VisitorName(id)
		if !form.MatchString(n) {
			t.Errorf("VisitorName(%q) = %q, want Visitor and four digits", id, n)
		}
		if VisitorName(id) != n {
			t.Errorf("VisitorName(%q) is not stable", id)
		}
		seen[n] = true
	}
	if len(seen) < 3 {
		t.Errorf("four ids gave only %d names: %v", len(seen), seen)
	}
}

func TestGivenName(t *testing.T) {
	anon := Persona{Name: VisitorName("w1"), Identifiers: []Identifier{{Kind: KindWidget, Value: "w1"}}}
	if n := GivenName(anon); n != "" {
		t.Errorf("an anonymous visitor's given name is %q, want none", n)
	}
	named := Persona{Name: "Wanda", Identifiers: []Identifier{{Kind: KindWidget, Value: "w1"}}}
	if n := GivenName(named); n != "Wanda" {
		t.Errorf("GivenName = %q, want Wanda", n)
	}
}
