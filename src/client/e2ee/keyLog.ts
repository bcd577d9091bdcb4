/**
 * What happened to the keys of an end-to-end encrypted call, at the browser console's debug
 * level (hidden unless asked for): announcements, who was keyed under which epoch, offers
 * taken or refused, asks again. Support reads it in the developer tools when someone sees or
 * hears nothing, and the end-to-end tests print it with a media failure
 * (tests/support/mediaDiagnostics.ts). Participant ids (random) and epochs only: never a key,
 * a name or a message.
 */
export function keyLog(event: string): void {
  // A browser's console only: in Node (the tests' and benchmarks' own facilitators) debug
  // output would go to stdout, into every log.
  if (typeof document === 'undefined') return;
  console.debug(`[e2ee] ${event}`);
}
