import { contextBridge, ipcRenderer } from 'electron';
import { createMedisyncApi } from './api.js';

// Bundled into one CommonJS file: a sandboxed preload cannot load modules of its own.
contextBridge.exposeInMainWorld('medisync', createMedisyncApi(ipcRenderer));
