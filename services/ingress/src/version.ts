export const INGRESS_VERSION = '0.1.0';
