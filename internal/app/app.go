// Package app assembles a Switchboard node from its configuration: storage, bus,
// jobs, services and the HTTP server, started in order and stopped in reverse.
package app

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/riverqueue/river"

	"github.com/switchboard-cx/switchboard/internal/accounts"
	"github.com/switchboard-cx/switchboard/internal/bus"
	"github.com/switchboard-cx/switchboard/internal/channel"
	"github.com/switchboard-cx/switchboard/internal/channel/apichannel"
	"github.com/switchboard-cx/switchboard/internal/channel/email"
	"github.com/switchboard-cx/switchboard/internal/channel/messenger"
	"github.com/switchboard-cx/switchboard/internal/channel/sms"
	"github.com/switchboard-cx/switchboard/internal/channel/telegram"
	"github.com/switchboard-cx/switchboard/internal/channel/webchat"
	"github.com/switchboard-cx/switchboard/internal/channel/webpush"
	"github.com/switchboard-cx/switchboard/internal/channel/whatsapp"
	"github.com/switchboard-cx/switchboard/internal/clock"
	"github.com/switchboard-cx/switchboard/internal/config"
	"github.com/switchboard-cx/switchboard/internal/contextrank/screenpop"
	"github.com/switchboard-cx/switchboard/internal/contextsrc/connectors"
	"github.com/switchboard-cx/switchboard/internal/csat/survey"
	"github.com/switchboard-cx/switchboard/internal/demo"
	"github.com/switchboard-cx/switchboard/internal/dispatch"
	"github.com/switchboard-cx/switchboard/internal/event"
	"github.com/switchboard-cx/switchboard/internal/helpcenter"
	"github.com/switchboard-cx/switchboard/internal/httpapi"
	"github.com/switchboard-cx/switchboard/internal/inbox"
	"github.com/switchboard-cx/switchboard/internal/jobs"
	"github.com/switchboard-cx/switchboard/internal/knowledge/articles"
	"github.com/switchboard-cx/switchboard/internal/knowledge/community/practices"
	"github.com/switchboard-cx/switchboard/internal/knowledge/kbindex"
	"github.com/switchboard-cx/switchboard/internal/knowledge/reuse"
	"github.com/switchboard-cx/switchboard/internal/listening"
	"github.com/switchboard-cx/switchboard/internal/listening/mastodon"
	"github.com/switchboard-cx/switchboard/internal/mailcatch"
	"github.com/switchboard-cx/switchboard/internal/mailer"
	"github.com/switchboard-cx/switchboard/internal/netguard"
	"github.com/switchboard-cx/switchboard/internal/notify"
	"github.com/switchboard-cx/switchboard/internal/notify/send"
	"github.com/switchboard-cx/switchboard/internal/operator"
	"github.com/switchboard-cx/switchboard/internal/outbox"
	"github.com/switchboard-cx/switchboard/internal/portal"
	"github.com/switchboard-cx/switchboard/internal/ratelimit"
	"github.com/switchboard-cx/switchboard/internal/realtime"
	"github.com/switchboard-cx/switchboard/internal/reports"
	"github.com/switchboard-cx/switchboard/internal/reports/schedule"
	"github.com/switchboard-cx/switchboard/internal/retention"
	"github.com/switchboard-cx/switchboard/internal/rollup"
	"github.com/switchboard-cx/switchboard/internal/sandbox"
	"github.com/switchboard-cx/switchboard/internal/secretbox"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/swarm/rooms"
	"github.com/switchboard-cx/switchboard/internal/tenantdata"
	"github.com/switchboard-cx/switchboard/internal/voice/calls"
	"github.com/switchboard-cx/switchboard/internal/voice/media"
	"github.com/switchboard-cx/switchboard/internal/voice/outcall"
	"github.com/switchboard-cx/switchboard/internal/voice/phone"
	"github.com/switchboard-cx/switchboard/internal/voice/recording"
	"github.com/switchboard-cx/switchboard/internal/voice/sip"
	"github.com/switchboard-cx/switchboard/internal/waittime"
	"github.com/switchboard-cx/switchboard/internal/webhook"
)

// App is one running node.
type App struct {
	cfg      *config.Config
	log      *slog.Logger
	DB       *store.DB
	Bus      *bus.Bus
	Accounts *accounts.Service
	Webhooks *webhook.Service
	Inbox    *inbox.Service
	Channels *channel.Registry
	Jobs     *jobs.Queue
	Hub      *realtime.Hub
	Dispatch *dispatch.Service
	// Rollups keeps the report aggregates in step with the events (every node).
	Rollups *rollup.Runner
	Notify  *notify.Service
	Sender  *send.Sender
	Portal  *portal.Portal
	Links   *notify.Links

	// ReportSchedules mails reports to supervisors on their schedules.
	ReportSchedules *schedule.Service

	// TenantData exports workspaces and erases them after their grace period.
	TenantData *tenantdata.Service
	Operator   *operator.Service // the role above tenants: state, limits, usage
	// Knowledge runs the knowledge articles (KCS).
	Knowledge *articles.Service
	// KnowledgeIndex is this node's knowledge search index (under the data
	// directory), kept level with SQL by the article change events.
	KnowledgeIndex *kbindex.Index
	// knowledgeStarting holds /readyz back while the index opens its
	// tenants' indexes after a start (followKnowledge).
	knowledgeStarting starting
	// RateLimits shares the node's rate limits with the cluster's other nodes.
	RateLimits *ratelimit.Sharing
	// ContextConnectors runs the tenants' connectors to their business systems.
	ContextConnectors *connectors.Service
	// ScreenPop ranks the items beside conversations and learns from feedback.
	ScreenPop *screenpop.Service
	// KnowledgeReuse suggests articles beside conversations and keeps past cases.
	KnowledgeReuse *reuse.Service
	// Calls runs browser calls over this node's media server (calls.go).
	Calls       *calls.Service
	callSignals calls.Late    // the widget's call frames, to Calls once built
	media       *media.Server // this node's media server (calls.go)
	// Phone keeps tenants' trunks and numbers and takes their calls (phone.go).
	Phone *phone.Service
	// SIP is the node's SIP server (nil unless --sip-listen or
	// --sip-listen-tcp is given): inbound calls to tenants' numbers, and
	// outbound calls through their trunks (sip.Server.Dial with Phone.TrunkFor).
	SIP *sip.Server
	// Outcall places outbound calls: spoken notices and callbacks
	// (outcall.go); nil without a SIP server.
	Outcall *outcall.Caller
	// Surveys asks customers how it went after a resolution (internal/csat).
	Surveys *survey.Service
	// Waits estimates a waiting customer's wait (internal/waittime).
	Waits *waittime.Service
	// Recording keeps the tenants' call recording policies and recordings.
	Recording *recording.Service
	// Listening keeps the tenants' listening rules; the networks listened
	// to (Mastodon) are channels with runners (openChannels).
	Listening *listening.Rulebook
	// Catcher is the demo's mail catcher, which the relay points at when the
	// demo runs without one; nil otherwise.
	Catcher *mailcatch.Catcher
	handler http.Handler
	metrics http.Handler     // /metrics alone, for --metrics-addr
	guard   *netguard.Guard  // the one way out for calls a tenant can aim
	runners []channel.Runner // channels with listeners of their own
	closers []func()
	listen  atomic.Value // the address Serve listens on (string), for the demo's own connector
}

// Open connects to the database (migrating it) and the bus, and builds the services.
func Open(ctx context.Context, cfg *config.Config, log *slog.Logger, web fs.FS) (*App, error) {
	own := *cfg // the catcher below may set the relay; the caller's settings stay as given
	cfg = &own
	a := &App{cfg: cfg, log: log}
	ok := false
	defer func() {
		if !ok {
			a.Close()
		}
	}()
	clk := clock.System{}
	// The demo without a relay catches its mail, so replies, notices and
	// sign-in codes go somewhere a newcomer can read them (Admin → Outbox).
	if cfg.Demo && cfg.SMTPRelay == "" {
		c, err := mailcatch.Start("127.0.0.1:0", mailcatch.DefaultKeep, clk, log)
		if err != nil {
			return nil, err
		}
		a.Catcher = c
		a.closers = append(a.closers, c.Close)
		cfg.SMTPRelay, cfg.SMTPUser, cfg.SMTPPassword = c.Addr(), "", ""
		log.Info("demo without --smtp-relay: every outbound mail is caught; read it under Admin → Outbox", "catcher", c.Addr())
	}
	db, err := Migrate(ctx, cfg, log)
	if err != nil {
		return nil, err
	}
	a.DB = db
	a.closers = append(a.closers, func() { db.Close() })

	secret, err := secretKey(ctx, db)
	if err != nil {
		return nil, err
	}
	b, err := bus.Open(ctx, bus.Options{URL: cfg.NATS, DataDir: cfg.DataDir, Logger: log})
	if err != nil {
		return nil, err
	}
	a.Bus = b
	a.closers = append(a.closers, b.Close)

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))

	if err := jobs.Migrate(ctx, db); err != nil {
		return nil, fmt.Errorf("migrate jobs: %w", err)
	}
	retry := jobs.DefaultRetryPolicy()
	// Every outbound call a tenant can aim leaves through this one guard.
	allow, err := netguard.ParseAllow(cfg.OutboundAllow)
	if err != nil {
		return nil, err
	}
	a.guard = netguard.New(netguard.Options{Allow: allow})
	// Every send on a tenant's behalf passes the sandbox gate: a sandbox
	// tenant's are kept in its sandbox outbox instead of sent, a suspended
	// one's held. Suspensions are the operator's: nil until there are any.
	gate := sandbox.NewGate(db, clk, log, operator.NewGate(db)) // suspended tenants are held
	whSecrets, err := secretbox.New(secret, "webhook-secret")
	if err != nil {
		return nil, err
	}
	whCfg := webhook.Config{Timeout: cfg.WebhookTimeout, Guard: a.guard, Gate: gate, Secrets: whSecrets}
	workers := river.NewWorkers()
	river.AddWorker(workers, webhook.NewWorker(db, retry, clk, log, whCfg))
	// Outbound messages: the registry holds the channels this node runs.
	if a.Channels, err = channel.NewGatedRegistry(gate); err != nil {
		return nil, err
	}
	out := outbox.New(db, b, clk, log, webhookFanout{&a.Webhooks})
	deliverer := inbox.NewDeliverer(db, out, a.Channels, clk, log)
	deliverer.ShareWorkers(cfg.JobWorkers) // a hanging provider holds no more than its share of them
	river.AddWorker(workers, deliverer)
	river.AddWorker(workers, rooms.NewTeller(db, swarmMail(cfg, clk), a.Channels, clk, log, cfg.BaseURL))                                                   // swarm invitees who are away hear by mail and Web Push
	river.AddWorker(workers, recording.NewPurger(db, out, clk, log))                                                                                        // call recordings past their retention
	river.AddWorker(workers, retention.NewPruner(db, retention.Config{Events: cfg.RetainEvents, WebhookDeliveries: cfg.RetainWebhookDeliveries}, clk, log)) // old events and webhook deliveries
	// Scheduled reports (issue 16): a tick job claims due runs, a send job mails each.
	a.ReportSchedules = schedule.New(schedule.Deps{DB: db, Reports: reports.New(db), Mail: reportMail(cfg, clk), Gate: gate, Clock: clk, Log: log, BaseURL: cfg.BaseURL})
	river.AddWorker(workers, schedule.NewTicker(a.ReportSchedules))
	river.AddWorker(workers, schedule.NewSender(a.ReportSchedules))
	q, err := jobs.New(db, jobs.Config{Workers: workers, Logger: log, Retry: retry, MaxWorkers: cfg.JobWorkers,
		JobTimeout: cfg.JobTimeout, RescueStuckJobsAfter: cfg.JobRescueAfter})
	if err != nil {
		return nil, err
	}
	a.Jobs = q
	a.Webhooks = webhook.New(db, q, clk, log, whCfg)
	// Signing secrets stored before they were sealed (migration 0026) are
	// sealed now, before this node serves or delivers.
	if _, err := a.Webhooks.SealStored(ctx); err != nil {
		return nil, err
	}
	a.Inbox = inbox.New(db, out, q, a.Channels, clk, log, inbox.DefaultLimits)
	// Notifications: the service decides and enqueues, the sender delivers;
	// replies to a notice come home through the inbox's hook.
	a.Links = notify.NewLinks(secret, cfg.BaseURL, clk)
	a.Notify = notify.New(notify.Deps{DB: db, Out: out, Inbox: a.Inbox, Links: a.Links, Clock: clk, Log: log,
		Running: a.notifyChannels})
	a.Inbox.OnInbound(a.Notify.InboundHook)
	a.Sender = send.New(send.Deps{DB: db, Notify: a.Notify, Links: a.Links, Channels: a.Channels, Clock: clk, Log: log},
		send.Config{Concurrency: cfg.NotifyConcurrency})
	// Satisfaction surveys and the waiting customer's estimate (issue 16):
	// both follow the bus from the start, before any channel takes traffic.
	a.Surveys = survey.New(survey.Deps{DB: db, Out: out, Inbox: a.Inbox, Bus: b, Clock: clk, Log: log, BaseURL: cfg.BaseURL})
	a.Waits = waittime.NewService(db, clk, log)
	for _, follow := range []func(*bus.Bus) (func() error, error){a.Surveys.Follow, a.Waits.Follow} {
		stop, err := follow(b)
		if err != nil {
			return nil, err
		}
		a.closers = append(a.closers, func() { stop() })
	}
	vapidPublic, err := a.openChannels(b, out, secret, clk)
	if err != nil {
		return nil, err
	}
	channelRoutes := http.NewServeMux()
	for _, c := range a.Channels.All() {
		if m, ok := c.(channel.Mounter); ok {
			m.Mount(channelRoutes)
		}
	}

	hub, err := realtime.New(realtime.Options{Events: b, Replay: db, Logger: log, Metrics: reg})
	if err != nil {
		return nil, err
	}
	if err := hub.Start(ctx); err != nil {
		return nil, err
	}
	a.Hub = hub
	a.closers = append(a.closers, hub.Close)
	tokens, err := realtime.NewTokens(secret, clk)
	if err != nil {
		return nil, err
	}
	var mail accounts.Mailer
	if cfg.SMTPRelay != "" {
		mail = mailer.New(cfg.SMTPRelay, cfg.SMTPFrom, cfg.SMTPUser, cfg.SMTPPassword, clk)
	}
	a.Portal = portal.New(portal.Deps{DB: db, Notify: a.Notify, Inbox: a.Inbox, Links: a.Links, Mail: mail, Channels: a.Channels,
		Clock: clk, Log: log, Secret: secret, BaseURL: cfg.BaseURL, VAPIDPublicKey: vapidPublic})
	if err := a.Channels.Register(a.Portal); err != nil { // "contact us" conversations, read in the portal
		return nil, err
	}
	a.closers = append(a.closers, a.Portal.Flush) // sign-in codes on their way out, before the database closes
	signup, err := accounts.ParseSignupMode(cfg.Signup)
	if err != nil {
		return nil, err
	}
	a.Accounts = accounts.New(db, out, clk, mail, log, accounts.Config{SecretKey: secret, BaseURL: cfg.BaseURL, Signup: signup})
	a.Operator = operator.New(db, out, a.Accounts, clk, log, secret)
	if a.Dispatch, err = dispatch.New(dispatch.Deps{DB: db, Out: out, Bus: b, Inbox: a.Inbox, Accounts: a.Accounts, Clock: clk, Log: log},
		dispatch.Config{Shards: cfg.RoutingShards}); err != nil {
		return nil, fmt.Errorf("routing: %w", err)
	}
	if err := a.openCalls(secret, b, out, clk); err != nil {
		return nil, err
	}
	if err := a.openPhone(secret, clk); err != nil {
		return nil, err
	}
	if err := a.openOutcall(clk); err != nil {
		return nil, err
	}

	a.TenantData = tenantdata.New(db, clk, log, tenantdata.Config{Grace: cfg.DeletionGrace})
	a.Knowledge = articles.New(db, out, clk, log)
	// A command run beside a serving node (tenant create…) finds the index
	// locked; it searches nothing, so an empty one in memory does.
	a.KnowledgeIndex, err = kbindex.Open(KnowledgeIndexDir(cfg))
	if errors.Is(err, kbindex.ErrInUse) {
		log.Warn("knowledge search index in use by a node serving from this data directory; this process has none")
		a.KnowledgeIndex, err = kbindex.OpenInMemory()
	}
	if err != nil {
		return nil, fmt.Errorf("knowledge search index: %w", err)
	}
	a.closers = append(a.closers, func() { a.KnowledgeIndex.Close() })
	// Context connectors: every call through the guard; on a demo node, the
	// demo tenant's may also reach this node's own server (ADR 0026).
	egress := &connectors.Egress{Guard: a.guard}
	if cfg.Demo {
		if egress.Self, err = connectors.NewSelf(cfg.BaseURL, demoTenant(db), a.listenAddr); err != nil {
			return nil, err
		}
	}
	if a.ContextConnectors, err = connectors.New(connectors.Deps{DB: db, Egress: egress, Clock: clk, Log: log, ServerKey: secret}); err != nil {
		return nil, err
	}
	// The public help center reads what the knowledge store publishes and
	// the index finds; its inbound hook carries a visitor's trail into the
	// conversation they start (after the notices' hook).
	helpPages, err := a.openHelpCenter(cfg, channelRoutes, clk)
	if err != nil {
		return nil, err
	}
	// Knowledge beside conversations; resolved conversations become past cases.
	a.KnowledgeReuse = reuse.New(reuse.Deps{DB: db, Articles: db, Feedback: db, Search: reuse.IndexSearch{Index: a.KnowledgeIndex}, Clock: clk, Log: log})
	stopCases, err := a.KnowledgeReuse.Follow(b)
	if err != nil {
		return nil, fmt.Errorf("knowledge reuse: %w", err)
	}
	a.closers = append(a.closers, func() { stopCases() })
	// The screen-pop: connectors and internal sources ranked per tenant.
	a.ScreenPop = screenpop.New(screenpop.Deps{DB: db, Connectors: a.ContextConnectors, Knowledge: a.KnowledgeReuse, Clock: clk, Log: log})
	a.Rollups = rollup.NewRunner(db, clk, log)
	api := httpapi.New(httpapi.Deps{
		DB: db, Accounts: a.Accounts, Webhooks: a.Webhooks, Inbox: a.Inbox, Dispatch: a.Dispatch, Calls: a.Calls, Recording: a.Recording, Notify: a.Notify, Portal: a.Portal, Links: a.Links, Channels: channelRoutes, Realtime: hub, Tokens: tokens, Bus: b, Clock: clk, Log: log, Metrics: reg, Gatherer: reg, Web: web, SecretKey: secret,
		MailCatcher: catcherAPI(a.Catcher), TenantData: a.TenantData,
		Operator: a.Operator,
		Sandbox:  sandbox.New(sandbox.Deps{DB: db, Inbox: a.Inbox, Routing: a.Dispatch, Resolver: sandbox.NewResolver(cfg.DNSServer), Clock: clk, Log: log}),
		// Knowledge (issue 13): articles, search, the help center, knowledge beside conversations.
		Knowledge: a.Knowledge, KnowledgeSearch: a.KnowledgeIndex, Help: helpPages, KnowledgeReuse: a.KnowledgeReuse,
		Checks: map[string]httpapi.Checker{"knowledge_index": &a.knowledgeStarting},
		// Context and swarming (issue 14).
		ContextConnectors: a.ContextConnectors, ScreenPop: a.ScreenPop,
		Phone:     a.Phone,
		Listening: a.Listening,
		Outcall:   a.outcallAPI(),
		Swarm:     rooms.New(rooms.Deps{DB: db, Out: out, Similar: a.KnowledgeReuse, Clock: clk, Log: log, Jobs: q, MaxFileBytes: a.Inbox.MaxAttachmentBytes()}),
		Community: practices.New(db, out, a.Knowledge, clk, log),
		Surveys:   a.Surveys,
		Waits:     a.Waits,
		Reports:   reports.New(db),

		// Scheduled reports (issue 16).
		ReportSchedules: a.ReportSchedules,
	}, httpapi.Config{
		MaxBodyBytes: cfg.MaxBodyBytes, RatePerSecond: cfg.RatePerSecond, RateBurst: cfg.RateBurst, SecureCookies: cfg.SecureCookies,
		HSTS: strings.HasPrefix(strings.ToLower(cfg.BaseURL), "https://"), MetricsToken: cfg.MetricsToken,
	})
	a.handler = helpPages.Domains(api.Handler()) // businesses' own help-center hosts first
	a.RateLimits = a.shareRateLimits(b, clk, api, helpPages, a.Sender, a.Accounts)
	// Northwind's core banking system, served by the demo node itself.
	if cfg.Demo {
		mux := http.NewServeMux()
		mux.Handle("POST "+demo.ConnectorPath, demo.Connector(db, a.ContextConnectors, clk, log))
		mux.Handle("/", a.handler)
		a.handler = mux
	}
	a.metrics = api.MetricsHandler()
	ok = true
	return a, nil
}

// KnowledgeIndexDir is where a node keeps its knowledge search index: in its
// data directory, on every node of a cluster too (the index is per node).
func KnowledgeIndexDir(cfg *config.Config) string {
	return filepath.Join(cfg.DataDir, "knowledge-index")
}

// swarmMail is the relay that tells swarm invitees who are away; nil
// (nothing sent) without one.
func swarmMail(cfg *config.Config, clk clock.Clock) rooms.Mailer {
	if cfg.SMTPRelay == "" {
		return nil
	}
	return mailer.New(cfg.SMTPRelay, cfg.SMTPFrom, cfg.SMTPUser, cfg.SMTPPassword, clk)
}

// reportMail is the relay scheduled reports go through; nil (sends fail
// with schedule.ErrNoMail) without one.
func reportMail(cfg *config.Config, clk clock.Clock) schedule.Mailer {
	if cfg.SMTPRelay == "" {
		return nil
	}
	return mailer.New(cfg.SMTPRelay, cfg.SMTPFrom, cfg.SMTPUser, cfg.SMTPPassword, clk)
}

// catcherAPI is the catcher for the API: a nil interface when there is none,
// never an interface holding a nil pointer.
func catcherAPI(c *mailcatch.Catcher) httpapi.MailCatcher {
	if c == nil {
		return nil
	}
	return c
}

// Migrate opens the database and brings its schema up to date.
func Migrate(ctx context.Context, cfg *config.Config, log *slog.Logger) (*store.DB, error) {
	db, err := store.Open(ctx, cfg.DB, cfg.DataDir)
	if err != nil {
		return nil, err
	}
	n, err := db.Migrate(ctx)
	if err != nil {
		db.Close()
		return nil, err
	}
	if n > 0 {
		log.Info("migrated database", "engine", db.Engine(), "applied", n)
	}
	return db, nil
}

// secretKey returns the server's signing key, made once and shared by every node
// through the database.
func secretKey(ctx context.Context, db *store.DB) ([]byte, error) {
	buf := make([]byte, 32)
	rand.Read(buf)
	v, err := db.SettingOrInit(ctx, "secret_key", hex.EncodeToString(buf))
	if err != nil {
		return nil, err
	}
	return hex.DecodeString(v)
}

// vapidKeys returns the center's Web Push key pair, made on first use.
func vapidKeys(db *store.DB) (public, private string, err error) {
	pub, priv, err := webpush.GenerateKeys()
	if err != nil {
		return "", "", err
	}
	v, err := db.SettingOrInit(context.Background(), "vapid_keys", pub+" "+priv)
	if err != nil {
		return "", "", err
	}
	public, private, ok := strings.Cut(v, " ")
	if !ok {
		return "", "", errors.New("web push: the stored VAPID key pair is malformed")
	}
	return public, private, nil
}

// Handler is the node's HTTP surface.
func (a *App) Handler() http.Handler { return a.handler }

// Serve listens on ln until ctx is cancelled, then shuts down gracefully: stop
// accepting, let requests in flight finish, then stop the background work.
func (a *App) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           a.handler,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(a.log.Handler(), slog.LevelWarn),
	}
	// The job queue runs on its own context: cancelling it would be a hard stop,
	// while shutdown below lets running jobs finish.
	if err := a.Jobs.Start(context.WithoutCancel(ctx)); err != nil {
		return fmt.Errorf("start jobs: %w", err)
	}
	if err := recording.SchedulePurge(ctx, a.Jobs); err != nil {
		a.log.Warn("schedule the call recordings' retention job", "err", err)
	}
	if err := retention.Schedule(ctx, a.Jobs); err != nil {
		a.log.Warn("schedule the retention job", "err", err)
	}
	if err := schedule.ScheduleTick(ctx, a.Jobs); err != nil {
		a.log.Warn("schedule the report schedules' tick job", "err", err)
	}
	ctx, stop := context.WithCancel(ctx)
	defer stop()
	go a.housekeeping(ctx)
	// Background work that must finish before the database closes: the
	// channels' listeners (finishing what they acknowledged) and routing.
	var background sync.WaitGroup
	errc := make(chan error, 2+len(a.runners)) // the listeners and the channels
	for _, r := range a.runners {
		background.Go(func() {
			if err := r.Run(ctx); err != nil {
				errc <- fmt.Errorf("channel %s: %w", r.(channel.Channel).Name(), err)
			}
		})
	}
	background.Go(func() {
		if err := a.Dispatch.Run(ctx); err != nil {
			a.log.Error("routing stopped", "err", err)
		}
	})
	background.Go(func() {
		if err := a.Sender.Run(ctx); err != nil {
			a.log.Error("notification sender stopped", "err", err)
		}
	})
	background.Go(func() {
		if err := a.RateLimits.Run(ctx); err != nil {
			a.log.Error("rate limits stopped being shared; each node keeps them alone", "err", err)
		}
	})
	a.knowledgeStarting.begin("opening the tenants' knowledge indexes")
	background.Go(func() { a.followKnowledge(ctx) })
	background.Go(func() {
		if err := a.Surveys.Run(ctx); err != nil {
			a.log.Error("surveys stopped", "err", err)
		}
	})
	background.Go(func() {
		if err := a.Rollups.Run(ctx, pacedEvents{events: a.Bus, every: rollupPace}); err != nil {
			a.log.Error("report rollups stopped", "err", err)
		}
	})
	background.Go(func() {
		if err := a.Calls.Run(ctx); err != nil {
			a.log.Error("calls stopped", "err", err)
		}
	})
	if a.SIP != nil {
		// Trunks that register at their provider stay registered while the node serves.
		registrar := phone.NewRegistrar(a.Phone, a.SIP, 0, a.log)
		background.Go(func() { registrar.Run(ctx) })
	}
	a.listen.Store(dialable(ln.Addr()))
	go func() { errc <- srv.Serve(ln) }()
	a.log.Info("serving", "addr", ln.Addr().String(), "engine", a.DB.Engine())
	metrics, err := a.serveMetrics(errc)
	if err != nil {
		stop()
		srv.Close()
		background.Wait()
		return err
	}
	select {
	case err := <-errc:
		stop()
		background.Wait()
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	a.log.Info("shutting down", "grace", a.cfg.ShutdownGrace)
	sctx, cancel := context.WithTimeout(context.Background(), a.cfg.ShutdownGrace)
	defer cancel()
	a.Hub.Close() // WebSockets are not drained by Shutdown; clients resume elsewhere
	if metrics != nil {
		metrics.Close() // scrapes are short and retried; nothing to drain
	}
	err = srv.Shutdown(sctx)
	if errors.Is(err, context.DeadlineExceeded) {
		srv.Close()
	}
	if jerr := a.Jobs.Stop(sctx); jerr != nil {
		a.log.Warn("stop jobs", "err", jerr)
	}
	background.Wait()
	return err
}

// serveMetrics starts the metrics listener of --metrics-addr, if set: the
// operator's scrapers read /metrics there, off the public port. Its failure
// to serve ends the node like the public listener's.
func (a *App) serveMetrics(errc chan<- error) (*http.Server, error) {
	if a.cfg.MetricsAddr == "" {
		return nil, nil
	}
	ln, err := net.Listen("tcp", a.cfg.MetricsAddr)
	if err != nil {
		return nil, fmt.Errorf("metrics listener: %w", err)
	}
	// The runtime's profiles sit beside the metrics, on the operator's
	// private address only: a node that burns CPU can be profiled where it
	// runs. The command line (which may hold a database password) is not
	// served.
	mux := http.NewServeMux()
	mux.Handle("/", a.metrics)
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second,
		ErrorLog: slog.NewLogLogger(a.log.Handler(), slog.LevelWarn)}
	go func() {
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			errc <- fmt.Errorf("metrics: %w", err)
		}
	}()
	a.log.Info("serving metrics", "addr", ln.Addr().String())
	return srv, nil
}

// Close stops everything Open started, in reverse order.
func (a *App) Close() {
	for i := len(a.closers) - 1; i >= 0; i-- {
		a.closers[i]()
	}
	a.closers = nil
}

// webhookFanout breaks a cycle of construction: the outbox fans events out to
// webhooks, webhooks enqueue jobs, and the job queue needs its workers — among
// them the message deliverer, which writes through the outbox — before it can
// be made. The webhook service is set right after the queue, before any job or
// request runs.
type webhookFanout struct{ svc **webhook.Service }

func (f webhookFanout) FanoutTx(ctx context.Context, s *store.Store, tx *sql.Tx, ev event.Event) error {
	return (*f.svc).FanoutTx(ctx, s, tx, ev)
}

// housekeepingEvery is how often snoozed conversations are checked for waking
// and expired portal sign-ins deleted.
const housekeepingEvery = 30 * time.Second

// housekeeping reopens conversations whose snooze ended, deletes expired
// portal codes and sessions and idle help-center sessions, erases workspaces
// past their grace, and lets the screen-pop learn, until ctx ends. Every node
// does it; each step is idempotent, so nodes racing do no harm.
func (a *App) housekeeping(ctx context.Context) {
	t := time.NewTicker(housekeepingEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if n, err := a.Inbox.WakeSnoozed(ctx); err != nil {
				a.log.Warn("wake snoozed conversations", "err", err)
			} else if n > 0 {
				a.log.Info("woke snoozed conversations", "count", n)
			}
			if _, err := a.DB.DeleteExpiredPortal(ctx, time.Now()); err != nil {
				a.log.Warn("delete expired portal codes and sessions", "err", err)
			}
			if _, err := a.TenantData.EraseDue(ctx); err != nil {
				a.log.Error("erase workspaces after their grace period", "err", err)
			}
			if _, err := a.DB.DeleteIdleHelpSessions(ctx, time.Now().Add(-helpcenter.IdleSessionTTL)); err != nil {
				a.log.Warn("delete idle help-center sessions", "err", err)
			}
			a.ScreenPop.LearnAll(ctx) // the screen-pop's feedback of quiet conversations
		}
	}
}

// openChannels builds the channels this node runs and registers them: web chat,
// email, SMS, Web Push, Telegram, WhatsApp and the API channel. Channels with listeners of their own run
// while the node serves.
func (a *App) openChannels(b *bus.Bus, out *outbox.Outbox, secret []byte, clk clock.Clock) (vapidPublic string, err error) {
	cfg, log := a.cfg, a.log
	wc, err := webchat.New(webchat.Deps{DB: a.DB, Inbox: a.Inbox, Bus: b, Key: secret, Clock: clk, Log: log, Calls: &a.callSignals,
		Surveys: a.Surveys, Waits: a.Waits},
		webchat.Config{MaxUploadBytes: cfg.WidgetMaxUpload, CallRate: cfg.WidgetCallRate, CallBurst: cfg.WidgetCallBurst})
	if err != nil {
		return "", fmt.Errorf("web chat: %w", err)
	}
	mail, err := email.New(email.Deps{DB: a.DB, Inbox: a.Inbox, Clock: clk, Log: log},
		email.Config{Listen: cfg.SMTPListen, Hostname: cfg.SMTPHostname, MaxMessageBytes: cfg.SMTPMaxBytes,
			TLSCert: cfg.SMTPTLSCert, TLSKey: cfg.SMTPTLSKey,
			Relay: cfg.SMTPRelay, RelayUser: cfg.SMTPUser, RelayPassword: cfg.SMTPPassword,
			IMAP: cfg.IMAPAddr, IMAPUser: cfg.IMAPUser, IMAPPassword: cfg.IMAPPassword, IMAPMailbox: cfg.IMAPMailbox,
			IMAPAccount: cfg.IMAPAccount, IMAPInterval: cfg.IMAPInterval})
	if err != nil {
		return "", err
	}
	a.closers = append(a.closers, mail.Close)
	// The SMS provider's API base is the operator's (--twilio-api-base), so
	// its client is a plain one; media URLs are the webhook signer's, so they
	// go through the guard.
	text, err := sms.New(sms.Deps{DB: a.DB, Inbox: a.Inbox, Clock: clk, Log: log, HTTP: &http.Client{Timeout: 30 * time.Second},
		Guard: a.guard, Keywords: a.Notify, Receipts: a.Sender, Surveys: a.Surveys},
		sms.Config{PublicBaseURL: cfg.BaseURL, TwilioAPIBase: cfg.TwilioAPIBase})
	if err != nil {
		return "", fmt.Errorf("sms: %w", err)
	}
	// WhatsApp (Cloud API): every call, to the Graph API and to the media
	// URLs it names, goes through the guard.
	wa, err := whatsapp.New(whatsapp.Deps{DB: a.DB, Inbox: a.Inbox, Clock: clk, Log: log, Guard: a.guard, Receipts: a.Sender, SecretKey: secret},
		whatsapp.Config{APIBase: cfg.WhatsAppAPIBase})
	if err != nil {
		return "", fmt.Errorf("whatsapp: %w", err)
	}
	// Web Push: one VAPID key pair for the center, made once and shared by
	// every node through the database.
	vapidPublic, vapidPrivate, err := vapidKeys(a.DB)
	if err != nil {
		return "", err
	}
	push, err := webpush.New(webpush.Config{PublicKey: vapidPublic, PrivateKey: vapidPrivate, Subscriber: cfg.WebPushSubject,
		HTTP: a.guard.Client(30 * time.Second)})
	if err != nil {
		return "", fmt.Errorf("web push: %w", err)
	}
	// Telegram: every Bot API call goes through the guard, since the bots'
	// file paths and the operator's API base are both followed.
	tg, err := telegram.New(telegram.Deps{DB: a.DB, Inbox: a.Inbox, Clock: clk, Log: log, Guard: a.guard, ServerKey: secret},
		telegram.Config{APIBase: cfg.TelegramAPIBase, PublicBaseURL: cfg.BaseURL})
	if err != nil {
		return "", fmt.Errorf("telegram: %w", err)
	}
	// Social listening: Mastodon's streams for the tenants' rules; public
	// replies and direct messages go out as its two channels (ADR 0050).
	a.Listening = listening.NewRulebook(a.DB, clk)
	tokens, err := secretbox.New(secret, "mastodon-access-token")
	if err != nil {
		return "", err
	}
	masto, err := mastodon.New(mastodon.Deps{DB: a.DB, Intake: listening.NewIntake(a.Listening, a.DB, a.Inbox, log), Rules: a.Listening,
		Guard: a.guard, Secrets: tokens, Clock: clk, Log: log}, mastodon.Config{})
	if err != nil {
		return "", fmt.Errorf("mastodon: %w", err)
	}
	// Messenger and Instagram: one package, two channels (their customers'
	// ids differ). Every Graph API call and attachment fetch goes through the
	// guard: attachment URLs are whatever a tenant's signed webhook names.
	chans := []channel.Channel{wc, mail, text, push, tg, wa, apichannel.New(out), masto, masto.Direct()}
	for _, p := range []messenger.Platform{messenger.Messenger, messenger.Instagram} {
		ch, err := messenger.New(p, messenger.Deps{DB: a.DB, Inbox: a.Inbox, Clock: clk, Log: log, Guard: a.guard, Receipts: a.Sender, ServerKey: secret},
			messenger.Config{GraphBase: cfg.MessengerGraphBase, GraphVersion: cfg.MessengerGraphVersion})
		if err != nil {
			return "", fmt.Errorf("%s: %w", p, err)
		}
		chans = append(chans, ch)
	}
	for _, c := range chans {
		if err := a.Channels.Register(c); err != nil {
			return "", err
		}
		if r, ok := c.(channel.Runner); ok {
			a.runners = append(a.runners, r)
		}
	}
	return vapidPublic, nil
}
