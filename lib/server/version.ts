// The pushboard version, reported by --version, /api/v1/status and pushgateway_build_info.
export const VERSION = "0.1.0";
