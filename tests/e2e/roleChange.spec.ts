/**
 * A facilitator whose role ends while their session is open: the server closes their socket
 * (1008, "your role in this session has changed") and the console says why, in words, instead
 * of a bare "the connection closed" or a reconnect that could never succeed.
 */
import { expect, test } from '../support/e2eTest';
import { consoleWithDemoServer } from '../support/consoleHost';
import { facilitatorOpensSession } from '../support/flows';
import { freshTotp } from '../support/totpCodes';

const running = consoleWithDemoServer('test');

async function adminApi(method: 'GET' | 'PATCH', path: string, token: string, body?: unknown): Promise<unknown> {
  const res = await fetch(running.demo.info.httpUrl + path, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  expect(res.status, `${method} ${path}`).toBe(200);
  return res.json();
}

test('a facilitator whose role is taken away mid-session is told why the session closed', async ({ browser }) => {
  const consolePage = await (await browser.newContext()).newPage();
  await running.host.attach(consolePage);
  await facilitatorOpensSession(consolePage, running.host, running.demo.info);

  const admin = running.demo.info.admin!;
  const signIn = await fetch(`${running.demo.info.httpUrl}/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: admin.username, password: admin.password, totp: await freshTotp(admin.totpSecret!) }),
  });
  expect(signIn.status).toBe(200);
  const { token } = (await signIn.json()) as { token: string };
  const accounts = (await adminApi('GET', '/api/admin/clinicians', token)) as { id: string; username: string }[];
  const facilitator = accounts.find((a) => a.username === running.demo.info.facilitator.username)!;
  await adminApi('PATCH', `/api/admin/clinicians/${facilitator.id}`, token, { roles: ['supervisor'] });

  await expect(consolePage.getByRole('status').filter({ hasText: 'Your role in this session changed' })).toBeVisible();
});
