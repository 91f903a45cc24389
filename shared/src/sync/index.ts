export * from './database.js';
export * from './pending-changes.js';
export * from './protocol.js';
export * from './replication.js';
export * from './rx-schema.js';
export * from './sync-state.js';
export * from './ticket-dispenser.js';
export * from './check-in.js';
