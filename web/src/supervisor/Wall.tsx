// The supervisor wall: every queue live, every agent's state and load, SLAs at
// risk first, and today's volume. Live figures come from the realtime feed
// (queue.stats every few seconds, presence changes); the day's totals, the
// agents' load and the at-risk list are fetched again when events say they
// changed, never more than once per REFRESH_FLOOR_MS.
//
// Every number is defined in docs/wall.md and, on the wall, in a tooltip
// (role=tooltip, shown on hover and keyboard focus) beside its label.
//
// Test ids: wall-page; wall-queue (data-queue=<name>) with wall-waiting,
// wall-longest-wait, wall-offered, wall-answered, wall-abandoned,
// wall-transferred-out, wall-in-queue, wall-offer-attempts, wall-sla-met,
// each with <id>-tip for its tooltip, wall-agents-by-state; wall-agent (data-user=<email or id>) with
// wall-agent-state, wall-agent-time, wall-agent-load; wall-risk (data-id=<conversation id>)
// with wall-risk-due, wall-reassign-select, wall-reassign, wall-transfer-select,
// wall-transfer, wall-join; wall-steps and wall-step (WallSteps.tsx); wall-hour-chart, wall-channel-chart; wall-error.
import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import { errorMessage } from '../api';
import {
  MODALITIES,
  supervisorApi,
  type LiveAgent,
  type Queue,
  type QueueStats,
  type QueueToday,
  type TodayReport,
  type WallConversation,
} from '../api/supervisor';
import { Notice } from '../components/Notice';
import { PageHeading } from '../components/PageHeading';
import { usePageTitle } from '../hooks';
import { t, tMaybe } from '../i18n';
import { newest } from '../newest';
import { navigate } from '../router';
import { useSession } from '../session';
import type { RealtimeEvent, User } from '../types';
import '../styles/supervisor.css';
import { ChannelChart, HourChart } from './Charts';
import { WallCalls } from './WallCalls';
import { WallSteps } from './WallSteps';
import { formatSeconds, localTimeZone, secondsSince, useNow, useThrottled } from './live';

const REFRESH_FLOOR_MS = 10_000;

/** Events after which the day's totals, the agents' load or the at-risk list may have moved. */
const CHANGES = new Set([
  'conversation.created',
  'conversation.updated',
  'routing.offered',
  'routing.assigned',
  'routing.offer_expired',
  'routing.offer_withdrawn',
  'sla.warning',
  'sla.breached',
  'sla.escalated',
]);

interface LiveStats extends QueueStats {
  /** at is when the figures arrived, so the longest wait can tick on from there. */
  at: number;
}

/** WallPage is /wall. */
export function WallPage() {
  usePageTitle('wall.title');
  const { realtime } = useSession();
  const now = useNow();
  const tz = useMemo(localTimeZone, []);

  const [stats, setStats] = useState<LiveStats[]>([]);
  const [today, setToday] = useState<TodayReport | null>(null);
  const [todayError, setTodayError] = useState('');
  const [agents, setAgents] = useState<LiveAgent[]>([]);
  const [agentsLive, setAgentsLive] = useState(true);
  const [risk, setRisk] = useState<WallConversation[]>([]);
  const [riskError, setRiskError] = useState('');
  const [users, setUsers] = useState<User[]>([]);
  const [queues, setQueues] = useState<Queue[]>([]);
  const [error, setError] = useState('');

  // Each part is fetched again when events say it moved; two fetches of a
  // part may be out at once, and only the newer answer is shown.
  const tickets = useMemo(() => ({ stats: newest(), today: newest(), agents: newest(), risk: newest() }), []);

  const loadStats = useCallback(async () => {
    const current = tickets.stats();
    try {
      const items = await supervisorApi.queueStats();
      if (!current()) return;
      const at = Date.now();
      setStats(items.map((s) => ({ ...s, at })));
    } catch (err) {
      if (current()) setError(errorMessage(err));
    }
  }, [tickets]);

  const loadToday = useCallback(async () => {
    const current = tickets.today();
    try {
      const today = await supervisorApi.today(tz);
      if (!current()) return;
      setToday(today);
      setTodayError('');
    } catch (err) {
      if (current()) setTodayError(errorMessage(err));
    }
  }, [tz, tickets]);

  const loadAgents = useCallback(async () => {
    const current = tickets.agents();
    try {
      const live = await supervisorApi.liveAgents();
      if (!current()) return;
      setAgents(live);
      setAgentsLive(true);
    } catch {
      // Without the live endpoint, fall back to the users' presence: no load, no time in state.
      if (current()) setAgentsLive(false);
    }
  }, [tickets]);

  const loadRisk = useCallback(async () => {
    const current = tickets.risk();
    try {
      // At risk: a clock past its warning point or its due time (the server decides, by its clock).
      const risk = (await supervisorApi.atRisk()).filter((c) => c.sla_due_at);
      if (!current()) return;
      setRisk(risk);
      setRiskError('');
    } catch (err) {
      if (current()) setRiskError(errorMessage(err));
    }
  }, [tickets]);

  useEffect(() => {
    void loadStats();
    void loadToday();
    void loadAgents();
    void loadRisk();
    supervisorApi.users().then(setUsers, (err) => setError(errorMessage(err)));
    supervisorApi.queues().then(setQueues, (err) => setError(errorMessage(err)));
  }, [loadStats, loadToday, loadAgents, loadRisk]);

  // After the feed was down, what it would have told us is unknown: fetch it all again.
  useEffect(() => {
    let wasDown = false;
    return realtime.watchState((s) => {
      if (s === 'reconnecting' || s === 'offline') wasDown = true;
      else if (s === 'connected' && wasDown) {
        wasDown = false;
        void loadStats();
        void loadToday();
        void loadAgents();
        void loadRisk();
      }
    });
  }, [realtime, loadStats, loadToday, loadAgents, loadRisk]);

  const refreshToday = useThrottled(() => void loadToday(), REFRESH_FLOOR_MS);
  const refreshAgents = useThrottled(() => void loadAgents(), REFRESH_FLOOR_MS);
  const refreshRisk = useThrottled(() => void loadRisk(), REFRESH_FLOOR_MS);

  useEffect(
    () =>
      realtime.subscribe((ev: RealtimeEvent) => {
        if (ev.type === 'queue.stats') {
          const items = Array.isArray(ev.data) ? (ev.data as QueueStats[]) : [];
          const at = Date.now();
              setStats((prev) => {
            const next = new Map(prev.map((s) => [s.queue_id, s]));
            for (const s of items) next.set(s.queue_id, { ...s, at });
            return [...next.values()];
          });
          return;
        }
        if (ev.type === 'agent.presence_changed') {
          const d = ev.data as { user_id?: string; presence?: string } | undefined;
          if (d?.user_id && d.presence) {
            const since = ev.at ?? new Date().toISOString();
            setAgents((prev) => prev.map((a) => (a.user_id === d.user_id ? { ...a, presence: d.presence!, presence_since: since } : a)));
            setUsers((prev) => prev.map((u) => (u.id === d.user_id ? { ...u, presence: d.presence as User['presence'] } : u)));
          }
          refreshAgents();
          return;
        }
        if (CHANGES.has(ev.type)) {
          refreshToday();
          refreshAgents();
          if (ev.type.startsWith('sla.') || ev.type.startsWith('conversation.') || ev.type === 'routing.assigned') refreshRisk();
        }
      }),
    [realtime, refreshToday, refreshAgents, refreshRisk],
  );

  const todayByQueue = new Map((today?.queues ?? []).map((q) => [q.queue_id, q]));
  // Queues with SLAs at risk first, then by name: tiles do not jump about as numbers move.
  const shownStats = [...stats].sort((a, b) => Number(b.sla_at_risk > 0) - Number(a.sla_at_risk > 0) || a.name.localeCompare(b.name));
  const agentRows: LiveAgent[] = agentsLive
    ? agents.filter((a) => Object.keys(a.capacity ?? {}).length > 0 || Object.keys(a.load ?? {}).length > 0)
    : users
        .filter((u) => !u.disabled && (u.role === 'agent' || u.role === 'expert'))
        .map((u) => ({ user_id: u.id, name: u.name, role: u.role, presence: u.presence, load: {}, capacity: {} }));
  const emails = new Map(users.map((u) => [u.id, u.email]));
  const names = new Map(users.map((u) => [u.id, u.name]));
  const currentHour = new Date(now).getHours();

  return (
    <div class="page wall" data-testid="wall-page">
      <header class="page-header wall-header">
        <div class="panel-header">
          <PageHeading>{t('wall.title')}</PageHeading>
          {document.fullscreenEnabled && (
            <button
              type="button"
              class="button button-quiet"
              onClick={() => void (document.fullscreenElement ? document.exitFullscreen() : document.documentElement.requestFullscreen())}
              data-testid="wall-fullscreen"
            >
              {t('wall.fullscreen')}
            </button>
          )}
        </div>
        <p class="muted">{t('wall.intro', { tz })}</p>
      </header>
      <Notice kind="error" testId="wall-error">
        {error}
      </Notice>

      <section aria-labelledby="wall-queues-title" class="wall-section">
        <h2 id="wall-queues-title">{t('wall.queues')}</h2>
        {shownStats.length === 0 && <p class="muted">{t('wall.noQueues')}</p>}
        <div class="wall-queues">
          {shownStats.map((s) => (
            <QueueTile key={s.queue_id} stats={s} today={todayByQueue.get(s.queue_id)} now={now} users={users} />
          ))}
        </div>
      </section>

      <div class="wall-columns">
        <section aria-labelledby="wall-risk-title" class="wall-section panel">
          <h2 id="wall-risk-title">{t('wall.atRisk')}</h2>
          <p class="muted small" data-testid="wall-risk-help">
            {t('wall.help.atRisk')}
          </p>
          <RiskList
            items={risk}
            error={riskError}
            now={now}
            users={users}
            queues={queues}
            names={names}
            onChanged={() => void loadRisk()}
          />
        </section>

        <section aria-labelledby="wall-agents-title" class="wall-section panel">
          <h2 id="wall-agents-title">{t('wall.agents')}</h2>
          {!agentsLive && <p class="muted small">{t('wall.agentsLimited')}</p>}
          {agentRows.length === 0 ? (
            <p class="muted">{t('wall.noAgents')}</p>
          ) : (
            <div class="table-wrap" tabIndex={0} role="region" aria-labelledby="wall-agents-title">
              <table class="table wall-agents">
                <thead>
                  <tr>
                    <th scope="col">{t('wall.agent')}</th>
                    <th scope="col">{t('wall.state')}</th>
                    <th scope="col" class="num">{t('wall.timeInState')}</th>
                    <th scope="col">{t('wall.load')}</th>
                  </tr>
                </thead>
                <tbody>
                  {[...agentRows]
                    .sort((a, b) => stateOrder(a.presence) - stateOrder(b.presence) || a.name.localeCompare(b.name))
                    .map((a) => (
                      <AgentRow key={a.user_id} agent={a} now={now} email={emails.get(a.user_id)} />
                    ))}
                </tbody>
              </table>
            </div>
          )}
        </section>
      </div>

      <WallCalls realtime={realtime} now={now} />

      <section aria-labelledby="wall-today-title" class="wall-section panel">
        <h2 id="wall-today-title">{t('wall.today')}</h2>
        {today ? (
          <div class="wall-charts">
            <HourChart data={today.by_hour ?? []} currentHour={currentHour} />
            <ChannelChart data={today.by_hour ?? []} />
          </div>
        ) : (
          <p class="muted">{todayError ? t('wall.todayUnavailable', { detail: todayError }) : t('app.loading')}</p>
        )}
      </section>
    </div>
  );
}

function stateOrder(p: string): number {
  const i = ['available', 'busy', 'away', 'offline'].indexOf(p);
  return i < 0 ? 1.5 : i;
}

interface FigureProps {
  label: string;
  value: string | number;
  testId: string;
  /** help defines the number; it shows as a tooltip on hover and on keyboard focus. */
  help: string;
  queueID: string;
  big?: boolean;
}

function Figure({ label, value, testId, help, queueID, big }: FigureProps) {
  const tipID = `${testId}-${queueID}-tip`;
  return (
    <div class={big ? 'wall-figure wall-figure-big' : 'wall-figure'} tabIndex={0} aria-describedby={tipID}>
      <dt>
        {label}
        <span class="wall-info" aria-hidden="true">
          ?
        </span>
        {/* Inside the dt, as a definition list allows; shown by CSS on hover and focus. */}
        <span role="tooltip" id={tipID} class="wall-tip" data-testid={`${testId}-tip`}>
          {help}
        </span>
      </dt>
      <dd data-testid={testId}>{value}</dd>
    </div>
  );
}

function QueueTile({ stats, today, now, users }: { stats: LiveStats; today?: QueueToday; now: number; users: User[] }) {
  const longest = stats.waiting > 0 ? stats.longest_wait_seconds + Math.max(0, now - stats.at) / 1000 : 0;
  const dash = t('common.none');
  const states = Object.entries(stats.agents ?? {}).filter(([, n]) => n > 0);
  const met = today?.sla_met_pct;
  const q = stats.queue_id;
  return (
    <article
      class={stats.sla_at_risk > 0 ? 'wall-queue wall-queue-risk' : 'wall-queue'}
      data-testid="wall-queue"
      data-queue={stats.name}
      aria-labelledby={`wall-q-${stats.queue_id}`}
    >
      <h3 id={`wall-q-${stats.queue_id}`}>
        {stats.name}
        {stats.sla_at_risk > 0 && (
          <span class="badge badge-failed" title={t('wall.help.atRisk')} data-testid="wall-risk-count">
            {t('wall.riskCount', { n: stats.sla_at_risk })}
          </span>
        )}
      </h3>
      <dl class="wall-figures">
        <Figure big label={t('wall.waiting')} help={t('wall.help.waiting')} queueID={q} value={stats.waiting} testId="wall-waiting" />
        <Figure
          big
          label={t('wall.longestWait')}
          help={t('wall.help.longestWait')}
          queueID={q}
          value={stats.waiting > 0 ? formatSeconds(longest) : dash}
          testId="wall-longest-wait"
        />
        <Figure label={t('wall.offered')} help={t('wall.help.offered')} queueID={q} value={today ? today.offered : dash} testId="wall-offered" />
        <Figure label={t('wall.answered')} help={t('wall.help.answered')} queueID={q} value={today ? today.answered : dash} testId="wall-answered" />
        <Figure label={t('wall.abandoned')} help={t('wall.help.abandoned')} queueID={q} value={today ? today.abandoned : dash} testId="wall-abandoned" />
        <Figure
          label={t('wall.transferredOut')}
          help={t('wall.help.transferredOut')}
          queueID={q}
          value={today ? today.transferred_out : dash}
          testId="wall-transferred-out"
        />
        <Figure label={t('wall.inQueue')} help={t('wall.help.inQueue')} queueID={q} value={today ? today.in_queue : dash} testId="wall-in-queue" />
        <Figure
          label={t('wall.offerAttempts')}
          help={t('wall.help.offerAttempts')}
          queueID={q}
          value={today ? today.offer_attempts : dash}
          testId="wall-offer-attempts"
        />
        <Figure
          label={t('wall.slaMet')}
          help={t('wall.help.slaMet')}
          queueID={q}
          value={met === null || met === undefined ? dash : `${Math.round(met)}%`}
          testId="wall-sla-met"
        />
      </dl>
      <p class="wall-states" data-testid="wall-agents-by-state">
        <span class="visually-hidden">{t('wall.agentsByState')}: </span>
        {states.length === 0
          ? t('wall.noMembers')
          : states.map(([p, n]) => (
              <span key={p} class={`wall-state wall-state-${p}`}>
                <span class={`presence-dot presence-${p}`} aria-hidden="true" />
                {`${n} ${tMaybe(`presence.${p}`, p)}`}
              </span>
            ))}
      </p>
      <WallSteps steps={stats.steps} users={users} now={now} />
    </article>
  );
}

function AgentRow({ agent, now, email }: { agent: LiveAgent; now: number; email?: string }) {
  const inState = secondsSince(agent.presence_since, now);
  const wrap = secondsSince(agent.wrap_up_until, now);
  // An offline agent's free capacity is noise on a wall: show only what they still hold.
  const offline = agent.presence === 'offline';
  const mods = MODALITIES.filter((m) => (agent.load?.[m] ?? 0) > 0 || (!offline && (agent.capacity?.[m] ?? 0) > 0));
  return (
    <tr data-testid="wall-agent" data-user={email ?? agent.user_id}>
      <td class="cell-main">{agent.name}</td>
      <td data-testid="wall-agent-state">
        <span class="wall-state">
          <span class={`presence-dot presence-${agent.presence}`} aria-hidden="true" />
          {tMaybe(`presence.${agent.presence}`, agent.presence)}
        </span>
        {wrap !== undefined && wrap < 0 && <span class="badge badge-pending">{t('wall.wrapUp', { time: formatSeconds(-wrap) })}</span>}
      </td>
      <td class="num" data-testid="wall-agent-time">
        {inState === undefined ? t('common.none') : formatSeconds(inState)}
      </td>
      <td data-testid="wall-agent-load">
        {mods.length === 0 ? (
          t('common.none')
        ) : (
          <ul class="wall-load">
            {mods.map((m) => {
              const load = agent.load?.[m] ?? 0;
              const cap = agent.capacity?.[m] ?? 0;
              return (
                <li key={m} class={cap > 0 && load >= cap ? 'wall-load-full' : undefined}>
                  <span>{tMaybe(`wall.modality.${m}`, m)}</span>
                  <meter min={0} max={Math.max(cap, 1)} value={load} aria-label={t('wall.loadOf', { modality: m, load, cap })} />
                  <span class="nowrap">{`${load}/${cap}`}</span>
                </li>
              );
            })}
          </ul>
        )}
      </td>
    </tr>
  );
}

interface RiskProps {
  items: WallConversation[];
  error: string;
  now: number;
  users: User[];
  queues: Queue[];
  names: Map<string, string>;
  onChanged: () => void;
}

function RiskList({ items, error, now, users, queues, names, onChanged }: RiskProps) {
  const [busy, setBusy] = useState('');
  const [notice, setNotice] = useState('');
  const [actionError, setActionError] = useState('');
  const [agentPick, setAgentPick] = useState<Record<string, string>>({});
  const [queuePick, setQueuePick] = useState<Record<string, string>>({});
  const queueNames = new Map(queues.map((q) => [q.id, q.name]));
  const agents = users.filter((u) => !u.disabled && u.role !== 'admin');

  const sorted = [...items].sort((a, b) => Date.parse(a.sla_due_at ?? '') - Date.parse(b.sla_due_at ?? ''));

  const act = async (id: string, fn: () => Promise<unknown>, done: string) => {
    setBusy(id);
    setActionError('');
    setNotice('');
    try {
      await fn();
      setNotice(done);
      onChanged();
    } catch (err) {
      setActionError(errorMessage(err));
    } finally {
      setBusy('');
    }
  };

  const join = async (id: string) => {
    setBusy(id);
    setActionError('');
    try {
      await supervisorApi.join(id);
      navigate(`/desktop/c/${encodeURIComponent(id)}`);
    } catch (err) {
      setActionError(errorMessage(err));
      setBusy('');
    }
  };

  return (
    <>
      <Notice kind="success">{notice}</Notice>
      <Notice kind="error" testId="wall-risk-error">
        {actionError || (error ? t('wall.riskUnavailable', { detail: error }) : '')}
      </Notice>
      {sorted.length === 0 && !error && <p class="muted">{t('wall.noRisk')}</p>}
      <ul class="wall-risks">
        {sorted.map((c) => {
          const due = (Date.parse(c.sla_due_at ?? '') - now) / 1000;
          const late = due < 0;
          const agentID = agentPick[c.id] ?? '';
          const queueID = queuePick[c.id] ?? '';
          return (
            <li key={c.id} class={late ? 'wall-risk wall-risk-late' : 'wall-risk'} data-testid="wall-risk" data-id={c.id}>
              <div class="wall-risk-head">
                <span class={late ? 'badge badge-failed' : 'badge badge-pending'} data-testid="wall-risk-due">
                  {late ? t('wall.overdue', { time: formatSeconds(-due) }) : t('wall.dueIn', { time: formatSeconds(due) })}
                </span>
                <strong class="wall-risk-subject">{c.subject || t('wall.noSubject')}</strong>
              </div>
              <p class="muted small">
                {[
                  c.persona_name,
                  tMaybe(`wall.channel.${c.channel}`, c.channel),
                  c.queue_id ? queueNames.get(c.queue_id) : c.team,
                  c.assignee_id ? names.get(c.assignee_id) ?? c.assignee_id : t('wall.unassigned'),
                ]
                  .filter(Boolean)
                  .join(' · ')}
              </p>
              <div class="wall-risk-actions">
                <label class="visually-hidden" for={`reassign-${c.id}`}>
                  {t('wall.reassignTo')}
                </label>
                <select
                  id={`reassign-${c.id}`}
                  value={agentID}
                  onChange={(e) => setAgentPick({ ...agentPick, [c.id]: e.currentTarget.value })}
                  data-testid="wall-reassign-select"
                >
                  <option value="">{t('wall.pickAgent')}</option>
                  {agents.map((u) => (
                    <option key={u.id} value={u.id}>
                      {`${u.name} (${tMaybe(`presence.${u.presence}`, u.presence)})`}
                    </option>
                  ))}
                </select>
                <button
                  type="button"
                  class="button button-small"
                  disabled={!agentID || busy === c.id}
                  onClick={() => void act(c.id, () => supervisorApi.reassign(c.id, agentID), t('wall.reassigned'))}
                  data-testid="wall-reassign"
                >
                  {t('wall.reassign')}
                </button>
                <label class="visually-hidden" for={`transfer-${c.id}`}>
                  {t('wall.transferTo')}
                </label>
                <select
                  id={`transfer-${c.id}`}
                  value={queueID}
                  onChange={(e) => setQueuePick({ ...queuePick, [c.id]: e.currentTarget.value })}
                  data-testid="wall-transfer-select"
                >
                  <option value="">{t('wall.pickQueue')}</option>
                  {queues.map((q) => (
                    <option key={q.id} value={q.id}>
                      {q.name}
                    </option>
                  ))}
                </select>
                <button
                  type="button"
                  class="button button-small"
                  disabled={!queueID || busy === c.id}
                  onClick={() => void act(c.id, () => supervisorApi.transferToQueue(c.id, queueID), t('wall.transferred'))}
                  data-testid="wall-transfer"
                >
                  {t('wall.transfer')}
                </button>
                <button
                  type="button"
                  class="button button-small button-primary"
                  disabled={busy === c.id}
                  onClick={() => void join(c.id)}
                  data-testid="wall-join"
                >
                  {t('wall.join')}
                </button>
              </div>
            </li>
          );
        })}
      </ul>
    </>
  );
}
