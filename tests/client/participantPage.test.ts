/** The participant page's pure helpers: reading its own URL and the agreement's Markdown. */
import { describe, expect, it } from 'vitest';
import { inviteTokenFrom, socketUrlFor } from '../../src/participant/location';
import { inlineRuns, parseAgreementBlocks } from '../../src/participant/agreementMarkdown';

describe('the invitation token comes from the page URL', () => {
  it('reads /join/TOKEN, with or without a trailing slash', () => {
    expect(inviteTokenFrom('/join/abc-DEF_123')).toBe('abc-DEF_123');
    expect(inviteTokenFrom('/join/abc/')).toBe('abc');
  });
  it('refuses anything else', () => {
    for (const p of ['/', '/join/', '/join', '/p/index.html', '/join/a/b', '/join/%E0%A4%A']) {
      expect(inviteTokenFrom(p)).toBeNull();
    }
    expect(inviteTokenFrom(`/join/${'x'.repeat(300)}`)).toBeNull();
  });
  it('talks to the same origin, over wss when the page is https', () => {
    expect(socketUrlFor({ protocol: 'http:', host: '127.0.0.1:8080' })).toBe('ws://127.0.0.1:8080/ws');
    expect(socketUrlFor({ protocol: 'https:', host: 'clinic.example' })).toBe('wss://clinic.example/ws');
  });
});

describe('the agreement text', () => {
  it('keeps headings, paragraphs and lists, joining wrapped lines', () => {
    const text = [
      '# Our agreement',
      '',
      'This group works because',
      'everyone can speak freely.',
      '',
      '- **Stays in group.** You may share what you',
      '  learned about yourself.',
      '- **No recording.**',
      '',
      'Thank you.',
    ].join('\n');
    expect(parseAgreementBlocks(text)).toEqual([
      { kind: 'heading', text: 'Our agreement' },
      { kind: 'para', text: 'This group works because everyone can speak freely.' },
      { kind: 'list', items: ['**Stays in group.** You may share what you learned about yourself.', '**No recording.**'] },
      { kind: 'para', text: 'Thank you.' },
    ]);
  });
  it('splits bold runs and leaves anything else as plain text', () => {
    expect(inlineRuns('**Bold** then <b>not html</b> and ** stray')).toEqual([
      { text: 'Bold', bold: true },
      { text: ' then <b>not html</b> and ** stray', bold: false },
    ]);
  });
});
