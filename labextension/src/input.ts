/**
 * Unicode input as you type: `\lambda` followed by a space or Tab becomes `λ`. The sequences are
 * the kernel's completion table (`lexicon.json`, generated from `cajal/lexicon.py`).
 */
import { Extension, Prec } from '@codemirror/state';
import { EditorView } from '@codemirror/view';
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

export const unicodeInput: Extension = [
  EditorView.inputHandler.of((view, from, to, text) => from === to && text === ' ' && expand(view, ' ')),
  // Tab runs before JupyterLab's completer sees the key (the kernel would give the same symbol).
  Prec.highest(
    EditorView.domEventHandlers({
      keydown(event, view) {
        if (event.key !== 'Tab' || event.shiftKey || event.ctrlKey || event.altKey || event.metaKey) {
          return false;
        }
        if (!expand(view, '')) {
          return false;
        }
        event.preventDefault();
        event.stopPropagation();
        return true;
      }
    })
  )
];
