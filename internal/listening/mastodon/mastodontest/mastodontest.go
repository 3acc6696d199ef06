// Package mastodontest is a Mastodon instance for tests: it speaks the REST
// API (notifications, hashtag and public timelines, posting statuses) and the
// streaming API (server-sent events) in Mastodon's published shapes, written
// here apart from the code under test. Tests publish posts on it, drop its
// streams, throttle it, and read what the center posted.
package mastodontest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Account is the Account entity.
type Account struct {
	ID             string `json:"id"`
	Username       string `json:"username"`
	Acct           string `json:"acct"`
	DisplayName    string `json:"display_name"`
	Locked         bool   `json:"locked"`
	Bot            bool   `json:"bot"`
	CreatedAt      string `json:"created_at"`
	Note           string `json:"note"`
	URL            string `json:"url"`
	Avatar         string `json:"avatar"`
	FollowersCount int    `json:"followers_count"`
	FollowingCount int    `json:"following_count"`
	StatusesCount  int    `json:"statuses_count"`
}

// Mention is a status's Mention.
type Mention struct {
	ID       string `json:"id"`
	Username string `json:"username"`
	URL      string `json:"url"`
	Acct     string `json:"acct"`
}

// Tag is a status's Tag.
type Tag struct {
	Name string `json:"name"`
	URL  string `json:"url"`
}

// Status is the Status entity.
type Status struct {
	ID                 string    `json:"id"`
	CreatedAt          string    `json:"created_at"`
	InReplyToID        *string   `json:"in_reply_to_id"`
	InReplyToAccountID *string   `json:"in_reply_to_account_id"`
	Sensitive          bool      `json:"sensitive"`
	SpoilerText        string    `json:"spoiler_text"`
	Visibility         string    `json:"visibility"`
	Language           *string   `json:"language"`
	URI                string    `json:"uri"`
	URL                *string   `json:"url"`
	RepliesCount       int       `json:"replies_count"`
	ReblogsCount       int       `json:"reblogs_count"`
	FavouritesCount    int       `json:"favourites_count"`
	Content            string    `json:"content"`
	Reblog             *Status   `json:"reblog"`
	Account            Account   `json:"account"`
	MediaAttachments   []any     `json:"media_attachments"`
	Mentions           []Mention `json:"mentions"`
	Tags               []Tag     `json:"tags"`
	Emojis             []any     `json:"emojis"`
	Card               any       `json:"card"`
	Poll               any       `json:"poll"`
}

// Notification is the Notification entity.
type Notification struct {
	ID        string  `json:"id"`
	Type      string  `json:"type"`
	CreatedAt string  `json:"created_at"`
	Account   Account `json:"account"`
	Status    *Status `json:"status"`
}

// Posted is a status the center posted, as it sent it.
type Posted struct {
	Status         string `json:"status"`
	InReplyToID    string `json:"in_reply_to_id"`
	Visibility     string `json:"visibility"`
	IdempotencyKey string `json:"-"`
	ID             string `json:"-"`
}

// Server is the fake instance.
type Server struct {
	*httptest.Server
	Host  string // the instance's host name, which local accounts' handles end in
	token string
	owner Account // the tenant's account (the token's)

	mu            sync.Mutex
	next          int64
	statuses      []Status // oldest first
	notifications []Notification
	posted        []Posted
	byKey         map[string]Status
	streams       map[*sub]bool
	throttle      int
	retryAfter    string
	connected     map[string]int
	seen          map[string]int
	requests      []string
	streamsDown   bool
}

type sub struct {
	kind string // "notification", "tag:<name>", "public"
	ch   chan string
	done chan struct{}
}

// New starts an instance whose token is token and whose account is owner
// (a username, local to the instance).
func New(token, owner string) *Server {
	s := &Server{token: token, next: 110000000000000000, byKey: map[string]Status{}, streams: map[*sub]bool{},
		connected: map[string]int{}, seen: map[string]int{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v1/notifications", s.listNotifications)
	mux.HandleFunc("GET /api/v1/timelines/tag/{tag}", s.listTag)
	mux.HandleFunc("GET /api/v1/timelines/public", s.listPublic)
	mux.HandleFunc("POST /api/v1/statuses", s.postStatus)
	mux.HandleFunc("GET /api/v1/streaming/user/notification", s.stream(func(*http.Request) string { return "notification" }))
	mux.HandleFunc("GET /api/v1/streaming/hashtag", s.stream(func(r *http.Request) string { return "tag:" + strings.ToLower(r.URL.Query().Get("tag")) }))
	mux.HandleFunc("GET /api/v1/streaming/public", s.stream(func(*http.Request) string { return "public" }))
	s.Server = httptest.NewServer(s.auth(mux))
	s.Host, _, _ = strings.Cut(strings.TrimPrefix(s.URL, "http://"), ":") // handles carry no port
	s.owner = s.account(owner, owner, 10)
	return s
}

// Owner is the tenant's account's handle, user@host.
func (s *Server) Owner() string { return s.owner.Username + "@" + s.Host }

func (s *Server) auth(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.requests = append(s.requests, r.Method+" "+r.URL.Path)
		throttled := s.throttle > 0
		if throttled {
			s.throttle--
		}
		ra := s.retryAfter
		s.mu.Unlock()
		if r.Header.Get("Authorization") != "Bearer "+s.token {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, `{"error":"The access token is invalid"}`)
			return
		}
		if throttled {
			w.Header().Set("Retry-After", ra)
			w.Header().Set("X-RateLimit-Limit", "300")
			w.Header().Set("X-RateLimit-Remaining", "0")
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusTooManyRequests)
			fmt.Fprint(w, `{"error":"Too many requests"}`)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// Throttle answers the next n requests 429 with Retry-After: retryAfter.
func (s *Server) Throttle(n int, retryAfter string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.throttle, s.retryAfter = n, retryAfter
}

// Requests lists the requests served so far, "GET /path".
func (s *Server) Requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}

func (s *Server) account(username, display string, followers int) Account {
	s.next++
	return Account{ID: strconv.FormatInt(s.next, 10), Username: username, Acct: username, DisplayName: display,
		CreatedAt: "2024-01-01T00:00:00.000Z", URL: s.URL + "/@" + username, FollowersCount: followers}
}

// Author is someone posting on the instance (local) with a reach.
func (s *Server) Author(username, display string, followers int) Account {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.account(username, display, followers)
}

// Opts shape a post.
type Opts struct {
	Visibility   string   // default public
	Language     string   // default en
	Tags         []string // hashtags the text carries
	MentionOwner bool     // the post mentions the tenant's account
	InReplyTo    string
	// Offline stores the post without pushing it on any stream, as if
	// published while the center was disconnected.
	Offline bool
}

// Publish posts text (plain; it is wrapped in Mastodon's HTML) by author,
// and returns the status. Mentions of the owner notify it; the streams get
// it as it would reach them.
func (s *Server) Publish(author Account, text string, o Opts) Status {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.next++
	id := strconv.FormatInt(s.next, 10)
	vis := o.Visibility
	if vis == "" {
		vis = "public"
	}
	lang := o.Language
	if lang == "" {
		lang = "en"
	}
	html := "<p>"
	if o.MentionOwner {
		html += `<span class="h-card" translate="no"><a href="` + s.owner.URL + `" class="u-url mention">@<span>` + s.owner.Username + `</span></a></span> `
	}
	html += strings.ReplaceAll(strings.ReplaceAll(text, "&", "&amp;"), "<", "&lt;")
	for _, t := range o.Tags {
		html += ` <a href="http://` + s.Host + `/tags/` + t + `" class="mention hashtag" rel="tag">#<span>` + t + `</span></a>`
	}
	html += "</p>"
	url := s.URL + "/@" + author.Username + "/" + id
	st := Status{ID: id, CreatedAt: time.Now().UTC().Format("2006-01-02T15:04:05.000Z"), Visibility: vis, Language: &lang,
		URI: s.URL + "/users/" + author.Username + "/statuses/" + id, URL: &url, Content: html, Account: author,
		MediaAttachments: []any{}, Mentions: []Mention{}, Tags: []Tag{}, Emojis: []any{}}
	if o.InReplyTo != "" {
		r := o.InReplyTo
		st.InReplyToID = &r
	}
	if o.MentionOwner {
		st.Mentions = append(st.Mentions, Mention{ID: s.owner.ID, Username: s.owner.Username, URL: s.owner.URL, Acct: s.owner.Acct})
	}
	for _, t := range o.Tags {
		st.Tags = append(st.Tags, Tag{Name: strings.ToLower(t), URL: s.URL + "/tags/" + t})
	}
	s.statuses = append(s.statuses, st)
	if o.MentionOwner {
		s.next++
		n := Notification{ID: strconv.FormatInt(s.next, 10), Type: "mention", CreatedAt: st.CreatedAt, Account: author, Status: &st}
		s.notifications = append(s.notifications, n)
		if !o.Offline {
			s.push("notification", "notification", n)
		}
	}
	if !o.Offline && vis == "public" {
		for _, t := range st.Tags {
			s.push("tag:"+t.Name, "update", st)
		}
		s.push("public", "update", st)
	}
	return st
}

// push sends an event to the streams of kind; s.mu is held.
func (s *Server) push(kind, event string, payload any) {
	b, _ := json.Marshal(payload)
	frame := "event: " + event + "\ndata: " + string(b) + "\n\n"
	for sb := range s.streams {
		if sb.kind == kind {
			select {
			case sb.ch <- frame:
			case <-sb.done:
			}
		}
	}
}

// DropStreams ends every open stream, as an instance restart would.
func (s *Server) DropStreams() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for sb := range s.streams {
		close(sb.done)
		delete(s.streams, sb)
	}
}

// Connected waits until a stream of kind ("notification", "tag:acme",
// "public") connects — one more connection than this call saw last time
// for that kind — or timeout passes.
func (s *Server) Connected(kind string, timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		s.mu.Lock()
		if s.connected[kind] > s.seen[kind] {
			s.seen[kind]++
			s.mu.Unlock()
			return true
		}
		s.mu.Unlock()
		time.Sleep(5 * time.Millisecond)
	}
	return false
}

// StreamsDown makes the streaming API answer 503 (Retry-After: 1) while
// down is true, as an instance whose streaming server is out; REST goes on.
func (s *Server) StreamsDown(down bool) {
	s.mu.Lock()
	s.streamsDown = down
	s.mu.Unlock()
	if down {
		s.DropStreams()
	}
}

func (s *Server) stream(kind func(*http.Request) string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		down := s.streamsDown
		s.mu.Unlock()
		if down {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprint(w, `{"error":"streaming unavailable"}`)
			return
		}
		sb := &sub{kind: kind(r), ch: make(chan string, 64), done: make(chan struct{})}
		s.mu.Lock()
		s.streams[sb] = true
		s.mu.Unlock()
		w.Header().Set("Content-Type", "text/event-stream")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusOK)
		fmt.Fprint(w, ":)\n")
		w.(http.Flusher).Flush()
		s.mu.Lock()
		s.connected[sb.kind]++
		s.mu.Unlock()
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		for {
			select {
			case f := <-sb.ch:
				fmt.Fprint(w, f)
				w.(http.Flusher).Flush()
			case <-tick.C:
				fmt.Fprint(w, ":thump\n")
				w.(http.Flusher).Flush()
			case <-sb.done:
				return
			case <-r.Context().Done():
				s.mu.Lock()
				delete(s.streams, sb)
				s.mu.Unlock()
				return
			}
		}
	}
}

// window pages ids as Mastodon does: since_id (the newest after it),
// min_id (the oldest after it), max_id (before it); newest first.
func window[T any](r *http.Request, all []T, id func(T) string) []T {
	q := r.URL.Query()
	limit, _ := strconv.Atoi(q.Get("limit"))
	if limit <= 0 || limit > 40 {
		limit = 20
	}
	after := func(a, b string) bool { return len(a) > len(b) || (len(a) == len(b) && a > b) }
	var sel []T
	for _, x := range all {
		if v := q.Get("max_id"); v != "" && !after(v, id(x)) {
			continue
		}
		if v := q.Get("since_id"); v != "" && !after(id(x), v) {
			continue
		}
		if v := q.Get("min_id"); v != "" && !after(id(x), v) {
			continue
		}
		sel = append(sel, x)
	}
	if q.Get("min_id") != "" {
		sel = sel[:min(limit, len(sel))] // the oldest after min_id
	} else {
		sel = sel[max(0, len(sel)-limit):] // the newest
	}
	slices.Reverse(sel)
	if sel == nil {
		sel = []T{}
	}
	return sel
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	json.NewEncoder(w).Encode(v)
}

func (s *Server) listNotifications(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	types := r.URL.Query()["types[]"]
	var ns []Notification
	for _, n := range s.notifications {
		if len(types) == 0 || slices.Contains(types, n.Type) {
			ns = append(ns, n)
		}
	}
	writeJSON(w, window(r, ns, func(n Notification) string { return n.ID }))
}

func (s *Server) listTag(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	tag := strings.ToLower(r.PathValue("tag"))
	var ss []Status
	for _, st := range s.statuses {
		if st.Visibility == "public" && slices.ContainsFunc(st.Tags, func(t Tag) bool { return t.Name == tag }) {
			ss = append(ss, st)
		}
	}
	writeJSON(w, window(r, ss, func(s Status) string { return s.ID }))
}

func (s *Server) listPublic(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var ss []Status
	for _, st := range s.statuses {
		if st.Visibility == "public" {
			ss = append(ss, st)
		}
	}
	writeJSON(w, window(r, ss, func(s Status) string { return s.ID }))
}

// postStatus takes a status as Mastodon does, JSON or form, deduplicated
// by Idempotency-Key.
func (s *Server) postStatus(w http.ResponseWriter, r *http.Request) {
	var p Posted
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		if err := json.NewDecoder(r.Body).Decode(&p); err != nil {
			http.Error(w, `{"error":"bad json"}`, http.StatusBadRequest)
			return
		}
	} else {
		p = Posted{Status: r.FormValue("status"), InReplyToID: r.FormValue("in_reply_to_id"), Visibility: r.FormValue("visibility")}
	}
	if strings.TrimSpace(p.Status) == "" {
		w.WriteHeader(http.StatusUnprocessableEntity)
		fmt.Fprint(w, `{"error":"Validation failed: Text can't be blank"}`)
		return
	}
	if p.Visibility == "" {
		p.Visibility = "public"
	}
	p.IdempotencyKey = r.Header.Get("Idempotency-Key")
	s.mu.Lock()
	if st, ok := s.byKey[p.IdempotencyKey]; ok && p.IdempotencyKey != "" {
		s.mu.Unlock()
		writeJSON(w, st)
		return
	}
	s.mu.Unlock()
	st := s.Publish(s.owner, p.Status, Opts{Visibility: p.Visibility, InReplyTo: p.InReplyToID})
	s.mu.Lock()
	p.ID = st.ID
	s.posted = append(s.posted, p)
	if p.IdempotencyKey != "" {
		s.byKey[p.IdempotencyKey] = st
	}
	s.mu.Unlock()
	writeJSON(w, st)
}

// Posted lists the statuses the center posted, in order.
func (s *Server) Posted() []Posted {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.posted)
}
