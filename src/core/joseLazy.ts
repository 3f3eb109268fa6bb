/** The parts of `jose` we use, behind one module that core modules load on first use (see loadJose). */
export { SignJWT, calculateJwkThumbprint, compactVerify, createLocalJWKSet, errors, exportJWK, generateKeyPair, importJWK, importPKCS8, jwtVerify } from 'jose';
