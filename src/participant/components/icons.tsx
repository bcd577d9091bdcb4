/** Inline SVG icons (no icon fonts or CDNs: the page's CSP allows only its own origin). */
import type { SVGProps } from 'react';

function Svg(props: SVGProps<SVGSVGElement>) {
  return (
    <svg
      width="20"
      height="20"
      viewBox="0 0 24 24"
      fill="none"
      stroke="currentColor"
      strokeWidth="1.8"
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden="true"
      focusable="false"
      {...props}
    />
  );
}

export const ShieldIcon = () => (
  <Svg>
    <path d="M12 3l7 3v5c0 4.5-3 8.3-7 10-4-1.7-7-5.5-7-10V6l7-3z" />
    <path d="M9.5 12l1.8 1.8L15 10" />
  </Svg>
);

export const LockIcon = () => (
  <Svg>
    <rect x="5" y="11" width="14" height="9" rx="2" />
    <path d="M8 11V8a4 4 0 018 0v3" />
  </Svg>
);

export const MicIcon = () => (
  <Svg>
    <rect x="9" y="3" width="6" height="11" rx="3" />
    <path d="M5 11a7 7 0 0014 0M12 18v3" />
  </Svg>
);

export const MicOffIcon = () => (
  <Svg>
    <path d="M9 9v2a3 3 0 005.1 2.1M15 10V6a3 3 0 00-5.7-1.3" />
    <path d="M5 11a7 7 0 0011.4 5.4M19 11a7 7 0 01-.7 3M12 18v3M3 3l18 18" />
  </Svg>
);

export const CameraIcon = () => (
  <Svg>
    <rect x="3" y="6" width="13" height="12" rx="2" />
    <path d="M16 10l5-3v10l-5-3z" />
  </Svg>
);

export const CameraOffIcon = () => (
  <Svg>
    <path d="M16 16v0a2 2 0 01-2 2H5a2 2 0 01-2-2V8a2 2 0 012-2h1M10 6h4a2 2 0 012 2v2l5-3v10" />
    <path d="M3 3l18 18" />
  </Svg>
);

export const LeaveIcon = () => (
  <Svg>
    <path d="M15 4h3a2 2 0 012 2v12a2 2 0 01-2 2h-3M10 16l-4-4 4-4M6 12h10" />
  </Svg>
);

export const HeartIcon = () => (
  <Svg>
    <path d="M12 20s-7-4.4-7-10a4 4 0 017-2.6A4 4 0 0119 10c0 5.6-7 10-7 10z" />
  </Svg>
);

export const InfoIcon = () => (
  <Svg>
    <circle cx="12" cy="12" r="9" />
    <path d="M12 11v5M12 8h.01" />
  </Svg>
);

export const HeadphonesIcon = () => (
  <Svg>
    <path d="M4 15v-3a8 8 0 0116 0v3" />
    <rect x="3" y="14" width="4" height="6" rx="1.5" />
    <rect x="17" y="14" width="4" height="6" rx="1.5" />
  </Svg>
);

export const DoorIcon = () => (
  <Svg>
    <path d="M6 21V4a1 1 0 011-1h10a1 1 0 011 1v17M4 21h16M14 12h.01" />
  </Svg>
);

export const MessageIcon = () => (
  <Svg>
    <path d="M5 5h14a2 2 0 012 2v8a2 2 0 01-2 2h-7l-4.5 3.5V17H5a2 2 0 01-2-2V7a2 2 0 012-2z" />
  </Svg>
);

/** Two speech bubbles: the group chat, beside the private conversation's one. */
export const GroupChatIcon = () => (
  <Svg>
    <path d="M4 4h11a2 2 0 012 2v6a2 2 0 01-2 2H9l-3.5 3v-3H4a2 2 0 01-2-2V6a2 2 0 012-2z" />
    <path d="M19 8h1a2 2 0 012 2v6a2 2 0 01-2 2h-1v3l-3.5-3H11" />
  </Svg>
);

/** A keyboard: taking part by text. */
export const KeyboardIcon = () => (
  <Svg>
    <rect x="2" y="6" width="20" height="12" rx="2" />
    <path d="M6 10h.01M10 10h.01M14 10h.01M18 10h.01M7 14h10" />
  </Svg>
);

export const CloseIcon = () => (
  <Svg>
    <path d="M6 6l12 12M18 6L6 18" />
  </Svg>
);

export const HandIcon = () => (
  <Svg>
    <path d="M8 13V5.5a1.5 1.5 0 013 0V11M11 10.5V4a1.5 1.5 0 013 0v6.5M14 10.5V5.5a1.5 1.5 0 013 0V14a7 7 0 01-7 7h-.5a6 6 0 01-4.6-2.2L3 16.2a1.6 1.6 0 012.4-2.1L8 16" />
  </Svg>
);

/** A small padlock drawn to sit on a corner of another icon. */
export const LockBadgeIcon = () => (
  <svg width="12" height="12" viewBox="0 0 12 12" aria-hidden="true" focusable="false">
    <rect x="2" y="5.2" width="8" height="5.6" rx="1.2" fill="currentColor" />
    <path d="M3.8 5.2V3.8a2.2 2.2 0 014.4 0v1.4" fill="none" stroke="currentColor" strokeWidth="1.4" />
  </svg>
);

export const PhoneIcon = () => (
  <Svg>
    <path d="M5 4h3.5l1.5 4-2 1.5a11 11 0 005.5 5.5l1.5-2 4 1.5V18a2 2 0 01-2 2A15 15 0 013 6a2 2 0 012-2z" />
  </Svg>
);
