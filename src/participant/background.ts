/**
 * The client's background (issue 21): as it is, blurred, or a neutral backdrop. Chosen at
 * check-in with the camera's preview, changeable in the call, and kept on this device for the
 * next session, as the page's language is (i18n/index.ts). The blurring itself is shared with
 * the console: src/client/backdrop.ts.
 */
import { isBackgroundMode, type BackgroundMode } from '../client/backdrop';
import { keepChoice, keptChoice } from '../client/keptChoice';
import { setPageState } from './store';

/** Where the choice is kept on this device (nothing else is kept with it). */
export const BACKGROUND_KEY = 'confidant.background';

/** The model's files, which the page's build puts under its own base, `/p/` (vite.participant.config.ts). */
export const SEGMENTATION_BASE = '/p/segmentation/';

/** At start: the background chosen earlier on this device, else the room as it is. */
export function startBackground(): BackgroundMode {
  const stored = keptChoice(BACKGROUND_KEY);
  const background = isBackgroundMode(stored) ? stored : 'none';
  setPageState({ background });
  return background;
}

/** Keeps the client's choice on this device. */
export function rememberBackground(background: BackgroundMode): void {
  keepChoice(BACKGROUND_KEY, background);
}
