// Node 22: see matrix.ts.
import { versionSuite } from './matrix.js';

versionSuite(22);
