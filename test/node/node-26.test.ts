// Node 26: see matrix.ts.
import { versionSuite } from './matrix.js';

versionSuite(26);
