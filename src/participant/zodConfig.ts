/**
 * The page's CSP forbids eval; without this zod probes for it with `new Function` and the
 * browser reports a CSP violation. Its own module, imported first by main.tsx, because
 * imports run before the importing module's body, and a schema built while another module
 * loads already runs the probe.
 */
import { z } from 'zod';

z.config({ jitless: true });
