/**
 * The words the page says to a client, in English: every message, error and notice, in one
 * place. They were written to be calm and plain, and reviewing them together keeps the tone
 * consistent. Every other language's catalogue has the same shape (`Catalogue`), so a word
 * missing from one fails the typecheck; words that carry a value are functions of it.
 */
import type { MediaKind } from '../../shared/protocol';
import type { EndReason } from '../store';

/** How an ending screen reads. */
export interface EndCopy {
  title: string;
  body: string;
  /** A way back in, when there is one. */
  retry?: string;
  /** A gentle line about where to find support, for endings that may be hard to take. */
  support?: string;
  tone: 'neutral' | 'calm' | 'warning';
}

/** Why a camera or microphone could not be started (src/client/media.ts's `MediaAccessError.reason`). */
export type MediaAccessReason = 'denied' | 'not-found' | 'in-use' | 'unsupported' | 'other';

const SUPPORT_LINE = 'If you need support right now, contact your clinic or local emergency services.';

const device = (kind: MediaKind): string => (kind === 'audio' ? 'microphone' : 'camera');

export const en = {
  page: {
    documentTitle: 'Join your group session · Confidant',
    skipToContent: 'Skip to content',
    privacyBadge: 'Private session · never recorded',
    reconnecting: 'Your connection dropped. Reconnecting… you keep your place.',
    footer:
      'Only people your therapist admits can join, and nothing in this session is recorded. Your safety details are seen only by your therapist.',
    languageSwitch: 'Language',
  },

  errors: {
    passcodeMismatch:
      "That passcode didn't match this invitation. Check the message from your therapist and try again.",
    unreachable: "We couldn't reach the session just now. Check your internet connection and try again.",
    unexpected: 'Something went wrong on our side. Please try again in a moment.',
    passcodeEmpty: 'Please enter the passcode from your therapist’s message.',
    /** Before the waiting room opens; `time` is the opening time in the client's own words, when known. */
    notOpenYet: (time: string | null): string =>
      time
        ? `The waiting room for this session isn't open yet. It opens ${time} — please come back then.`
        : "The waiting room for this session isn't open yet. Please come back a little before your session starts.",
    stillLocked: (time: string): string => `Still locked when we checked at ${time}. You can try again in a moment.`,
  },

  passcode: {
    step: 'Step 1 of 3 · Your invitation',
    title: 'Welcome to your group session',
    lead: 'This is a private space. Before you join, we need to check this invitation is yours.',
    label: 'Enter the passcode your therapist sent you',
    hint: "You'll find it in the same message as this link.",
    checking: 'Checking…',
    submit: 'Continue',
    accepted: 'Passcode accepted. Next, check in for the session.',
  },

  checkIn: {
    step: 'Step 2 of 3 · Check in',
    title: 'Get ready to join the group',
    lead: 'This takes a minute. Your therapist will let you in when the session is ready.',
    nameLegend: 'How the group will see you',
    nameLabel: 'First name or pseudonym',
    nameHint: "Use a first name or a pseudonym — you don't need to share your full name.",
    nameMissing: 'Please enter a first name or pseudonym.',
    nameInvalid: 'Please check your name: 1 to 40 characters, letters, numbers and spaces are fine.',
    agreementLegend: 'Group agreement',
    agreementHint: 'Everyone in the group agrees to this before joining. Please read it in full.',
    agreementLabel: 'Group confidentiality agreement',
    agreeLabel: 'I agree to keep what is shared in this group confidential',
    agreeMissing: 'Please tick the box to agree before you continue.',
    agreeMissingForm: 'Please read the group agreement and tick the box to agree before you continue.',
    agreementChanged: 'The group agreement was just updated. Please reload this page to read the new version.',
    optional: '(optional)',
    privacyLegend: 'Before you join',
    privacyHint:
      'A quick check that the group stays private where you are. Tick what is true for you; your therapist sees what you ticked, nobody else does.',
    privateSpace: 'I am in a private space where I can talk freely',
    headphones: 'I am wearing headphones, so others nearby cannot hear the group',
    notificationsOff: 'Notifications on this device are turned off',
    nobodyInView: 'Nobody else is in view of my camera or screen',
    ratingLegend: 'How are you today?',
    ratingHint: 'From 0 (very bad) to 10 (very good). Only your therapist sees this, never the group.',
    ratingLabel: 'How you are today, from 0 (very bad) to 10 (very good)',
    ratingLow: 'very bad',
    ratingHigh: 'very good',
    ratingWord: 'A word for it, if you like',
    ratingClear: 'Clear my answer',
    safetyLegend: 'For your safety',
    safetyHint:
      'Only your therapist can see this, and only uses it if there is an emergency during the session. It is never shown to the group.',
    locationLabel: 'Where are you right now?',
    locationPlaceholder: 'For example, a town or an address',
    contactLabel: 'Emergency contact',
    contactPlaceholder: 'A name and phone number',
    mediaTitle: 'Camera and microphone',
    mediaHint: 'You can change these at any time during the session.',
    checkingIn: 'Checking in…',
    submit: 'Check in and wait to be admitted',
    checkedIn: 'You are checked in. Waiting for your therapist to let you in.',
  },

  media: {
    camera: 'Camera',
    microphone: 'Microphone',
    /** A camera or microphone switch's state, beside its name. */
    switchState: (_kind: MediaKind, on: boolean): string => (on ? 'On' : 'Off'),
    textOnlyChosen:
      'You’ll take part by text: no camera or microphone. You can read and write in the group chat, and see and hear the group.',
    useMediaInstead: 'Use my microphone or camera instead',
    chooseTextOnly: 'Take part by text only',
    previewStarting: 'Starting your camera…',
    previewOff: 'Your camera is off',
    previewCaption: 'Only you can see this preview',
    waitingCaption: "This is how you'll appear. Only you can see it until you're let in.",
    /** The background choice (issue 21): how the room behind the person is shown. */
    backgroundLegend: 'Your background',
    backgroundOption: (mode: 'none' | 'blur' | 'backdrop'): string =>
      mode === 'none' ? 'Show my room' : mode === 'blur' ? 'Blur my room' : 'Plain backdrop',
    backgroundHint: 'Blur and the backdrop work on this device: your room never leaves it. This device remembers your choice.',
    backgroundFailed:
      'Background blur could not start on this device, so the group sees a plain backdrop instead of your camera. You can turn your camera off and take part by voice.',
    /** Why a camera or microphone could not be started. */
    accessError: (reason: MediaAccessReason, kind: MediaKind): string => {
      const what = device(kind);
      switch (reason) {
        case 'denied':
          return `Your browser didn't allow access to your ${what}. Allow it in the browser's address bar (the camera icon), then try again — or continue with it turned off.`;
        case 'not-found':
          return `We couldn't find a ${what} on this device. You can continue with it turned off.`;
        case 'in-use':
          return `Your ${what} seems to be in use by another app. Close that app and try again, or continue with it turned off.`;
        case 'unsupported':
          return 'This browser cannot use a camera or microphone here. Try an up-to-date Chrome, Edge, Firefox or Safari.';
        case 'other':
          return `Your ${what} couldn't be started. You can continue with it turned off.`;
      }
    },
    toggled: (kind: MediaKind, on: boolean): string =>
      kind === 'video' && !on ? 'Your camera is off. You are audio only.' : `Your ${device(kind)} is ${on ? 'on' : 'off'}.`,
    toggleFailed: (kind: MediaKind, on: boolean): string =>
      `Your ${device(kind)} couldn't be turned ${on ? 'on' : 'off'} just now. Please try again.`,
    staysOff: (kind: MediaKind): string => `Your ${device(kind)} stays off. You can turn it on whenever you're ready.`,
    notConnected: 'Your camera or microphone could not be connected to the group.',
    reconnecting: 'Reconnecting audio and video…',
    videoHeldBack:
      'Your connection is too weak for video right now, so only your voice is sent. Your camera comes back by itself when the connection improves.',
    videoBack: 'Your connection has improved, so your camera is back on.',
    /** The group's video paused on a link that cannot carry it (issue 22, main's receiving fallback). */
    incomingVideoHeld:
      'Your connection is too weak to show the group’s video right now, so it is paused. You can still hear everyone, and the video comes back by itself when the connection improves.',
    incomingVideoBack: 'Your connection has improved, so the group’s video is back.',
  },

  waiting: {
    step: 'Step 3 of 3 · Waiting room',
    returnedNote: 'Your therapist moved you back to the waiting room',
    returnedAnnounce:
      "Your therapist moved you back to the waiting room. You'll rejoin the group automatically when they let you back in.",
    returnedDetail: "This can happen for many reasons and doesn't mean you did anything wrong. You're no longer seen or heard by the group.",
    titleLetIn: 'Your therapist let you in',
    titleReturned: 'Waiting for your therapist to let you back in',
    title: 'Waiting for your therapist to let you in',
    leadLetIn: 'Connecting you to the group…',
    leadReturned:
      "Your place is kept. When your therapist lets you back in, you'll rejoin the group automatically — there's no need to refresh.",
    lead: (name: string): string =>
      `${name ? `Thank you, ${name}. ` : ''}You're checked in. Your therapist can see you're here and will let you in shortly. You'll join automatically, so there's no need to refresh.`,
    statusLetIn: 'Joining the group…',
    status: "Checked in · your therapist knows you're here",
    locked: "Your therapist has closed the session to new arrivals. You're already checked in, so your place is kept.",
    messagesTitle: 'Private messages with your therapist',
    messagesHint: (returned: boolean): string =>
      `You can reply once you’re ${returned ? 'back ' : ''}in the session. Messages aren’t saved.`,
    tipPrivate: "If you can, find a private spot where you won't be overheard.",
    tipHeadphones: 'Headphones help keep what others share private.',
    tipBreathe: "Take a slow breath. There's no rush — you can share as much or as little as you like.",
    leave: 'Leave the waiting room',
    letIn: (returning: boolean): string => `Your therapist let you ${returning ? 'back ' : ''}in. Joining the group…`,
    backInWaiting: 'You are back in the waiting room.',
    backInWaitingFromGroup: 'You are back, in the waiting room. Your therapist will let you in again.',
  },

  call: {
    defaultTitle: 'Group session',
    connecting: 'Connecting you to the group…',
    peopleHere: (count: number): string => `${count} ${count === 1 ? 'person' : 'people'} here`,
    audioOnly: 'Audio only',
    takingPartByText: 'Taking part by text',
    selfByText: 'You’re taking part by text',
    cameraOff: 'Your camera is off',
    you: 'You',
    selfName: (name: string): string => `${name} (you)`,
    micOn: 'Microphone on',
    micOff: 'Microphone off',
    people: 'People in the session',
    locked: 'Room locked',
    lockedDetail: 'Your therapist has closed the session to new arrivals. Nothing changes for you.',
    lockedNow: 'Your therapist closed the session to new arrivals. Nothing changes for you.',
    unlockedNow: 'Your therapist opened the session to new arrivals again.',
    encrypted: 'End-to-end encrypted',
    encryptedDetail: 'only the people in this group can see and hear it, not the server that connects you',
    encryptedNow: 'The call is end-to-end encrypted.',
    settingUpEncryption: 'Setting up encryption…',
    partlyEncrypted: 'Not fully end-to-end encrypted',
    partlyEncryptedDetail:
      'someone in this group takes part by audio without encryption, so the server that connects you could hear them and what is said to them; video stays encrypted',
    clearAudioSelf:
      'Your therapist let you take part by audio without encryption, because this browser cannot encrypt the call. The server that connects you could hear you and what you hear. You will not see the group’s video.',
    safetyCode: 'Safety code',
    safetyCodeBefore: 'Your therapist will read you a safety code. If it is',
    safetyCodeAfter: ', the connection between you is private.',
    safetyCodeMatches: 'It matches',
    encryptionRefused:
      'The key offered for this call does not match your invitation link, so for your privacy nothing is sent or shown. Please tell your therapist.',
    encryptionUnsupported:
      'This browser cannot encrypt the call end to end, so it cannot show or send the group’s video and sound. Please join from a current version of Chrome, Edge, Firefox or Safari.',
    connection: {
      good: { label: 'Connection good', detail: 'your connection to the group is working well' },
      weak: {
        label: 'Connection weak',
        detail: 'video may freeze or look blurry; moving closer to your Wi-Fi router, or turning your camera off, can help',
      },
      poor: {
        label: 'Connection poor',
        detail: 'others may not see or hear you well; turning your camera off leaves more room for your voice',
      },
    },
    joined: (others: number, encrypted: boolean): string =>
      `You joined the group.${encrypted ? ' The call is end-to-end encrypted.' : ''} ${others === 1 ? '1 other person is' : `${others} other people are`} here.`,
    controls: 'Call controls',
    micMutedByTherapist: 'Microphone muted by your therapist',
    muteMic: 'Mute your microphone',
    unmuteMic: 'Unmute your microphone',
    cameraOffByTherapist: 'Camera off, turned off by your therapist',
    stopCamera: 'Stop camera',
    startCamera: 'Start camera',
    muted: 'Muted',
    mute: 'Mute',
    unmute: 'Unmute',
    cameraOffShort: 'Camera off',
    messageUnread: (count: string): string => `Message, ${count} unread from your therapist`,
    messagePrivately: 'Message your therapist privately',
    groupChat: 'Group chat',
    groupChatUnread: (count: string): string => `Group chat, ${count} unread`,
    message: 'Message',
    leaveSession: 'Leave the session',
    leave: 'Leave',
  },

  roles: {
    facilitator: 'Therapist',
    observer: 'Observing',
  },

  moderation: {
    mutedMic: 'Your therapist muted your microphone. They can invite you to unmute when it’s time.',
    mutedCamera: 'Your therapist turned off your camera. They can invite you to turn it back on when it’s time.',
    stillMuted: (kind: MediaKind): string =>
      `Your therapist muted your ${device(kind)}, so you can’t turn it on just yet. They’ll let you know when you can.`,
    refused: (kind: MediaKind): string =>
      `Your therapist hasn’t allowed your ${device(kind)} back on yet, so it stays off for now. They’ll let you know when you can.`,
    dismissNote: 'Dismiss this note',
    unmuteMicTitle: 'Your therapist asks you to unmute your microphone',
    unmuteMicAccept: 'Unmute',
    unmuteCameraTitle: 'Your therapist asks you to turn your camera back on',
    unmuteCameraAccept: 'Turn camera on',
    unmuteBody: 'It’s your choice — nothing turns on unless you do it.',
    unmuteAnnounce: (title: string): string => `${title}. It's your choice.`,
    notNow: 'Not now',
  },

  chat: {
    privateTitle: 'Message your therapist privately',
    privateClose: 'Close messages',
    privatePrivacy: 'Only your therapist sees these messages. Messages aren’t saved.',
    privateEmpty: 'If there’s something you’d rather not say to the whole group, you can write it here.',
    privateLog: 'Conversation with your therapist',
    groupTitle: 'Group chat',
    groupClose: 'Close the group chat',
    groupPrivacy:
      'Everyone in the group sees these messages, your therapist too. They aren’t saved, and people who join later don’t see them.',
    groupEmpty: 'If you can’t or would rather not speak, you can take part here.',
    groupLog: 'Group chat messages',
    groupOff: 'Your therapist has turned the group chat off for now.',
    yourMessage: 'Your message',
    sendHint: 'Enter to send · Shift+Enter for a new line',
    charactersLeft: (left: number): string => `${left} ${left === 1 ? 'character' : 'characters'} left`,
    sending: 'Sending…',
    send: 'Send',
    you: 'You',
    yourTherapist: 'Your therapist',
    therapistBadge: 'Therapist',
    someone: 'Someone in the group',
    previewFrom: 'Private message from your therapist',
    reply: 'Reply',
    dismissPreview: 'Dismiss message preview',
    newPrivate: 'New private message from your therapist.',
    newGroup: (from: string | null): string => `New message in the group chat from ${from ?? 'your therapist'}.`,
    groupOnNow: 'Your therapist turned the group chat on.',
    groupOffNow: 'Your therapist turned the group chat off.',
    groupCleared: 'Your therapist cleared the group chat.',
    writeFirst: 'Write a message first.',
    tooLong: (max: number): string => `Messages can be up to ${max} characters. Please shorten it a little.`,
    notInSession: 'You can send messages once you’re in the session.',
    groupNotInSession: 'You can write to the group once you’re in the session.',
    notKeyed: 'Your message can be sent once the call’s encryption is set up. Please try again in a moment.',
    tooMany: 'That was a lot of messages at once. Please wait a moment, then send again.',
    notSent: 'Your message couldn’t be sent. Please try again.',
  },

  ended: {
    recapTitle: 'A note from your therapist',
    recapMeta: (title: string, date: string): string => `${title} · written ${date}`,
    recapPrivate: 'Only the people in your group can read this, each on their own invitation page.',
    checking: 'Checking…',
    stillLockedAnnounce: 'The session is still locked. You can try again in a moment.',
    reasons: {
      denied: {
        title: "Your therapist didn't admit you to this session",
        body: "This can happen for many reasons, and it doesn't mean you did anything wrong. If you're not sure why, please contact your therapist or the clinic directly. Your camera and microphone are now off.",
        tone: 'neutral',
      },
      left: {
        title: 'You have left the session',
        body: 'Thank you for being part of the group today. Your camera and microphone are now off. You can close this window.',
        retry: 'Rejoin the session',
        tone: 'calm',
      },
      removed: {
        title: 'Your therapist has removed you from this session',
        body: "Your camera and microphone are now off, and this invitation link no longer works. If you'd like to talk about what happened, or about your next session, please contact your clinic.",
        support: SUPPORT_LINE,
        tone: 'neutral',
      },
      revoked: {
        title: 'This invitation is no longer active',
        body: "It can't be used to join this session. If you think this is a mistake, please contact your therapist or the clinic.",
        support: SUPPORT_LINE,
        tone: 'neutral',
      },
      sessionEnded: {
        title: 'This session has ended. Thank you for being here.',
        body: 'Your camera and microphone are now off, and you can close this window. Be gentle with yourself for the rest of the day — a glass of water, some fresh air or a few slow breaths can help after group.',
        support: SUPPORT_LINE,
        tone: 'calm',
      },
      roomLocked: {
        title: 'This session is locked',
        body: "Your therapist isn't letting new people in right now. This isn't about you — they may open it again in a moment. If you were expecting to join, you can try again, or contact your clinic.",
        retry: 'Try again',
        tone: 'neutral',
      },
      conflict: {
        title: 'This invitation is already in use on another device',
        body: 'Each invitation can be open in one place at a time. Close the session on your other device or browser tab, then try again here.',
        retry: 'Try again',
        tone: 'neutral',
      },
      rateLimited: {
        title: 'Too many attempts for now',
        body: "For your privacy, we pause sign-in after several tries. Please wait a few minutes, check the passcode in your therapist's message, and try again.",
        retry: 'Try again',
        tone: 'warning',
      },
      linkNeeded: {
        title: 'Please open your invitation link again',
        body: "For your privacy, this page doesn't keep your invitation in the address bar, so it can't be opened from a new tab or a bookmark. Open the invitation link from the message your therapist sent you.",
        tone: 'neutral',
      },
      invalidLink: {
        title: "This link doesn't look complete",
        body: "Please open the full invitation link from the message your therapist sent you. If it still doesn't work, contact your therapist or the clinic.",
        tone: 'warning',
      },
      connectionLost: {
        title: 'The connection was interrupted',
        body: 'Your camera and microphone are now off. When your connection is back, you can join again with the same passcode.',
        retry: 'Join again',
        tone: 'warning',
      },
    } satisfies Record<EndReason, EndCopy> as Record<EndReason, EndCopy>,
  },
};

/** The shape every language's catalogue has: English's. */
export type Catalogue = typeof en;
