/**
 * The PingOne management API client and the tenant browse, import and sync built on it. Ships in
 * dist/features.js (loaded on first use).
 */
export { ManagementError, listApplications, listEnvironments, readApplication, readApplicationSecret, retryAfterSeconds } from './client';
export type { ManagementCall, ManagementErrorDetail } from './client';
export { applicationInput, remoteApplication } from './applications';
export type { RemoteApplication } from './applications';
export { browseTenant, importApplications, syncApplication } from './tenant';
export type { ImportedApplication, RemoteEnvironment, SyncChange, SyncResult } from './tenant';
