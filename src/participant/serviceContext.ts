import { createContext, useContext } from 'react';
import type { ParticipantService } from './participantService';

export const ServiceContext = createContext<ParticipantService | null>(null);

/** The page's one service; components call it instead of doing side effects themselves. */
export function useService(): ParticipantService {
  const service = useContext(ServiceContext);
  if (!service) throw new Error('ServiceContext is missing');
  return service;
}
