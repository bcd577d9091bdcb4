/**
 * The group confidentiality agreement clients accept at check-in. The file carries its
 * version in a front-matter line (`version: 2026-11`); check-in must quote that exact version,
 * so a client never accepts a text other than the one it was shown.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Agreement } from '../../shared/protocol.js';

export const DEFAULT_AGREEMENT_FILE = fileURLToPath(
  new URL('../../../resources/agreements/group-confidentiality.md', import.meta.url),
);

export class AgreementError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AgreementError';
  }
}

export function parseAgreement(source: string): Agreement {
  const match = /^---\r?\n([\s\S]*?)\r?\n---\r?\n([\s\S]*)$/.exec(source);
  if (!match) throw new AgreementError('the agreement file needs a front matter with its version');
  const version = /^version:\s*(\S+)\s*$/m.exec(match[1] ?? '')?.[1];
  if (!version) throw new AgreementError('the agreement front matter has no version');
  const text = (match[2] ?? '').trim();
  if (text === '') throw new AgreementError('the agreement text is empty');
  return { version, text };
}

export function loadAgreement(file: string = DEFAULT_AGREEMENT_FILE): Agreement {
  return parseAgreement(readFileSync(file, 'utf8'));
}
