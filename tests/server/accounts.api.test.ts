/** The admin API under /api/admin/clinicians, colleagues and /api/me, on the real server. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totp } from '../../src/server/auth/totp.js';
import type { RunningDemo } from '../../src/server/demo.js';
import { CLOSE_SIGNED_OUT, ClinicianAccount, ClinicianAccountList, ColleagueList, TotpEnrolment } from '../../src/shared/protocol.js';
import { api, FAST_SCRYPT, makeClinician, type TestClinician } from './support/api.js';
import { postLogin, signIn } from './support/signIn.js';
import { clinicianHello } from '../support/clinicianHello.js';
import { connectClinician, login } from './support/testServer.js';
import { startDemo } from '../../src/server/demo.js';

let demo: RunningDemo;
let admin: TestClinician;
let adminToken: string;
let facilitatorToken: string;

beforeAll(async () => {
  demo = await startDemo({ invitations: 1, workers: 1, participantDir: '/nonexistent', start: { scrypt: FAST_SCRYPT } });
  admin = await makeClinician(demo.server, 'root.admin', ['admin']);
  adminToken = await admin.signIn();
  facilitatorToken = await login(demo.info);
});
afterAll(async () => {
  await demo.close();
});

const events = async (subjectId: string): Promise<string[]> => (await demo.server.store.audit.list(subjectId)).map((e) => e.event);

describe('who may administer accounts', () => {
  it('answers 403 FORBIDDEN to every admin endpoint for a non-admin, and 401 without a token', async () => {
    const id = admin.id;
    const calls: [('GET' | 'POST' | 'PATCH'), string, unknown][] = [
      ['GET', '/api/admin/clinicians', undefined],
      ['POST', '/api/admin/clinicians', { username: 'x.y', displayName: 'X', password: 'violet-harbour-teapot', roles: ['facilitator'] }],
      ['PATCH', `/api/admin/clinicians/${id}`, { active: false }],
      ['POST', `/api/admin/clinicians/${id}/password`, { password: 'violet-harbour-teapot' }],
      ['POST', `/api/admin/clinicians/${id}/totp`, {}],
    ];
    for (const [method, path, body] of calls) {
      const res = await api(demo.server, method, path, facilitatorToken, body);
      expect([path, res.status, res.body.error?.code]).toEqual([path, 403, 'FORBIDDEN']);
      expect((await api(demo.server, method, path, undefined, body)).status).toBe(401);
    }
    expect((await demo.server.store.clinicians.byId(id))?.active).toBe(true);
  });
});

describe('the admin API', () => {
  it('lists every account with roles, second factor, supervisees and lockout', async () => {
    const res = await api(demo.server, 'GET', '/api/admin/clinicians', adminToken);
    const accounts = ClinicianAccountList.parse(res.list);
    const sup = accounts.find((a) => a.username === 'supervisor');
    const fac = accounts.find((a) => a.username === 'facilitator');
    expect(sup).toMatchObject({ roles: ['supervisor'], active: true, totpEnrolled: true, lockedUntil: null, superviseeIds: [fac?.id] });
  });

  it('creates an account, refusing short and common passwords and taken usernames', async () => {
    const base = { username: 'Dana.Ray', displayName: 'Dana Ray', roles: ['facilitator'] };
    const short = await api(demo.server, 'POST', '/api/admin/clinicians', adminToken, { ...base, password: 'short' });
    expect([short.status, short.body.error?.code]).toEqual([400, 'BAD_REQUEST']);
    expect(short.body.error?.message).toMatch(/at least 12/);
    // The schema refuses it before the policy does, and still says why in a way the console can word.
    expect(short.body.error).toMatchObject({ reason: 'password-too-short', params: { min: 12 } });
    const oddName = await api(demo.server, 'POST', '/api/admin/clinicians', adminToken, { ...base, username: 'dana ray', password: 'violet-harbour-teapot' });
    expect(oddName.body.error).toMatchObject({ code: 'BAD_REQUEST', reason: 'username-invalid' });
    const common = await api(demo.server, 'POST', '/api/admin/clinicians', adminToken, { ...base, password: 'Password1234' });
    expect([common.status, common.body.error?.message]).toEqual([400, 'that password is one of the most commonly used; choose another']);

    const made = await api(demo.server, 'POST', '/api/admin/clinicians', adminToken, { ...base, password: 'violet-harbour-teapot' });
    expect(made.status).toBe(201);
    const account = ClinicianAccount.parse(made.body);
    expect(account).toMatchObject({ username: 'dana.ray', displayName: 'Dana Ray', roles: ['facilitator'], active: true, totpEnrolled: false });
    expect(await events(account.id)).toEqual(['clinician.created']);
    expect((await demo.server.store.audit.list(account.id))[0]?.actorId).toBe(admin.id);

    const again = await api(demo.server, 'POST', '/api/admin/clinicians', adminToken, { ...base, username: 'DANA.RAY', password: 'violet-harbour-teapot' });
    expect([again.status, again.body.error?.code]).toEqual([409, 'CONFLICT']);

    // Without a second factor the new account cannot sign in yet; after enrolment it can.
    const before = await postLogin(demo.server.httpUrl, { username: 'dana.ray', password: 'violet-harbour-teapot', totp: '123456' });
    expect(before.status).toBe(401);
    expect(JSON.stringify(before.body)).toMatch(/an admin must enrol one/);
    const enrol = await api(demo.server, 'POST', `/api/admin/clinicians/${account.id}/totp`, adminToken, {});
    const { secret, otpauthUri } = TotpEnrolment.parse(enrol.body);
    expect(otpauthUri).toContain(`secret=${secret}`);
    expect(otpauthUri.startsWith('otpauth://totp/Confidant:dana.ray?')).toBe(true);
    expect(await signIn(demo.server.httpUrl, 'dana.ray', 'violet-harbour-teapot', secret)).toMatch(/^[\w-]{43}$/);
    expect(await events(account.id)).toEqual(['clinician.created', 'login.refused', 'clinician.totp_enrolled', 'login.ok']);
  });

  it('re-enrolling replaces the second factor: the old secret stops working', async () => {
    const c = await makeClinician(demo.server, 'erin', ['facilitator']);
    const enrol = TotpEnrolment.parse((await api(demo.server, 'POST', `/api/admin/clinicians/${c.id}/totp`, adminToken, {})).body);
    const old = await postLogin(demo.server.httpUrl, { username: 'erin', password: c.password, totp: totp(c.secret) });
    expect(old.status).toBe(401);
    expect(await signIn(demo.server.httpUrl, 'erin', c.password, enrol.secret)).toBeTruthy();
  });

  it('sets roles, display name and supervisees, validating supervisees', async () => {
    const sup = await makeClinician(demo.server, 'sol', ['facilitator']);
    const fac = await makeClinician(demo.server, 'fern', ['facilitator']);
    const notSupervisor = await api(demo.server, 'PATCH', `/api/admin/clinicians/${sup.id}`, adminToken, { superviseeIds: [fac.id] });
    expect([notSupervisor.status, notSupervisor.body.error?.message]).toEqual([400, 'only a supervisor has supervisees']);
    const res = await api(demo.server, 'PATCH', `/api/admin/clinicians/${sup.id}`, adminToken, {
      roles: ['supervisor', 'facilitator'],
      displayName: 'Sol S.',
      superviseeIds: [fac.id],
    });
    expect(res.status).toBe(200);
    expect(ClinicianAccount.parse(res.body)).toMatchObject({ roles: ['facilitator', 'supervisor'], displayName: 'Sol S.', superviseeIds: [fac.id] });
    const selfSupervision = await api(demo.server, 'PATCH', `/api/admin/clinicians/${sup.id}`, adminToken, { superviseeIds: [sup.id] });
    expect(selfSupervision.status).toBe(400);
    const nonFacilitator = await api(demo.server, 'PATCH', `/api/admin/clinicians/${sup.id}`, adminToken, { superviseeIds: [admin.id] });
    expect(nonFacilitator.body.error?.message).toBe('a supervisee must be a facilitator');
    expect(await events(sup.id)).toEqual(['clinician.renamed', 'clinician.roles_set', 'clinician.supervisees_set']);
    const unknown = await api(demo.server, 'PATCH', '/api/admin/clinicians/nobody', adminToken, { active: false });
    expect(unknown.status).toBe(404);
  });

  it('shows a lockout to admins and lets them end it', async () => {
    const c = await makeClinician(demo.server, 'gale', ['facilitator']);
    for (let i = 0; i < 5; i++) await postLogin(demo.server.httpUrl, { username: 'gale', password: 'wrong-password-x', totp: '000000' });
    const locked = await postLogin(demo.server.httpUrl, { username: 'gale', password: c.password, totp: totp(c.secret) });
    expect(locked.status).toBe(429);
    const account = ClinicianAccountList.parse((await api(demo.server, 'GET', '/api/admin/clinicians', adminToken)).list).find((a) => a.id === c.id);
    expect(Date.parse(account?.lockedUntil ?? '')).toBeGreaterThan(Date.now());
    const unlocked = await api(demo.server, 'PATCH', `/api/admin/clinicians/${c.id}`, adminToken, { unlock: true });
    expect(unlocked.body.lockedUntil).toBeNull();
    expect(await c.signIn()).toBeTruthy();
    expect(await events(c.id)).toEqual(expect.arrayContaining(['account.locked', 'login.rate_limited', 'account.unlocked', 'login.ok']));
  });

  it('resets a password, refusing a common one, and revokes the account\'s tokens', async () => {
    const c = await makeClinician(demo.server, 'hal', ['facilitator']);
    const token = await c.signIn();
    const common = await api(demo.server, 'POST', `/api/admin/clinicians/${c.id}/password`, adminToken, { password: 'qwertyuiop123' });
    expect(common.status).toBe(400);
    const reset = await api(demo.server, 'POST', `/api/admin/clinicians/${c.id}/password`, adminToken, { password: 'new-violet-teapot-9' });
    expect([reset.status, reset.body]).toEqual([200, {}]);
    expect((await api(demo.server, 'GET', '/api/me', token)).status).toBe(401);
    expect(await signIn(demo.server.httpUrl, 'hal', 'new-violet-teapot-9', c.secret)).toBeTruthy();
    expect(await events(c.id)).toEqual(expect.arrayContaining(['clinician.password_reset', 'tokens.revoked']));
  });

  it('refuses to leave no active admin', async () => {
    // The demo seeds an admin of its own; with it deactivated, root.admin is the last one.
    const demoAdmin = (await demo.server.store.clinicians.byUsername('admin'))!;
    expect((await api(demo.server, 'PATCH', `/api/admin/clinicians/${demoAdmin.id}`, adminToken, { active: false })).status).toBe(200);
    const res = await api(demo.server, 'PATCH', `/api/admin/clinicians/${admin.id}`, adminToken, { roles: ['facilitator'] });
    expect([res.status, res.body.error?.message]).toEqual([409, 'at least one active admin must remain']);
    const off = await api(demo.server, 'PATCH', `/api/admin/clinicians/${admin.id}`, adminToken, { active: false });
    expect(off.status).toBe(409);
  });
});

describe('deactivation', () => {
  it('revokes every token and closes the account\'s live session socket at once', async () => {
    const fac = await connectClinician(demo.info);
    const sessionsBefore = await api(demo.server, 'GET', '/api/sessions', facilitatorToken);
    expect(sessionsBefore.status).toBe(200);
    const facId = (await demo.server.store.clinicians.byUsername('facilitator'))!.id;

    const res = await api(demo.server, 'PATCH', `/api/admin/clinicians/${facId}`, adminToken, { active: false });
    expect(res.body.active).toBe(false);
    expect((await fac.client.closed).code).toBe(CLOSE_SIGNED_OUT);
    expect((await api(demo.server, 'GET', '/api/sessions', facilitatorToken)).status).toBe(401);
    expect(await events(facId)).toEqual(expect.arrayContaining(['clinician.deactivated', 'tokens.revoked']));
    // Colleagues lists only active clinicians.
    const colleagues = ColleagueList.parse((await api(demo.server, 'GET', '/api/clinicians', adminToken)).list);
    expect(colleagues.some((c) => c.id === facId)).toBe(false);
    expect(colleagues.some((c) => c.id === admin.id)).toBe(true);

    await api(demo.server, 'PATCH', `/api/admin/clinicians/${facId}`, adminToken, { active: true });
  });

  it('made elsewhere (the admin command) closes live sockets at the next heartbeat sweep', async () => {
    const sup = await connectClinician(demo.info, 'supervisor');
    const supId = (await demo.server.store.clinicians.byUsername('supervisor'))!.id;
    await demo.server.store.clinicians.setActive(supId, false);
    await demo.server.store.tokens.revokeAllFor(supId);
    expect(sup.client.isOpen).toBe(true);
    await demo.server.live.sweep(demo.server.auth);
    expect((await sup.client.closed).code).toBe(CLOSE_SIGNED_OUT);
    await demo.server.store.clinicians.setActive(supId, true);
  });
});

describe('me, colleagues and sign-out', () => {
  it('GET /api/me answers the signed-in user', async () => {
    const res = await api(demo.server, 'GET', '/api/me', adminToken);
    expect(res.body).toEqual({ id: admin.id, username: 'root.admin', displayName: 'root.admin', roles: ['admin'] });
  });

  it('sign-out revokes the token and closes the sockets opened with it', async () => {
    const sup = await makeClinician(demo.server, 'ike', ['supervisor']);
    await demo.server.store.clinicians.addSupervision(sup.id, (await demo.server.store.clinicians.byUsername('facilitator'))!.id);
    const token = await sup.signIn();
    const { TestClient } = await import('./support/wsClient.js');
    const ws = await TestClient.connect(demo.info.wsUrl);
    await ws.call('hello', await clinicianHello(demo.info.httpUrl, token, demo.info.sessionId));
    expect((await api(demo.server, 'POST', '/api/logout', token, {})).status).toBe(200);
    expect((await ws.closed).code).toBe(CLOSE_SIGNED_OUT);
    expect((await api(demo.server, 'GET', '/api/me', token)).status).toBe(401);
  });
});
