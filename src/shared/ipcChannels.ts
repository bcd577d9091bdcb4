/**
 * The console's IPC channel names, free of any runtime dependency so the sandboxed
 * preload can bundle them without pulling in the schemas (those live in ipc.ts).
 */
export const IPC_CHANNELS = [
  'app:info',
  'auth:signIn',
  'auth:signOut',
  'auth:current',
  'auth:unlock',
  'auth:lock',
  'lock:status',
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
  'invitations:linkSecrets',
  'clinicians:list',
  'admin:accounts',
  'admin:createAccount',
  'admin:updateAccount',
  'admin:resetPassword',
  'admin:enrolTotp',
  'admin:breachReport',
  'admin:exportBreachReport',
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
  'rosters:list',
  'rosters:get',
  'rosters:exportCsv',
  'attendance:client',
  'attendance:setTarget',
  'audit:verify',
  'audit:list',
  'recaps:get',
  'recaps:write',
] as const;

export type IpcChannel = (typeof IPC_CHANNELS)[number];

/**
 * Events main sends to the renderer (`webContents.send`). The preload exposes them through
 * one `on(event, listener)` function that passes the listener the payload and nothing else.
 */
export const IPC_EVENTS = ['lock:changed'] as const;

export type IpcEvent = (typeof IPC_EVENTS)[number];

/** The global name the preload exposes the bridge under. */
export const BRIDGE_NAME = 'confidant';
