package config

import (
	"flag"
	"testing"
	"time"
)

func TestPrecedence(t *testing.T) {
	t.Setenv("SWITCHBOARD_ADDR", "127.0.0.1:9000")
	t.Setenv("SWITCHBOARD_JOB_TIMEOUT", "5s")
	t.Setenv("SWITCHBOARD_JOB_RESCUE_AFTER", "7s")
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	c := Flag(fs)
	if err := fs.Parse([]string{"--job-timeout", "6s"}); err != nil {
		t.Fatal(err)
	}
	if err := c.Finish(); err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:9000" || c.JobTimeout != 6*time.Second || c.BaseURL != "http://127.0.0.1:9000" || c.DataDir != "./data" {
		t.Fatalf("got %+v", c)
	}
}

func TestFinishRefusesBadSettings(t *testing.T) {
	for _, args := range [][]string{
		{"--job-timeout", "1m", "--job-rescue-after", "30s"},
		{"--log-level", "loud"},
		{"--outbound-allow", "10.0.0.0/33"},
		{"--outbound-allow", "127.1"},
		{"--routing-shards", "-1"},
		{"--routing-shards", "5000"},
	} {
		fs := flag.NewFlagSet("serve", flag.ContinueOnError)
		c := Flag(fs)
		if err := fs.Parse(args); err != nil {
			t.Fatal(err)
		}
		if err := c.Finish(); err == nil {
			t.Errorf("%v accepted", args)
		}
	}
}
