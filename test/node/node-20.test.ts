// Node 20: see matrix.ts.
import { versionSuite } from './matrix.js';

versionSuite(20);
