import type { FuseV1Config } from '@electron/fuses';

/** The fuses the packaged console ships with (see afterPack.mjs). */
export declare const FUSES: FuseV1Config & { strictlyRequireAllFuses: true };

/** electron-builder's afterPack hook. */
export default function afterPack(context: unknown): Promise<void>;
