// The configured GPIO lines of a lane, by role.
import type { GpioConfig, GpioInputConfig, GpioLineConfig } from '../config.js';
import type { GpioInputName, GpioOutputName } from '../types.js';

export const OUTPUTS: GpioOutputName[] = ['relay', 'lampGreen', 'lampRed', 'buzzer'];
export const INPUTS: GpioInputName[] = ['doorContact', 'exitButton', 'maskDetector'];

export function configuredOutputs(cfg: GpioConfig): [GpioOutputName, GpioLineConfig][] {
  return OUTPUTS.flatMap((n) => (cfg[n] ? [[n, cfg[n]] as [GpioOutputName, GpioLineConfig]] : []));
}

export function configuredInputs(cfg: GpioConfig): [GpioInputName, GpioInputConfig][] {
  return INPUTS.flatMap((n) => (cfg[n] ? [[n, cfg[n]] as [GpioInputName, GpioInputConfig]] : []));
}

/** Physical level for a logical state: active-low lines are on when low. */
export const level = (on: boolean, activeLow: boolean): 0 | 1 => (on !== activeLow ? 1 : 0);
