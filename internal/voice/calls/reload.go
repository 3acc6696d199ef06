package calls

// replaceCustomerLeg drops the customer's leg when an offer comes from
// another widget socket: the page was reloaded mid-call and the browser
// that held the leg is gone, so the new offer is a new leg, not a
// renegotiation of a dead one. The old leg leaves the room and is closed
// (its end no longer concerns the call); the new leg's connection clears
// the grace period the old one's loss started. l.mu is held.
func (s *Service) replaceCustomerLeg(l *live) {
	old := l.cust
	if l.room != nil {
		l.room.Remove(old)
	}
	if l.stopMusic != nil { // it played into the old leg
		l.stopMusic()
		l.stopMusic = nil
	}
	l.cust, l.custSocket = nil, ""
	// Closed outside the lock: the leg reports its end to its watcher,
	// which takes l.mu.
	go old.Close("replaced")
}
