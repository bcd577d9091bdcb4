/**
 * The console's words, in English (issue 23): one catalogue, so the console can be translated
 * as the participant page is (src/participant/i18n/). English is the one shipped; another
 * language would be typed as this one's `ConsoleCatalogue`, so a missing word fails the
 * typecheck. Words that carry a value are functions of it. Components import `t` from
 * ./index.ts; files move their words here one by one.
 */
import type { Language } from '../../../shared/protocol';

export const en = {
  /** The client's language, beside the knock and in the participant list. */
  language: {
    /** A language's name in the console's own language (the badge shows its name in itself). */
    names: { en: 'English', es: 'Spanish' } satisfies Record<Language, string>,
    badgeTitle: (name: string): string => `Reads the page in ${name}, and accepted the group agreement in ${name}`,
    announce: (name: string): string => `Their page is in ${name}.`,
  },

  waitingRoom: {
    title: 'Waiting room',
    admitAll: 'Admit all',
    nobody: 'Nobody is waiting.',
    since: (time: string): string => ` · waiting since ${time}`,
    camera: (on: boolean): string => ` · camera ${on ? 'on' : 'off'}`,
    admit: 'Admit',
    admitting: 'Admitting…',
    admitLabel: (name: string): string => `Admit ${name}`,
    deny: 'Deny',
    denyLabel: (name: string): string => `Deny ${name}`,
    privacy: {
      privateSpace: 'private space',
      headphones: 'headphones',
      notificationsOff: 'notifications off',
      nobodyInView: 'nobody else in view',
    },
    privacyAll: (all: number): string => `Privacy check: all ${all} ticked`,
    privacySome: (ticked: number, all: number, missing: string): string =>
      `Privacy check: ${ticked} of ${all} ticked · not ticked: ${missing}`,
  },

  roster: {
    status: {
      present: 'In the group',
      waiting: 'Waiting',
      left: 'Left',
      removed: 'Removed',
      denied: 'Not admitted',
      absent: 'Did not come',
    },
    notRecorded: 'not recorded',
    notRemoved: 'not removed',
    /** Which agreement the client accepted, in which language (none on older records), and when if not at the knock. */
    agreement: (version: string, language: string | null, later: string | null): string =>
      `accepted agreement ${version}${language ? ` in ${language}` : ''}${later ? ` at ${later}` : ''}`,
    attended: (attended: number, all: number): string => `${attended} of ${all} attended`,
    removedCount: (removed: number): string => `${removed} removed`,
    presentInTotal: (minutes: string): string => `${minutes} present in total`,
    ledBy: (name: string): string => ` · led by ${name}`,
    caption: (title: string, day: string): string => `Roster of ${title} on ${day}: one row per invited client`,
    columns: {
      client: 'Client',
      name: 'Name',
      knocked: 'Knocked · agreement',
      admittedBy: 'Admitted by',
      verifiedBy: 'Verified by',
      left: 'Left',
      removedBy: 'Removed by',
      minutes: 'Minutes present',
      reconnects: 'Reconnects',
      status: 'Status',
    },
    nobodyInvited: 'No one was invited to this session.',
    overWeeks: (ref: string): string => `${ref}: attendance over weeks`,
    saidToday: (rating: string): string => `said today: ${rating}`,
    sentBack: (times: number): string => `sent back to waiting ${times === 1 ? 'once' : `${times} times`}`,
    notAdmitted: 'not admitted',
    readRecap: (when: string): string => `read the recap ${when}`,
  },

  participants: {
    title: 'In the group',
    roles: { client: 'Client', facilitator: 'Facilitator', observer: 'Observer' },
    verification: { 'photo-id': 'photo ID', 'verbal-code': 'verbal code', 'known-to-clinician': 'known to clinician' },
    you: (name: string): string => `${name} (you)`,
    verified: 'Verified',
    verifiedBy: (method: string): string => `Verified: ${method}`,
    verifiedMenu: (method: string | null): string => `Verified${method ? ` (${method})` : ''}`,
    reconnecting: 'Reconnecting…',
    reconnectingTitle: 'Their connection dropped; they keep their place while it comes back',
    message: 'Message',
    messageLabel: (name: string, unread: number): string => `Message ${name}${unread ? `, ${unread} unread` : ''}`,
    actions: (name: string): string => `Actions for ${name}`,
    key: {
      checkCode: 'Check safety code',
      checkCodeHolderTitle: 'Read the safety code with them before the call’s key is accepted',
      mismatch: 'Key mismatch',
      mismatchHolderTitle: 'The key offered did not match: not accepted',
      encrypted: 'Encrypted',
      encryptedTitle: 'They have the call’s key; what they send and receive is end-to-end encrypted',
      checkCodeTitle: 'Their key is not vouched for by a link from this console: read the safety code with them',
      mismatchTitle: 'Their announced key does not match their invitation link: someone may be in between. They get no key.',
      cannotEncrypt: 'Can’t encrypt',
      cannotEncryptTitle: 'Their browser cannot encrypt the call, so they cannot see or hear the group from it',
      noKey: 'No key yet',
      noKeyTitle: 'Their browser has not announced an encryption key yet',
    },
    connection: {
      good: 'Their connection to the group is working well',
      weak: 'Their connection is weak: their video may freeze or look blurry',
      poor: 'Their connection is poor: others may not see or hear them well',
    },
    connectionFlag: (quality: string): string => `Connection ${quality}`,
    mic: 'Mic',
    camera: 'Camera',
    mediaFlag: (kind: string, state: string, forced: boolean): string => (forced ? `${kind} muted by you` : `${kind} ${state}`),
    menu: {
      askUnmuteMic: 'Ask to unmute microphone',
      muteMic: 'Mute microphone',
      askCameraOn: 'Ask to turn camera back on',
      stopVideo: 'Stop video',
      byPhotoId: 'Verified by photo ID',
      byVerbalCode: 'Verified by verbal code',
      knownToMe: 'Known to me',
      identity: 'Identity',
      safetyCode: 'Safety code…',
      returnToWaiting: 'Return to waiting room',
      remove: 'Remove from session…',
      crisis: 'Crisis information…',
    },
  },

  groupChat: {
    title: 'Group chat',
    off: 'Off',
    unread: (count: number): string => `${count} unread`,
    hide: 'Hide',
    show: 'Show',
    privacy: 'Everyone in the group sees these. They are not saved anywhere, and people who join later do not see them.',
    turnOff: 'Turn off for everyone',
    turnOn: 'Turn on for everyone',
    clear: 'Clear for everyone',
    log: 'Group chat messages',
    nothingYet: 'Nothing written yet.',
    observer: 'As an observer you read the group chat; you do not write in it.',
    draftLabel: 'Message to the group',
    send: 'Send',
    isOff: 'The group chat is off: nobody can write in it until a facilitator turns it on.',
  },

  messages: {
    thisClient: 'This client',
    title: (name: string): string => `Private messages with ${name}`,
    close: 'Close',
    closeLabel: 'Close private messages',
    privacy: (name: string): string => `Only you and ${name} see these. They are not saved anywhere.`,
    log: (name: string): string => `Messages with ${name}`,
    you: 'You',
    gone: (name: string): string => `${name} is no longer in the session.`,
    draftLabel: (name: string): string => `Message to ${name}`,
    send: 'Send',
  },

  rating: {
    title: 'How they said they are today, from 0 (very bad) to 10 (very good). Only clinicians see this.',
    today: (rating: string): string => `Today: ${rating}`,
  },

  dialogs: {
    cancel: 'Cancel',
    close: 'Close',
    remove: {
      title: (name: string): string => `Remove ${name}?`,
      confirm: 'Remove from session',
      body: "They leave the group at once and their invitation link stops working for this session. The reason is kept with the session's record.",
      reason: 'Reason',
      reasonPlaceholder: 'For example: not the invited client; unsafe behaviour',
    },
    crisis: {
      title: (name: string): string => `Crisis information for ${name}`,
      show: 'Show crisis information',
      where: 'Where they are',
      contact: 'Emergency contact',
      notGiven: 'Not given',
      warning: (name: string): string =>
        `Use this only if you believe ${name} may be at risk. Viewing it is recorded with your name and the time. It is kept for this session only.`,
    },
    end: {
      title: 'End the session for everyone?',
      keepGoing: 'Keep going',
      confirm: 'End session',
      body: 'Everyone is disconnected and every invitation to this session stops working. This cannot be undone.',
    },
    safetyCode: {
      title: (name: string): string => `Safety code with ${name}`,
      confirm: 'Codes match',
      working: 'Working out the code…',
      noKey: (name: string): string => `${name} has not announced an encryption key yet. Try again in a moment.`,
      readAloud: (name: string): string => `Read this code aloud with ${name}. Their screen shows a code too.`,
      explain:
        "The same code on both screens means nobody is between you, so the call's key can go to them. If the codes differ, do not confirm: someone may be trying to listen in.",
    },
  },

  app: {
    nav: 'Console',
    sessions: 'Sessions',
    notes: 'Notes',
    rosters: 'Rosters',
    accounts: 'Accounts',
    lock: 'Lock',
    lockTitle: 'Hide everything until you enter your password',
    signOut: 'Sign out',
    leaveFirst: 'Leave the session before signing out',
  },

  week: {
    states: { scheduled: 'Scheduled', open: 'Waiting room open', live: 'Live', ended: 'Ended' },
    thisWeek: 'This week',
    week: 'Week',
    previous: '‹ Previous',
    previousLabel: 'Previous week',
    next: 'Next ›',
    nextLabel: 'Next week',
    schedule: 'Schedule a session',
    loading: 'Loading…',
    today: 'Today',
    noSessions: 'No sessions.',
    invitations: 'Invitations',
    edit: 'Edit',
    editLabel: (title: string): string => `Edit ${title}`,
    open: 'Open session',
    openLabel: (title: string): string => `Open session: ${title}`,
  },

  invitations: {
    states: { active: 'Active', revoked: 'Revoked', expired: 'Expired' },
    title: (session: string): string => `Invitations · ${session}`,
    done: 'Done',
    confirmReissue: (ref: string): string => `Re-issue ${ref}'s invitation? The old link and passcode stop working at once.`,
    confirmRevoke: (ref: string): string => `Revoke ${ref}'s invitation? They will not be able to join this session.`,
    cancel: 'Cancel',
    reissue: 'Re-issue',
    revoke: 'Revoke',
    reissueLabel: (ref: string): string => `Re-issue ${ref}`,
    revokeLabel: (ref: string): string => `Revoke ${ref}`,
    caption: (session: string): string => `Invitations to ${session}`,
    client: 'Client',
    hint: 'How to recognise them',
    state: 'State',
    actions: 'Actions',
    loading: 'Loading…',
    nobody: 'Nobody is invited yet.',
    inviteTitle: 'Invite a client',
    reference: 'Client reference',
    referencePlaceholder: 'IOP-1046',
    hintOptional: '(optional, only clinicians see it)',
    hintPlaceholder: 'Code word: harbour',
    create: 'Create invitation',
    issuedTitle: (ref: string): string => `Invitation for ${ref}`,
    sendSeparately:
      'Send the link and the passcode separately (for example the link by email, the passcode by text). This is the only time the passcode is shown.',
    copyLink: 'Copy link',
    noSecret:
      'This link carries no encryption secret (the keychain is unavailable): read the safety code with the client when you verify them.',
    copyPasscode: 'Copy passcode',
    copied: (what: 'link' | 'passcode'): string => `Copied the ${what}. It is cleared from the clipboard after a minute.`,
    sent: 'I have sent it — hide',
  },

  signIn: {
    title: 'Sign in',
    lead: "Sign in to run today's groups.",
    server: 'Server address',
    serverPlaceholder: 'https://sessions.example-clinic.org',
    username: 'Username',
    password: 'Password',
    totp: 'Authenticator code',
    signingIn: 'Signing in…',
    submit: 'Sign in',
  },

  lock: {
    idle: (minutes: number): string => `Locked after ${minutes} ${minutes === 1 ? 'minute' : 'minutes'} without activity.`,
    screenLocked: 'Locked because the computer’s screen locked.',
    suspend: 'Locked because the computer went to sleep.',
    manual: 'You locked the console.',
    title: 'Confidant is locked',
    callNote: "Your session is still connected. The group's video and sound stay hidden until you unlock.",
    signedInAs: 'Signed in as',
    unlocking: 'Unlocking…',
    unlock: 'Unlock',
    leaveAndSignOut: 'Leave the session and sign out',
    signOut: 'Sign out',
  },

  capture: {
    enforced: 'Screen capture is blocked',
    enforcedTitle: 'This window is hidden from screenshots and screen sharing.',
    unavailable: 'This system cannot block screen capture',
    unavailableTitle:
      'On Linux the operating system offers no way to hide a window from screenshots or screen sharing. Do not share this screen.',
  },

  sync: {
    syncing: 'Syncing notes…',
    waiting: (count: number): string => `${count} note${count === 1 ? '' : 's'} waiting to sync`,
    offline: (waiting: string | null): string => `Offline${waiting ? ` · ${waiting}` : ''}`,
    synced: (time: string | null): string => `Notes synced${time ? ` ${time}` : ''}`,
    toResolve: (count: number): string => `${count} to resolve`,
    syncNow: 'Sync now',
  },

  textOnly: {
    badge: 'Text only',
    title: 'Taking part by text: no camera or microphone; they write in the group chat',
  },

  announcer: {
    backInWaiting: (name: string): string => `${name} is back in the waiting room.`,
    waiting: (name: string): string => `${name} is waiting to be let in.`,
    letIn: (name: string): string => `${name} was let in.`,
    joined: (name: string): string => `${name} joined the group.`,
    dropped: (name: string): string => `${name}’s connection dropped. They keep their place while it comes back.`,
    back: (name: string): string => `${name} is back.`,
    poor: (name: string): string => `${name}’s connection is poor.`,
    aClient: 'a client',
    privateMessage: (name: string): string => `New private message from ${name}.`,
    groupMessage: (name: string): string => `New group chat message from ${name}.`,
    locked: 'Room locked. Nobody new can join.',
    unlocked: 'Room open. New people can knock again.',
  },
};

/** The shape every console catalogue has: English's. */
export type ConsoleCatalogue = typeof en;
