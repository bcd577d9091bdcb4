/** The installed Electron binary's path, or null; never triggers a download. */
export function electronBinary(root?: string): string | null;
