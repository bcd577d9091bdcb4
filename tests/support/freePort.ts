/** A TCP port free on 127.0.0.1 a moment ago, for a server a test starts (src/common/freePort.ts). */
export { freeLoopbackPort as freePort } from '../../src/common/freePort';
