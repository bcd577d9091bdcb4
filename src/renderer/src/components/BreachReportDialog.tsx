/**
 * An admin's breach report (issue 20): for one account (or, from there, one of the console
 * workstations it acted from) and a range of days, what it touched according to the audit
 * log: sessions, clients by reference, rosters and attendance read, notes, and the rest. The
 * server puts every report on the audit log itself; the CSV is saved where the admin chooses.
 */
import { useId, useState, type FormEvent, type ReactNode } from 'react';
import type { BreachReport, ClinicianAccount } from '../../../shared/protocol';

type BreachReportThing = Pick<BreachReport['sessions'][number], 'firstAt' | 'lastAt' | 'acts'>;
import { call, messageOf } from '../bridge';
import { ErrorBanner } from './Banner';
import { Dialog } from './Dialog';
import { t as words } from '../i18n';

const stamp = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const DAY_MS = 86_400_000;
const isoDay = (d: Date): string => d.toISOString().slice(0, 10);

function Span({ first, last }: { first: string; last: string }) {
  return (
    <>
      {stamp.format(new Date(first))}
      {last !== first && ` – ${stamp.format(new Date(last))}`}
    </>
  );
}

/** Clients or sessions of a report: what, when (first to last), and the acts. */
function ThingTable({ testId, heading, things }: { testId: string; heading: string; things: (BreachReportThing & { key: string; name: ReactNode })[] }) {
  if (things.length === 0) return <p className="muted small">{words.breach.none}</p>;
  return (
    <table className="table" data-testid={testId}>
      <thead>
        <tr>
          <th scope="col">{heading}</th>
          <th scope="col">{words.breach.when}</th>
          <th scope="col">{words.breach.what}</th>
        </tr>
      </thead>
      <tbody>
        {things.map((t) => (
          <tr key={t.key}>
            <td>{t.name}</td>
            <td>
              <Span first={t.firstAt} last={t.lastAt} />
            </td>
            <td className="muted small">{t.acts.join(', ')}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function BreachReportDialog({ account, onClose }: { account: ClinicianAccount; onClose: () => void }) {
  const ids = { from: useId(), to: useId() };
  const [from, setFrom] = useState(isoDay(new Date(Date.now() - 30 * DAY_MS)));
  const [to, setTo] = useState(isoDay(new Date()));
  const [device, setDevice] = useState<string | null>(null);
  const [report, setReport] = useState<BreachReport | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);

  /** The days chosen, whole: from the start of `from` to the end of `to`, in this computer's time. */
  const request = (forDevice: string | null) => ({
    ...(forDevice ? { deviceId: forDevice } : { clinicianId: account.id }),
    from: new Date(`${from}T00:00:00`).toISOString(),
    to: new Date(new Date(`${to}T00:00:00`).getTime() + DAY_MS).toISOString(),
  });

  const make = (forDevice: string | null) => {
    if (!from || !to || to < from) return setError(words.breach.badDays);
    setBusy(true);
    setError(null);
    setSaved(null);
    call('admin:breachReport', request(forDevice))
      .then((r) => {
        setDevice(forDevice);
        setReport(r);
      })
      .catch((err: unknown) => setError(messageOf(err)))
      .finally(() => setBusy(false));
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    make(null);
  };

  const exportCsv = () => {
    setError(null);
    call('admin:exportBreachReport', request(device))
      .then(({ path }) => setSaved(path ? words.breach.saved(path) : null))
      .catch((err: unknown) => setError(messageOf(err)));
  };

  const subject = device ? words.breach.workstation(device) : account.displayName;
  return (
    <Dialog
      title={words.breach.title(account.displayName)}
      onClose={onClose}
      wide
      actions={
        <button type="button" className="button quiet" onClick={onClose}>
          {words.breach.close}
        </button>
      }
    >
      <p className="muted small">
        {words.breach.lead}
      </p>
      <form className="field-row breach-form" onSubmit={submit}>
        <label className="field" htmlFor={ids.from}>
          {words.breach.from}
          <input id={ids.from} type="date" value={from} onChange={(e) => setFrom(e.target.value)} />
        </label>
        <label className="field" htmlFor={ids.to}>
          {words.breach.to}
          <input id={ids.to} type="date" value={to} onChange={(e) => setTo(e.target.value)} />
        </label>
        <button type="submit" className="button primary" disabled={busy}>
          {busy ? words.breach.reading : words.breach.make}
        </button>
      </form>
      <ErrorBanner message={error} />
      {report && (
        <div className="breach-report" data-testid="breach-report">
          <p role="status">
            <strong>{subject}</strong>:{' '}
            {words.breach.summary(report.entries, report.sessions.length, report.clients.length, report.rosters.length, report.notes.length)}
          </p>
          {report.devices.length > 0 && (
            <div className="field-row" data-testid="breach-devices">
              <span className="muted small">{words.breach.workstations}</span>
              {report.devices.map((d) => (
                <button key={d} type="button" className="button quiet small" aria-pressed={device === d} onClick={() => make(d)} disabled={busy}>
                  {d}
                </button>
              ))}
              {device && (
                <button type="button" className="button quiet small" onClick={() => make(null)} disabled={busy}>
                  {words.breach.wholeAccount}
                </button>
              )}
            </div>
          )}
          <h3>{words.breach.clients}</h3>
          <ThingTable
            testId="breach-clients"
            heading={words.breach.client}
            things={report.clients.map((c) => ({
              ...c,
              key: `${c.sessionId ?? ''}|${c.participantRef ?? c.refHash ?? ''}`,
              name: c.participantRef ?? <span className="muted">{words.breach.hashOnly}</span>,
            }))}
          />
          <h3>{words.breach.sessions}</h3>
          <ThingTable
            testId="breach-sessions"
            heading={words.breach.session}
            things={report.sessions.map((s) => ({ ...s, key: s.sessionId, name: s.title ?? s.sessionId }))}
          />
          {(report.rosters.length > 0 || report.notes.length > 0) && (
            <>
              <h3>{words.breach.rostersAndNotes}</h3>
              <ul className="breach-list">
                {report.rosters.map((r) => (
                  <li key={`${r.subject}|${r.acts.join()}`}>
                    {r.acts.join(', ')} · <Span first={r.firstAt} last={r.lastAt} />
                  </li>
                ))}
                {report.notes.map((n) => (
                  <li key={n.noteId}>
                    {words.breach.note(n.noteId)}: {n.acts.join(', ')} · <Span first={n.firstAt} last={n.lastAt} />
                  </li>
                ))}
              </ul>
            </>
          )}
          <div className="field-row">
            <button type="button" className="button quiet" onClick={exportCsv}>
              {words.breach.exportCsv}
            </button>
            {saved && (
              <span className="muted small" role="status">
                {saved}
              </span>
            )}
          </div>
        </div>
      )}
    </Dialog>
  );
}
