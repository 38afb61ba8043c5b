/**
 * Live checking: a moment after typing stops, the cell goes to the kernel over the
 * `cajal.check` comm (see `cajal_magic/live.py`), which type-checks it without running it. Its
 * errors become lint diagnostics at their spans, and the types of its names answer hovers.
 *
 * The kernel is asked only when it is idle. Each cell has at most one check waiting, and each
 * kernel at most one in flight, so checks never pile up behind a long-running cell.
 */
import { Diagnostic, forEachDiagnostic, forceLinting, linter } from '@codemirror/lint';
import { Extension, StateEffect, Text } from '@codemirror/state';
import { EditorView, hoverTooltip } from '@codemirror/view';
import { Kernel } from '@jupyterlab/services';
import { CellKind, firstLine, isAsked, kindAnswered } from './magic';
import { settings } from './settings';

export const TARGET = 'cajal.check';
const DELAY_MS = 300;
const NO_KERNEL_RETRY_MS = 2000;
const REPLY_TIMEOUT_MS = 10_000;

interface IWireDiagnostic {
  from: number;
  to: number;
  message: string;
  hint: string;
  /** 'info' is a typed hole's goal ("hole ?h : 𝟚, with x : 𝟚 to use"), not an error. */
  severity: 'error' | 'warning' | 'info';
}

interface IWireName {
  from: number;
  to: number;
  name: string;
  type: string;
}

export interface IReply {
  seq: number;
  kind?: CellKind;
  info?: unknown;
  diagnostics?: IWireDiagnostic[];
  names?: IWireName[];
  skipped?: string;
}

type Resolve = (reply: IReply | null) => void;

/** One kernel's `cajal.check` comm, with its one request in flight and one waiting per cell. */
class KernelChecker {
  private comm: Kernel.IComm | null = null;
  private seq = 0;
  private inFlight: { seq: number; resolve: Resolve; timer: number } | null = null;
  private waiting = new Map<object, { request: IRequest; resolve: Resolve }>();

  constructor(private kernel: Kernel.IKernelConnection) {
    kernel.statusChanged.connect(() => this.pump());
  }

  /** Send `request` for `requester` (a cell's check, or its infoview); null when superseded
   *  by the same requester's next request, or not answered. */
  check(requester: object, request: IRequest): Promise<IReply | null> {
    this.waiting.get(requester)?.resolve(null);
    return new Promise(resolve => {
      this.waiting.set(requester, { request, resolve });
      this.pump();
    });
  }

  private pump(): void {
    if (this.inFlight || this.waiting.size === 0 || this.kernel.status !== 'idle') {
      return; // a busy kernel is running a cell (or our check): wait for idle
    }
    const [requester, request] = this.waiting.entries().next().value as [object, { request: IRequest; resolve: Resolve }];
    this.waiting.delete(requester);
    const comm = this.open();
    if (!comm) {
      request.resolve(null);
      return;
    }
    const seq = ++this.seq;
    const timer = window.setTimeout(() => this.finish(seq, null), REPLY_TIMEOUT_MS);
    this.inFlight = { seq, resolve: request.resolve, timer };
    const { code, info, weights } = request.request;
    comm.send(info === undefined ? { seq, code } : { seq, code, info, weights: weights ?? true });
  }

  private finish(seq: number, reply: IReply | null): void {
    if (!this.inFlight || this.inFlight.seq !== seq) {
      return;
    }
    window.clearTimeout(this.inFlight.timer);
    this.inFlight.resolve(reply);
    this.inFlight = null;
    this.pump();
  }

  private open(): Kernel.IComm | null {
    if (this.comm && !this.comm.isDisposed) {
      return this.comm;
    }
    try {
      const comm = this.kernel.createComm(TARGET);
      comm.onMsg = msg => {
        const reply = msg.content.data as unknown as IReply;
        this.finish(reply.seq, reply);
      };
      comm.onClose = () => {
        this.comm = null; // e.g. a Python kernel without `%load_ext cajal_magic`
        if (this.inFlight) {
          this.finish(this.inFlight.seq, null);
        }
      };
      comm.open({});
      this.comm = comm;
      return comm;
    } catch {
      return null; // the kernel is gone
    }
  }
}

/** Dispatched to a cell's editor to check it again though it did not change (another cell
 *  ran and may have defined a name it uses). */
export const recheck = StateEffect.define<null>();

const checkers = new WeakMap<Kernel.IKernelConnection, KernelChecker>();

/** What the kernel is asked: a check of `code`, or with `info` the infoview at that offset. */
export interface IRequest {
  code: string;
  info?: number;
  weights?: boolean;
}

/** Ask `kernel` over the `cajal.check` comm (one request in flight per kernel). */
export function ask(kernel: Kernel.IKernelConnection, requester: object, request: IRequest): Promise<IReply | null> {
  return checkerFor(kernel).check(requester, request);
}

function checkerFor(kernel: Kernel.IKernelConnection): KernelChecker {
  let checker = checkers.get(kernel);
  if (!checker) {
    checker = new KernelChecker(kernel);
    checkers.set(kernel, checker);
  }
  return checker;
}

/** The names of the last answered check of each editor, with the text they were found in. */
const lastNames = new WeakMap<EditorView, { doc: Text; names: IWireName[] }>();

function current(view: EditorView): Diagnostic[] {
  const found: Diagnostic[] = [];
  forEachDiagnostic(view.state, (d, from, to) => found.push({ ...d, from, to }));
  return found;
}

function asDiagnostic(d: IWireDiagnostic, doc: Text): Diagnostic {
  const clamp = (n: number) => Math.max(0, Math.min(n, doc.length));
  const from = clamp(d.from);
  const to = Math.max(from, clamp(d.to));
  return {
    from,
    to,
    severity: d.severity === 'warning' || d.severity === 'info' ? d.severity : 'error',
    source: 'Cajal',
    message: d.hint ? `${d.message}\nhint: ${d.hint}` : d.message
  };
}

/** Live diagnostics and hover types for one cell, and its kind (the language it is in, which
 *  `magic.ts` follows). `kernel()` is its notebook's kernel (null without one: then nothing is
 *  checked, and it is asked again a moment later), `mime()` the cell's language. */
export function liveCheck(kernel: () => Kernel.IKernelConnection | null, mime: () => string): Extension {
  const source = async (view: EditorView): Promise<Diagnostic[]> => {
    const doc = view.state.doc;
    if (!isAsked(doc, mime())) {
      lastNames.delete(view);
      return [];
    }
    const connection = kernel();
    if (!connection) {
      lastNames.delete(view);
      // the kernel may be starting: ask again in a moment, while the cell is on the page
      window.setTimeout(() => view.dom.isConnected && forceLinting(view), NO_KERNEL_RETRY_MS);
      return [];
    }
    const reply = await checkerFor(connection).check(view, { code: doc.toString() });
    if (reply === null) {
      return current(view); // superseded or unanswered: keep what is shown
    }
    if (reply.kind) {
      view.dispatch({ effects: kindAnswered.of({ header: firstLine(doc), kind: reply.kind }) });
    }
    lastNames.set(view, { doc, names: reply.names ?? [] });
    return settings.liveDiagnostics ? (reply.diagnostics ?? []).map(d => asDiagnostic(d, doc)) : [];
  };

  const hover = hoverTooltip((view, pos, side) => {
    const last = lastNames.get(view);
    if (!settings.hoverTypes || !last || last.doc !== view.state.doc) {
      return null;
    }
    const inside = last.names.filter(n => (n.from < pos && pos < n.to) || (n.from === pos && side > 0) || (n.to === pos && side < 0));
    if (inside.length === 0) {
      return null;
    }
    const name = inside.reduce((a, b) => (b.to - b.from < a.to - a.from ? b : a));
    return {
      pos: name.from,
      end: name.to,
      above: true,
      create: () => {
        const dom = document.createElement('div');
        dom.className = 'cajal-hover-type';
        dom.textContent = `${name.name} : ${name.type}`;
        return { dom };
      }
    };
  });

  const needsRefresh = (update: { transactions: readonly { effects: readonly StateEffect<unknown>[] }[] }) =>
    update.transactions.some(tr => tr.effects.some(e => e.is(recheck)));
  return [linter(source, { delay: DELAY_MS, needsRefresh }), hover];
}
