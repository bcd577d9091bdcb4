/**
 * What the admin command (admin.ts) asks and shows on the terminal: a new password, asked
 * twice without echo or read from standard input (never from the command line, which every
 * user of the host can see), and a QR code of a second factor's otpauth URI.
 */
import qrcode from 'qrcode-generator';
import { ProtocolError } from '../shared/protocol.js';

/** A command used wrongly: the usage is printed with it (exit 2). */
export class UsageError extends Error {}

async function readStdinLine(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin as AsyncIterable<Buffer>) {
    chunks.push(chunk);
    if (Buffer.concat(chunks).includes(0x0a)) break;
  }
  const text = Buffer.concat(chunks).toString('utf8');
  const line = text.split('\n')[0] ?? '';
  return line.replace(/\r$/, '');
}

/** Asks on the terminal without echoing what is typed. */
function askHidden(question: string): Promise<string> {
  const stdin = process.stdin;
  return new Promise((resolve, reject) => {
    process.stderr.write(question);
    let typed = '';
    stdin.setRawMode(true);
    stdin.resume();
    const onData = (data: Buffer): void => {
      for (const ch of data.toString('utf8')) {
        if (ch === '\r' || ch === '\n') {
          done();
          process.stderr.write('\n');
          return resolve(typed);
        }
        if (ch === '\u0003') {
          done();
          process.stderr.write('\n');
          return reject(new UsageError('cancelled'));
        }
        if (ch === '\u007f' || ch === '\b') typed = [...typed].slice(0, -1).join('');
        else typed += ch;
      }
    };
    const done = (): void => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
    };
    stdin.on('data', onData);
  });
}

export async function newPassword(fromStdin: boolean): Promise<string> {
  if (fromStdin) return readStdinLine();
  if (!process.stdin.isTTY) throw new UsageError('no terminal to ask for the password on: use --password-stdin');
  const first = await askHidden('New password: ');
  const second = await askHidden('Again: ');
  if (first !== second) throw new ProtocolError('BAD_REQUEST', 'the two passwords differ');
  return first;
}

export function terminalQr(text: string): string {
  const qr = qrcode(0, 'M');
  qr.addData(text);
  qr.make();
  return qr.createASCII(1, 2);
}
