// mediasoup's tests call jest.fn(); vitest's vi.fn() is its drop-in.
import { vi } from 'vitest';

(globalThis as unknown as { jest: typeof vi }).jest = vi;
