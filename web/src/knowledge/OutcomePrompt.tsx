// OutcomePrompt asks, once per conversation, when the agent resolves it: did
// knowledge help — an article was linked, one was created, or none was
// needed? KCS counts the answer (link rate, reuse). It is asked only while
// the conversation has no outcome yet, and at most once per conversation in
// this tab even when the agent closes it unanswered.
//
// Test ids: kb-outcome (the dialog), kb-outcome-linked, kb-outcome-created,
//   kb-outcome-not_needed, kb-outcome-later, kb-outcome-error.
import { useEffect, useRef, useState } from 'preact/hooks';
import { errorMessage } from '../api';
import { knowledgeApi, type KnowledgeLink, type Outcome } from '../api/knowledge';
import { t } from '../i18n';
import { RESOLVED_EVENT, type ResolvedDetail } from './events';

const asked = new Set<string>();

const CHOICES: Exclude<Outcome, ''>[] = ['linked', 'created', 'not_needed'];

/** OutcomePrompt is mounted once in the desktop and answers RESOLVED_EVENT. */
export function OutcomePrompt() {
  const dialog = useRef<HTMLDialogElement>(null);
  const [conversationId, setConversationId] = useState('');
  const [links, setLinks] = useState<KnowledgeLink[]>([]);
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
          setConversationId(id);
          setLinks(k.links ?? []);
          setError('');
          if (dialog.current && !dialog.current.open) dialog.current.showModal();
        },
        () => undefined, // the prompt is a courtesy; a failure here must not get in the way
      );
    };
    window.addEventListener(RESOLVED_EVENT, onResolved);
    return () => window.removeEventListener(RESOLVED_EVENT, onResolved);
  }, []);

  // The likely answer takes the focus: what the agent did in the panel.
  const likely: Outcome = links.some((l) => l.kind === 'created') ? 'created' : links.length > 0 ? 'linked' : 'not_needed';
  useEffect(() => {
    if (conversationId) dialog.current?.querySelector<HTMLButtonElement>(`[data-testid="kb-outcome-${likely}"]`)?.focus();
  }, [conversationId, likely]);

  const answer = async (o: Outcome) => {
    setBusy(true);
    setError('');
    try {
      await knowledgeApi.setOutcome(conversationId, o);
      dialog.current?.close();
      setConversationId('');
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <dialog ref={dialog} class="dialog kb-outcome" aria-labelledby="kb-outcome-title" aria-describedby="kb-outcome-text"
      data-testid="kb-outcome" onClose={() => setConversationId('')}>
      <h2 id="kb-outcome-title">{t('kb.outcome.title')}</h2>
      <p id="kb-outcome-text" class="muted">{t('kb.outcome.text')}</p>
      {links.length > 0 && (
        <ul class="kb-plain small">
          {links.map((l) => <li key={l.article_id}>{l.title} — {l.kind === 'created' ? t('kb.panel.created') : t('kb.panel.linkedKind')}</li>)}
        </ul>
      )}
      {error && <p class="cv-error" role="alert" data-testid="kb-outcome-error">{error}</p>}
      <div class="dialog-actions">
        {CHOICES.map((o) => (
          <button key={o} type="button" class={o === likely ? 'button button-primary' : 'button'} disabled={busy}
            data-testid={`kb-outcome-${o}`} onClick={() => void answer(o)}>
            {t(`kb.outcome.${o}`)}
          </button>
        ))}
        <button type="button" class="button button-quiet" data-testid="kb-outcome-later" onClick={() => dialog.current?.close()}>
          {t('kb.outcome.later')}
        </button>
      </div>
    </dialog>
  );
}
