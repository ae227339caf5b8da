// A small typed event bus between features (devices, gate runtime, store, sync, kiosk).
// Listeners run synchronously in registration order; a throwing listener is logged, never propagated.
import type { GateInput, LaneStage } from '../gate/contract.js';
import type { Action, Alert, Passage, Text } from '../gate/model.js';

export type DeviceKind = 'thermometer' | 'scanner' | 'gpio';
export type DeviceState = 'connected' | 'disconnected' | 'faulty';

export interface DeviceHealth {
  id: string;
  kind: DeviceKind;
  lane: string;
  driver: string;
  state: DeviceState;
  detail?: string;
  since: number;
}

export interface BusEvents {
  /** A device produced an input for the gate (scan, temperature, mask sensor). */
  'device.input': GateInput;
  /** Door contact or exit button changed (not a gate input by itself). */
  'device.signal': { lane: string; deviceId: string; signal: 'door-contact' | 'exit-button'; active: boolean };
  'device.health': DeviceHealth;
  /** A device said something odd but harmless (implausible reading, garbage bytes). */
  'device.warning': { deviceId: string; lane: string; code: string; text: Text };
  /** The gate asks the devices of a lane to act (after the passage is committed). */
  'gate.actions': { lane: string; actions: Action[]; passageId?: string };
  'passage.progress': { lane: string; stage: LaneStage; passage: Partial<Passage> & { id: string }; prompt: Text };
  /** Committed to the ledger. */
  'passage.decided': { passage: Passage; seq: number };
  /** Committed to the ledger. */
  'alert.raised': { alert: Alert };
  'alert.acknowledged': { alertId: string; operatorId: string };
  /** Counts, visitors, roster or policy changed; listeners re-read what they show. */
  'ledger.changed': { what: 'counts' | 'visitors' | 'roster' | 'policy' | 'alerts' | 'outbox' };
  /** MQTT link state. */
  'sync.state': { connected: boolean; outboxDepth: number; detail?: string };
}

type Listener<T> = (payload: T) => void;

export class EventBus {
  private readonly listeners = new Map<keyof BusEvents, Set<Listener<never>>>();
  constructor(private readonly onListenerError: (event: string, err: unknown) => void = () => {}) {}

  on<K extends keyof BusEvents>(event: K, listener: Listener<BusEvents[K]>): () => void {
    let set = this.listeners.get(event);
    if (!set) {
      set = new Set();
      this.listeners.set(event, set);
    }
    set.add(listener as Listener<never>);
    return () => set.delete(listener as Listener<never>);
  }

  emit<K extends keyof BusEvents>(event: K, payload: BusEvents[K]): void {
    const set = this.listeners.get(event);
    if (!set) return;
    for (const l of set) {
      try {
        (l as Listener<BusEvents[K]>)(payload);
      } catch (err) {
        this.onListenerError(event, err);
      }
    }
  }

  removeAll(): void {
    this.listeners.clear();
  }
}
