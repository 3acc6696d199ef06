import { useEffect, useRef, useState } from 'preact/hooks';
import { t } from '../i18n';

interface Props {
  title: string;
  intro: string;
  value: string;
  testId: string;
  onDone: () => void;
}

/** SecretBox shows a value the server returns once (a signing secret, an API key) with a copy button. */
export function SecretBox({ title, intro, value, testId, onDone }: Props) {
  const [copied, setCopied] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  // Put the value under the keyboard at once: focus selects it, ready to copy.
  useEffect(() => input.current?.focus(), [value]);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
    } catch {
      // No clipboard API outside secure contexts: select the text and use the old command.
      input.current?.select();
      document.execCommand('copy');
    }
    setCopied(true);
  };
  return (
    <section class="secret-box" aria-labelledby={`${testId}-title`} data-testid={`${testId}-box`}>
      <h3 id={`${testId}-title`}>{title}</h3>
      <p>{intro}</p>
      <p class="secret-warning" role="alert">
        {t('secret.warning')}
      </p>
      <div class="secret-row">
        <label class="visually-hidden" for={`${testId}-value`}>
          {title}
        </label>
        <input
          id={`${testId}-value`}
          ref={input}
          class="secret-value"
          readOnly
          value={value}
          data-testid={testId}
          onFocus={(e) => e.currentTarget.select()}
        />
        <button type="button" class="button" onClick={copy}>
          {copied ? t('common.copied') : t('common.copy')}
        </button>
      </div>
      <button type="button" class="button" onClick={onDone}>
        {t('secret.done')}
      </button>
    </section>
  );
}
