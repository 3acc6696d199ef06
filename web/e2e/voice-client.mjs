#!/usr/bin/env node
// Drives the browser's call client (web/src/voice/call.ts) in Chromium with its
// fake camera and microphone against a real WebRTC answerer: a second
// RTCPeerConnection in the page plays the center's side of docs/voice.md (it
// answers each call.offer, trickles its candidates, sends its own audio and
// video back). No center is needed, so the client's own duties are checked
// alone: G.711 offered first, trickle ICE, audio both ways, turning the camera
// on in an audio call renegotiates and video then flows both ways, mute keeps
// the track but stops the sound, a microphone switch needs no new offer, a
// lost path goes "reconnecting" with an ICE-restart offer, hang-up sends
// call.hangup and closes the connection. Exits non-zero naming the failed step.
//
//   node web/e2e/voice-client.mjs [--timeout 20000]
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { build } from 'vite';
import { chromium, CHROMIUM_ARGS, Steps } from './lib.mjs';

const { values: opts } = parseArgs({ options: { timeout: { type: 'string', default: '20000' } }, strict: true });
const timeout = Number(opts.timeout);
const steps = new Steps(timeout);

const out = mkdtempSync(join(tmpdir(), 'voice-client-'));
process.on('exit', () => rmSync(out, { recursive: true, force: true }));
await build({
  configFile: false, logLevel: 'warn', publicDir: false,
  build: { outDir: out, emptyOutDir: true, minify: false, lib: { entry: join(import.meta.dirname, '..', 'src', 'voice', 'call.ts'), formats: ['iife'], name: 'Voice', fileName: () => 'call.js' } },
});

// The page: the client (window.call) and the answering peer (window.server),
// joined by the frames of docs/voice.md, each frame logged in window.frames.
const page = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>call client</title></head><body>
<script src="/call.js"></script><script>
window.frames = [];
window.views = [];
window.start = async (media) => {
  const server = new RTCPeerConnection();
  const own = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
  let call;
  const toClient = (f) => setTimeout(() => call.handle(f), 1);
  server.onicecandidate = (e) => e.candidate && toClient({ type: 'call.candidate', call_id: 'c1', candidate: e.candidate.toJSON() });
  const send = (f) => {
    frames.push(f);
    if (window.deaf) return true;
    setTimeout(async () => {
      if (f.type === 'call.offer') {
        await server.setRemoteDescription({ type: 'offer', sdp: f.sdp });
        for (const tr of server.getTransceivers()) {
          const t = own.getTracks().find((x) => x.kind === tr.receiver.track.kind);
          if (t && !tr.sender.track) { tr.direction = 'sendrecv'; await tr.sender.replaceTrack(t); }
        }
        await server.setLocalDescription(await server.createAnswer());
        toClient({ type: 'call.answer', call_id: 'c1', sdp: server.localDescription.sdp });
      } else if (f.type === 'call.candidate') {
        await server.addIceCandidate(f.candidate);
      }
    }, 1);
    return true;
  };
  call = new Voice.Call('c1', media, { send, onChange: (v) => views.push(v.state) });
  window.call = call;
  window.server = server;
  call.handle({ type: 'call.state', call_id: 'c1', conversation_id: 'v1', state: 'queued', position: 1, initiator: 'customer', ice_servers: [] });
};
window.bytes = async () => {
  const r = { audioIn: 0, audioOut: 0, videoIn: 0, videoOut: 0, codecs: [] };
  const st = await call.pc.getStats();
  const codecs = new Map();
  st.forEach((s) => s.type === 'codec' && codecs.set(s.id, s.mimeType));
  st.forEach((s) => {
    if (s.type === 'inbound-rtp') r[s.kind + 'In'] += s.bytesReceived;
    if (s.type === 'outbound-rtp') r[s.kind + 'Out'] += s.bytesSent;
    if ((s.type === 'inbound-rtp' || s.type === 'outbound-rtp') && codecs.get(s.codecId)) r.codecs.push(codecs.get(s.codecId));
  });
  return r;
};
</script></body></html>`;

const site = createServer((req, res) => {
  if (req.url === '/call.js') res.writeHead(200, { 'Content-Type': 'text/javascript' }).end(readFileSync(join(out, 'call.js')));
  else res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(page);
});
await new Promise((ok) => site.listen(0, '127.0.0.1', ok));
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
  args: [...CHROMIUM_ARGS, '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'],
});

async function waitUntil(what, fn) {
  const end = Date.now() + timeout;
  let last;
  for (;;) {
    last = await fn();
    if (last === true) return;
    if (Date.now() > end) throw new Error(`${what}: not within ${timeout} ms (last: ${JSON.stringify(last)})`);
    await new Promise((ok) => setTimeout(ok, 100));
  }
}

/** growing waits until each named byte counter grew: media moving now. */
async function growing(p, keys) {
  const first = await p.evaluate(() => bytes());
  await waitUntil(`${keys.join(', ')} growing`, async () => {
    const now = await p.evaluate(() => bytes());
    const stalled = keys.filter((k) => !(now[k] > first[k]));
    return stalled.length ? { stalled, now } : true;
  });
  return p.evaluate(() => bytes());
}

/** videoDirections lists the direction of each video section of an SDP. */
function videoDirections(sdp) {
  return sdp.split(/^(?=m=)/m).filter((m) => m.startsWith('m=video')).map((m) => m.match(/^a=(sendrecv|sendonly|recvonly|inactive)/m)?.[1] ?? '?');
}

const offers = (p) => p.evaluate(() => frames.filter((f) => f.type === 'call.offer').map((f) => f.sdp));

try {
  const p = await browser.newPage();
  const errors = [];
  p.on('pageerror', (e) => errors.push(e.message));
  await p.goto(`http://127.0.0.1:${site.address().port}/`);

  await steps.run('an audio call offers G.711 first and trickles its candidates', async () => {
    await p.evaluate(() => start('audio'));
    await waitUntil('connected', () => p.evaluate(() => call.pc?.connectionState === 'connected' || call.pc?.connectionState));
    const [sdp] = await offers(p);
    const audio = sdp.match(/^m=audio \S+ \S+ (.*)$/m)?.[1].split(' ') ?? [];
    if (audio[0] !== '0' || audio[1] !== '8') throw new Error(`the offer's audio payload types are ${audio.join(' ')}, want 0 (PCMU) then 8 (PCMA) first`);
    // Two video sections that only receive: the other side's camera and screen may come later.
    const dirs = videoDirections(sdp);
    if (dirs.join(' ') !== 'recvonly recvonly') throw new Error(`an audio call's video sections are ${dirs.join(' ')}, want recvonly recvonly`);
    const cands = await p.evaluate(() => frames.filter((f) => f.type === 'call.candidate' && f.call_id === 'c1' && f.candidate.candidate).length);
    if (cands === 0) throw new Error('no candidate was trickled');
    const b = await growing(p, ['audioIn', 'audioOut']);
    if (b.codecs.some((c) => /^audio/.test(c) && !/PCMU|PCMA/.test(c))) throw new Error(`codecs in use ${b.codecs.join(', ')}`);
  });

  await steps.run('the camera turned on renegotiates: a new offer with video, video flows both ways', async () => {
    await p.evaluate(() => call.setCamera(true));
    await waitUntil('a second offer', async () => (await offers(p)).length >= 2 || (await offers(p)).length);
    const sdp = (await offers(p)).at(-1);
    const video = sdp.match(/^m=video \S+ \S+ (.*)$/m)?.[1].split(' ') ?? [];
    const vp8 = sdp.match(/^a=rtpmap:(\d+) VP8\/90000/m)?.[1];
    if (!vp8 || video[0] !== vp8) throw new Error(`the video offer leads with ${video[0]}, want VP8 (${vp8})`);
    if (videoDirections(sdp).join(' ') !== 'sendrecv recvonly') throw new Error(`with the camera on the video sections are ${videoDirections(sdp).join(' ')}`);
    await growing(p, ['videoIn', 'videoOut', 'audioIn']);
    if (!(await p.evaluate(() => call.view.camera && call.view.remote.some((s) => s.getVideoTracks().length > 0)))) throw new Error('no remote video in the view');
  });

  await steps.run("screen sharing sends in the screen's video section (a new offer); stopping re-offers", async () => {
    const count = (await offers(p)).length;
    await p.evaluate(() => call.share(true));
    if (!(await p.evaluate(() => call.view.sharing))) throw new Error(`not sharing: ${await p.evaluate(() => call.view.error)}`);
    await waitUntil('a share offer', async () => (await offers(p)).length > count || (await offers(p)).length);
    const sdp = (await offers(p)).at(-1);
    if (videoDirections(sdp).join(' ') !== 'sendrecv sendrecv') throw new Error(`sharing, the video sections are ${videoDirections(sdp).join(' ')}`);
    await waitUntil('the screen sent', () => p.evaluate(async () => {
      const st = await call.pc.getStats();
      let n = 0;
      st.forEach((s) => s.type === 'outbound-rtp' && s.kind === 'video' && s.bytesSent > 0 && n++);
      return n >= 2 || n;
    }));
    const shared = (await offers(p)).length;
    await p.evaluate(() => call.share(false));
    await waitUntil('a stop-share offer', async () => (await offers(p)).length > shared || (await offers(p)).length);
    if (await p.evaluate(() => call.view.sharing)) throw new Error('still sharing');
    if (videoDirections((await offers(p)).at(-1)).join(' ') !== 'sendrecv recvonly') throw new Error('the screen section still sends after the share stopped');
  });

  await steps.run('mute keeps the track but silences it; a microphone switch needs no new offer', async () => {
    const before = (await offers(p)).length;
    await p.evaluate(() => call.mute(true));
    if (await p.evaluate(() => call.view.local.getAudioTracks().some((t) => t.enabled))) throw new Error('a muted microphone is still enabled');
    const label = await p.evaluate(async () => {
      const mics = (await navigator.mediaDevices.enumerateDevices()).filter((d) => d.kind === 'audioinput' && d.deviceId !== 'default');
      await call.useDevice('audioinput', mics.at(-1).deviceId);
      return mics.at(-1).label;
    });
    const sent = await p.evaluate(() => ({ label: call.pc.getSenders().find((s) => s.track?.kind === 'audio')?.track.label, enabled: call.pc.getSenders().find((s) => s.track?.kind === 'audio')?.track.enabled }));
    if (sent.label !== label) throw new Error(`the sender sends ${sent.label}, want ${label}`);
    if (sent.enabled) throw new Error('the new microphone is not muted');
    if ((await offers(p)).length !== before) throw new Error('a microphone switch sent a new offer');
    await p.evaluate(() => call.mute(false));
  });

  await steps.run('a lost media path: "reconnecting" and an ICE-restart offer (new ufrag)', async () => {
    const ufrag = (sdp) => sdp.match(/^a=ice-ufrag:(\S+)/m)?.[1];
    const before = ufrag((await offers(p)).at(-1));
    const count = (await offers(p)).length;
    await p.evaluate(() => { window.deaf = true; server.close(); });
    await waitUntil('reconnecting', () => p.evaluate(() => call.view.state === 'reconnecting' || call.view.state));
    await waitUntil('an ICE-restart offer', async () => (await offers(p)).length > count || (await offers(p)).length);
    const after = ufrag((await offers(p)).at(-1));
    if (!after || after === before) throw new Error(`the restart offer keeps ufrag ${after}`);
  });

  await steps.run('hang-up sends call.hangup, ends the call and closes the connection', async () => {
    await p.evaluate(() => call.hangup());
    const last = await p.evaluate(() => frames.at(-1));
    if (last.type !== 'call.hangup' || last.call_id !== 'c1') throw new Error(`the last frame is ${JSON.stringify(last)}`);
    const end = await p.evaluate(() => ({ state: call.view.state, pc: call.pc.connectionState, live: call.view.local.getTracks().filter((t) => t.readyState === 'live').length }));
    if (end.state !== 'ended' || end.pc !== 'closed' || end.live) throw new Error(`after hang-up: ${JSON.stringify(end)}`);
    const seen = await p.evaluate(() => [...new Set(views)].join(','));
    if (seen !== 'queued,reconnecting,ended') throw new Error(`the states went ${seen}`);
  });
  if (errors.length) throw new Error(`page errors: ${errors.join('; ')}`);
  console.log('voice-client: offer, trickle, renegotiation, mute, devices, ICE restart and hang-up held');
} catch (err) {
  console.error(`voice-client: step "${steps.current}" failed: ${err.stack ?? err}`);
  process.exitCode = 1;
} finally {
  await browser.close();
  site.close();
}
