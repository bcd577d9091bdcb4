/** Which server the participant page asks: its own, the host a hello names, another after a loss. */
import { describe, expect, it } from 'vitest';
import { ServerRoute, socketUrlOf } from '../../src/participant/serverRoute';

describe('the participant page’s route to a server', () => {
  it('makes sockets of http(s) server addresses only', () => {
    expect(socketUrlOf('https://s1.clinic.example')).toBe('wss://s1.clinic.example/ws');
    expect(socketUrlOf('http://127.0.0.1:4781/anything?x=1')).toBe('ws://127.0.0.1:4781/ws');
    for (const bad of ['ws://s1', 'javascript:alert(1)', 'data:text/html,x', 'https://u:p@s1', 'not a url', '']) expect(socketUrlOf(bad)).toBeUndefined();
  });

  it('goes where a hello says the session is hosted, and after a loss asks its own server first, then the fleet in turn', () => {
    const route = new ServerRoute('wss://clinic.example/ws');
    expect(route.current).toBe('wss://clinic.example/ws');
    expect(route.redirect('ftp://s9')).toBe(false);
    expect(route.redirect(undefined)).toBe(false);
    expect(route.current).toBe('wss://clinic.example/ws');
    expect(route.redirect('https://s1.clinic.example')).toBe(true);
    expect(route.current).toBe('wss://s1.clinic.example/ws');
    route.learn(['https://s1.clinic.example', 'https://s2.clinic.example', 'mailto:x']);

    // The host is gone: the page's own address, which a load balancer sends to a live server.
    route.unreachable();
    expect(route.current).toBe('wss://clinic.example/ws');
    // That does not answer either: each of the fleet's servers in turn, with its own between.
    const asked = [];
    for (let n = 0; n < 4; n++) {
      route.unreachable();
      asked.push(route.current);
    }
    expect(asked).toEqual(['wss://s1.clinic.example/ws', 'wss://clinic.example/ws', 'wss://s2.clinic.example/ws', 'wss://clinic.example/ws']);
  });

  it('with no fleet known, keeps asking its own server', () => {
    const route = new ServerRoute('ws://127.0.0.1:4780/ws');
    route.unreachable();
    route.unreachable();
    expect(route.current).toBe('ws://127.0.0.1:4780/ws');
  });
});
