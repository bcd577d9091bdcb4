/**
 * Words written into JSX (issue 23), found with the TypeScript compiler: JSX text, a
 * user-facing attribute (aria-label, title, placeholder, alt…), a component's property that
 * reads as a phrase, or a literal a JSX expression shows (`{busy ? 'Checking…' : 'Continue'}`).
 * The participant page must have none (tests/participant/noLiterals.test.ts), the console none
 * outside the files not yet moved to its catalogue (tests/renderer/consoleCatalogue.test.ts).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

/** What may stand in JSX as it is: the product's name, and nothing else with letters. */
const ALLOWED = new Set(['Confidant']);

/** Attributes a person reads or hears. */
const USER_FACING = new Set(['aria-label', 'aria-description', 'aria-roledescription', 'aria-valuetext', 'title', 'placeholder', 'alt', 'label']);

const hasWords = (text: string): boolean => /\p{L}/u.test(text) && !ALLOWED.has(text.trim());

export function tsxFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return tsxFiles(path);
    return entry.name.endsWith('.tsx') ? [path] : [];
  });
}

/** The literals an expression shows: itself, or the branches of a condition or `a || b`. */
function shownLiterals(node: ts.Expression): ts.Node[] {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) || ts.isTemplateExpression(node)) return [node];
  if (ts.isParenthesizedExpression(node)) return shownLiterals(node.expression);
  if (ts.isConditionalExpression(node)) return [...shownLiterals(node.whenTrue), ...shownLiterals(node.whenFalse)];
  if (ts.isBinaryExpression(node) && [ts.SyntaxKind.BarBarToken, ts.SyntaxKind.QuestionQuestionToken, ts.SyntaxKind.AmpersandAmpersandToken].includes(node.operatorToken.kind)) {
    return [...shownLiterals(node.left), ...shownLiterals(node.right)];
  }
  return [];
}

function literalText(node: ts.Node, source: ts.SourceFile): string {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
  if (ts.isTemplateExpression(node)) return [node.head.text, ...node.templateSpans.map((s) => s.literal.text)].join(' ');
  return node.getText(source);
}

/** Every word written into JSX in one file, as "file:line: text". */
export function wordsInJsx(root: string, file: string, code: string = readFileSync(file, 'utf8')): string[] {
  const source = ts.createSourceFile(file, code, ts.ScriptTarget.Latest, true, ts.ScriptKind.TSX);
  const found: string[] = [];
  const report = (node: ts.Node, text: string) => {
    const { line } = source.getLineAndCharacterOfPosition(node.getStart(source));
    found.push(`${relative(root, file)}:${line + 1}: ${text.trim().replace(/\s+/g, ' ')}`);
  };
  const visit = (node: ts.Node): void => {
    if (ts.isJsxText(node) && hasWords(node.text)) report(node, node.text);
    if (ts.isJsxExpression(node) && node.expression && !ts.isJsxAttribute(node.parent)) {
      for (const literal of shownLiterals(node.expression)) {
        const text = literalText(literal, source);
        if (hasWords(text)) report(literal, text);
      }
    }
    if (ts.isJsxAttribute(node) && node.initializer) {
      const name = node.name.getText(source);
      const element = node.parent.parent;
      const onComponent = /^[A-Z]/.test(element.tagName.getText(source));
      const values = ts.isStringLiteral(node.initializer)
        ? [node.initializer]
        : ts.isJsxExpression(node.initializer) && node.initializer.expression
          ? shownLiterals(node.initializer.expression)
          : [];
      for (const value of values) {
        const text = literalText(value, source);
        // A component's property that reads as a phrase (words and a space) is words for a person.
        const phrase = onComponent && /\p{L}\s+\p{L}/u.test(text);
        if (hasWords(text) && (USER_FACING.has(name) || phrase)) report(value, `${name}="${text}"`);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}
