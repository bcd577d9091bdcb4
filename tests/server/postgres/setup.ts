/** Every demo server of the PostgreSQL pass runs on the run's cluster, in a fresh database (src/server/demo.ts). */
import { inject } from 'vitest';
import type {} from '../../support/postgres';

process.env.CONFIDANT_DATABASE_URL = inject('postgres').url;
