import { useEffect, useRef, useState } from 'preact/hooks';
import { t } from '../i18n';

interface Pending {
  message: string;
  confirmLabel: string;
  resolve: (ok: boolean) => void;
}

/**
 * useConfirm returns a modal dialog element to render and an ask function that
 * opens it and resolves to the user's answer. It uses the native <dialog>, which
 * traps focus, closes on Escape and returns focus to the opener.
 */
export function useConfirm() {
  const [pending, setPending] = useState<Pending | null>(null);
  const ref = useRef<HTMLDialogElement>(null);

  useEffect(() => {
    const d = ref.current;
    if (pending && d && !d.open) d.showModal();
  }, [pending]);

  const answer = (ok: boolean) => {
    ref.current?.close();
    pending?.resolve(ok);
    setPending(null);
  };

  const ask = (message: string, confirmLabel: string) =>
    new Promise<boolean>((resolve) => setPending({ message, confirmLabel, resolve }));

  const element = pending ? (
    <dialog
      ref={ref}
      class="dialog"
      aria-labelledby="confirm-title"
      aria-describedby="confirm-message"
      data-testid="confirm-dialog"
      onCancel={(e) => {
        e.preventDefault();
        answer(false);
      }}
    >
      <h2 id="confirm-title">{t('common.confirm')}</h2>
      <p id="confirm-message">{pending.message}</p>
      <div class="dialog-actions">
        <button type="button" class="button" onClick={() => answer(false)} autoFocus>
          {t('common.cancel')}
        </button>
        <button type="button" class="button button-danger" onClick={() => answer(true)} data-testid="confirm-ok">
          {pending.confirmLabel}
        </button>
      </div>
    </dialog>
  ) : null;

  return { element, ask };
}
