// The kernel's bus: typed by the map a part declares, listeners in order, a throwing one isolated.
import { describe, expect, it } from 'vitest';
import { EventBus } from '../../src/kernel/bus.js';

interface Lamp {
  'lamp.on': { colour: string };
  'lamp.off': { at: number };
}

describe('EventBus', () => {
  it('calls the listeners of an event in the order they came, and only those, until they leave', () => {
    const bus = new EventBus<Lamp>();
    const heard: string[] = [];
    bus.on('lamp.on', ({ colour }) => heard.push(`a ${colour}`));
    const off = bus.on('lamp.on', ({ colour }) => heard.push(`b ${colour}`));
    bus.on('lamp.off', ({ at }) => heard.push(`off ${at}`));
    bus.emit('lamp.on', { colour: 'green' });
    off();
    bus.emit('lamp.on', { colour: 'red' });
    bus.emit('lamp.off', { at: 7 });
    expect(heard).toEqual(['a green', 'b green', 'a red', 'off 7']);
    bus.removeAll();
    bus.emit('lamp.on', { colour: 'amber' });
    expect(heard).toHaveLength(4);
  });

  it('reports a throwing listener and goes on with the others', () => {
    const errors: string[] = [];
    const bus = new EventBus<Lamp>((event, err) => errors.push(`${event}: ${(err as Error).message}`));
    const heard: string[] = [];
    bus.on('lamp.on', () => {
      throw new Error('broken lamp');
    });
    bus.on('lamp.on', ({ colour }) => heard.push(colour));
    expect(() => bus.emit('lamp.on', { colour: 'green' })).not.toThrow();
    expect(heard).toEqual(['green']);
    expect(errors).toEqual(['lamp.on: broken lamp']);
  });

  it('lets a part see a larger bus through its own map', () => {
    interface Door {
      'door.open': { lane: string };
    }
    const bus = new EventBus<Lamp & Door>();
    const doorPart: { bus: EventBus<Door> } = { bus };
    const heard: string[] = [];
    bus.on('door.open', ({ lane }) => heard.push(lane));
    doorPart.bus.emit('door.open', { lane: 'main' });
    expect(heard).toEqual(['main']);
  });
});
