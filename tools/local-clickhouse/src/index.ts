export { defaultServerPort, startChdbHttpServer } from './http-server.ts';
export type { ChdbHttpServer, ChdbHttpServerOptions } from './http-server.ts';
