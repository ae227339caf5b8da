import { describe, expect, it } from 'vitest';
import { type AccessPolicy, checkPassword, filterWithin, mayPublish, maySubscribe, mosquittoAcl, rulesFor, topicMatches } from '../../src/sync/access.js';

const policy: AccessPolicy = { root: 'checkpoint', site: 'v1lage', users: { hub: { password: 'h', role: 'hub' }, admin: { password: 'a', role: 'admin' }, east: { password: 'secret', role: { gate: 'east' } } } };
const east = rulesFor(policy, policy.users.east!);

describe('topic rules shared by the Mosquitto ACL and the embedded broker', () => {
  it('matches MQTT filters level by level, never $ topics with a leading wildcard', () => {
    expect(topicMatches('a/+/c', 'a/b/c')).toBe(true);
    expect(topicMatches('a/+/c', 'a/b/d')).toBe(false);
    expect(topicMatches('a/#', 'a')).toBe(true);
    expect(topicMatches('a/#', 'a/b/c')).toBe(true);
    expect(topicMatches('a/b', 'a/b/c')).toBe(false);
    expect(topicMatches('#', '$SYS/x')).toBe(false);
    expect(topicMatches('+/x', '$SYS/x')).toBe(false);
  });

  it('lets a gate write only under its own branch and read only its commands', () => {
    expect(mayPublish(east, 'checkpoint/v1/v1lage/east/passages')).toBe(true);
    expect(mayPublish(east, 'checkpoint/v1/v1lage/west/passages')).toBe(false);
    expect(mayPublish(east, 'checkpoint/v1/v1lage/cmd/zone')).toBe(false);
    expect(mayPublish(east, 'checkpoint/v1/other/east/passages')).toBe(false);
    expect(mayPublish(east, 'homeassistant/sensor/node/entries/config')).toBe(true);
    expect(mayPublish(east, 'homeassistant/status')).toBe(false);
    expect(maySubscribe(east, 'checkpoint/v1/v1lage/cmd/#')).toBe(true);
    expect(maySubscribe(east, 'checkpoint/v1/v1lage/east/cmd/#')).toBe(true);
    expect(maySubscribe(east, 'checkpoint/v1/v1lage/east/cmd/zone')).toBe(true);
    expect(maySubscribe(east, 'checkpoint/v1/v1lage/west/cmd/#')).toBe(false);
    expect(maySubscribe(east, 'checkpoint/v1/v1lage/+/cmd/#')).toBe(false);
    expect(maySubscribe(east, 'checkpoint/#')).toBe(false);
    expect(maySubscribe(east, '#')).toBe(false);
    expect(maySubscribe(east, 'homeassistant/status')).toBe(true);
  });

  it('lets the hub read every gate\'s uplink and write only commands', () => {
    const hub = rulesFor(policy, policy.users.hub!);
    for (const leaf of ['passages', 'alerts', 'reports', 'corrections', 'events', 'result', 'state', 'counts', 'devices', 'door/main']) expect(maySubscribe(hub, `checkpoint/v1/v1lage/+/${leaf}`), leaf).toBe(true);
    expect(maySubscribe(hub, 'checkpoint/v1/v1lage/east/cmd/#')).toBe(false);
    expect(maySubscribe(hub, 'checkpoint/#')).toBe(false);
    expect(mayPublish(hub, 'checkpoint/v1/v1lage/east/cmd/resend')).toBe(true);
    expect(mayPublish(hub, 'checkpoint/v1/v1lage/cmd/zone')).toBe(true);
    expect(mayPublish(hub, 'checkpoint/v1/v1lage/east/passages')).toBe(false);
    expect(mayPublish(hub, 'checkpoint/v1/v1lage/east/state')).toBe(false);
  });

  it('a subscription is allowed only when every topic it can match is allowed', () => {
    expect(filterWithin('a/+/c', 'a/b/c')).toBe(true);
    expect(filterWithin('a/+/c', 'a/+/c')).toBe(true);
    expect(filterWithin('a/b/c', 'a/+/c')).toBe(false);
    expect(filterWithin('a/#', 'a/b/#')).toBe(true);
    expect(filterWithin('a/b/#', 'a/#')).toBe(false);
  });

  it('checks passwords exactly', () => {
    expect(checkPassword(policy, 'east', Buffer.from('secret'))).toBe(policy.users.east);
    expect(checkPassword(policy, 'east', 'secreT')).toBeUndefined();
    expect(checkPassword(policy, 'east', 'secret2')).toBeUndefined();
    expect(checkPassword(policy, 'nobody', 'secret')).toBeUndefined();
    expect(checkPassword(policy, undefined, undefined)).toBeUndefined();
  });

  it('writes the same rules as a Mosquitto acl_file', () => {
    const acl = mosquittoAcl(policy);
    expect(acl).toContain('user admin\ntopic readwrite checkpoint/#\n');
    expect(acl).toContain('user hub\ntopic write checkpoint/v1/+/cmd/#\ntopic write checkpoint/v1/+/+/cmd/#\ntopic read checkpoint/v1/+/+/passages\n');
    expect(acl).toContain('user east\ntopic write checkpoint/v1/v1lage/east/#\n');
    expect(acl).toContain('topic read checkpoint/v1/v1lage/cmd/#\ntopic read checkpoint/v1/v1lage/east/cmd/#\n');
  });
});
