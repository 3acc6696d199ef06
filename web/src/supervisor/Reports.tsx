// /admin/reports: reports over time (docs/reports.md) — the summary beside the
// range before, volume by hour and channel and by day, times (median and
// p90), satisfaction and agents, drawn in hand-made SVG as the wall's charts
// are: each chart has a title, a description and its numbers as a table one
// click away, and a bar (or a table row's button) opens the conversations
// behind it. Every table downloads as CSV. Notices, knowledge and the best
// hours are ReportsEngagement.tsx's.
//
// Test ids: rep-page, rep-from, rep-to, rep-tz, rep-show, rep-fig-<name> (data-prev), rep-hour-chart,
// rep-hour-bar (data-hour), rep-day-bar (data-date), rep-times-row (data-metric), rep-csat-bar,
// rep-agent-row, rep-csv-<table>, rep-drill, rep-drill-row (data-id).
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { errorMessage } from '../api';
import { reportsApi, type DrillRow, type Period, type Report, type ReportQuery, type Table } from '../api/reports';
import { Notice } from '../components/Notice';
import { t, tMaybe, type MessageKey } from '../i18n';
import { Link } from '../router';
import { AdminPage } from './AdminNav';
import { EngagementSections } from './ReportsEngagement';
import { linkedQuery, ReportSchedules } from './ReportSchedules';
// The period form and the figures share the knowledge measures' layout; without its
// sheet (loaded with that page only) the form's fields stacked full width.
import '../styles/knowledge-measures.css';

const DAY = 24 * 60 * 60 * 1000;
type Dim = 'channel' | 'queue' | 'agent' | 'team' | 'tag';

/** localDay is a date in the browser's zone as YYYY-MM-DD. */
function localDay(d: Date): string {
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

const num = (n: number | null, unit = '') => (n === null ? t('common.none') : `${Math.round(n * 10) / 10}${unit}`);

/** secs shows a duration for people: 45 s, 3.5 min, 2.1 h. */
function secs(s: number | null): string {
  if (s === null) return t('common.none');
  if (s < 120) return `${Math.round(s)} s`;
  if (s < 7200) return `${Math.round(s / 6) / 10} min`;
  return `${Math.round(s / 360) / 10} h`;
}

/** ReportsPage is /admin/reports. */
export function ReportsPage() {
  const [linked] = useState(linkedQuery); // a report mail's link: its range, zone and filter
  const [from, setFrom] = useState(linked.from ?? localDay(new Date(Date.now() - 6 * DAY)));
  const [to, setTo] = useState(linked.to ?? localDay(new Date()));
  const [tz, setTz] = useState(linked.tz ?? (Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC'));
  const [sl, setSl] = useState('20');
  const [dim, setDim] = useState<Dim | ''>(linked.dim ?? '');
  const [value, setValue] = useState(linked.value ?? '');
  const [shown, setShown] = useState<ReportQuery>({ from, to, tz, sl: 20, filter: dim && value ? { dim, value } : undefined });
  const [data, setData] = useState<Report | null>(null);
  const [error, setError] = useState('');
  const [loading, setLoading] = useState(true);
  const [drill, setDrill] = useState<{ what: string; rows: DrillRow[]; truncated: boolean } | null>(null);

  useEffect(() => {
    let live = true;
    setLoading(true);
    reportsApi.get(shown).then(
      (r) => {
        if (!live) return;
        setData(r);
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
  }, [shown]);

  const submit = (e: Event) => {
    e.preventDefault();
    if (!from || !to || from > to) {
      setError(t('rep.badPeriod'));
      return;
    }
    setDrill(null);
    setShown({ from, to, tz, sl: Number(sl) || 20, filter: dim && value ? { dim, value } : undefined });
  };

  const open = (what: string, cell: { metric: string; hour?: number; date?: string; by_channel?: string }) => {
    reportsApi.drill(shown, cell).then(
      (d) => setDrill({ what, rows: d.items, truncated: d.truncated }),
      (err) => setError(errorMessage(err)),
    );
  };

  return (
    <AdminPage title="rep.title" intro="rep.intro" testId="rep-page">
      <form class="kbm-period" onSubmit={submit}>
        <Field id="rep-from" label="rep.from">
          <input id="rep-from" type="date" value={from} onInput={(e) => setFrom(e.currentTarget.value)} data-testid="rep-from" />
        </Field>
        <Field id="rep-to" label="rep.to">
          <input id="rep-to" type="date" value={to} onInput={(e) => setTo(e.currentTarget.value)} data-testid="rep-to" />
        </Field>
        <Field id="rep-tz" label="rep.tz">
          <input id="rep-tz" value={tz} onInput={(e) => setTz(e.currentTarget.value)} data-testid="rep-tz" />
        </Field>
        <Field id="rep-sl" label="rep.sl">
          <input id="rep-sl" type="number" min="1" max="86400" value={sl} onInput={(e) => setSl(e.currentTarget.value)} />
        </Field>
        <Field id="rep-dim" label="rep.filterBy">
          <select id="rep-dim" value={dim} onChange={(e) => setDim(e.currentTarget.value as Dim | '')} data-testid="rep-dim">
            <option value="">{t('rep.filter.none')}</option>
            {(['channel', 'queue', 'agent', 'team', 'tag'] as const).map((d) => (
              <option key={d} value={d}>
                {t(`rep.filter.${d}`)}
              </option>
            ))}
          </select>
        </Field>
        <Field id="rep-value" label="rep.filterValue">
          <input id="rep-value" value={value} disabled={!dim} onInput={(e) => setValue(e.currentTarget.value)} data-testid="rep-value" />
        </Field>
        <button type="submit" class="button button-primary" data-testid="rep-show">
          {t('rep.show')}
        </button>
      </form>
      <Notice kind="error">{error}</Notice>
      <p class="muted" role="status" aria-busy={loading}>
        {loading || !data
          ? t('app.loading')
          : t('rep.period', { from: data.from, to: data.to, tz: data.tz, pfrom: data.previous.from, pto: data.previous.to })}
      </p>
      {data && <Figures r={data} q={shown} open={open} />}
      {drill && <Drill {...drill} />}
      <ReportSchedules />
    </AdminPage>
  );
}

function Field(props: { id: string; label: MessageKey; children: ComponentChildren }) {
  return (
    <div class="field">
      <label for={props.id}>{t(props.label)}</label>
      {props.children}
    </div>
  );
}

type Open = (what: string, cell: { metric: string; hour?: number; date?: string; by_channel?: string }) => void;

function Figures({ r, q, open }: { r: Report; q: ReportQuery; open: Open }) {
  const c = r.current;
  const p = r.previous;
  const csv = (table: Table) => reportsApi.csvURL(q, table);
  const figs: { name: string; label: string; value: (x: Period) => string; metric?: string }[] = [
    { name: 'conversations', label: t('rep.conversations'), value: (x) => String(x.conversations), metric: 'conversations' },
    { name: 'queued', label: t('rep.queued'), value: (x) => String(x.queued) },
    { name: 'answered', label: t('rep.answered'), value: (x) => String(x.answered), metric: 'answered' },
    { name: 'abandoned', label: t('rep.abandoned'), value: (x) => String(x.abandoned), metric: 'abandoned' },
    { name: 'abandon-pct', label: t('rep.abandonPct'), value: (x) => num(x.abandon_pct, ' %') },
    { name: 'service-level', label: t('rep.serviceLevel', { secs: r.service_level_secs }), value: (x) => num(x.service_level_pct, ' %') },
    { name: 'asa', label: t('rep.asa'), value: (x) => secs(x.asa_secs) },
    { name: 'resolved', label: t('rep.resolved'), value: (x) => String(x.resolved), metric: 'resolved' },
    { name: 'fcr', label: t('rep.fcr'), value: (x) => num(x.fcr_pct, ' %'), metric: 'fcr' },
    { name: 'sla', label: t('rep.sla'), value: (x) => num(x.sla_compliance_pct, ' %'), metric: 'breached' },
    { name: 'csat', label: t('rep.csat'), value: (x) => num(x.csat.average), metric: 'csat' },
  ];
  return (
    <div class="kbm-grid">
      <Section id="summary" title="rep.summary" csv={csv('summary')}>
        <dl class="kbm-figures">
          {figs.map((f) => (
            <div key={f.name}>
              <dt>{f.label}</dt>
              <dd>
                <strong data-testid={`rep-fig-${f.name}`}>{f.value(c)}</strong>{' '}
                <span class="muted" data-testid={`rep-prev-${f.name}`}>
                  {t('rep.previous', { value: f.value(p) })}
                </span>
                {f.metric && (
                  <button type="button" class="button button-small" onClick={() => open(f.label, { metric: f.metric! })}>
                    {t('rep.drill')}
                    <span class="visually-hidden"> — {f.label}</span>
                  </button>
                )}
              </dd>
            </div>
          ))}
        </dl>
      </Section>
      <Section id="by-hour" title="rep.byHour" csv={csv('volume_by_hour')}>
        <HourChart p={c} open={open} />
      </Section>
      <Section id="by-day" title="rep.byDay" csv={csv('volume_by_day')}>
        <DayChart p={c} open={open} />
      </Section>
      <Section id="times" title="rep.times" csv={csv('times')}>
        <TimesChart c={c} p={p} open={open} />
      </Section>
      <Section id="csat" title="rep.csatTitle" csv={csv('csat')}>
        <CSATChart c={c} />
      </Section>
      <Section id="agents" title="rep.agents" csv={csv('agents')}>
        <table class="table">
          <caption class="visually-hidden">{t('rep.agents')}</caption>
          <thead>
            <tr>
              {(['rep.agent', 'rep.answered', 'rep.handled', 'rep.handleTime', 'rep.occupancy', 'rep.presence'] as const).map((h) => (
                <th key={h} scope="col">
                  {t(h)}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {c.agents.map((a) => (
              <tr key={a.agent_id} data-testid="rep-agent-row" data-key={a.agent_id}>
                <th scope="row">{a.agent_id}</th>
                <td class="num">{a.answered}</td>
                <td class="num">{a.handled}</td>
                <td class="num">{secs(a.handle_secs)}</td>
                <td class="num">{num(a.occupancy_pct, ' %')}</td>
                <td>{a.presence.map((s) => `${tMaybe(`presence.${s.state}`, s.state)} ${secs(s.secs)}`).join(', ')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Section>
      <EngagementSections c={c} p={p} q={q} open={open} Section={Section} />
    </div>
  );
}

function Section(props: { id: string; title: MessageKey; csv: string; children: ComponentChildren }) {
  const table = props.csv.match(/table=([a-z_]+)/)?.[1] ?? props.id;
  return (
    <section class="panel kbm-section" aria-labelledby={`rep-${props.id}-title`} data-testid={`rep-section-${props.id}`}>
      <div class="panel-header">
        <h2 id={`rep-${props.id}-title`}>{t(props.title)}</h2>
        <a class="button button-small" href={props.csv} download data-testid={`rep-csv-${table}`}>
          {t('rep.download')}
          <span class="visually-hidden"> — {t(props.title)}</span>
        </a>
      </div>
      {props.children}
    </section>
  );
}

const KNOWN: Record<string, string> = {
  webchat: 'var(--accent)',
  chat: 'var(--accent)',
  email: 'var(--success)',
  sms: 'var(--warning)',
  api: 'var(--muted)',
  voice: 'var(--danger)',
};
const OTHERS = ['var(--text)', 'var(--border-strong)', 'var(--focus)'];

function colours(channels: string[]): Map<string, string> {
  let other = 0;
  return new Map(channels.map((c) => [c, KNOWN[c] ?? OTHERS[other++ % OTHERS.length]!]));
}

const channelLabel = (c: string) => tMaybe(`wall.channel.${c}`, c);

/** HourChart stacks each local hour's conversations by channel; a bar opens them. */
function HourChart({ p, open }: { p: Period; open: Open }) {
  const channels = [...new Set(p.by_hour.map((d) => d.channel))].sort();
  const colour = colours(channels);
  const byHour = Array.from({ length: 24 }, (_, h) => p.by_hour.filter((d) => d.hour === h));
  const totals = byHour.map((ds) => ds.reduce((n, d) => n + d.conversations, 0));
  const max = Math.max(1, ...totals);
  const W = 480;
  const H = 160;
  const bw = (W - 8) / 24;
  const total = totals.reduce((a, b) => a + b, 0);
  const busiest = totals.indexOf(Math.max(...totals));
  const summary = total ? t('rep.byHourSummary', { total, hour: busiest, count: totals[busiest] ?? 0 }) : t('rep.noVolume');
  const what = (h: number) => `${t('rep.byHour')}, ${String(h).padStart(2, '0')}:00`;
  return (
    <figure class="wall-chart" data-testid="rep-hour-chart">
      <svg viewBox={`0 0 ${W} ${H + 18}`} role="img" aria-labelledby="rep-chart-hour-title rep-chart-hour-desc">
        <title id="rep-chart-hour-title">{t('rep.byHour')}</title>
        <desc id="rep-chart-hour-desc">{summary}</desc>
        <line x1="0" x2={W} y1={H} y2={H} class="wall-axis" />
        {byHour.map((ds, h) => {
          let y = H;
          return (
            <g key={h} data-testid="rep-hour-bar" data-hour={h} style={totals[h] ? { cursor: 'pointer' } : undefined}
              onClick={() => totals[h] && open(what(h), { metric: 'conversations', hour: h })}>
              {ds.map((d) => {
                const hgt = (d.conversations / max) * (H - 8);
                y -= hgt;
                return <rect key={d.channel} x={4 + h * bw + 1} y={y} width={bw - 2} height={hgt} fill={colour.get(d.channel)} rx="1.5" />;
              })}
              {h % 3 === 0 && (
                <text x={4 + h * bw + bw / 2} y={H + 14} class="wall-tick" text-anchor="middle">
                  {h}
                </text>
              )}
            </g>
          );
        })}
      </svg>
      <ul class="wall-legend" aria-hidden="true">
        {channels.map((c) => (
          <li key={c}>
            <span class="wall-swatch" style={{ background: colour.get(c) }} />
            {channelLabel(c)}
          </li>
        ))}
      </ul>
      <details class="wall-data">
        <summary>{t('rep.showTable')}</summary>
        <table class="table">
          <caption class="visually-hidden">{t('rep.byHour')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('rep.hour')}</th>
              {channels.map((c) => (
                <th key={c} scope="col" class="num">
                  {channelLabel(c)}
                </th>
              ))}
              <th scope="col" class="num">{t('rep.total')}</th>
              <th scope="col">{t('rep.drill')}</th>
            </tr>
          </thead>
          <tbody>
            {byHour.map((ds, h) =>
              totals[h] ? (
                <tr key={h}>
                  <th scope="row">{`${String(h).padStart(2, '0')}:00`}</th>
                  {channels.map((c) => (
                    <td key={c} class="num">
                      {ds.find((d) => d.channel === c)?.conversations ?? 0}
                    </td>
                  ))}
                  <td class="num">{totals[h]}</td>
                  <td>
                    <button type="button" class="button button-small" onClick={() => open(what(h), { metric: 'conversations', hour: h })}>
                      {t('rep.drillOf', { what: `${String(h).padStart(2, '0')}:00` })}
                    </button>
                  </td>
                </tr>
              ) : null,
            )}
          </tbody>
        </table>
      </details>
    </figure>
  );
}

/** DayChart is a bar per day of the range; a bar opens that day's conversations. */
function DayChart({ p, open }: { p: Period; open: Open }) {
  const days = p.by_day;
  const max = Math.max(1, ...days.map((d) => d.conversations));
  const W = 480;
  const H = 120;
  const bw = (W - 8) / Math.max(1, days.length);
  const total = days.reduce((n, d) => n + d.conversations, 0);
  const busiest = days.reduce((b, d) => (d.conversations > b.conversations ? d : b), days[0] ?? { date: '', conversations: 0 });
  const summary = total ? t('rep.byDaySummary', { total, days: days.length, day: busiest.date, count: busiest.conversations }) : t('rep.noVolume');
  return (
    <figure class="wall-chart">
      <svg viewBox={`0 0 ${W} ${H + 4}`} role="img" aria-labelledby="rep-chart-day-title rep-chart-day-desc">
        <title id="rep-chart-day-title">{t('rep.byDay')}</title>
        <desc id="rep-chart-day-desc">{summary}</desc>
        <line x1="0" x2={W} y1={H} y2={H} class="wall-axis" />
        {days.map((d, i) => {
          const hgt = (d.conversations / max) * (H - 8);
          return (
            <rect key={d.date} data-testid="rep-day-bar" data-date={d.date} x={4 + i * bw + 1} y={H - hgt} width={Math.max(1, bw - 2)} height={hgt}
              fill="var(--accent)" rx="1.5" style={{ cursor: 'pointer' }} onClick={() => open(`${t('rep.byDay')}, ${d.date}`, { metric: 'conversations', date: d.date })} />
          );
        })}
      </svg>
      <details class="wall-data">
        <summary>{t('rep.showTable')}</summary>
        <table class="table">
          <caption class="visually-hidden">{t('rep.byDay')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('rep.day')}</th>
              <th scope="col" class="num">{t('rep.conversations')}</th>
            </tr>
          </thead>
          <tbody>
            {days.map((d) => (
              <tr key={d.date}>
                <th scope="row">{d.date}</th>
                <td class="num">{d.conversations}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}

/** TimesChart draws each time's median (solid) and p90 (light), this range over the one before. */
function TimesChart({ c, p, open }: { c: Period; p: Period; open: Open }) {
  const max = Math.max(1, ...c.times.map((x) => x.p90_secs ?? 0), ...p.times.map((x) => x.p90_secs ?? 0));
  const W = 480;
  const row = 44;
  const left = 120;
  return (
    <figure class="wall-chart">
      <svg viewBox={`0 0 ${W} ${row * c.times.length + 4}`} role="img" aria-labelledby="rep-chart-times-title rep-chart-times-desc">
        <title id="rep-chart-times-title">{t('rep.times')}</title>
        <desc id="rep-chart-times-desc">
          {c.times.map((x) => `${t(`rep.metric.${x.metric}`)}: ${t('rep.median')} ${secs(x.median_secs)}, ${t('rep.p90')} ${secs(x.p90_secs)}`).join('; ')}
        </desc>
        {c.times.map((x, i) => {
          const prev = p.times[i];
          const w = (v: number | null) => ((v ?? 0) / max) * (W - left - 8);
          const y = i * row + 4;
          return (
            <g key={x.metric}>
              <text x="0" y={y + 14} class="wall-tick">
                {t(`rep.metric.${x.metric}`)}
              </text>
              <rect x={left} y={y} width={w(x.p90_secs)} height="14" fill="var(--accent)" opacity="0.35" rx="1.5" />
              <rect x={left} y={y} width={w(x.median_secs)} height="14" fill="var(--accent)" rx="1.5" />
              <rect x={left} y={y + 18} width={w(prev?.p90_secs ?? null)} height="10" fill="var(--muted)" opacity="0.35" rx="1.5" />
              <rect x={left} y={y + 18} width={w(prev?.median_secs ?? null)} height="10" fill="var(--muted)" rx="1.5" />
            </g>
          );
        })}
      </svg>
      <table class="table">
        <caption class="visually-hidden">{t('rep.times')}</caption>
        <thead>
          <tr>
            {(['rep.measure', 'rep.count', 'rep.median', 'rep.p90', 'rep.previousMedian'] as const).map((h) => (
              <th key={h} scope="col">
                {t(h)}
              </th>
            ))}
            <th scope="col">{t('rep.drill')}</th>
          </tr>
        </thead>
        <tbody>
          {c.times.map((x, i) => (
            <tr key={x.metric} data-testid="rep-times-row" data-metric={x.metric}>
              <th scope="row">{t(`rep.metric.${x.metric}`)}</th>
              <td class="num">{x.count}</td>
              <td class="num">{secs(x.median_secs)}</td>
              <td class="num">{secs(x.p90_secs)}</td>
              <td class="num">{secs(p.times[i]?.median_secs ?? null)}</td>
              <td>
                <button type="button" class="button button-small" onClick={() => open(t(`rep.metric.${x.metric}`), { metric: x.metric })}>
                  {t('rep.drillOf', { what: t(`rep.metric.${x.metric}`) })}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}

function CSATChart({ c }: { c: Period }) {
  const r = c.csat.ratings;
  const max = Math.max(1, ...r);
  const W = 480;
  const H = 100;
  return (
    <figure class="wall-chart">
      <svg viewBox={`0 0 ${W} ${H + 18}`} role="img" aria-labelledby="rep-chart-csat-title rep-chart-csat-desc">
        <title id="rep-chart-csat-title">{t('rep.csatTitle')}</title>
        <desc id="rep-chart-csat-desc">{t('rep.csatSummary', { n: c.csat.responses, avg: num(c.csat.average) })}</desc>
        {r.map((n, i) => {
          const hgt = (n / max) * (H - 8);
          const bw = W / 5;
          return (
            <g key={i} data-testid="rep-csat-bar" data-rating={i + 1}>
              <rect x={i * bw + 8} y={H - hgt} width={bw - 16} height={hgt} fill="var(--success)" rx="2" />
              <text x={i * bw + bw / 2} y={H + 14} class="wall-tick" text-anchor="middle">
                {i + 1}
              </text>
            </g>
          );
        })}
      </svg>
      <details class="wall-data">
        <summary>{t('rep.showTable')}</summary>
        <table class="table">
          <caption class="visually-hidden">{t('rep.csatTitle')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('rep.rating')}</th>
              <th scope="col" class="num">{t('rep.answers')}</th>
            </tr>
          </thead>
          <tbody>
            {r.map((n, i) => (
              <tr key={i}>
                <th scope="row">{i + 1}</th>
                <td class="num">{n}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}

/** Drill lists the conversations behind the number last clicked. */
function Drill({ what, rows, truncated }: { what: string; rows: DrillRow[]; truncated: boolean }) {
  return (
    <section class="panel" aria-labelledby="rep-drill-title" data-testid="rep-drill" aria-live="polite">
      <div class="panel-header">
        <h2 id="rep-drill-title">{t('rep.drillTitle', { what })}</h2>
      </div>
      {rows.length === 0 ? (
        <p class="muted">{t('rep.drillNone')}</p>
      ) : (
        <table class="table">
          <caption class="visually-hidden">{t('rep.drillTitle', { what })}</caption>
          <thead>
            <tr>
              <th scope="col">{t('rep.created')}</th>
              <th scope="col">{t('rep.channel')}</th>
              <th scope="col">{t('rep.metric.first_response')}</th>
              <th scope="col">{t('rep.metric.wait')}</th>
              <th scope="col">{t('rep.open')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.conversation_id} data-testid="rep-drill-row" data-id={r.conversation_id}>
                <td>{new Date(r.created_at).toLocaleString()}</td>
                <td>{channelLabel(r.channel)}</td>
                <td class="num">{secs(r.first_response_secs)}</td>
                <td class="num">{secs(r.wait_secs)}</td>
                <td>
                  <Link href={`/desktop/c/${encodeURIComponent(r.conversation_id)}`}>{t('rep.open')}</Link>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {truncated && <p class="muted">{t('rep.drillMore', { n: rows.length })}</p>}
    </section>
  );
}
