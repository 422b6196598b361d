// Loading and validating compiled bundles.
export { loadBundle, validateBundle, type BundleLoad, type BundleLoadError, type LoadBundleOptions } from "./load-bundle.js";
