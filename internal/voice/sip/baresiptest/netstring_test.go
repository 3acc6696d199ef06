package baresiptest

import (
	"bufio"
	"strings"
	"testing"
)

func TestReadNetstring(t *testing.T) {
	r := bufio.NewReader(strings.NewReader(`5:hello,0:,11:{"event":1},3:abc;`))
	for _, want := range []string{"hello", "", `{"event":1}`} {
		got, err := readNetstring(r)
		if err != nil || string(got) != want {
			t.Fatalf("got %q, %v; want %q", got, err, want)
		}
	}
	if _, err := readNetstring(r); err == nil {
		t.Fatal("a frame without its comma was read")
	}
	if _, err := readNetstring(bufio.NewReader(strings.NewReader("-1:x,"))); err == nil {
		t.Fatal("a negative length was read")
	}
}
