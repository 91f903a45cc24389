export * from './api.js';
export * from './ipc.js';
