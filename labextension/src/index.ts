/**
 * Cajal in JupyterLab 4 and Notebook 7: the language and its highlighting (`language`), cells
 * whose first line switches language (`magic`), Unicode input (`input`), live diagnostics and
 * hover types from the kernel (`diagnostics`), and the language reference in the Help menu
 * (`help`). Each part can be turned off in Settings › Cajal (see `schema/plugin.json`).
 */
import { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { LanguageSupport } from '@codemirror/language';
import {
  EditorExtensionRegistry,
  IEditorExtensionRegistry,
  IEditorLanguageRegistry
} from '@jupyterlab/codemirror';
import { IMainMenu } from '@jupyterlab/mainmenu';
import { INotebookTracker } from '@jupyterlab/notebook';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { Kernel } from '@jupyterlab/services';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { liveCheck } from './diagnostics';
import { addHelp } from './help';
import { listenForTab, unicodeInput } from './input';
import { MIME, cajal, cajalHighlighting } from './language';
import { cellMagics } from './magic';
import { ICajalSettings, settings } from './settings';

const PLUGIN_ID = 'cajal-jupyterlab:plugin';

const plugin: JupyterFrontEndPlugin<void> = {
  id: PLUGIN_ID,
  description: 'Cajal: highlighting, Unicode input, live type errors and hover types, and help',
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

    extensions.addExtension({
      name: 'cajal:editor',
      factory: options =>
        EditorExtensionRegistry.createImmutableExtension([
          cellMagics(() => options.model.mimeType, () => python),
          cajalHighlighting,
          unicodeInput,
          liveCheck(() => kernelOf(options.model), () => options.model.mimeType)
        ])
    });

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
