import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { z } from 'zod';
import { App } from './App';
import { inviteTokenFrom, socketUrlFor } from './location';
import { ParticipantService } from './participantService';
import { ServiceContext } from './serviceContext';
import './styles.css';

// The page's CSP forbids eval; without this zod probes for it with `new Function` and the
// browser logs a CSP violation on every load.
z.config({ jitless: true });

const service = new ParticipantService(inviteTokenFrom(location.pathname), socketUrlFor(location));

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
