// Package twiliotest is a fake Twilio for tests: a real HTTP server
// (httptest) that speaks Twilio's published REST formats for what the
// center uses — message creation and the message list under
// /2010-04-01/Accounts/{sid}/Messages.json with basic auth, media behind the
// account's credentials, JSON answers with sid and status, and error bodies
// with code, message and status — plus the knobs the tests need: failures
// for a number or for every text, a dropped answer, stalls and holds, and a
// signal when n texts were taken. Sign and PostSigned play Twilio's side of
// the webhooks: the X-Twilio-Signature written from Twilio's documentation,
// apart from the code under test.
package twiliotest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"sync"
	"testing"
	"time"
)

// APIVersion is the version segment of every path the server answers.
const APIVersion = "2010-04-01"

// Server is the fake Twilio. Its zero value is not usable; call New.
type Server struct {
	// URL is the server's base address, what the SMS channel's
	// TwilioAPIBase is set to.
	URL string

	srv      *httptest.Server
	accounts map[string]string // account SID → auth token

	mu       sync.Mutex
	media    map[string][]byte // media id → bytes (image/jpeg)
	failTo   map[string]Failure
	dropTo   map[string]bool
	failWith int
	sent     []text
	taken    chan url.Values
	calls    int
	lists    int
	fetches  int
	// reached is closed when target texts were taken, if set.
	target  int
	reached chan struct{}
	// With gate set, each creation says so on entered, then waits for gate.
	gate, entered chan struct{}
	// With hold set, the next text is taken and its answer withheld until
	// hold closes; took is closed once it was taken.
	hold, took chan struct{}
}

// text is a message Twilio took: the form posted, the account it was posted
// under, and when.
type text struct {
	form    url.Values
	account string
	created time.Time
}

// Failure is how Twilio refuses a text: the HTTP status and Twilio's error
// code and message.
type Failure struct {
	Status  int
	Code    int
	Message string
}

// New starts a fake Twilio that knows accounts (account SID → auth token);
// it stops when the test ends.
func New(t testing.TB, accounts map[string]string) *Server {
	t.Helper()
	s := &Server{accounts: accounts, taken: make(chan url.Values, takenBuffer), media: map[string][]byte{}, failTo: map[string]Failure{}, dropTo: map[string]bool{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /"+APIVersion+"/Accounts/{sid}/Messages.json", s.create)
	mux.HandleFunc("GET /"+APIVersion+"/Accounts/{sid}/Messages.json", s.list)
	mux.HandleFunc("GET /"+APIVersion+"/Accounts/{sid}/Messages/{msg}/Media/{media}", s.getMedia)
	s.srv = httptest.NewServer(mux)
	s.URL = s.srv.URL
	t.Cleanup(s.srv.Close)
	return s
}

// Client is an HTTP client for the server.
func (s *Server) Client() *http.Client { return s.srv.Client() }

// writeError answers as Twilio does when it refuses a request.
func writeError(w http.ResponseWriter, status, code int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"code": code, "message": msg,
		"more_info": fmt.Sprintf("https://www.twilio.com/docs/errors/%d", code), "status": status})
}

// authorised checks the request's basic auth against the account in its
// path, answering 401 with Twilio's error 20003 when it does not match.
func (s *Server) authorised(w http.ResponseWriter, r *http.Request) bool {
	user, pass, ok := r.BasicAuth()
	if !ok || user != r.PathValue("sid") || s.accounts[user] == "" || pass != s.accounts[user] {
		writeError(w, http.StatusUnauthorized, 20003, "Authenticate")
		return false
	}
	return true
}

func sid(i int) string { return fmt.Sprintf("SM%032d", i+1) }

// SID is the message sid the server gives the i-th text it takes (from 0):
// what a test posts a status callback about before the sender has heard it.
func SID(i int) string { return sid(i) }

func (s *Server) create(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	gate, entered := s.gate, s.entered
	s.mu.Unlock()
	if gate != nil {
		entered <- struct{}{}
		<-gate
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
	if !s.authorised(w, r) {
		return
	}
	if s.failWith != 0 {
		writeError(w, s.failWith, 20500, "Internal Server Error")
		return
	}
	if err := r.ParseForm(); err != nil {
		writeError(w, http.StatusBadRequest, 20001, err.Error())
		return
	}
	to := r.PostForm.Get("To")
	if f, ok := s.failTo[to]; ok {
		writeError(w, f.Status, f.Code, f.Message)
		return
	}
	if r.PostForm.Get("From") == "" && r.PostForm.Get("MessagingServiceSid") == "" {
		writeError(w, http.StatusBadRequest, 21603, "A 'From' or 'MessagingServiceSid' parameter is required to send a message.")
		return
	}
	s.sent = append(s.sent, text{form: r.PostForm, account: r.PathValue("sid"), created: time.Now()})
	n := len(s.sent)
	select {
	case s.taken <- r.PostForm:
	default: // a test that reads Taken reads long before this many
	}
	if s.reached != nil && n == s.target {
		close(s.reached)
	}
	if s.dropTo[to] {
		if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
			conn.Close() // created, but the answer never arrives
		}
		return
	}
	if hold, took := s.hold, s.took; hold != nil {
		s.hold = nil
		s.mu.Unlock()
		close(took)
		<-hold
		s.mu.Lock()
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	json.NewEncoder(w).Encode(map[string]any{"sid": sid(n - 1), "account_sid": r.PathValue("sid"), "to": to,
		"from": r.PostForm.Get("From"), "body": r.PostForm.Get("Body"), "status": "queued", "num_segments": "1"})
}

// list answers GET …/Messages.json as Twilio does: the account's messages,
// newest first, filtered by To and From, a page of PageSize with the next
// page's URI.
func (s *Server) list(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lists++
	if !s.authorised(w, r) {
		return
	}
	q := r.URL.Query()
	size, _ := strconv.Atoi(q.Get("PageSize"))
	if size <= 0 {
		size = 50
	}
	page, _ := strconv.Atoi(q.Get("Page"))
	all := []map[string]any{}
	for i := len(s.sent) - 1; i >= 0; i-- {
		m := s.sent[i]
		if m.account != r.PathValue("sid") ||
			(q.Has("To") && m.form.Get("To") != q.Get("To")) || (q.Has("From") && m.form.Get("From") != q.Get("From")) {
			continue
		}
		all = append(all, map[string]any{"sid": sid(i), "account_sid": m.account, "to": m.form.Get("To"), "from": m.form.Get("From"),
			"body": m.form.Get("Body"), "direction": "outbound-api", "status": "sent",
			"date_created": m.created.UTC().Format(time.RFC1123Z), "messaging_service_sid": m.form.Get("MessagingServiceSid")})
	}
	from, to := min(page*size, len(all)), min((page+1)*size, len(all))
	next := any(nil)
	if to < len(all) {
		q.Set("Page", strconv.Itoa(page+1))
		next = r.URL.Path + "?" + q.Encode()
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"messages": all[from:to], "page": page, "page_size": size, "next_page_uri": next})
}

func (s *Server) getMedia(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.fetches++
	data, ok := s.media[r.PathValue("media")]
	s.mu.Unlock()
	if !s.authorised(w, r) {
		return
	}
	if !ok {
		writeError(w, http.StatusNotFound, 20404, "The requested resource was not found")
		return
	}
	w.Header().Set("Content-Type", "image/jpeg")
	w.Write(data)
}

// AddMedia makes the server hold an image/jpeg under media id.
func (s *Server) AddMedia(id string, data []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.media[id] = data
}

// MediaURL is where Twilio serves a media item of account sid, as an
// incoming MMS names it.
func (s *Server) MediaURL(sid, media string) string {
	return s.URL + "/" + APIVersion + "/Accounts/" + sid + "/Messages/MM1/Media/" + media
}

// FailTo makes Twilio refuse every text to number with f.
func (s *Server) FailTo(number string, f Failure) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failTo[number] = f
}

// DropAnswerTo makes Twilio take texts to number, then drop the connection
// before answering: the message exists, the sender never learns of it.
func (s *Server) DropAnswerTo(number string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dropTo[number] = true
}

// Fail makes every authorised creation answer status with Twilio's error
// 20500, until Fail(0).
func (s *Server) Fail(status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failWith = status
}

// Await returns a channel closed when n texts were taken in all.
func (s *Server) Await(n int) <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.target, s.reached = n, make(chan struct{})
	return s.reached
}

// Stall makes creations wait until release is called; each says so on
// entered as it starts waiting.
func (s *Server) Stall() (entered <-chan struct{}, release func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	gate := make(chan struct{})
	s.gate, s.entered = gate, make(chan struct{}, 100)
	return s.entered, sync.OnceFunc(func() { close(gate) })
}

// HoldNext makes the next text be taken but its answer withheld until
// release is called; took is closed once it was taken.
func (s *Server) HoldNext() (took <-chan struct{}, release func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	hold := make(chan struct{})
	s.hold, s.took = hold, make(chan struct{})
	return s.took, sync.OnceFunc(func() { close(hold) })
}

// takenBuffer is how many texts Taken holds unread.
const takenBuffer = 1024

// Taken delivers the form of each text as it is taken, in order (up to
// takenBuffer unread), for a test that waits for the next one.
func (s *Server) Taken() <-chan url.Values { return s.taken }

// Texts are the forms of the texts taken, in order.
func (s *Server) Texts() []url.Values {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]url.Values, len(s.sent))
	for i, m := range s.sent {
		out[i] = m.form
	}
	return out
}

// Calls counts the creation requests, taken or refused.
func (s *Server) Calls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls
}

// Lists counts the message-list requests.
func (s *Server) Lists() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lists
}

// Fetches counts the media requests.
func (s *Server) Fetches() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.fetches
}
