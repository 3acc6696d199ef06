package e2e

import (
	"database/sql"
	"regexp"
	"testing"

	"github.com/switchboard-cx/switchboard/internal/demo"
)

// Issue 14's whole journey in Chromium against the demo, on SQLite and on
// PostgreSQL (web/e2e/context-journey.mjs): a notice raised through the API,
// the customer's chat in the widget, the offer card showing the notice and
// Core banking's items before the agent accepts, a Core banking item opened
// in place,
// one used in the reply and one dismissed, help asked for, the suggested
// colleague (an agent with the demo's similar resolved cases) invited live
// in a second browser, joining and writing, the room closed and turned into
// an article. Then the store must hold what the screen-pop was told: the
// impressions with their positions, and the open, the use and the dismissal.
func TestBrowserContextJourney(t *testing.T) {
	t.Parallel()
	chromium := needBrowser(t)
	for _, engine := range []struct{ name, db string }{{"sqlite", ""}, {"postgres", "postgres"}} {
		t.Run(engine.name, func(t *testing.T) {
			dataDir := t.TempDir()
			dbURL := engine.db
			if dbURL != "" {
				dbURL = postgresURL(t)
			}
			n := startNode(t, nodeOptions{Demo: true, DB: dbURL, DataDir: dataDir})
			out := runScript(t, chromium, "context-journey.mjs", "--base", n.URL, "--tenant", demo.Slug, "--password", demoPassword,
				"--identity-secret", demo.IdentitySecret, "--widget-key", demo.WidgetKey)
			m := regexp.MustCompile(`(?m)^conversation ([A-Za-z0-9_-]+)$`).FindStringSubmatch(out)
			if m == nil || !regexp.MustCompile(`PASS context-journey`).MatchString(out) {
				t.Fatalf("script output names no conversation or does not end with PASS context-journey")
			}
			var db *sql.DB
			query := `SELECT kind, position, item_key FROM context_feedback WHERE conversation_id = ?`
			if dbURL == "" {
				db = openSQLite(t, dataDir)
			} else {
				var err error
				if db, err = sql.Open("pgx", dbURL); err != nil {
					t.Fatal(err)
				}
				query = `SELECT kind, position, item_key FROM context_feedback WHERE conversation_id = $1`
			}
			defer db.Close()
			rows, err := db.Query(query, m[1])
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			kinds := map[string]int{}
			offerCard := 0
			for rows.Next() {
				var kind, key string
				var pos int
				if err := rows.Scan(&kind, &pos, &key); err != nil {
					t.Fatal(err)
				}
				kinds[kind]++
				if kind == "impression" && pos < 1 {
					t.Errorf("impression of %s at position %d", key, pos)
				}
				if kind == "impression" && pos <= 3 {
					offerCard++
				}
			}
			if err := rows.Err(); err != nil {
				t.Fatal(err)
			}
			t.Logf("recorded for %s: %v", m[1], kinds)
			if kinds["impression"] < 6 || offerCard < 3 || kinds["open"] != 1 || kinds["use"] != 1 || kinds["dismiss"] != 1 {
				t.Errorf("recorded %v (impressions at positions 1–3: %d): want the offer card's and the conversation's impressions, one open, one use, one dismiss", kinds, offerCard)
			}
		})
	}
}
