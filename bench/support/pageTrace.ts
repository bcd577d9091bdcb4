/**
 * Page-side tracing for the browser benches, as source text for init scripts (tsx's keepNames
 * helper does not exist in pages; see keepNames.ts). Statements, to be placed inside an init
 * script's own function.
 */

/**
 * Every signaling frame in and out of the page, with its epoch time, into `window.__frames`:
 * `{at, dir: 'out' | 'in', name, id}`, where `name` is the method (an answer is named after the
 * request it answers) or the notification.
 */
export const TRACE_SIGNALING = `
  const frames = [];
  window.__frames = frames;
  const NativeWs = window.WebSocket;
  window.WebSocket = function (...args) {
    const ws = new NativeWs(...args);
    const methods = new Map();
    const at = () => performance.timeOrigin + performance.now();
    const send = ws.send.bind(ws);
    ws.send = (data) => { try { const f = JSON.parse(data); methods.set(f.id, f.method); frames.push({ at: at(), dir: 'out', name: f.method, id: f.id }); } catch {} return send(data); };
    ws.addEventListener('message', (ev) => { try { const f = JSON.parse(ev.data); frames.push({ at: at(), dir: 'in', name: f.notification || methods.get(f.id) || '?', id: f.id }); } catch {} });
    return ws;
  };
  window.WebSocket.prototype = NativeWs.prototype;
  Object.setPrototypeOf(window.WebSocket, NativeWs);
`;
