// Package contextrank orders the screen-pop: the items every context source
// proposes for a contact (connector facts, conversations, notices, callbacks,
// the self-service trail, articles, similar cases) are scored by one pure
// ranker, at most ten are shown, each with a short "why", and the agents'
// feedback (impressions with positions, opens, uses, dismissals) teaches a
// per-tenant model which features matter for that tenant.
//
// Nothing here does I/O: sources, storage of feedback events and the push to
// the agent's screen live at the edges and pass their data in. Time comes from
// an injected clock. docs/context-ranking.md and ADR 0027 explain the model,
// the features and the position-bias correction.
package contextrank
