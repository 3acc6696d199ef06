package app

import (
	"fmt"
	"net/http"

	"github.com/switchboard-cx/switchboard/internal/clock"
	"github.com/switchboard-cx/switchboard/internal/config"
	"github.com/switchboard-cx/switchboard/internal/helpcenter"
	"github.com/switchboard-cx/switchboard/internal/knowledge"
)

// openHelpCenter builds the tenants' public help centers on the knowledge
// store and this node's search index, mounts the chat widget's article
// endpoints beside the widget's own, and adds the trail's inbound hook
// after the one already set (the notices').
func (a *App) openHelpCenter(cfg *config.Config, channelRoutes *http.ServeMux, clk clock.Clock) (*helpcenter.Handler, error) {
	domains, err := helpcenter.ParseDomains(cfg.HelpDomains)
	if err != nil {
		return nil, err
	}
	lib := helpcenter.Library{DB: a.DB, Index: a.KnowledgeIndex}
	svc, err := helpcenter.New(helpcenter.Deps{DB: a.DB, Articles: lib, Search: lib, Render: knowledge.Render, Inbox: a.Inbox, Clock: clk, Log: a.log})
	if err != nil {
		return nil, fmt.Errorf("help center: %w", err)
	}
	pages, err := helpcenter.NewHandler(svc, helpcenter.Config{BaseURL: cfg.BaseURL, Domains: domains})
	if err != nil {
		return nil, err
	}
	pages.MountWidget(channelRoutes)
	// The notices' hook is registered already (Open) and runs first: hooks run
	// in the order they were added. Wrapping it here too ran it twice, so one
	// reply answered two notices.
	a.Inbox.OnInbound(svc.InboundHook)
	return pages, nil
}
