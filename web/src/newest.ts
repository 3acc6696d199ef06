// Views that fetch again when an event arrives (or when what they show
// changes) can have two fetches out at once; the older answer may land last
// and show what was true before — or, after a switch, another record's data.

/**
 * newest hands out tickets for a view's fetches: take one as a fetch begins,
 * and apply its answer only while the ticket says it is still the newest.
 */
export function newest(): () => () => boolean {
  let issued = 0;
  return () => {
    const mine = ++issued;
    return () => mine === issued;
  };
}
