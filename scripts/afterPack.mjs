/**
 * electron-builder's afterPack hook: flips Electron's fuses in the packaged binary, before
 * it is signed. Each fuse closes a way to run code in the console that is not the console:
 * as a plain Node (RunAsNode, NODE_OPTIONS, --inspect), from files beside the app instead
 * of its checked archive (OnlyLoadAppFromAsar with integrity validation), or as a file://
 * page with file://'s extra privileges (the renderer is served from app:// instead).
 * Runs only when packaging (`npm run package`), never in install or tests.
 */
import { FuseV1Options, FuseVersion } from '@electron/fuses';

/** Every fuse Electron has, set on purpose (strict: a new fuse must be decided here). */
export const FUSES = {
  version: FuseVersion.V1,
  strictlyRequireAllFuses: true,
  // An ad-hoc signature on Apple silicon is invalidated by the flip; make a fresh one.
  resetAdHocDarwinSignature: true,
  [FuseV1Options.RunAsNode]: false,
  [FuseV1Options.EnableCookieEncryption]: true,
  [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
  [FuseV1Options.EnableNodeCliInspectArguments]: false,
  [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: true,
  [FuseV1Options.OnlyLoadAppFromAsar]: true,
  [FuseV1Options.LoadBrowserProcessSpecificV8Snapshot]: false,
  // The renderer is served from its own app:// scheme (src/main/appProtocol.ts), so file://
  // pages need none of the privileges Chromium otherwise grants them.
  [FuseV1Options.GrantFileProtocolExtraPrivileges]: false,
};

/** @param {import('app-builder-lib').AfterPackContext} context */
export default async function afterPack(context) {
  await context.packager.addElectronFuses(context, FUSES);
}
