// The version both daemons report (CLI, MQTT state, AsyncAPI): the one in our package.json.
import { packageVersion } from './package-dir.js';

export const VERSION = packageVersion();
