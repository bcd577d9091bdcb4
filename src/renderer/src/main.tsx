import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { z } from 'zod';
import { App } from './App';
import './styles.css';

// The console's CSP forbids eval; without this zod probes for it with `new Function` and
// Chromium reports a CSP violation.
z.config({ jitless: true });

const root = document.getElementById('root');
if (!root) throw new Error('the console page has no #root element');
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
