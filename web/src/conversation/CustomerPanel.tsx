// CustomerPanel shows who the customer of a conversation is: name, identifiers,
// local time, language, attributes (editable), past conversations, how this one
// was routed, and the slot where ranked context items will go.
//
// Test ids: customer-panel, customer-name, customer-identifier (data-kind, data-verified),
//   customer-local-time, customer-language, customer-attribute (data-key), attribute-key,
//   attribute-value, attribute-add, identifier-kind, identifier-value, identifier-add,
//   customer-edit, customer-save, customer-error, past-conversation, routing-step, context-slot.
import { useEffect, useState } from 'preact/hooks';
import { errorMessage } from '../api';
import { conversationApi, type Conversation, type Persona, type RoutingDecision } from '../api/conversation';
import { navigate } from '../router';
import { locale, t } from '../i18n';
import { PERSONA_EVENT, localTime } from './logic';
import '../styles/conversation.css';

const IDENTIFIER_KINDS = ['email', 'phone', 'external', 'widget'] as const;
const dateFormat = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' });

/** CustomerPanel is the side panel next to an open conversation. */
export function CustomerPanel(props: { conversationId: string }) {
  const id = props.conversationId;
  const [persona, setPersona] = useState<Persona | null>(null);
  const [past, setPast] = useState<Conversation[]>([]);
  const [trail, setTrail] = useState<RoutingDecision[]>([]);
  const [error, setError] = useState('');
  const [now, setNow] = useState(new Date());

  useEffect(() => {
    let live = true;
    setPersona(null);
    setPast([]);
    setTrail([]);
    setError('');
    (async () => {
      try {
        const c = await conversationApi.conversation(id);
        const p = await conversationApi.persona(c.persona_id);
        if (!live) return;
        setPersona(p);
        conversationApi.personaConversations(p.id).then(
          (r) => live && setPast((r.items ?? []).filter((x) => x.id !== id)), () => undefined);
      } catch (err) {
        if (live) setError(errorMessage(err));
      }
      conversationApi.routing(id).then((r) => live && setTrail(r.items ?? []), () => undefined);
    })();
    return () => {
      live = false;
    };
  }, [id]);

  useEffect(() => {
    const timer = setInterval(() => setNow(new Date()), 30_000);
    return () => clearInterval(timer);
  }, []);

  return (
    <aside class="cp" data-testid="customer-panel" aria-label={t('cust.title')}>
      {error && <p class="cv-error" role="alert" data-testid="customer-error">{error}</p>}
      {!persona && !error && <p class="cv-muted">{t('app.loading')}</p>}
      {persona && <Profile persona={persona} now={now} onChange={(p) => {
        setPersona(p);
        window.dispatchEvent(new CustomEvent<Persona>(PERSONA_EVENT, { detail: p }));
      }} />}
      <section class="cp-section" aria-labelledby="cp-past">
        <h3 id="cp-past">{t('cust.past')}</h3>
        {past.length === 0 ? <p class="cv-muted">{t('cust.noPast')}</p> : (
          <ul class="cp-list">
            {past.map((c) => (
              <li key={c.id} data-testid="past-conversation">
                <a href={`/desktop/c/${encodeURIComponent(c.id)}`} onClick={(e) => { e.preventDefault(); navigate(`/desktop/c/${encodeURIComponent(c.id)}`); }}>
                  {c.subject || t('conv.untitled')}
                </a>
                <span class="cv-muted"> · {c.channel} · {t(`conv.status.${c.status}`)}</span>
              </li>
            ))}
          </ul>
        )}
      </section>
      <section class="cp-section" aria-labelledby="cp-routing">
        <h3 id="cp-routing">{t('cust.routing')}</h3>
        {trail.length === 0 ? <p class="cv-muted">{t('cust.noRouting')}</p> : (
          <ol class="cp-list">
            {trail.map((d) => (
              <li key={d.id} data-testid="routing-step">
                <strong>{d.kind}</strong> <span class="cv-muted">{dateFormat.format(new Date(d.at))}</span>
                {d.reason && <div>{d.reason}</div>}
              </li>
            ))}
          </ol>
        )}
      </section>
      <section class="cp-section" aria-labelledby="cp-context" data-testid="context-slot">
        <h3 id="cp-context">{t('cust.context')}</h3>
        <p class="cv-muted">{t('cust.contextEmpty')}</p>
      </section>
    </aside>
  );
}

function Profile(props: { persona: Persona; now: Date; onChange: (p: Persona) => void }) {
  const p = props.persona;
  const [editing, setEditing] = useState(false);
  const [name, setName] = useState(p.name);
  const [tz, setTz] = useState(p.time_zone);
  const [lang, setLang] = useState(p.language);
  const [attrs, setAttrs] = useState<[string, string][]>(Object.entries(p.attributes ?? {}));
  const [idKind, setIdKind] = useState<string>('email');
  const [idValue, setIdValue] = useState('');
  const [error, setError] = useState('');
  const local = localTime(p.time_zone, props.now, locale);

  const startEdit = () => {
    setName(p.name);
    setTz(p.time_zone);
    setLang(p.language);
    setAttrs(Object.entries(p.attributes ?? {}));
    setError('');
    setEditing(true);
  };

  const save = async (e: Event) => {
    e.preventDefault();
    const attributes: Record<string, string> = {};
    for (const [k, v] of attrs) if (k.trim()) attributes[k.trim()] = v;
    try {
      props.onChange(await conversationApi.updatePersona(p.id, { name, time_zone: tz, language: lang, attributes }));
      setEditing(false);
      setError('');
    } catch (err) {
      setError(errorMessage(err));
    }
  };

  const addIdentifier = async (e: Event) => {
    e.preventDefault();
    if (!idValue.trim()) return;
    try {
      props.onChange(await conversationApi.addIdentifier(p.id, { kind: idKind, value: idValue.trim() }));
      setIdValue('');
      setError('');
    } catch (err) {
      setError(errorMessage(err));
    }
  };

  return (
    <section class="cp-section" aria-labelledby="cp-name">
      <h3 id="cp-name" class="cp-name" data-testid="customer-name">{p.name || t('conv.unknownCustomer')}</h3>
      <ul class="cp-list">
        {p.identifiers.map((i) => (
          <li key={`${i.kind}:${i.value}`} data-testid="customer-identifier" data-kind={i.kind} data-verified={String(i.verified)}>
            <span class="cv-badge">{i.kind}</span> {i.value}
            {i.verified && <span class="cp-verified" title={t('cust.verified')} aria-label={t('cust.verified')}> ✓</span>}
          </li>
        ))}
      </ul>
      {!editing && (
        <dl class="cp-facts">
          <dt>{t('cust.timeZone')}</dt>
          <dd data-testid="customer-local-time">{p.time_zone ? `${p.time_zone}${local ? ` · ${local}` : ''}` : '—'}</dd>
          <dt>{t('cust.language')}</dt>
          <dd data-testid="customer-language">{p.language || '—'}</dd>
          {Object.entries(p.attributes ?? {}).map(([k, v]) => (
            <>
              <dt key={`k-${k}`}>{k}</dt>
              <dd key={`v-${k}`} data-testid="customer-attribute" data-key={k}>{v}</dd>
            </>
          ))}
        </dl>
      )}
      {editing ? (
        <form class="cp-form" onSubmit={save}>
          <label>{t('cust.name')}<input value={name} onInput={(e) => setName((e.target as HTMLInputElement).value)} /></label>
          <label>{t('cust.timeZone')}<input value={tz} onInput={(e) => setTz((e.target as HTMLInputElement).value)} placeholder="Europe/Lisbon" /></label>
          <label>{t('cust.language')}<input value={lang} onInput={(e) => setLang((e.target as HTMLInputElement).value)} placeholder="pt" /></label>
          <fieldset>
            <legend>{t('cust.attributes')}</legend>
            {attrs.map(([k, v], i) => (
              <div class="cp-attr" key={i}>
                <input aria-label={t('cust.attrKey')} value={k} data-testid="attribute-key"
                  onInput={(e) => setAttrs(attrs.map((a, j) => (j === i ? [(e.target as HTMLInputElement).value, a[1]] : a)))} />
                <input aria-label={t('cust.attrValue')} value={v} data-testid="attribute-value"
                  onInput={(e) => setAttrs(attrs.map((a, j) => (j === i ? [a[0], (e.target as HTMLInputElement).value] : a)))} />
              </div>
            ))}
            <button type="button" class="button button-small" onClick={() => setAttrs([...attrs, ['', '']])} data-testid="attribute-add">{t('cust.addAttribute')}</button>
          </fieldset>
          <div class="cp-row">
            <button type="submit" class="button button-primary button-small" data-testid="customer-save">{t('cust.save')}</button>
            <button type="button" class="button button-small" onClick={() => setEditing(false)}>{t('cust.cancel')}</button>
          </div>
        </form>
      ) : (
        <button type="button" class="button button-small" onClick={startEdit} data-testid="customer-edit">{t('cust.edit')}</button>
      )}
      <form class="cp-row cp-identifier-form" onSubmit={addIdentifier}>
        <label class="visually-hidden" for={`idk-${p.id}`}>{t('cust.identifierKind')}</label>
        <select id={`idk-${p.id}`} value={idKind} onChange={(e) => setIdKind((e.target as HTMLSelectElement).value)} data-testid="identifier-kind">
          {IDENTIFIER_KINDS.map((k) => <option key={k} value={k}>{k}</option>)}
        </select>
        <label class="visually-hidden" for={`idv-${p.id}`}>{t('cust.identifierValue')}</label>
        <input id={`idv-${p.id}`} value={idValue} placeholder={t('cust.identifierValue')} onInput={(e) => setIdValue((e.target as HTMLInputElement).value)} data-testid="identifier-value" />
        <button type="submit" class="button button-small" data-testid="identifier-add">{t('cust.addIdentifier')}</button>
      </form>
      {error && <p class="cv-error" role="alert" data-testid="customer-error">{error}</p>}
    </section>
  );
}
