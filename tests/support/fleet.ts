/**
 * Several real session servers on one PostgreSQL database, for the tests: the fleet demo's own
 * launcher (src/server/fleetDemo.ts), in a database of the run's shared cluster when the test
 * has one (vitest), else in a throwaway cluster of its own (Playwright).
 */
export { startFleet, type FleetDemo as Fleet, type FleetMember, type FleetOptions } from '../../src/server/fleetDemo';
