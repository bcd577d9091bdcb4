// First: configures zod before any module builds a schema.
import './zodConfig';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { socketUrlFor, takeInvitation } from './location';
import { ParticipantService } from './participantService';
import { ServiceContext } from './serviceContext';
import { startLanguage } from './i18n';
import { startBackground } from './background';
import './styles.css';

// First thing: the token leaves the address bar and history for this tab's storage.
const invitation = takeInvitation(window);
const service = invitation.token !== null
  ? new ParticipantService(invitation.token, socketUrlFor(location), 'invalidLink', invitation)
  : new ParticipantService(null, socketUrlFor(location), invitation.missing);

// The page's language, before anything is drawn: this device's earlier choice, else the browser's.
startLanguage();
// The camera's background as chosen on this device before (issue 21), before the camera starts.
startBackground();

const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <ServiceContext.Provider value={service}>
        <App />
      </ServiceContext.Provider>
    </StrictMode>,
  );
}
