// The reports page's notice, knowledge and best-hour sections (docs/reports.md):
// notice rates by type and channel, the knowledge link rate with the most reused
// articles, and a heat map of the hours customers answer in, per segment. Drawn
// as the other report charts are: SVG with a title and a description, colours
// from the theme's variables (light and dark), and the numbers as a table.
//
// Test ids: rep-section-notices, rep-fig-notice-<name> (data-prev), rep-notice-row (data-key),
// rep-section-knowledge, rep-fig-kb-link-rate, rep-kb-drill-linked, rep-kb-drill-not-linked,
// rep-kb-article (data-id), rep-section-best-hours, rep-besthour-row (data-segment, data-best),
// rep-heat-cell (data-hour, data-n).
import type { ComponentChildren } from 'preact';
import type { NoticeRow, Period, ReportQuery, SegmentHours, Table } from '../api/reports';
import { reportsApi } from '../api/reports';
import { t, tMaybe, type MessageKey } from '../i18n';

type Open = (what: string, cell: { metric: string }) => void;
type SectionProps = { id: string; title: MessageKey; csv: string; children: ComponentChildren };

const pct = (n: number | null) => (n === null ? t('common.none') : `${Math.round(n * 10) / 10} %`);
const hh = (h: number | null) => (h === null ? t('common.none') : `${String(h).padStart(2, '0')}:00`);

/** EngagementSections are the three sections; Section is the page's own section frame. */
export function EngagementSections(props: { c: Period; p: Period; q: ReportQuery; open: Open; Section: (s: SectionProps) => preact.JSX.Element }) {
  const { c, p, q, open, Section } = props;
  const csv = (table: Table) => reportsApi.csvURL(q, table);
  return (
    <>
      <Section id="notices" title="rep.notices" csv={csv('notices_by_type')}>
        <Notices c={c} p={p} csvByChannel={csv('notices_by_channel')} />
      </Section>
      <Section id="knowledge" title="rep.knowledge" csv={csv('knowledge_articles')}>
        <Knowledge c={c} p={p} open={open} />
      </Section>
      <Section id="best-hours" title="rep.bestHours" csv={csv('best_hours')}>
        <BestHours c={c} />
      </Section>
    </>
  );
}

const RATES = [
  { key: 'delivery_pct', label: 'rep.notice.deliveryPct', colour: 'var(--success)' },
  { key: 'read_pct', label: 'rep.notice.readPct', colour: 'var(--accent)' },
  { key: 'response_pct', label: 'rep.notice.responsePct', colour: 'var(--warning)' },
  { key: 'opt_out_pct', label: 'rep.notice.optOutPct', colour: 'var(--danger)' },
] as const;

function Notices({ c, p, csvByChannel }: { c: Period; p: Period; csvByChannel: string }) {
  const n = c.notices;
  if (!n) return <p class="muted">{t('rep.noticesNone')}</p>;
  const tot = n.total;
  const figs = [
    { name: 'sent', label: 'rep.notice.sent', value: (r: NoticeRow) => String(r.sent) },
    ...RATES.map((r) => ({ name: r.key.replace('_pct', ''), label: r.label, value: (x: NoticeRow) => pct(x[r.key]) })),
    { name: 'opt-outs', label: 'rep.notice.optOuts', value: (r: NoticeRow) => String(r.opt_outs) },
  ] as const;
  const rows = [...n.by_type.map((r) => ({ key: `type:${r.type}`, label: r.type ?? '', r })),
    ...n.by_channel.map((r) => ({ key: `channel:${r.channel}`, label: tMaybe(`wall.channel.${r.channel}`, r.channel ?? ''), r }))];
  const W = 480;
  const row = 18 + RATES.length * 9;
  const left = 130;
  return (
    <>
      <dl class="kbm-figures">
        {figs.map((f) => (
          <div key={f.name}>
            <dt>{t(f.label)}</dt>
            <dd>
              <strong data-testid={`rep-fig-notice-${f.name}`}>{f.value(tot)}</strong>{' '}
              <span class="muted" data-testid={`rep-prev-notice-${f.name}`}>
                {t('rep.previous', { value: p.notices ? f.value(p.notices.total) : t('common.none') })}
              </span>
            </dd>
          </div>
        ))}
      </dl>
      <figure class="wall-chart">
        <svg viewBox={`0 0 ${W} ${row * Math.max(1, n.by_type.length) + 4}`} role="img" aria-labelledby="rep-chart-notices-title rep-chart-notices-desc">
          <title id="rep-chart-notices-title">{t('rep.notices')}</title>
          <desc id="rep-chart-notices-desc">
            {t('rep.noticesSummary', { sent: tot.sent, delivered: pct(tot.delivery_pct), read: pct(tot.read_pct), responded: pct(tot.response_pct), optouts: pct(tot.opt_out_pct) })}
          </desc>
          {n.by_type.map((r, i) => (
            <g key={r.type}>
              <text x="0" y={i * row + 14} class="wall-tick">
                {r.type}
              </text>
              {RATES.map((rate, j) => (
                <rect key={rate.key} x={left} y={i * row + 4 + j * 9} height="7" rx="1.5" fill={rate.colour}
                  width={(Math.min(100, r[rate.key] ?? 0) / 100) * (W - left - 8)} />
              ))}
            </g>
          ))}
        </svg>
        <ul class="wall-legend" aria-hidden="true">
          {RATES.map((r) => (
            <li key={r.key}>
              <span class="wall-swatch" style={{ background: r.colour }} />
              {t(r.label)}
            </li>
          ))}
        </ul>
      </figure>
      <table class="table">
        <caption class="visually-hidden">{t('rep.notices')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('rep.notice.type')} / {t('rep.notice.channel')}</th>
            {(['rep.notice.sent', 'rep.notice.delivered', 'rep.notice.read', 'rep.notice.responded', 'rep.notice.failed', 'rep.notice.optOuts'] as const).map((h) => (
              <th key={h} scope="col" class="num">
                {t(h)}
              </th>
            ))}
            {RATES.map((r) => (
              <th key={r.key} scope="col" class="num">
                {t(r.label)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map(({ key, label, r }) => (
            <tr key={key} data-testid="rep-notice-row" data-key={key}>
              <th scope="row">{label}</th>
              <td class="num">{r.sent}</td>
              <td class="num">{r.delivered}</td>
              <td class="num">{r.read}</td>
              <td class="num">{r.responded}</td>
              <td class="num">{r.failed}</td>
              <td class="num">{r.opt_outs}</td>
              {RATES.map((rate) => (
                <td key={rate.key} class="num">
                  {pct(r[rate.key])}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      <p>
        <a class="button button-small" href={csvByChannel} download data-testid="rep-csv-notices_by_channel">
          {t('rep.noticesByChannel')}
        </a>
      </p>
    </>
  );
}

function Knowledge({ c, p, open }: { c: Period; p: Period; open: Open }) {
  const k = c.knowledge;
  const top = k.top_articles ?? [];
  const max = Math.max(1, ...top.map((a) => a.conversations));
  const W = 480;
  const row = 22;
  const left = 170;
  const name = (a: { title: string; article_id: string }) => a.title || a.article_id;
  return (
    <>
      <dl class="kbm-figures">
        <div>
          <dt>{t('rep.kbLinkRate')}</dt>
          <dd>
            <strong data-testid="rep-fig-kb-link-rate">{pct(k.link_rate_pct)}</strong>{' '}
            <span class="muted">{t('rep.kbLinkRateOf', { linked: k.linked, resolved: k.resolved })}</span>{' '}
            <span class="muted" data-testid="rep-prev-kb-link-rate">
              {t('rep.previous', { value: pct(p.knowledge.link_rate_pct) })}
            </span>{' '}
            <button type="button" class="button button-small" data-testid="rep-kb-drill-linked" onClick={() => open(t('rep.kbLinked'), { metric: 'kb_linked' })}>
              {t('rep.kbLinked')}
            </button>{' '}
            <button type="button" class="button button-small" data-testid="rep-kb-drill-not-linked"
              onClick={() => open(t('rep.kbNotLinked'), { metric: 'kb_not_linked' })}>
              {t('rep.kbNotLinked')}
            </button>
          </dd>
        </div>
        {k.links !== null && (
          <>
            <div>
              <dt>{t('rep.kbLinks')}</dt>
              <dd>
                <strong data-testid="rep-fig-kb-links">{k.links}</strong>
              </dd>
            </div>
            <div>
              <dt>{t('rep.kbPerArticle')}</dt>
              <dd>
                <strong data-testid="rep-fig-kb-per-article">{k.links_per_article === null ? t('common.none') : Math.round(k.links_per_article * 10) / 10}</strong>
              </dd>
            </div>
          </>
        )}
      </dl>
      {k.top_articles === null ? (
        <p class="muted">{t('rep.kbFiltered')}</p>
      ) : top.length === 0 ? (
        <p class="muted">{t('rep.kbNoLinks')}</p>
      ) : (
        <figure class="wall-chart">
          <svg viewBox={`0 0 ${W} ${row * top.length + 4}`} role="img" aria-labelledby="rep-chart-kb-title rep-chart-kb-desc">
            <title id="rep-chart-kb-title">{t('rep.kbTop')}</title>
            <desc id="rep-chart-kb-desc">{t('rep.kbTopSummary', { articles: k.articles ?? 0, links: k.links ?? 0, top: name(top[0]!) })}</desc>
            {top.map((a, i) => (
              <g key={a.article_id}>
                <text x="0" y={i * row + 15} class="wall-tick">
                  {name(a).length > 26 ? `${name(a).slice(0, 25)}…` : name(a)}
                </text>
                <rect x={left} y={i * row + 4} height="14" rx="1.5" fill="var(--accent)" width={(a.reused / max) * (W - left - 8)} />
                <rect x={left + (a.reused / max) * (W - left - 8)} y={i * row + 4} height="14" rx="1.5" fill="var(--success)"
                  width={(a.created / max) * (W - left - 8)} />
              </g>
            ))}
          </svg>
          <ul class="wall-legend" aria-hidden="true">
            <li>
              <span class="wall-swatch" style={{ background: 'var(--accent)' }} />
              {t('rep.kbReused')}
            </li>
            <li>
              <span class="wall-swatch" style={{ background: 'var(--success)' }} />
              {t('rep.kbCreated')}
            </li>
          </ul>
          <table class="table">
            <caption class="visually-hidden">{t('rep.kbTop')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('rep.kbArticle')}</th>
                <th scope="col" class="num">{t('rep.kbConversations')}</th>
                <th scope="col" class="num">{t('rep.kbReused')}</th>
                <th scope="col" class="num">{t('rep.kbCreated')}</th>
              </tr>
            </thead>
            <tbody>
              {top.map((a) => (
                <tr key={a.article_id} data-testid="rep-kb-article" data-id={a.article_id}>
                  <th scope="row">{name(a)}</th>
                  <td class="num">{a.conversations}</td>
                  <td class="num">{a.reused}</td>
                  <td class="num">{a.created}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </figure>
      )}
    </>
  );
}

/** BestHours is a heat map: a row per segment, a cell per local hour, darker for more responses; the best hour is outlined. */
function BestHours({ c }: { c: Period }) {
  const b = c.best_hours;
  if (!b) return <p class="muted">{t('rep.bestHoursFiltered')}</p>;
  if (b.all.responses === 0) return <p class="muted">{t('rep.bestHoursNone')}</p>;
  const rows: { label: string; key: string; s: SegmentHours }[] = [
    { label: t('rep.segmentAll'), key: '*', s: b.all },
    ...b.segments.map((s) => ({ label: s.segment || t('rep.segmentNone'), key: s.segment, s })),
  ];
  const left = 110;
  const cw = 15;
  const ch = 20;
  const W = left + 24 * cw + 4;
  return (
    <figure class="wall-chart">
      <p class="muted">{t('rep.bestHoursIntro')}</p>
      <svg viewBox={`0 0 ${W} ${rows.length * ch + 18}`} role="img" aria-labelledby="rep-chart-heat-title rep-chart-heat-desc">
        <title id="rep-chart-heat-title">{t('rep.bestHours')}</title>
        <desc id="rep-chart-heat-desc">
          {rows.map((r) => `${r.label}: ${t('rep.bestHour')} ${hh(r.s.best_hour)} (${r.s.responses})`).join('; ')}
        </desc>
        {rows.map((r, i) => {
          const max = Math.max(1, ...r.s.hours);
          return (
            <g key={r.key} data-testid="rep-besthour-row" data-segment={r.key} data-best={r.s.best_hour ?? ''}>
              <text x="0" y={i * ch + 14} class="wall-tick">
                {r.label.length > 16 ? `${r.label.slice(0, 15)}…` : r.label}
              </text>
              {r.s.hours.map((n, h) => (
                <rect key={h} data-testid="rep-heat-cell" data-hour={h} data-n={n} x={left + h * cw} y={i * ch + 2} width={cw - 2} height={ch - 4} rx="2"
                  fill={n ? 'var(--accent)' : 'var(--border)'} fill-opacity={n ? 0.2 + 0.8 * (n / max) : 0.5}
                  stroke={h === r.s.best_hour ? 'var(--text)' : 'none'} stroke-width="1.5">
                  <title>{`${r.label}, ${hh(h)}: ${n}`}</title>
                </rect>
              ))}
            </g>
          );
        })}
        {[0, 6, 12, 18].map((h) => (
          <text key={h} x={left + h * cw + cw / 2} y={rows.length * ch + 14} class="wall-tick" text-anchor="middle">
            {h}
          </text>
        ))}
      </svg>
      <p class="muted">{t('rep.bestHoursSummary', { n: b.all.responses, hour: hh(b.all.best_hour) })}</p>
      <details class="wall-data">
        <summary>{t('rep.showTable')}</summary>
        <table class="table">
          <caption class="visually-hidden">{t('rep.bestHours')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('rep.segment')}</th>
              <th scope="col" class="num">{t('rep.responses')}</th>
              <th scope="col">{t('rep.bestHour')}</th>
              {Array.from({ length: 24 }, (_, h) => (
                <th key={h} scope="col" class="num">
                  {h}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.key}>
                <th scope="row">{r.label}</th>
                <td class="num">{r.s.responses}</td>
                <td>{hh(r.s.best_hour)}</td>
                {r.s.hours.map((n, h) => (
                  <td key={h} class="num">
                    {n}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
