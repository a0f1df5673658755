// DOS-11: no regular expression in the packages' runtime code has a quantified group that itself
// contains a quantifier (`(a+)+`, `(\s*x)*`, `(a|b*){2,}`): the shape behind catastrophic
// backtracking (the nodemailer ReDoS advisories); nor an unanchored leading run that can fail
// after it (`[ \t]+$`), which is quadratic. A heuristic over every regex literal, found with
// the TypeScript parser; hand-written scanners do the heavy parsing in this project.
import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { ROOT } from '../src/id-table.js';

function sources(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) sources(p, out);
    else if (name.endsWith('.ts') && !name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

/** True when a quantified group contains a quantifier (star height above one). */
function nestedQuantifier(source: string): boolean {
  const stack: boolean[] = [false]; // per open group: has a quantifier inside
  let inClass = false;
  const isQuant = (i: number): boolean => {
    const c = source[i];
    return c === '*' || c === '+' || (c === '{' && /^\{\d+(,\d*)?\}/.test(source.slice(i)));
  };
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') inClass = true;
    else if (c === '(') stack.push(false);
    else if (c === ')') {
      const inner = stack.pop() ?? false;
      if (isQuant(i + 1) && inner) return true;
      if (inner || isQuant(i + 1)) stack[stack.length - 1] = true;
    } else if (isQuant(i)) stack[stack.length - 1] = true;
  }
  return false;
}

/**
 * True for an unanchored pattern that opens with a quantified run and continues (`[ \t]+$`,
 * `\s+x`): on a long run that fails at its end the engine retries from every start position,
 * quadratic time without any nesting. (`[a-z]+` alone is fine: it never fails after a match.)
 */
function unanchoredLeadingRun(source: string): boolean {
  if (source.startsWith('^')) return false;
  const m = /^(?:\\[sSdDwW]|\[(?:\\.|[^\]\\])*\]|\.|[^\\()[|])[+*]/.exec(source);
  return m !== null && m[0].length < source.length && source[m[0].length] !== '?';
}

describe('DOS-11 regex policy', () => {
  it('DOS-11 the heuristic flags the classic shapes and passes simple ones', () => {
    expect(nestedQuantifier('(a+)+')).toBe(true);
    expect(nestedQuantifier('^(\\s*x)*$')).toBe(true);
    expect(nestedQuantifier('(?:a|b*){2,}')).toBe(true);
    expect(nestedQuantifier('^\\d{3}[ -]')).toBe(false);
    expect(nestedQuantifier('([a-z]+)@')).toBe(false);
    expect(nestedQuantifier('[(+)]+')).toBe(false);
    expect(unanchoredLeadingRun('[ \\t]+$')).toBe(true);
    expect(unanchoredLeadingRun('\\s+x')).toBe(true);
    expect(unanchoredLeadingRun('[a-z]+')).toBe(false);
    expect(unanchoredLeadingRun('^\\s+$')).toBe(false);
  });

  it('DOS-11 no regex literal in packages/*/src has a nested quantifier or an unanchored leading run', () => {
    const offenders: string[] = [];
    let seen = 0;
    for (const pkg of readdirSync(join(ROOT, 'packages'))) {
      const src = join(ROOT, 'packages', pkg, 'src');
      for (const file of sources(src)) {
        const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
        const visit = (node: ts.Node): void => {
          if (node.kind === ts.SyntaxKind.RegularExpressionLiteral) {
            seen++;
            const text = node.getText(sf);
            const body = text.slice(1, text.lastIndexOf('/'));
            if (nestedQuantifier(body) || unanchoredLeadingRun(body)) offenders.push(`${relative(ROOT, file)}: ${text}`);
          }
          ts.forEachChild(node, visit);
        };
        visit(sf);
      }
    }
    expect(seen).toBeGreaterThan(0);
    expect(offenders).toEqual([]);
  });
});
