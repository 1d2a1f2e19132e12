/**
 * @module config — `tighten.yaml`, the configuration people write (label standard, teams, classification
 * overrides, platform detection, boundary thresholds). The only public surface of `src/config`.
 */
export {
  BUILTIN_VOLATILE_LABELS,
  CONFIG_API_VERSION,
  CONFIG_FILE_NAME,
  CONFIG_KIND,
  DEFAULT_CONFIG,
  DEFAULT_LABEL_PRIORITY,
  isVolatileLabel,
  portInRanges,
  type BoundariesConfig,
  type RecommendConfig,
  type ClassifyConfig,
  type LabelsConfig,
  type OpaqueSection,
  type PlatformConfig,
  type PlatformMatcher,
  type PortRange,
  type TeamsConfig,
  type TightenConfig,
  type WorkloadMatcher,
} from './config.js';
export { decodeConfig } from './decode.js';
export { readConfig } from './read.js';
export { suggest } from '../shared/suggest.js';
