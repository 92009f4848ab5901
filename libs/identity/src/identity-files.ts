/** The API keys' database, in the data folder (mode 0600). */
export const IDENTITY_DB_FILE_NAME = 'identity.sqlite';
