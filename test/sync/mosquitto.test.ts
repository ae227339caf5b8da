// The sync integration suite against a real Mosquitto (Debian package): TLS with a generated CA,
// passwords (mosquitto_passwd) and the ACL from src/sync/access.ts, on a free loopback port.
import { startMosquitto } from '../helpers/mosquitto.js';
import { brokerSuite, SUITE_GATES } from './broker-suite.js';

brokerSuite('Mosquitto (TLS, passwords, ACL)', () => startMosquitto({ gates: SUITE_GATES }));
