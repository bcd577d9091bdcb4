// Builds the participant page (src/participant) that the session server serves at
// /join/:token, with its assets under /p/. No inline scripts: the server's CSP forbids them.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { segmentationAssets } from './scripts/segmentationAssets';

export default defineConfig({
  root: fileURLToPath(new URL('./src/participant', import.meta.url)),
  base: '/p/',
  // The background-blur model (issue 21), served by the session server beside the page.
  plugins: [react(), segmentationAssets()],
  build: {
    outDir: fileURLToPath(new URL('./out/participant', import.meta.url)),
    emptyOutDir: true,
    // The page is served with a strict CSP; keep every asset a file of its own.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
    // zod and mediasoup-client make one ~145 kB (gzip) bundle; splitting mediasoup-client off
    // would open a window where producers announced on admission are missed. The page's words
    // in every language (issue 23, ~15 kB) come with it: the first screen is drawn in the
    // browser's language, so a catalogue fetched later would show English first.
    chunkSizeWarningLimit: 740,
  },
});
