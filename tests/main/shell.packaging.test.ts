/**
 * The console's packaging (electron-builder.json and its afterPack hook): the targets per
 * platform, macOS's hardened runtime and entitlements, native modules rebuilt for Electron
 * and unpacked from the archive, and Electron's fuses. Nothing here packages anything.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { FuseV1Options } from '@electron/fuses';
import { describe, expect, it } from 'vitest';
import { FUSES } from '../../scripts/afterPack.mjs';

const root = resolve(import.meta.dirname, '../..');
const read = (file: string) => readFileSync(resolve(root, file), 'utf8');

interface BuilderConfig {
  appId: string;
  files: string[];
  asar: boolean;
  asarUnpack: string[];
  npmRebuild: boolean;
  afterPack: string;
  linux: { target: string[] };
  mac: { target: string[]; hardenedRuntime: boolean; entitlements: string; entitlementsInherit: string; extendInfo: Record<string, string> };
  win: { target: string[] };
}

const config = JSON.parse(read('electron-builder.json')) as BuilderConfig;
const pkg = JSON.parse(read('package.json')) as { scripts: Record<string, string> };

describe('packaging', () => {
  it('is a configuration electron-builder itself accepts', async () => {
    // electron-builder's own schema check, the one a build starts with (no build is run).
    const require = createRequire(resolve(root, 'node_modules/electron-builder/package.json'));
    const { validateConfiguration } = require('app-builder-lib/out/util/config/config') as {
      validateConfiguration(config: unknown, logger: unknown): Promise<void>;
    };
    const { DebugLogger } = require('builder-util') as { DebugLogger: new (enabled: boolean) => unknown };
    await expect(validateConfiguration(structuredClone(config), new DebugLogger(false))).resolves.toBeUndefined();
    await expect(validateConfiguration({ ...structuredClone(config), mac: { hardenedRuntime: 'yes' } }, new DebugLogger(false))).rejects.toThrow();
  });

  it('builds AppImage and deb for Linux, dmg for macOS and nsis for Windows', () => {
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.mac.target).toEqual(['dmg']);
    expect(config.win.target).toEqual(['nsis']);
    expect(pkg.scripts['package']).toBe('bash scripts/with-node.sh sh -c "electron-vite build && electron-builder --config electron-builder.json"');
  });

  it('signs macOS builds with the hardened runtime, allowing only JIT, the camera and the microphone', () => {
    expect(config.mac.hardenedRuntime).toBe(true);
    expect(config.mac.entitlementsInherit).toBe(config.mac.entitlements);
    const plist = read(config.mac.entitlements);
    const granted = [...plist.matchAll(/<key>([^<]+)<\/key>\s*<true\/>/g)].map((m) => m[1]);
    expect(granted.sort()).toEqual(['com.apple.security.cs.allow-jit', 'com.apple.security.device.audio-input', 'com.apple.security.device.camera']);
    expect(Object.keys(config.mac.extendInfo).sort()).toEqual(['NSCameraUsageDescription', 'NSMicrophoneUsageDescription']);
  });

  it('rebuilds the native modules for Electron and unpacks them from the archive', () => {
    expect(config.npmRebuild).toBe(true);
    expect(config.asar).toBe(true);
    expect(config.asarUnpack).toEqual(expect.arrayContaining(['**/*.node', 'node_modules/better-sqlite3/**', 'node_modules/keytar/**']));
  });

  it('ships the built console and leaves the session server\'s media stack out', () => {
    expect(config.files).toEqual(expect.arrayContaining(['out/main/**', 'out/preload/**', 'out/renderer/**', '!node_modules/mediasoup/**']));
  });

  it('flips Electron\'s fuses after packing: no Node mode, no NODE_OPTIONS or inspector, the app only from its checked archive, no extra file:// privileges', () => {
    expect(config.afterPack).toBe('./scripts/afterPack.mjs');
    expect(FUSES).toMatchObject({
      strictlyRequireAllFuses: true,
      [FuseV1Options.RunAsNode]: false,
      [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
      [FuseV1Options.EnableNodeCliInspectArguments]: false,
      [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: true,
      [FuseV1Options.OnlyLoadAppFromAsar]: true,
      [FuseV1Options.EnableCookieEncryption]: true,
      // The renderer is served from app://, so file:// needs none of its extra privileges.
      [FuseV1Options.GrantFileProtocolExtraPrivileges]: false,
    });
    // Every fuse this @electron/fuses knows is decided, none left to Electron's default.
    const options = Object.values(FuseV1Options).filter((v): v is number => typeof v === 'number');
    for (const option of options) expect(typeof (FUSES as Record<number, unknown>)[option], `fuse ${FuseV1Options[option]}`).toBe('boolean');
  });
});

describe('installing', () => {
  it('runs install scripts only of packages known not to download anything', () => {
    const lock = JSON.parse(read('package-lock.json')) as { packages: Record<string, { hasInstallScript?: boolean }> };
    const withScripts = Object.entries(lock.packages)
      .filter(([, p]) => p.hasInstallScript)
      .map(([name]) => name.replace(/^.*node_modules\//, ''));
    // better-sqlite3, keytar: node-gyp builds from the sources in the tarball (their prebuilt
    // download fails over to it); mediasoup: skipped through MEDIASOUP_WORKER_BIN by setup.sh;
    // esbuild: checks its platform package, itself from the npm registry; electron-winstaller:
    // copies a 7-Zip binary that ships inside its own tarball. Electron's binary download is
    // skipped by ELECTRON_SKIP_BINARY_DOWNLOAD in setup.sh. electron-builder downloads its
    // tools only when `npm run package` runs. es5-ext (under Electronegativity, a dev tool):
    // its postinstall only prints a message, in some time zones, and fetches nothing.
    expect(withScripts.sort()).toEqual(['better-sqlite3', 'electron-winstaller', 'es5-ext', 'esbuild', 'keytar', 'mediasoup']);
  });
});
