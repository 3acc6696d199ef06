// The wall's live calls: a supervisor listens to one, whispers to its agent
// or barges in (docs/wall.md, ADR 0045). Her browser joins the call with a
// leg of its own (web/src/voice/monitor.ts); switching mode keeps the leg.
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { request } from '../api';
import { t, tMaybe } from '../i18n';
import type { RealtimeClient } from '../realtime';
import { Monitor, type MonitorMode } from '../voice/monitor';
import { formatSeconds, secondsSince } from './live';

interface LiveCall {
  id: string;
  conversation_id: string;
  media: string;
  state: string;
  agent_name: string;
  created_at: string;
  monitor: '' | MonitorMode;
}

const MODES: MonitorMode[] = ['listen', 'whisper', 'barge'];
const REFRESH_MS = 5_000;

/** WallCalls lists the tenant's live calls with the monitoring controls. */
export function WallCalls({ realtime, now }: { realtime: RealtimeClient; now: number }) {
  const [calls, setCalls] = useState<LiveCall[]>([]);
  const [error, setError] = useState('');
  const [, redraw] = useState(0);
  const mon = useRef<Monitor | null>(null);

  const load = useCallback(async () => {
    try {
      const r = await request<{ items: LiveCall[] }>('GET', '/api/v1/calls');
      setCalls(r.items);
    } catch (err) {
      setError(String((err as Error).message ?? err));
    }
  }, []);

  useEffect(() => {
    void load();
    const every = setInterval(() => void load(), REFRESH_MS);
    const off = realtime.subscribe((ev) => {
      if (ev.type.startsWith('routing.') || ev.type === 'conversation.updated') void load();
    });
    return () => {
      clearInterval(every);
      off();
      void mon.current?.leave();
    };
  }, [realtime, load]);

  const act = async (call: LiveCall, mode: MonitorMode | 'leave') => {
    setError('');
    try {
      const m = mon.current;
      if (mode === 'leave') {
        await m?.leave();
        mon.current = null;
      } else if (m && !m.ended && m.callID === call.id) {
        await m.switch(mode);
      } else {
        if (m && !m.ended) await m.leave();
        const next = new Monitor(call.id, mode, realtime, () => redraw((n) => n + 1));
        mon.current = next;
        await next.start();
      }
    } catch (err) {
      setError(String((err as Error).message ?? err));
    }
    void load();
  };

  const m = mon.current && !mon.current.ended ? mon.current : null;
  return (
    <section aria-labelledby="wall-calls-title" class="wall-section panel" data-testid="wall-calls">
      <h2 id="wall-calls-title">{t('wall.calls')}</h2>
      <p class="muted small">{t('wall.callsHelp')}</p>
      {error && (
        <p class="error" role="alert" data-testid="wall-calls-error">
          {error}
        </p>
      )}
      {calls.length === 0 ? (
        <p class="muted">{t('wall.noCalls')}</p>
      ) : (
        <div class="table-wrap">
          <table class="table">
            <thead>
              <tr>
                <th scope="col">{t('wall.agent')}</th>
                <th scope="col">{t('wall.callWith')}</th>
                <th scope="col">{t('wall.callState')}</th>
                <th scope="col" class="num">{t('wall.callTime')}</th>
                <th scope="col">{t('wall.monitor')}</th>
              </tr>
            </thead>
            <tbody>
              {calls.map((c) => {
                const mine = m?.callID === c.id ? m : null;
                const since = secondsSince(c.created_at, now);
                return (
                  <tr key={c.id} data-testid="wall-call" data-call={c.id}>
                    <td class="cell-main">{c.agent_name || t('wall.unassigned')}</td>
                    <td>{tMaybe(`wall.modality.${c.media === 'video' ? 'video' : 'voice'}`, c.media)}</td>
                    <td data-testid="wall-call-state">{c.state}</td>
                    <td class="num">{since === undefined ? t('common.none') : formatSeconds(since)}</td>
                    <td>
                      <div class="button-row">
                        {MODES.map((mode) => (
                          <button
                            type="button"
                            key={mode}
                            class={`button ${mine?.mode === mode ? 'button-primary' : 'button-quiet'}`}
                            aria-pressed={mine?.mode === mode}
                            disabled={!c.agent_name}
                            data-testid={`wall-call-${mode}`}
                            onClick={() => void act(c, mode)}
                          >
                            {t(`wall.monitor.${mode}`)}
                          </button>
                        ))}
                        {mine && (
                          <button type="button" class="button button-quiet" data-testid="wall-call-leave" onClick={() => void act(c, 'leave')}>
                            {t('wall.monitor.leave')}
                          </button>
                        )}
                      </div>
                      {mine && (
                        <span class="muted small" data-testid="wall-call-monitoring">
                          {t('wall.monitoring', { mode: t(`wall.monitor.${mine.mode}`) })}
                        </span>
                      )}
                      {mine?.remote && <MonitorAudio stream={mine.remote} />}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

/** MonitorAudio plays what the supervisor hears. */
function MonitorAudio({ stream }: { stream: MediaStream }) {
  const ref = useRef<HTMLAudioElement>(null);
  useEffect(() => {
    if (ref.current && ref.current.srcObject !== stream) ref.current.srcObject = stream;
  }, [stream]);
  return <audio ref={ref} autoPlay data-testid="wall-call-audio" />;
}
