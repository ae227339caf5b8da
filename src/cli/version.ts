import { packageVersion } from '../app/package-dir.js';

export const VERSION = packageVersion();
