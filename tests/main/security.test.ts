import { describe, expect, it } from 'vitest';
import { isAppUrl, isPermissionAllowed, secureWebPreferences } from '../../src/main/security';

const built = { url: 'file:///opt/confidant/out/renderer/index.html' };
const dev = { url: 'http://localhost:5173/' };

describe('what counts as the console itself', () => {
  it('is the built renderer file and nothing else on disk', () => {
    expect(isAppUrl('file:///opt/confidant/out/renderer/index.html', built)).toBe(true);
    expect(isAppUrl('file:///opt/confidant/out/renderer/index.html#/room', built)).toBe(true);
    expect(isAppUrl('file:///etc/passwd', built)).toBe(false);
    expect(isAppUrl('https://evil.example/', built)).toBe(false);
    expect(isAppUrl('not a url', built)).toBe(false);
  });

  it('is the dev server origin in development', () => {
    expect(isAppUrl('http://localhost:5173/src/main.tsx', dev)).toBe(true);
    expect(isAppUrl('http://localhost:5174/', dev)).toBe(false);
  });
});

describe('permissions', () => {
  it('grants camera and microphone to the console only', () => {
    expect(isPermissionAllowed('media', built.url, built, ['audio', 'video'])).toBe(true);
    expect(isPermissionAllowed('media', 'https://evil.example/', built, ['video'])).toBe(false);
  });

  it('grants nothing else, not even to the console', () => {
    for (const p of ['geolocation', 'notifications', 'clipboard-read', 'hid', 'serial', 'usb', 'display-capture', 'openExternal']) {
      expect(isPermissionAllowed(p, built.url, built)).toBe(false);
    }
  });
});

describe('window preferences', () => {
  it('follow Electron\'s security checklist', () => {
    expect(secureWebPreferences('/app/preload/index.cjs')).toMatchObject({
      preload: '/app/preload/index.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
    });
  });
});
