/**
 * Progress notes: every call goes to main, where the vault decrypts and the sync engine
 * runs; nothing about a note is kept in the renderer beyond what is on screen.
 */
import type { NoteBody, TemplateId } from '../../../shared/notes';
import { call } from '../bridge';
import { useConsole } from '../store';

export async function refreshNotesStatus(): Promise<void> {
  useConsole.getState().setNotesStatus(await call('notes:status', {}));
}

export async function refreshNotes(): Promise<void> {
  const { notesFilter: f, account } = useConsole.getState();
  const list = await call('notes:list', {
    ...(f.query.trim() ? { query: f.query.trim() } : {}),
    ...(f.clientRef.trim() ? { clientRef: f.clientRef.trim() } : {}),
    ...(f.from ? { from: f.from } : {}),
    ...(f.to ? { to: f.to } : {}),
  });
  const me = account?.user.id;
  useConsole
    .getState()
    .setNotes(f.awaitingMe ? list.filter((n) => n.status === 'awaiting-cosign' && n.authorId !== me) : list);
}

export async function createNote(template: TemplateId, serviceDate: string, sessionId: string | null): Promise<void> {
  const note = await call('notes:create', { template, serviceDate, sessionId });
  useConsole.getState().openNote(note.id);
  await refreshNotes();
}

export const getNote = (id: string) => call('notes:get', { id });
export const saveNote = (id: string, body: NoteBody, expectedVersion: number) => call('notes:save', { id, body, expectedVersion });
export const signNote = (id: string, needsCosign: boolean) => call('notes:sign', { id, needsCosign });
export const addAddendum = (id: string, text: string) => call('notes:addendum', { id, text });
export const cosignNote = (id: string) => call('notes:cosign', { id });
export const returnNote = (id: string, comment: string) => call('notes:return', { id, comment });
export const resolveConflict = (id: string, keep: 'mine' | 'theirs') => call('notes:resolveConflict', { id, keep });

export async function syncNow(): Promise<void> {
  useConsole.getState().setNotesStatus(await call('notes:sync', {}));
  await refreshNotes();
}
