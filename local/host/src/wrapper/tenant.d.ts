// The tenant's default export, or the service-worker shim's (service-worker.ts). The
// stand-in supplies this module at load time (runtime/modules.ts); its shape is
// checked at run time by main.ts.
declare const tenant: unknown;
export default tenant;
