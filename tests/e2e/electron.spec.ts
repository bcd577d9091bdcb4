/**
 * Launches the real Electron console where an Electron binary is installed (the package
 * installs without it on machines that cannot reach its download; there this is skipped)
 * and pins the shell's security settings on the live window.
 */
import { resolve } from 'node:path';
import { _electron as electron, expect, test } from '../support/e2eTest';
import { electronBinary } from '../../scripts/electronBinary.mjs';
import { IPC_CHANNELS } from '../../src/shared/ipcChannels';

const binary = electronBinary(resolve(import.meta.dirname, '../..'));
const hasDisplay = process.platform !== 'linux' || Boolean(process.env['DISPLAY'] ?? process.env['WAYLAND_DISPLAY']);

test('the console window is served from app://, capture-protected, has no Node and exposes only the IPC contract', async () => {
  test.skip(!binary, 'no Electron binary on this machine (npm run setup fetches it only with CONFIDANT_ELECTRON_BINARY=1)');
  test.skip(!hasDisplay, 'no display to open a window on');
  const app = await electron.launch({ executablePath: binary!, args: ['.'] });
  try {
    const page = await app.firstWindow();
    // Served from the app:// scheme (no file:// page, whose extra privileges are fused off),
    // module scripts and styles included: the sign-in screen renders.
    expect(page.url()).toBe('app://confidant/index.html');
    await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
    const protectedWindows = await app.evaluate(({ BrowserWindow }) =>
      BrowserWindow.getAllWindows().map((w) => w.isContentProtected()),
    );
    expect(protectedWindows).toEqual([true]);
    const exposed = await page.evaluate(() => ({
      bridge: Object.keys((window as unknown as { confidant: object }).confidant).sort(),
      require: typeof (window as unknown as { require?: unknown }).require,
      process: typeof (window as unknown as { process?: unknown }).process,
    }));
    expect(exposed).toEqual({ bridge: [...IPC_CHANNELS, 'on'].sort(), require: 'undefined', process: 'undefined' });
  } finally {
    await app.close();
  }
});
