/**
 * Importers: Postman environment files and curl commands become import plans that are previewed,
 * then applied through the token service. Ships in dist/features.js (loaded on first use).
 */
export { applyPlan, describePreview, previewPlan } from './plan';
export type { ImportPlan, ImportTarget, PlanPreview, Skipped } from './plan';
export { planPostmanImport } from './postman';
export { planCurlImport } from './curl';
