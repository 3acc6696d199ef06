// Shared helpers of the desktop's browser scripts (desktop.mjs, desktop-perf.mjs):
// named steps with deadlines, a Chromium launched from the system (never
// downloaded), browser contexts signed in as one of the demo's people, the
// center's REST API, axe-core, and the business's plain page that embeds the
// widget on another origin.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';

let playwright;
try {
  playwright = await import('playwright-core');
} catch {
  console.error('playwright-core is missing; run `npm ci` in web/ first');
  process.exit(2);
}
export const { chromium, request } = playwright;

/** CHROMIUM_ARGS are the flags every script launches Chromium with. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** launch starts the installed Chromium (CHROMIUM_PATH, default /usr/bin/chromium). */
export function launch(headed = false) {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    headless: !headed,
    args: CHROMIUM_ARGS,
  });
}

/**
 * Steps prints each named part of a journey with the time since the start and
 * gives it a deadline; `current` names the step that was running when a
 * script fails.
 */
export class Steps {
  constructor(timeout) {
    this.timeout = timeout;
    this.started = Date.now();
    this.current = 'start';
  }

  elapsed() {
    return `${((Date.now() - this.started) / 1000).toFixed(1)}s`;
  }

  log(line) {
    console.log(`[${this.elapsed()}] ${line}`);
  }

  async run(name, fn, budget = this.timeout * 2) {
    this.current = name;
    this.log(`▶ ${name}`);
    let timer;
    const deadline = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${budget} ms`)), budget);
    });
    try {
      const result = await Promise.race([fn(), deadline]);
      this.log(`✓ ${name}`);
      return result;
    } finally {
      clearTimeout(timer);
    }
  }
}

/**
 * Watcher collects what went wrong in the pages it watches: console errors,
 * uncaught exceptions, 4xx and 5xx answers.
 */
export class Watcher {
  constructor() {
    this.consoleErrors = [];
    this.serverErrors = [];
    /** cspViolations are what the pages' Content-Security-Policy refused: any fails a test. */
    this.cspViolations = [];
  }

  watch(p, who) {
    // Chromium reports a refusal on the console; the page's
    // securitypolicyviolation event is forwarded there too, so neither is missed.
    p.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) => {
        console.error(`securitypolicyviolation: ${e.effectiveDirective} refused ${e.blockedURI || 'inline'} in ${e.documentURI}`);
      });
    });
    p.on('console', (msg) => {
      if (msg.type() === 'error') this.consoleErrors.push(`${who}: ${msg.text()}`);
      if (/securitypolicyviolation|Content Security Policy/i.test(msg.text())) this.cspViolations.push(`${who}: ${msg.text()}`);
    });
    p.on('pageerror', (err) => this.consoleErrors.push(`${who}: page error: ${err.message}`));
    p.on('response', (res) => {
      const line = `${who}: ${res.status()} ${res.request().method()} ${res.url()}`;
      if (res.status() >= 500) this.serverErrors.push(line);
      else if (res.status() >= 400) this.consoleErrors.push(line);
    });
    return p;
  }
}

/** noCSPViolations throws if a watched page's Content-Security-Policy refused anything. */
export function noCSPViolations(watcher) {
  if (watcher.cspViolations.length) {
    throw new Error(`Content-Security-Policy violations:\n  ${watcher.cspViolations.join('\n  ')}`);
  }
}

/** csp parses a Content-Security-Policy header into its directives' sources. */
export function csp(header) {
  const out = {};
  for (const d of (header ?? '').split(';')) {
    const [name, ...sources] = d.trim().split(/\s+/);
    if (name) out[name] = sources;
  }
  return out;
}

/**
 * securityHeaders checks a response (Playwright's page or API response) has
 * the headers every surface must: not framable, never sniffed, no inline or
 * foreign script, an opener, referrer and permissions policy. camera says
 * whether the surface may use the camera and microphone (the app, for calls).
 * It returns the parsed policy.
 */
export function securityHeaders(res, what, { camera = false } = {}) {
  const h = res.headers();
  const policy = csp(h['content-security-policy']);
  const problems = [];
  if (policy['frame-ancestors']?.join(' ') !== "'none'") problems.push(`frame-ancestors ${policy['frame-ancestors']}`);
  const scripts = policy['script-src'] ?? policy['default-src'];
  if (!scripts && !('sandbox' in policy)) problems.push('no script-src');
  for (const s of scripts ?? []) if (s !== "'self'" && s !== "'none'") problems.push(`script-src allows ${s}`);
  if (h['x-content-type-options'] !== 'nosniff') problems.push(`X-Content-Type-Options ${h['x-content-type-options']}`);
  if (h['x-frame-options'] !== 'DENY') problems.push(`X-Frame-Options ${h['x-frame-options']}`);
  if (h['cross-origin-opener-policy'] !== 'same-origin') problems.push(`Cross-Origin-Opener-Policy ${h['cross-origin-opener-policy']}`);
  if (!h['referrer-policy']) problems.push('no Referrer-Policy');
  const pp = h['permissions-policy'] ?? '';
  if (pp.includes('camera=(self)') !== camera || !pp.includes('geolocation=()')) problems.push(`Permissions-Policy ${pp}`);
  if (problems.length) throw new Error(`${what}: ${problems.join('; ')} (CSP ${h['content-security-policy']})`);
  return policy;
}

/**
 * notFramable opens a page of another origin that frames url, as a
 * clickjacking page would, and throws unless the browser refused to show
 * the center in the frame.
 */
export async function notFramable(browser, url, timeout) {
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Win a prize</title></head>
<body><h1>Click the button</h1><iframe id="victim" title="victim" src="${url.replace(/"/g, '&quot;')}" width="800" height="600"
onload="document.body.dataset.loaded = 'yes'"></iframe></body></html>`;
  const site = createServer((req, res) => res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(html));
  await new Promise((ok) => site.listen(0, '127.0.0.1', ok));
  const ctx = await browser.newContext();
  try {
    const p = await ctx.newPage();
    const refused = p.waitForEvent('console', { predicate: (m) => /frame-ancestors|X-Frame-Options/.test(m.text()), timeout }).catch(() => null);
    await p.goto(`http://127.0.0.1:${site.address().port}/`); // another port: another origin
    await p.waitForFunction(() => document.body.dataset.loaded === 'yes', undefined, { timeout });
    const frame = p.frames().find((f) => f !== p.mainFrame());
    const shown = frame && frame.url().startsWith(new URL(url).origin)
      && await frame.evaluate(() => document.body?.childElementCount > 0).catch(() => false);
    if (shown) throw new Error(`another origin framed ${url} and it loaded`);
    if (!(await refused)) throw new Error(`framing ${url} was not refused by frame-ancestors or X-Frame-Options`);
  } finally {
    await ctx.close();
    site.close();
  }
}

/**
 * api calls the center's REST API with a Playwright request context (a browser
 * context's `request` shares its cookies) and returns the JSON answer, failing
 * with the problem's text unless the status is `want`.
 */
export async function api(req, base, method, path, body, want) {
  const headers = method === 'GET' ? {} : { 'Idempotency-Key': randomUUID() };
  const res = await req.fetch(`${base}${path}`, { method, data: body, headers });
  if (want !== undefined && res.status() !== want) {
    throw new Error(`${method} ${path} answered ${res.status()}, want ${want}: ${await res.text()}`);
  }
  if (res.status() === 204) return undefined;
  const text = await res.text();
  return text ? JSON.parse(text) : undefined;
}

/**
 * signedIn opens a browser context signed in as email (the session cookie is
 * set by the login API, as the login page would) with one page.
 */
export async function signedIn(browser, o) {
  const ctx = await browser.newContext({
    viewport: o.viewport ?? { width: 1280, height: 800 },
    locale: 'en-US',
    colorScheme: o.colorScheme ?? 'light',
  });
  ctx.setDefaultTimeout(o.timeout);
  await api(ctx.request, o.base, 'POST', '/api/v1/auth/login', { tenant: o.tenant, email: o.email, password: o.password }, 200);
  const page = await ctx.newPage();
  return { ctx, page };
}

const axePath = join(import.meta.dirname, '..', 'node_modules', 'axe-core', 'axe.min.js');

/**
 * axe runs axe-core (WCAG 2 A and AA rules and best practices) on the page as
 * it is now and returns the violations of impact serious or critical, each as
 * one line naming the rule, its impact and the first elements it found.
 */
export async function axe(p) {
  if (!(await p.evaluate(() => 'axe' in window))) {
    // Evaluated over the DevTools protocol, not as an inline <script>, which
    // the pages' Content-Security-Policy rightly refuses.
    await p.evaluate(`${readFileSync(axePath, 'utf8')}\n;undefined`);
  }
  const violations = await p.evaluate(async () => {
    // @ts-ignore axe is injected above
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 3).map((n) => `${n.target.join(' ')}${n.failureSummary ? ` (${n.failureSummary.split('\n').slice(1).join(' ').trim()})` : ''}`),
      count: v.nodes.length,
    }));
  });
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.count} element(s): ${v.nodes.join('; ')}`);
}

/**
 * allowOrigin adds origin to the allowed origins of the widget widgetKey, as
 * the business's admin does on Admin → Channels (the demo's widget allows only
 * the demo's own pages). admin names who signs in (tenant, email, password; by
 * default the demo's admin) or gives an admin's apiKey.
 */
export async function allowOrigin(base, widgetKey, origin, admin = {}) {
  const { apiKey, ...login } = admin;
  const who = { tenant: 'northwind', email: 'admin@northwind.example', password: 'switchboard-demo', ...login };
  const req = await request.newContext(apiKey ? { extraHTTPHeaders: { Authorization: `Bearer ${apiKey}` } } : {});
  try {
    if (!apiKey) await api(req, base, 'POST', '/api/v1/auth/login', who, 200);
    const list = await api(req, base, 'GET', '/api/v1/channel-accounts?channel=webchat', undefined, 200);
    const acc = list.items.find((a) => a.address === widgetKey);
    if (!acc) throw new Error(`no widget ${widgetKey} in ${who.tenant}`);
    const have = (acc.settings.allowed_origins ?? '').split(',').map((o) => o.trim()).filter(Boolean);
    if (have.length === 0 || have.includes('*') || have.includes(origin)) return;
    await api(req, base, 'PATCH', `/api/v1/channel-accounts/${acc.id}`, { settings: { allowed_origins: [...have, origin].join(', ') } }, 200);
  } finally {
    await req.dispose();
  }
}

/**
 * businessSite serves a plain page of another origin that embeds the widget
 * with one script tag, as a business's website would, and adds its origin to
 * the widget's allowed origins (allowOrigin; admin names who may); it returns
 * its URL and a close function.
 */
export async function businessSite(base, widgetKey, admin = {}) {
  const attr = (s) => String(s).replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Northwind Bank — Cards</title>
<style>body{font:16px Georgia,serif;color:#330;background:#fffbe8;margin:40px}</style></head>
<body><h1>Northwind Bank — Cards</h1><p>Lost your card? Write to us.</p>
<script src="${base}/widget/widget.js" data-switchboard-widget="${attr(widgetKey)}" async></script>
</body></html>`;
  const site = createServer((req, res) => {
    if (req.url === '/' || req.url?.startsWith('/?')) {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(html);
      return;
    }
    res.writeHead(req.url === '/favicon.ico' ? 204 : 404).end();
  });
  await new Promise((ok) => site.listen(0, '127.0.0.1', ok));
  const url = `http://127.0.0.1:${site.address().port}`;
  await allowOrigin(base, widgetKey, url, admin);
  return { url, close: () => site.close() };
}

/** openWidget clicks the launcher and fills the pre-chat form if the widget asks for one. */
export async function openWidget(p, visitor, timeout) {
  await p.getByTestId('launcher').click();
  await p.getByTestId('panel').waitFor();
  const form = p.getByTestId('prechat');
  const composer = p.getByTestId('input');
  const which = await Promise.race([
    form.waitFor({ timeout }).then(() => 'prechat'),
    composer.waitFor({ timeout }).then(() => 'chat'),
  ]);
  if (which === 'prechat') {
    for (const input of await form.locator('input').all()) {
      const name = await input.getAttribute('name');
      await input.fill(name === 'email' ? visitor.email : name === 'phone' ? '+14155550123' : name === 'name' ? visitor.name : 'e2e');
    }
    await form.getByRole('button').click();
    await composer.waitFor();
  }
}

/** percentile returns the p-th percentile (0..100) of xs by the nearest-rank method. */
export function percentile(xs, p) {
  if (!xs.length) return NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

/**
 * slowAnswers makes the page's requests to urls answer late: each is sent to the
 * server at once, and its answer — the state at the moment it was asked — is
 * handed to the page ms later, as on a slow network. Whatever the feed says in
 * between must survive that stale answer. It returns a function that ends it.
 */
export async function slowAnswers(page, urls, ms) {
  const handler = async (route) => {
    const res = await route.fetch();
    const body = await res.body();
    await new Promise((ok) => setTimeout(ok, ms));
    await route.fulfill({ status: res.status(), headers: res.headers(), body }).catch(() => undefined);
  };
  await page.route(urls, handler);
  return () => page.unroute(urls, handler);
}
