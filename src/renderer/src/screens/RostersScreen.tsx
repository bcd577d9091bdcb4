/**
 * Rosters: sessions by date range and facilitator with their attendance in figures; one
 * session's roster (who came, for how long, who let them in and verified them); a client's
 * hours per week against their target; the group's attendance over time; CSV export, a
 * printable roster, and (supervisors, admins) whether the audit trail verifies.
 */
import { useEffect, useState } from 'react';
import type { Fetched } from '../../../shared/ipc';
import { messageOf } from '../bridge';
import { ErrorBanner } from '../components/Banner';
import { formatMinutes } from '../components/chartMath';
import { ClientAttendanceChart } from '../components/ClientAttendanceChart';
import { GroupAttendanceChart } from '../components/GroupAttendanceChart';
import { RecapPanel } from '../components/RecapPanel';
import { AuditBadge, AuditEntries } from '../components/RosterAudit';
import { RosterHeader, RosterTable } from '../components/RosterTable';
import {
  clientWindow,
  exportRosterCsv,
  filterProblem,
  loadAuditEntries,
  loadColleagues,
  loadRosterList,
  openClient,
  openRoster,
  verifyAudit,
} from '../services/rosters';
import { useConsole } from '../store';
import { t } from '../i18n';
import { defaultRostersFilter } from '../store/rostersSlice';
import '../rosters.css';

const dayFormat = new Intl.DateTimeFormat(undefined, { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric' });
const timeFormat = new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit' });
const savedAtFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** The oldest saved copy on screen: the banner must not claim more freshness than the stalest part has. */
function offlineSince(...fetched: (Fetched<unknown> | null)[]): string | null {
  const offline = fetched.filter((f): f is Fetched<unknown> => f?.offline === true).map((f) => f.fetchedAt);
  return offline.length > 0 ? offline.sort()[0]! : null;
}

export function RostersScreen() {
  const filter = useConsole((s) => s.rostersFilter);
  const setFilter = useConsole((s) => s.setRostersFilter);
  const list = useConsole((s) => s.rosterList);
  const loading = useConsole((s) => s.rosterListLoading);
  const openId = useConsole((s) => s.openRosterId);
  const roster = useConsole((s) => s.openRoster);
  const clientRef = useConsole((s) => s.openClientRef);
  const clientHistory = useConsole((s) => s.clientHistory);
  const selectClient = useConsole((s) => s.selectClient);
  const verification = useConsole((s) => s.auditVerification);
  const auditEntries = useConsole((s) => s.auditEntries);
  const colleagues = useConsole((s) => s.colleagues);
  const roles = useConsole((s) => s.account?.user.roles ?? []);
  const canAudit = roles.includes('supervisor') || roles.includes('admin');
  const myId = useConsole((s) => s.account?.user.id ?? null);

  const [listError, setListError] = useState<string | null>(null);
  const [rosterError, setRosterError] = useState<string | null>(null);
  const [clientError, setClientError] = useState<string | null>(null);
  const [auditError, setAuditError] = useState<string | null>(null);
  const [checking, setChecking] = useState(false);
  const [exportNote, setExportNote] = useState<{ ok: boolean; text: string } | null>(null);
  const [exporting, setExporting] = useState(false);
  const [showAudit, setShowAudit] = useState(false);

  const problem = filterProblem(filter);

  // Colleagues name facilitators in the filter and people in audit entries; offline, ids will do.
  useEffect(() => {
    loadColleagues().catch(() => undefined);
  }, []);

  const checkAudit = () => {
    setChecking(true);
    setAuditError(null);
    // An earlier "verified" is not shown as current while a new check runs, or after one fails.
    useConsole.getState().setAuditVerification(null);
    verifyAudit()
      .catch((err: unknown) => setAuditError(messageOf(err)))
      .finally(() => setChecking(false));
  };
  useEffect(() => {
    if (canAudit) checkAudit();
    // Once per visit to the screen; "Check again" re-walks the chain on demand.
  }, [canAudit]);

  // A new range or facilitator: reload the list (debounced while a date is being typed).
  useEffect(() => {
    if (problem) return;
    const t = setTimeout(() => {
      setListError(null);
      loadRosterList().catch((err: unknown) => setListError(messageOf(err)));
    }, 200);
    return () => clearTimeout(t);
  }, [filter, problem]);

  // Reopening the screen with a session still chosen: fetch it again (fresh, or the saved copy).
  useEffect(() => {
    if (openId && !roster) choose(openId);
  }, []);

  useEffect(() => {
    if (showAudit && openId && canAudit) loadAuditEntries(openId).catch((err: unknown) => setAuditError(messageOf(err)));
  }, [showAudit, openId, canAudit]);

  function choose(sessionId: string) {
    setRosterError(null);
    setClientError(null);
    setExportNote(null);
    openRoster(sessionId).catch((err: unknown) => setRosterError(messageOf(err)));
  }

  function chooseClient(ref: string) {
    setClientError(null);
    openClient(ref).catch((err: unknown) => setClientError(messageOf(err)));
  }

  function exportCsv(sessionId: string) {
    setExporting(true);
    setExportNote(null);
    exportRosterCsv(sessionId)
      .then((path) => setExportNote(path ? { ok: true, text: t.rosters.saved(path) } : null))
      .catch((err: unknown) => setExportNote({ ok: false, text: messageOf(err) }))
      .finally(() => setExporting(false));
  }

  const facilitators = colleagues.filter((c) => c.roles.includes('facilitator'));
  const since = offlineSince(list, openId ? roster : null, clientRef ? clientHistory : null);
  const summaries = list?.data ?? [];
  const clientSpan = clientWindow(filter);

  return (
    <div className="rosters">
      <div className="section-head no-print">
        <div>
          <h1>{t.rosters.title}</h1>
          <p className="muted">{t.rosters.lead}</p>
        </div>
        {canAudit && <AuditBadge verification={verification} error={auditError} checking={checking} onCheck={checkAudit} />}
      </div>

      {since && (
        <p className="banner warn offline-banner" role="status" data-testid="rosters-offline">
          {t.rosters.offline(savedAtFormat.format(new Date(since)))}
        </p>
      )}

      <form className="rosters-filters no-print" aria-label={t.rosters.filters} onSubmit={(e) => e.preventDefault()}>
        <label className="field">
          {t.rosters.from}
          <input type="date" value={filter.from} max={filter.to} onChange={(e) => setFilter({ from: e.target.value })} />
        </label>
        <label className="field">
          {t.rosters.to}
          <input type="date" value={filter.to} min={filter.from} onChange={(e) => setFilter({ to: e.target.value })} />
        </label>
        {facilitators.length > 1 && (
          <label className="field">
            {t.rosters.facilitator}
            <select value={filter.facilitatorId} onChange={(e) => setFilter({ facilitatorId: e.target.value })}>
              <option value="">{t.rosters.everyone}</option>
              {facilitators.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.displayName}
                </option>
              ))}
            </select>
          </label>
        )}
        <button type="button" className="button quiet small" onClick={() => setFilter(defaultRostersFilter())}>
          {t.rosters.lastFourWeeks}
        </button>
      </form>
      <ErrorBanner message={problem ?? listError} />

      <div className="table-scroll no-print">
        <table className="table sessions-table" data-testid="roster-sessions" aria-busy={loading}>
          <caption className="visually-hidden">{t.rosters.caption(filter.from, filter.to)}</caption>
          <thead>
            <tr>
              <th scope="col">{t.rosters.columns.session}</th>
              <th scope="col">{t.rosters.columns.date}</th>
              <th scope="col">{t.rosters.columns.facilitator}</th>
              <th scope="col" className="num">
                {t.rosters.columns.invited}
              </th>
              <th scope="col" className="num">
                {t.rosters.columns.attended}
              </th>
              <th scope="col" className="num">
                {t.rosters.columns.minutes}
              </th>
            </tr>
          </thead>
          <tbody>
            {summaries.length === 0 && (
              <tr>
                <td colSpan={6} className="muted">
                  {list === null ? (loading ? t.rosters.loadingSessions : ' ') : t.rosters.noSessions}
                </td>
              </tr>
            )}
            {summaries.map((s) => {
              const current = s.session.id === openId;
              return (
                <tr key={s.session.id} className={current ? 'current' : undefined}>
                  <th scope="row">
                    <button
                      type="button"
                      className="link-button"
                      aria-current={current ? 'true' : undefined}
                      onClick={() => choose(s.session.id)}
                    >
                      {s.session.title}
                    </button>
                  </th>
                  <td>
                    {dayFormat.format(new Date(s.session.startsAt))}, {timeFormat.format(new Date(s.session.startsAt))}
                  </td>
                  <td>{s.facilitatorName}</td>
                  <td className="num">{s.invited}</td>
                  <td className="num">{s.attended}</td>
                  <td className="num">{Math.round(s.minutesPresentTotal)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>

      <ErrorBanner message={rosterError} />
      {openId && roster && (
        <section className="roster-sheet" aria-labelledby="roster-title" data-testid="roster">
          <div className="roster-sheet-head">
            <RosterHeader roster={roster.data} />
            <div className="roster-actions no-print">
              <button type="button" className="button quiet small" onClick={() => exportCsv(openId)} disabled={exporting}>
                {t.rosters.exportCsv}
              </button>
              <button type="button" className="button quiet small" onClick={() => window.print()}>
                {t.rosters.print}
              </button>
              {canAudit && (
                <button type="button" className="button quiet small" aria-pressed={showAudit} onClick={() => setShowAudit((v) => !v)}>
                  {showAudit ? t.rosters.hideAudit : t.rosters.showAudit}
                </button>
              )}
            </div>
          </div>
          {exportNote && (
            <p className={`banner ${exportNote.ok ? 'info' : 'error'} no-print`} role={exportNote.ok ? 'status' : 'alert'} data-testid="export-note">
              {exportNote.text}
            </p>
          )}
          <RosterTable roster={roster.data} openClientRef={clientRef} onOpenClient={chooseClient} />
          <p className="print-only muted small">
            {t.rosters.printed(
              savedAtFormat.format(new Date()),
              roster.offline ? savedAtFormat.format(new Date(roster.fetchedAt)) : null,
              formatMinutes(roster.data.entries.reduce((n, e) => n + e.minutesPresent, 0)),
            )}
          </p>
        </section>
      )}
      {openId && roster && !roster.offline && <RecapPanel session={roster.data.session} myId={myId} />}
      {openId && !roster && !rosterError && <p className="muted">{t.rosters.loadingRoster}</p>}

      {openId && roster && (
        <div className="roster-charts no-print">
          {clientRef ? (
            <div>
              <ErrorBanner message={clientError} />
              <ClientAttendanceChart
                participantRef={clientRef}
                history={clientHistory}
                from={clientSpan.from}
                to={clientSpan.to}
                onClose={() => selectClient(null)}
              />
            </div>
          ) : (
            <section className="panel roster-chart hint">
              <h2>{t.rosters.clientOverWeeks}</h2>
              <p className="muted small">{t.rosters.chooseClient}</p>
            </section>
          )}
          <GroupAttendanceChart list={summaries} sessionId={openId} />
        </div>
      )}

      {openId && roster && canAudit && showAudit && (
        <section className="panel no-print audit-panel" aria-labelledby="audit-title">
          <h2 id="audit-title">{t.rosters.auditTitle}</h2>
          {auditEntries ? <AuditEntries entries={auditEntries} colleagues={colleagues} /> : <p className="muted small">{t.rosters.loading}</p>}
        </section>
      )}
    </div>
  );
}
