// Command switchboard runs the Switchboard customer interaction center.
//
//	switchboard serve [flags]     run a node (SQLite + embedded NATS by default)
//	switchboard migrate [flags]   bring the database schema up to date and exit
//	switchboard demo [flags]      create the demo tenant and print how to sign in
//	switchboard tenant create --slug S --name N --admin-email E  create a workspace
//	switchboard tenant export --slug S --out F.zip  export all of a workspace's data
//	switchboard operator create --name N  make an operator token for the operator console
//	switchboard signup-code create [--note N] [--expires D]  a code that lets one business sign up
//	switchboard backup --out DIR  copy the embedded store, live, into DIR
//	switchboard restore --from DIR  bring a backup back into an empty data directory
//	switchboard reindex           rebuild the knowledge search index from SQL
//	switchboard rollups rebuild   recompute the report rollups from the events
//	switchboard version           print the version
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"
	_ "time/tzdata" // customers' time zones resolve on hosts without a zoneinfo database

	"github.com/switchboard-cx/switchboard/internal/accounts"
	"github.com/switchboard-cx/switchboard/internal/app"
	"github.com/switchboard-cx/switchboard/internal/config"
	"github.com/switchboard-cx/switchboard/internal/demo"
	"github.com/switchboard-cx/switchboard/web"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "switchboard:", err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprint(os.Stderr, `Switchboard — a multi-modal customer interaction center.

Usage:
  switchboard serve [flags]     run the center (add --demo for the demo tenant)
  switchboard migrate [flags]   bring the database schema up to date and exit
  switchboard demo [flags]      create the demo tenant and print how to sign in
  switchboard tenant create --slug SLUG --name NAME --admin-email EMAIL [--admin-name NAME] [--live]
                                create a workspace and print its admin's one-time sign-in link
  switchboard tenant export --slug SLUG --out FILE.zip
                                write all of a workspace's data into a zip (JSON lines per table, files)
  switchboard operator create --name NAME
                                make an operator (the role above tenants) and print their token
  switchboard operator revoke --id ID
                                end an operator's token
  switchboard signup-code create [--note TEXT] [--expires 720h]
                                make a code that lets one business sign up at /signup (--signup invite)
  switchboard backup --out DIR  copy the embedded store (SQLite), live, into a new directory
  switchboard restore --from DIR [--force]
                                bring a backup back into an empty data directory
  switchboard reindex [--tenant SLUG]
                                rebuild this node's knowledge search index from SQL (with --nats: every node's)
  switchboard rollups rebuild [--tenant SLUG]
                                recompute the report rollups from the events kept, with a progress bar
  switchboard version           print the version

Run "switchboard serve -h" for the flags; each has a SWITCHBOARD_* environment variable.
`)
}

func run(args []string) error {
	if len(args) == 0 {
		usage()
		return errors.New("no command given")
	}
	cmd, args := args[0], args[1:]
	switch cmd {
	case "version", "--version", "-v":
		fmt.Println("switchboard", version)
		return nil
	case "help", "-h", "--help":
		usage()
		return nil
	case "serve", "migrate", "demo", "backup", "restore":
	case "reindex":
	case "tenant":
		if len(args) == 0 || (args[0] != "create" && args[0] != "export") {
			usage()
			return errors.New(`tenant: the subcommands are "create" and "export"`)
		}
		cmd, args = "tenant "+args[0], args[1:]
	case "operator":
		if len(args) == 0 || (args[0] != "create" && args[0] != "revoke") {
			usage()
			return errors.New(`operator: the subcommands are "create" and "revoke"`)
		}
		cmd, args = "operator "+args[0], args[1:]
	case "rollups":
		if len(args) == 0 || args[0] != "rebuild" {
			usage()
			return errors.New(`rollups: the one subcommand is "rebuild"`)
		}
		cmd, args = "rollups rebuild", args[1:]
	case "signup-code":
		if len(args) == 0 || args[0] != "create" {
			usage()
			return errors.New(`signup-code: the one subcommand is "create"`)
		}
		cmd, args = "signup-code create", args[1:]
	default:
		usage()
		return fmt.Errorf("unknown command %q", cmd)
	}
	fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
	cfg := config.Flag(fs)
	var out, from string
	var force bool
	var ws accounts.NewWorkspace
	var opName, opID string
	var codeNote string
	var codeTTL time.Duration
	switch cmd {
	case "tenant create":
		fs.StringVar(&ws.Slug, "slug", "", "the workspace address people type at sign-in: 3–40 lowercase letters, digits or dashes")
		fs.StringVar(&ws.Name, "name", "", "the business's name")
		fs.StringVar(&ws.AdminEmail, "admin-email", "", "email of the workspace's first admin")
		fs.StringVar(&ws.AdminName, "admin-name", "", "the admin's name (default: the email before the @)")
		fs.BoolVar(&ws.Live, "live", false, "start live instead of in the sandbox")
	case "tenant export":
		fs.StringVar(&ws.Slug, "slug", "", "the address of the workspace to export")
		fs.StringVar(&out, "out", "", "the zip file to write; must not exist")
	case "operator create":
		fs.StringVar(&opName, "name", "", "who the operator is, as the tenants' audit logs name them")
	case "operator revoke":
		fs.StringVar(&opID, "id", "", "the operator's id, as create printed it")
	case "signup-code create":
		fs.StringVar(&codeNote, "note", "", "who the code is for, kept with it")
		fs.DurationVar(&codeTTL, "expires", 30*24*time.Hour, "how long the code works")
	case "reindex":
		fs.StringVar(&ws.Slug, "tenant", "", "rebuild this workspace's index alone (its address, as at sign-in); default: every workspace's")
	case "rollups rebuild":
		fs.StringVar(&ws.Slug, "tenant", "", "rebuild this workspace's rollups alone (its address, as at sign-in); default: every workspace's")
	case "backup":
		fs.StringVar(&out, "out", "", "directory to write the backup into; must be new or empty")
	case "restore":
		fs.StringVar(&from, "from", "", "directory a backup was written into")
		fs.BoolVar(&force, "force", false, "restore into a data directory that is not empty, moving its database aside")
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := cfg.Finish(); err != nil {
		return err
	}
	log := newLogger(cfg)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if cmd != "serve" {
		// A command that does its work and exits receives no mail: it must not
		// take the inbound mail port from the node serving beside it.
		cfg.SMTPListen = ""
	}

	switch cmd {
	case "reindex":
		return runReindex(ctx, os.Stdout, cfg, ws.Slug, log)
	case "rollups rebuild":
		return runRollupsRebuild(ctx, os.Stdout, cfg, ws.Slug, log)
	case "backup":
		return runBackup(ctx, cfg, out)
	case "restore":
		return runRestore(ctx, cfg, from, force)
	case "migrate":
		db, err := app.Migrate(ctx, cfg, log)
		if err != nil {
			return err
		}
		defer db.Close()
		v, err := db.SchemaVersion(ctx)
		if err != nil {
			return err
		}
		fmt.Printf("database (%s) is at schema version %d\n", db.Engine(), v)
		return nil
	case "tenant export":
		db, err := app.Migrate(ctx, cfg, log)
		if err != nil {
			return err
		}
		defer db.Close()
		return runTenantExport(ctx, db, log, ws.Slug, out, os.Stderr)
	case "tenant create":
		a, err := app.Open(ctx, cfg, log, web.Dist())
		if err != nil {
			return err
		}
		defer a.Close()
		return runTenantCreate(ctx, os.Stdout, a, ws)
	case "operator create", "operator revoke":
		a, err := app.Open(ctx, cfg, log, web.Dist())
		if err != nil {
			return err
		}
		defer a.Close()
		if cmd == "operator revoke" {
			return runOperatorRevoke(ctx, os.Stdout, a, opID)
		}
		return runOperatorCreate(ctx, os.Stdout, a, opName)
	case "signup-code create":
		a, err := app.Open(ctx, cfg, log, web.Dist())
		if err != nil {
			return err
		}
		defer a.Close()
		return runSignupCode(ctx, os.Stdout, a, codeNote, codeTTL)
	case "demo":
		cfg.Demo = true
		a, err := app.Open(ctx, cfg, log, web.Dist())
		if err != nil {
			return err
		}
		defer a.Close()
		return seedDemo(ctx, a, cfg)
	}
	return serve(ctx, cfg, log)
}

func serve(ctx context.Context, cfg *config.Config, log *slog.Logger) error {
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w (is another switchboard running? choose another --addr)", cfg.Addr, err)
	}
	a, err := app.Open(ctx, cfg, log, web.Dist())
	if err != nil {
		ln.Close()
		return err
	}
	defer a.Close()
	if cfg.Demo {
		if err := seedDemo(ctx, a, cfg); err != nil {
			return err
		}
	}
	return a.Serve(ctx, ln)
}

func seedDemo(ctx context.Context, a *app.App, cfg *config.Config) error {
	created, err := demo.Seed(ctx, a.DB, a.Accounts, a.Inbox, a.Dispatch, a.Notify)
	if err != nil {
		return err
	}
	if created {
		fmt.Println("  Created the demo tenant Northwind Bank.")
	}
	if err := demo.SeedKnowledge(ctx, a.DB, a.Knowledge, a.Dispatch); err != nil {
		return err
	}
	if err := demo.SeedPastCases(ctx, a.DB, time.Now()); err != nil {
		return err
	}
	if err := demo.SeedSolvedCases(ctx, a.DB, a.Inbox, a.KnowledgeReuse); err != nil {
		return err
	}
	if err := demo.LimitWidgetOrigins(ctx, a.DB, a.Inbox, cfg.BaseURL); err != nil {
		return err
	}
	if err := demo.SeedConnector(ctx, a.DB, a.ContextConnectors, cfg.BaseURL); err != nil {
		return err
	}
	link, err := demo.PortalLink(ctx, a.DB, a.Links)
	if err != nil {
		return fmt.Errorf("demo portal link: %w", err)
	}
	demo.PrintLogin(os.Stdout, cfg.BaseURL, link, a.Catcher != nil)
	return nil
}

func newLogger(cfg *config.Config) *slog.Logger {
	var level slog.Level
	level.UnmarshalText([]byte(cfg.LogLevel)) // checked by cfg.Finish
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogJSON {
		return slog.New(slog.NewJSONHandler(os.Stderr, opts))
	}
	return slog.New(slog.NewTextHandler(os.Stderr, opts))
}
