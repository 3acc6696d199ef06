// Package swarm is the pure core of swarming: an agent stuck on a
// conversation opens a room (a side thread the customer never sees),
// invites experts that the package suggests from evidence, and the room's
// outcome closes it. Every join, message, link and minute spent in a room
// is a contribution kept per person; contributions and past cases feed the
// expert finding.
//
// The package holds no I/O: the service passes it rooms, members, the
// evidence of similar past cases and the candidates' presence and load,
// and stores what it returns. Time is passed in. See
// docs/adr/0029-swarm-rooms-and-expert-finding.md.
package swarm
