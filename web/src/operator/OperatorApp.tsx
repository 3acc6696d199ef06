import { useEffect, useState } from 'preact/hooks';
import { ApiError, call, usageCSV, type Limits, type TenantView } from './api';

/** OperatorApp signs the operator in with their token, then shows the tenants. */
export function OperatorApp() {
  const [who, setWho] = useState<{ name: string } | null | undefined>(undefined);
  useEffect(() => {
    call<{ name: string }>('GET', '/me').then(setWho, () => setWho(null));
  }, []);
  if (who === undefined) return <main class="op-main" aria-busy="true" />;
  if (who === null) return <SignIn onDone={setWho} />;
  return (
    <main class="op-main">
      <header class="op-header">
        <h1>Operator console</h1>
        <span>
          Signed in as {who.name}{' '}
          <button type="button" onClick={() => call('DELETE', '/session').then(() => setWho(null))}>
            Sign out
          </button>
        </span>
      </header>
      <Tenants />
    </main>
  );
}

function SignIn({ onDone }: { onDone: (o: { name: string }) => void }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState('');
  const submit = async (e: Event) => {
    e.preventDefault();
    try {
      onDone(await call<{ name: string }>('POST', '/session', { token: token.trim() }));
    } catch (err) {
      setError(err instanceof ApiError && err.status === 401 ? 'That is not an operator token.' : String(err));
    }
  };
  return (
    <main class="op-main op-signin">
      <h1>Operator console</h1>
      <p>For whoever runs this Switchboard service. Sign in with the token `switchboard operator create` printed.</p>
      <form onSubmit={submit}>
        <label>
          Operator token
          <input type="password" name="token" autocomplete="off" value={token} onInput={(e) => setToken(e.currentTarget.value)} required />
        </label>
        {error && <p role="alert" class="op-error">{error}</p>}
        <button type="submit">Sign in</button>
      </form>
    </main>
  );
}

function Tenants() {
  const [tenants, setTenants] = useState<TenantView[]>([]);
  const [error, setError] = useState('');
  const load = () =>
    call<{ items: TenantView[] }>('GET', '/tenants').then(
      (r) => setTenants(r.items),
      (e) => setError(String(e.message ?? e)),
    );
  useEffect(() => {
    load();
  }, []);
  const replace = (v: TenantView) => setTenants((ts) => ts.map((t) => (t.tenant.id === v.tenant.id ? v : t)));
  return (
    <section aria-labelledby="tenants-heading">
      <div class="op-bar">
        <h2 id="tenants-heading">Tenants</h2>
        <a href={usageCSV()} download>
          Download all usage (CSV)
        </a>
      </div>
      {error && <p role="alert" class="op-error">{error}</p>}
      <table class="op-table">
        <thead>
          <tr>
            <th scope="col">Tenant</th>
            <th scope="col">State</th>
            <th scope="col">This month</th>
            <th scope="col">Limits</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {tenants.map((t) => (
            <TenantRow key={t.tenant.id} view={t} onChange={replace} />
          ))}
        </tbody>
      </table>
      <CreateTenant onCreated={load} />
    </section>
  );
}

const limitNames: [keyof Limits, string][] = [
  ['agents', 'Agents'],
  ['notices_per_month', 'Notices a month'],
  ['storage_bytes', 'Storage (bytes)'],
];

function TenantRow({ view, onChange }: { view: TenantView; onChange: (v: TenantView) => void }) {
  const { tenant: t, usage: u } = view;
  const [mode, setMode] = useState<'' | 'suspend' | 'limits'>('');
  const [reason, setReason] = useState('');
  const [limits, setLimits] = useState<Record<keyof Limits, string>>({
    agents: String(view.limits.agents ?? ''),
    notices_per_month: String(view.limits.notices_per_month ?? ''),
    storage_bytes: String(view.limits.storage_bytes ?? ''),
  });
  const [error, setError] = useState('');
  const act = async (path: string, body: unknown, method = 'POST') => {
    try {
      onChange(await call<TenantView>(method, `/tenants/${t.id}${path}`, body));
      setMode('');
      setError('');
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };
  const messages = u.messages.reduce((n, m) => n + m.inbound + m.outbound, 0);
  return (
    <tr data-tenant={t.slug}>
      <th scope="row">
        {t.name}
        <div class="op-muted">{t.slug}</div>
      </th>
      <td>
        <span class={`op-state op-state-${view.state}`}>{view.state}</span>
        {view.suspension && <div class="op-reason">Reason: {view.suspension.reason}</div>}
      </td>
      <td>
        <dl class="op-usage">
          <dt>Conversations</dt>
          <dd>{u.conversations}</dd>
          <dt>Messages</dt>
          <dd title={u.messages.map((m) => `${m.channel}: ${m.inbound} in, ${m.outbound} out`).join('; ')}>{messages}</dd>
          <dt>Notices sent</dt>
          <dd>{u.notices_sent}</dd>
          <dt>Agents active</dt>
          <dd>{u.agents_active}</dd>
          <dt>Storage</dt>
          <dd>{u.storage_bytes} B</dd>
        </dl>
      </td>
      <td>
        <ul class="op-limits">
          {limitNames.map(([k, label]) => (
            <li key={k}>
              {label}: {view.limits[k] ?? 'no limit'}
            </li>
          ))}
        </ul>
        {view.warnings.map((w) => (
          <p key={w.limit} class="op-warning" role="status">
            {w.limit}: {w.used} of {w.cap} used
          </p>
        ))}
      </td>
      <td class="op-actions">
        {view.state === 'suspended' ? (
          <button type="button" onClick={() => act('/resume', { reason: '' })}>
            Resume
          </button>
        ) : (
          <button type="button" onClick={() => setMode(mode === 'suspend' ? '' : 'suspend')}>
            Suspend…
          </button>
        )}
        <button type="button" onClick={() => setMode(mode === 'limits' ? '' : 'limits')}>
          Edit limits…
        </button>
        <a href={usageCSV(t.id)} download>
          Usage CSV
        </a>
        {mode === 'suspend' && (
          <form
            onSubmit={(e) => {
              e.preventDefault();
              act('/suspend', { reason });
            }}
          >
            <label>
              Reason (its people are shown it)
              <input name="reason" value={reason} onInput={(e) => setReason(e.currentTarget.value)} required maxLength={500} />
            </label>
            <button type="submit">Suspend {t.name}</button>
          </form>
        )}
        {mode === 'limits' && (
          <form
            onSubmit={(e) => {
              e.preventDefault();
              const body: Record<string, number | null> = {};
              for (const [k] of limitNames) body[k] = limits[k] === '' ? null : Number(limits[k]);
              act('/limits', body, 'PUT');
            }}
          >
            {limitNames.map(([k, label]) => (
              <label key={k}>
                {label} (empty: no limit)
                <input
                  type="number"
                  min="0"
                  name={k}
                  value={limits[k]}
                  onInput={(e) => setLimits({ ...limits, [k]: e.currentTarget.value })}
                />
              </label>
            ))}
            <button type="submit">Save limits</button>
          </form>
        )}
        {error && (
          <p role="alert" class="op-error">
            {error}
          </p>
        )}
      </td>
    </tr>
  );
}

function CreateTenant({ onCreated }: { onCreated: () => void }) {
  const [form, setForm] = useState({ slug: '', name: '', admin_email: '', live: false });
  const [link, setLink] = useState('');
  const [error, setError] = useState('');
  const submit = async (e: Event) => {
    e.preventDefault();
    try {
      const r = await call<{ sign_in_link: string }>('POST', '/tenants', form);
      setLink(r.sign_in_link);
      setError('');
      onCreated();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  };
  const field = (k: 'slug' | 'name' | 'admin_email', label: string) => (
    <label>
      {label}
      <input name={k} value={form[k]} onInput={(e) => setForm({ ...form, [k]: e.currentTarget.value })} required />
    </label>
  );
  return (
    <form class="op-create" onSubmit={submit} aria-labelledby="create-heading">
      <h2 id="create-heading">Create a workspace</h2>
      {field('name', 'Business name')}
      {field('slug', 'Workspace address')}
      {field('admin_email', 'Admin email')}
      <label class="op-check">
        <input type="checkbox" checked={form.live} onChange={(e) => setForm({ ...form, live: e.currentTarget.checked })} /> Start live (not in the sandbox)
      </label>
      <button type="submit">Create workspace</button>
      {error && (
        <p role="alert" class="op-error">
          {error}
        </p>
      )}
      {link && (
        <p role="status">
          Give the admin this one-time sign-in link: <code>{link}</code>
        </p>
      )}
    </form>
  );
}
