// The offer chime: two short tones made with WebAudio, so there is no asset to
// load. Muting is remembered per browser.
const MUTE_KEY = 'switchboard.offers.muted';

let ctx: AudioContext | undefined;

/** isMuted tells whether the agent turned the chime off. */
export function isMuted(): boolean {
  try {
    return localStorage.getItem(MUTE_KEY) === '1';
  } catch {
    return false;
  }
}

/** setMuted remembers the agent's choice. */
export function setMuted(muted: boolean): void {
  try {
    if (muted) localStorage.setItem(MUTE_KEY, '1');
    else localStorage.removeItem(MUTE_KEY);
  } catch {
    // Without storage the choice lasts for this page only.
  }
}

/** chime plays the offer sound unless muted; a browser that blocks audio stays silent. */
export function chime(): void {
  if (isMuted()) return;
  try {
    ctx ??= new AudioContext();
    void ctx.resume();
    const start = ctx.currentTime;
    [660, 880].forEach((freq, i) => {
      const osc = ctx!.createOscillator();
      const gain = ctx!.createGain();
      osc.type = 'sine';
      osc.frequency.value = freq;
      const t0 = start + i * 0.16;
      gain.gain.setValueAtTime(0.0001, t0);
      gain.gain.exponentialRampToValueAtTime(0.15, t0 + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, t0 + 0.14);
      osc.connect(gain).connect(ctx!.destination);
      osc.start(t0);
      osc.stop(t0 + 0.15);
    });
  } catch {
    // No audio here (no device, or a policy): the card still shows.
  }
}

/**
 * warmChime makes the audio context ahead, when the page is idle: a browser's
 * first AudioContext holds the page for hundreds of milliseconds (seen in
 * headless Chromium), and made on the first offer it held the call frames
 * behind it — the first call of a session rang late.
 */
export function warmChime(): void {
  const make = () => {
    try {
      ctx ??= new AudioContext();
    } catch {
      // no audio here: chime stays silent
    }
  };
  if (typeof requestIdleCallback === 'function') requestIdleCallback(make, { timeout: 2000 });
  else setTimeout(make, 0);
}
