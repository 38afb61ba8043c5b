/**
 * The Cajal infoview: a side panel that shows, for the cursor in a Cajal cell, the innermost
 * term's type, the linear context split there, the enclosing item's small heatmap with the axes
 * that term reads highlighted, and the cell's error. It asks the kernel over the `cajal.check`
 * comm (`{code, info: offset}`, see `cajal/infoview.py`) about 300 ms after typing or moving
 * the cursor stops, and again after any cell of the notebook runs (a name the cell uses may
 * have been defined), when the cell's lint diagnostics are refreshed too.
 *
 * Source ↔ neuron linking: hovering an element that carries `data-cajal-span="l1:c1-l2:c2"`
 * (a heatmap axis of the panel or of a `:matrix` / `:graph` output) highlights that span in
 * the cell's editor.
 */
import { Extension, StateEffect, StateField, Text } from '@codemirror/state';
import { Decoration, DecorationSet, EditorView, ViewPlugin, ViewUpdate } from '@codemirror/view';
import { Kernel } from '@jupyterlab/services';
import { Widget } from '@lumino/widgets';
import { IReply, ask, recheck } from './diagnostics';
import { isAsked } from './magic';
import { settings } from './settings';

const DELAY_MS = 300;

interface IVariable {
  name: string;
  type: string;
}

interface IInfo {
  term: { from: number; to: number } | null;
  type: string | null;
  consumes: IVariable[];
  rest: IVariable[];
  item: string | null;
  weights: { html: string; text: string; highlight: string[]; part_html: string | null } | null;
  weights_note: string | null;
  error: { from: number; to: number; message: string; hint: string } | null;
}

// ------------------------------------------------------------------ source highlighting

const setHighlight = StateEffect.define<{ from: number; to: number } | null>();
const highlightMark = Decoration.mark({ class: 'cajal-linked-source' });

/** The source span highlighted because its neuron (or the infoview's term) is hovered. */
const linkedSource = StateField.define<DecorationSet>({
  create: () => Decoration.none,
  update(marks, tr) {
    marks = marks.map(tr.changes);
    for (const effect of tr.effects) {
      if (effect.is(setHighlight)) {
        const span = effect.value;
        marks = span && span.to > span.from ? Decoration.set([highlightMark.range(span.from, span.to)]) : Decoration.none;
      }
    }
    return marks;
  },
  provide: field => EditorView.decorations.from(field)
});

/** The offset in `doc` of (line, column) as Cajal counts them (lines and characters from 1). */
function offsetOf(doc: Text, line: number, col: number): number {
  const n = Math.max(1, Math.min(line, doc.lines));
  const text = doc.line(n);
  let units = 0;
  let chars = 0;
  for (const ch of text.text) {
    if (chars >= col - 1) {
      break;
    }
    units += ch.length;
    chars += 1;
  }
  return text.from + units;
}

/** `l1:c1-l2:c2` as offsets in `doc`, or null if it does not parse. */
export function parseSpan(doc: Text, attr: string): { from: number; to: number } | null {
  const m = /^(\d+):(\d+)-(\d+):(\d+)$/.exec(attr);
  if (!m) {
    return null;
  }
  const [l1, c1, l2, c2] = m.slice(1).map(Number);
  return { from: offsetOf(doc, l1, c1), to: offsetOf(doc, l2, c2) };
}

/** Highlight `attr` (a `data-cajal-span`) in `view`, or clear the highlight with null. */
export function highlightSource(view: EditorView, attr: string | null): void {
  const span = attr === null ? null : parseSpan(view.state.doc, attr);
  view.dispatch({ effects: setHighlight.of(span) });
}

// ------------------------------------------------------------------ the panel

/** The side panel's widget: what it shows for the cell being edited. */
export class InfoviewPanel extends Widget {
  private view: EditorView | null = null;
  private timer = 0;
  private typesRequester = {};
  private weightsRequester = {};
  private shown: IInfo | null = null;
  private shownDoc: Text | null = null;

  constructor() {
    super();
    this.id = 'cajal-infoview';
    this.addClass('cajal-infoview');
    this.title.label = 'Cajal';
    this.title.caption = 'Cajal infoview: the type, context and weights at the cursor';
    this.node.tabIndex = -1;
    this.render(null, 'Put the cursor in a Cajal cell.');
    this.node.addEventListener('mouseover', event => this.hover(event, true));
    this.node.addEventListener('mouseout', event => this.hover(event, false));
  }

  /** The editor whose cursor the panel follows (the last one focused or moved in). */
  get editor(): EditorView | null {
    return this.view;
  }

  /** Ask again about `view` after DELAY_MS of quiet (a newer call replaces a waiting one). */
  schedule(view: EditorView, kernel: () => Kernel.IKernelConnection | null, mime: () => string): void {
    window.clearTimeout(this.timer);
    this.view = view;
    this.timer = window.setTimeout(() => void this.refresh(view, kernel, mime), DELAY_MS);
  }

  /** Ask the kernel now about the cursor in `view`, and show the answer. */
  async refresh(view: EditorView, kernel: () => Kernel.IKernelConnection | null, mime: () => string): Promise<void> {
    if (!settings.infoview) {
      this.render(null, 'The infoview is off (Settings › Cajal › Infoview).');
      return;
    }
    const connection = kernel();
    if (!connection || !isAsked(view.state.doc, mime())) {  // the kernel says whether it is Cajal
      this.render(null, connection ? 'Not a Cajal cell.' : 'No kernel.');
      return;
    }
    const doc = view.state.doc;
    const request = { code: doc.toString(), info: view.state.selection.main.head };
    // types first (quick), then the heatmap (compiling may take longer, e.g. the first time)
    const types = ask(connection, this.typesRequester, { ...request, weights: false });
    const weights = ask(connection, this.weightsRequester, request);
    if (this.showReply(await types, view, doc, true)) {
      this.showReply(await weights, view, doc, false);
    }
  }

  /** Show `reply` if it is still about what `view` holds; whether it was. */
  private showReply(reply: IReply | null, view: EditorView, doc: Text, keepWeights: boolean): boolean {
    if (reply === null || view !== this.view || view.state.doc !== doc) {
      return false; // superseded: a newer request shows its own answer
    }
    if (reply.skipped !== undefined || !reply.info) {
      this.render(null, reply.skipped ?? 'No answer.');
      return false;
    }
    const info = reply.info as IInfo;
    if (keepWeights && this.shown?.weights && this.shownDoc === doc) {
      info.weights = this.shown.weights; // the same program's heatmap until the new one comes
    }
    this.render(info, '', doc);
    return true;
  }

  private render(info: IInfo | null, message: string, doc?: Text): void {
    this.shown = info;
    this.shownDoc = doc ?? null;
    const node = this.node;
    node.replaceChildren();
    const heading = document.createElement('div');
    heading.className = 'cajal-infoview-heading';
    heading.textContent = 'Cajal infoview';
    node.appendChild(heading);
    if (!info) {
      node.appendChild(section('cajal-infoview-message', message));
      return;
    }
    if (info.item) {
      node.appendChild(section('cajal-infoview-item', `in ${info.item}`));
    }
    if (info.type !== null && info.term && doc) {
      const term = section('cajal-infoview-term', '');
      const code = document.createElement('code');
      code.textContent = doc.sliceString(info.term.from, info.term.to).slice(0, 200);
      const line = doc.lineAt(info.term.from);
      const lineTo = doc.lineAt(info.term.to);
      code.dataset.cajalSpan =
        `${line.number}:${info.term.from - line.from + 1}-${lineTo.number}:${info.term.to - lineTo.from + 1}`;
      code.dataset.cajalUnits = 'utf16';
      term.append(code, ' : ');
      const type = document.createElement('span');
      type.className = 'cajal-infoview-type';
      type.textContent = info.type;
      term.appendChild(type);
      node.appendChild(term);
      node.appendChild(variables('consumes (Δ₂)', info.consumes, 'cajal-infoview-consumes'));
      node.appendChild(variables('still to use (Δ₁)', info.rest, 'cajal-infoview-rest'));
    } else if (!info.error) {
      node.appendChild(section('cajal-infoview-message', 'No term at the cursor.'));
    }
    if (info.error) {
      const error = section('cajal-infoview-error', info.error.message);
      if (info.error.hint) {
        error.appendChild(section('cajal-infoview-hint', `hint: ${info.error.hint}`));
      }
      node.appendChild(error);
    }
    if (info.weights) {
      const weights = section('cajal-infoview-weights', '');
      weights.innerHTML = info.weights.html + (info.weights.part_html ?? ''); // the kernel's own (escaped there)
      weights.dataset.highlight = info.weights.highlight.join(' ');
      node.appendChild(weights);
    } else if (info.weights_note) {
      node.appendChild(section('cajal-infoview-note', info.weights_note));
    }
  }

  /** Hovering a span (an axis of the heatmap, or the term) highlights its source; hovering
   *  the term highlights the heatmap's highlighted axes more strongly. */
  private hover(event: MouseEvent, entering: boolean): void {
    const variable = (event.target as HTMLElement | null)?.closest?.('[data-cajal-var]') as HTMLElement | null;
    if (variable) {
      // a variable of the context: its axis in the heatmap
      const name = CSS.escape(variable.dataset.cajalVar ?? '');
      this.node.querySelectorAll(`[data-cajal-axis="${name}"]`).forEach(n => n.classList.toggle('cajal-hover-axis', entering));
      return;
    }
    const target = (event.target as HTMLElement | null)?.closest?.('[data-cajal-span]') as HTMLElement | null;
    if (!target || !this.view) {
      return;
    }
    if (target.dataset.cajalUnits === 'utf16') {
      this.node.classList.toggle('cajal-infoview-term-hover', entering);
    }
    highlightSource(this.view, entering ? target.dataset.cajalSpan ?? null : null);
  }

  /** What is shown (for tests and the screenshot). */
  get info(): IInfo | null {
    return this.shown;
  }
}

function section(className: string, text: string): HTMLDivElement {
  const div = document.createElement('div');
  div.className = className;
  div.textContent = text;
  return div;
}

/** A context's variables; each names the heatmap axis of its parameter (`data-cajal-var`). */
function variables(label: string, vars: IVariable[], className: string): HTMLDivElement {
  const div = section(className, `${label}: `);
  if (!vars.length) {
    div.append('—');
  }
  vars.forEach((v, i) => {
    const span = document.createElement('span');
    span.dataset.cajalVar = v.name;
    span.textContent = `${v.name} : ${v.type}`;
    div.append(...(i ? [', ', span] : [span]));
  });
  return div;
}

/** The editor extension: schedule the panel when the cursor moves or the text changes in a
 *  focused cell; highlight linked source spans. */
export function infoview(
  panel: () => InfoviewPanel | null,
  kernel: () => Kernel.IKernelConnection | null,
  mime: () => string
): Extension {
  const follow = ViewPlugin.fromClass(
    class {
      update(update: ViewUpdate) {
        const shown = panel();
        if (!shown || !(update.docChanged || update.selectionSet || update.focusChanged)) {
          return;
        }
        if (update.view.hasFocus || shown.editor === update.view) {
          if (update.view.hasFocus || update.docChanged) {
            shown.schedule(update.view, kernel, mime);
          }
        }
      }
    }
  );
  return [linkedSource, follow];
}

/** After a cell runs: check the notebook's Cajal cells again (lint diagnostics of cells that
 *  show errors, and of the active one), and refresh the panel. */
export function afterRun(views: EditorView[], active: EditorView | null, refreshPanel: () => void): void {
  for (const view of active && !views.includes(active) ? [...views, active] : views) {
    view.dispatch({ effects: recheck.of(null) });
  }
  refreshPanel();
}
