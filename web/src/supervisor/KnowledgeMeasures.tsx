// /admin/knowledge-measures: the KCS Evolve-loop measures of a period — link
// rate (overall, by day, per agent, per team), reuse per article, new vs
// known, self-service success, article feedback, flags and time to fix —
// drawn in hand-made SVG (as the wall's charts), each chart with its numbers
// as a table beside it, and each measure downloadable as CSV.
//
// Test ids: kbm-page, kbm-from, kbm-to, kbm-show, kbm-csv-all, kbm-csv-<section>,
// kbm-link-rate, kbm-resolved, kbm-linked, kbm-known, kbm-new, kbm-none,
// kbm-self-rate, kbm-flags-opened, kbm-flags-fixed, kbm-flags-open, kbm-flags-median,
// kbm-flags-p90, kbm-agent-row, kbm-team-row, kbm-reuse-row, kbm-feedback-row (data-key each).
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { errorMessage } from '../api';
import { measuresApi, type KnowledgeMeasures, type Rate, type Section } from '../api/knowledgeMeasures';
import { Notice } from '../components/Notice';
import { t, type MessageKey } from '../i18n';
import { AdminPage } from './AdminNav';
import '../styles/knowledge-measures.css';

const DAY = 24 * 60 * 60 * 1000;
const isoDay = (d: Date) => d.toISOString().slice(0, 10);
const pct = (r: number) => `${Math.round(r * 1000) / 10}%`;

/** KnowledgeMeasuresPage is /admin/knowledge-measures. */
export function KnowledgeMeasuresPage() {
  const today = isoDay(new Date());
  const [from, setFrom] = useState(isoDay(new Date(Date.now() - 29 * DAY)));
  const [to, setTo] = useState(today);
  const [shown, setShown] = useState({ from, to });
  const [data, setData] = useState<KnowledgeMeasures | null>(null);
  const [error, setError] = useState('');
  const [loading, setLoading] = useState(true);

  useEffect(() => {
    let live = true;
    setLoading(true);
    measuresApi.get(shown.from, shown.to).then(
      (m) => {
        if (!live) return;
        setData(m);
        setError('');
        setLoading(false);
      },
      (err) => {
        if (!live) return;
        setError(errorMessage(err));
        setLoading(false);
      },
    );
    return () => {
      live = false;
    };
  }, [shown.from, shown.to]);

  const submit = (e: Event) => {
    e.preventDefault();
    if (!from || !to || from > to) {
      setError(t('kbm.badPeriod'));
      return;
    }
    setShown({ from, to });
  };

  return (
    <AdminPage title="kbm.title" intro="kbm.intro" testId="kbm-page">
      <form class="kbm-period" onSubmit={submit}>
        <div class="field">
          <label for="kbm-from">{t('kbm.from')}</label>
          <input id="kbm-from" type="date" value={from} max={today} onInput={(e) => setFrom(e.currentTarget.value)} data-testid="kbm-from" />
        </div>
        <div class="field">
          <label for="kbm-to">{t('kbm.to')}</label>
          <input id="kbm-to" type="date" value={to} onInput={(e) => setTo(e.currentTarget.value)} data-testid="kbm-to" />
        </div>
        <button type="submit" class="button button-primary" data-testid="kbm-show">
          {t('kbm.show')}
        </button>
        <a class="button" href={measuresApi.csvURL(shown.from, shown.to)} download data-testid="kbm-csv-all">
          {t('kbm.downloadAll')}
        </a>
      </form>
      <Notice kind="error">{error}</Notice>
      <p class="muted" role="status" aria-busy={loading}>
        {loading ? t('app.loading') : t('kbm.period', { from: shown.from, to: shown.to })}
      </p>
      {data && <Measures m={data} from={shown.from} to={shown.to} />}
    </AdminPage>
  );
}

function Measures({ m, from, to }: { m: KnowledgeMeasures; from: string; to: string }) {
  const csv = (s: Section) => measuresApi.csvURL(from, to, s);
  const lr = m.link_rate;
  const nk = m.new_vs_known;
  const ss = m.self_service;
  const fl = m.flags;
  const agentName = (r: Rate) => r.name || (r.key ? r.key : t('kbm.unassigned'));
  const teamName = (r: Rate) => r.name || t('kbm.noTeam');
  return (
    <div class="kbm-grid">
      <Section id="link-rate" title="kbm.linkRate" help="kbm.linkRateHelp" csv={csv('link_rate')} section="link_rate">
        <p class="kbm-figure">
          <strong data-testid="kbm-link-rate">{lr.resolved ? pct(lr.rate) : t('common.none')}</strong>{' '}
          <span class="muted">
            {t('kbm.linkRateValue', { linked: lr.linked, resolved: lr.resolved })}
            <span hidden data-testid="kbm-linked">{lr.linked}</span>
            <span hidden data-testid="kbm-resolved">{lr.resolved}</span>
          </span>
        </p>
        <DayChart days={m.days} />
        <a class="kbm-csv" href={csv('days')} download data-testid="kbm-csv-days">
          {t('kbm.downloadOf', { what: t('kbm.byDay') })}
        </a>
      </Section>

      <Section id="agents" title="kbm.agents" help="kbm.agentsHelp" csv={csv('agents')} section="agents">
        <RateBars id="agents" rows={m.agents} label={agentName} head="kbm.agent" testId="kbm-agent-row" />
      </Section>

      <Section id="teams" title="kbm.teams" help="kbm.teamsHelp" csv={csv('teams')} section="teams">
        <RateBars id="teams" rows={m.teams} label={teamName} head="kbm.team" testId="kbm-team-row" />
      </Section>

      <Section id="reuse" title="kbm.reuse" help="kbm.reuseHelp" csv={csv('reuse')} section="reuse">
        <Bars
          id="reuse"
          title={t('kbm.reuse')}
          bars={m.reuse.map((u) => ({ key: u.article_id, label: u.title || t('kbm.untitled'), value: u.links, text: String(u.links) }))}
        />
        <DataTable caption="kbm.reuse" heads={['kbm.article', 'kbm.links', 'kbm.created']}>
          {m.reuse.map((u) => (
            <tr key={u.article_id} data-testid="kbm-reuse-row" data-key={u.article_id}>
              <th scope="row">{u.title || t('kbm.untitled')}</th>
              <td class="num">{u.links}</td>
              <td class="num">{u.created}</td>
            </tr>
          ))}
        </DataTable>
      </Section>

      <Section id="new-known" title="kbm.newVsKnown" help="kbm.newVsKnownHelp" csv={csv('new_vs_known')} section="new_vs_known">
        <Bars
          id="new-known"
          title={t('kbm.newVsKnown')}
          bars={[
            { key: 'known', label: t('kbm.known'), value: nk.known, text: String(nk.known) },
            { key: 'new', label: t('kbm.new'), value: nk.new, text: String(nk.new) },
            { key: 'none', label: t('kbm.noArticle'), value: nk.none, text: String(nk.none) },
          ]}
        />
        <dl class="kbm-figures">
          <Fig label="kbm.known" testId="kbm-known" value={nk.known} />
          <Fig label="kbm.new" testId="kbm-new" value={nk.new} />
          <Fig label="kbm.noArticle" testId="kbm-none" value={nk.none} />
        </dl>
      </Section>

      <Section id="self-service" title="kbm.selfService" help="kbm.selfServiceHelp" csv={csv('self_service')} section="self_service">
        <p class="kbm-figure">
          <strong data-testid="kbm-self-rate">{ss.sessions ? pct(ss.rate) : t('common.none')}</strong>{' '}
          <span class="muted">{t('kbm.selfServiceValue', { served: ss.self_served, sessions: ss.sessions })}</span>
        </p>
        {ss.too_recent > 0 && <p class="muted">{t('kbm.tooRecent', { n: ss.too_recent })}</p>}
      </Section>

      <Section id="feedback" title="kbm.feedback" help="kbm.feedbackHelp" csv={csv('feedback')} section="feedback">
        <DataTable caption="kbm.feedback" heads={['kbm.article', 'kbm.yes', 'kbm.no', 'kbm.reasons']} open>
          {m.feedback.map((o) => (
            <tr key={o.article_id} data-testid="kbm-feedback-row" data-key={o.article_id}>
              <th scope="row">{o.title || t('kbm.untitled')}</th>
              <td class="num">{o.yes}</td>
              <td class="num">{o.no}</td>
              <td>{o.reasons.map((r) => `${r.reason} (${r.count})`).join('; ')}</td>
            </tr>
          ))}
        </DataTable>
      </Section>

      <Section id="flags" title="kbm.flags" help="kbm.flagsHelp" csv={csv('flags')} section="flags">
        <dl class="kbm-figures">
          <Fig label="kbm.flagsOpened" testId="kbm-flags-opened" value={fl.opened} />
          <Fig label="kbm.flagsFixed" testId="kbm-flags-fixed" value={fl.fixed} />
          <Fig label="kbm.flagsOpenAtEnd" testId="kbm-flags-open" value={fl.open_at_end} />
          <Fig label="kbm.flagsMedian" testId="kbm-flags-median" value={fl.fixed ? t('kbm.hours', { n: fl.median_hours }) : t('common.none')} />
          <Fig label="kbm.flagsP90" testId="kbm-flags-p90" value={fl.fixed ? t('kbm.hours', { n: fl.p90_hours }) : t('common.none')} />
        </dl>
      </Section>
    </div>
  );
}

function Section(props: { id: string; title: MessageKey; help: MessageKey; csv: string; section: Section; children: ComponentChildren }) {
  return (
    <section class="panel kbm-section" aria-labelledby={`kbm-${props.id}-title`} data-testid={`kbm-section-${props.id}`}>
      <div class="panel-header">
        <h2 id={`kbm-${props.id}-title`}>{t(props.title)}</h2>
        <a class="button button-small" href={props.csv} download data-testid={`kbm-csv-${props.section}`}>
          {t('kbm.download')}
          <span class="visually-hidden"> — {t(props.title)}</span>
        </a>
      </div>
      <p class="muted">{t(props.help)}</p>
      {props.children}
    </section>
  );
}

function Fig({ label, value, testId }: { label: MessageKey; value: string | number; testId: string }) {
  return (
    <div>
      <dt>{t(label)}</dt>
      <dd data-testid={testId}>{value}</dd>
    </div>
  );
}

function DataTable(props: { caption: MessageKey; heads: MessageKey[]; open?: boolean; children: ComponentChildren[] }) {
  if (props.children.length === 0) return props.open ? <p class="muted">{t('kbm.none')}</p> : null;
  const table = (
    <table class="table">
      <caption class="visually-hidden">{t(props.caption)}</caption>
      <thead>
        <tr>
          {props.heads.map((h, i) => (
            <th key={h} scope="col" class={i ? 'num' : undefined}>
              {t(h)}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>{props.children}</tbody>
    </table>
  );
  if (props.open) return table;
  return (
    <details class="wall-data">
      <summary>{t('kbm.showTable')}</summary>
      {table}
    </details>
  );
}

interface Bar {
  key: string;
  label: string;
  value: number;
  text: string;
}

/** Bars is one horizontal bar per row, longest for the largest value (or for 100 % when max is 1). */
function Bars({ id, title, bars, max }: { id: string; title: string; bars: Bar[]; max?: number }) {
  if (bars.length === 0) return <p class="muted">{t('kbm.none')}</p>;
  const top = max ?? Math.max(1, ...bars.map((b) => b.value));
  const row = 24;
  const W = 360;
  const label = 128;
  const room = 84; // for the value written after the bar
  const H = bars.length * row;
  const clip = (s: string) => (s.length > 15 ? `${s.slice(0, 14)}…` : s);
  return (
    <figure class="wall-chart kbm-chart">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby={`kbm-${id}-chart-title kbm-${id}-chart-desc`}>
        <title id={`kbm-${id}-chart-title`}>{title}</title>
        <desc id={`kbm-${id}-chart-desc`}>{bars.map((b) => `${b.label}: ${b.text}`).join(', ')}</desc>
        {bars.map((b, i) => {
          const w = ((W - label - room) * b.value) / top;
          return (
            <g key={b.key}>
              <title>{`${b.label}: ${b.text}`}</title>
              <text x={label - 8} y={i * row + row / 2 + 5} class="wall-bar-label" text-anchor="end">
                {clip(b.label)}
              </text>
              <rect x={label} y={i * row + 4} width={Math.max(w, 2)} height={row - 8} class="kbm-bar" rx="2" />
              <text x={label + w + 6} y={i * row + row / 2 + 5} class="wall-bar-value">
                {b.text}
              </text>
            </g>
          );
        })}
      </svg>
    </figure>
  );
}

/** RateBars draws link rates as bars out of 100 % with their table. */
function RateBars({ id, rows, label, head, testId }: { id: string; rows: Rate[]; label: (r: Rate) => string; head: MessageKey; testId: string }) {
  return (
    <>
      <Bars id={id} title={t('kbm.rate')} max={1} bars={rows.map((r) => ({ key: r.key, label: label(r), value: r.rate, text: `${pct(r.rate)} (${r.linked}/${r.resolved})` }))} />
      <DataTable caption={head} heads={[head, 'kbm.resolved', 'kbm.linked', 'kbm.rate']}>
        {rows.map((r) => (
          <tr key={r.key} data-testid={testId} data-key={r.key}>
            <th scope="row">{label(r)}</th>
            <td class="num">{r.resolved}</td>
            <td class="num">{r.linked}</td>
            <td class="num">{pct(r.rate)}</td>
          </tr>
        ))}
      </DataTable>
    </>
  );
}

/** DayChart is the link rate per day as a line, 0 to 100 %. */
function DayChart({ days }: { days: Rate[] }) {
  if (days.length === 0) return <p class="muted">{t('kbm.none')}</p>;
  const W = 360;
  const H = 110;
  const pad = 20;
  const x = (i: number) => (days.length === 1 ? W / 2 : pad + (i * (W - 2 * pad)) / (days.length - 1));
  const y = (r: number) => H - r * (H - 10);
  const rates = days.map((d) => d.rate);
  const summary = t('kbm.byDaySummary', {
    first: days[0]!.key,
    last: days[days.length - 1]!.key,
    min: pct(Math.min(...rates)),
    max: pct(Math.max(...rates)),
  });
  return (
    <figure class="wall-chart kbm-chart">
      <svg viewBox={`0 0 ${W} ${H + pad}`} role="img" aria-labelledby="kbm-days-title kbm-days-desc">
        <title id="kbm-days-title">{t('kbm.byDay')}</title>
        <desc id="kbm-days-desc">{summary}</desc>
        <line x1="0" x2={W} y1={H} y2={H} class="wall-axis" />
        <line x1="0" x2={W} y1={y(1)} y2={y(1)} class="wall-axis kbm-gridline" />
        <polyline class="kbm-line" fill="none" points={days.map((d, i) => `${x(i)},${y(d.rate)}`).join(' ')} />
        {days.map((d, i) => (
          <circle key={d.key} cx={x(i)} cy={y(d.rate)} r="3" class="kbm-dot" />
        ))}
        <text x={x(0)} y={H + 15} class="wall-tick" text-anchor={days.length === 1 ? 'middle' : 'start'}>
          {days[0]!.key}
        </text>
        {days.length > 1 && (
          <text x={x(days.length - 1)} y={H + 15} class="wall-tick" text-anchor="end">
            {days[days.length - 1]!.key}
          </text>
        )}
      </svg>
      <DataTable caption="kbm.byDay" heads={['kbm.day', 'kbm.resolved', 'kbm.linked', 'kbm.rate']}>
        {days.map((d) => (
          <tr key={d.key}>
            <th scope="row">{d.key}</th>
            <td class="num">{d.resolved}</td>
            <td class="num">{d.linked}</td>
            <td class="num">{pct(d.rate)}</td>
          </tr>
        ))}
      </DataTable>
    </figure>
  );
}
