/**
 * An error in the console's words (issue 23): by its reason when this console knows it and was
 * sent every value the reason's words take, else by its code. The error's English `message` is
 * never shown: it is for logs, and for clients older than reasons.
 */
import { ERROR_REASONS, isErrorReason, ProtocolError, type ErrorCode, type ErrorParams } from '../../../shared/protocol';
import { MediaAccessError } from '../../../client/media';
import { SignalingClosedError } from '../../../client/signaling';
import type { ConsoleCatalogue } from './en';

/**
 * Any failure in the console's words: a refusal by its reason or code, a camera that would not
 * start by its reason, a lost connection as such. Any other error is a fault in the console's
 * own code, and says what it is as it was written (in English).
 */
export function failureText(err: unknown, words: ConsoleCatalogue): string {
  if (err instanceof ProtocolError) return errorText(err, words);
  if (err instanceof MediaAccessError) return words.errors.media[err.reason];
  if (err instanceof SignalingClosedError) return words.errors.connectionLost;
  if (err instanceof Error) return err.message;
  return words.room.somethingWrong;
}

export interface RefusalLike {
  code: ErrorCode;
  reason?: string | undefined;
  params?: ErrorParams | undefined;
}

export function errorText(error: RefusalLike, words: ConsoleCatalogue): string {
  const { reason, params = {} } = error;
  if (isErrorReason(reason)) {
    const word = words.errors.byReason[reason] as string | ((p: ErrorParams) => string);
    if (typeof word === 'string') return word;
    // A newer or older peer may name the values differently: then the code's words, not a gap.
    const complete = ERROR_REASONS[reason].every((name) => {
      const value = params[name];
      return typeof value === 'number' || (typeof value === 'string' && value !== '');
    });
    if (complete) return word(params);
  }
  return words.errors.byCode[error.code];
}
