// twins/thermal/: thermal and ambient twin of a motor-driven machine (lumped RC network, daily climate). Platform-free.
export { ThermalSchema, type ThermalConfig } from './thermal-config';
export { constantDrivers, type ThermalDrivers } from './thermal-drivers';
export { ThermalNetwork, type ThermalNetworkOptions } from './thermal-network';
export { ThermalError, type ThermalErrorCode } from './thermal-error';
