/**
 * Concurrent groups at the protocol level, shared by `bench/load.ts` (10 × 10) and
 * `tests/server/load.small.test.ts` (2 × 5): seeding sessions and invitations on a running
 * server, and driving each group as the console and participant pages would, without a
 * browser. Producers get the RTP parameters a browser would send for the router's own
 * codecs; DTLS parameters are well-formed but no handshake happens, so no packet flows.
 */
import { randomInt } from 'node:crypto';
import { newInvitationSecrets } from '../src/server/sessions/invitationService.js';
import type { RunningServer } from '../src/server/server.js';
import type { MethodName, RtpCapabilities } from '../src/shared/protocol.js';
import { fingerprint } from '../tests/server/support/media.js';
import { TestClient } from '../tests/server/support/wsClient.js';
import { clinicianHello } from '../tests/support/clinicianHello.js';

export interface GroupSeed {
  sessionId: string;
  invitations: { token: string; passcode: string }[];
}

/** `groups` live sessions of the demo facilitator, each with `clients` invitations. */
export async function seedGroups(server: RunningServer, groups: number, clients: number): Promise<GroupSeed[]> {
  const facilitator = await server.store.clinicians.byUsername('facilitator');
  if (!facilitator) throw new Error('the demo facilitator is missing');
  const now = new Date();
  const seeded: GroupSeed[] = [];
  for (let g = 0; g < groups; g++) {
    const session = await server.store.sessions.create({
      title: `Load group ${g + 1}`,
      startsAt: now,
      endsAt: new Date(now.getTime() + 90 * 60_000),
      facilitatorId: facilitator.id,
      state: 'live',
    });
    const invitations: GroupSeed['invitations'] = [];
    for (let i = 0; i < clients; i++) {
      const s = newInvitationSecrets(server.store.passcodes);
      await server.store.invitations.create({
        sessionId: session.id,
        participantRef: `LOAD-${g + 1}-${i + 1}`,
        tokenHash: s.tokenHash,
        passcodeHash: s.passcodeHash,
      });
      invitations.push({ token: s.token, passcode: s.passcode });
    }
    seeded.push({ sessionId: session.id, invitations });
  }
  return seeded;
}

type Codec = NonNullable<RtpCapabilities['codecs']>[number] & {
  preferredPayloadType?: number;
  clockRate?: number;
  channels?: number;
  parameters?: Record<string, unknown>;
  rtcpFeedback?: { type: string; parameter?: string }[];
};
type HeaderExtension = NonNullable<RtpCapabilities['headerExtensions']>[number] & {
  kind?: string;
  preferredId?: number;
  direction?: string;
};

/**
 * What mediasoup-client sends to produce a track of `kind` from a browser that offers the
 * router's codecs: the router's first codec of that kind (and its RTX for video), the
 * header extensions the router takes for it, and fresh SSRCs.
 */
export function rtpParametersFor(kind: 'audio' | 'video', caps: RtpCapabilities, mid: string): Record<string, unknown> {
  const all = (caps.codecs ?? []) as Codec[];
  const codec = all.find((c) => c.kind === kind && !c.mimeType.toLowerCase().endsWith('/rtx'));
  if (!codec || codec.preferredPayloadType === undefined) throw new Error(`the router has no ${kind} codec`);
  const rtx = all.find((c) => c.mimeType.toLowerCase() === `${kind}/rtx` && c.parameters?.apt === codec.preferredPayloadType);
  const codecs: Record<string, unknown>[] = [
    {
      mimeType: codec.mimeType,
      payloadType: codec.preferredPayloadType,
      clockRate: codec.clockRate,
      ...(codec.channels ? { channels: codec.channels } : {}),
      parameters: codec.parameters ?? {},
      rtcpFeedback: codec.rtcpFeedback ?? [],
    },
  ];
  if (rtx?.preferredPayloadType !== undefined) {
    codecs.push({
      mimeType: rtx.mimeType,
      payloadType: rtx.preferredPayloadType,
      clockRate: rtx.clockRate,
      parameters: { apt: codec.preferredPayloadType },
      rtcpFeedback: [],
    });
  }
  const headerExtensions = ((caps.headerExtensions ?? []) as HeaderExtension[])
    .filter((h) => h.kind === kind && h.preferredId !== undefined && (h.direction === 'sendrecv' || h.direction === 'sendonly'))
    .map((h) => ({ uri: h.uri, id: h.preferredId, encrypt: false, parameters: {} }));
  const ssrc = randomInt(1, 2 ** 31);
  return {
    mid,
    codecs,
    headerExtensions,
    encodings: [{ ssrc, ...(rtx ? { rtx: { ssrc: ssrc + 1 } } : {}), ...(kind === 'audio' ? { dtx: false } : {}) }],
    rtcp: { cname: `load-${ssrc}`, reducedSize: true },
  };
}

/** Every request's round trip in ms, and how many frames the clients sent in all. */
export interface Tally {
  latenciesMs: number[];
  requests: number;
  consumers: number;
}

export function newTally(): Tally {
  return { latenciesMs: [], requests: 0, consumers: 0 };
}

async function timedCall(tally: Tally, client: TestClient, method: MethodName, data: unknown): Promise<Record<string, unknown>> {
  const started = performance.now();
  tally.requests++;
  const result = await client.call(method, data);
  tally.latenciesMs.push(performance.now() - started);
  return result;
}

/** Creates and connects one WebRTC transport of the caller's, as the client library would. */
export async function connectTransport(tally: Tally, client: TestClient, direction: 'send' | 'recv'): Promise<string> {
  const t = await timedCall(tally, client, 'createTransport', { direction });
  await timedCall(tally, client, 'connectTransport', {
    transportId: t.id,
    dtlsParameters: { role: 'client', fingerprints: [{ algorithm: 'sha-256', value: fingerprint() }] },
  });
  return String(t.id);
}

/** An audio and a video producer on a fresh send transport; returns their ids. */
export async function produceBoth(tally: Tally, client: TestClient, caps: RtpCapabilities): Promise<string[]> {
  const transportId = await connectTransport(tally, client, 'send');
  const ids: string[] = [];
  for (const [i, kind] of (['audio', 'video'] as const).entries()) {
    const produced = await timedCall(tally, client, 'produce', { transportId, kind, rtpParameters: rtpParametersFor(kind, caps, String(i)) });
    ids.push(String(produced.id));
  }
  return ids;
}

/** Consumes (paused, then resumed, as the pages do) every producer in `producerIds`. */
export async function consumeAll(tally: Tally, client: TestClient, caps: RtpCapabilities, producerIds: string[]): Promise<void> {
  if (producerIds.length === 0) return;
  const transportId = await connectTransport(tally, client, 'recv');
  for (const producerId of producerIds) {
    const consumer = await timedCall(tally, client, 'consume', { transportId, producerId, rtpCapabilities: caps });
    await timedCall(tally, client, 'resumeConsumer', { consumerId: consumer.id });
    tally.consumers++;
  }
}

export interface GroupsRun {
  /** checkIn sent → the facilitator's socket has the knock. */
  knockMs: number[];
  /** checkIn sent → the client's socket has `admitted` (the facilitator admits on each knock at once). */
  knockToAdmittedMs: number[];
  admitted: number;
  producers: number;
  consumers: number;
  media: Tally;
  /** All frames the clients and facilitators sent, setup included. */
  requests: number;
  /** Everyone still connected, for measuring the server with the groups live; then `close()`. */
  close(): Promise<void>;
}

class Semaphore {
  private waiting: (() => void)[] = [];
  constructor(private free: number) {}
  async acquire(): Promise<void> {
    if (this.free > 0) {
      this.free--;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }
  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.free++;
  }
}

function onNotification(client: TestClient, name: string, handler: (data: Record<string, unknown>) => void): void {
  client.socket.on('message', (raw) => {
    const frame = JSON.parse(String(raw)) as { notification?: string; data?: Record<string, unknown> };
    if (frame.notification === name) handler(frame.data ?? {});
  });
}

/**
 * Runs the groups side by side: each facilitator joins and admits every knock as it
 * arrives; every client says hello, then all check in within one tick (a burst, as when a
 * group's start time comes); once admitted each produces audio and video, and then
 * everyone, facilitators included, consumes every producer of the group.
 */
export type LoadPhase = 'joined' | 'admitted' | 'media';

/**
 * `onPhase` runs as each phase ends: everyone has said hello ('joined'), everyone is
 * admitted ('admitted'), every producer and consumer is up ('media').
 */
export async function runGroups(
  wsUrl: string,
  token: string,
  groups: GroupSeed[],
  onPhase: (phase: LoadPhase) => void = () => {},
): Promise<GroupsRun> {
  // The HTTP API beside the WebSocket, where the facilitators' hello tickets come from.
  const httpUrl = new URL(wsUrl.replace(/^ws/, 'http')).origin;
  const open: TestClient[] = [];
  const media = newTally();
  let requests = 0;
  const connect = async (): Promise<TestClient> => {
    const c = await TestClient.connect(wsUrl);
    open.push(c);
    return c;
  };

  const knockAt = new Map<string, number>();
  const admittedAt = new Map<string, number>();
  // One facilitator's ticket and hello at a time, as a console asks for one just before its
  // hello: a sign-in holds at most MAX_TICKETS_PER_TOKEN unspent tickets, and ten asked for at
  // once would drop the oldest before they were used.
  const tickets = new Semaphore(1);
  const facilitators = await Promise.all(
    groups.map(async (g) => {
      const fac = await connect();
      await tickets.acquire();
      let hello: Record<string, unknown>;
      try {
        hello = await fac.call('hello', await clinicianHello(httpUrl, token, g.sessionId));
      } finally {
        tickets.release();
      }
      requests++;
      onNotification(fac, 'knock', (data) => {
        const participantId = (data.participant as { participantId: string }).participantId;
        knockAt.set(participantId, performance.now());
        requests++;
        void fac.request('admit', { participantId });
      });
      return { fac, caps: hello.routerRtpCapabilities as RtpCapabilities };
    }),
  );

  // Every hello at once (a passcode check is a keyed hash, not scrypt); not what is measured.
  const clients = await Promise.all(
    groups.map((g, gi) =>
      Promise.all(
        g.invitations.map(async (inv) => {
          const client = await connect();
          const hello = await client.call('hello', { as: 'participant', invite: inv.token, passcode: inv.passcode });
          requests++;
          const participantId = String(hello.participantId);
          const admitted = new Promise<RtpCapabilities>((resolve) =>
            onNotification(client, 'admitted', (data) => {
              admittedAt.set(participantId, performance.now());
              resolve(data.routerRtpCapabilities as RtpCapabilities);
            }),
          );
          return { client, participantId, group: gi, agreementVersion: (hello.agreement as { version: string }).version, admitted };
        }),
      ),
    ),
  ).then((perGroup) => perGroup.flat());

  onPhase('joined');
  // The burst: every check-in leaves in the same tick.
  const sentAt = new Map<string, number>();
  const checkIns = clients.map((c) => {
    sentAt.set(c.participantId, performance.now());
    requests++;
    return c.client.request('checkIn', { displayName: 'Load', agreementVersion: c.agreementVersion, media: { audio: true, video: true } });
  });
  for (const r of await Promise.all(checkIns)) if (!r.ok) throw new Error(`checkIn failed: ${r.error.code}`);
  const caps = await Promise.all(clients.map((c) => c.admitted));
  onPhase('admitted');

  const producerIds = await Promise.all(clients.map((c, i) => produceBoth(media, c.client, caps[i]!)));
  const byGroup = groups.map((_, gi) => clients.flatMap((c, i) => (c.group === gi ? [{ who: c.participantId, ids: producerIds[i]! }] : [])));
  await Promise.all([
    ...clients.map((c, i) =>
      consumeAll(
        media,
        c.client,
        caps[i]!,
        byGroup[c.group]!.filter((p) => p.who !== c.participantId).flatMap((p) => p.ids),
      ),
    ),
    ...facilitators.map((f, gi) => consumeAll(media, f.fac, f.caps, byGroup[gi]!.flatMap((p) => p.ids))),
  ]);
  onPhase('media');

  const knockMs: number[] = [];
  const knockToAdmittedMs: number[] = [];
  for (const c of clients) {
    const sent = sentAt.get(c.participantId)!;
    const knocked = knockAt.get(c.participantId);
    const admitted = admittedAt.get(c.participantId);
    if (knocked !== undefined) knockMs.push(knocked - sent);
    if (admitted !== undefined) knockToAdmittedMs.push(admitted - sent);
  }
  return {
    knockMs,
    knockToAdmittedMs,
    admitted: admittedAt.size,
    producers: producerIds.flat().length,
    consumers: media.consumers,
    media,
    requests: requests + media.requests,
    async close() {
      await Promise.all(open.map((c) => c.close()));
    },
  };
}
