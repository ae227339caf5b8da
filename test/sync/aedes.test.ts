// The same sync integration suite against the embedded aedes broker (src/sync/broker.ts) with the
// same users and topic rules as the Mosquitto ACL.
import { startAedes } from '../helpers/aedes.js';
import { brokerSuite, SUITE_GATES } from './broker-suite.js';

brokerSuite('the embedded aedes broker (passwords, ACL)', () => startAedes({ gates: SUITE_GATES }));
