/**
 * Renders the agreement (see agreementMarkdown.ts) as React elements, never as HTML, so
 * nothing in the text can inject markup.
 */
import type { ReactNode } from 'react';
import { inlineRuns, parseAgreementBlocks } from '../agreementMarkdown';

function inline(text: string): ReactNode[] {
  return inlineRuns(text).map((r, i) => (r.bold ? <strong key={i}>{r.text}</strong> : r.text));
}

export function AgreementText({ text }: { text: string }) {
  return (
    <>
      {parseAgreementBlocks(text).map((b, i) => {
        switch (b.kind) {
          case 'heading':
            return (
              <h3 key={i} className="agreement__heading">
                {inline(b.text)}
              </h3>
            );
          case 'para':
            return <p key={i}>{inline(b.text)}</p>;
          case 'list':
            return (
              <ul key={i}>
                {b.items.map((it, j) => (
                  <li key={j}>{inline(it)}</li>
                ))}
              </ul>
            );
        }
      })}
    </>
  );
}
