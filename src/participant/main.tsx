import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { inviteTokenFrom, socketUrlFor } from './location';
import { ParticipantService } from './participantService';
import { ServiceContext } from './serviceContext';
import './styles.css';

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
