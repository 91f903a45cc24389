export * from './device-database.js';
export * from './platform/index.js';
export * from './server-api.js';
export * from './sync-status.js';
export * from './SyncStatusBar.js';
export * from './time.js';
export * from './use-observable.js';
export * from './PaymentQr.js';
