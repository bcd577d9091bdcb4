/**
 * How good one person's connection to the call is (issue 22): good, weak or poor, from what
 * their own browser measures of its link to the SFU every few seconds: the round-trip time of
 * the connection in use, the share of packets lost (what the SFU reports losing of ours, and
 * what the link loses of the group's, counting what retransmission made good), and the
 * bandwidth the browser estimates it can send with. The
 * participant page shows it to the person; the console shows everyone's, so a facilitator
 * knows who is struggling without asking in front of the group.
 */
import { ProtocolError, type ConnectionQuality } from '../shared/protocol';

/** One measurement of a link, over the interval since the previous one. */
export interface LinkSample {
  /** The selected candidate pair's current round trip, in ms. */
  rttMs?: number;
  /** Packets lost of those expected, 0–1, the worse of the two directions. */
  loss?: number;
  /** What the SFU reports losing of what we send, 0–1. */
  upLoss?: number;
  /**
   * What the link loses of what the SFU sends us, 0–1, over enough packets to judge: packets
   * never received, or asked for again (NACK) when they did not come, whichever is more. The
   * voice and the video are both sent again on request, so little stays lost on a lossy link;
   * what had to be asked for is what says the link is weak.
   */
  downLoss?: number;
  /**
   * What the browser estimates it can send, in kbit/s, while it sends video. The estimate
   * grows only as far as what is sent needs, so it says something only about a link carrying
   * video: an audio-only sender's stays low on the best of links.
   */
  outgoingKbps?: number;
  /**
   * The camera goes out in its smallest layer only (capped on a weak way up): the estimate then
   * grows only to about half again what that layer sends, so it can say the link is too poor
   * for that layer, not that it is good enough for the full picture.
   */
  outgoingCapped?: boolean;
}

/** How our camera goes out, as far as the send estimate is concerned (RoomClient.cameraSending). */
export type CameraSending = 'none' | 'smallest layer' | 'all layers';

/** Where a link stops being good, and stops being usable for video. */
export const THRESHOLDS = {
  weak: { rttMs: 300, loss: 0.03, outgoingKbps: 200 },
  poor: { rttMs: 700, loss: 0.1, outgoingKbps: 100 },
} as const;

/**
 * How far back inside a line the round trip and the loss must be for a sample to count as
 * better than the level it is read from. Both swing from sample to sample: a link that loses
 * 5 % of its packets at random measures under 3 % in about one two-second sample in four, and
 * two such samples in a row would say good while the link is still weak; the server then holds
 * its estimate of the way down up (PeerMedia.afterRecovery) and floods the weak link with the
 * full picture. The send estimate is smooth already and keeps its lines.
 */
export const RISE_MARGIN = { rttMs: 2 / 3, loss: 1 / 2 } as const;

const RANK: Record<ConnectionQuality, number> = { good: 0, weak: 1, poor: 2 };

/**
 * The level one sample shows; a sample that measured nothing says good. Read from `from` (the
 * level so far), a sample says a better level only if its round trip and loss are also inside
 * that level's lines by RISE_MARGIN; a worse level it says at the lines themselves.
 */
export function qualityOf(sample: LinkSample, from: ConnectionQuality | null = null): ConnectionQuality {
  const level = levelAt(sample, AT_THE_LINES);
  if (from === null || RANK[level] >= RANK[from]) return level;
  const risen = levelAt(sample, RISE_MARGIN);
  return RANK[risen] < RANK[from] ? risen : from;
}

const AT_THE_LINES = { rttMs: 1, loss: 1 } as const;

/** The level of `sample` with the round-trip and loss lines scaled by `scale`. */
function levelAt(sample: LinkSample, scale: { rttMs: number; loss: number }): ConnectionQuality {
  const past = (level: 'weak' | 'poor'): boolean => {
    const limit = THRESHOLDS[level];
    return (
      (sample.rttMs !== undefined && sample.rttMs > limit.rttMs * scale.rttMs) ||
      (sample.loss !== undefined && sample.loss > limit.loss * scale.loss) ||
      (sample.outgoingKbps !== undefined &&
        sample.outgoingKbps < limit.outgoingKbps &&
        // Capped, the estimate is held near what the smallest layer needs: below the poor line
        // it still says the link cannot carry even that, but under the weak line it says only
        // that the cap is on. Read as weak, it could keep the cap on after the link recovered.
        (level === 'poor' || sample.outgoingCapped !== true))
    );
  };
  if (past('poor')) return 'poor';
  if (past('weak')) return 'weak';
  return 'good';
}

/** Running packet counts, so each sample's loss is over its own interval. */
export interface LossCounters {
  /** By stats id: packets received, lost and asked for again on an inbound stream. */
  inbound: Map<string, InboundCounts>;
}

interface InboundCounts {
  received: number;
  lost: number;
  nacks: number;
}

export const freshCounters = (): LossCounters => ({ inbound: new Map() });

/**
 * Reads a sample from the stats of the call's transports. `counters` carries the inbound
 * counts from the previous read; the first read of a stream measures no loss for it.
 * `camera` says how our camera is being sent now: a paused or held-back camera still has its
 * sent frames in the stats (and Chromium sends a disabled track's black frames), but the
 * estimate no longer measures the link, and read as one it would keep a held-back camera from
 * ever coming back; a camera capped to its smallest layer keeps the estimate near that layer's
 * needs (LinkSample.outgoingCapped).
 */
export function sampleOf(reports: readonly RTCStatsReport[], counters: LossCounters, camera: CameraSending = 'all layers'): LinkSample {
  const sample: LinkSample = {};
  let expected = 0;
  let lost = 0;
  let upLoss: number | undefined;
  let outgoing: number | undefined;
  let sendsVideo = false;
  // Only the streams in this read carry over: a consumer gone with someone who left is dropped.
  const seen = new Map<string, InboundCounts>();
  for (const report of reports) {
    for (const stat of report.values() as IterableIterator<Record<string, unknown> & { type: string; id: string }>) {
      if (stat.type === 'candidate-pair' && stat['nominated'] === true && stat['state'] === 'succeeded') {
        const rtt = num(stat['currentRoundTripTime']);
        if (rtt !== undefined) sample.rttMs = Math.max(sample.rttMs ?? 0, rtt * 1000);
        const out = num(stat['availableOutgoingBitrate']);
        if (out !== undefined && out > 0) outgoing = Math.min(outgoing ?? Infinity, out / 1000);
      } else if (stat.type === 'outbound-rtp' && stat['kind'] === 'video' && (num(stat['framesSent']) ?? 0) > 0) {
        sendsVideo = true;
      } else if (stat.type === 'remote-inbound-rtp') {
        // What the SFU says it lost of what we send, from its receiver reports.
        const fraction = num(stat['fractionLost']);
        if (fraction !== undefined) upLoss = Math.max(upLoss ?? 0, fraction);
      } else if (stat.type === 'inbound-rtp') {
        const received = num(stat['packetsReceived']) ?? 0;
        const lostNow = Math.max(0, num(stat['packetsLost']) ?? 0);
        const nacks = num(stat['nackCount']) ?? 0;
        const before = counters.inbound.get(stat.id);
        seen.set(stat.id, { received, lost: lostNow, nacks });
        if (!before) continue;
        const gotMore = Math.max(0, received - before.received);
        const lostMore = Math.max(0, lostNow - before.lost);
        expected += gotMore + lostMore;
        // Each NACK the browser sent asks again for what the link lost (one or a few packets).
        lost += Math.max(lostMore, Math.min(gotMore, nacks - before.nacks));
      }
    }
  }
  counters.inbound = seen;
  if (sendsVideo && camera !== 'none' && outgoing !== undefined) {
    sample.outgoingKbps = outgoing;
    if (camera === 'smallest layer') sample.outgoingCapped = true;
  }
  const downLoss = expected >= 20 ? lost / expected : undefined;
  if (downLoss !== undefined || upLoss !== undefined) sample.loss = Math.max(downLoss ?? 0, upLoss ?? 0);
  if (upLoss !== undefined) sample.upLoss = upLoss;
  if (downLoss !== undefined) sample.downLoss = downLoss;
  return sample;
}

/** A link's level each way: what we send (the camera's fallback) and what we receive (the group's video's). */
export interface LinkLevels {
  up: ConnectionQuality;
  down: ConnectionQuality;
}

/**
 * The level of each direction of one sample: both share the round trip; the way up also has
 * what the SFU loses of ours and the send estimate, the way down what we lose of the group's.
 * Read from each way's level so far (`from`), a better level needs the margin (qualityOf).
 */
export function directionsOf(sample: LinkSample, from?: { up: ConnectionQuality | null; down: ConnectionQuality | null }): LinkLevels {
  const { rttMs, upLoss, downLoss, outgoingKbps, outgoingCapped } = sample;
  return {
    up: qualityOf({ rttMs, loss: upLoss, outgoingKbps, outgoingCapped }, from?.up),
    down: qualityOf({ rttMs, loss: downLoss }, from?.down),
  };
}

function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/**
 * The level over time: a change is taken only when two samples in a row agree, so one bad
 * moment does not flash "poor" at the whole console, while a lasting change shows within two
 * samples.
 */
export class QualityTrend {
  private level: ConnectionQuality | null = null;
  private candidate: ConnectionQuality | null = null;

  get current(): ConnectionQuality | null {
    return this.level;
  }

  /** Feeds one sample's level; returns the new level when it changed (the first at once), else null. */
  add(seen: ConnectionQuality): ConnectionQuality | null {
    if (this.level === null) {
      this.level = seen;
      return seen;
    }
    if (seen === this.level) {
      this.candidate = null;
      return null;
    }
    if (this.candidate !== seen) {
      this.candidate = seen;
      return null;
    }
    this.level = seen;
    this.candidate = null;
    return seen;
  }
}

/** How often the link is measured. */
export const SAMPLE_EVERY_MS = 2_000;

/**
 * Measures the link every `everyMs` from `stats` (RoomClient.linkStats) and calls `changed`
 * with the level at the first sample and at every lasting change; `directions` (when given)
 * with each direction's level at the first sample and whenever one of them lastingly changes.
 * `camera` (RoomClient.cameraSending) says how our camera is being sent (sampleOf).
 * Returns the stop.
 */
export function watchConnection(
  stats: () => Promise<RTCStatsReport[]>,
  changed: (quality: ConnectionQuality) => void,
  everyMs = SAMPLE_EVERY_MS,
  directions?: (levels: LinkLevels) => void,
  camera: () => CameraSending = () => 'all layers',
): () => void {
  const counters = freshCounters();
  const trend = new QualityTrend();
  const up = new QualityTrend();
  const down = new QualityTrend();
  let stopped = false;
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    stats()
      .then((reports) => {
        if (stopped || reports.length === 0) return;
        const sample = sampleOf(reports, counters, camera());
        const next = trend.add(qualityOf(sample, trend.current));
        if (next) changed(next);
        const levels = directionsOf(sample, { up: up.current, down: down.current });
        const upNext = up.add(levels.up);
        const downNext = down.add(levels.down);
        if ((upNext || downNext) && up.current && down.current) directions?.({ up: up.current, down: down.current });
      })
      .catch(() => undefined)
      .finally(() => {
        busy = false;
      });
  }, everyMs);
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}

/**
 * Tells the server each level `watchConnection` says (`reportConnection`), and a level whose
 * report was lost (the request timed out on a struggling link, or went out while the signaling
 * was reconnecting) or rate limited again every `everyMs` while it is still the level: the therapist hears of a
 * level only when it changes, so one lost report would leave them seeing the old one until the
 * next change. Returns the report function and the stop.
 */
export function levelReporter(
  send: (quality: ConnectionQuality) => Promise<unknown>,
  everyMs = SAMPLE_EVERY_MS,
): { report: (quality: ConnectionQuality) => void; stop: () => void } {
  let current: ConnectionQuality | null = null;
  let retry: ReturnType<typeof setTimeout> | null = null;
  let stopped = false;
  const attempt = (quality: ConnectionQuality): void => {
    send(quality).catch((err: unknown) => {
      // A refusal is an answer, and asking again would get the same one; a limit passes.
      if (err instanceof ProtocolError && err.code !== 'RATE_LIMITED') return;
      if (stopped || current !== quality || retry) return;
      retry = setTimeout(() => {
        retry = null;
        if (!stopped && current === quality) attempt(quality);
      }, everyMs);
    });
  };
  return {
    report: (quality) => {
      current = quality;
      if (retry) clearTimeout(retry);
      retry = null;
      attempt(quality);
    },
    stop: () => {
      stopped = true;
      if (retry) clearTimeout(retry);
      retry = null;
    },
  };
}
