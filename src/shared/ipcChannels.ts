/**
 * The console's IPC channel names, free of any runtime dependency so the sandboxed
 * preload can bundle them without pulling in the schemas (those live in ipc.ts).
 */
export const IPC_CHANNELS = [
  'app:info',
  'auth:signIn',
  'auth:signOut',
  'auth:current',
  'sessions:list',
  'sessions:connect',
  'app:notifyKnock',
  'app:copy',
  'sessions:create',
  'sessions:update',
  'invitations:list',
  'invitations:create',
  'invitations:reissue',
  'invitations:revoke',
  'clinicians:list',
  'admin:accounts',
  'admin:createAccount',
  'admin:updateAccount',
  'admin:resetPassword',
  'admin:enrolTotp',
  'notes:status',
  'notes:list',
  'notes:get',
  'notes:create',
  'notes:save',
  'notes:sign',
  'notes:addendum',
  'notes:cosign',
  'notes:return',
  'notes:resolveConflict',
  'notes:sync',
] as const;

export type IpcChannel = (typeof IPC_CHANNELS)[number];

/** The global name the preload exposes the bridge under. */
export const BRIDGE_NAME = 'confidant';
