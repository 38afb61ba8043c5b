/**
 * Unicode input as you type: `\lambda` followed by a space or Tab becomes `λ`. The sequences are
 * the kernel's completion table (`lexicon.json`, generated from `cajal/lexicon.py`).
 */
import { Extension } from '@codemirror/state';
import { EditorView, ViewPlugin } from '@codemirror/view';
import lexicon from './lexicon.json';
import { settings } from './settings';

const SEQUENCES: Record<string, string> = lexicon.input_sequences;
const LONGEST = Math.max(...Object.keys(SEQUENCES).map(s => s.length));
const TYPED = /\\[^\s\\]+$/;

/** Replace the sequence just before the cursor by its symbol (and `after`); false if none. */
function expand(view: EditorView, after: string): boolean {
  const { main } = view.state.selection;
  if (!settings.unicodeInput || !main.empty || view.state.selection.ranges.length > 1) {
    return false;
  }
  const line = view.state.doc.lineAt(main.head);
  const before = line.text.slice(Math.max(0, main.head - line.from - LONGEST), main.head - line.from);
  const typed = before.match(TYPED)?.[0];
  const symbol = typed === undefined ? undefined : SEQUENCES[typed];
  if (typed === undefined || symbol === undefined) {
    return false;
  }
  const from = main.head - typed.length;
  view.dispatch({
    changes: { from, to: main.head, insert: symbol + after },
    selection: { anchor: from + symbol.length + after.length },
    userEvent: 'input.type'
  });
  return true;
}

/** The editors with Unicode input (the Tab listener below acts only in these). */
const editors = new WeakSet<EditorView>();

export const unicodeInput: Extension = [
  EditorView.inputHandler.of((view, from, to, text) => from === to && text === ' ' && expand(view, ' ')),
  ViewPlugin.define(view => {
    editors.add(view);
    return { destroy: () => editors.delete(view) };
  })
];

/** Tab must reach us before the completer, which JupyterLab and Notebook 7 bind to Tab in
 *  their own keydown listeners (Notebook 7's runs in the capture phase), so we listen first:
 *  on the window, capturing. Only a Tab right after a known sequence is taken. */
export function listenForTab(): void {
  window.addEventListener(
    'keydown',
    event => {
      if (event.key !== 'Tab' || event.shiftKey || event.ctrlKey || event.altKey || event.metaKey) {
        return;
      }
      const view = event.target instanceof HTMLElement ? EditorView.findFromDOM(event.target) : null;
      if (view && editors.has(view) && expand(view, '')) {
        event.preventDefault();
        event.stopImmediatePropagation();
      }
    },
    true
  );
}
