/**
 * The method table: every signaling method's record, gathered from the area modules, and
 * what is derived from it (the method names, the request schemas the server validates
 * against, the request and result types both ends use) and the frames requests and answers
 * travel in. A new method is a record in its area module; only a new area is added here.
 */
import { z } from 'zod';
import type { ErrorBody } from './errors';
import { e2eeMethods } from './e2ee';
import { mediaMethods } from './media';
import { messagingMethods } from './messaging';
import { moderationMethods } from './moderation';
import { sessionMethods } from './session';

export const signalingMethods = {
  ...sessionMethods,
  ...mediaMethods,
  ...messagingMethods,
  ...moderationMethods,
  ...e2eeMethods,
};

type Methods = typeof signalingMethods;
export type MethodName = keyof Methods;
export const METHOD_NAMES = Object.keys(signalingMethods) as MethodName[];

export function isMethodName(name: string): name is MethodName {
  return Object.prototype.hasOwnProperty.call(signalingMethods, name);
}

/** Method name → the schema its request's data must pass. */
export const requestSchemas = Object.fromEntries(METHOD_NAMES.map((m) => [m, signalingMethods[m].request])) as {
  [M in MethodName]: Methods[M]['request'];
};

export type RequestData<M extends MethodName> = z.input<Methods[M]['request']>;
export type ParsedRequestData<M extends MethodName> = z.output<Methods[M]['request']>;
export type ResultTypes = { [M in MethodName]: z.output<Methods[M]['result']> };

/** The outer shape of every client → server frame. */
export const RequestFrame = z.object({
  id: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  method: z.string().min(1).max(64),
  data: z.unknown().optional(),
});
export type RequestFrame = z.infer<typeof RequestFrame>;

export type ResponseFrame =
  | { id: number; ok: true; data: unknown }
  | { id: number | null; ok: false; error: ErrorBody };
