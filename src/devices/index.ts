// The devices feature's public surface.
export { createDeviceAlerts, type DeviceAlertsOptions, deviceAlert } from './alerts.js';
export type { GpioConfig, LaneConfig, ScannerConfig, ThermometerConfig } from './config.js';
export { type DriverChoices, type DriverSet, DriverRegistry, realDrivers, usesMockDriver } from './drivers.js';
export { type CalibrationPatch, type CreateDevicesOptions, createDevices, type DeviceManager } from './manager.js';
export type { LaneOutputCommand, MockControls, OutputCommand } from './mock-controls.js';
export { DEFAULT_TIMING, type SupervisionTiming } from './supervisor.js';
export type { Calibration } from './thermometer/calibration.js';
