// oidc-provider ships no type declarations. The sandbox loads it with a dynamic import and treats
// its objects as `any` at that boundary; this shorthand declaration keeps `tsc --noEmit` strict-clean.
declare module 'oidc-provider';
