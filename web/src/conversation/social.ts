// Social networks answer in public or in private: a reply to a post that
// anyone can read, or a direct message only the customer reads. The channel
// says which ("mastodon" in public, "mastodon_direct" in private; ADR 0050).

/** PUBLIC_NETWORKS are the channels whose replies are public posts. */
const PUBLIC_NETWORKS = new Set(['mastodon']);

/** Visibility is a message's audience on a social network. */
export type Visibility = 'public' | 'private';

/** visibilityOf is the audience of a message on channel, null off social networks. */
export function visibilityOf(channel: string): Visibility | null {
  if (PUBLIC_NETWORKS.has(channel)) return 'public';
  if (channel.endsWith('_direct') && PUBLIC_NETWORKS.has(channel.slice(0, -'_direct'.length))) return 'private';
  return null;
}

/** networkOf is the network a social channel belongs to. */
export function networkOf(channel: string): string {
  const n = channel.endsWith('_direct') ? channel.slice(0, -'_direct'.length) : channel;
  return n.charAt(0).toUpperCase() + n.slice(1);
}
