export {
  ConfigSchema,
  DEFAULT_LOGIN_PATHS,
  DEFAULT_PUBLIC_PATHS,
  defaultConfig,
  globToRegExp,
  loadConfig,
  parseConfig,
  type Config,
  type IgnoreEntry,
} from './config.js';
