/**
 * Launches the real Electron console where an Electron binary is installed (the package
 * installs without it on machines that cannot reach its download; there this is skipped)
 * and pins the shell's security settings on the live window.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { _electron as electron, expect, test } from '@playwright/test';
import { IPC_CHANNELS } from '../../src/shared/ipcChannels';

function electronBinary(): string | null {
  try {
    const path: unknown = createRequire(import.meta.url)('electron');
    return typeof path === 'string' && existsSync(path) ? path : null;
  } catch {
    return null;
  }
}

const binary = electronBinary();
const hasDisplay = process.platform !== 'linux' || Boolean(process.env['DISPLAY'] ?? process.env['WAYLAND_DISPLAY']);

test('the console window is capture-protected, has no Node and exposes only the IPC contract', async () => {
  test.skip(!binary, 'no Electron binary on this machine (installed with ELECTRON_SKIP_BINARY_DOWNLOAD)');
  test.skip(!hasDisplay, 'no display to open a window on');
  const app = await electron.launch({ executablePath: binary!, args: ['.'] });
  try {
    const page = await app.firstWindow();
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
    expect(exposed).toEqual({ bridge: [...IPC_CHANNELS].sort(), require: 'undefined', process: 'undefined' });
  } finally {
    await app.close();
  }
});
