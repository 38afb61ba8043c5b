/**
 * Help › Cajal Language Reference: the language reference (docs/LANGUAGE.md, bundled at build
 * time) rendered by JupyterLab's own Markdown renderer in a main-area tab (in Notebook 7, whose
 * main area is the notebook, in the right side panel).
 */
import { JupyterFrontEnd } from '@jupyterlab/application';
import { MainAreaWidget } from '@jupyterlab/apputils';
import { IMainMenu } from '@jupyterlab/mainmenu';
import { IRenderMimeRegistry, MimeModel } from '@jupyterlab/rendermime';
import reference from '../../docs/LANGUAGE.md';

export const OPEN_REFERENCE = 'cajal:open-language-reference';
const WIDGET_ID = 'cajal-language-reference';

export function addHelp(app: JupyterFrontEnd, rendermime: IRenderMimeRegistry, menu: IMainMenu | null): void {
  let widget: MainAreaWidget | null = null;
  app.commands.addCommand(OPEN_REFERENCE, {
    label: 'Cajal Language Reference',
    caption: 'The Cajal language reference, rendered here',
    execute: async () => {
      if (!widget || widget.isDisposed) {
        const renderer = rendermime.createRenderer('text/markdown');
        await renderer.renderModel(new MimeModel({ data: { 'text/markdown': reference } }));
        renderer.addClass('cajal-reference');
        widget = new MainAreaWidget({ content: renderer });
        widget.id = WIDGET_ID;
        widget.title.label = 'Cajal Language Reference';
        widget.title.closable = true;
      }
      if (!widget.isAttached) {
        app.shell.add(widget, 'main');
      }
      if (!widget.isAttached) {
        app.shell.add(widget, 'right', { rank: 1000 }); // Notebook 7: the notebook holds the main area
      }
      app.shell.activateById(widget.id);
    }
  });
  menu?.helpMenu.addGroup([{ command: OPEN_REFERENCE }], 10);
}
