/**
 * A clinician's hello as the console makes it: main asks the HTTP API for a fresh
 * single-use ticket with the bearer token, and the socket presents only the ticket.
 */
export async function sessionTicket(httpUrl: string, token: string, sessionId: string): Promise<string> {
  const res = await fetch(`${httpUrl}/api/sessions/${encodeURIComponent(sessionId)}/ticket`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
  });
  const body = (await res.json()) as { ticket?: unknown; error?: { code: string; message: string } };
  if (res.status !== 200 || typeof body.ticket !== 'string') {
    throw new Error(`no session ticket: ${res.status} ${body.error?.code ?? ''} ${body.error?.message ?? ''}`);
  }
  return body.ticket;
}

export interface ClinicianHelloData {
  as: 'clinician';
  ticket: string;
  sessionId: string;
}

/** The data of a clinician `hello` into `sessionId`, with a ticket fetched just now. */
export async function clinicianHello(httpUrl: string, token: string, sessionId: string): Promise<ClinicianHelloData> {
  return { as: 'clinician', ticket: await sessionTicket(httpUrl, token, sessionId), sessionId };
}
