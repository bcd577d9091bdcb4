/**
 * The audit trail as supervisors and admins see it on the rosters screen: whether the whole
 * hash chain verifies (the server walks it), and the entries about the open session.
 */
import type { AuditEntry, AuditVerification, Colleague } from '../../../shared/protocol';

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
    text = `Audit trail verified: ${verification.entries} ${verification.entries === 1 ? 'entry' : 'entries'}, unaltered`;
  } else if (verification) {
    tone = 'broken';
    text = `Audit trail broken at entry ${verification.brokenAt}`;
    detail = verification.reason;
  } else {
    tone = 'unknown';
    text = error ? 'Audit trail not checked' : checking ? 'Checking the audit trail…' : 'Audit trail not checked yet';
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
        Check again
      </button>
    </div>
  );
}

export function AuditEntries({ entries, colleagues }: { entries: AuditEntry[]; colleagues: Colleague[] }) {
  const nameOf = (id: string | null) => (id ? (colleagues.find((c) => c.id === id)?.displayName ?? id) : '—');
  if (entries.length === 0) return <p className="muted small">No audit entries name this session.</p>;
  return (
    <div className="table-scroll">
      <table className="table audit-table" data-testid="audit-entries">
        <caption className="visually-hidden">Audit entries about this session, oldest first</caption>
        <thead>
          <tr>
            <th scope="col" className="num">
              Entry
            </th>
            <th scope="col">When</th>
            <th scope="col">Event</th>
            <th scope="col">By</th>
            <th scope="col">About</th>
            <th scope="col">Detail</th>
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
