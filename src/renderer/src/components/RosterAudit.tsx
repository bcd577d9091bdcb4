/**
 * The audit trail as supervisors and admins see it on the rosters screen: whether the whole
 * hash chain verifies (the server walks it), and the entries about the open session.
 */
import type { AuditEntry, AuditVerification, Colleague } from '../../../shared/protocol';
import { t } from '../i18n';

const stamp = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

export function AuditBadge({
  verification,
  error,
  checking,
  onCheck,
}: {
  verification: AuditVerification | null;
  error: string | null;
  checking: boolean;
  onCheck: () => void;
}) {
  let text: string;
  let tone: 'ok' | 'broken' | 'unknown';
  let detail: string | undefined;
  if (verification?.ok) {
    tone = 'ok';
    text = t.audit.verified(verification.entries);
  } else if (verification) {
    tone = 'broken';
    text = t.audit.broken(verification.brokenAt);
    detail = verification.reason;
  } else {
    tone = 'unknown';
    text = error ? t.audit.notChecked : checking ? t.audit.checking : t.audit.notYet;
    detail = error ?? undefined;
  }
  return (
    <div className="audit-status no-print">
      <span className={`audit-badge ${tone}`} role="status" data-testid="audit-badge" title={detail}>
        <span aria-hidden="true" className="audit-mark">
          {tone === 'ok' ? '✓' : tone === 'broken' ? '!' : '?'}
        </span>
        {text}
      </span>
      {detail && tone !== 'ok' && <span className="muted small audit-detail">{detail}</span>}
      <button type="button" className="button quiet small" onClick={onCheck} disabled={checking}>
        {t.audit.checkAgain}
      </button>
    </div>
  );
}

export function AuditEntries({ entries, colleagues }: { entries: AuditEntry[]; colleagues: Colleague[] }) {
  const nameOf = (id: string | null) => (id ? (colleagues.find((c) => c.id === id)?.displayName ?? id) : '—');
  if (entries.length === 0) return <p className="muted small">{t.audit.none}</p>;
  return (
    <div className="table-scroll">
      <table className="table audit-table" data-testid="audit-entries">
        <caption className="visually-hidden">{t.audit.caption}</caption>
        <thead>
          <tr>
            <th scope="col" className="num">
              {t.audit.columns.entry}
            </th>
            <th scope="col">{t.audit.columns.when}</th>
            <th scope="col">{t.audit.columns.event}</th>
            <th scope="col">{t.audit.columns.by}</th>
            <th scope="col">{t.audit.columns.about}</th>
            <th scope="col">{t.audit.columns.detail}</th>
          </tr>
        </thead>
        <tbody>
          {entries.map((e) => (
            <tr key={e.seq}>
              <th scope="row" className="num">
                {e.seq}
              </th>
              <td>
                <time dateTime={e.at}>{stamp.format(new Date(e.at))}</time>
              </td>
              <td>
                <code>{e.event}</code>
              </td>
              <td>{nameOf(e.actorId)}</td>
              <td>{e.subjectId ? nameOf(e.subjectId) : '—'}</td>
              <td className="audit-detail-cell">{e.detail ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
