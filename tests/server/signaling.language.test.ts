/**
 * The group agreement in the client's language (issue 23): a hello names the language it wants
 * and gets that text (and every language's, for a switch at check-in); a check-in quotes the
 * version and the language it accepted, and a mismatch is refused; the clinicians see the
 * language beside the knock, and the roster records it.
 */
import { describe, expect, it } from 'vitest';
import { Roster } from '../../src/shared/protocol.js';
import { api } from './support/api.js';
import { sharedTestDemo } from './support/sharedDemo.js';
import { connectClinician, login } from './support/testServer.js';
import { TestClient } from './support/wsClient.js';

const demo = sharedTestDemo(6);
const inv = (i: number) => demo.info.invitations[i]!;

interface OfferedAgreement {
  version: string;
  text: string;
  language: string;
}

async function hello(i: number, language?: string) {
  const client = await TestClient.connect(demo.info.wsUrl);
  const answer = await client.request('hello', {
    as: 'participant',
    invite: inv(i).token,
    passcode: inv(i).passcode,
    ...(language ? { language } : {}),
  });
  return { client, answer };
}

async function helloOk(i: number, language?: string) {
  const { client, answer } = await hello(i, language);
  if (!answer.ok) throw new Error(`hello refused: ${answer.error.code}`);
  const data = answer.data as { participantId: string; agreement: OfferedAgreement; agreements: OfferedAgreement[] };
  return { client, ...data };
}

describe('the agreement in the client language', () => {
  it('answers a hello in Spanish with the Spanish text, one without a language with the English, and offers both', async () => {
    const es = await helloOk(0, 'es');
    expect(es.agreement).toMatchObject({ language: 'es', text: expect.stringContaining('Lo que se dice en el grupo se queda en el grupo') });
    const en = await helloOk(1);
    expect(en.agreement).toMatchObject({ language: 'en', text: expect.stringContaining('stays in group') });
    // Each language carries its own version.
    expect(es.agreement.version).toMatch(/\S/);
    expect(en.agreement.version).toMatch(/\S/);
    for (const offered of [es.agreements, en.agreements]) {
      expect(offered.map((a) => a.language).sort()).toEqual(['en', 'es']);
      expect(offered).toContainEqual(es.agreement);
      expect(offered).toContainEqual(en.agreement);
    }
    await es.client.close();
    await en.client.close();
  });

  it('refuses a language it does not offer, in a hello and in a check-in', async () => {
    const { client, answer } = await hello(2, 'fr');
    expect(answer).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    await client.close();
    const p = await helloOk(2);
    const checkIn = await p.client.request('checkIn', {
      displayName: 'Noa',
      agreementVersion: p.agreement.version,
      agreementLanguage: 'fr',
      media: { audio: false, video: false },
    });
    expect(checkIn).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    await p.client.close();
  });

  it('refuses a version quoted for another language than its own, with a message that says so', async () => {
    const p = await helloOk(3, 'es');
    const english = p.agreements.find((a) => a.language === 'en')!;
    // The Spanish version quoted as English (no language said), and the English as Spanish.
    const spanishAsEnglish = await p.client.request('checkIn', {
      displayName: 'Noa',
      agreementVersion: p.agreement.version,
      media: { audio: false, video: false },
    });
    expect(spanishAsEnglish).toMatchObject({ ok: false, error: { code: 'CONFLICT', message: expect.stringContaining('not the en text') } });
    const englishAsSpanish = await p.client.request('checkIn', {
      displayName: 'Noa',
      agreementVersion: english.version,
      agreementLanguage: 'es',
      media: { audio: false, video: false },
    });
    expect(englishAsSpanish).toMatchObject({ ok: false, error: { code: 'CONFLICT', message: expect.stringContaining('not the es text') } });
    // A stale version of the right language is the old refusal.
    const stale = await p.client.request('checkIn', {
      displayName: 'Noa',
      agreementVersion: '1999-01',
      agreementLanguage: 'es',
      media: { audio: false, video: false },
    });
    expect(stale).toMatchObject({ ok: false, error: { code: 'CONFLICT', message: 'the agreement has changed; please read it again' } });
    await p.client.close();
  });

  it('shows the clinicians the language beside the knock, and the roster records which language was accepted', async () => {
    const fac = await connectClinician(demo.info);
    // Hello in English, then switched to Spanish at check-in: the Spanish text is accepted.
    const switched = await helloOk(4);
    const spanish = switched.agreements.find((a) => a.language === 'es')!;
    expect(
      await switched.client.call('checkIn', {
        displayName: 'Lucía',
        agreementVersion: spanish.version,
        agreementLanguage: 'es',
        media: { audio: false, video: false },
      }),
    ).toMatchObject({ state: 'waiting' });
    const knock = await fac.client.waitFor('knock', (d) => d.participant.participantId === switched.participantId);
    expect(knock.participant.language).toBe('es');

    // An older page says no language: English, and the knock says so.
    const older = await helloOk(5);
    await older.client.call('checkIn', { displayName: 'Sam', agreementVersion: older.agreement.version, media: { audio: false, video: false } });
    const olderKnock = await fac.client.waitFor('knock', (d) => d.participant.participantId === older.participantId);
    expect(olderKnock.participant.language).toBe('en');

    const token = await login(demo.info, 'supervisor');
    const answer = await api(demo.server, 'GET', `/api/sessions/${demo.info.sessionId}/roster`, token);
    const entries = Roster.parse(answer.list);
    expect(entries.find((e) => e.participantId === switched.participantId)).toMatchObject({
      agreementVersion: spanish.version,
      agreementLanguage: 'es',
    });
    expect(entries.find((e) => e.participantId === older.participantId)).toMatchObject({
      agreementVersion: older.agreement.version,
      agreementLanguage: 'en',
    });
    await switched.client.close();
    await older.client.close();
    await fac.client.close();
  });
});
