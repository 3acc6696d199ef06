// CustomerPanel shows who the customer of a conversation is: name, identifiers,
// local time, language, attributes (editable), past conversations, the notices
// sent to them and their consent ledger (with consent recorded on their word),
// how this one was routed, and the screen-pop: the ten items ranked for this
// contact from every source, the business systems' among them.
//
// Each identifier carries a badge of how it was proven ("verified · signed widget
// id"); claims typed into a form are listed too, "claimed · not verified".
//
// Test ids: customer-panel, customer-name, customer-identifier (data-kind, data-verified,
//   data-proof: verified, claimed or unverified), identifier-proof,
//   customer-local-time, customer-language, customer-attribute (data-key), attribute-key,
//   attribute-value, attribute-add, identifier-kind, identifier-value, identifier-add,
//   customer-edit, customer-save, customer-error, past-conversation, routing-step,
//   routing-criteria (data-step: the current criteria step from 1, 0 once all expired),
//   customer-notifications, notice-item (data-status), notice-open, consent-state (data-scope,
//   data-granted), consent-ledger, consent-record, consent-form, consent-kind, consent-name,
//   consent-decision, consent-note, consent-save, consent-error, consent-export.
import { Fragment } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { errorMessage, newIdempotencyKey } from '../api';
import { conversationApi, type Conversation, type Persona, type RoutingCriteria, type RoutingDecision } from '../api/conversation';
import { consentExportURL, consentState, NOTIFY_CATEGORIES, NOTIFY_CHANNELS, notificationsApi, type ConsentRecord, type NotifyDelivery } from '../api/notifications';
import { DeliveryTimeline, NotifyStatusBadge } from '../supervisor/NotificationTimeline';
import { navigate } from '../router';
import { formatDateTime, locale, t, tMaybe } from '../i18n';
import { PERSONA_EVENT, agentNames, identifierProof, localTime } from './logic';
import type { User } from '../types';
import '../styles/conversation.css';
import { ScreenPop } from './ScreenPop';

const IDENTIFIER_KINDS = ['email', 'phone', 'external', 'widget'] as const;
const dateFormat = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' });

/** CustomerPanel is the side panel next to an open conversation. */
export function CustomerPanel(props: { conversationId: string }) {
  const id = props.conversationId;
  const [persona, setPersona] = useState<Persona | null>(null);
  const [past, setPast] = useState<Conversation[]>([]);
  const [trail, setTrail] = useState<RoutingDecision[]>([]);
  const [criteria, setCriteria] = useState<RoutingCriteria | null>(null);
  const [users, setUsers] = useState<User[]>([]);
  const [error, setError] = useState('');
  const [now, setNow] = useState(new Date());

  // Steps that name agents are described by their ids: read the names once
  // one such step shows.
  const namesAgents = criteria?.steps.some((s) => (s.agents ?? []).length > 0) ?? false;
  useEffect(() => {
    if (!namesAgents || users.length > 0) return;
    conversationApi.users().then((p) => setUsers(p.items ?? []), () => undefined);
  }, [namesAgents]);

  useEffect(() => {
    let live = true;
    setPersona(null);
    setPast([]);
    setTrail([]);
    setCriteria(null);
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
      conversationApi.routingCriteria(id).then((r) => live && setCriteria(r), () => undefined);
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
      <ScreenPop key={`sp-${id}`} conversationId={id} />
      {persona && <Notifications key={persona.id} personaId={persona.id} />}
      <section class="cp-section" aria-labelledby="cp-routing">
        <h3 id="cp-routing">{t('cust.routing')}</h3>
        {criteria && <CriteriaStep criteria={criteria} users={users} />}
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
    </aside>
  );
}

/** CriteriaStep shows where waiting work stands in its routing steps. */
function CriteriaStep(props: { criteria: RoutingCriteria; users: User[] }) {
  const c = props.criteria;
  if (c.state === 'none' || c.steps.length === 0) return null;
  const until = c.step_expires_at ? ` · ${t('cust.criteriaUntil', { time: dateFormat.format(new Date(c.step_expires_at)) })}` : '';
  const text = c.step < 0
    ? t('cust.criteriaAny')
    : t('cust.criteriaStep', { n: c.step + 1, of: c.steps.length, step: agentNames(c.descriptions[c.step] ?? '', props.users) }) + until;
  return (
    <p data-testid="routing-criteria" data-step={c.step + 1}>
      {text} <span class="cv-muted">({c.from_queue ? t('cust.criteriaQueue') : t('cust.criteriaOwn')})</span>
    </p>
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
        {[...p.identifiers.map((i) => ({ i, claim: false })), ...(p.claims ?? []).map((i) => ({ i, claim: true }))].map(({ i, claim }) => {
          const proof = identifierProof(i, claim);
          return (
            <li key={`${claim ? 'claim' : 'id'}:${i.kind}:${i.value}`} data-testid="customer-identifier" data-kind={i.kind}
              data-verified={String(proof.state === 'verified')} data-proof={proof.state}>
              <span class="cv-badge">{i.kind}</span> {i.value}{' '}
              <span class={`cp-proof cp-proof-${proof.state}`} data-testid="identifier-proof"
                title={i.verified_at ? formatDateTime(i.verified_at) : undefined}>
                {proof.state === 'verified' ? '✓ ' : ''}{tMaybe(proof.key, t('cust.proof.verified'))}
              </span>
            </li>
          );
        })}
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

/** Notifications is the persona's recent notices and consent ledger, with a form to record consent on their word. */
function Notifications({ personaId }: { personaId: string }) {
  const [notices, setNotices] = useState<NotifyDelivery[] | null>(null);
  const [records, setRecords] = useState<ConsentRecord[] | null>(null);
  const [open, setOpen] = useState('');
  const [error, setError] = useState('');

  const live = useRef(true);
  const fail = (err: unknown) => live.current && setError(errorMessage(err));
  const loadConsent = () => notificationsApi.consent(personaId).then((r) => live.current && setRecords(r), fail);
  useEffect(() => {
    live.current = true;
    notificationsApi.deliveries({ persona_id: personaId }, undefined, 10).then((p) => live.current && setNotices(p.items ?? []), fail);
    void loadConsent();
    return () => {
      live.current = false;
    };
  }, [personaId]);

  const state = Object.entries(consentState(records ?? []));
  return (
    <section class="cp-section" aria-labelledby="cp-notify" data-testid="customer-notifications">
      <h3 id="cp-notify">{t('cust.notify.title')}</h3>
      {error && <p class="cv-error" role="alert">{error}</p>}
      {notices?.length === 0 && <p class="cv-muted">{t('cust.notify.none')}</p>}
      {notices && notices.length > 0 && (
        <ul class="cp-list">
          {notices.map((d) => (
            <li key={d.id} data-testid="notice-item" data-status={d.status}>
              <button type="button" class="button button-small button-quiet" aria-expanded={open === d.id} onClick={() => setOpen(open === d.id ? '' : d.id)} data-testid="notice-open">
                {d.type}
              </button>{' '}
              <NotifyStatusBadge status={d.status} />
              <span class="cv-muted"> {d.channel && `${d.channel} · `}{dateFormat.format(new Date(d.created_at))}</span>
              {open === d.id && <DeliveryTimeline id={d.id} />}
            </li>
          ))}
        </ul>
      )}
      <h4>{t('cust.notify.consent')}</h4>
      {records && state.length === 0 && <p class="cv-muted">{t('cust.notify.consentDefault')}</p>}
      {state.length > 0 && (
        <dl class="cp-facts">
          {state.map(([scope, granted]) => (
            <Fragment key={scope}>
              <dt>{scope}</dt>
              <dd data-testid="consent-state" data-scope={scope} data-granted={String(granted)}>
                {granted ? t('cust.notify.granted') : t('cust.notify.refused')}
              </dd>
            </Fragment>
          ))}
        </dl>
      )}
      {records && records.length > 0 && (
        <details data-testid="consent-ledger">
          <summary>{t('cust.notify.ledger', { n: records.length })}</summary>
          <ol class="cp-list">
            {records.map((r) => (
              <li key={r.seq} data-testid="consent-record">
                <strong>{r.scope}</strong> {r.granted ? t('cust.notify.granted') : t('cust.notify.refused')}
                <span class="cv-muted"> · {dateFormat.format(new Date(r.at))} · {tMaybe(`cust.notify.source.${r.source}`, r.source)} · {r.actor}</span>
                {r.note && <div>“{r.note}”</div>}
              </li>
            ))}
          </ol>
        </details>
      )}
      <ConsentForm personaId={personaId} onRecorded={() => void loadConsent()} />
      <a href={consentExportURL(personaId)} download={`consent-${personaId}.json`} data-testid="consent-export">{t('cust.notify.export')}</a>
    </section>
  );
}

const CONSENT_KINDS = ['all', 'channel', 'category', 'type'] as const;

function ConsentForm({ personaId, onRecorded }: { personaId: string; onRecorded: () => void }) {
  const [kind, setKind] = useState<(typeof CONSENT_KINDS)[number]>('channel');
  const [name, setName] = useState('');
  const [granted, setGranted] = useState(false);
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const choices: readonly string[] | null = kind === 'channel' ? NOTIFY_CHANNELS : kind === 'category' ? NOTIFY_CATEGORIES : null;
  const value = choices && !choices.includes(name) ? choices[0]! : name;
  const id = `consent-${personaId}`;

  const save = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    setError('');
    const scope = kind === 'all' ? 'all' : `${kind}:${value.trim()}`;
    try {
      await notificationsApi.recordConsent(personaId, { scope, granted, note: note.trim() }, newIdempotencyKey());
      setNote('');
      onRecorded();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="cp-form" onSubmit={save} data-testid="consent-form" aria-labelledby={`${id}-title`}>
      <h4 id={`${id}-title`}>{t('cust.notify.record')}</h4>
      <div class="cp-row">
        <label class="visually-hidden" for={`${id}-kind`}>{t('cust.notify.scope')}</label>
        <select id={`${id}-kind`} value={kind} onChange={(e) => setKind((e.target as HTMLSelectElement).value as typeof kind)} data-testid="consent-kind">
          {CONSENT_KINDS.map((k) => <option key={k} value={k}>{t(`cust.notify.kind.${k}`)}</option>)}
        </select>
        {kind !== 'all' && <label class="visually-hidden" for={`${id}-name`}>{t(`cust.notify.kind.${kind}`)}</label>}
        {choices && (
          <select id={`${id}-name`} value={value} onChange={(e) => setName((e.target as HTMLSelectElement).value)} data-testid="consent-name">
            {choices.map((c) => <option key={c} value={c}>{c}</option>)}
          </select>
        )}
        {kind === 'type' && (
          <input id={`${id}-name`} required value={name} placeholder="card.blocked" onInput={(e) => setName((e.target as HTMLInputElement).value)} data-testid="consent-name" />
        )}
      </div>
      <label>
        {t('cust.notify.decision')}
        <select value={granted ? 'grant' : 'revoke'} onChange={(e) => setGranted((e.target as HTMLSelectElement).value === 'grant')} data-testid="consent-decision">
          <option value="revoke">{t('cust.notify.revoke')}</option>
          <option value="grant">{t('cust.notify.grant')}</option>
        </select>
      </label>
      <label>
        {t('cust.notify.note')}
        <input value={note} placeholder={t('cust.notify.notePlaceholder')} onInput={(e) => setNote((e.target as HTMLInputElement).value)} data-testid="consent-note" />
      </label>
      <div class="cp-row">
        <button type="submit" class="button button-small" disabled={busy} data-testid="consent-save">{busy ? t('common.working') : t('cust.notify.save')}</button>
      </div>
      {error && <p class="cv-error" role="alert" data-testid="consent-error">{error}</p>}
    </form>
  );
}
