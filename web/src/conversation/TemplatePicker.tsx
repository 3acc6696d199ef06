// TemplatePicker sends an approved WhatsApp template from the composer: the
// only message that reaches a customer who last wrote more than 24 hours ago.
// The agent picks a template and fills its {{1}}, {{2}}… values.
//
// Test ids: composer-templates, template-option, template-var, template-send.
import { useState } from 'preact/hooks';
import { errorMessage, newIdempotencyKey } from '../api';
import { conversationApi, type ChannelTemplate } from '../api/conversation';
import { t } from '../i18n';
import type { Message } from '../api/conversation';

/** templateVariables is the highest {{n}} in a template's body. */
export function templateVariables(body: string): number {
  let n = 0;
  for (const m of body.matchAll(/\{\{\s*(\d+)\s*\}\}/g)) n = Math.max(n, Number(m[1]));
  return n;
}

interface Props {
  conversationID: string;
  channel: string;
  onSent: (m: Message) => void;
  onError: (msg: string) => void;
}

/** TemplatePicker is the composer's Templates menu and the chosen template's values. */
export function TemplatePicker({ conversationID, channel, onSent, onError }: Props) {
  const [open, setOpen] = useState(false);
  const [templates, setTemplates] = useState<ChannelTemplate[] | null>(null);
  const [chosen, setChosen] = useState<ChannelTemplate | null>(null);
  const [values, setValues] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);

  const toggle = () => {
    setOpen(!open);
    if (templates === null) {
      conversationApi.whatsAppTemplates().then(
        (r) => setTemplates((r.items ?? []).filter((x) => x.status === 'approved')),
        (err) => {
          setTemplates([]);
          onError(errorMessage(err));
        },
      );
    }
  };
  const choose = (tpl: ChannelTemplate) => {
    setOpen(false);
    setChosen(tpl);
    setValues(Array.from({ length: templateVariables(tpl.body) }, () => ''));
  };
  const send = async () => {
    if (!chosen || busy) return;
    setBusy(true);
    try {
      const m = await conversationApi.reply(
        conversationID,
        { channel, body: '', template: { name: chosen.name, language: chosen.language, variables: values.map((v) => v.trim()) } },
        newIdempotencyKey(),
      );
      onSent(m);
      setChosen(null);
    } catch (err) {
      onError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="cv-macro">
      <button type="button" class="button button-small" aria-expanded={open} aria-haspopup="menu" title={t('compose.templatesHint')} onClick={toggle} data-testid="composer-templates">
        {t('compose.templates')}
      </button>
      {open && (
        <ul class="cv-menu" role="menu">
          {templates === null && <li class="cv-muted">{t('app.loading')}</li>}
          {templates?.length === 0 && <li class="cv-muted">{t('compose.noTemplates')}</li>}
          {templates?.map((tpl) => (
            <li key={tpl.id} role="none">
              <button type="button" role="menuitem" onClick={() => choose(tpl)} data-testid="template-option">
                {tpl.name} ({tpl.language})
              </button>
            </li>
          ))}
        </ul>
      )}
      {chosen && (
        <div class="cv-template" data-testid="template-form">
          <p class="cv-muted">{chosen.body}</p>
          {values.map((v, i) => (
            <label key={i} class="cv-inline">
              <span>{t('compose.templateVariable', { n: i + 1 })}</span>
              <input value={v} onInput={(e) => setValues(values.map((x, j) => (j === i ? e.currentTarget.value : x)))} data-testid="template-var" />
            </label>
          ))}
          <button type="button" class="button button-primary button-small" disabled={busy || values.some((v) => !v.trim())} onClick={send} data-testid="template-send">
            {t('compose.sendTemplate')}
          </button>
          <button type="button" class="button button-small" onClick={() => setChosen(null)}>
            {t('common.cancel')}
          </button>
        </div>
      )}
    </div>
  );
}
