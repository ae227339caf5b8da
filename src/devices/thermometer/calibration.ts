// Calibration as the closed terminals offer it: a fixed offset and an optional cold-ambient correction.
import { round2 } from './line-parser.js';

export interface Calibration {
  offset: number;
  ambientCompensation: boolean;
  /** Ambient to assume when the device does not report one. */
  ambientCelsius?: number;
  ambientReference: number;
  ambientCoefficient: number;
}

/** The most a cold ambient may add: beyond this the reading is not to be trusted, re-measure indoors. */
export const MAX_AMBIENT_CORRECTION = 1.5;

export function ambientCorrection(cal: Calibration, reportedAmbient?: number): number {
  if (!cal.ambientCompensation) return 0;
  const ambient = reportedAmbient ?? cal.ambientCelsius;
  if (ambient === undefined) return 0;
  return Math.min(MAX_AMBIENT_CORRECTION, Math.max(0, cal.ambientReference - ambient) * cal.ambientCoefficient);
}

export function calibrate(celsius: number, cal: Calibration, reportedAmbient?: number): number {
  return round2(celsius + cal.offset + ambientCorrection(cal, reportedAmbient));
}

export function validateCalibration(cal: Calibration): Calibration {
  if (!Number.isFinite(cal.offset) || Math.abs(cal.offset) > 3) throw new Error(`Calibration offset must be between -3 and 3 °C: ${cal.offset}`);
  if (cal.ambientCelsius !== undefined && (!Number.isFinite(cal.ambientCelsius) || cal.ambientCelsius < -40 || cal.ambientCelsius > 50)) {
    throw new Error(`Ambient temperature must be between -40 and 50 °C: ${cal.ambientCelsius}`);
  }
  if (!(cal.ambientCoefficient >= 0 && cal.ambientCoefficient <= 0.2)) throw new Error(`Ambient coefficient must be between 0 and 0.2: ${cal.ambientCoefficient}`);
  return cal;
}
