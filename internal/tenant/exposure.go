package tenant

// Exposure is how a tenant's public, unauthenticated pages answer — its help
// center, its chat widget, the portal's "contact this business" — which
// anyone on the Internet reaches by the workspace's address, a widget key or
// a link. It follows the tenant's standing, not each page's own idea of it.
type Exposure int

// The exposures, from the most open.
const (
	// ExposeOpen serves everything: a live workspace.
	ExposeOpen Exposure = iota
	// ExposeUnlisted serves everything to whoever has the address but keeps
	// the pages out of search engines (noindex, no sitemap): a sandbox is
	// for trying, and "nothing leaves the system" holds for a crawler's
	// index too — a sandbox copy of a live workspace would otherwise be
	// indexed beside the live one.
	ExposeUnlisted
	// ExposeClosed serves nothing and accepts nothing (404 with a plain
	// page): the operator suspended the workspace, so its pages must not
	// keep publishing or take chats nobody may answer. It comes back as it
	// was when the workspace is resumed.
	ExposeClosed
	// ExposeGone is a workspace whose deletion is pending (410): its owner
	// asked for it to go, so the public sees it gone now, not at the erasure.
	ExposeGone
)

// ExposureOf is the policy: a pending deletion wins over a suspension, which
// wins over the sandbox.
func ExposureOf(t Tenant, s Suspension, deletionPending bool) Exposure {
	switch {
	case deletionPending:
		return ExposeGone
	case s.Suspended():
		return ExposeClosed
	case t.Sandbox:
		return ExposeUnlisted
	}
	return ExposeOpen
}

// Serves reports whether the public pages answer at all.
func (e Exposure) Serves() bool { return e == ExposeOpen || e == ExposeUnlisted }

// Indexed reports whether search engines may list the pages.
func (e Exposure) Indexed() bool { return e == ExposeOpen }

// Status is the HTTP status of a page that is not served: 410 for a
// workspace being deleted, 404 for a suspended one (and 200 otherwise).
func (e Exposure) Status() int {
	switch e {
	case ExposeGone:
		return 410
	case ExposeClosed:
		return 404
	}
	return 200
}

// UnavailableError refuses something a workspace's exposure does not allow
// (a customer writing to a suspended business, joining a suspended
// workspace); the HTTP layer answers it with the exposure's Status.
type UnavailableError struct{ Exposure Exposure }

func (e *UnavailableError) Error() string {
	if e.Exposure == ExposeGone {
		return "this workspace is being deleted"
	}
	return "this workspace is not available"
}
