// Home Assistant MQTT discovery: each gate appears as a device with its counts, door state,
// last alert and link state, without configuration on the hub. Re-sent on HA's birth message.
import type { TopicTree } from './topics.js';

export interface DiscoveryMessage {
  topic: string;
  payload: string;
}

export function haBirthTopic(prefix: string): string {
  return `${prefix}/status`;
}

export function discoveryMessages(opts: {
  prefix: string;
  topics: TopicTree;
  site: string;
  siteName: string;
  gate: string;
  gateName: string;
  lanes: string[];
  software: string;
}): DiscoveryMessage[] {
  const { topics: t } = opts;
  const node = `checkpoint_${opts.site}_${opts.gate}`.replace(/[^A-Za-z0-9_-]/g, '_');
  const device = {
    identifiers: [node],
    name: `${opts.siteName} ${opts.gateName}`,
    manufacturer: 'checkpoint-gate',
    model: 'Checkpoint appliance',
    sw_version: opts.software,
    suggested_area: opts.siteName,
  };
  const availability = { topic: t.state, value_template: '{{ value_json.status }}', payload_available: 'online', payload_not_available: 'offline' };
  const out: DiscoveryMessage[] = [];
  const add = (component: string, key: string, config: Record<string, unknown>) => {
    out.push({
      topic: `${opts.prefix}/${component}/${node}/${key}/config`,
      payload: JSON.stringify({ unique_id: `${node}_${key}`, object_id: `${node}_${key}`, device, availability, ...config }),
    });
  };
  const count = (key: string, name: string, field: string, icon: string) =>
    add('sensor', key, { name, state_topic: t.counts, value_template: `{{ value_json.${field} }}`, state_class: 'measurement', icon, unit_of_measurement: 'people' });
  count('entries', 'Entries today', 'entries', 'mdi:login');
  count('exits', 'Exits today', 'exits', 'mdi:logout');
  count('people_inside', 'People inside', 'peopleInside', 'mdi:home-account');
  count('visitors_inside', 'Visitors inside', 'visitorsInside', 'mdi:account-clock');
  count('refusals', 'Refusals today', 'refusals', 'mdi:account-cancel');
  count('fever_alerts', 'Fever alerts today', 'feverAlerts', 'mdi:thermometer-alert');
  add('sensor', 'outbox', { name: 'Messages waiting', state_topic: t.state, value_template: '{{ value_json.outboxDepth }}', icon: 'mdi:tray-full', entity_category: 'diagnostic' });
  add('sensor', 'zone_level', { name: 'Zone level', state_topic: t.state, value_template: "{{ value_json.zoneLevel | default('unknown') }}", icon: 'mdi:shield-half-full' });
  add('sensor', 'last_alert', {
    name: 'Last alert',
    state_topic: t.uplink('alert'),
    value_template: "{{ value_json.data.kind | default(value_json.data.alert.kind | default('alert')) }}",
    json_attributes_topic: t.uplink('alert'),
    json_attributes_template: '{{ value_json.data | tojson }}',
    icon: 'mdi:alert',
  });
  add('binary_sensor', 'connected', { name: 'Link', state_topic: t.state, value_template: '{{ value_json.status }}', payload_on: 'online', payload_off: 'offline', device_class: 'connectivity', entity_category: 'diagnostic', availability: undefined });
  for (const lane of opts.lanes) {
    const key = `door_${lane}`.replace(/[^A-Za-z0-9_-]/g, '_');
    add('binary_sensor', key, { name: `Door ${lane}`, state_topic: `${t.gateBase}/door/${lane}`, value_template: "{{ 'ON' if value_json.open else 'OFF' }}", device_class: 'door' });
  }
  return out;
}
