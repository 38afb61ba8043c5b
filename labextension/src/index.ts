/**
 * Cajal in JupyterLab 4 and Notebook 7: the language and its highlighting (`language`), cells
 * whose first line switches language (`magic`), Unicode input (`input`), live diagnostics and
 * hover types from the kernel (`diagnostics`), the infoview side panel and source ↔ neuron
 * linking (`infoview`), and the language reference in the Help menu (`help`). Each part can be turned off in Settings › Cajal (see `schema/plugin.json`).
 */
import { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { LanguageSupport } from '@codemirror/language';
import {
  EditorExtensionRegistry,
  IEditorExtensionRegistry,
  IEditorLanguageRegistry
} from '@jupyterlab/codemirror';
import { IMainMenu } from '@jupyterlab/mainmenu';
import { INotebookTracker, NotebookActions } from '@jupyterlab/notebook';
import { CodeMirrorEditor } from '@jupyterlab/codemirror';
import { diagnosticCount } from '@codemirror/lint';
import { EditorView } from '@codemirror/view';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { Kernel } from '@jupyterlab/services';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { liveCheck } from './diagnostics';
import { InfoviewPanel, afterRun, highlightSource, infoview } from './infoview';
import { addHelp } from './help';
import { listenForTab, unicodeInput } from './input';
import { MIME, cajal, cajalHighlighting } from './language';
import { cellMagics } from './magic';
import { ICajalSettings, settings } from './settings';

const PLUGIN_ID = 'cajal-jupyterlab:plugin';

const plugin: JupyterFrontEndPlugin<void> = {
  id: PLUGIN_ID,
  description: 'Cajal: highlighting, Unicode input, live type errors and hover types, the infoview, and help',
  autoStart: true,
  requires: [IEditorLanguageRegistry, IEditorExtensionRegistry, IRenderMimeRegistry],
  optional: [INotebookTracker, ISettingRegistry, IMainMenu],
  activate: async (
    app: JupyterFrontEnd,
    languages: IEditorLanguageRegistry,
    extensions: IEditorExtensionRegistry,
    rendermime: IRenderMimeRegistry,
    notebooks: INotebookTracker | null,
    settingRegistry: ISettingRegistry | null,
    mainMenu: IMainMenu | null
  ) => {
    // The kernel's language_info names `cajal` as its codemirror_mode and `text/x-cajal`.
    languages.addLanguage({
      name: 'cajal',
      displayName: 'Cajal',
      mime: MIME,
      extensions: ['cj'],
      load: async () => cajal()
    });

    let python: LanguageSupport | null = null;
    void languages.getLanguage('python').then(found => {
      python = found?.support ?? null;
    });

    /** The kernel of the notebook that holds `model` (a cell's editor model), if any. */
    const kernelOf = (model: object): Kernel.IKernelConnection | null => {
      let kernel: Kernel.IKernelConnection | null = null;
      notebooks?.forEach(panel => {
        if (!kernel && panel.content.widgets.some(cell => cell.model === model)) {
          kernel = panel.sessionContext.session?.kernel ?? null;
        }
      });
      return kernel;
    };

    const panel = new InfoviewPanel();
    app.shell.add(panel, 'right', { rank: 900 });
    /** How the panel asks about a view: its kernel and language, kept per editor. */
    const askers = new WeakMap<EditorView, { kernel: () => Kernel.IKernelConnection | null; mime: () => string }>();

    extensions.addExtension({
      name: 'cajal:editor',
      factory: options => {
        const kernel = () => kernelOf(options.model);
        const mime = () => options.model.mimeType;
        return EditorExtensionRegistry.createImmutableExtension([
          cellMagics(mime, () => python),
          cajalHighlighting,
          unicodeInput,
          liveCheck(kernel, mime),
          infoview(() => panel, kernel, mime),
          EditorView.updateListener.of(update => {
            if (!askers.has(update.view)) {
              askers.set(update.view, { kernel, mime });
            }
          })
        ]);
      }
    });

    const viewOf = (cell: { editor: unknown } | null | undefined): EditorView | null =>
      cell?.editor instanceof CodeMirrorEditor ? cell.editor.editor : null;

    // After a cell runs, a name other cells use may be defined: check them and the panel again.
    NotebookActions.executed.connect((_, { notebook }) => {
      const views = notebook.widgets.map(viewOf).filter((v): v is EditorView => v !== null);
      const showing = views.filter(v => diagnosticCount(v.state) > 0);
      const active = viewOf(notebook.activeCell);
      afterRun(showing, active, () => {
        const view = panel.editor && views.includes(panel.editor) ? panel.editor : active;
        const asker = view ? askers.get(view) : undefined;
        if (view && asker) {
          panel.schedule(view, asker.kernel, asker.mime);
        }
      });
    });

    // Source ↔ neuron linking in outputs: hovering an element with `data-cajal-span` (a
    // heatmap axis, a graph node of `:matrix` / `:graph`) highlights that span in its cell.
    const linked = (event: MouseEvent, entering: boolean) => {
      const target = (event.target as Element | null)?.closest?.('.jp-OutputArea [data-cajal-span]');
      if (!target) {
        return;
      }
      let view: EditorView | null = null;
      notebooks?.forEach(nb => {
        for (const cell of nb.content.widgets) {
          if (!view && cell.node.contains(target)) {
            view = viewOf(cell);
          }
        }
      });
      if (view) {
        highlightSource(view, entering ? target.getAttribute('data-cajal-span') : null);
      }
    };
    document.addEventListener('mouseover', event => linked(event, true));
    document.addEventListener('mouseout', event => linked(event, false));

    listenForTab();
    addHelp(app, rendermime, mainMenu);

    if (settingRegistry) {
      const loaded = await settingRegistry.load(PLUGIN_ID);
      const update = () => Object.assign(settings, loaded.composite as unknown as ICajalSettings);
      update();
      loaded.changed.connect(update);
    }
  }
};

export default plugin;
