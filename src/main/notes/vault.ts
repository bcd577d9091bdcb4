/** The note vault's public entry: open a vault, and the key stores it can use. */
export { openVault, vaultPath, type OpenVaultOptions } from './noteVault';
export { createKeytarKeyStore, createMemoryKeyStore, KeychainUnavailableError, KEYCHAIN_SERVICE, type KeyStore } from './keyStore';
