/**
 * electron-builder's afterPack hook: flips Electron's fuses in the packaged binary, before
 * it is signed. Each fuse closes a way to run code in the console that is not the console:
 * as a plain Node (RunAsNode, NODE_OPTIONS, --inspect), or from files beside the app
 * instead of its checked archive (OnlyLoadAppFromAsar with integrity validation).
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
  // The renderer loads from file:// as ES modules, which needs file:'s privileges; serving
  // it from a custom protocol instead would let this be turned off too.
  [FuseV1Options.GrantFileProtocolExtraPrivileges]: true,
};

/** @param {import('app-builder-lib').AfterPackContext} context */
export default async function afterPack(context) {
  await context.packager.addElectronFuses(context, FUSES);
}
