// The generated state diagrams must match the exported tables (fails when a table changes and
// `npx tsx tools/scripts/diagrams.ts` was not run), and the renderers produce valid mermaid shapes.
import { describe, expect, it } from 'vitest';
import { END, START, renderStateList, renderTransitions, replaceBlock, syncDiagrams } from '../diagrams.js';

describe('state diagrams', () => {
  it('are up to date in every file that has the markers', async () => {
    const { files } = await syncDiagrams({ check: true });
    const stale = files.filter((f) => f.status === 'stale').map((f) => f.file);
    expect(stale, 'run `npx tsx tools/scripts/diagrams.ts` to regenerate').toEqual([]);
    expect(files.find((f) => f.file === 'docs/architecture.md')?.status).toBe('ok');
  });

  it('renders a transition table with merged labels and safe ids', () => {
    const text = renderTransitions([
      { from: 'greeting', to: 'ready', event: 'EHLO' },
      { from: 'greeting', to: 'ready', event: 'HELO' },
      { from: 'ready', to: 'mail-from', command: 'MAIL' },
    ]);
    expect(text).toContain('stateDiagram-v2');
    expect(text).toContain('state "mail-from" as s_mail_from');
    expect(text).toContain('s_greeting --> s_ready: EHLO, HELO');
    expect(text).toContain('[*] --> s_greeting');
  });

  it('renders an ordered state list as a chain with the legacy codes', () => {
    const text = renderStateList([{ name: 'banner', stage: 1 }, { name: 'ehlo', stage: 2 }]);
    expect(text).toContain('state "banner (1)" as s_banner');
    expect(text).toContain('s_banner --> s_ehlo');
  });

  it('replaces only the text between the markers', () => {
    const doc = `a\n${START}\nold\n${END}\nb\n`;
    expect(replaceBlock(doc, 'new')).toBe(`a\n${START}\nnew\n${END}\nb\n`);
    expect(replaceBlock('no markers', 'x')).toBeUndefined();
  });
});
