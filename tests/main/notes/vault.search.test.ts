import { describe, expect, it, onTestFinished } from 'vitest';
import { ana, body, newNote, withVault } from './support/fixture';

async function seeded() {
  const v = await withVault();
  onTestFinished(v.cleanup);
  const { vault } = v;
  const a = vault.create(newNote({ sessionId: 's-1', serviceDate: '2026-10-01', body: body({ title: 'Anxiety group', clientRefs: ['IOP-1'], sections: { data: 'Practised box breathing.', assessment: '', plan: '' } }) }), ana);
  const b = vault.create(newNote({ sessionId: 's-2', serviceDate: '2026-10-15', body: body({ title: 'Check-in', clientRefs: ['IOP-2'], sections: { data: 'Discussed sleep hygiene and café visits.', assessment: '', plan: '' } }) }), ana);
  const c = vault.create(newNote({ sessionId: null, serviceDate: '2026-11-01', body: body({ title: 'Individual', clientRefs: ['IOP-1', 'IOP-3'], sections: { data: 'Breathing exercises helped with sleep.', assessment: '', plan: '' } }) }), ana);
  return { ...v, a, b, c };
}

const ids = (list: { id: string }[]) => list.map((s) => s.id).sort();

describe('note search and filters', () => {
  it('finds words in titles, client references and sections; every word must match; the last may be a prefix', async () => {
    const { vault, a, b, c } = await seeded();
    expect(ids(vault.list({ query: 'sleep' }))).toEqual([b.id, c.id].sort());
    expect(ids(vault.list({ query: 'breathing sleep' }))).toEqual([c.id]);
    expect(ids(vault.list({ query: 'anx' }))).toEqual([a.id]);
    expect(ids(vault.list({ query: 'iop-3' }))).toEqual([c.id]);
    expect(ids(vault.list({ query: 'CAFE' }))).toEqual([b.id]);
    expect(vault.list({ query: 'nothing-like-this' })).toEqual([]);
  });

  it('filters by client, session and service-date range, alone and with a query', async () => {
    const { vault, a, b, c } = await seeded();
    expect(ids(vault.list({ clientRef: 'IOP-1' }))).toEqual([a.id, c.id].sort());
    expect(ids(vault.list({ sessionId: 's-2' }))).toEqual([b.id]);
    expect(ids(vault.list({ from: '2026-10-10', to: '2026-10-31' }))).toEqual([b.id]);
    expect(ids(vault.list({ from: '2026-10-15' }))).toEqual([b.id, c.id].sort());
    expect(ids(vault.list({ clientRef: 'IOP-1', query: 'sleep' }))).toEqual([c.id]);
    expect(vault.list().map((s) => s.id)).toEqual([c.id, b.id, a.id]);
  });

  it('follows every save: edits, addenda and notes from the server are found, old words are not', async () => {
    const { vault, a } = await seeded();
    vault.list({ query: 'x' }); // builds the index
    vault.saveDraft(a.id, body({ title: 'Mindfulness group', clientRefs: ['IOP-1'] }), 1);
    expect(vault.list({ query: 'anxiety' })).toEqual([]);
    expect(ids(vault.list({ query: 'mindfulness' }))).toEqual([a.id]);
    vault.sign(a.id, ana, false);
    vault.addAddendum(a.id, 'Follow-up about grounding techniques.', ana);
    expect(ids(vault.list({ query: 'grounding' }))).toEqual([a.id]);
    const remote = { ...vault.get(a.id), id: 'remote-1', version: 3, body: body({ title: 'From another workstation', clientRefs: ['IOP-9'] }), addenda: [] };
    vault.applyRemote(remote);
    expect(ids(vault.list({ query: 'workstation' }))).toEqual(['remote-1']);
  });

  it('search is built after a reopen from the sealed notes', async () => {
    const { reopen, c } = await seeded();
    const vault = await reopen();
    expect(ids(vault.list({ query: 'exercises' }))).toEqual([c.id]);
  });
});
