import { describe, expect, it } from 'vitest';
import {
  CLIENT_METHODS_BY_STATE,
  isAllowed,
  METHOD_NAMES,
  type Caller,
  type MethodName,
  type ParticipantState,
} from '../../src/shared/protocol.js';

/** The table of PROTOCOL.md written out by hand, to check `isAllowed` against. */
const MEDIA: MethodName[] = [
  'createTransport', 'connectTransport', 'restartIce', 'closeTransport', 'produce', 'consume', 'resumeConsumer', 'requestKeyFrame',
  'setConsumerView', 'setProducerPaused', 'reportConnection',
];
/**
 * What a waiting client may do to get its media ready: a connection, and producers the server
 * holds, in the state they are to be announced in at admission; and say how good it is.
 */
const GETTING_READY: MethodName[] = [
  'createTransport', 'connectTransport', 'restartIce', 'closeTransport', 'produce', 'consume', 'setProducerPaused', 'reportConnection',
];
const MODERATION: MethodName[] = [
  'admit', 'admitAll', 'deny', 'verify', 'mute', 'muteAll', 'allowUnmute', 'remove', 'returnToWaiting', 'lock', 'end',
  'crisisInfo', 'setGroupChat', 'clearGroupChat',
];
/** In-call messages: private ones and the group's text channel. */
const MESSAGES: MethodName[] = ['message', 'groupMessage'];
/** End-to-end keys: everyone announces their own; only facilitators read them and share the group's. */
const KEYS_FACILITATORS: MethodName[] = ['memberKeys', 'sendGroupKey', 'allowClearAudio'];
const expected = (caller: Caller, m: MethodName): boolean => {
  if (m === 'hello') return false;
  if (m === 'publishKey') return true;
  if (KEYS_FACILITATORS.includes(m)) return caller.role === 'facilitator';
  switch (caller.role) {
    case 'client':
      return caller.state === 'check-in'
        ? m === 'checkIn' || m === 'leave'
        : caller.state === 'waiting'
          ? m === 'leave' || GETTING_READY.includes(m)
          : m === 'leave' || MESSAGES.includes(m) || MEDIA.includes(m);
    case 'facilitator':
      return m === 'leave' || MESSAGES.includes(m) || MODERATION.includes(m) || MEDIA.includes(m);
    case 'observer':
      return ['leave', 'createTransport', 'connectTransport', 'restartIce', 'closeTransport', 'consume', 'resumeConsumer', 'requestKeyFrame', 'setConsumerView', 'reportConnection'].includes(m);
  }
};

const STATES: ParticipantState[] = ['check-in', 'waiting', 'admitted'];
const CALLERS: Caller[] = [
  ...STATES.map((state): Caller => ({ role: 'client', state })),
  { role: 'facilitator' },
  { role: 'observer' },
];

describe('the authorization table (isAllowed)', () => {
  for (const caller of CALLERS) {
    const label = caller.role === 'client' ? `a client in ${caller.state}` : `a ${caller.role}`;
    for (const method of METHOD_NAMES) {
      const allowed = expected(caller, method);
      it(`${label} ${allowed ? 'may' : 'may not'} call ${method}`, () => {
        expect(isAllowed(caller, method)).toBe(allowed);
      });
    }
  }

  it('never lets a client in check-in near media, nor a waiting one resume anything', () => {
    expect(CLIENT_METHODS_BY_STATE['check-in'].some((m) => MEDIA.includes(m))).toBe(false);
    // A waiting client's consume reaches only its own held producer, and its setProducerPaused
    // only the state its own are announced in once it is admitted (signaling.heldMedia):
    // nothing lets media flow to it, and only its admission releases what it sends.
    for (const m of ['resumeConsumer', 'requestKeyFrame', 'setConsumerView', 'message'] as const) {
      expect(CLIENT_METHODS_BY_STATE.waiting).not.toContain(m);
    }
  });
});
