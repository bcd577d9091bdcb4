/** The participant page's words for situations the server reports by code. */
import { describe, expect, it } from 'vitest';
import { notOpenYet } from '../../src/participant/copy';

describe('a session whose waiting room is not open yet', () => {
  it('tells the client when it opens, in their own time, or asks them to come back', () => {
    const message = notOpenYet('the waiting room opens at 2026-11-24T18:45:00.000Z');
    expect(message).toMatch(/isn't open yet\. It opens .+ — please come back then\./);
    expect(notOpenYet('not allowed')).toMatch(/come back a little before your session starts/);
  });
});
