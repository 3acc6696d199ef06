// Tests of the widget's pure logic, run by test.mjs under node:test.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { backoffDelay, baseFromScript, deflectable, pageContext, socketURL, uploadProblem, type Message } from './protocol';
import { Timeline } from './timeline';

test('backoff doubles from half a second, is capped, and is jittered downwards', () => {
  assert.equal(backoffDelay(0, () => 0.999999), 500);
  assert.equal(backoffDelay(0, () => 0), 250);
  assert.equal(backoffDelay(3, () => 0.999999), 4000);
  assert.equal(backoffDelay(30, () => 0.999999), 30000);
  assert.equal(backoffDelay(30, () => 0), 15000);
});

test('the center is found from the script src, at the root or under a path', () => {
  assert.equal(baseFromScript('https://center.example/widget/widget.js'), 'https://center.example');
  assert.equal(baseFromScript('https://ex.com/support/widget/widget.js?v=2'), 'https://ex.com/support');
  assert.equal(baseFromScript('http://127.0.0.1:8080/widget/widget.js'), 'http://127.0.0.1:8080');
});

test('the socket URL switches scheme, escapes the token and resumes after a message', () => {
  assert.equal(socketURL('https://c.example', 'wk_1', 'a+b/c', undefined), 'wss://c.example/channels/webchat/wk_1/socket?token=a%2Bb%2Fc');
  assert.equal(socketURL('http://c.example', 'wk_1', 't', 'm9'), 'ws://c.example/channels/webchat/wk_1/socket?token=t&after=m9');
});

test('page context takes the search from q, s or search', () => {
  for (const [href, want] of [
    ['https://shop.example/find?q=red+shoes', 'red shoes'],
    ['https://blog.example/?s=refund', 'refund'],
    ['https://x.example/?search=a%26b', 'a&b'],
    ['https://x.example/pricing', ''],
  ] as const) {
    const c = pageContext(href, 'T', 'https://ref.example/');
    assert.deepEqual(c, { url: href, title: 'T', search: want, referrer: 'https://ref.example/' });
  }
});

test('page context carries the help session only when there is one', () => {
  assert.equal(pageContext('https://x.example/', 'T', '', 'abc').help_session, 'abc');
  assert.equal('help_session' in pageContext('https://x.example/', 'T', ''), false);
});

test('articles are searched for a draft of a few letters, and only before a chat starts', () => {
  assert.equal(deflectable('pas', false), false);
  assert.equal(deflectable(' password ', false), true);
  assert.equal(deflectable('password', true), false);
});

test('uploads are checked for size and type before they are sent', () => {
  const accept = ['image/*', 'application/pdf', '.log'];
  const cases: [string, string, number, ReturnType<typeof uploadProblem>][] = [
    ['a.png', 'image/png', 10, undefined],
    ['a.pdf', 'application/pdf', 10, undefined],
    ['a.pdf', 'application/pdf', 101, 'size'],
    ['server.LOG', '', 10, undefined],
    ['a.exe', 'application/x-msdownload', 10, 'type'],
    ['a.txt', 'text/plain', 10, 'type'],
  ];
  for (const [name, type, size, want] of cases) assert.equal(uploadProblem({ name, type, size }, accept, 100), want, name);
  assert.equal(uploadProblem({ name: 'x', type: 'a/b', size: 1 }, ['*'], 0), undefined);
});

function msg(id: string, at: string, direction: 'in' | 'out' = 'in', status = 'received'): Message {
  return { id, conversation_id: 'c1', direction, author_type: direction === 'in' ? 'persona' : 'user', body: id, status, created_at: at };
}

test('the timeline keeps each message once, in time order', () => {
  const tl = new Timeline();
  assert.equal(tl.add(msg('b', '2026-01-01T10:00:00.12Z'), msg('c', '2026-01-01T10:00:01Z')), true);
  // .1 s is before .12 s although "…00.1Z" sorts after "…00.12Z" as text.
  tl.add(msg('a', '2026-01-01T10:00:00.1Z'));
  assert.equal(tl.add(msg('b', '2026-01-01T10:00:00.12Z')), false);
  assert.deepEqual(tl.messages.map((m) => m.id), ['a', 'b', 'c']);
  assert.equal(tl.firstID(), 'a');
  assert.equal(tl.lastID(), 'c');
  assert.equal(tl.add(msg('b', '2026-01-01T10:00:00.12Z', 'in', 'read')), true, 'a status change counts');
});

test('an ack replaces the pending message; reads cover messages up to the one named', () => {
  const tl = new Timeline();
  tl.pending.push({ client_id: 'k1', body: 'hi' }, { client_id: 'k2', body: 'there' });
  tl.ack('k1', msg('m1', '2026-01-01T10:00:00Z'));
  tl.ack('k1', msg('m1', '2026-01-01T10:00:00Z')); // a second ack for a resent message
  assert.deepEqual(tl.pending.map((p) => p.client_id), ['k2']);
  assert.equal(tl.messages.length, 1);
  tl.fail('k2', 'too long');
  assert.equal(tl.pending[0]!.failed, 'too long');
  tl.add(msg('m2', '2026-01-01T10:00:05Z', 'out'), msg('m3', '2026-01-01T10:00:09Z'));
  assert.equal(tl.lastFromBusiness()?.id, 'm2');
  tl.readUpTo = 'm1';
  assert.deepEqual(tl.messages.filter((m) => tl.isRead(m)).map((m) => m.id), ['m1']);
  tl.readUpTo = 'm3';
  assert.equal(tl.isRead(tl.messages[2]!), true);
});
