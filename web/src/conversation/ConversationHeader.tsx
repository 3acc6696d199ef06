// ConversationHeader shows where a conversation stands (customer, channels,
// status, priority, owner, tags, SLA clock) and the actions that change it.
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import {
  conversationApi, type Availability, type Conversation, type Persona, type Queue, type SLAClock,
} from '../api/conversation';
import { t, type MessageKey } from '../i18n';
import type { User } from '../types';
import { formatRemaining, nextSla } from './logic';

type Panel = '' | 'snooze' | 'assign' | 'transfer';

interface Props {
  conversation: Conversation;
  persona: Persona | null;
  clocks: SLAClock[];
  users: User[];
  queues: Queue[];
  onUpdate: (run: () => Promise<Conversation>) => Promise<void>;
  onClose?: () => void;
}

const PRIORITIES = [0, 1, 2, 3] as const;

/** ConversationHeader is the top of the conversation view. */
export function ConversationHeader(props: Props) {
  const { conversation: c, onUpdate } = props;
  const [panel, setPanel] = useState<Panel>('');
  const [tag, setTag] = useState('');
  const [avail, setAvail] = useState<Record<string, Availability>>({});
  // Presence and capacity of everyone a picker offers, read when one opens.
  useEffect(() => {
    if (panel !== 'assign' && panel !== 'transfer') return;
    let live = true;
    conversationApi.availability().then(
      (p) => live && setAvail(Object.fromEntries((p.items ?? []).map((a) => [a.user_id, a]))),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [panel]);
  const modality = modalityOf(c.modalities[c.modalities.length - 1] ?? c.channel);
  const assignee = props.users.find((u) => u.id === c.assignee_id);
  const patch = (body: Parameters<typeof conversationApi.updateConversation>[1]) =>
    onUpdate(() => conversationApi.updateConversation(c.id, body));
  const toggle = (p: Panel) => setPanel((cur) => (cur === p ? '' : p));

  const addTag = (e: Event) => {
    e.preventDefault();
    const v = tag.trim();
    if (!v || c.tags.includes(v)) return;
    setTag('');
    void patch({ tags: [...c.tags, v] });
  };

  return (
    <header class="cv-header">
      <div class="cv-title-row">
        <h2 class="cv-subject" data-testid="conversation-subject">{c.subject || t('conv.untitled')}</h2>
        {props.onClose && (
          <button type="button" class="button button-quiet button-small" onClick={props.onClose} data-testid="conversation-close">
            {t('conv.close')}
          </button>
        )}
      </div>
      <div class="cv-meta">
        <span data-testid="conversation-customer">{props.persona?.name || t('conv.unknownCustomer')}</span>
        {c.modalities.map((m) => (
          <span key={m} class={`cv-badge cv-channel${m === c.channel ? ' cv-channel-origin' : ''}`} data-testid="conversation-channel-badge">
            {m}
          </span>
        ))}
        <span class={`cv-badge cv-status-${c.status}`} data-testid="conversation-status">{t(`conv.status.${c.status}` as MessageKey)}</span>
        <span data-testid="conversation-assignee">{t('conv.assignee')}: {assignee?.name ?? (c.assignee_id ? c.assignee_id : t('conv.unassigned'))}</span>
        {c.team && <span data-testid="conversation-team">{t('conv.team')}: {c.team}</span>}
        <SlaClock clocks={props.clocks} />
      </div>
      <div class="cv-actions" role="toolbar" aria-label={t('conv.actions')}>
        {c.status === 'resolved' ? (
          <button type="button" class="button button-small" onClick={() => patch({ status: 'open' })} data-testid="action-reopen">
            {t('conv.reopen')}
          </button>
        ) : (
          <button type="button" class="button button-primary button-small" onClick={() => patch({ status: 'resolved' })} data-testid="action-resolve" aria-keyshortcuts="e">
            {t('conv.resolve')}
          </button>
        )}
        <button type="button" class="button button-small" aria-expanded={panel === 'snooze'} onClick={() => toggle('snooze')} data-testid="action-snooze">{t('conv.snooze')}</button>
        <button type="button" class="button button-small" aria-expanded={panel === 'assign'} onClick={() => toggle('assign')} data-testid="action-assign">{t('conv.assign')}</button>
        <button type="button" class="button button-small" aria-expanded={panel === 'transfer'} onClick={() => toggle('transfer')} data-testid="action-transfer">{t('conv.transfer')}</button>
        <label class="cv-inline">
          <span>{t('conv.priority')}</span>
          <select value={String(c.priority)} onChange={(e) => patch({ priority: Number((e.target as HTMLSelectElement).value) })} data-testid="priority-select">
            {PRIORITIES.map((p) => <option key={p} value={String(p)}>{t(`conv.priority.${p}` as MessageKey)}</option>)}
          </select>
        </label>
      </div>
      <div class="cv-tags" data-testid="conversation-tags">
        {c.tags.map((tg) => (
          <span key={tg} class="cv-tag">
            {tg}
            <button type="button" class="cv-tag-remove" aria-label={t('conv.removeTag', { tag: tg })} onClick={() => patch({ tags: c.tags.filter((x) => x !== tg) })} data-testid={`tag-remove-${tg}`}>×</button>
          </span>
        ))}
        <form class="cv-tag-form" onSubmit={addTag}>
          <label class="visually-hidden" for={`tag-${c.id}`}>{t('conv.addTag')}</label>
          <input id={`tag-${c.id}`} value={tag} placeholder={t('conv.addTag')} onInput={(e) => setTag((e.target as HTMLInputElement).value)} data-testid="tag-input" />
          <button type="submit" class="button button-small" data-testid="tag-add">{t('conv.add')}</button>
        </form>
      </div>
      {panel !== '' && (
        <PanelFocus onClose={() => setPanel('')}>
          {panel === 'snooze' && <SnoozePanel onSnooze={(until) => { setPanel(''); void patch({ snoozed_until: until }); }} />}
          {panel === 'assign' && (
            <AssignPanel users={props.users} avail={avail} modality={modality} current={c.assignee_id} onAssign={(uid) => { setPanel(''); void patch({ assignee_id: uid }); }} />
          )}
          {panel === 'transfer' && (
            <TransferPanel
              users={props.users}
              avail={avail}
              modality={modality}
              queues={props.queues}
              onTransfer={(body) => { setPanel(''); void onUpdate(() => conversationApi.transfer(c.id, body)); }}
            />
          )}
        </PanelFocus>
      )}
    </header>
  );
}

/**
 * PanelFocus moves focus into an action panel when it opens, closes it on Escape,
 * and gives focus back to the button that opened it.
 */
function PanelFocus(props: { onClose: () => void; children: ComponentChildren }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const opener = document.activeElement as HTMLElement | null;
    box.current?.querySelector<HTMLElement>('button, select, input')?.focus();
    return () => {
      if (opener && document.contains(opener)) opener.focus();
    };
  }, []);
  return (
    <div ref={box} onKeyDown={(e) => { if (e.key === 'Escape') { e.preventDefault(); props.onClose(); } }}>
      {props.children}
    </div>
  );
}

/** SlaClock counts down to the next due time, coloured by how close it is. */
function SlaClock(props: { clocks: SLAClock[] }) {
  const [now, setNow] = useState(Date.now());
  const view = nextSla(props.clocks, now);
  useEffect(() => {
    if (!view) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [view !== null]);
  if (!view) {
    // Waiting on the customer under a policy that pauses meanwhile: say so, not nothing.
    if (!props.clocks.some((c) => c.state === 'paused')) return null;
    return (
      <span class="cv-badge cv-sla" data-testid="sla-clock" data-level="paused">
        {t('conv.slaPaused')}
      </span>
    );
  }
  return (
    <span class={`cv-badge cv-sla cv-sla-${view.level}`} data-testid="sla-clock" data-level={view.level}
      title={t(`conv.sla.${view.clock.target}` as MessageKey)}>
      {t('conv.slaDue', { target: t(`conv.sla.${view.clock.target}` as MessageKey), time: formatRemaining(view.remainingMs) })}
    </span>
  );
}

function SnoozePanel(props: { onSnooze: (until: string) => void }) {
  const [at, setAt] = useState('');
  const now = new Date();
  const tomorrow = new Date(now.getFullYear(), now.getMonth(), now.getDate() + 1, 9, 0, 0);
  const presets: [string, MessageKey, Date][] = [
    ['1h', 'conv.snooze1h', new Date(now.getTime() + 3600_000)],
    ['4h', 'conv.snooze4h', new Date(now.getTime() + 4 * 3600_000)],
    ['tomorrow', 'conv.snoozeTomorrow', tomorrow],
  ];
  return (
    <div class="cv-panel" role="group" aria-label={t('conv.snooze')}>
      {presets.map(([k, label, d]) => (
        <button key={k} type="button" class="button button-small" onClick={() => props.onSnooze(d.toISOString())} data-testid={`snooze-preset-${k}`}>{t(label)}</button>
      ))}
      <form class="cv-inline" onSubmit={(e) => { e.preventDefault(); if (at) props.onSnooze(new Date(at).toISOString()); }}>
        <label>
          <span>{t('conv.snoozeUntil')}</span>
          <input type="datetime-local" value={at} onInput={(e) => setAt((e.target as HTMLInputElement).value)} data-testid="snooze-at" />
        </label>
        <button type="submit" class="button button-small" disabled={!at} data-testid="snooze-apply">{t('conv.apply')}</button>
      </form>
    </div>
  );
}

/** modalityOf is the routing modality of a channel (internal/routing.ModalityOf). */
export function modalityOf(channel: string): string {
  switch (channel) {
    case 'webchat':
      return 'chat';
    case 'email':
    case 'voice':
    case 'video':
      return channel;
  }
  return 'message';
}

/** pickLabel names a person in a picker with their presence and room. */
function pickLabel(u: User, a: Availability | undefined, modality: string): string {
  if (!a) return u.name;
  return t('conv.pickLabel', { name: u.name, presence: a.presence, modality, load: a.load[modality] ?? 0, capacity: a.capacity[modality] ?? 0 });
}

/** pickWarning says why handing the conversation to this person may strand it, or ''. */
function pickWarning(a: Availability | undefined, modality: string): string {
  if (!a) return '';
  const load = a.load[modality] ?? 0;
  const capacity = a.capacity[modality] ?? 0;
  if (!a.routable) return t('conv.pickAway', { name: a.name, presence: a.presence });
  if (capacity === 0) return t('conv.pickNoModality', { name: a.name, modality });
  if (load >= capacity) return t('conv.pickFull', { name: a.name, modality, load, capacity });
  return '';
}

function PickWarning(props: { text: string; then: string }) {
  if (!props.text) return null;
  return (
    <p class="notice notice-warning cv-pick-warning" role="status" data-testid="pick-warning">
      {props.text} {props.then}
    </p>
  );
}

interface PickProps {
  users: User[];
  avail: Record<string, Availability>;
  modality: string;
}

function AssignPanel(props: PickProps & { current: string; onAssign: (id: string) => void }) {
  const [uid, setUid] = useState(props.current);
  const warning = uid && uid !== props.current ? pickWarning(props.avail[uid], props.modality) : '';
  return (
    <form class="cv-panel" onSubmit={(e) => { e.preventDefault(); props.onAssign(uid); }}>
      <label class="cv-inline">
        <span>{t('conv.assignTo')}</span>
        <select value={uid} onChange={(e) => setUid((e.target as HTMLSelectElement).value)} data-testid="assign-select">
          <option value="">{t('conv.unassigned')}</option>
          {props.users.filter((u) => !u.disabled).map((u) => (
            <option key={u.id} value={u.id}>{pickLabel(u, props.avail[u.id], props.modality)}</option>
          ))}
        </select>
      </label>
      <PickWarning text={warning} then={t('conv.pickAssignAnyway')} />
      <button type="submit" class="button button-small button-primary" data-testid="assign-submit">{t('conv.apply')}</button>
    </form>
  );
}

function TransferPanel(props: PickProps & { queues: Queue[]; onTransfer: (body: { agent_id: string; note?: string } | { queue_id: string; note?: string }) => void }) {
  const [target, setTarget] = useState('');
  const [note, setNote] = useState('');
  const submit = (e: Event) => {
    e.preventDefault();
    const [kind, value] = target.split(':', 2) as [string, string];
    if (!value) return;
    const n = note.trim() || undefined;
    props.onTransfer(kind === 'queue' ? { queue_id: value, note: n } : { agent_id: value, note: n });
  };
  return (
    <form class="cv-panel" onSubmit={submit}>
      <label class="cv-inline">
        <span>{t('conv.transferTo')}</span>
        <select value={target} onChange={(e) => setTarget((e.target as HTMLSelectElement).value)} data-testid="transfer-target">
          <option value="">{t('conv.choose')}</option>
          <optgroup label={t('conv.queues')} data-testid="transfer-queue">
            {props.queues.map((q) => <option key={q.id} value={`queue:${q.id}`}>{q.name}</option>)}
          </optgroup>
          <optgroup label={t('conv.agents')} data-testid="transfer-agent">
            {props.users.filter((u) => !u.disabled).map((u) => (
              <option key={u.id} value={`agent:${u.id}`}>{pickLabel(u, props.avail[u.id], props.modality)}</option>
            ))}
          </optgroup>
        </select>
      </label>
      <PickWarning
        text={target.startsWith('agent:') ? pickWarning(props.avail[target.slice(6)], props.modality) : ''}
        then={t('conv.pickTransferWait')}
      />
      <label class="cv-inline">
        <span>{t('conv.transferNote')}</span>
        <input value={note} onInput={(e) => setNote((e.target as HTMLInputElement).value)} data-testid="transfer-note" />
      </label>
      <button type="submit" class="button button-small button-primary" disabled={!target} data-testid="transfer-submit">{t('conv.transfer')}</button>
    </form>
  );
}
