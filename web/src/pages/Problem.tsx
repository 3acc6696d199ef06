import { PageHeading } from '../components/PageHeading';
import { usePageTitle } from '../hooks';
import { t, type MessageKey } from '../i18n';
import { Link } from '../router';

/** ProblemPage stands in for a page the user cannot see: unknown, or not allowed. */
export function ProblemPage({ message }: { message: MessageKey }) {
  usePageTitle(message);
  return (
    <div class="page narrow">
      <PageHeading>{t(message)}</PageHeading>
      <p>
        <Link href="/desktop">{t('error.backHome')}</Link>
      </p>
    </div>
  );
}
