// The video (or audio) message recorder of the chat widget: the camera's
// preview, a running time, "Send" and "Cancel". It is its own script,
// dist/widget/recorder.js (vite.recorder.config.ts), which the widget loads
// only when the visitor asks to record, so the widget's own bundle stays
// within its budget. Loaded, it is window.SwitchboardRecorder.
import { t } from './i18n';
import { h } from './view';

/** MAX_SECONDS bounds a message: a minute at the bit rates below is about 4 MB. */
export const MAX_SECONDS = 60;

/** mimeFor picks what MediaRecorder writes: WebM, the format the center accepts. */
export function mimeFor(video: boolean): string {
  const want = video ? ['video/webm;codecs=vp8,opus', 'video/webm'] : ['audio/webm;codecs=opus', 'audio/webm'];
  return want.find((m) => MediaRecorder.isTypeSupported(m)) ?? '';
}

/**
 * open shows the recorder and starts recording at once; done gets the
 * message as a file ("video-message.webm") on Send, or null on Cancel or
 * when the camera or microphone is refused (problem says why).
 */
export function open(video: boolean, done: (file: File | null, problem?: string) => void): HTMLElement {
  const preview = h('video', { autoplay: true, playsinline: true, muted: true, class: 'self', 'data-testid': 'recorder-preview' });
  preview.muted = true;
  const time = h('span', { class: 'line', role: 'status', 'data-testid': 'recorder-time' }, t('recStarting'));
  const send = h('button', { type: 'button', class: 'cb ok', 'data-testid': 'recorder-send', disabled: true }, t('recSend'));
  const cancel = h('button', { type: 'button', class: 'cb', 'data-testid': 'recorder-cancel' }, t('recCancel'));
  const el = h('div', { class: 'call recorder', 'data-testid': 'recorder' }, time, ...(video ? [h('div', { class: 'tiles' }, preview)] : []), send, cancel);
  let stream: MediaStream | undefined;
  let rec: MediaRecorder | undefined;
  let timer: ReturnType<typeof setInterval> | undefined;
  let finished = false;
  const chunks: Blob[] = [];
  const finish = (file: File | null, problem?: string) => {
    if (finished) return;
    finished = true;
    clearInterval(timer);
    stream?.getTracks().forEach((tr) => tr.stop());
    el.remove();
    done(file, problem);
  };
  cancel.onclick = () => {
    if (rec && rec.state !== 'inactive') rec.onstop = null, rec.stop();
    finish(null);
  };
  send.onclick = () => rec?.state === 'recording' && rec.stop();
  void navigator.mediaDevices.getUserMedia({ audio: true, video }).then((s) => {
    stream = s;
    if (finished) return s.getTracks().forEach((tr) => tr.stop());
    preview.srcObject = s;
    const type = mimeFor(video);
    rec = new MediaRecorder(s, { ...(type ? { mimeType: type } : {}), videoBitsPerSecond: 400_000, audioBitsPerSecond: 48_000 });
    rec.ondataavailable = (e) => e.data.size && chunks.push(e.data);
    rec.onstop = () => {
      const kind = video ? 'video/webm' : 'audio/webm';
      finish(new File(chunks, video ? 'video-message.webm' : 'audio-message.webm', { type: kind }));
    };
    const started = Date.now();
    rec.start(250);
    send.disabled = false;
    const tick = () => {
      const s = Math.floor((Date.now() - started) / 1000);
      time.textContent = t('recRunning', { time: `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}` });
      if (s >= MAX_SECONDS) send.click();
    };
    tick();
    timer = setInterval(tick, 500);
  }, (err: Error) => finish(null, t('recRefused', { why: err.name })));
  return el;
}
