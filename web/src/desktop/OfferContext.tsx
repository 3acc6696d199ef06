// The offer card's top three: before the agent accepts, the three items the
// screen-pop ranks first for this contact, each with its why line, so the
// agent knows what the contact is likely about. Only these three are
// recorded as shown (GET …/context?limit=3). They come as soon as they are
// ranked; a business system still answering may change them a moment later.
//
// Test ids: offer-context, offer-context-item (data-key, data-position).
import { useEffect, useState } from 'preact/hooks';
import { screenPopApi, type ScreenItem } from '../api/screenpop';
import { t } from '../i18n';
import '../styles/screenpop.css';

/** OfferContext shows the top three items for an offered conversation. */
export function OfferContext({ conversationId }: { conversationId: string }) {
  const [items, setItems] = useState<ScreenItem[] | null>(null);

  useEffect(() => {
    const stop = new AbortController();
    screenPopApi.pop(conversationId, 3, (s) => setItems(s.items), stop.signal).catch(
      () => !stop.signal.aborted && setItems((had) => had ?? []), // the card stands without them
    );
    return () => stop.abort();
  }, [conversationId]);

  if (!items || items.length === 0) return null;
  return (
    <div class="offer-context" data-testid="offer-context">
      <h3 class="offer-context-title">{t('sp.offerTitle')}</h3>
      <ol>
        {items.map((it) => (
          <li key={it.key} data-testid="offer-context-item" data-key={it.key} data-position={it.position}>
            <strong>{it.title}</strong>
            {it.why && <span class="offer-context-why"> — {it.why}</span>}
          </li>
        ))}
      </ol>
    </div>
  );
}
