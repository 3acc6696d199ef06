// Sign-in without a password: the customer names an email or phone they
// control, gets a six-digit code (and a link) there, and types the code.
import { useEffect, useRef, useState } from 'preact/hooks';
import { type PortalSession, portalApi } from '../api/portal';
import { errorText, t } from './i18n';
import { CODE, cleanCode, looksLikeIdentifier } from './logic';

const RESEND_AFTER_MS = 60_000;

interface Props {
  notice?: string;
  onSignedIn: (s: PortalSession) => void;
  /** initial fills the address in: the one a notice's link session already knows. */
  initial?: string;
  /** onCancel, when given, offers a way back (to the link's business, still signed in by the link). */
  onCancel?: () => void;
  cancelLabel?: string;
}

/** SignIn asks for an identifier, then for the code sent to it. */
export function SignIn({ notice, onSignedIn, initial = '', onCancel, cancelLabel }: Props) {
  const [identifier, setIdentifier] = useState(initial);
  const [sentTo, setSentTo] = useState('');
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  // The server sends at most one code a minute; the resend button waits as long.
  const [canResend, setCanResend] = useState(false);
  const codeRef = useRef<HTMLInputElement>(null);
  const idRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    (sentTo ? codeRef : idRef).current?.focus();
  }, [sentTo]);

  useEffect(() => {
    if (!sentTo || canResend) return;
    const timer = setTimeout(() => setCanResend(true), RESEND_AFTER_MS);
    return () => clearTimeout(timer);
  }, [sentTo, canResend]);

  const send = async (e?: Event) => {
    e?.preventDefault();
    const id = identifier.trim();
    if (!looksLikeIdentifier(id)) {
      setError(t('signin.identifierInvalid'));
      idRef.current?.focus();
      return;
    }
    setBusy(true);
    setError('');
    try {
      await portalApi.signIn(id);
      setCode('');
      setCanResend(false);
      setSentTo(id);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  const verify = async (e: Event) => {
    e.preventDefault();
    if (!CODE.test(code)) {
      setError(t('signin.codeInvalid'));
      codeRef.current?.focus();
      return;
    }
    setBusy(true);
    setError('');
    try {
      onSignedIn(await portalApi.verify(sentTo, code));
    } catch (err) {
      setError(err instanceof TypeError ? errorText(err) : t('signin.failed'));
      setBusy(false);
      codeRef.current?.select();
    }
  };

  const errorLine = error && (
    <p class="alert alert-error" role="alert" id="signin-error">
      {error}
    </p>
  );

  if (!sentTo) {
    return (
      <section class="card narrow">
        <h1>{t('signin.title')}</h1>
        {notice && (
          <p class="alert" role="status">
            {notice}
          </p>
        )}
        <p class="muted">{t('signin.intro')}</p>
        <form onSubmit={send} noValidate data-testid="signin-form">
          <label class="field">
            <span>{t('signin.identifier')}</span>
            <input
              ref={idRef}
              name="identifier"
              type="text"
              inputMode="email"
              autoComplete="username"
              autoCapitalize="none"
              spellcheck={false}
              required
              value={identifier}
              onInput={(e) => setIdentifier(e.currentTarget.value)}
              aria-invalid={!!error}
              aria-describedby={error ? 'signin-error' : 'signin-id-hint'}
            />
            <small id="signin-id-hint" class="muted">
              {t('signin.identifierHint')}
            </small>
          </label>
          {errorLine}
          <button type="submit" class="btn btn-primary btn-wide" disabled={busy}>
            {busy ? t('signin.sending') : t('signin.send')}
          </button>
        </form>
        {onCancel && (
          <button type="button" class="btn-link" onClick={onCancel} data-testid="signin-cancel">
            {cancelLabel}
          </button>
        )}
      </section>
    );
  }

  return (
    <section class="card narrow">
      <h1>{t('signin.title')}</h1>
      <p class="alert alert-ok" role="status" data-testid="code-sent">
        {t('signin.sent', { identifier: sentTo })}
      </p>
      <form onSubmit={verify} noValidate data-testid="code-form">
        <label class="field">
          <span>{t('signin.code')}</span>
          <input
            ref={codeRef}
            name="code"
            class="code"
            type="text"
            inputMode="numeric"
            autoComplete="one-time-code"
            pattern="[0-9]{6}"
            maxLength={7}
            required
            value={code}
            onInput={(e) => setCode(cleanCode(e.currentTarget.value))}
            aria-invalid={!!error}
            aria-describedby={error ? 'signin-error' : 'signin-code-hint'}
          />
          <small id="signin-code-hint" class="muted">
            {t('signin.codeHint')}
          </small>
        </label>
        {errorLine}
        <button type="submit" class="btn btn-primary btn-wide" disabled={busy}>
          {busy ? t('signin.verifying') : t('signin.verify')}
        </button>
      </form>
      <div class="row">
        <button type="button" class="btn-link" onClick={() => void send()} disabled={busy || !canResend} data-testid="resend">
          {canResend ? t('signin.resend') : t('signin.resendSoon')}
        </button>
        <button type="button" class="btn-link" onClick={() => (setSentTo(''), setError(''))}>
          {t('signin.other')}
        </button>
      </div>
    </section>
  );
}
