/**
 * A socket the test has just closed may not yet be gone on the server's side, and one live
 * connection per invitation or clinician means the next hello can meet CONFLICT for a moment.
 */
export async function retryWhileConflict<T>(connect: () => Promise<T>, attempts = 20): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await connect();
    } catch (err) {
      if (i >= attempts || !(err instanceof Error) || !err.message.includes('CONFLICT')) throw err;
      await new Promise((r) => setTimeout(r, 25));
    }
  }
}
