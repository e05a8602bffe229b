// The layering issue 13 asks for (acceptance 7), checked on the source itself with TypeScript's
// parser. What a mechanical check can show: which files import which, where the type `any`
// appears, which declarations, calls and string literals a file holds. It cannot tell whether
// a line of host.ts is "wiring" or "logic" in general; it checks the marks libxl logic leaves
// (libxl and xl texts, error types, xenstore paths, database access, the toolstack's area modules).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

const ROOT = resolve(import.meta.dirname, '..');

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap(name => {
    const p = join(dir, name);
    if (statSync(join(ROOT, p)).isDirectory()) return sources(p);
    return /\.tsx?$/.test(name) ? [p] : [];
  });
}

function parse(file: string): ts.SourceFile {
  return ts.createSourceFile(file, readFileSync(join(ROOT, file), 'utf8'), ts.ScriptTarget.Latest, true);
}

function walk(node: ts.Node, visit: (n: ts.Node) => void): void {
  visit(node);
  node.forEachChild(c => walk(c, visit));
}

/** Every module a file names: imports, re-exports, dynamic imports, import types. */
function importedModules(sf: ts.SourceFile): string[] {
  const out: string[] = [];
  walk(sf, n => {
    if ((ts.isImportDeclaration(n) || ts.isExportDeclaration(n)) && n.moduleSpecifier && ts.isStringLiteral(n.moduleSpecifier)) out.push(n.moduleSpecifier.text);
    else if (ts.isCallExpression(n) && n.expression.kind === ts.SyntaxKind.ImportKeyword && n.arguments[0] && ts.isStringLiteral(n.arguments[0])) out.push(n.arguments[0].text);
    else if (ts.isImportTypeNode(n) && ts.isLiteralTypeNode(n.argument) && ts.isStringLiteral(n.argument.literal)) out.push(n.argument.literal.text);
  });
  return out;
}

/** The repository path of a relative import (bare package names stay as they are). */
function importedPath(file: string, spec: string): string {
  return spec.startsWith('.') ? relative(ROOT, resolve(ROOT, dirname(file), spec)) : spec;
}

test('no file under src/dom0 imports src/protocol', () => {
  const files = sources('src/dom0');
  assert.ok(files.length > 20 && files.includes('src/dom0/toolstack/toolstack.ts'), 'the walk finds Dom0');
  const offenders = files.flatMap(f => importedModules(parse(f)).map(s => importedPath(f, s))
    .filter(p => p.startsWith('src/protocol/')).map(p => `${f} imports ${p}`));
  assert.deepEqual(offenders, []);
});

test('no request handler uses the type any, and every handler table is typed from the protocol', () => {
  const files = sources('src/daemon/handlers');
  assert.ok(files.includes('src/daemon/handlers/domain.ts'));
  const anys: string[] = [];
  const untyped: string[] = [];
  for (const f of files) {
    const sf = parse(f);
    walk(sf, n => {
      if (n.kind === ts.SyntaxKind.AnyKeyword) anys.push(`${f}:${sf.getLineAndCharacterOfPosition(n.getStart()).line + 1}`);
      // Every exported table of handlers is declared with the protocol-typed Handlers or StreamHandlers.
      if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name) && /Handlers$/.test(n.name.text)) {
        const t = n.type && ts.isTypeReferenceNode(n.type) ? n.type.typeName.getText(sf) : undefined;
        if (t !== 'Handlers' && t !== 'StreamHandlers') untyped.push(`${f}: ${n.name.text}`);
      }
    });
  }
  assert.deepEqual(anys, [], 'uses of any');
  assert.deepEqual(untyped, [], 'handler tables not typed from the request types');
});

test('host.ts only wires: no libxl texts, errors, xenstore paths, database access or toolstack internals', () => {
  const file = 'src/daemon/host.ts';
  const sf = parse(file);
  const found: string[] = [];
  walk(sf, n => {
    if (ts.isStringLiteralLike(n) || ts.isTemplateHead(n) || ts.isTemplateMiddle(n) || ts.isTemplateTail(n)) {
      const text = n.text;
      if (/\b(libxl|xl|xc): /.test(text)) found.push(`a libxl/xl text: ${text}`);
      if (/^\/(local\/domain|libxl|vm)\b/.test(text)) found.push(`a xenstore path: ${text}`);
    }
    if (ts.isNewExpression(n) && /Error$/.test(n.expression.getText(sf))) found.push(`constructs ${n.expression.getText(sf)}`);
    if (ts.isPropertyAccessExpression(n) && /^(getHost|setHost|putDomain|deleteDomain|updateState|domains|tx)$/.test(n.name.text)
      && /\bstore$/.test(n.expression.getText(sf))) found.push(`database access: ${n.getText(sf)}`);
  });
  // Of the toolstack, the wiring needs the class, Dom0's own tree and what a guest's hardware is.
  const allowed = new Set(['toolstack.ts', 'xs-tree.ts', 'guest-hardware.ts'].map(m => `src/dom0/toolstack/${m}`));
  for (const p of importedModules(sf).map(s => importedPath(file, s))) {
    if (p.startsWith('src/dom0/toolstack/') && !allowed.has(p)) found.push(`imports the toolstack's ${p}`);
  }
  assert.deepEqual(found, []);
});
