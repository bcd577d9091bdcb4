/**
 * The Confidant session protocol: the contract between the session server, the console and
 * the participant page. docs/protocol.md is its prose; the modules in ./protocol/ are its
 * executable form, and this file gathers them so every caller imports one path. The server
 * validates every incoming frame against these schemas; clients use the derived types. Pure:
 * imports nothing but zod.
 *
 * A new signaling method is one record (request schema, result schema, who may call it in
 * which state) in its area module: session, media, messaging or moderation. The method
 * table (methods.ts) and the authorization table (authorization.ts) are derived from those
 * records; only the server's handler is written elsewhere.
 */
export * from './protocol/limits';
export * from './protocol/errors';
export * from './protocol/errorReasons';
export * from './protocol/values';
export * from './protocol/method';
export * from './protocol/session';
export * from './protocol/media';
export * from './protocol/messaging';
export * from './protocol/moderation';
export * from './protocol/e2ee';
export * from './protocol/methods';
export * from './protocol/authorization';
export * from './protocol/notifications';
export * from './protocol/api/signIn';
export * from './protocol/api/sessions';
export * from './protocol/api/accounts';
export * from './protocol/api/records';
export * from './protocol/demo';
