/** The lowest Node major version Confidant runs on. */
export const MIN_NODE_MAJOR: number;
/** The Node release setup provides where the system's is older, per covered platform. */
export const PINNED_NODE: {
  version: string;
  packages: Record<string, { name: string; integrity: string }>;
};
export function isSupportedNode(version: string): boolean;
export function nodePackageFor(platform?: string, arch?: string): { name: string; integrity: string } | null;
export function providedNodeDir(root?: string, platform?: string, arch?: string): string;
export function matchesIntegrity(data: Uint8Array, integrity: string): boolean;
export function provideNode(root?: string): string | null;
export function providedNodeBin(root?: string): string | null;
export function runtimeNode(root?: string): string | null;
export function envWithNode(env: NodeJS.ProcessEnv, binDir: string): NodeJS.ProcessEnv;
export function installEnvWithNode(env: NodeJS.ProcessEnv, binDir: string): NodeJS.ProcessEnv;
export function continueOnSupportedNode(): Promise<void>;
