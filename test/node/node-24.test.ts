// Node 24: see matrix.ts.
import { versionSuite } from './matrix.js';

versionSuite(24);
