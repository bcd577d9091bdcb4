/**
 * The authorization table: who may call which method after hello, and in which state. It is
 * derived from each method's `mayCall` (method.ts, the area modules) and written nowhere
 * else; `isAllowed` reads it. The server adds per-object checks (a transport must be the
 * caller's own) on top.
 */
import type { WhoMayCall } from './method';
import { METHOD_NAMES, signalingMethods, type MethodName } from './methods';
import type { ParticipantState } from './values';

export type Caller =
  | { role: 'client'; state: ParticipantState }
  | { role: 'facilitator' }
  | { role: 'observer' };

function whoMayCall(method: MethodName): WhoMayCall {
  return signalingMethods[method].mayCall;
}

function clientMethodsIn(state: ParticipantState): readonly MethodName[] {
  return METHOD_NAMES.filter((m) => whoMayCall(m).client?.includes(state) === true);
}

/** Participant methods by state (PROTOCOL.md, "Participant methods, by state"). */
export const CLIENT_METHODS_BY_STATE: Record<ParticipantState, readonly MethodName[]> = {
  'check-in': clientMethodsIn('check-in'),
  waiting: clientMethodsIn('waiting'),
  admitted: clientMethodsIn('admitted'),
};

/** Every method a session's facilitators may call. */
export const FACILITATOR_METHODS: readonly MethodName[] = METHOD_NAMES.filter((m) => whoMayCall(m).facilitator === true);

/** The methods an observer may use: receiving media only. */
export const OBSERVER_METHODS: readonly MethodName[] = METHOD_NAMES.filter((m) => whoMayCall(m).observer === true);

/**
 * The authorization table, as a pure function: may this caller (after a successful hello)
 * call this method? `hello` is never allowed twice.
 */
export function isAllowed(caller: Caller, method: MethodName): boolean {
  if (method === 'hello') return false;
  switch (caller.role) {
    case 'client':
      return CLIENT_METHODS_BY_STATE[caller.state].includes(method);
    case 'facilitator':
      return FACILITATOR_METHODS.includes(method);
    case 'observer':
      return OBSERVER_METHODS.includes(method);
  }
}
