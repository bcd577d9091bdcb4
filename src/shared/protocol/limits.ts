/**
 * The protocol's limits and close codes: how big a frame may be, how many bad requests close
 * a socket, and the codes and reasons a socket closes with. A new limit or close code that
 * both ends must know goes here.
 */

/** Largest WebSocket text frame the server accepts; larger frames close with 1009. */
export const MAX_FRAME_BYTES = 64 * 1024;
/** BAD_REQUEST answers within FLOOD_WINDOW_MS that close the socket with 1008. */
export const FLOOD_LIMIT = 20;
export const FLOOD_WINDOW_MS = 60_000;

export const CLOSE_POLICY_VIOLATION = 1008;
export const CLOSE_MESSAGE_TOO_BIG = 1009;
/**
 * A clinician's socket closed because its sign-in ended: signed out, token expired, password
 * reset or account deactivated (an addition to PROTOCOL.md). The console should ask to sign in again.
 */
export const CLOSE_SIGNED_OUT = 4001;
/**
 * The reason of a 1008 close (and the message of the FORBIDDEN answer before it) when the
 * clinician's role in the session changed while their socket was open: taken off the session,
 * a role removed, a supervision ended. The console says so rather than "the connection closed".
 */
export const ROLE_CHANGED = 'your role in this session has changed';
