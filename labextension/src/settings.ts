/** The user's settings (Settings Editor › Cajal), read by the editor extensions as they act. */
export interface ICajalSettings {
  unicodeInput: boolean;
  liveDiagnostics: boolean;
  hoverTypes: boolean;
  infoview: boolean;
}

export const settings: ICajalSettings = {
  unicodeInput: true,
  liveDiagnostics: true,
  hoverTypes: true,
  infoview: true
};
