/**
 * Cells whose first line names another language: `%%cajal` in a Python notebook is Cajal below
 * its first line, and `%%python` (or `%%python3`) in a Cajal notebook is Python. The kernel
 * decides which (`cajal/cells.py`, the one reader of cell headers): every answer to the live
 * check (`diagnostics.ts`) carries the cell's `kind`, and the editor switches to it. This module
 * owns no header rule; until the kernel has answered for a header, the cell keeps the language
 * it has (at first its notebook's).
 */
import { LanguageSupport } from '@codemirror/language';
import { Compartment, EditorState, Extension, Prec, StateEffect, StateField, Text } from '@codemirror/state';
import { MIME, cajal } from './language';

const PYTHON_MIMES = new Set(['text/x-ipython', 'text/x-python', 'text/python']);

/** What `cajal.cells.classify` says a cell is (the `kind` of a `cajal.check` reply). */
export type CellKind = 'cajal' | 'python' | 'ipython';

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

/** Whether to ask the kernel about a cell: every cell of a Cajal notebook, and in another
 *  notebook a cell that starts with an IPython cell magic (`%%…`, whichever: the kernel says
 *  which are Cajal). */
export function isAsked(doc: Text, mime: string): boolean {
  return mime === MIME || firstLine(doc).trimStart().startsWith('%%');
}

/** The kernel's answer about a cell: its kind, for the header line it was given. */
export const kindAnswered = StateEffect.define<{ header: string; kind: CellKind }>();

const answered = StateField.define<{ header: string; kind: CellKind } | null>({
  create: () => null,
  update: (value, tr) => {
    for (const effect of tr.effects) {
      if (effect.is(kindAnswered)) {
        value = effect.value;
      }
    }
    return value;
  }
});

const NONE: Extension = [];
const CAJAL: Extension = Prec.highest(cajal());
const pythonExtensions = new WeakMap<LanguageSupport, Extension>();

/** The language the kernel says a cell is in, ahead of the one its notebook gives it: a
 *  compartment, switched by the transaction that brings the kernel's answer (or that removes
 *  the header). `mime()` is the notebook's MIME type for the cell, `python()` Python's support
 *  once loaded. */
export function cellMagics(mime: () => string, python: () => LanguageSupport | null): Extension {
  const compartment = new Compartment();
  const byKind = (kind: CellKind): Extension => {
    const base = mime();
    if (kind === 'cajal' && PYTHON_MIMES.has(base)) {
      return CAJAL;
    }
    const support = python();
    if (kind === 'python' && base === MIME && support) {
      if (!pythonExtensions.has(support)) {
        pythonExtensions.set(support, Prec.highest(support));
      }
      return pythonExtensions.get(support)!;
    }
    return NONE;
  };
  /** The language for `doc` given the kernel's last answer, or undefined to keep the one it
   *  has (no answer yet for its header). */
  const choose = (doc: Text, known: { header: string; kind: CellKind } | null): Extension | undefined => {
    const header = firstLine(doc);
    if (!isAsked(doc, mime())) {
      return NONE; // not a magic cell: the notebook's language
    }
    return known && known.header === header ? byKind(known.kind) : undefined;
  };
  return [
    answered,
    compartment.of(NONE),
    EditorState.transactionExtender.of(tr => {
      if (!tr.docChanged && !tr.effects.some(e => e.is(kindAnswered))) {
        return null;
      }
      let known = tr.startState.field(answered);
      for (const effect of tr.effects) {
        known = effect.is(kindAnswered) ? effect.value : known;
      }
      const next = choose(tr.newDoc, known);
      return next === undefined || next === compartment.get(tr.startState)
        ? null
        : { effects: compartment.reconfigure(next) };
    })
  ];
}
