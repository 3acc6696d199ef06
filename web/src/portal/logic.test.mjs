// Tests of the portal's pure rules (logic.ts) under node:test. Vite bundles
// logic.ts for Node first, as widget/test.mjs does for the widget.
//   node src/portal/logic.test.mjs
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { build } from 'vite';

// Local times below are read in a fixed zone so that the test means the same everywhere.
process.env.TZ = 'Europe/Lisbon';

const out = mkdtempSync(join(tmpdir(), 'portal-test-'));
process.on('exit', () => rmSync(out, { recursive: true, force: true }));
await build({
  configFile: false,
  logLevel: 'warn',
  publicDir: false,
  build: {
    outDir: out,
    ssr: true,
    target: 'node20',
    minify: false,
    rollupOptions: { input: join(import.meta.dirname, 'logic.ts'), output: { format: 'es', entryFileNames: 'logic.mjs' } },
  },
});
const L = await import(pathToFileURL(join(out, 'logic.mjs')).href);

test('parseRoute reads every portal address', () => {
  const cases = [
    ['/portal', '', { page: 'home' }],
    ['/portal/', '', { page: 'home' }],
    ['/portal/login', '', { page: 'login', token: '' }],
    ['/portal/login', '#token=abc.def', { page: 'login', token: 'abc.def' }],
    ['/portal/p/tok1', '', { page: 'prefs-link', token: 'tok1' }],
    ['/portal/n/tok2', '', { page: 'notice-link', token: 'tok2' }],
    ['/portal/b/t_1', '', { page: 'business', tenant: 't_1', tab: 'preferences' }],
    ['/portal/b/t_1/notices', '', { page: 'business', tenant: 't_1', tab: 'notices', notice: undefined }],
    ['/portal/b/t_1/notices/d%2F9', '', { page: 'business', tenant: 't_1', tab: 'notices', notice: 'd/9' }],
    ['/portal/b/t_1/contact', '', { page: 'business', tenant: 't_1', tab: 'contact' }],
    ['/portal/b/t_1/other', '', { page: 'not-found' }],
    ['/portal/p', '', { page: 'not-found' }],
    ['/portal/n/a/b', '', { page: 'not-found' }],
    ['/desktop', '', { page: 'not-found' }],
  ];
  for (const [path, hash, want] of cases) assert.deepEqual(L.parseRoute(path, hash), want, path + hash);
});

test('businessPath and parseRoute agree', () => {
  for (const [tab, notice] of [['preferences'], ['notices'], ['notices', 'd 1'], ['contact']]) {
    const r = L.parseRoute(L.businessPath('t/x', tab, notice));
    assert.equal(r.page, 'business');
    assert.equal(r.tenant, 't/x');
    assert.equal(r.tab, tab);
    if (notice) assert.equal(r.notice, notice);
  }
});

const view = (o = {}) => ({
  persona_id: 'p1',
  own: {},
  defaults: {},
  effective: {},
  consent: {},
  available: ['email', 'sms'],
  types: [
    { key: 'card.blocked', name: 'Card blocked', category: 'critical', channels: ['sms', 'email'], reply_expected: false },
    { key: 'statement.ready', name: 'Statement', category: 'transactional', channels: ['email', 'webpush'], reply_expected: false },
    { key: 'offers', name: 'Offers', category: 'marketing', channels: ['email'], reply_expected: false },
  ],
  ...o,
});
const [critical, statement, offers] = view().types;

test('typeOn follows prefs.Decide: customer type, customer category, business type, business category', () => {
  const cases = [
    ['nothing said: transactional on', view(), statement, true],
    ['nothing said: marketing off', view(), offers, false],
    ['marketing consented', view({ consent: { 'category:marketing': true } }), offers, true],
    ['customer turned the type off', view({ own: { types: { 'statement.ready': { enabled: false } } } }), statement, false],
    ['customer category beats business type', view({
      own: { categories: { transactional: { enabled: false } } },
      defaults: { types: { 'statement.ready': { enabled: true } } },
    }), statement, false],
    ['customer type beats customer category', view({
      own: { types: { offers: { enabled: true } }, categories: { marketing: { enabled: false } } },
    }), offers, true],
    ['business type default', view({ defaults: { types: { 'statement.ready': { enabled: false } } } }), statement, false],
    ['business category default', view({ defaults: { categories: { marketing: { enabled: true } } } }), offers, true],
    ['critical cannot be off', view({ own: { types: { 'card.blocked': { enabled: false } } } }), critical, true],
  ];
  for (const [name, v, type, want] of cases) assert.equal(L.typeOn(v, type), want, name);
});

test('categoryOn and channelOn', () => {
  assert.equal(L.categoryOn(view(), 'critical'), true);
  assert.equal(L.categoryOn(view(), 'transactional'), true);
  assert.equal(L.categoryOn(view(), 'marketing'), false);
  assert.equal(L.categoryOn(view({ own: { categories: { marketing: { enabled: true } } } }), 'marketing'), true);
  assert.equal(L.channelOn(view(), 'sms'), true);
  assert.equal(L.channelOn(view({ own: { channels: { sms: false } } }), 'sms'), false);
  assert.equal(L.channelOn(view({ defaults: { channels: { sms: false } } }), 'sms'), false);
  assert.equal(L.channelOn(view({ own: { channels: { sms: true } }, defaults: { channels: { sms: false } } }), 'sms'), true);
  assert.equal(L.channelOn(view({ consent: { 'channel:sms': false } }), 'sms'), false, 'a STOP keeps SMS off');
});

test('channels: the types’ channels, then reachable ones; web is not a channel to notify on', () => {
  assert.deepEqual(L.channelsOf(view()), ['sms', 'email', 'webpush']);
  assert.deepEqual(L.channelsOf(view({ types: [], available: ['webpush', 'web', 'email'] })), ['email', 'webpush']);
  assert.deepEqual(L.orderedChannels(['sms', 'email', 'webpush'], ['webpush', 'voice']), ['webpush', 'sms', 'email']);
  assert.deepEqual(L.orderedChannels(['sms', 'email'], undefined), ['sms', 'email']);
});

test('move', () => {
  assert.deepEqual(L.move(['a', 'b', 'c'], 1, -1), ['b', 'a', 'c']);
  assert.deepEqual(L.move(['a', 'b', 'c'], 1, 1), ['a', 'c', 'b']);
  assert.deepEqual(L.move(['a', 'b', 'c'], 0, -1), ['a', 'b', 'c']);
  assert.deepEqual(L.move(['a', 'b', 'c'], 2, 1), ['a', 'b', 'c']);
  const list = ['a', 'b'];
  L.move(list, 0, 1);
  assert.deepEqual(list, ['a', 'b'], 'the input is not changed');
});

test('with* change only what they name', () => {
  const own = { types: { x: { channels: ['sms'] } }, order: ['email'] };
  assert.deepEqual(L.withType(own, 'x', false), { types: { x: { channels: ['sms'], enabled: false } }, order: ['email'] });
  assert.deepEqual(L.withChannel({}, 'sms', false), { channels: { sms: false } });
  assert.deepEqual(L.withCategory({}, 'marketing', true), { categories: { marketing: { enabled: true } } });
  assert.deepEqual(own, { types: { x: { channels: ['sms'] } }, order: ['email'] }, 'own is not changed');
});

test('momentary presets, in local time (Lisbon, across the clocks going back)', () => {
  const now = new Date('2026-10-25T00:30:00+01:00'); // Lisbon summer time; clocks go back at 02:00
  const driving = L.preset('driving', now);
  assert.deepEqual(driving.allow_channels, [], 'no voice channel: driving holds everything (critical excepted)');
  assert.deepEqual(L.preset('driving', now, '', ['email', 'voice']).allow_channels, ['voice'], 'calls where the business can call');
  assert.equal(Date.parse(driving.until) - now.getTime(), 3600_000);
  const dnd = L.preset('dnd', now);
  assert.deepEqual(dnd.allow_channels, []);
  assert.equal(dnd.until, '2026-10-26T00:00:00.000Z', 'midnight in Lisbon winter time');
  const meeting = L.preset('meeting', new Date('2026-11-26T14:10:00Z'), '15:00');
  assert.equal(meeting.until, '2026-11-26T15:00:00.000Z');
  assert.equal(L.preset('meeting', new Date('2026-11-26T16:10:00Z'), '15:00').until, '2026-11-27T15:00:00.000Z', 'a passed time is tomorrow');
  assert.equal(L.defaultMeetingEnd(new Date('2026-11-26T23:10:00Z')), '01:00');
  assert.equal(L.momentaryActive({ state: 'x', until: '2026-11-26T15:00:00Z' }, new Date('2026-11-26T14:59:59Z')), true);
  assert.equal(L.momentaryActive({ state: 'x', until: '2026-11-26T15:00:00Z' }, new Date('2026-11-26T15:00:00Z')), false);
  assert.equal(L.momentaryActive(undefined, now), false);
  assert.equal(L.localInputValue(new Date('2026-07-01T08:05:00Z')), '2026-07-01T09:05');
});

test('validTime, codes and identifiers', () => {
  for (const s of ['00:00', '07:30', '23:59']) assert.ok(L.validTime(s), s);
  for (const s of ['24:00', '7:30', '12:60', '', '12:00:00']) assert.ok(!L.validTime(s), s);
  assert.equal(L.cleanCode(' 123 456 '), '123456');
  assert.equal(L.cleanCode('1234567'), '123456');
  assert.ok(L.CODE.test('012345'));
  assert.ok(!L.CODE.test('12345'));
  for (const s of ['zoe@example.com', '+351 912 345 678', '(415) 555-0123']) assert.ok(L.looksLikeIdentifier(s), s);
  for (const s of ['zoe', 'zoe@', '12', '']) assert.ok(!L.looksLikeIdentifier(s), s);
});

test('vapidKey decodes base64url without padding', () => {
  assert.deepEqual([...L.vapidKey('AQID_-8')], [1, 2, 3, 255, 239]);
  assert.equal(L.vapidKey('BEl62iUYgUivxIkv69yViEuiBIa-Ib9-SkvMeAtA3LFgDzkrxZJjSgSnfckjBJuBkr3qBUYIHBQFLXYp5Nksh8U').length, 65);
});

test('linkParts links web addresses and nothing else', () => {
  assert.deepEqual(L.linkParts('Read it: https://x.example/n/a.b-c_d. Thanks'), [
    { text: 'Read it: ' },
    { text: 'https://x.example/n/a.b-c_d', url: 'https://x.example/n/a.b-c_d' },
    { text: '. Thanks' },
  ]);
  assert.deepEqual(L.linkParts('(http://x.example/p?q=1)'), [
    { text: '(' },
    { text: 'http://x.example/p?q=1', url: 'http://x.example/p?q=1' },
    { text: ')' },
  ]);
  assert.deepEqual(L.linkParts('javascript:alert(1) and ftp://x'), [{ text: 'javascript:alert(1) and ftp://x' }]);
  assert.deepEqual(L.linkParts(''), []);
});
