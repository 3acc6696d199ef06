// Today's volume drawn by hand in SVG (a chart library would cost more than the
// whole wall). Each chart names itself for screen readers and has a table with
// the same numbers one click away.
import { t, tMaybe } from '../i18n';
import type { HourVolume } from '../api/supervisor';

// Series colours come from the design tokens so that both themes keep contrast;
// each known channel keeps its colour whatever else shows today.
const KNOWN: Record<string, string> = {
  webchat: 'var(--accent)',
  email: 'var(--success)',
  sms: 'var(--warning)',
  api: 'var(--muted)',
  voice: 'var(--danger)',
};
const OTHERS = ['var(--text)', 'var(--border-strong)', 'var(--focus)'];

/** colours gives each channel a stable colour. */
function colours(channels: string[]): Map<string, string> {
  let other = 0;
  return new Map(channels.map((c) => [c, KNOWN[c] ?? OTHERS[other++ % OTHERS.length]!]));
}

function channelsOf(data: HourVolume[]): string[] {
  return [...new Set(data.map((d) => d.channel))].sort();
}

function channelLabel(c: string): string {
  return tMaybe(`wall.channel.${c}`, c);
}

function Legend({ channels, colour }: { channels: string[]; colour: Map<string, string> }) {
  return (
    <ul class="wall-legend" aria-hidden="true">
      {channels.map((c) => (
        <li key={c}>
          <span class="wall-swatch" style={{ background: colour.get(c) }} />
          {channelLabel(c)}
        </li>
      ))}
    </ul>
  );
}

/** HourChart is a stacked bar per hour of today, one colour per channel. */
export function HourChart({ data, currentHour }: { data: HourVolume[]; currentHour: number }) {
  const channels = channelsOf(data);
  const colour = colours(channels);
  const byHour = Array.from({ length: 24 }, (_, h) => data.filter((d) => d.hour === h));
  const totals = byHour.map((ds) => ds.reduce((n, d) => n + d.conversations, 0));
  const max = Math.max(1, ...totals);
  const W = 480;
  const H = 160;
  const pad = 18;
  const bw = (W - 8) / 24;
  const total = totals.reduce((a, b) => a + b, 0);
  const busiest = totals.indexOf(Math.max(...totals));
  const summary = total
    ? t('wall.hourChartSummary', { total, hour: busiest, count: totals[busiest] ?? 0 })
    : t('wall.noVolume');
  return (
    <figure class="wall-chart" data-testid="wall-hour-chart">
      <svg viewBox={`0 0 ${W} ${H + pad}`} role="img" aria-labelledby="hour-chart-title hour-chart-desc">
        <title id="hour-chart-title">{t('wall.byHour')}</title>
        <desc id="hour-chart-desc">{summary}</desc>
        <line x1="0" x2={W} y1={H} y2={H} class="wall-axis" />
        {byHour.map((ds, h) => {
          let y = H;
          return (
            <g key={h}>
              {ds.map((d) => {
                const hgt = (d.conversations / max) * (H - 8);
                y -= hgt;
                return (
                  <rect key={d.channel} x={4 + h * bw + 1} y={y} width={bw - 2} height={hgt} fill={colour.get(d.channel)} rx="1.5" />
                );
              })}
              {h % 3 === 0 && (
                <text x={4 + h * bw + bw / 2} y={H + 14} class={h === currentHour ? 'wall-tick wall-tick-now' : 'wall-tick'} text-anchor="middle">
                  {h}
                </text>
              )}
            </g>
          );
        })}
      </svg>
      <Legend channels={channels} colour={colour} />
      <details class="wall-data">
        <summary>{t('wall.showTable')}</summary>
        <table class="table">
          <caption class="visually-hidden">{t('wall.byHour')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('wall.hour')}</th>
              {channels.map((c) => (
                <th key={c} scope="col" class="num">
                  {channelLabel(c)}
                </th>
              ))}
              <th scope="col" class="num">{t('wall.total')}</th>
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
                </tr>
              ) : null,
            )}
          </tbody>
        </table>
      </details>
    </figure>
  );
}

/** ChannelChart is one horizontal bar per channel with today's total. */
export function ChannelChart({ data }: { data: HourVolume[] }) {
  const channels = channelsOf(data);
  const colour = colours(channels);
  const totals = channels.map((c) => ({ c, n: data.filter((d) => d.channel === c).reduce((s, d) => s + d.conversations, 0) }));
  totals.sort((a, b) => b.n - a.n);
  const max = Math.max(1, ...totals.map((x) => x.n));
  const row = 30;
  const W = 340;
  const label = 90;
  const H = Math.max(row, totals.length * row);
  const summary = totals.length
    ? totals.map((x) => `${channelLabel(x.c)} ${x.n}`).join(', ')
    : t('wall.noVolume');
  return (
    <figure class="wall-chart" data-testid="wall-channel-chart">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby="channel-chart-title channel-chart-desc">
        <title id="channel-chart-title">{t('wall.byChannel')}</title>
        <desc id="channel-chart-desc">{summary}</desc>
        {totals.map((x, i) => {
          const w = ((W - label - 50) * x.n) / max;
          return (
            <g key={x.c}>
              <text x={label - 8} y={i * row + row / 2 + 5} class="wall-bar-label" text-anchor="end">
                {channelLabel(x.c)}
              </text>
              <rect x={label} y={i * row + 5} width={Math.max(w, 2)} height={row - 10} fill={colour.get(x.c)} rx="2" />
              <text x={label + w + 6} y={i * row + row / 2 + 5} class="wall-bar-value">
                {x.n}
              </text>
            </g>
          );
        })}
      </svg>
      <details class="wall-data">
        <summary>{t('wall.showTable')}</summary>
        <table class="table">
          <caption class="visually-hidden">{t('wall.byChannel')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('wall.channel')}</th>
              <th scope="col" class="num">{t('wall.conversations')}</th>
            </tr>
          </thead>
          <tbody>
            {totals.map((x) => (
              <tr key={x.c}>
                <th scope="row">{channelLabel(x.c)}</th>
                <td class="num">{x.n}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
