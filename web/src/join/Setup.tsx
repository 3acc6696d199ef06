// /setup: the first-run wizard of a new workspace's admin — a channel (a chat
// widget to embed, or a mail address), a queue, an agent invitation and a test
// conversation. Each step can be skipped; the server remembers which are done
// and whether the wizard was put away.
import { useEffect, useState } from 'preact/hooks';
import { errorMessage, newIdempotencyKey, request } from '../api';
import { joinApi, type SentInvitation, type Setup } from '../api/join';
import { supervisorApi } from '../api/supervisor';
import { Notice } from '../components/Notice';
import { PageHeading } from '../components/PageHeading';
import { usePageTitle } from '../hooks';
import { t, type MessageKey } from '../i18n';
import { Link, navigate } from '../router';
import { widgetSnippet } from '../supervisor/Channels';
import { InviteForm, SentNotice } from './People';

const TITLES: Record<string, MessageKey> = {
  channel: 'setup.channel',
  queue: 'setup.queue',
  invite: 'setup.invite',
  conversation: 'setup.conversation',
};

/** SetupPage is /setup. */
export function SetupPage() {
  usePageTitle('setup.title');
  const [setup, setSetup] = useState<Setup | null>(null);
  const [error, setError] = useState('');
  const [conversation, setConversation] = useState('');
  useEffect(() => {
    joinApi.setup().then(setSetup, (err) => setError(errorMessage(err)));
  }, []);
  const mark = async (body: { done?: string; dismissed?: boolean }) => {
    try {
      setSetup(await joinApi.updateSetup(body));
    } catch (err) {
      setError(errorMessage(err));
    }
  };
  if (!setup) return <div class="page"><Notice kind="error">{error}</Notice></div>;
  const current = setup.steps.find((s) => !setup.done.includes(s));
  return (
    <div class="page" data-testid="setup-page">
      <header class="page-header">
        <PageHeading>{t('setup.title')}</PageHeading>
        <p class="muted">{t('setup.intro')}</p>
      </header>
      <ol class="setup-steps">
        {setup.steps.map((s) => (
          <li key={s} data-testid={`setup-step-${s}`} data-done={setup.done.includes(s) ? 'true' : 'false'}
            aria-current={s === current ? 'step' : undefined}>
            {t(TITLES[s]!)} {setup.done.includes(s) && <span>✓ {t('setup.done')}</span>}
          </li>
        ))}
      </ol>
      {current === 'channel' && <ChannelStep onDone={() => void mark({ done: 'channel' })} />}
      {current === 'queue' && <QueueStep onDone={() => void mark({ done: 'queue' })} />}
      {current === 'invite' && <InviteStep onDone={() => void mark({ done: 'invite' })} />}
      {current === 'conversation' && (
        <ConversationStep onStarted={(id) => { setConversation(id); void mark({ done: 'conversation' }); }} />
      )}
      {!current && <Notice kind="success" testId="setup-finished">{t('setup.finished')}</Notice>}
      {conversation && <p><Link href={`/desktop/c/${conversation}`} data-testid="setup-open">{t('setup.open')}</Link></p>}
      <Notice kind="error" testId="setup-error">{error}</Notice>
      <p>
        {current && (
          <button type="button" class="button" onClick={() => void mark({ done: current })} data-testid="setup-skip">
            {t('setup.skip')}
          </button>
        )}{' '}
        <button type="button" class="button" data-testid="setup-close"
          onClick={() => void mark({ dismissed: true }).then(() => navigate('/desktop'))}>
          {t('setup.close')}
        </button>
      </p>
    </div>
  );
}

interface StepProps {
  onDone: () => void;
}

function ChannelStep({ onDone }: StepProps) {
  const [snippet, setSnippet] = useState('');
  const [mail, setMail] = useState('');
  const [error, setError] = useState('');
  const widget = async () => {
    try {
      const acc = await supervisorApi.createChannelAccount({ channel: 'webchat', address: '', name: 'Website chat', settings: {} }, newIdempotencyKey());
      setSnippet(widgetSnippet(location.origin, acc.address));
    } catch (err) {
      setError(errorMessage(err));
    }
  };
  const mailbox = async (e: Event) => {
    e.preventDefault();
    try {
      await supervisorApi.createChannelAccount({ channel: 'email', address: mail.trim(), name: 'Support mail', settings: {} }, newIdempotencyKey());
      onDone();
    } catch (err) {
      setError(errorMessage(err));
    }
  };
  return (
    <section data-testid="setup-channel">
      <h2>{t('setup.channel')}</h2>
      <p>{t('setup.channelIntro')}</p>
      {!snippet && (
        <button type="button" class="button button-primary" onClick={() => void widget()} data-testid="setup-widget">
          {t('setup.widget')}
        </button>
      )}
      {snippet && (
        <>
          <p>{t('setup.snippet')}</p>
          <code class="admin-snippet" data-testid="setup-snippet">{snippet}</code>
          <button type="button" class="button button-primary" onClick={onDone} data-testid="setup-next">{t('setup.next')}</button>
        </>
      )}
      {!snippet && (
        <form onSubmit={mailbox}>
          <div class="field">
            <label for="setup-mail">{t('setup.mail')}</label>
            <input id="setup-mail" type="email" value={mail} onInput={(e) => setMail(e.currentTarget.value)} />
          </div>
          <button type="submit" class="button">{t('setup.useMail')}</button>
        </form>
      )}
      <Notice kind="error">{error}</Notice>
    </section>
  );
}

function QueueStep({ onDone }: StepProps) {
  const [name, setName] = useState('Support');
  const [error, setError] = useState('');
  const submit = async (e: Event) => {
    e.preventDefault();
    try {
      await supervisorApi.createQueue({
        name: name.trim(), skills: [], priority: 0, strategy: 'longest_idle', widening: [], offer_timeout_seconds: 30,
        last_agent_timeout_seconds: 60, auto_assign: true, overflow: [], calendar_id: '', sla_policy_id: '', channels: [], default: true,
      }, newIdempotencyKey());
      onDone();
    } catch (err) {
      setError(errorMessage(err));
    }
  };
  return (
    <section data-testid="setup-queue">
      <h2>{t('setup.queue')}</h2>
      <p>{t('setup.queueIntro')}</p>
      <form onSubmit={submit}>
        <div class="field">
          <label for="setup-queue-name">{t('setup.queueName')}</label>
          <input id="setup-queue-name" required value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </div>
        <button type="submit" class="button button-primary" data-testid="setup-queue-create">{t('setup.queueCreate')}</button>
      </form>
      <Notice kind="error">{error}</Notice>
    </section>
  );
}

function InviteStep({ onDone }: StepProps) {
  const [sent, setSent] = useState<SentInvitation | null>(null);
  return (
    <section data-testid="setup-invite">
      <h2>{t('setup.invite')}</h2>
      <p>{t('setup.inviteIntro')}</p>
      {!sent && <InviteForm onSent={setSent} />}
      {sent && (
        <>
          <SentNotice sent={sent} />
          <button type="button" class="button button-primary" onClick={onDone} data-testid="setup-next">{t('setup.next')}</button>
        </>
      )}
    </section>
  );
}

interface Ingested {
  conversation: { id: string };
}

function ConversationStep({ onStarted }: { onStarted: (id: string) => void }) {
  const [error, setError] = useState('');
  const start = async () => {
    try {
      const res = await request<Ingested>('POST', '/api/v1/channels/api/messages', {
        body: { from: { kind: 'external', value: 'setup-test-customer' }, name: t('setup.testCustomer'), body: t('setup.testMessage'), new_conversation: true },
      });
      onStarted(res.conversation.id);
    } catch (err) {
      setError(errorMessage(err));
    }
  };
  return (
    <section data-testid="setup-conversation">
      <h2>{t('setup.conversation')}</h2>
      <p>{t('setup.conversationIntro')}</p>
      <button type="button" class="button button-primary" onClick={() => void start()} data-testid="setup-test">{t('setup.test')}</button>
      <Notice kind="error">{error}</Notice>
    </section>
  );
}
