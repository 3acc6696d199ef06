// Package config reads Switchboard's settings from flags and SWITCHBOARD_*
// environment variables. A flag given on the command line wins over the
// environment, which wins over the default. docs/configuration.md lists them all.
package config

import (
	"flag"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/switchboard-cx/switchboard/internal/netguard"
)

// Config is everything `switchboard serve` can be told.
type Config struct {
	Addr     string // where HTTP listens
	DataDir  string // where the embedded database and NATS keep their files
	DB       string // empty: SQLite in DataDir; postgres://… for PostgreSQL
	NATS     string // empty: embedded NATS; nats://… for an external server or cluster
	BaseURL  string // how people reach this center, for links in emails
	Demo     bool   // create the demo tenant on start if it is missing
	LogLevel string // debug, info, warn, error
	LogJSON  bool   // JSON logs instead of text

	// Signup says who may create a workspace at /signup: open, invite or off.
	Signup string

	SMTPRelay    string // host:port of the relay for outbound mail; empty: no mail
	SMTPFrom     string // envelope and header sender
	SMTPUser     string
	SMTPPassword string

	// Channels.
	SMTPListen      string // inbound mail listener (host:port); empty: none
	SMTPHostname    string // the listener's name, and the domain of Message-IDs
	SMTPMaxBytes    int64  // largest inbound mail accepted
	SMTPTLSCert     string // PEM certificate the listener offers STARTTLS with; re-read when it changes
	SMTPTLSKey      string // its PEM key
	IMAPAddr        string // an existing mailbox to poll (host:port, TLS); empty: none
	IMAPUser        string
	IMAPPassword    string
	IMAPMailbox     string
	IMAPAccount     string // the tenant's email address the mailbox belongs to
	IMAPInterval    time.Duration
	TwilioAPIBase   string // the SMS provider's REST base URL
	TelegramAPIBase string // Telegram's Bot API base URL
	WhatsAppAPIBase string // Meta's Graph API base URL (WhatsApp Cloud API)
	WidgetMaxUpload int64  // largest file a chat visitor may upload
	WidgetCallRate  float64
	WidgetCallBurst int

	// MessengerGraphBase and MessengerGraphVersion are where Messenger and
	// Instagram replies go: Meta's Graph API and the version spoken.
	MessengerGraphBase    string
	MessengerGraphVersion string
	// WebPushSubject is the contact push services see on our Web Push
	// requests (mailto: or https:).
	WebPushSubject    string
	NotifyConcurrency int // notification sends run at once on this node

	// MetricsAddr is a listener of its own for /metrics (empty: none);
	// MetricsToken lets scrapers read /metrics on the public port too.
	MetricsAddr  string
	MetricsToken string

	// RoutingShards is how many shards routing spreads the tenants over
	// (ADR 0063); every node of a center must use the same number.
	RoutingShards int

	SecureCookies  bool
	MaxBodyBytes   int64
	RatePerSecond  float64
	RateBurst      int
	JobWorkers     int
	JobTimeout     time.Duration // longest a background job may run
	JobRescueAfter time.Duration // when a job left running by a dead node is retried
	WebhookTimeout time.Duration
	ShutdownGrace  time.Duration
	// OutboundAllow lists the non-public ranges and host names that calls a
	// tenant can aim (webhooks, MMS media, Web Push) may reach anyway, as
	// netguard.ParseAllow reads it; empty allows public addresses only.
	OutboundAllow string
	// DeletionGrace is how long a workspace waits, its deletion cancelable,
	// between an admin's request and its erasure.
	DeletionGrace time.Duration
	// RetainEvents and RetainWebhookDeliveries are how long the retention
	// job keeps events and finished webhook deliveries; 0 keeps them.
	RetainEvents, RetainWebhookDeliveries time.Duration
	// DNSServer is the DNS server ("host:port") the go-live checklist asks
	// for sending domains' SPF and DKIM records; empty: the system's resolver.
	DNSServer string
	// HelpDomains maps businesses' own host names to their workspaces'
	// help centers: "help.acme.example=acme,…" (helpcenter.ParseDomains).
	HelpDomains string

	// Browser calls' media server (internal/voice/media, docs/voice.md).
	MediaPorts     string // UDP port range "min-max" for ICE and RTP; empty: ephemeral
	MediaPublicIPs string // addresses announced in candidates, comma-separated; empty: the local ones
	MediaBind      string // local IPs media uses, comma-separated; empty: all (loopback alone when addr is on loopback)
	TURNListen     string // UDP address of the embedded TURN/STUN service; empty: none
	TURNSecret     string // TURN REST credentials' shared secret; empty: derived from the server's secret
	TURNExternal   string // URLs of an external TURN/STUN service (coturn) using TURNSecret, comma-separated
	// The node's SIP server for tenants' phone numbers (internal/voice/phone,
	// docs/voice.md "Phone numbers"); off unless a listen address is given.
	SIPListen    string // UDP address, e.g. 0.0.0.0:5060; empty: no SIP over UDP
	SIPListenTCP string // TCP address; empty: no SIP over TCP
	SIPHost      string // the address providers reach the node at (Contact, Via); empty: the listen host
	// NoticeRing and CallbackRing are how long the center's outbound calls
	// ring (internal/voice/outcall): a spoken notice, a callback's customer.
	NoticeRing, CallbackRing time.Duration
	// MediaPortMin and MediaPortMax are MediaPorts, read by Finish.
	MediaPortMin, MediaPortMax uint16
}

// Flag registers every setting on fs, with defaults taken from the environment.
// Call Finish after fs.Parse.
func Flag(fs *flag.FlagSet) *Config {
	c := &Config{}
	str(fs, &c.Addr, "addr", "127.0.0.1:8080", "HTTP listen address (host:port)")
	str(fs, &c.DataDir, "data", "./data", "directory for the embedded database and message store")
	str(fs, &c.DB, "db", "", "database: empty for SQLite in the data directory, or a postgres:// URL")
	str(fs, &c.NATS, "nats", "", "NATS: empty for the embedded server, or nats:// URL(s), comma-separated")
	str(fs, &c.BaseURL, "base-url", "", "public URL of this center, for links in emails (default http://ADDR)")
	boolean(fs, &c.Demo, "demo", false, "create the demo tenant (Northwind Bank) if it does not exist")
	str(fs, &c.LogLevel, "log-level", "info", "log level: debug, info, warn or error")
	boolean(fs, &c.LogJSON, "log-json", false, "write logs as JSON")
	str(fs, &c.Signup, "signup", "off", "who may create a workspace at /signup: open (anyone), invite (with a code from switchboard signup-code create) or off")
	str(fs, &c.SMTPRelay, "smtp-relay", "", "host:port of an SMTP relay for outbound mail (empty: no mail is sent)")
	str(fs, &c.SMTPFrom, "smtp-from", "switchboard@localhost", "sender address of outbound mail")
	str(fs, &c.SMTPUser, "smtp-user", "", "SMTP relay user name")
	// The password's default is not shown in --help, where it would leak from the environment.
	fs.StringVar(&c.SMTPPassword, "smtp-password", "", "SMTP relay password (prefer "+envName("smtp-password")+")")
	str(fs, &c.SMTPListen, "smtp-listen", "127.0.0.1:2525", "where the inbound mail listener accepts customers' mail (empty: no listener)")
	str(fs, &c.SMTPHostname, "smtp-hostname", "", "the mail listener's host name and the domain of Message-IDs (default: the base URL's host)")
	integer64(fs, &c.SMTPMaxBytes, "smtp-max-bytes", 25<<20, "largest inbound mail accepted, attachments included")
	str(fs, &c.SMTPTLSCert, "smtp-tls-cert", "", "PEM certificate (chain) for STARTTLS on the mail listener, re-read when the file changes (empty: no STARTTLS)")
	str(fs, &c.SMTPTLSKey, "smtp-tls-key", "", "PEM private key of --smtp-tls-cert")
	str(fs, &c.IMAPAddr, "imap-addr", "", "an existing mailbox's IMAP server (host:port, TLS) to poll for customers' mail (empty: none)")
	str(fs, &c.IMAPUser, "imap-user", "", "IMAP user name")
	fs.StringVar(&c.IMAPPassword, "imap-password", "", "IMAP password (prefer "+envName("imap-password")+")")
	str(fs, &c.IMAPMailbox, "imap-mailbox", "INBOX", "the IMAP folder to poll")
	str(fs, &c.IMAPAccount, "imap-account", "", "the tenant's email address (an email channel account) the polled mailbox belongs to")
	duration(fs, &c.IMAPInterval, "imap-interval", time.Minute, "how often the IMAP mailbox is polled")
	str(fs, &c.TwilioAPIBase, "twilio-api-base", "https://api.twilio.com", "base URL of the Twilio-compatible SMS REST API")
	str(fs, &c.TelegramAPIBase, "telegram-api-base", "https://api.telegram.org", "base URL of Telegram's Bot API (or a local telegram-bot-api server); called through the outbound guard")
	str(fs, &c.MessengerGraphBase, "messenger-graph-base", "https://graph.facebook.com", "base URL of Meta's Graph API that Messenger and Instagram replies go through")
	str(fs, &c.MessengerGraphVersion, "messenger-graph-version", "v21.0", "the Graph API version Messenger and Instagram calls name")
	str(fs, &c.WhatsAppAPIBase, "whatsapp-api-base", "https://graph.facebook.com", "base URL of Meta's Graph API for the WhatsApp Cloud API (calls go through the outbound guard)")
	integer64(fs, &c.WidgetMaxUpload, "widget-max-upload", 10<<20, "largest file a web chat visitor may upload (a widget's own setting may lower it)")
	float(fs, &c.WidgetCallRate, "widget-call-rate", 2, "calls per second one address may make to a chat widget's session, message, upload and offline endpoints")
	integer(fs, &c.WidgetCallBurst, "widget-call-burst", 60, "calls one address may make to a chat widget at once before widget-call-rate applies")
	str(fs, &c.WebPushSubject, "webpush-subject", "", "contact given to browsers' push services on Web Push requests, mailto: or https: (default mailto:SMTP-FROM)")
	integer(fs, &c.NotifyConcurrency, "notify-concurrency", 32, "notification sends run at once on this node")
	str(fs, &c.MetricsAddr, "metrics-addr", "", "a separate listen address (host:port) for Prometheus metrics at /metrics, for scrapers only (empty: none)")
	// The token's default is not shown in --help, where it would leak from the environment.
	fs.StringVar(&c.MetricsToken, "metrics-token", "", "serve /metrics on the public address too, to requests with Authorization: Bearer TOKEN (prefer "+envName("metrics-token")+"; empty: not on the public address)")
	boolean(fs, &c.SecureCookies, "secure-cookies", false, "mark session cookies Secure (set when served over HTTPS)")
	integer64(fs, &c.MaxBodyBytes, "max-body-bytes", 1<<20, "largest request body accepted")
	float(fs, &c.RatePerSecond, "rate-limit", 50, "sustained API requests per second per user or API key")
	integer(fs, &c.RateBurst, "rate-burst", 100, "API requests a caller may send in a burst")
	integer(fs, &c.JobWorkers, "job-workers", 20, "background jobs run at once on this node")
	integer(fs, &c.RoutingShards, "routing-shards", 32, "routing shards the tenants are spread over, each led by one node at a time; every node of a center must use the same number")
	duration(fs, &c.JobTimeout, "job-timeout", time.Minute, "longest a background job may run")
	duration(fs, &c.JobRescueAfter, "job-rescue-after", 2*time.Minute, "when a job left running by a crashed node is run again (must exceed job-timeout)")
	duration(fs, &c.WebhookTimeout, "webhook-timeout", 10*time.Second, "how long a webhook receiver may take to answer")
	duration(fs, &c.ShutdownGrace, "shutdown-grace", 20*time.Second, "how long shutdown waits for requests and jobs to finish")
	str(fs, &c.OutboundAllow, "outbound-allow", "", "non-public CIDR ranges and host names webhooks, MMS media and Web Push may reach, comma-separated (e.g. 10.1.2.0/24,crm.corp.example); empty: public addresses only")
	duration(fs, &c.RetainEvents, "retain-events", 30*24*time.Hour, "how long events are kept for realtime clients to resume from (a client away longer reloads); 0 keeps them")
	duration(fs, &c.RetainWebhookDeliveries, "retain-webhook-deliveries", 30*24*time.Hour, "how long finished webhook deliveries and their attempts are kept; 0 keeps them")
	duration(fs, &c.DeletionGrace, "deletion-grace", 7*24*time.Hour, "how long a workspace whose deletion an admin asked for waits, cancelable, before it is erased")
	str(fs, &c.DNSServer, "dns-server", "", "DNS server (host:port) the go-live checklist asks for SPF and DKIM records; empty: the system's resolver")
	str(fs, &c.HelpDomains, "help-domains", "", "businesses' own host names for their help centers, host=workspace comma-separated (e.g. help.acme.example=acme); empty: /help/{workspace} only")
	str(fs, &c.MediaPorts, "media-ports", "", "UDP port range min-max for calls' ICE and RTP (e.g. 40000-40999); empty: ephemeral ports")
	str(fs, &c.MediaPublicIPs, "media-public-ips", "", "public addresses the media server announces to browsers, comma-separated; empty: its local addresses")
	str(fs, &c.MediaBind, "media-bind", "", "local IPs the media server uses, comma-separated; empty: every interface, or loopback alone when --addr is on loopback")
	str(fs, &c.TURNListen, "turn-listen", "", "UDP address of the embedded TURN/STUN service for browsers behind NAT (e.g. :3478); empty: none")
	str(fs, &c.TURNSecret, "turn-secret", "", "shared secret of the TURN REST credentials (prefer "+envName("turn-secret")+"); empty: derived from the server's secret")
	str(fs, &c.TURNExternal, "turn-external", "", "URLs of an external TURN/STUN service (coturn with use-auth-secret) sharing --turn-secret, comma-separated")
	str(fs, &c.SIPListen, "sip-listen", "", "UDP address of the SIP server taking calls to tenants' phone numbers (e.g. 0.0.0.0:5060); empty: no SIP over UDP")
	str(fs, &c.SIPListenTCP, "sip-listen-tcp", "", "TCP address of the SIP server (e.g. 0.0.0.0:5060); empty: no SIP over TCP")
	str(fs, &c.SIPHost, "sip-host", "", "the address SIP providers reach this node at, put in Contact and Via (required when listening on 0.0.0.0); empty: the listen host")
	duration(fs, &c.NoticeRing, "notice-ring", 25*time.Second, "how long a spoken notice's call rings before the notice moves to the customer's next channel")
	duration(fs, &c.CallbackRing, "callback-ring", 45*time.Second, "how long a callback rings the customer before the attempt counts as not answered")
	return c
}

// Finish checks the settings and fills the derived ones.
func (c *Config) Finish() error {
	if c.SMTPPassword == "" {
		c.SMTPPassword = os.Getenv(envName("smtp-password"))
	}
	if c.IMAPPassword == "" {
		c.IMAPPassword = os.Getenv(envName("imap-password"))
	}
	if c.MetricsToken == "" {
		c.MetricsToken = os.Getenv(envName("metrics-token"))
	}
	if c.BaseURL == "" {
		c.BaseURL = "http://" + c.Addr
	}
	c.BaseURL = strings.TrimSuffix(c.BaseURL, "/")
	if c.SMTPHostname == "" {
		u, err := url.Parse(c.BaseURL)
		if err != nil || u.Hostname() == "" {
			return fmt.Errorf("base-url %q is not a URL with a host", c.BaseURL)
		}
		c.SMTPHostname = u.Hostname()
	}
	if c.WebPushSubject == "" {
		c.WebPushSubject = "mailto:" + c.SMTPFrom
	}
	if !strings.HasPrefix(c.WebPushSubject, "mailto:") && !strings.HasPrefix(c.WebPushSubject, "https://") {
		return fmt.Errorf("webpush-subject %q must start with mailto: or https://", c.WebPushSubject)
	}
	if c.NoticeRing < 5*time.Second || c.NoticeRing > 28*time.Second {
		// A notice's send has 30 s: the call is answered or refused within it.
		return fmt.Errorf("notice-ring must be between 5s and 28s, not %s", c.NoticeRing)
	}
	if c.CallbackRing < 5*time.Second || c.CallbackRing > 3*time.Minute {
		return fmt.Errorf("callback-ring must be between 5s and 3m, not %s", c.CallbackRing)
	}
	if c.NotifyConcurrency < 1 {
		return fmt.Errorf("notify-concurrency must be at least 1, not %d", c.NotifyConcurrency)
	}
	if c.RoutingShards < 0 || c.RoutingShards > 1024 { // 0: the default
		return fmt.Errorf("routing-shards must be between 1 and 1024, not %d", c.RoutingShards)
	}
	if c.JobRescueAfter <= c.JobTimeout {
		return fmt.Errorf("job-rescue-after (%s) must be longer than job-timeout (%s)", c.JobRescueAfter, c.JobTimeout)
	}
	if _, err := netguard.ParseAllow(c.OutboundAllow); err != nil {
		return err
	}
	switch c.Signup {
	case "open", "invite", "off":
	default:
		return fmt.Errorf("signup must be open, invite or off, not %q", c.Signup)
	}
	if c.Signup != "off" && c.SMTPRelay == "" && !c.Demo {
		return fmt.Errorf("signup %s mails a link to each new workspace's admin: set --smtp-relay too", c.Signup)
	}
	if c.MediaPorts != "" {
		lo, hi, ok := strings.Cut(c.MediaPorts, "-")
		a, err1 := strconv.ParseUint(strings.TrimSpace(lo), 10, 16)
		b, err2 := strconv.ParseUint(strings.TrimSpace(hi), 10, 16)
		if !ok || err1 != nil || err2 != nil || a == 0 || a > b {
			return fmt.Errorf("media-ports %q must be a range min-max of UDP ports, min <= max", c.MediaPorts)
		}
		c.MediaPortMin, c.MediaPortMax = uint16(a), uint16(b)
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		return fmt.Errorf("log-level must be debug, info, warn or error, not %q", c.LogLevel)
	}
	return nil
}

// envName is the environment variable for a flag: --job-timeout is SWITCHBOARD_JOB_TIMEOUT.
func envName(flagName string) string {
	return "SWITCHBOARD_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

func envOr(name, def string) string {
	if v, ok := os.LookupEnv(envName(name)); ok {
		return v
	}
	return def
}

func str(fs *flag.FlagSet, p *string, name, def, usage string) {
	fs.StringVar(p, name, envOr(name, def), usage+" ["+envName(name)+"]")
}

func boolean(fs *flag.FlagSet, p *bool, name string, def bool, usage string) {
	v, err := strconv.ParseBool(envOr(name, strconv.FormatBool(def)))
	if err != nil {
		v = def
		fmt.Fprintf(os.Stderr, "ignoring %s: not true or false\n", envName(name))
	}
	fs.BoolVar(p, name, v, usage+" ["+envName(name)+"]")
}

func integer(fs *flag.FlagSet, p *int, name string, def int, usage string) {
	v, err := strconv.Atoi(envOr(name, strconv.Itoa(def)))
	if err != nil {
		v = def
		fmt.Fprintf(os.Stderr, "ignoring %s: not a whole number\n", envName(name))
	}
	fs.IntVar(p, name, v, usage+" ["+envName(name)+"]")
}

func integer64(fs *flag.FlagSet, p *int64, name string, def int64, usage string) {
	v, err := strconv.ParseInt(envOr(name, strconv.FormatInt(def, 10)), 10, 64)
	if err != nil {
		v = def
		fmt.Fprintf(os.Stderr, "ignoring %s: not a whole number\n", envName(name))
	}
	fs.Int64Var(p, name, v, usage+" ["+envName(name)+"]")
}

func float(fs *flag.FlagSet, p *float64, name string, def float64, usage string) {
	v, err := strconv.ParseFloat(envOr(name, strconv.FormatFloat(def, 'g', -1, 64)), 64)
	if err != nil {
		v = def
		fmt.Fprintf(os.Stderr, "ignoring %s: not a number\n", envName(name))
	}
	fs.Float64Var(p, name, v, usage+" ["+envName(name)+"]")
}

func duration(fs *flag.FlagSet, p *time.Duration, name string, def time.Duration, usage string) {
	v, err := time.ParseDuration(envOr(name, def.String()))
	if err != nil {
		v = def
		fmt.Fprintf(os.Stderr, "ignoring %s: not a duration like 30s\n", envName(name))
	}
	fs.DurationVar(p, name, v, usage+" ["+envName(name)+"]")
}

// Defaults returns the configuration serve would use with no flags (the
// environment still applies), for tests and benchmarks that start a node in-process.
func Defaults() *Config {
	fs := flag.NewFlagSet("defaults", flag.ContinueOnError)
	c := Flag(fs)
	fs.Parse(nil)
	return c
}
