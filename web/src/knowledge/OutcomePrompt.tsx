// OutcomePrompt asks, once per conversation, when the agent resolves it: did
// knowledge help — an article was linked, one was created, or none was
// needed? KCS counts the answer (link rate, reuse). It is asked only while
// the conversation has no outcome yet, and at most once per conversation in
// this tab even when the agent skips it.
//
// It sits at the top of the desktop's side column and is not modal: it takes
// neither the focus nor the keys, so an agent who resolves with "e" and goes
// on with "j" is not stopped; a screen reader hears the question.
//
// Test ids: kb-outcome (data-conversation-id), kb-outcome-linked, kb-outcome-created,
//   kb-outcome-not_needed, kb-outcome-later, kb-outcome-error.
import { useEffect, useState } from 'preact/hooks';
import { errorMessage } from '../api';
import { knowledgeApi, type KnowledgeLink, type Outcome } from '../api/knowledge';
import { t } from '../i18n';
import { RESOLVED_EVENT, type ResolvedDetail } from './events';

const asked = new Set<string>();

const CHOICES: Exclude<Outcome, ''>[] = ['linked', 'created', 'not_needed'];

interface Pending {
  conversationId: string;
  links: KnowledgeLink[];
}

/** OutcomePrompt is mounted once in the desktop and answers RESOLVED_EVENT. */
export function OutcomePrompt() {
  const [pending, setPending] = useState<Pending | null>(null);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    const onResolved = (e: Event) => {
      const id = (e as CustomEvent<ResolvedDetail>).detail?.conversationId;
      if (!id || asked.has(id)) return;
      asked.add(id);
      knowledgeApi.forConversation(id).then(
        (k) => {
          if (k.outcome) return; // answered before, here or elsewhere
          setError('');
          setPending({ conversationId: id, links: k.links ?? [] });
        },
        () => undefined, // the prompt is a courtesy; a failure here must not get in the way
      );
    };
    window.addEventListener(RESOLVED_EVENT, onResolved);
    return () => window.removeEventListener(RESOLVED_EVENT, onResolved);
  }, []);

  // The live region stays in the page so that the question is announced when it appears.
  if (!pending) return <div role="status" class="kb-outcome-live" />;

  const { links } = pending;
  const likely: Outcome = links.some((l) => l.kind === 'created') ? 'created' : links.length > 0 ? 'linked' : 'not_needed';
  const answer = async (o: Outcome) => {
    setBusy(true);
    setError('');
    try {
      await knowledgeApi.setOutcome(pending.conversationId, o);
      setPending(null);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div role="status" class="kb-outcome-live">
      <section class="kb-outcome" aria-labelledby="kb-outcome-title" data-testid="kb-outcome" data-conversation-id={pending.conversationId}>
        <h2 id="kb-outcome-title">{t('kb.outcome.title')}</h2>
        <p class="muted small">{t('kb.outcome.text')}</p>
        {links.length > 0 && (
          <ul class="kb-plain small">
            {links.map((l) => <li key={l.article_id}>{l.title} — {l.kind === 'created' ? t('kb.panel.created') : t('kb.panel.linkedKind')}</li>)}
          </ul>
        )}
        {error && <p class="cv-error" role="alert" data-testid="kb-outcome-error">{error}</p>}
        <div class="kb-outcome-actions">
          {CHOICES.map((o) => (
            <button key={o} type="button" class={o === likely ? 'button button-small button-primary' : 'button button-small'} disabled={busy}
              data-testid={`kb-outcome-${o}`} onClick={() => void answer(o)}>
              {t(`kb.outcome.${o}`)}
            </button>
          ))}
          <button type="button" class="button button-small button-quiet" data-testid="kb-outcome-later" onClick={() => setPending(null)}>
            {t('kb.outcome.later')}
          </button>
        </div>
      </section>
    </div>
  );
}
