/**
 * A connection's quality (src/client/connectionQuality.ts): the level of one measurement,
 * reading it from the transports' stats (loss over each interval, the worse direction), and the
 * level over time, which changes only when two measurements in a row agree.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ProtocolError } from '../../src/shared/protocol';
import { directionsOf, freshCounters, levelReporter, qualityOf, QualityTrend, RISE_MARGIN, sampleOf, THRESHOLDS, watchConnection, type LinkLevels } from '../../src/client/connectionQuality';

/** A stats report as the browser gives it: a map of stats by id. */
function report(...stats: Record<string, unknown>[]): RTCStatsReport {
  return new Map(stats.map((s) => [s['id'] as string, s])) as unknown as RTCStatsReport;
}
const pair = (rttS: number, outBps?: number) => ({
  id: 'pair',
  type: 'candidate-pair',
  nominated: true,
  state: 'succeeded',
  currentRoundTripTime: rttS,
  ...(outBps === undefined ? {} : { availableOutgoingBitrate: outBps }),
});
const inbound = (id: string, received: number, lost: number, nackCount = 0) => ({ id, type: 'inbound-rtp', packetsReceived: received, packetsLost: lost, nackCount });

describe('the level of one measurement', () => {
  it('is good on a clear link, weak past the first limits and poor past the second', () => {
    expect(qualityOf({})).toBe('good');
    expect(qualityOf({ rttMs: 40, loss: 0, outgoingKbps: 2_000 })).toBe('good');
    expect(qualityOf({ rttMs: THRESHOLDS.weak.rttMs + 1 })).toBe('weak');
    expect(qualityOf({ loss: 0.05 })).toBe('weak');
    expect(qualityOf({ outgoingKbps: 150 })).toBe('weak');
    expect(qualityOf({ rttMs: 900 })).toBe('poor');
    expect(qualityOf({ loss: 0.2, rttMs: 20 })).toBe('poor');
    expect(qualityOf({ outgoingKbps: 80 })).toBe('poor');
  });

  it('says a worse level at the lines, and a better one only well inside them', () => {
    // A link losing 5 % at random measures 2.5 % in some samples: still weak, read from weak.
    expect(qualityOf({ loss: 0.025, rttMs: 20 })).toBe('good');
    expect(qualityOf({ loss: 0.025, rttMs: 20 }, 'weak')).toBe('weak');
    expect(qualityOf({ loss: THRESHOLDS.weak.loss * RISE_MARGIN.loss, rttMs: 20 }, 'weak')).toBe('good');
    expect(qualityOf({ loss: 0, rttMs: 250 }, 'weak')).toBe('weak');
    expect(qualityOf({ loss: 0, rttMs: 150 }, 'weak')).toBe('good');
    // From poor: weak once inside the poor lines by the margin, good once inside the weak ones.
    expect(qualityOf({ loss: 0.08 }, 'poor')).toBe('poor');
    expect(qualityOf({ loss: 0.04 }, 'poor')).toBe('weak');
    expect(qualityOf({ loss: 0.01 }, 'poor')).toBe('good');
    // Worse is said at once, whatever the level so far; the send estimate keeps its lines.
    expect(qualityOf({ loss: 0.04 }, 'good')).toBe('weak');
    expect(qualityOf({ outgoingKbps: 210 }, 'weak')).toBe('good');
    expect(directionsOf({ rttMs: 20, upLoss: 0, downLoss: 0.025 }, { up: 'good', down: 'weak' })).toEqual({ up: 'good', down: 'weak' });
  });
});

describe('reading a measurement from the stats', () => {
  it('takes the round trip of the pair in use, its bandwidth while video is sent, and loss over each interval', () => {
    const counters = freshCounters();
    const video = { id: 'v', type: 'outbound-rtp', kind: 'video', framesSent: 30 };
    // The first read of a stream only sets where it starts.
    expect(sampleOf([report(pair(0.05, 1_500_000), video, inbound('a', 1000, 10))], counters)).toEqual({ rttMs: 50, outgoingKbps: 1500 });
    // Without video going out, the estimate says nothing about the link.
    expect(sampleOf([report(pair(0.05, 90_000))], freshCounters())).toEqual({ rttMs: 50 });
    // Nor with the camera paused or held back: its sent frames stay in the stats (and a
    // disabled track's black frames go on), and a held camera would never be judged fit again.
    expect(sampleOf([report(pair(0.05, 90_000), video)], freshCounters(), 'none')).toEqual({ rttMs: 50 });
    expect(directionsOf(sampleOf([report(pair(0.05, 90_000), video)], freshCounters(), 'none')).up).toBe('good');
    // Capped to its smallest layer, the estimate grows only to about half again what that layer
    // sends: under the weak line it says nothing more, under the poor line the link cannot
    // carry even that layer. (Read as weak, it could keep a recovered link's camera capped.)
    const capped = sampleOf([report(pair(0.05, 180_000), video)], freshCounters(), 'smallest layer');
    expect(capped).toEqual({ rttMs: 50, outgoingKbps: 180, outgoingCapped: true });
    expect(qualityOf(capped)).toBe('good');
    expect(directionsOf(capped).up).toBe('good');
    expect(directionsOf(sampleOf([report(pair(0.05, 180_000), video)], freshCounters(), 'all layers')).up).toBe('weak');
    expect(directionsOf(sampleOf([report(pair(0.05, 80_000), video)], freshCounters(), 'smallest layer')).up).toBe('poor');
    // Loss and the round trip count as before.
    expect(directionsOf(sampleOf([report(pair(0.4, 180_000), video)], freshCounters(), 'smallest layer')).up).toBe('weak');
    // 90 received and 10 lost since: 10 % of this interval, not 20 of 1110 over all time.
    const sample = sampleOf([report(pair(0.05, 1_500_000), video, inbound('a', 1090, 20))], counters);
    expect(sample.loss).toBeCloseTo(0.1);
    expect(qualityOf(sample)).toBe('weak');
  });

  it('takes the worse of what we lose and what the server loses of ours', () => {
    const counters = freshCounters();
    sampleOf([report(inbound('a', 0, 0))], counters);
    const sample = sampleOf([report(inbound('a', 100, 0), { id: 'r', type: 'remote-inbound-rtp', fractionLost: 0.15 })], counters);
    expect(sample.loss).toBeCloseTo(0.15);
    expect(qualityOf(sample)).toBe('poor');
  });

  it('judges each way on its own: what we lose coming down, what the server loses and the estimate going up', () => {
    const counters = freshCounters();
    const video = { id: 'v', type: 'outbound-rtp', kind: 'video', framesSent: 30 };
    sampleOf([report(pair(0.03, 1_500_000), video, inbound('a', 0, 0))], counters);
    // A quarter of what comes down lost; what goes up arrives whole.
    const down = sampleOf([report(pair(0.03, 1_500_000), video, inbound('a', 75, 25), { id: 'r', type: 'remote-inbound-rtp', fractionLost: 0 })], counters);
    expect(down).toMatchObject({ downLoss: 0.25, upLoss: 0 });
    expect(directionsOf(down)).toEqual({ up: 'good', down: 'poor' });
    // The way up starved (the send estimate) while the way down is clear.
    expect(directionsOf({ rttMs: 30, downLoss: 0, upLoss: 0, outgoingKbps: 60 })).toEqual({ up: 'poor', down: 'good' });
    // A long round trip is both ways'.
    expect(directionsOf({ rttMs: 900 })).toEqual({ up: 'poor', down: 'poor' });
  });

  it('counts what retransmission made good as lost by the link: the packets it asked for again', () => {
    const counters = freshCounters();
    sampleOf([report(inbound('voice', 1000, 0, 3), inbound('video', 500, 1, 2))], counters);
    // 5 % of the voice asked for again and all of it sent again: nothing stays lost, the link
    // still lost 5 %. The video lost one for good and asked for it among its NACKs.
    const sample = sampleOf([report(inbound('voice', 1100, 0, 8), inbound('video', 600, 2, 5))], counters);
    expect(sample.downLoss).toBeCloseTo((5 + 3) / 201);
    expect(directionsOf(sample).down).toBe('weak');
    // A clear link asks for nothing again.
    expect(sampleOf([report(inbound('voice', 1200, 0, 8), inbound('video', 700, 2, 5))], counters).downLoss).toBe(0);
  });

  it('ignores a pair that is not the one in use, and too few packets to judge', () => {
    const counters = freshCounters();
    const spare = { ...pair(2), id: 'spare', nominated: false };
    sampleOf([report(spare, inbound('a', 0, 0))], counters);
    expect(sampleOf([report(spare, inbound('a', 5, 3))], counters)).toEqual({});
  });
});

describe('the level over time', () => {
  it('says the first level at once, then changes only when two measurements agree', () => {
    const trend = new QualityTrend();
    expect(trend.add('good')).toBe('good');
    expect(trend.add('poor')).toBeNull();
    expect(trend.add('good')).toBeNull();
    expect(trend.add('weak')).toBeNull();
    expect(trend.add('weak')).toBe('weak');
    expect(trend.current).toBe('weak');
  });
});

describe('watching a connection', () => {
  afterEach(() => vi.useRealTimers());

  it('measures every interval and says each lasting change, until stopped', async () => {
    vi.useFakeTimers();
    let rtt = 0.02;
    const said: string[] = [];
    const stop = watchConnection(async () => [report(pair(rtt))], (q) => said.push(q), 1_000);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(said).toEqual(['good']);
    rtt = 1.2;
    await vi.advanceTimersByTimeAsync(2_000);
    expect(said).toEqual(['good', 'poor']);
    stop();
    rtt = 0.02;
    await vi.advanceTimersByTimeAsync(5_000);
    expect(said).toEqual(['good', 'poor']);
  });

  it('says each way’s level at first and whenever one of them lastingly changes', async () => {
    vi.useFakeTimers();
    let received = 0;
    let lost = 0;
    const levels: LinkLevels[] = [];
    const stop = watchConnection(
      async () => [report(pair(0.02), inbound('a', received, lost))],
      () => undefined,
      1_000,
      (l) => levels.push(l),
    );
    received = 100;
    await vi.advanceTimersByTimeAsync(1_000);
    expect(levels).toEqual([{ up: 'good', down: 'good' }]);
    // Half of what comes down lost, for two measurements: the way down is poor, the way up is not.
    for (let i = 0; i < 2; i++) {
      received += 50;
      lost += 50;
      await vi.advanceTimersByTimeAsync(1_000);
    }
    expect(levels).toEqual([
      { up: 'good', down: 'good' },
      { up: 'good', down: 'poor' },
    ]);
    stop();
  });

  it('keeps a lossy link weak through samples that happen to lose less, and says good once it is clear', async () => {
    vi.useFakeTimers();
    let received = 0;
    let lost = 0;
    const said: string[] = [];
    const levels: LinkLevels[] = [];
    const stop = watchConnection(
      async () => [report(pair(0.02), inbound('a', received, lost))],
      (q) => said.push(q),
      1_000,
      (l) => levels.push(l),
    );
    const interval = async (lostOf200: number): Promise<void> => {
      received += 200 - lostOf200;
      lost += lostOf200;
      await vi.advanceTimersByTimeAsync(1_000);
    };
    await interval(0);
    // 5 % lost on average, as random loss measures it two seconds at a time: 6 %, 5 %, then
    // 2.5 % twice (under the weak line, not well under it), then 5 % again.
    for (const n of [12, 10, 5, 5, 10]) await interval(n);
    expect(said).toEqual(['good', 'weak']);
    expect(levels.at(-1)).toEqual({ up: 'good', down: 'weak' });
    // The link clears: good after two samples.
    for (const n of [0, 0]) await interval(n);
    expect(said).toEqual(['good', 'weak', 'good']);
    expect(levels.at(-1)).toEqual({ up: 'good', down: 'good' });
    stop();
  });
});

describe('telling the server the level', () => {
  afterEach(() => vi.useRealTimers());

  it('tells it again while a report fails, until it gets through, and never an old level over a newer one', async () => {
    vi.useFakeTimers();
    const sent: string[] = [];
    let failing = true;
    const levels = levelReporter(async (q) => {
      sent.push(q);
      if (failing) throw new Error('request timed out');
    }, 1_000);
    levels.report('weak');
    await vi.advanceTimersByTimeAsync(0);
    expect(sent).toEqual(['weak']);
    // A newer level before the retry: the old one is not sent again, the new one is retried.
    levels.report('good');
    await vi.advanceTimersByTimeAsync(2_500);
    expect(sent).toEqual(['weak', 'good', 'good', 'good']);
    failing = false;
    await vi.advanceTimersByTimeAsync(1_000);
    expect(sent).toEqual(['weak', 'good', 'good', 'good', 'good']);
    // Got through: nothing more is sent until the level changes.
    await vi.advanceTimersByTimeAsync(5_000);
    expect(sent).toHaveLength(5);
    levels.report('poor');
    await vi.advanceTimersByTimeAsync(0);
    expect(sent.at(-1)).toBe('poor');
  });

  it('takes a refusal as the answer, but tries a rate-limited report again', async () => {
    vi.useFakeTimers();
    const sent: string[] = [];
    let refusal = new ProtocolError('FORBIDDEN', 'not in this session');
    const levels = levelReporter(async (q) => {
      sent.push(q);
      throw refusal;
    }, 1_000);
    levels.report('weak');
    await vi.advanceTimersByTimeAsync(3_000);
    expect(sent).toEqual(['weak']);
    refusal = new ProtocolError('RATE_LIMITED', 'slow down');
    levels.report('good');
    await vi.advanceTimersByTimeAsync(2_500);
    expect(sent).toEqual(['weak', 'good', 'good', 'good']);
    levels.stop();
  });

  it('sends nothing more once stopped', async () => {
    vi.useFakeTimers();
    const sent: string[] = [];
    const levels = levelReporter(async (q) => {
      sent.push(q);
      throw new Error('closed');
    }, 1_000);
    levels.report('weak');
    await vi.advanceTimersByTimeAsync(0);
    levels.stop();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(sent).toEqual(['weak']);
  });
});
