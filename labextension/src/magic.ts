/**
 * Cells whose first line names another language: `%%cajal` in a Python notebook is Cajal below
 * its first line, and `%%python` in a Cajal notebook is Python. The first line decides, as it
 * does for the kernel, so removing the magic line gives the notebook's language back.
 */
import { LanguageSupport } from '@codemirror/language';
import { Compartment, EditorState, Extension, Prec, Text } from '@codemirror/state';
import { MIME, cajal } from './language';

const PYTHON_MIMES = new Set(['text/x-ipython', 'text/x-python', 'text/python']);

/** The first line that is not blank (the kernel skips blank lines before a header too). */
export function firstLine(doc: Text): string {
  for (let n = 1; n <= Math.min(doc.lines, 50); n++) {
    const text = doc.line(n).text;
    if (text.trim()) {
      return text;
    }
  }
  return '';
}

export const isCajalMagic = (line: string) => /^%%cajal(\s|$)/.test(line);
export const isPythonMagic = (line: string) => /^%%python(\s|$)/.test(line);

const NONE: Extension = [];
const CAJAL: Extension = Prec.highest(cajal());
const pythonExtensions = new WeakMap<LanguageSupport, Extension>();

/** The language a cell's first line asks for, ahead of the one its notebook gives it: a
 *  compartment, switched by the transaction that changes the first line. `mime()` is the
 *  notebook's MIME type for the cell, `python()` Python's support once loaded, `source` the
 *  cell's text when its editor is made. */
export function cellMagics(mime: () => string, python: () => LanguageSupport | null, source: string): Extension {
  const choose = (doc: Text): Extension => {
    const head = firstLine(doc);
    const base = mime();
    if (isCajalMagic(head) && PYTHON_MIMES.has(base)) {
      return CAJAL;
    }
    const support = python();
    if (isPythonMagic(head) && base === MIME && support) {
      if (!pythonExtensions.has(support)) {
        pythonExtensions.set(support, Prec.highest(support));
      }
      return pythonExtensions.get(support)!;
    }
    return NONE;
  };
  const compartment = new Compartment();
  return [
    compartment.of(choose(Text.of(source.split('\n')))),
    EditorState.transactionExtender.of(tr => {
      if (!tr.docChanged) {
        return null;
      }
      const next = choose(tr.newDoc);
      return next === compartment.get(tr.startState) ? null : { effects: compartment.reconfigure(next) };
    })
  ];
}

/** Whether the kernel checks this cell live: a Cajal kernel's cell unless it is `%%python`
 *  (or another magic), or a `%%cajal` cell in a Python notebook. */
export function isCheckedCell(state: EditorState, mime: string): boolean {
  const head = firstLine(state.doc);
  if (isCajalMagic(head)) {
    return true;
  }
  return mime === MIME && !head.startsWith('%') && !head.startsWith('!');
}
