package e2e

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// needBrowser fails the test, saying how to fix it, unless Debian's Chromium,
// playwright-core and the built web app (with the widget) are there; it returns
// Chromium's path.
func needBrowser(t *testing.T) string {
	t.Helper()
	chromium := os.Getenv("CHROMIUM_PATH")
	if chromium == "" {
		chromium = "/usr/bin/chromium"
	}
	if _, err := os.Stat(chromium); err != nil {
		t.Fatalf("Chromium is needed at %s for the browser tests: run `make test-deps` (apt-get install chromium)", chromium)
	}
	if _, err := os.Stat("../web/node_modules/playwright-core"); err != nil {
		t.Fatal("playwright-core is not installed: run `make test-deps` (npm ci in web/)")
	}
	for _, built := range []string{"../web/dist/index.html", "../web/dist/widget/widget.js"} {
		if _, err := os.Stat(built); err != nil {
			t.Fatal("the web app is not built: run `make web` before the tests (make test does)")
		}
	}
	return chromium
}

// screenshotsDir is where browser tests write their screenshots:
// $SWITCHBOARD_SCREENSHOTS, else e2e/screenshots.
func screenshotsDir() string {
	if d := os.Getenv("SWITCHBOARD_SCREENSHOTS"); d != "" {
		return d
	}
	d, _ := filepath.Abs("screenshots")
	return d
}

// readmeScreenshotsDir is where the README's screenshots go: docs/screenshots
// when SWITCHBOARD_DOCS_SCREENSHOTS is set (so a test run leaves the tree as
// it was otherwise), else screenshotsDir.
func readmeScreenshotsDir(t *testing.T) string {
	if os.Getenv("SWITCHBOARD_DOCS_SCREENSHOTS") == "" {
		return screenshotsDir()
	}
	d, err := filepath.Abs("../docs/screenshots")
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// runScriptTalking runs a Playwright script of web/e2e as runScript does, but
// hands each line it prints to onLine as it comes, so the test can act when the
// script asks (dial now, answer the phone, restart the node). It returns what
// the script printed, its standard error last.
func runScriptTalking(t *testing.T, chromium, script string, onLine func(string), args ...string) string {
	t.Helper()
	cmd := exec.Command("node", append([]string{"../web/e2e/" + script}, args...)...)
	cmd.Env = append(os.Environ(), "CHROMIUM_PATH="+chromium)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var lines []string
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		lines = append(lines, sc.Text())
		onLine(sc.Text())
	}
	err = cmd.Wait()
	all := strings.Join(lines, "\n") + "\n" + stderr.String()
	t.Logf("%s:\n%s", script, all)
	if err != nil {
		t.Fatalf("browser script %s failed: %v", script, err)
	}
	return all
}

// runScript runs a Playwright script of web/e2e with Chromium and returns its
// output, failing the test if it fails.
func runScript(t *testing.T, chromium, script string, args ...string) string {
	t.Helper()
	cmd := exec.Command("node", append([]string{"../web/e2e/" + script}, args...)...)
	cmd.Env = append(os.Environ(), "CHROMIUM_PATH="+chromium)
	out, err := cmd.CombinedOutput()
	t.Logf("%s:\n%s", script, out)
	if err != nil {
		t.Fatalf("browser script %s failed: %v", script, err)
	}
	return string(out)
}
